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

// BenchmarkChecks6 measures the checks of a bounded proof at 6 devices (at
// most one link, v14, default scenario): the representatives of one slice
// of the classes (shard 4 of 2000: 3,439 classes), checked one after the
// other on one goroutine with one workspace, as a worker of verify does.
// The classes are enumerated before the timer starts (the walk over all
// 6,877,252 of them takes about 20 s: skipped with -short). It reports
// states/s, the figure that decides how long the 6-device proof takes.
func BenchmarkChecks6(b *testing.B) {
	if testing.Short() {
		b.Skip("enumerating the 6-device classes takes about 20 s: run without -short")
	}
	v := mustVariant(b, "v14")
	space := VerifySpace{MinDevices: 6, MaxDevices: 6, MaxLinks: 1, Scenario: model.DefaultScenario(), Classes: true, Shard: 3, Shards: 2000}
	var tops []*model.Topology
	for _, it := range space.items(v.Name, 0) {
		tops = append(tops, it.top)
	}
	props, _ := checker.ParseProperties(nil)
	ws := checker.NewWorkspace()
	var states int64
	for b.Loop() {
		for _, top := range tops {
			m, err := model.NewMachine(top, v, top.Scenario)
			if err != nil {
				b.Fatal(err)
			}
			r := checker.Explore(m, checker.Options{Engine: checker.Auto, Properties: props, Workspace: ws})
			if !r.Exhaustive {
				b.Fatal("not exhaustive: " + r.Stopped)
			}
			states += r.Stats.States
		}
	}
	b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
}
