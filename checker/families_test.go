package checker

import (
	"fmt"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// The benchmark families of the proofs-at-scale figures, each under the
// default scenario (core.async_shutdown on, no actors) and in registration
// order (every parent before its children on devices_kset):
//
//   - chain N: N async devices, each the parent of the next;
//   - tree N: N async devices in a binary tree (device i's parent is (i-1)/2);
//   - fan-out K: a sync parent with K async children;
//   - NVMe K: an async root port, an async bridge under it and K async
//     drives under the bridge.
func familyTopology(tb testing.TB, family string, n int) *model.Topology {
	tb.Helper()
	top := &model.Topology{Name: fmt.Sprintf("%s-%d", family, n), Scenario: model.DefaultScenario()}
	add := func(name string, parent model.DevID, async bool) {
		top.Devices = append(top.Devices, model.Device{Name: name, Parent: parent, Async: async, Present: true})
	}
	switch family {
	case "chain":
		for i := 0; i < n; i++ {
			add(fmt.Sprintf("d%d", i), model.DevID(i-1), true)
		}
	case "tree":
		add("d0", model.NoDev, true)
		for i := 1; i < n; i++ {
			add(fmt.Sprintf("d%d", i), model.DevID((i-1)/2), true)
		}
	case "fanout":
		add("parent", model.NoDev, false)
		for i := 0; i < n; i++ {
			add(fmt.Sprintf("c%d", i), 0, true)
		}
	case "nvme":
		add("rootport", model.NoDev, true)
		add("bridge", 0, true)
		for i := 0; i < n; i++ {
			add(fmt.Sprintf("nvme%d", i), 1, true)
		}
	default:
		tb.Fatalf("unknown family %q", family)
	}
	if err := top.Check(); err != nil {
		tb.Fatal(err)
	}
	return top
}

// familySizes are the target sizes: each family's exhaustive DPOR proof
// of v14 should take under a second.
var familySizes = []struct {
	family string
	n      int
}{{"chain", 16}, {"tree", 15}, {"fanout", 32}, {"nvme", 12}}

// BenchmarkFamilies times an exhaustive DPOR proof of v14 on each family
// at its target size (ns/op is the time to the proof).
func BenchmarkFamilies(b *testing.B) {
	for _, fs := range familySizes {
		b.Run(fmt.Sprintf("%s%d", fs.family, fs.n), func(b *testing.B) {
			m := machineOf(b, familyTopology(b, fs.family, fs.n), "v14")
			var states int64
			for b.Loop() {
				res := Explore(m, Options{Engine: DPOR})
				if !res.Exhaustive {
					b.Fatalf("not exhaustive: %s", res.Stopped)
				}
				states += res.Stats.States
			}
			b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
			b.ReportMetric(float64(states)/float64(b.N), "states/op")
		})
	}
}
