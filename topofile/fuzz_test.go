package topofile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds the topology reader arbitrary bytes: it must never
// panic; it either refuses the input with a *Error naming the file, or
// returns a topology that writes and reads back the same. Seeds: every
// built-in topology and the corpus in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("../examples/*.yaml")
	more, _ := filepath.Glob("../examples/scenarios/*.yaml")
	for _, p := range append(paths, more...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		top, err := Parse("fuzz.yaml", data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File != "fuzz.yaml" || e.Line < 0 {
				t.Fatalf("bad error %T %v", err, err)
			}
			return
		}
		out, err := Marshal(top, top.Scenario)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse("again.yaml", out)
		if err != nil {
			t.Fatalf("written topology does not read back: %v\n%s", err, out)
		}
		if again.String() != top.String() {
			t.Fatalf("round trip changed %v into %v", top, again)
		}
	})
}
