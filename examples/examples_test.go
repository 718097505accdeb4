package examples

import "testing"

func TestExamplesLoad(t *testing.T) {
	if len(Names()) < 3 || len(Scenarios()) < 6 {
		t.Fatalf("examples: %v %v", Names(), Scenarios())
	}
	for _, n := range All() {
		top, err := Load(n)
		if err != nil || "scenarios/"+top.Name != n && top.Name != n {
			t.Errorf("%s: %v (name %q)", n, err, top.Name)
		}
	}
	if _, err := Load("nope"); err == nil {
		t.Error("an unknown example loaded")
	}
}
