package simulate_test

import (
	"os"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/examples"
	"github.com/shutdowncheck/shutdowncheck/importer"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/simulate"
)

// BenchmarkCompare measures simulate on the built-in nvme-server (68
// devices) and the imported 2008 laptop (454 devices): every version, one
// run each. It reports simulated kernel operations per second.
func BenchmarkCompare(b *testing.B) {
	laptop := func() *model.Topology {
		f, err := os.Open("../importer/testdata/laptop2008.devices.tsv")
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		res, err := importer.ReadTSV("laptop2008", "laptop2008", f)
		if err != nil {
			b.Fatal(err)
		}
		return res.Topology
	}
	server, err := examples.Load("timing/nvme-server")
	if err != nil {
		b.Fatal(err)
	}
	for name, top := range map[string]*model.Topology{"nvme-server": server, "laptop2008": laptop()} {
		b.Run(name, func(b *testing.B) {
			d := simulate.Resolve(top, nil, true)
			var steps int
			for b.Loop() {
				c, err := simulate.Compare(top, model.Variants(), top.Scenario, d, simulate.DefaultMaxSteps)
				if err != nil {
					b.Fatal(err)
				}
				for _, tl := range c.Timelines {
					steps += len(tl.Steps)
				}
			}
			b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
