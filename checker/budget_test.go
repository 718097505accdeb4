package checker

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shutdowncheck/shutdowncheck/examples"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// eightAsync: eight independent async devices, a state space that takes
// DFS a long time.
func eightAsync(t *testing.T) *model.Machine { return eightAsyncOf(t, "v14") }

func eightAsyncOf(t *testing.T, variant string) *model.Machine {
	t.Helper()
	var devs []model.Device
	for _, n := range "abcdefgh" {
		devs = append(devs, model.Device{Name: string(n), Parent: -1, Async: true, Present: true})
	}
	top := &model.Topology{Name: "eight", Devices: devs, Scenario: model.DefaultScenario()}
	if err := top.Check(); err != nil {
		t.Fatal(err)
	}
	v, _ := model.LookupVariant(variant)
	m, err := model.NewMachine(top, v, top.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// slowDPOR is a machine DPOR takes long over: v8's cookies under a
// device_del() (no state cache: 90 million states).
func slowDPOR(t *testing.T) *model.Machine {
	return machineOf(t, exampleTopology(t, "scenarios/remove-registered-first"), "v8")
}

// The memory budget is measured: a budget below what the process already
// holds stops the search at its first check, cleanly, keeping what it
// found; a budget the context carries counts the same.
func TestMemoryBudgetStops(t *testing.T) {
	m := eightAsync(t)
	for _, opt := range []Options{
		{Engine: DFS, MaxMemory: 1},
		{Engine: DPOR, MaxMemory: 1},
		{Engine: Random, Runs: 100, MaxMemory: 1},
		{Engine: DFS, Context: WithMaxMemory(context.Background(), 1)},
	} {
		m := m
		if opt.Engine == DPOR {
			m = slowDPOR(t) // DPOR proves eightAsync within its first 1024 transitions
		}
		res := Explore(m, opt)
		if res.Stopped != StopMemory || res.Exhaustive || res.Complete() || res.Stats.Transitions > 1025 {
			t.Errorf("%v: stopped %q after %d transitions", opt.Engine, res.Stopped, res.Stats.Transitions)
		}
		if opt.Engine == DFS && res.Violation(SleepInAtomic) == nil {
			t.Errorf("%v: the sleep-in-atomic found on the first path was lost", opt.Engine)
		}
	}
	// A budget far above what the search needs changes nothing.
	res := Explore(m, Options{Engine: Auto, MaxMemory: 64 << 30, Properties: Properties{Order: true}})
	if !res.Exhaustive || !res.Complete() {
		t.Errorf("auto under 64 GiB: %q", res.Stopped)
	}
}

// Auto with a proof time gives the proof up and samples PCT runs, not
// exhaustive and not complete; Stopped says why.
func TestAutoProveFor(t *testing.T) {
	// v18 does nothing wrong here, but proving it takes 600,000 transitions.
	res := Explore(eightAsyncOf(t, "v18"), Options{Engine: Auto, ProveFor: time.Nanosecond, Runs: 30, Depth: 3, Seed: 1})
	if res.Exhaustive || res.Complete() || res.Sampled != 30 || res.Stopped != "no proof within 1ns" || res.Engine != Auto {
		t.Errorf("exhaustive %v, sampled %d, stopped %q, engine %v", res.Exhaustive, res.Sampled, res.Stopped, res.Engine)
	}
	// The sample keeps what the proof found, and adds to it.
	m := eightAsync(t)
	res = Explore(m, Options{Engine: Auto, ProveFor: time.Nanosecond, Runs: 30, Depth: 3, Seed: 1})
	if res.Violation(SleepInAtomic) == nil {
		t.Error("no sleep-in-atomic")
	}
	// SampleFor bounds the sample in time.
	res = Explore(eightAsyncOf(t, "v18"), Options{Engine: Auto, ProveFor: time.Nanosecond, SampleFor: time.Nanosecond, Runs: 1 << 20, Depth: 3, Seed: 1})
	if res.Sampled >= 1<<20 || res.Complete() {
		t.Errorf("sampled %d", res.Sampled)
	}
}

// FirstViolation ends the search at the first violation; Found hears of
// each property once, as soon as it is violated.
func TestFirstViolationAndFound(t *testing.T) {
	m := eightAsync(t)
	var found []Property
	res := Explore(m, Options{Engine: DFS, Found: func(v *Violation) { found = append(found, v.Property) }, Context: timeout(t, 2*time.Second)})
	if len(found) != len(res.Violations) || len(found) == 0 {
		t.Errorf("found %v, result %d violations", found, len(res.Violations))
	}
	res = Explore(m, Options{Engine: DFS, FirstViolation: true})
	if res.Stopped != StopViolation || len(res.Violations) != 1 || res.Stats.Transitions > 200 {
		t.Errorf("stopped %q after %d transitions with %d violations", res.Stopped, res.Stats.Transitions, len(res.Violations))
	}
}

func timeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// The progress report's depth is the length of the run explored, for every
// engine (DPOR's used to be 0).
func TestProgressDepth(t *testing.T) {
	for _, e := range []Engine{DFS, DPOR} {
		m := machineOf(t, importedTopology(t, "aacraid"), "v14")
		if e == DPOR {
			m = slowDPOR(t) // DPOR proves the aacraid box under v14 within a second
		}
		var depths []int
		Explore(m, Options{Engine: e, Context: timeout(t, 2500*time.Millisecond),
			Progress: func(p Progress) { depths = append(depths, p.Depth) }})
		if len(depths) == 0 {
			t.Fatalf("%v: no progress report in 2.5s", e)
		}
		for _, d := range depths {
			if d <= 0 {
				t.Errorf("%v: depth %v", e, depths)
			}
		}
	}
}

// Strict replays: a counterexample ends where its violation shows, a run
// without it ends with its schedule.
func TestReplayStrict(t *testing.T) {
	m := eightAsync(t)
	v := Explore(m, Options{Engine: DFS, FirstViolation: true}).Violation(SleepInAtomic)
	props := Properties{SleepInAtomic: true}
	if err := Replay(m, v.Schedule, props, 0).Strict(SleepInAtomic); err != nil {
		t.Errorf("the counterexample: %v", err)
	}
	for _, c := range []struct {
		schedule []string
		want     string
	}{
		{nil, "empty"},
		{v.Schedule[:len(v.Schedule)-1], "cut short"},
		{append(append([]string(nil), v.Schedule...), "main", "main"), "goes on for 2 more steps"},
		{append(append([]string(nil), v.Schedule[:2]...), "async:ghost"), `"async:ghost" cannot run here`},
	} {
		err := Replay(m, c.schedule, props, 0).Strict(SleepInAtomic)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%d steps: %v, want %q", len(c.schedule), err, c.want)
		}
	}
	// A whole run that does not violate the property is a valid replay.
	run := Explore(m, Options{Engine: Random, Runs: 1, Properties: Properties{Order: true}})
	if err := Replay(m, run.LastRun, Properties{Order: true}, 0).Strict(Order); err != nil {
		t.Errorf("a whole run: %v", err)
	}
}

// Auto with a proof time gives a verdict on every imported machine: the
// sleep-in-atomic of v14's early pass (found on the first path), an
// exhaustive pass on the AM625 board (no async device), a PCT sample
// labelled not exhaustive where the proof does not finish.
func TestImportedMachinesAuto(t *testing.T) {
	if testing.Short() {
		t.Skip("a second or two per machine")
	}
	for _, c := range []struct {
		name       string
		violated   []Property
		exhaustive bool
	}{
		{"laptop2008", []Property{SleepInAtomic}, false},
		{"firecracker-vm", []Property{SleepInAtomic}, false}, // DPOR proves it in 2-5 s: maybe not within 2 s
		{"aacraid", []Property{SleepInAtomic}, false},
		{"wrt1900acs", []Property{SleepInAtomic}, false},
		{"am625", nil, true},
	} {
		m := machineOf(t, importedTopology(t, c.name), "v14")
		res := Explore(m, Options{Engine: Auto, ProveFor: 2 * time.Second, SampleFor: time.Second, Runs: 20, Depth: 3, Seed: 1, MaxMemory: 2 << 30})
		if got := violated(res); !slices.Equal(got, c.violated) || (c.exhaustive && !res.Exhaustive) {
			t.Errorf("%s: violated %v, exhaustive %v (%q), want %v", c.name, got, res.Exhaustive, res.Stopped, c.violated)
		}
		if !res.Exhaustive && (res.Sampled == 0 || !strings.HasPrefix(res.Stopped, "no proof within")) {
			t.Errorf("%s: not exhaustive, %d runs sampled, stopped %q", c.name, res.Sampled, res.Stopped)
		}
	}
}

// exampleTopology loads the built-in topology called name.
func exampleTopology(t testing.TB, name string) *model.Topology {
	t.Helper()
	top, err := examples.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return top
}
