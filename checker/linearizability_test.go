package checker

import (
	"fmt"
	"slices"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
	"pgregory.net/rapid"
)

// The monitor's step-by-step linearizability check and porcupine's check
// of the whole history agree on every run: random topologies (any list
// order, links with and without sync_state_only, a worker bound, an
// allocation failure), every version, two random schedules each; ten
// rounds of rapid's 100 topologies, as runs where the verdicts could differ
// (a callback starting while one it depends on runs) are rare.
func TestLinearizabilityMatchesPorcupine(t *testing.T) {
	seen := map[bool]int{}
	for range 10 {
		rapid.Check(t, linearizabilityAgrees(seen))
	}
	// Both verdicts must come up, or the comparison says little.
	t.Logf("runs: %d linearizable, %d not", seen[false], seen[true])
	if seen[true] == 0 || seen[false] == 0 {
		t.Errorf("runs: %d linearizable, %d not: want both", seen[false], seen[true])
	}
}

func linearizabilityAgrees(seen map[bool]int) func(*rapid.T) {
	return func(t *rapid.T) {
		top := drawTopology(t)
		seed := rapid.Uint64().Draw(t, "seed")
		for _, v := range model.Variants() {
			m, err := model.NewMachine(top, v, top.Scenario)
			if err != nil {
				t.Fatal(err)
			}
			for run := range uint64(2) {
				res := Explore(m, Options{Engine: Random, Seed: seed + run, Runs: 1})
				run := Replay(m, res.LastRun, nil, 0)
				monitor := slices.ContainsFunc(run.Violations, func(v *Violation) bool { return v.Property == Linearizability })
				porcupine := checkHistory(m, run.Events) != ""
				seen[monitor]++
				if monitor != porcupine {
					t.Fatalf("%s on %s: monitor says non-linearizable %v, porcupine %v\nschedule %v", v.Name, top, monitor, porcupine, res.LastRun)
				}
			}
		}
	}
}

// drawTopology draws 2-6 devices in any devices_kset order, each with a
// parent listed anywhere, up to 3 links (sync_state_only or not), async and
// need_parent_lock flags, and a scenario with a worker bound and an
// allocation failure now and then. Dependencies follow a hidden label
// order, so there is no cycle.
func drawTopology(t *rapid.T) *model.Topology {
	n := rapid.IntRange(2, 6).Draw(t, "devices")
	order := rapid.Permutation(seq(n)).Draw(t, "order") // label -> list position
	top := &model.Topology{Name: "drawn", Scenario: model.DefaultScenario()}
	top.Devices = make([]model.Device, n)
	for label := 0; label < n; label++ {
		d := model.Device{Name: fmt.Sprintf("d%d", label), Parent: model.NoDev, Present: true,
			Async: rapid.Bool().Draw(t, "async"), NeedParentLock: rapid.Bool().Draw(t, "npl")}
		if p := rapid.IntRange(-1, label-1).Draw(t, "parent"); p >= 0 {
			d.Parent = model.DevID(order[p])
		}
		top.Devices[order[label]] = d
	}
	for range rapid.IntRange(0, 3).Draw(t, "links") {
		s := rapid.IntRange(0, n-2).Draw(t, "supplier")
		c := rapid.IntRange(s+1, n-1).Draw(t, "consumer")
		l := model.Link{Supplier: model.DevID(order[s]), Consumer: model.DevID(order[c]), SyncStateOnly: rapid.Bool().Draw(t, "sso")}
		if !slices.ContainsFunc(top.Links, func(o model.Link) bool { return o.Supplier == l.Supplier && o.Consumer == l.Consumer }) {
			top.Links = append(top.Links, l)
		}
	}
	top.Scenario.Workers = rapid.IntRange(0, 2).Draw(t, "workers")
	top.Scenario.AllocFailures = rapid.IntRange(0, 1).Draw(t, "alloc failures")
	if err := top.Check(); err != nil {
		t.Fatalf("drawn topology: %v", err)
	}
	return top
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}
