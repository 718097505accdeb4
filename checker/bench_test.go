package checker

import (
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

// benchTopologies are the shapes BenchmarkExhaustive explores: a 6-device
// server tree (four async devices, a USB hub, a supplier link) and a
// 5-device misordered list that deadlocks.
var benchTopologies = map[string]string{
	"server6": `devices:
  - {name: pci, async: true}
  - {name: reg}
  - {name: xhci, parent: pci, async: true}
  - {name: usb1, parent: xhci, need_parent_lock: true}
  - {name: nvme, parent: pci, async: true}
  - {name: ns, parent: nvme, async: true}
links: [{supplier: reg, consumer: nvme}]`,
	"misordered5": `devices:
  - {name: disk, parent: port}
  - {name: bridge}
  - {name: port, parent: bridge, async: true}
  - {name: nvme, async: true}
  - {name: ns, parent: nvme, async: true}`,
}

// BenchmarkExhaustive measures exhaustive exploration; it reports states/s.
func BenchmarkExhaustive(b *testing.B) {
	for _, name := range []string{"server6", "misordered5"} {
		b.Run(name, func(b *testing.B) {
			m := machine(b, benchTopologies[name], "v14")
			var states int64
			for b.Loop() {
				res := Explore(m, scheduler.NewDFS(), Options{})
				states += res.Stats.States
			}
			b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
			b.ReportMetric(float64(states)/float64(b.N), "states/op")
		})
	}
}

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
		res := Verify(space, v, VerifyOptions{Workers: 1})
		if !res.Complete {
			b.Fatal("incomplete")
		}
		checked += res.Checked
	}
	b.ReportMetric(float64(checked)/b.Elapsed().Seconds(), "topologies/s")
}
