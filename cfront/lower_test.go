package cfront

import (
	"os"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/cfront/baseline"
)

func TestLowerVersions(t *testing.T) {
	for _, v := range baseline.Versions {
		if _, _, err := baseline.Build(v); err != nil {
			continue
		}
		prog, err := CompileVersion(v)
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		if os.Getenv("CFRONT_LISTING") == v.Name {
			t.Log(prog.Listing())
		}
	}
}
