package importer

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/devclass"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// counts summarizes an imported topology.
type counts struct{ devices, async, npl, links, sso int }

func countOf(t *model.Topology) counts {
	c := counts{devices: len(t.Devices), links: len(t.Links)}
	for _, d := range t.Devices {
		if d.Async {
			c.async++
		}
		if d.NeedParentLock {
			c.npl++
		}
	}
	for _, l := range t.Links {
		if l.SyncStateOnly {
			c.sso++
		}
	}
	return c
}

func open(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func deviceNamed(t *testing.T, top *model.Topology, name string) model.Device {
	t.Helper()
	id := top.Index(name)
	if id == model.NoDev {
		t.Fatalf("no device %q", name)
	}
	return top.Devices[id]
}

// parentsBeforeChildren fails unless every parent precedes its children on
// devices_kset: the order device_add() gives when nothing was reordered.
func parentsBeforeChildren(t *testing.T, top *model.Topology) {
	t.Helper()
	for i, d := range top.Devices {
		if d.Parent != model.NoDev && int(d.Parent) > i {
			t.Errorf("%s listed before its parent %s", d.Name, top.Devices[d.Parent].Name)
		}
	}
}

func TestReadTSV(t *testing.T) {
	// The expected counts were taken from the files with awk (rows with
	// synthetic=0; PCI bus devices and the host bridge for async; USB bus
	// devices with a parent for need_parent_lock) and agree with the
	// rules in rules.go.
	cases := []struct {
		file string
		want counts
		// checks names a few devices and what the series' rules make of them.
		async, sync, npl []string
	}{
		{"laptop2008.devices.tsv", counts{devices: 454, async: 45, npl: 36},
			[]string{"pci0000:00", "0000:00:1d.0"}, []string{"LNXSYSTM:00", "ACPI0007:00"}, []string{"usb1", "1-0:1.0"}},
		{"firecracker-vm.devices.tsv", counts{devices: 411, async: 7}, nil, nil, nil},
		{"aacraid.devices.tsv", counts{devices: 37, async: 33},
			[]string{"pci0000:10", "0000:10:01.3"}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			res, err := ReadTSV("x", c.file, open(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := countOf(res.Topology); got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
			parentsBeforeChildren(t, res.Topology)
			for _, n := range c.async {
				if !deviceNamed(t, res.Topology, n).Async {
					t.Errorf("%s: want async", n)
				}
			}
			for _, n := range c.sync {
				if deviceNamed(t, res.Topology, n).Async {
					t.Errorf("%s: want sync", n)
				}
			}
			for _, n := range c.npl {
				if !deviceNamed(t, res.Topology, n).NeedParentLock {
					t.Errorf("%s: want need_parent_lock", n)
				}
			}
		})
	}
}

func TestReadTSVSkipsSyntheticRows(t *testing.T) {
	res, err := ReadTSV("x", "laptop", open(t, "laptop2008.devices.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Topology.Devices {
		if strings.Contains(d.Name, "fake") {
			t.Errorf("synthetic row %s imported", d.Name)
		}
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), "3 synthetic") {
		t.Errorf("notes do not say the 3 synthetic rows were left out: %q", res.Notes)
	}
}

func TestReadTSVDurations(t *testing.T) {
	// aacraid: SCSI disks sync their cache (devclass.Disk.DefaultMS()); the box's NVMe
	// controllers are recognized by their nvme class child.
	res, err := ReadTSV("x", "aacraid", open(t, "aacraid.devices.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	byMS := map[int]int{}
	for _, d := range res.Topology.Devices {
		byMS[d.ShutdownMS]++
	}
	if byMS[devclass.Disk.DefaultMS()] == 0 || byMS[devclass.NVMe.DefaultMS()] == 0 {
		t.Errorf("want SCSI disks (%d ms) and NVMe controllers (%d ms), got durations %v", devclass.Disk.DefaultMS(), devclass.NVMe.DefaultMS(), byMS)
	}
}

func TestReadBootlog(t *testing.T) {
	res, err := ReadBootlog("wrt", "order", open(t, "wrt1900acs.devices_kset_final_order.tsv"),
		"events", open(t, "wrt1900acs.events.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	top := res.Topology
	// 294 order rows; 10 links logged, one of them dropped later
	// (gpio-leds -> f1018140.gpio, sync_state_only): 9 links, 1 of them
	// (gpio-keys -> f1018100.gpio) sync_state_only.
	if got, want := countOf(top), (counts{devices: 294, async: 0, links: 9, sso: 1}); got.devices != want.devices || got.links != want.links || got.sso != want.sso {
		t.Errorf("got %+v, want devices, links, sso of %+v", got, want)
	}
	// The order is the log's, head first, not re-derived.
	if top.Devices[0].Name != "platform" || top.Devices[1].Name != "cpu" || top.Devices[293].Name != "8:32" {
		t.Errorf("order not the log's: %s, %s ... %s", top.Devices[0].Name, top.Devices[1].Name, top.Devices[293].Name)
	}
	for _, l := range top.Links {
		if top.Devices[l.Consumer].Name == "gpio-leds" && top.Devices[l.Supplier].Name == "f1018140.gpio" {
			t.Error("the dropped link gpio-leds -> f1018140.gpio is still there")
		}
	}
	// Registration order is the device_add order of the log (the order
	// file's add_seq column; its rows are the devices in devices_kset
	// order), which the moves to the tail made differ from devices_kset.
	if top.Registered == nil {
		t.Fatal("no registration order recorded")
	}
	var addSeq []int
	data, err := os.ReadFile(filepath.Join("testdata", "wrt1900acs.devices_kset_final_order.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if f := strings.Split(line, "\t"); !strings.HasPrefix(line, "#") && len(f) >= 4 {
			seq, err := strconv.Atoi(f[3])
			if err != nil {
				t.Fatal(err)
			}
			addSeq = append(addSeq, seq)
		}
	}
	for i := 1; i < len(top.Registered); i++ {
		if a, b := top.Registered[i-1], top.Registered[i]; addSeq[a] > addSeq[b] {
			t.Fatalf("registered puts %s (add_seq %d) before %s (add_seq %d)", top.Devices[a].Name, addSeq[a], top.Devices[b].Name, addSeq[b])
		}
	}
}

func TestReadDevlinks(t *testing.T) {
	for _, c := range []struct {
		file         string
		links, relax int
	}{
		{"am625.links.tsv", 104, 0},
		// The broken list has Tomi's extra link i2c:1-0022--i2c:1-003b.
		{"am625.devlink-broken.txt", 105, 0},
	} {
		t.Run(c.file, func(t *testing.T) {
			res, err := ReadDevlinks("am625", c.file, open(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			top := res.Topology
			if len(top.Devices) != 60 || len(top.Links) != c.links {
				t.Errorf("got %d devices, %d links; want 60, %d", len(top.Devices), len(top.Links), c.links)
			}
			for _, l := range top.Links {
				if !l.SyncStateOnly && l.Supplier > l.Consumer {
					t.Errorf("supplier %s after its consumer %s", top.Devices[l.Supplier].Name, top.Devices[l.Consumer].Name)
				}
			}
		})
	}
}

func TestReadDevlinksRelaxesCycles(t *testing.T) {
	// a -> b -> c -> a: the last link read closes the cycle and becomes
	// sync_state_only, as fw_devlink relaxes cycles.
	src := "p:a--p:b\np:b--p:c\np:c--p:a\n"
	res, err := ReadDevlinks("cycle", "cycle.txt", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	top := res.Topology
	for _, l := range top.Links {
		closing := top.Devices[l.Supplier].Name == "p:c"
		if l.SyncStateOnly != closing {
			t.Errorf("%s -> %s: sync_state_only %v, want %v", top.Devices[l.Supplier].Name, top.Devices[l.Consumer].Name, l.SyncStateOnly, closing)
		}
	}
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name, want string
		read       func() error
	}{
		{"tsv without header", "rows.tsv:1: no \"# path", func() error {
			_, err := ReadTSV("x", "rows.tsv", strings.NewReader("/devices/a\t\tpci\tbus\n"))
			return err
		}},
		{"tsv unknown parent", "p.tsv:2: device /devices/a has unknown parent", func() error {
			_, err := ReadTSV("x", "p.tsv", strings.NewReader("# path\tparent\n/devices/a\t/devices/nowhere\n"))
			return err
		}},
		{"tsv missing column", "c.tsv:2: a row of 2 columns, but the header names 3", func() error {
			_, err := ReadTSV("x", "c.tsv", strings.NewReader("# path\tparent\tsubsystem\n/devices/a\t\n"))
			return err
		}},
		{"bootlog add_seq", "order.tsv:1: add_seq \"x\" of a is not a number", func() error {
			_, err := ReadBootlog("x", "order.tsv", strings.NewReader("0\ta\tplatform\tx\t0.1\n"),
				"events.tsv", strings.NewReader(""))
			return err
		}},
		{"tsv duplicate", "listed twice", func() error {
			_, err := ReadTSV("x", "d.tsv", strings.NewReader("# path\tparent\n/devices/a\t\n/devices/a\t\n"))
			return err
		}},
		{"devlinks malformed", "links.txt:2: ", func() error {
			_, err := ReadDevlinks("x", "links.txt", strings.NewReader("p:a--p:b\nnot-a-link\n"))
			return err
		}},
		{"devlinks empty", "no links", func() error {
			_, err := ReadDevlinks("x", "links.txt", strings.NewReader("# nothing\n"))
			return err
		}},
		// A parent cycle is refused where it starts (it overflowed the
		// stack of the parents-first sort).
		{"tsv parent cycle", "cyc.tsv:2: device /devices/a is its own ancestor (parent cycle: /devices/a > /devices/b > /devices/a)", func() error {
			_, err := ReadTSV("x", "cyc.tsv", strings.NewReader("# path\tparent\n/devices/a\t/devices/b\n/devices/b\t/devices/a\n"))
			return err
		}},
		{"tsv self parent", "self.tsv:2: device /devices/a is its own ancestor", func() error {
			_, err := ReadTSV("x", "self.tsv", strings.NewReader("# path\tparent\n/devices/a\t/devices/a\n"))
			return err
		}},
		// What the topology refuses names the file and line it came from.
		{"devlinks self link", "links.txt:2: link from \"p:a\" to itself", func() error {
			_, err := ReadDevlinks("x", "links.txt", strings.NewReader("p:b--p:a\np:a--p:a\n"))
			return err
		}},
		{"devlinks duplicate link", "links.txt:3: duplicate link p:a -> p:b (first at links.txt:1)", func() error {
			_, err := ReadDevlinks("x", "links.txt", strings.NewReader("p:a--p:b\n# c\np:a--p:b\n"))
			return err
		}},
		{"bootlog self link", "events.tsv:2: link from \"a\" to itself", func() error {
			_, err := ReadBootlog("x", "order.tsv", strings.NewReader("0\ta\tplatform\t1\t0.1\n"),
				"events.tsv", strings.NewReader("seq\ttime\tthread\tevent\targ1\targ2\n1\t0.1\tT1\tlink_consumer\ta\ta\n"))
			return err
		}},
		{"bootlog dependency cycle", "events.tsv:2: link b -> a closes a dependency cycle", func() error {
			_, err := ReadBootlog("x", "order.tsv", strings.NewReader("0\ta\tplatform\t1\t0.1\n1\tb\tplatform\t2\t0.2\n"),
				"events.tsv", strings.NewReader("1\t0.1\tT1\tlink_consumer\tb\ta\n2\t0.2\tT1\tlink_consumer\ta\tb\n"))
			return err
		}},
		{"bootlog no devices", "order.tsv: no devices", func() error {
			_, err := ReadBootlog("x", "order.tsv", strings.NewReader("# nothing\n"), "events.tsv", strings.NewReader(""))
			return err
		}},
		{"bootlog link to unknown device", "events.tsv:1: link", func() error {
			_, err := ReadBootlog("x", "order.tsv", strings.NewReader("0\ta\tplatform\t1\t0.1\n"),
				"events.tsv", strings.NewReader("1\t0.1\tT1\tlink_consumer\ta\tghost\n"))
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.read()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// fakeSysfs builds a small sysfs under a temporary directory: a PCI host
// bridge with an NVMe controller and a USB controller, a USB hub under it,
// a platform regulator, and two device links (the regulator supplies the
// NVMe controller; a sync_state_only link from the hub to the regulator).
func fakeSysfs(t *testing.T) string {
	root := t.TempDir()
	dev := func(rel, subsystem, driver, devtype string) {
		p := filepath.Join(root, "devices", rel)
		must(t, os.MkdirAll(filepath.Join(p, "power"), 0o755))
		uevent := ""
		if devtype != "" {
			uevent = "DEVTYPE=" + devtype + "\n"
		}
		must(t, os.WriteFile(filepath.Join(p, "uevent"), []byte(uevent), 0o644))
		if subsystem != "" {
			must(t, os.Symlink(filepath.Join(root, "bus", subsystem), filepath.Join(p, "subsystem")))
		}
		if driver != "" {
			must(t, os.Symlink(filepath.Join(root, "bus", subsystem, "drivers", driver), filepath.Join(p, "driver")))
		}
	}
	dev("pci0000:00", "", "", "")
	dev("pci0000:00/0000:00:01.0", "pci", "nvme", "")
	dev("pci0000:00/0000:00:14.0", "pci", "xhci_hcd", "")
	dev("pci0000:00/0000:00:14.0/usb1", "usb", "usb", "usb_device")
	dev("platform/regulator-1", "platform", "reg-fixed-voltage", "")
	link := func(name, supplier, consumer, sso string) {
		p := filepath.Join(root, "class", "devlink", name)
		must(t, os.MkdirAll(p, 0o755))
		must(t, os.Symlink(filepath.Join(root, "devices", supplier), filepath.Join(p, "supplier")))
		must(t, os.Symlink(filepath.Join(root, "devices", consumer), filepath.Join(p, "consumer")))
		must(t, os.WriteFile(filepath.Join(p, "sync_state_only"), []byte(sso+"\n"), 0o644))
	}
	link("platform:regulator-1--pci:0000:00:01.0", "platform/regulator-1", "pci0000:00/0000:00:01.0", "0")
	link("usb:usb1--platform:regulator-1", "pci0000:00/0000:00:14.0/usb1", "platform/regulator-1", "1")
	return root
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestReadSysfs(t *testing.T) {
	res, err := ReadSysfs("fake", fakeSysfs(t))
	if err != nil {
		t.Fatal(err)
	}
	top := res.Topology
	var order []string
	for _, d := range top.Devices {
		order = append(order, d.Name)
	}
	// Directory order puts parents first; the managed link moves its
	// consumer 0000:00:01.0 to the tail; the sync_state_only link moves
	// nothing.
	want := "pci0000:00 0000:00:14.0 usb1 regulator-1 0000:00:01.0"
	if got := strings.Join(order, " "); got != want {
		t.Errorf("order %q, want %q", got, want)
	}
	if nvme := deviceNamed(t, top, "0000:00:01.0"); !nvme.Async || nvme.ShutdownMS != devclass.NVMe.DefaultMS() || nvme.Parent != top.Index("pci0000:00") {
		t.Errorf("NVMe controller: %+v", nvme)
	}
	if usb := deviceNamed(t, top, "usb1"); usb.Async || !usb.NeedParentLock {
		t.Errorf("USB device: %+v", usb)
	}
	if !deviceNamed(t, top, "pci0000:00").Async || deviceNamed(t, top, "regulator-1").Async {
		t.Error("want the host bridge async and the regulator sync")
	}
	if c := countOf(top); c.links != 2 || c.sso != 1 {
		t.Errorf("links %+v", c)
	}
}

func TestReadLiveSysfs(t *testing.T) {
	// This machine's own /sys, when there is one: the import must succeed
	// and find devices; what it finds depends on the machine.
	if _, err := os.Stat("/sys/devices"); err != nil {
		t.Skip("no /sys here")
	}
	res, err := ReadSysfs("live", "/sys")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Topology.Devices) == 0 {
		t.Error("no devices")
	}
	parentsBeforeChildren(t, res.Topology)
}

// BootlogFiles finds the two files of a boot log, bare or with a prefix,
// and says what is wrong when a directory holds none or several.
func TestBootlogFiles(t *testing.T) {
	touch := func(dir string, names ...string) string {
		for _, n := range names {
			must(t, os.WriteFile(filepath.Join(dir, n), nil, 0o644))
		}
		return dir
	}
	bare := touch(t.TempDir(), "devices_kset_final_order.tsv", "events.tsv")
	if o, e, p, err := BootlogFiles(bare); err != nil || p != "" || o != filepath.Join(bare, "devices_kset_final_order.tsv") || e != filepath.Join(bare, "events.tsv") {
		t.Errorf("bare: %q %q %q %v", o, e, p, err)
	}
	if _, _, p, err := BootlogFiles("testdata"); err != nil || p != "wrt1900acs" {
		t.Errorf("testdata: prefix %q, %v", p, err)
	}
	two := touch(t.TempDir(), "a.devices_kset_final_order.tsv", "a.events.tsv", "b.devices_kset_final_order.tsv", "b.events.tsv")
	if _, _, _, err := BootlogFiles(two); err == nil || !strings.Contains(err.Error(), "several boot logs (a.devices_kset_final_order.tsv, b.devices_kset_final_order.tsv)") {
		t.Errorf("two logs: %v", err)
	}
	if _, _, p, err := BootlogFiles(filepath.Join(two, "b")); err != nil || p != "b" {
		t.Errorf("DIR/PREFIX: prefix %q, %v", p, err)
	}
	lone := touch(t.TempDir(), "x.devices_kset_final_order.tsv")
	if _, _, _, err := BootlogFiles(lone); err == nil || !strings.Contains(err.Error(), "no boot log here") {
		t.Errorf("an order file without events: %v", err)
	}
}
