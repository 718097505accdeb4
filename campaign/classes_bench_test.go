package campaign

import (
	"testing"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// BenchmarkVerify4 compares a bounded proof over every topology of 1-4
// devices with at most one link under v14 (the default scenario) with the
// same proof over classes, on one goroutine. Both report topologies/s (of
// the full space) and, over classes, the checks made (representatives
// and the members explored for the smallest counterexamples).
func BenchmarkVerify4(b *testing.B) {
	v := mustVariant(b, "v14")
	for _, classes := range []bool{false, true} {
		name := "full"
		if classes {
			name = "classes"
		}
		b.Run(name, func(b *testing.B) {
			if !classes && testing.Short() {
				b.Skip("the full space takes minutes on one core: run without -short")
			}
			space := VerifySpace{MaxDevices: 4, MaxLinks: 1, Scenario: model.DefaultScenario(), Classes: classes}
			var topologies, checks int64
			for b.Loop() {
				res := Verify(space, v, VerifyOptions{Engine: checker.Auto, Workers: 1})
				if !res.Complete {
					b.Fatal("incomplete: " + res.Stopped)
				}
				topologies += res.Checked
				checks += res.Checked
				if classes {
					checks += res.Classes + res.Expanded - res.Checked
				}
			}
			b.ReportMetric(float64(topologies)/b.Elapsed().Seconds(), "topologies/s")
			b.ReportMetric(float64(checks)/float64(b.N), "checks/op")
		})
	}
}
