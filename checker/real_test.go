package checker

import (
	"reflect"
	"testing"
)

// What v14 and v18 do on the real machines of ../importer/testdata, found
// by a short PCT campaign (the full figures are in the README). Every
// machine with an async device (PCI, SCSI) hits v14's sleep-in-atomic at
// once: its early pass calls async_schedule_dev_nocall() under
// devices_kset->list_lock for the first async device from the tail. The
// AM625 board has no async device (platform, i2c, regulators): no version
// changes anything there. Imported orders put parents first, so no
// misordering; v18 is clean on all of them.
func TestImportedMachines(t *testing.T) {
	for _, c := range []struct {
		name   string
		v14    []Property
		v18    []Property
		asyncs int
	}{
		{"laptop2008", []Property{SleepInAtomic}, nil, 45},
		{"firecracker-vm", []Property{SleepInAtomic}, nil, 7},
		{"aacraid", []Property{SleepInAtomic}, nil, 33},
		{"wrt1900acs", []Property{SleepInAtomic}, nil, 20}, // 5 PCI, 3 hosts, 3 targets, 3 SCSI devices, their 6 class devices
		{"am625", nil, nil, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			top := importedTopology(t, c.name)
			asyncs := 0
			for _, d := range top.Devices {
				if d.Async {
					asyncs++
				}
			}
			if asyncs != c.asyncs {
				t.Errorf("%d async devices, want %d", asyncs, c.asyncs)
			}
			for variant, want := range map[string][]Property{"v14": c.v14, "v18": c.v18} {
				m := machineOf(t, top, variant)
				res := Explore(m, Options{Engine: PCT, Seed: 1, Runs: 20, Depth: 3})
				if got := violated(res); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: violated %v, want %v", variant, got, want)
				}
			}
		})
	}
}
