package campaign

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/enumerate"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// verdictSet is a topology's verdicts: bit Rank() of every violated
// property, checker.NewOrder included.
type verdictSet uint32

func (v verdictSet) String() string {
	var names []string
	for _, p := range Rows(checker.AllProperties()) {
		if v&(1<<p.Rank()) != 0 {
			names = append(names, string(p))
		}
	}
	return "{" + strings.Join(names, ", ") + "}"
}

// verdictOf explores top exhaustively and returns its verdicts.
func verdictOf(ws *checker.Workspace, top *model.Topology, v *model.Variant) verdictSet {
	m, err := model.NewMachine(top, v, top.Scenario)
	if err != nil {
		panic(err)
	}
	r := checker.Explore(m, checker.Options{Engine: checker.Auto, Workspace: ws})
	if !r.Exhaustive {
		panic("not exhaustive: " + top.Name)
	}
	var set verdictSet
	for _, viol := range r.Violations {
		set |= 1 << viol.Property.Rank()
	}
	if viol := r.Violation(checker.Order); viol != nil && !viol.IsInherited() {
		set |= 1 << checker.NewOrder.Rank()
	}
	return set
}

// verdicts explores every topology of sp (in parallel) and returns each
// one's verdicts by name.
func verdicts(sp enumerate.Space, v *model.Variant) map[string]verdictSet {
	out := map[string]verdictSet{}
	var mu sync.Mutex
	items := func(yield func(string, *model.Topology) bool) {
		sp.Each(func(t *model.Topology) bool { return yield(t.Name, t) })
	}
	parallel(context.Background(), 0, items, func(ws *checker.Workspace, name string, top *model.Topology) {
		set := verdictOf(ws, top, v)
		mu.Lock()
		out[name] = set
		mu.Unlock()
	})
	return out
}

// scenarios are the scenario flags verify takes, each alone.
func scenarios() map[string]model.Scenario {
	def := model.DefaultScenario()
	off, workers1, workers2, alloc, toggle, toggleOff := def, def, def, def, def, def
	off.AsyncShutdown = false
	workers1.Workers = 1
	workers2.Workers = 2
	alloc.AllocFailures = 1
	toggle.ParamToggle = true
	toggleOff.AsyncShutdown, toggleOff.ParamToggle = false, true
	return map[string]model.Scenario{"default": def, "async-off": off, "workers-1": workers1, "workers-2": workers2,
		"alloc-1": alloc, "param-toggle": toggle, "param-toggle-from-off": toggleOff}
}

// envInt reads a test size from the environment.
func envInt(t *testing.T, name string, def int) int {
	if s := os.Getenv(name); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return n
	}
	return def
}

// Every rule RulesFor allows keeps every topology's verdicts: each
// topology of the space has its representative's, for every version and
// every scenario flag verify takes. Each rule is also checked alone, so that
// a failure names the rule. SHUTDOWNCHECK_CLASSES_DEVICES and
// SHUTDOWNCHECK_CLASSES_LINKS widen the space (the check: 4 devices
// with one link, 3 with two).
func TestClassesKeepVerdicts(t *testing.T) {
	maxDevices := envInt(t, "SHUTDOWNCHECK_CLASSES_DEVICES", 3)
	maxLinks := envInt(t, "SHUTDOWNCHECK_CLASSES_LINKS", 1)
	only := os.Getenv("SHUTDOWNCHECK_CLASSES_VARIANT")
	onlyScenario := os.Getenv("SHUTDOWNCHECK_CLASSES_SCENARIO")
	for _, v := range model.Variants() {
		if only != "" && v.Name != only {
			continue
		}
		for scName, sc := range scenarios() {
			if onlyScenario != "" && scName != onlyScenario {
				continue
			}
			t.Run(v.Name+"/"+scName, func(t *testing.T) {
				allowed := enumerate.RulesFor(v.Name, sc)
				for n := 1; n <= maxDevices; n++ {
					sp := enumerate.Space{Devices: n, MaxLinks: maxLinks, Scenario: sc}
					got := verdicts(sp, v)
					for _, rules := range ruleSets(allowed) {
						c := enumerate.Classes{Space: sp, Rules: rules, Variant: v.Name}
						bad := 0
						sp.Each(func(top *model.Topology) bool {
							rep, err := c.Canonical(top)
							if err != nil {
								t.Fatal(err)
							}
							if got[top.Name] != got[rep.Name] {
								if bad++; bad <= 3 {
									t.Errorf("rules %s, %d devices: %s has %v, its representative %s %v", rules, n, top.Name, got[top.Name], rep.Name, got[rep.Name])
								}
							}
							return true
						})
						if bad > 3 {
							t.Errorf("rules %s, %d devices: %d topologies in all", rules, n, bad)
						}
					}
				}
			})
		}
	}
}

// ruleSets is each allowed rule alone, then all of them.
func ruleSets(allowed enumerate.Rules) []enumerate.Rules {
	var out []enumerate.Rules
	for _, r := range []enumerate.Rule{enumerate.IgnoreNeedParentLock, enumerate.DropSyncStateOnly, enumerate.DropParentLinks, enumerate.SwapUnrelated} {
		if allowed.Has(r) {
			out = append(out, enumerate.Rules(r))
		}
	}
	if len(out) > 1 {
		out = append(out, allowed)
	}
	return out
}

var _ = fmt.Sprint
