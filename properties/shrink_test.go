package properties

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
	"pgregory.net/rapid"
)

// recorder is a rapid.TB that keeps what a failing check reports instead
// of failing the test that runs it.
type recorder struct {
	testing.TB
	failed bool
	logs   []string
}

func (r *recorder) Errorf(format string, args ...any) { r.failed = true; r.Logf(format, args...) }
func (r *recorder) Fatalf(format string, args ...any) { r.failed = true; r.Logf(format, args...) }
func (r *recorder) Error(args ...any)                 { r.failed = true; r.Log(args...) }
func (r *recorder) Fatal(args ...any)                 { r.failed = true; r.Log(args...) }
func (r *recorder) Fail()                             { r.failed = true }
func (r *recorder) FailNow()                          { r.failed = true }
func (r *recorder) Failed() bool                      { return r.failed }
func (r *recorder) Logf(format string, args ...any) {
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}
func (r *recorder) Log(args ...any) { r.logs = append(r.logs, fmt.Sprint(args...)) }

// A deadlock found by one random run on a random misordered topology of up
// to 8 devices shrinks to its minimal form: rapid shrinks the topology and
// the schedule (each scheduling decision is a draw) together. With async_wq
// unbounded and no allocation failure, the minimal form is a sync
// grandchild before its sync grandparent with an async device between (3
// devices, checker_test.go derives it): fewer devices cannot deadlock. The
// shrunk run also switches threads only where it must: once, from the main
// loop blocked at the grandparent to the async handler.
func TestShrinksToMinimalDeadlock(t *testing.T) {
	for _, f := range []struct{ name, value string }{{"rapid.seed", "1"}, {"rapid.checks", "5000"}, {"rapid.nofailfile", "true"}} {
		old := flag.Lookup(f.name).Value.String()
		if err := flag.Set(f.name, f.value); err != nil {
			t.Fatal(err)
		}
		defer flag.Set(f.name, old)
	}
	var last struct {
		top      *model.Topology
		sc       model.Scenario
		switches int
		steps    int
	}
	rec := &recorder{TB: t}
	rapid.Check(rec, func(t *rapid.T) {
		top := TopologyGen(8, 2, Misordered).Draw(t, "topology")
		sc := model.DefaultScenario()
		m := machine(t, top, "v14", sc)
		res := checker.Explore(m, checker.Options{Engine: checker.Scheduled, Scheduler: NewScheduler(t), Properties: checker.Properties{checker.Deadlock: true}})
		if v := res.Violation(checker.Deadlock); v != nil {
			last.top, last.sc, last.switches, last.steps = top, sc, v.Switches, len(v.Schedule)
			t.Fatalf("deadlock: %s", v.Message)
		}
	})
	if !rec.failed || last.top == nil {
		t.Fatalf("no deadlock found in 5000 random runs:\n%s", strings.Join(rec.logs, "\n"))
	}
	n := len(last.top.Devices)
	t.Logf("minimal: %v, scenario %+v, %d steps, %d thread switches", last.top, last.sc, last.steps, last.switches)
	if n != 3 {
		t.Errorf("not minimal: %d devices: %v", n, last.top)
	}
	if last.switches > 1 {
		t.Errorf("%d thread switches: the schedule did not shrink", last.switches)
	}
}
