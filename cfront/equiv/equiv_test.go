package equiv

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/cfront"
	"github.com/shutdowncheck/shutdowncheck/cfront/baseline"
	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/examples"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/properties"
	"pgregory.net/rapid"
)

// versions are the versions whose full code is in the shipped patch
// emails and which the model has by hand.
var versions = []string{"upstream", "v8", "v9", "v10", "v11", "v12", "v14", "v15", "v17"}

var (
	compiled   = map[string]*model.Variant{}
	compiledMu sync.Mutex
)

// interpreted returns version name compiled from its shipped emails
// (upstream: the baseline itself) as a model variant.
func interpreted(t testing.TB, name string) *model.Variant {
	t.Helper()
	compiledMu.Lock()
	defer compiledMu.Unlock()
	if v, ok := compiled[name]; ok {
		return v
	}
	prog, err := cfront.Compile(baseline.CoreC, baseline.Files()[baseline.CoreC], cfront.Options{})
	if name != "upstream" {
		bv, ok := baseline.LookupVersion(name)
		if !ok {
			t.Fatalf("no shipped version %s", name)
		}
		prog, err = cfront.CompileVersion(bv)
	}
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	v, err := model.NewProgramVariant(name+"-C", prog)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	compiled[name] = v
	return v
}

// pair returns the hand-written version and the interpreted one, or skips
// a version the model does not have by hand.
func pair(t testing.TB, name string) (hand, c *model.Variant) {
	t.Helper()
	hand, err := model.LookupVariant(name)
	if err != nil {
		t.Skipf("%s: no hand-written model to compare with (%v)", name, err)
	}
	return hand, interpreted(t, name)
}

// errTooBig is a random topology whose state space is over the limit.
var errTooBig = errors.New("too many states")

// compare checks top under both versions exhaustively (DFS) and reports
// every difference: the properties violated, and for each its smallest
// counterexample's length, message, details and schedule. Unless strict,
// two searches that found different counterexamples agree if each
// replays on the other version to the same violation at the same step:
// both are then counterexamples of both, and the difference is the
// search's (a DFS with a visited set finds a short counterexample, not
// always the shortest, and ties go by thread switches among those it
// finds; the two have different visited sets: the interpreter clears dead
// locals that hand-written frames keep). A search of more than limit
// states (0: no limit) stops and compare returns errTooBig.
func compare(top *model.Topology, sc model.Scenario, hand, c *model.Variant, limit int64, strict bool) (string, error) {
	var res [2]*checker.Result
	var machines [2]*model.Machine
	for i, v := range []*model.Variant{hand, c} {
		m, err := model.NewMachine(top, v, sc)
		if err != nil {
			return "", err
		}
		machines[i] = m
		ctx, cancel := context.WithCancel(context.Background())
		opt := checker.Options{Engine: checker.DFS, Context: ctx}
		if limit > 0 {
			opt.Progress = func(p checker.Progress) {
				if p.States > limit {
					cancel()
				}
			}
		}
		res[i] = checker.Explore(m, opt)
		cancel()
		switch {
		case !res[i].Exhaustive && limit > 0:
			return "", errTooBig
		case !res[i].Exhaustive:
			return "", fmt.Errorf("%s: not exhaustive: %s", v.Name, res[i].Stopped)
		}
	}
	summary := func(r *checker.Result, steps bool) string {
		var s []string
		for _, v := range r.Violations {
			if steps {
				s = append(s, fmt.Sprintf("%s:%d", v.Property, v.Step))
			} else {
				s = append(s, string(v.Property))
			}
		}
		return strings.Join(s, " ")
	}
	h, cc := summary(res[0], true), summary(res[1], true)
	var diffs []string
	if summary(res[0], false) != summary(res[1], false) {
		diffs = append(diffs, fmt.Sprintf("verdicts (property:steps): hand %q, C %q", h, cc))
	} else {
		for i, v := range res[0].Violations {
			w := res[1].Violations[i]
			same := v.Step == w.Step && v.Message == w.Message && strings.Join(v.Details, "\n") == strings.Join(w.Details, "\n") &&
				strings.Join(v.Schedule, " ") == strings.Join(w.Schedule, " ")
			switch {
			case !same && !strict:
				// Each counterexample must be one of the other version too.
				for j, x := range []*checker.Violation{v, w} {
					other := machines[1-j]
					run := checker.Replay(other, x.Schedule, checker.Properties{x.Property: true}, 0)
					got := run.Violation(x.Property)
					if run.Err != nil || got == nil || got.Step != x.Step || got.Message != x.Message {
						diffs = append(diffs, fmt.Sprintf("%s: the %d-step counterexample of %s does not replay on %s: %v %+v",
							x.Property, x.Step, machines[j].Variant.Name, other.Variant.Name, run.Err, got))
					}
				}
			case !same:
				diffs = append(diffs, fmt.Sprintf("%s: hand %q %q %v, C %q %q %v", v.Property, v.Message, v.Details, v.Schedule,
					w.Message, w.Details, w.Schedule))
			}
		}
	}
	info := fmt.Sprintf("hand %d states, C %d states: %s", res[0].Stats.States, res[1].Stats.States, h)
	if len(diffs) > 0 {
		return info, fmt.Errorf("%s", strings.Join(diffs, "\n"))
	}
	return info, nil
}

// Every version whose whole code the shipped emails carry, compiled from
// them and interpreted, violates the same properties as its hand-written
// model on every built-in topology and scenario, with the same smallest
// counterexample: same length, message and schedule. (The state counts
// differ: the interpreter clears dead locals, which some hand-written
// frames keep, so the C can have fewer distinct states.)
func TestBuiltinTopologies(t *testing.T) {
	for _, version := range versions {
		t.Run(version, func(t *testing.T) {
			hand, c := pair(t, version)
			for _, name := range examples.All() {
				top, err := examples.Load(name)
				if err != nil {
					t.Fatal(err)
				}
				info, err := compare(top, top.Scenario, hand, c, 0, true)
				if err != nil {
					t.Errorf("%s on %s (%s):\n%v", version, name, info, err)
					continue
				}
				t.Logf("%-32s %s", name, info)
			}
		})
	}
}

// v14 and v17, compiled and interpreted, agree with their models on
// random topologies of up to 3 devices and 2 links (misordered lists) and
// scenarios (device_del(), device_add(), a parameter writer, allocation
// failures, a bounded async_wq): the same violated properties, each
// counterexample found for one a counterexample of the other (compare).
// More: -rapid.checks N.
func TestRandomTopologies(t *testing.T) {
	for _, version := range []string{"v14", "v17"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			hand, c := pair(t, version)
			rapid.Check(t, func(rt *rapid.T) {
				top := properties.TopologyGen(3, 2, properties.Misordered).Draw(rt, "topology")
				sc := properties.ScenarioGen(top, properties.ScenarioOptions{Actors: true}).Draw(rt, "scenario")
				top.Scenario = sc
				if err := top.Check(); err != nil {
					rt.Fatalf("generated scenario: %v", err)
				}
				_, err := compare(top, sc, hand, c, randomLimit, false)
				switch {
				case errors.Is(err, errTooBig):
					rt.Skip("more than", randomLimit, "states")
				case err != nil:
					rt.Fatalf("%s on %v %+v:\n%v", version, top, sc, err)
				}
			})
		})
	}
}

// randomLimit bounds the state spaces of random topologies: a bigger one
// is skipped (memory).
const randomLimit = 500000

var all = flag.Bool("equiv.all", false, "TestRandomAllVersions: every version, with device_move() and failing device_add()s too (long)")

// With -equiv.all: every version with a hand-written model agrees with
// its C on random topologies of up to 4 devices and scenarios that also
// move a device (device_move() with any dpm_order) and fail a hot-added
// device's device_add().
func TestRandomAllVersions(t *testing.T) {
	if !*all {
		t.Skip("long: run with -equiv.all")
	}
	for _, version := range versions {
		t.Run(version, func(t *testing.T) {
			hand, c := pair(t, version)
			rapid.Check(t, func(rt *rapid.T) {
				top := properties.TopologyGen(4, 2, properties.Misordered).Draw(rt, "topology")
				sc := properties.ScenarioGen(top, properties.ScenarioOptions{Actors: true}).Draw(rt, "scenario")
				if rapid.Bool().Draw(rt, "move") {
					n := len(top.Devices)
					d := top.Devices[rapid.IntRange(0, n-1).Draw(rt, "moved")].Name
					parent := ""
					if p := rapid.IntRange(-1, n-1).Draw(rt, "new_parent"); p >= 0 {
						parent = top.Devices[p].Name
					}
					sc.Move = []model.Move{{Device: d, Parent: parent, Order: rapid.SampledFrom(model.DPMOrders).Draw(rt, "order")}}
				}
				if len(sc.HotAdd) > 0 && rapid.Bool().Draw(rt, "add_fail") {
					sc.AddFail = sc.HotAdd[len(sc.HotAdd)-1:]
				}
				top.Scenario = sc
				if err := top.Check(); err != nil {
					rt.Skip("not a valid scenario:", err)
				}
				_, err := compare(top, sc, hand, c, randomLimit, false)
				switch {
				case errors.Is(err, errTooBig):
					rt.Skip("more than", randomLimit, "states")
				case err != nil:
					rt.Fatalf("%s on %v %+v:\n%v", version, top, sc, err)
				}
			})
		})
	}
}
