package campaign

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
)

func mustVariant(t testing.TB, name string) *model.Variant {
	t.Helper()
	v, err := model.LookupVariant(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// summary is what a bounded proof concludes, per property: how many
// topologies violate it, and the smallest counterexample (its index, its
// schedule, its message).
func summary(res *VerifyResult) []string {
	var out []string
	for _, f := range res.Found {
		s := fmt.Sprintf("%s: %d topologies", f.Property, f.Topologies)
		if f.Violation != nil {
			s += fmt.Sprintf(", smallest #%d %v: %s", f.Index, f.Violation.Schedule, f.Violation.Message)
		}
		out = append(out, s)
	}
	return out
}

var smallSpace = VerifySpace{MaxDevices: 3, MaxLinks: 1, Scenario: model.DefaultScenario()}

// The proof's verdicts do not depend on how many checks run at once.
func TestVerifyDeterministic(t *testing.T) {
	v := mustVariant(t, "v14")
	one := Verify(smallSpace, v, VerifyOptions{Engine: checker.Auto, Workers: 1})
	three := Verify(smallSpace, v, VerifyOptions{Engine: checker.Auto, Workers: 3})
	if !one.Complete || !three.Complete || one.Checked != three.Checked {
		t.Fatalf("complete %v/%v, checked %d/%d", one.Complete, three.Complete, one.Checked, three.Checked)
	}
	if a, b := summary(one), summary(three); !reflect.DeepEqual(a, b) {
		t.Errorf("1 worker:\n%v\n3 workers:\n%v", a, b)
	}
}

// Verify's per-property counts equal those of a plain loop over the same
// topologies with the cached DFS (verify uses auto: DPOR first), and its
// smallest counterexample is one the loop finds too.
func TestVerifyMatchesPlainSearch(t *testing.T) {
	v := mustVariant(t, "v14")
	res := Verify(smallSpace, v, VerifyOptions{Engine: checker.Auto})
	want := map[checker.Property]int64{}
	smallestSteps := map[checker.Property]int{}
	smallSpace.Each(func(_ int64, top *model.Topology) bool {
		m, err := model.NewMachine(top, v, top.Scenario)
		if err != nil {
			t.Fatal(err)
		}
		r := checker.Explore(m, checker.Options{})
		for _, viol := range r.Violations {
			want[viol.Property]++
			if s, ok := smallestSteps[viol.Property]; !ok || viol.Step < s {
				smallestSteps[viol.Property] = viol.Step
			}
		}
		if viol := r.Violation(checker.Order); viol != nil && !viol.IsInherited() {
			want[checker.NewOrder]++
		}
		return true
	})
	for _, f := range res.Found {
		if f.Topologies != want[f.Property] {
			t.Errorf("%s: verify counts %d topologies, the plain loop %d", f.Property, f.Topologies, want[f.Property])
		}
	}
	// 4,318 topologies; v14's deadlocks, inherited misorders and early-pass
	// sleep-in-atomic show up, and nothing else (README, bounded proofs).
	if res.Checked != 4318 || want[checker.Deadlock] == 0 || want[checker.Order] == 0 || want[checker.NewOrder] != 0 || want[checker.SleepInAtomic] == 0 || want[checker.Refcount] != 0 {
		t.Errorf("checked %d, counts %v", res.Checked, want)
	}
}

// The shards of a proof cover every topology once: their counts add up to
// the whole proof's, and the smallest counterexample of the whole is the
// smallest of the shards'.
func TestVerifyShards(t *testing.T) {
	v := mustVariant(t, "v14")
	whole := Verify(smallSpace, v, VerifyOptions{Engine: checker.Auto})
	var checked int64
	counts := map[checker.Property]int64{}
	best := map[checker.Property]int64{}
	for i := range 3 {
		sp := smallSpace
		sp.Shard, sp.Shards = i, 3
		part := Verify(sp, v, VerifyOptions{Engine: checker.Auto})
		checked += part.Checked
		for _, f := range part.Found {
			counts[f.Property] += f.Topologies
			if f.Violation != nil {
				if w := whole.found(f.Property); w.Index == f.Index {
					best[f.Property] = f.Index
				}
			}
		}
	}
	if checked != whole.Checked {
		t.Errorf("shards checked %d topologies, the whole %d", checked, whole.Checked)
	}
	for _, f := range whole.Found {
		if counts[f.Property] != f.Topologies {
			t.Errorf("%s: shards count %d, the whole %d", f.Property, counts[f.Property], f.Topologies)
		}
		if f.Violation != nil && best[f.Property] != f.Index {
			t.Errorf("%s: the whole's smallest (#%d) is no shard's smallest", f.Property, f.Index)
		}
	}
}

func (res *VerifyResult) found(p checker.Property) *Found {
	for _, f := range res.Found {
		if f.Property == p {
			return f
		}
	}
	return nil
}
