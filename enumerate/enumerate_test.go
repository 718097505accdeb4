package enumerate

import (
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// Counts derived by hand. One device: no parent, async or not: 2.
// Two devices: 3 forests (both roots, d0 under d1, d1 under d0) x 4 async
// combinations x need_parent_lock on the child (1 + 2 + 2) = 20. With at
// most one link, each of the 4 candidate links (2 directions x
// sync_state_only or not) is allowed between two roots (5 choices with "no
// link"), and between parent and child all but the non-sync_state_only link
// from child to parent, which closes a cycle (4 choices): 4 x (5 + 2x4 +
// 2x4) = 84.
func TestCounts(t *testing.T) {
	for _, c := range []struct {
		devices, links int
		want           int64
	}{{1, 0, 2}, {1, 1, 2}, {2, 0, 20}, {2, 1, 84}, {3, 0, 392}} {
		sp := Space{Devices: c.devices, MaxLinks: c.links, Scenario: model.DefaultScenario()}
		if got := sp.Count(); got != c.want {
			t.Errorf("%d devices, %d links: %d topologies, want %d", c.devices, c.links, got, c.want)
		}
	}
}

// Every topology is valid, named canonically and generated once; roots
// never carry need_parent_lock.
func TestCanonical(t *testing.T) {
	seen := map[string]bool{}
	Space{Devices: 3, MaxLinks: 1, Scenario: model.DefaultScenario()}.Each(func(top *model.Topology) bool {
		if seen[top.Name] {
			t.Fatalf("%s generated twice", top.Name)
		}
		seen[top.Name] = true
		if err := top.Check(); err != nil {
			t.Fatalf("%s: %v", top.Name, err)
		}
		for _, d := range top.Devices {
			if d.Parent == model.NoDev && d.NeedParentLock {
				t.Fatalf("%s: a root with need_parent_lock", top.Name)
			}
		}
		return true
	})
	if len(seen) != 4232 {
		t.Errorf("%d topologies", len(seen))
	}
}

func TestEachStops(t *testing.T) {
	n := 0
	done := Space{Devices: 3, Scenario: model.DefaultScenario()}.Each(func(*model.Topology) bool { n++; return n < 10 })
	if done || n != 10 {
		t.Errorf("Each went on after false: done=%v n=%d", done, n)
	}
}
