package checker

import (
	"slices"
	"sort"
	"testing"
)

// The engine table names every engine once; the command line's help and
// errors come from it.
func TestEngineTable(t *testing.T) {
	for _, c := range []struct {
		name       string
		exhaustive bool
		want       Engine
		ok         bool
	}{
		{"dfs", false, DFS, true}, {"dpor", true, DPOR, true}, {"auto", true, Auto, true},
		{"random", false, Random, true}, {"pct", false, PCT, true},
		{"random", true, 0, false}, {"scheduled", false, 0, false}, {"bfs", false, 0, false},
	} {
		e, err := ParseEngine(c.name, c.exhaustive)
		if (err == nil) != c.ok || c.ok && (e != c.want || e.String() != c.name) {
			t.Errorf("ParseEngine(%q, %v) = %v, %v", c.name, c.exhaustive, e, err)
		}
	}
	if got, want := EngineUsage(false), "dfs (exhaustive, state caching, sleep sets), dpor (exhaustive, dynamic partial-order reduction), auto (dpor or dfs, whichever finishes first), random or pct"; got != want {
		t.Errorf("usage %q", got)
	}
	for e := range engines {
		if engine := Engine(e); engine.Exhaustive() != (engine <= Auto) {
			t.Errorf("%s: exhaustive %v", engine, engine.Exhaustive())
		}
	}
}

// The property list gives the report order, and NewOrder ranks right
// after order.
func TestPropertyRanks(t *testing.T) {
	all := AllProperties()
	rows := append(slices.Clone(all), NewOrder, "speed")
	sort.Slice(rows, func(i, j int) bool { return rows[i].Rank() < rows[j].Rank() })
	want := append(append([]Property{Order, NewOrder}, all[1:]...), "speed")
	if !slices.Equal(rows, want) {
		t.Errorf("ranked %v", rows)
	}
	set, err := ParseProperties([]string{"linearizability", "order"})
	if err != nil || !slices.Equal(set.List(), []Property{Order, Linearizability}) {
		t.Errorf("%v %v", set.List(), err)
	}
	for _, bad := range []string{"ordre", "order deadlock", string(NewOrder)} {
		if _, err := ParseProperty(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// One ordering of counterexamples: devices, then a new misorder before an
// inherited one, then steps, switches and index.
func TestSizeOrder(t *testing.T) {
	sizes := []Size{
		{Devices: 2, Inherited: true, Steps: 1},
		{Devices: 3},
		{Devices: 2, Steps: 9},
		{Devices: 2, Steps: 9, Switches: 1},
		{Devices: 2, Steps: 9, Switches: 1, Index: 4},
		{Devices: 2, Steps: 8, Switches: 5, Index: 7},
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i].Less(sizes[j]) })
	want := []Size{
		{Devices: 2, Steps: 8, Switches: 5, Index: 7},
		{Devices: 2, Steps: 9},
		{Devices: 2, Steps: 9, Switches: 1},
		{Devices: 2, Steps: 9, Switches: 1, Index: 4},
		{Devices: 2, Inherited: true, Steps: 1},
		{Devices: 3},
	}
	if !slices.Equal(sizes, want) {
		t.Errorf("ordered %v", sizes)
	}
	if (Size{}).Less(Size{}) {
		t.Error("a size less than itself")
	}
}
