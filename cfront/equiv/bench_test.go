package equiv

import (
	"syscall"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/examples"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// benchTopologies are checker's BenchmarkExhaustive shapes (examples/bench).
var benchTopologies = []string{"server6", "misordered5"}

// BenchmarkInterpreted compares exhaustive exploration of v14 interpreted
// from its patch emails with the hand-written v14 on the same topologies
// (states/s; the target is at least a third of the hand-written rate).
func BenchmarkInterpreted(b *testing.B) {
	hand, err := model.LookupVariant("v14")
	if err != nil {
		b.Fatal(err)
	}
	c := interpreted(b, "v14")
	for _, name := range benchTopologies {
		top, err := examples.Load("bench/" + name)
		if err != nil {
			b.Fatal(err)
		}
		for _, v := range []*model.Variant{hand, c} {
			kind := "hand"
			if v.Program != nil {
				kind = "C"
			}
			b.Run(name+"/"+kind, func(b *testing.B) {
				m, err := model.NewMachine(top, v, top.Scenario)
				if err != nil {
					b.Fatal(err)
				}
				var states int64
				cpu := cpuSeconds()
				for b.Loop() {
					states += checker.Explore(m, checker.Options{}).Stats.States
				}
				cpu = cpuSeconds() - cpu
				b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
				// On a shared machine the CPU time the process used is the
				// steadier measure.
				b.ReportMetric(float64(states)/cpu, "states/cpu-s")
				b.ReportMetric(float64(states)/float64(b.N), "states/op")
			})
		}
	}
}

// cpuSeconds is the user and system CPU time the process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
