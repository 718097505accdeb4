package checker

import (
	"reflect"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/examples"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

// verdict is what a search concluded: each violated property with its
// message, and the misordered pairs.
type verdict struct {
	Violations map[string]string
	Pairs      []OrderPair
}

func verdictOf(r *Result) verdict {
	v := verdict{Violations: map[string]string{}, Pairs: r.OrderPairs}
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
			m, err := model.NewMachine(top, v, top.Scenario)
			if err != nil {
				t.Fatal(err)
			}
			full := Explore(m, scheduler.NewDFS(), Options{NoReduction: true})
			reduced := Explore(m, scheduler.NewDFS(), Options{})
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
// search on the fixed set, for every version.
func TestDPORKeepsVerdicts(t *testing.T) {
	for _, top := range reductionTopologies(t) {
		for _, v := range model.Variants() {
			m, err := model.NewMachine(top, v, top.Scenario)
			if err != nil {
				t.Fatal(err)
			}
			full := Explore(m, scheduler.NewDFS(), Options{NoReduction: true})
			dpor := Explore(m, scheduler.NewDPOR(), Options{})
			a, b := verdictOf(full), verdictOf(dpor)
			if !reflect.DeepEqual(keys(a.Violations), keys(b.Violations)) || !reflect.DeepEqual(pairSet(a.Pairs), pairSet(b.Pairs)) {
				t.Errorf("%s %s: full %v %v, dpor %v %v", top.Name, v.Name, keys(a.Violations), a.Pairs, keys(b.Violations), b.Pairs)
			}
			t.Logf("%-20s %-8s full %7d states %8d transitions, dpor %7d states %8d transitions", top.Name, v.Name,
				full.Stats.States, full.Stats.Transitions, dpor.Stats.States, dpor.Stats.Transitions)
		}
	}
}

func keys(m map[string]string) []string {
	var ks []string
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
