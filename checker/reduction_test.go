package checker

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/examples"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// verdict is what a search concluded: each violated property with its
// message, and the misordered pairs.
type verdict struct {
	Violations map[Property]string
	Pairs      []OrderPair
}

func verdictOf(r *Result) verdict {
	v := verdict{Violations: map[Property]string{}, Pairs: r.OrderPairs}
	for _, x := range r.Violations {
		if x.Property != Linearizability { // checked on explored runs only: see README
			v.Violations[x.Property] = x.Message
		}
	}
	return v
}

// reductionTopologies is the fixed set the reductions are compared on:
// every built-in topology (its scenario included) plus small trees with
// links, misordered lists and every flag.
func reductionTopologies(t *testing.T) []*model.Topology {
	var tops []*model.Topology
	for _, name := range examples.All() {
		top, err := examples.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		tops = append(tops, top)
	}
	for _, src := range []string{
		`devices: [{name: a, async: true}, {name: b, parent: a, async: true, need_parent_lock: true}, {name: c, parent: a}, {name: s}]
links: [{supplier: s, consumer: b}]`,
		`devices: [{name: c, parent: p, async: true}, {name: s, async: true}, {name: p}]
links: [{supplier: s, consumer: c, sync_state_only: true}]`,
		`devices: [{name: x, async: true}, {name: y, async: true}, {name: z, parent: x, async: true}, {name: w, parent: y}]
scenario: {workers: 2, alloc_failures: 1}`,
	} {
		tops = append(tops, parse(t, src))
	}
	return tops
}

func parse(t *testing.T, src string) *model.Topology {
	t.Helper()
	return machine(t, src, "upstream").Top
}

// The partial-order reduction (sleep sets) changes no verdict: on every
// topology of the fixed set and every version, the properties violated,
// their messages and the misordered pairs are the same with and without it,
// and so is the number of states (sleep sets skip transitions, not states).
func TestSleepSetsKeepVerdicts(t *testing.T) {
	for _, top := range reductionTopologies(t) {
		for _, v := range model.Variants() {
			m := machineOf(t, top, v.Name)
			full := Explore(m, Options{NoReduction: true})
			reduced := Explore(m, Options{})
			if a, b := verdictOf(full), verdictOf(reduced); !reflect.DeepEqual(a, b) {
				t.Errorf("%s %s: without reduction %+v, with %+v", top.Name, v.Name, a, b)
			}
			if full.Stats.States != reduced.Stats.States || reduced.Stats.Transitions > full.Stats.Transitions {
				t.Errorf("%s %s: states %d/%d transitions %d/%d", top.Name, v.Name,
					full.Stats.States, reduced.Stats.States, full.Stats.Transitions, reduced.Stats.Transitions)
			}
		}
	}
}

// Dynamic partial-order reduction reaches the same verdicts as the full
// search on the fixed set, for every version. DPOR keeps no state cache:
// on the cookie versions under device_del() it explodes (90 million states
// on remove-registered-first under v8, where the cached search visits
// 87,000), so a machine whose full state space exceeds dporTestStates is
// left to TestAutoKeepsVerdicts, which runs both engines within budgets.
func TestDPORKeepsVerdicts(t *testing.T) {
	const dporTestStates = 50_000
	for _, top := range reductionTopologies(t) {
		for _, v := range model.Variants() {
			m := machineOf(t, top, v.Name)
			full := Explore(m, Options{NoReduction: true})
			if full.Stats.States > dporTestStates {
				t.Logf("%s %s: %d states, too many for a search without a state cache", top.Name, v.Name, full.Stats.States)
				continue
			}
			dpor := Explore(m, Options{Engine: DPOR})
			a, b := verdictOf(full), verdictOf(dpor)
			if !reflect.DeepEqual(keys(a.Violations), keys(b.Violations)) || !reflect.DeepEqual(pairSet(a.Pairs), pairSet(b.Pairs)) {
				t.Errorf("%s %s: full %v %v, dpor %v %v", top.Name, v.Name, keys(a.Violations), a.Pairs, keys(b.Violations), b.Pairs)
			}
			t.Logf("%-20s %-8s full %7d states %8d transitions, dpor %7d states %8d transitions", top.Name, v.Name,
				full.Stats.States, full.Stats.Transitions, dpor.Stats.States, dpor.Stats.Transitions)
		}
	}
}

func keys(m map[Property]string) []Property {
	var ks []Property
	for _, p := range AllProperties() {
		if _, ok := m[p]; ok {
			ks = append(ks, p)
		}
	}
	return ks
}

func pairSet(ps []OrderPair) map[OrderPair]bool {
	s := map[OrderPair]bool{}
	for _, p := range ps {
		s[p] = true
	}
	return s
}

// Hash compaction and bitstate find what the exact search finds on the
// fixed set (with a bit array far larger than these state spaces, the
// chance of a miss is negligible), report their coverage, and are not
// called exhaustive.
func TestMemoryModes(t *testing.T) {
	for _, top := range reductionTopologies(t)[:6] {
		m, err := model.NewMachine(top, mustVariant(t, "v14"), top.Scenario)
		if err != nil {
			t.Fatal(err)
		}
		exact := Explore(m, Options{})
		for _, mode := range []Memory{MemoryCompact, MemoryBitstate} {
			r := Explore(m, Options{Memory: mode, BitstateBits: 24})
			if !reflect.DeepEqual(keys(verdictOf(exact).Violations), keys(verdictOf(r).Violations)) {
				t.Errorf("%s %s: %v, exact %v", top.Name, mode, keys(verdictOf(r).Violations), keys(verdictOf(exact).Violations))
			}
			if r.Exhaustive || r.Coverage == nil || r.Coverage.Mode != mode || r.Coverage.Estimate < 0.999 {
				t.Errorf("%s %s: exhaustive %v coverage %+v", top.Name, mode, r.Exhaustive, r.Coverage)
			}
			if mode == MemoryCompact && r.Stats.States != exact.Stats.States {
				t.Errorf("%s: compact %d states, exact %d", top.Name, r.Stats.States, exact.Stats.States)
			}
		}
	}
	// A tiny bit array fills up: coverage drops and says so.
	m := machineOf(t, exampleTopology(t, "bench/server6"), "v14")
	r := Explore(m, Options{Memory: MemoryBitstate, BitstateBits: 12})
	if r.Coverage.Fill < 0.5 || r.Coverage.Estimate > 0.99 {
		t.Errorf("2^12 bits for server6: %+v", r.Coverage)
	}
}

func mustVariant(t *testing.T, name string) *model.Variant {
	v, err := model.LookupVariant(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The canonical form names devices by their devices_kset position: a
// topology's verdicts do not depend on its devices' names. Renamed (names
// reversed), every topology of the fixed set gets the same verdicts from
// every version, up to the names in the messages.
func TestNamesDoNotMatter(t *testing.T) {
	for _, top := range reductionTopologies(t) {
		renamed := *top
		renamed.Devices = append([]model.Device(nil), top.Devices...)
		rename := map[string]string{}
		for i := range renamed.Devices {
			n := len(renamed.Devices)
			rename[top.Devices[i].Name] = fmt.Sprintf("x%d", n-i)
			renamed.Devices[i].Name = rename[top.Devices[i].Name]
		}
		renamed.Scenario = renameScenario(top.Scenario, rename)
		if err := renamed.Check(); err != nil {
			t.Fatal(err)
		}
		for _, v := range model.Variants() {
			a := Explore(mustMachine(t, top, v), Options{})
			b := Explore(mustMachine(t, &renamed, v), Options{})
			if !reflect.DeepEqual(keys(verdictOf(a).Violations), keys(verdictOf(b).Violations)) ||
				!reflect.DeepEqual(a.OrderPairs, b.OrderPairs) || a.Stats.States != b.Stats.States {
				t.Errorf("%s %s: %v / renamed %v", top.Name, v.Name, keys(verdictOf(a).Violations), keys(verdictOf(b).Violations))
			}
		}
	}
}

// need_parent_lock on a device without a parent changes nothing: shutdown
// tests it only together with dev->parent. The enumeration never sets it on
// a root; here every root of the fixed set gets it (but one device_move()
// gives a parent), and every version gives the same verdicts.
func TestRootNeedParentLockDoesNotMatter(t *testing.T) {
	for _, top := range reductionTopologies(t) {
		flagged := *top
		flagged.Devices = append([]model.Device(nil), top.Devices...)
		changed := false
		for i := range flagged.Devices {
			if flagged.Devices[i].Parent == model.NoDev && !flagged.Devices[i].NeedParentLock && !moved(top, i) {
				flagged.Devices[i].NeedParentLock, changed = true, true
			}
		}
		if !changed {
			continue
		}
		if err := flagged.Check(); err != nil {
			t.Fatal(err)
		}
		for _, v := range model.Variants() {
			a := Explore(mustMachine(t, top, v), Options{})
			b := Explore(mustMachine(t, &flagged, v), Options{})
			if a, b := verdictOf(a), verdictOf(b); !reflect.DeepEqual(keys(a.Violations), keys(b.Violations)) || !reflect.DeepEqual(pairSet(a.Pairs), pairSet(b.Pairs)) {
				t.Errorf("%s %s: %v, with need_parent_lock on the roots %v", top.Name, v.Name, keys(a.Violations), keys(b.Violations))
			}
		}
	}
}

// moved reports whether a device_move() of top's scenario moves device i.
func moved(top *model.Topology, i int) bool {
	for _, mv := range top.Scenario.Move {
		if mv.Device == top.Devices[i].Name {
			return true
		}
	}
	return false
}

// renameScenario renames the devices every scenario field names.
func renameScenario(sc model.Scenario, rename map[string]string) model.Scenario {
	out := sc
	for _, f := range model.ScenarioFields {
		switch f.Kind {
		case model.DevicesField:
			*f.Devices(&out) = renameAll(*f.Devices(&sc), rename)
		case model.MovesField:
			var moves []model.Move
			for _, mv := range *f.Moves(&sc) {
				mv.Device, mv.Parent = rename[mv.Device], rename[mv.Parent]
				moves = append(moves, mv)
			}
			*f.Moves(&out) = moves
		}
	}
	return out
}

func renameAll(names []string, rename map[string]string) []string {
	var out []string
	for _, n := range names {
		out = append(out, rename[n])
	}
	return out
}

func mustMachine(t *testing.T, top *model.Topology, v *model.Variant) *model.Machine {
	m := machineOf(t, top, v.Name)
	return m
}
