package campaign

import (
	"testing"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// BenchmarkVerify measures a bounded proof: every topology of 1-3 devices
// with at most one link, under v14, on one goroutine (so that the figure
// does not depend on the machine's cores). It reports topologies/s.
func BenchmarkVerify(b *testing.B) {
	v, err := model.LookupVariant("v14")
	if err != nil {
		b.Fatal(err)
	}
	space := VerifySpace{MaxDevices: 3, MaxLinks: 1, Scenario: model.DefaultScenario()}
	var checked int64
	for b.Loop() {
		res := Verify(space, v, VerifyOptions{Engine: checker.Auto, Workers: 1})
		if !res.Complete {
			b.Fatal("incomplete")
		}
		checked += res.Checked
	}
	b.ReportMetric(float64(checked)/b.Elapsed().Seconds(), "topologies/s")
}
