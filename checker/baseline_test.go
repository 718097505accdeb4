package checker

import (
	"fmt"
	"reflect"
	"runtime"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// The one run that computes upstream's misordered pairs finds what the
// cached search finds, on the fixed set and on misordered chains; it is
// taken on every topology without actors and given up on every one with.
func TestOneRunBaselineMatchesSearch(t *testing.T) {
	tops := reductionTopologies(t)
	for _, n := range []int{2, 3, 5} {
		tops = append(tops, reversedChain(t, n, false), reversedChain(t, n, true))
	}
	oneRun := 0
	for _, top := range tops {
		sc := top.Scenario.ForBaseline()
		bm, err := model.NewMachine(top, mustVariant(t, "upstream"), sc)
		if err != nil {
			t.Fatal(err)
		}
		actors := len(bm.Initial().Threads) > 1
		pairs, ok := oneRunPairs(bm)
		if ok == actors {
			t.Errorf("%s: one run taken %v, with actors %v", top.Name, ok, actors)
		}
		if !ok {
			continue
		}
		oneRun++
		if search := searchPairs(bm); !reflect.DeepEqual(pairs, search) {
			t.Errorf("%s: one run %v, search %v", top.Name, pairs, search)
		}
	}
	if oneRun < 10 {
		t.Fatalf("only %d topologies without actors", oneRun)
	}
}

// reversedChain is a chain of n devices listed children first: every pair
// is misordered.
func reversedChain(t testing.TB, n int, async bool) *model.Topology {
	t.Helper()
	top := &model.Topology{Name: fmt.Sprintf("reversed-%d", n), Scenario: model.DefaultScenario()}
	for i := 0; i < n; i++ {
		parent := model.DevID(i + 1)
		if i == n-1 {
			parent = model.NoDev
		}
		top.Devices = append(top.Devices, model.Device{Name: fmt.Sprintf("d%d", i), Parent: parent, Async: async, Present: true})
	}
	if err := top.Check(); err != nil {
		t.Fatal(err)
	}
	return top
}

// One random run on a misordered list allocates memory linear in the
// list's length: four times the devices, not sixteen times the memory (the
// upstream baseline that order violations need used to keep a state per
// step: 12 GB at 4096 devices).
func TestRandomRunMemoryIsLinear(t *testing.T) {
	alloc := func(n int) uint64 {
		m := machineOf(t, reversedChain(t, n, false), "v14")
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		res := Explore(m, Options{Engine: Random, Runs: 1, Seed: 1})
		runtime.ReadMemStats(&after)
		if res.Violation(Order) == nil {
			t.Fatalf("%d devices: no order violation", n)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := alloc(256), alloc(1024)
	if ratio := float64(large) / float64(small); ratio > 8 {
		t.Errorf("256 devices: %d bytes, 1024: %d bytes (%.1f times)", small, large, ratio)
	}
}
