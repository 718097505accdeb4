package baseline

import (
	"os"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/cfront/patch"
)

// go test ./cfront/baseline -run Report -v with CFRONT_REPORT=1 prints every
// hunk not applied exactly where its header says (for cfront/README.md).
func TestReport(t *testing.T) {
	if os.Getenv("CFRONT_REPORT") == "" {
		t.Skip("set CFRONT_REPORT=1")
	}
	for _, v := range Versions {
		_, res, err := Build(v)
		for _, r := range res {
			if r.Outcome != patch.Applied || r.Fuzz > 0 {
				t.Logf("%s | %s", v.Name, r)
			}
		}
		if err != nil {
			t.Logf("%s | FAILS: %v", v.Name, err)
		}
	}
}
