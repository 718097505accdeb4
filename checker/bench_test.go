package checker

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/enumerate"
	"github.com/shutdowncheck/shutdowncheck/importer"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// benchTopologies are the shapes BenchmarkExhaustive explores
// (examples/bench): a 6-device server tree and a 5-device misordered list
// that deadlocks.
var benchTopologies = []string{"server6", "misordered5"}

// BenchmarkExhaustive measures exhaustive exploration; it reports states/s.
func BenchmarkExhaustive(b *testing.B) {
	for _, name := range benchTopologies {
		b.Run(name, func(b *testing.B) {
			m := machineOf(b, exampleTopology(b, "bench/"+name), "v14")
			var states int64
			for b.Loop() {
				res := Explore(m, Options{})
				states += res.Stats.States
			}
			b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
			b.ReportMetric(float64(states)/float64(b.N), "states/op")
		})
	}
}

// BenchmarkCheck4 measures the per-topology cost of the 4-device proof:
// each op checks one topology of a fixed sample (every 500th of the
// enumeration, about 500) the way a Verify worker does, under v14 with
// Auto and one Workspace. ns/op and allocs/op are per topology; it also
// reports states/s.
func BenchmarkCheck4(b *testing.B) {
	v, err := model.LookupVariant("v14")
	if err != nil {
		b.Fatal(err)
	}
	sample := check4Sample()
	props, _ := ParseProperties(nil)
	ws := NewWorkspace()
	var states int64
	i := 0
	for b.Loop() {
		top := sample[i%len(sample)]
		i++
		m, err := model.NewMachine(top, v, top.Scenario)
		if err != nil {
			b.Fatal(err)
		}
		res := Explore(m, Options{Engine: Auto, Properties: props, Workspace: ws})
		if !res.Exhaustive {
			b.Fatalf("%s: not exhaustive", top.Name)
		}
		states += res.Stats.States
	}
	b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
}

var check4Sample = sync.OnceValue(func() []*model.Topology {
	var sample []*model.Topology
	i := 0
	enumerate.Space{Devices: 4, MaxLinks: 1, Scenario: model.DefaultScenario()}.Each(func(t *model.Topology) bool {
		if i%500 == 0 {
			sample = append(sample, t)
		}
		i++
		return true
	})
	return sample
})

// BenchmarkCampaign measures random and PCT campaigns (10 runs per op)
// under v14 on real machines imported from ../importer/testdata: the
// 2008 laptop (454 devices), the Firecracker VM (411), the WRT1900ACS
// boot log with its exact devices_kset order (294), the aacraid box (37)
// and the AM625 board's devlinks (60). It reports runs/s.
func BenchmarkCampaign(b *testing.B) {
	for _, name := range []string{"laptop2008", "firecracker-vm", "wrt1900acs", "aacraid", "am625"} {
		top := importedTopology(b, name)
		m := machineOf(b, top, "v14")
		strategies := map[string]Options{"random": {Engine: Random, Runs: 10}, "pct": {Engine: PCT, Runs: 10, Depth: 3}}
		for _, strategy := range []string{"random", "pct"} {
			b.Run(name+"/"+strategy, func(b *testing.B) {
				var runs, states int64
				seed := uint64(0)
				for b.Loop() {
					seed++
					opt := strategies[strategy]
					opt.Seed = seed
					res := Explore(m, opt)
					runs += res.Stats.Runs
					states += res.Stats.States
				}
				b.ReportMetric(float64(runs)/b.Elapsed().Seconds(), "runs/s")
				b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
			})
		}
	}
}

// importedTopology imports one of the importer's test datasets.
func importedTopology(b testing.TB, name string) *model.Topology {
	b.Helper()
	dir := filepath.Join("..", "importer", "testdata")
	open := func(file string) *os.File {
		f, err := os.Open(filepath.Join(dir, file))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { f.Close() })
		return f
	}
	var res *importer.Result
	var err error
	switch name {
	case "wrt1900acs":
		res, err = importer.ReadBootlog(name, "order", open(name+".devices_kset_final_order.tsv"), "events", open(name+".events.tsv"))
	case "am625":
		res, err = importer.ReadDevlinks(name, "links", open(name+".links.tsv"))
	default:
		res, err = importer.ReadTSV(name, name, open(name+".devices.tsv"))
	}
	if err != nil {
		b.Fatal(err)
	}
	return res.Topology
}
