package checker

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

// The adaptive engine reaches the cached search's verdicts on the fixed set
// (it runs either DPOR or the cached search to completion), and is
// exhaustive.
func TestAutoKeepsVerdicts(t *testing.T) {
	for _, top := range reductionTopologies(t) {
		for _, v := range model.Variants() {
			m, err := model.NewMachine(top, v, top.Scenario)
			if err != nil {
				t.Fatal(err)
			}
			dfs := Explore(m, scheduler.NewDFS(), Options{})
			auto := Explore(m, scheduler.NewAuto(), Options{})
			a, b := verdictOf(dfs), verdictOf(auto)
			if !auto.Exhaustive || !reflect.DeepEqual(keys(a.Violations), keys(b.Violations)) || !reflect.DeepEqual(pairSet(a.Pairs), pairSet(b.Pairs)) {
				t.Errorf("%s %s: dfs %v, auto %v (exhaustive %v, %q)", top.Name, v.Name, keys(a.Violations), keys(b.Violations), auto.Exhaustive, auto.Stopped)
			}
		}
	}
}

// countdown is a context that reports a timeout from its n-th Err call on:
// a deterministic timeout (the explorer checks it every 1024 transitions).
type countdown struct {
	context.Context
	n int
}

func (c *countdown) Err() error {
	if c.n--; c.n <= 0 {
		return context.DeadlineExceeded
	}
	return nil
}

// A timeout in a later phase of auto keeps what the earlier phases found.
// v8 on the misordered list: DPOR needs about 1950 transitions, the cached
// search about 5000; the first DPOR phase (1200) finds the deadlock and
// goes over its budget, the cached phase (2400) times out at its second
// check (transition 2048).
func TestAutoTimeoutKeepsFindings(t *testing.T) {
	m := machine(t, `devices:
  - {name: disk, parent: port}
  - {name: bridge}
  - {name: port, parent: bridge, async: true}`, "v8")
	res := Explore(m, &scheduler.Auto{Budget: 1200}, Options{Context: &countdown{Context: context.Background(), n: 3}})
	if res.Stopped != "timeout" {
		t.Fatalf("stopped %q, want a timeout in a later phase", res.Stopped)
	}
	if got := violated(res); !slices.Contains(got, "deadlock") {
		t.Errorf("violations %v: the first phase's deadlock is lost", got)
	}
}
