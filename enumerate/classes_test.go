package enumerate

import (
	"fmt"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// classSpaces are the spaces and rule sets the structural tests cover: each
// rule alone and all of them, for a version that ignores sync_state_only
// links (v14) and one that does not (v8).
func classSpaces(t *testing.T, maxDevices, maxLinks int) []Classes {
	var out []Classes
	for n := 1; n <= maxDevices; n++ {
		for links := 0; links <= maxLinks; links++ {
			sp := Space{Devices: n, MaxLinks: links, Scenario: model.DefaultScenario()}
			for _, variant := range []string{"v14", "v8"} {
				for _, rules := range []Rules{0, Rules(IgnoreNeedParentLock), Rules(DropSyncStateOnly), Rules(DropParentLinks), Rules(SwapUnrelated), AllRules} {
					out = append(out, Classes{Space: sp, Rules: rules, Variant: variant})
				}
			}
		}
	}
	return out
}

func (c Classes) String() string {
	return fmt.Sprintf("%d devices, %d links, %s, rules %s", c.Devices, c.MaxLinks, c.Variant, c.Rules)
}

// The classes partition the space: every topology's canonical form is a
// representative Each gives, as many topologies map to it as its class
// size says, Members lists exactly them, and the representative is the
// first of its class in enumeration order.
func TestClassesPartition(t *testing.T) {
	for _, c := range classSpaces(t, 4, 1) {
		if c.Devices == 4 && c.Rules != AllRules && c.Rules != Rules(SwapUnrelated) {
			continue // the slow part; the others are covered at 3
		}
		checkPartition(t, c)
	}
	for _, c := range classSpaces(t, 3, 2) {
		if c.MaxLinks == 2 {
			checkPartition(t, c)
		}
	}
}

func checkPartition(t *testing.T, c Classes) {
	t.Helper()
	sizes := map[string]int64{}
	var order []string
	c.Each(func(rep *model.Topology, size int64) bool {
		if _, dup := sizes[rep.Name]; dup {
			t.Fatalf("%v: %s given twice", c, rep.Name)
		}
		sizes[rep.Name] = size
		order = append(order, rep.Name)
		return true
	})
	index := map[string]int64{}
	byName := map[string]*model.Topology{}
	mapped := map[string]int64{}
	var i int64
	c.Space.Each(func(top *model.Topology) bool {
		index[top.Name] = i
		byName[top.Name] = top
		i++
		rep, err := c.Canonical(top)
		if err != nil {
			t.Fatalf("%v: %s: %v", c, top.Name, err)
		}
		if _, ok := sizes[rep.Name]; !ok {
			t.Fatalf("%v: %s maps to %s, which Each does not give", c, top.Name, rep.Name)
		}
		mapped[rep.Name]++
		return true
	})
	var total int64
	for _, name := range order {
		total += sizes[name]
		if mapped[name] != sizes[name] {
			t.Errorf("%v: class of %s: size %d, %d topologies map to it", c, name, sizes[name], mapped[name])
		}
	}
	if total != i {
		t.Errorf("%v: classes hold %d topologies, the space %d", c, total, i)
	}
	if c.Devices == 4 && c.MaxLinks == 1 && c.Rules == AllRules && c.Variant == "v14" {
		t.Logf("%v: %d classes for %d topologies (%.1fx)", c, len(order), total, float64(total)/float64(len(order)))
	}
	// Members, on a sample of classes (every one at 3 devices).
	for k, name := range order {
		if c.Devices == 4 && k%7 != 0 {
			continue
		}
		rep := byName[name]
		var n int64
		first := int64(-1)
		seen := map[string]bool{}
		c.Members(rep, func(m *model.Topology) bool {
			if seen[m.Name] {
				t.Fatalf("%v: member %s of %s given twice", c, m.Name, name)
			}
			seen[m.Name] = true
			n++
			idx, ok := index[m.Name]
			if !ok {
				t.Fatalf("%v: member %s of %s is not in the space", c, m.Name, name)
			}
			if back, _ := c.Canonical(m); back.Name != name {
				t.Fatalf("%v: member %s of %s maps to %s", c, m.Name, name, back.Name)
			}
			if first < 0 || idx < first {
				first = idx
			}
			return true
		})
		if n != sizes[name] {
			t.Errorf("%v: %s has %d members, size %d", c, name, n, sizes[name])
		}
		if c.Rules == Rules(SwapUnrelated) && first != index[name] {
			t.Errorf("%v: %s is not the first of its class (#%d, first #%d)", c, name, index[name], first)
		}
	}
}

// Index gives every topology its place in Space.Each's order, and Total
// the space's size.
func TestIndexer(t *testing.T) {
	for _, sp := range []Space{{Devices: 1, MaxLinks: 1}, {Devices: 3, MaxLinks: 1}, {Devices: 3, MaxLinks: 2}, {Devices: 4, MaxLinks: 1}, {Devices: 4, MaxLinks: 0}} {
		sp.Scenario = model.DefaultScenario()
		ix := NewIndexer(sp)
		var i int64
		sp.Each(func(top *model.Topology) bool {
			got, err := ix.Index(top)
			if err != nil || got != i {
				t.Fatalf("%d devices, %d links: %s is #%d, Index says %d (%v)", sp.Devices, sp.MaxLinks, top.Name, i, got, err)
			}
			i++
			return true
		})
		if ix.Total() != i {
			t.Errorf("%d devices, %d links: Total %d, Each %d", sp.Devices, sp.MaxLinks, ix.Total(), i)
		}
	}
}

// Devices that do not depend on each other are not always independent:
// in `1 3a - - 2>0` the main loop deadlocks at d3 (the grandparent of d0)
// before it reaches d2 (the supplier of d0); in `1 2a - - 3>0` it shuts
// the supplier down first, before its consumer (an order violation). The
// two must not be one class (see SwapUnrelated); `- 1 -` and `- - 1`
// (an isolated device passed either side of a parent that waits for no
// async child) must.
func TestSwapNeedsIndependence(t *testing.T) {
	for _, c := range []struct {
		devices int
		a, b    string
		same    bool
	}{{4, "1 3a - - 2>0", "1 2a - - 3>0", false}, {3, "1 - -", "- 2 -", true}} {
		sp := Space{Devices: c.devices, MaxLinks: 1, Scenario: model.DefaultScenario()}
		cl := NewClasses(sp, "v14")
		var ra, rb string
		sp.Each(func(top *model.Topology) bool {
			if top.Name == c.a || top.Name == c.b {
				rep, err := cl.Canonical(top)
				if err != nil {
					t.Fatal(err)
				}
				if top.Name == c.a {
					ra = rep.Name
				} else {
					rb = rep.Name
				}
			}
			return true
		})
		if ra == "" || rb == "" || (ra == rb) != c.same {
			t.Errorf("%s -> %q, %s -> %q: same class %v, want %v", c.a, ra, c.b, rb, ra == rb, c.same)
		}
	}
}
