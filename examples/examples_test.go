package examples

import "testing"

func TestExamplesLoad(t *testing.T) {
	names := Names()
	if len(names) < 3 {
		t.Fatalf("examples: %v", names)
	}
	for _, n := range names {
		if top, err := Load(n); err != nil || top.Name != n {
			t.Errorf("%s: %v (name %q)", n, err, top.Name)
		}
	}
	if _, err := Load("nope"); err == nil {
		t.Error("an unknown example loaded")
	}
}
