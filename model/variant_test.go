package model

import (
	"strconv"
	"strings"
	"testing"
)

// The series' versions are registered once each, in order, and a version
// that runs another's algorithm (SameAs) names one that runs its own and
// shares its code: the same device_shutdown() and kill_device().
func TestVariantsRegistered(t *testing.T) {
	vs := Variants()
	seen := map[string]bool{}
	for i, v := range vs {
		if seen[v.Name] {
			t.Errorf("%s registered twice", v.Name)
		}
		seen[v.Name] = true
		if i > 0 && vs[i-1].Number >= v.Number {
			t.Errorf("%s (%d) after %s (%d)", v.Name, v.Number, vs[i-1].Name, vs[i-1].Number)
		}
		if v.Number > 0 && v.Name != "v"+strconv.Itoa(v.Number) {
			t.Errorf("%s has number %d", v.Name, v.Number)
		}
		if v.Summary == "" || v.Main == 0 {
			t.Errorf("%s: summary %q, main %d", v.Name, v.Summary, v.Main)
		}
		if v.SameAs == "" {
			continue
		}
		w, err := LookupVariant(v.SameAs)
		switch {
		case err != nil:
			t.Errorf("%s: %v", v.Name, err)
		case w.SameAs != "":
			t.Errorf("%s runs %s's algorithm, which runs %s's", v.Name, w.Name, w.SameAs)
		case w.Main != v.Main || w.killDevice() != v.killDevice():
			t.Errorf("%s says it runs %s's algorithm but has its own code", v.Name, w.Name)
		}
	}
	for _, name := range []string{"upstream", "v8", "v9", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18"} {
		if !seen[name] {
			t.Errorf("%s is not registered", name)
		}
	}
	for _, name := range []string{"v13", "v15", "v16"} {
		if v, _ := LookupVariant(name); v.SameAs != "v14" {
			t.Errorf("%s: SameAs %q, want v14", name, v.SameAs)
		}
	}
	if v, _ := LookupVariant("v13"); !strings.Contains(v.Summary, "not public") {
		t.Errorf("v13's summary does not say its patches are derived: %q", v.Summary)
	}
}
