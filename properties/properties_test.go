package properties

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/corpus"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/report"
	"pgregory.net/rapid"
)

func machine(t *rapid.T, top *model.Topology, variant string, sc model.Scenario) *model.Machine {
	top.Scenario = sc
	if err := top.Check(); err != nil {
		t.Fatalf("generated scenario: %v", err)
	}
	v, err := model.LookupVariant(variant)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.NewMachine(top, v, sc)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// save writes the counterexample to $SHUTDOWNCHECK_CORPUS, when set, so that
// a property test's failure can join corpus/ with one command (see README).
func save(t *rapid.T, m *model.Machine, v *checker.Violation) {
	dir := os.Getenv("SHUTDOWNCHECK_CORPUS")
	if dir == "" {
		return
	}
	data, err := corpus.FromViolation(m, v, 0).Marshal(checker.Replay(m, v.Schedule, nil, 0))
	if err != nil {
		t.Fatal(err)
	}
	name := strings.NewReplacer(" ", "_", "/", "_").Replace("property-" + m.Variant.Name + "-" + string(v.Property) + ".yaml")
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("saved %s", filepath.Join(dir, name))
}

// On devices_kset lists consistent with every dependency, without
// concurrent device_del(), device_add() or parameter writes, v14 never
// misorders, deadlocks, hangs or loses a device, whatever async_wq's bound
// and however many allocations fail: children and consumers are queued
// before their parents and suppliers (FIFO), and the main loop reaches
// every sync dependent before what depends on it. Each topology is checked
// exhaustively.
func TestV14ConsistentListsAreSafe(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		top := TopologyGen(5, 2, Consistent).Draw(t, "topology")
		sc := ScenarioGen(top, ScenarioOptions{}).Draw(t, "scenario")
		m := machine(t, top, "v14", sc)
		res := checker.Explore(m, checker.Options{Engine: checker.Auto, Properties: checker.Properties{
			checker.Order: true, checker.Deadlock: true, checker.Hang: true, checker.Completeness: true}})
		for _, v := range res.Violations {
			save(t, m, v)
			t.Fatalf("%s on %v %+v: %s", v.Property, top, sc, v.Message)
		}
	})
}

// On any list and in any scenario, under any version, every violation a
// run finds is reported with a counterexample that replays to the same
// violation, and a run is deterministic: replaying its schedule gives the
// same steps, byte for byte.
func TestViolationsReplay(t *testing.T) { rapid.Check(t, pipeline) }

// pipeline draws a topology, a scenario, a version and a schedule, runs
// them, and checks the run's reports (also the fuzz target FuzzPipeline).
func pipeline(t *rapid.T) {
	top := TopologyGen(6, 2, Misordered).Draw(t, "topology")
	sc := ScenarioGen(top, ScenarioOptions{Actors: true}).Draw(t, "scenario")
	variant := rapid.SampledFrom(model.Variants()).Draw(t, "variant").Name
	m := machine(t, top, variant, sc)
	res := checker.Explore(m, checker.Options{Engine: checker.Scheduled, Scheduler: NewScheduler(t)})
	for _, v := range res.Violations {
		run := checker.Replay(m, v.Schedule, checker.Properties{v.Property: true}, 0)
		got := run.Violation(v.Property)
		if run.Err != nil || got == nil || got.Message != v.Message {
			save(t, m, v)
			t.Fatalf("%s does not replay: %v %+v", v.Property, run.Err, got)
		}
	}
	a, b := trace(m, res.LastRun), trace(m, res.LastRun)
	if a != b || a == "" {
		t.Fatalf("two replays of one schedule differ:\n%s\n---\n%s", a, b)
	}
}

func trace(m *model.Machine, schedule []string) string {
	var b strings.Builder
	report.WriteTrace(&b, checker.Replay(m, schedule, nil, 0), report.Full)
	return b.String()
}
