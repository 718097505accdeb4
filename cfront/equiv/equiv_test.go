package equiv

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/cfront"
	"github.com/shutdowncheck/shutdowncheck/cfront/baseline"
	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/examples"
	"github.com/shutdowncheck/shutdowncheck/model"
)

var (
	compiled   = map[string]*model.Variant{}
	compiledMu sync.Mutex
)

// interpreted returns the version name compiled from the shipped emails
// (upstream: the baseline) as a model variant.
func interpreted(t testing.TB, name string) *model.Variant {
	t.Helper()
	compiledMu.Lock()
	defer compiledMu.Unlock()
	if v, ok := compiled[name]; ok {
		return v
	}
	var prog, err = cfront.Compile(baseline.CoreC, baseline.Files()[baseline.CoreC], cfront.Options{})
	if name != "upstream" {
		bv, ok := baseline.LookupVersion(name)
		if !ok {
			t.Fatalf("no shipped version %s", name)
		}
		prog, err = cfront.CompileVersion(bv)
	}
	if err != nil {
		t.Fatal(err)
	}
	v, err := model.NewProgramVariant(name+"(C)", prog)
	if err != nil {
		t.Fatal(err)
	}
	compiled[name] = v
	return v
}

// verdicts summarizes a search: each violated property with its
// counterexample's length.
func verdicts(res *checker.Result) map[checker.Property]int {
	out := map[checker.Property]int{}
	for _, v := range res.Violations {
		out[v.Property] = v.Step
	}
	return out
}

func describe(m map[checker.Property]int) string {
	var s []string
	for _, p := range checker.AllProperties() {
		if n, ok := m[p]; ok {
			s = append(s, fmt.Sprintf("%s:%d", p, n))
		}
	}
	return strings.Join(s, " ")
}

func TestBuiltin(t *testing.T) {
	for _, version := range []string{"upstream", "v8", "v9", "v11", "v12", "v14", "v15", "v17"} {
		hand, err := model.LookupVariant(version)
		if err != nil {
			t.Fatal(err)
		}
		c := interpreted(t, version)
		for _, name := range examples.All() {
			top, err := examples.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			mh, err := model.NewMachine(top, hand, top.Scenario)
			if err != nil {
				t.Fatal(err)
			}
			mc, err := model.NewMachine(top, c, top.Scenario)
			if err != nil {
				t.Fatal(err)
			}
			rh := checker.Explore(mh, checker.Options{})
			rc := checker.Explore(mc, checker.Options{})
			vh, vc := verdicts(rh), verdicts(rc)
			same := describe(vh) == describe(vc)
			t.Logf("%-8s %-32s hand %6d states %-60s C %6d states %s %v", version, name, rh.Stats.States, describe(vh), rc.Stats.States, describe(vc), same)
			if same {
				for i, v := range rh.Violations {
					w := rc.Violations[i]
					if v.Message != w.Message || strings.Join(v.Schedule, " ") != strings.Join(w.Schedule, " ") || strings.Join(v.Details, "|") != strings.Join(w.Details, "|") {
						t.Errorf("%s %s %s:\nhand %s\n  %s\n  %s\nC    %s\n  %s\n  %s", version, name, v.Property, v.Message, v.Details, v.Schedule, w.Message, w.Details, w.Schedule)
					}
				}
			}
		}
	}
}
