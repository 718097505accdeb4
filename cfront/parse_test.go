package cfront

import (
	"testing"

	"github.com/shutdowncheck/shutdowncheck/cfront/baseline"
)

func TestParseVersions(t *testing.T) {
	for _, v := range baseline.Versions {
		files, _, err := baseline.Build(v)
		if err != nil {
			continue
		}
		_, kept, err := parse(baseline.CoreC, files[baseline.CoreC], []string{"device_shutdown", "kill_device"})
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		t.Logf("%s: %v", v.Name, kept)
	}
}
