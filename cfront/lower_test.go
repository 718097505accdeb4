package cfront

import (
	"os"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/cfront/baseline"
	"github.com/shutdowncheck/shutdowncheck/cfront/ir"
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

// kill_device() completes dev->p->complete from v17 on.
func TestKillDeviceCompletes(t *testing.T) {
	for name, want := range map[string]bool{"upstream": false, "v14": false, "v15": false, "v17": true} {
		if got := compileVersion(t, name).Reaches("kill_device", ir.PrimCompleteAll); got != want {
			t.Errorf("%s: kill_device completes: %v, want %v", name, got, want)
		}
	}
}
