package simulate

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// Class is the kind of device a default ->shutdown() duration is chosen by.
type Class string

// The classes with a default duration.
const (
	NVMe  Class = "nvme" // an NVMe controller: nvme_shutdown() waits for the drive to flush and power down
	Disk  Class = "disk" // a SCSI disk: sd_shutdown() syncs its cache and stops it
	PCI   Class = "pci"  // any other PCI device
	USB   Class = "usb"  // a USB device
	SCSI  Class = "scsi" // a SCSI host or target
	Other Class = ""     // most devices have no shutdown callback at all
)

// DefaultMS is each class's default duration in milliseconds. They are rough:
// a measured shutdown_ms in the topology file, or --ms, replaces them. The
// NVMe figure is what the series' cover letter implies: 11 minutes for a
// server's drives one after another, 55 seconds in parallel.
var DefaultMS = map[Class]int{NVMe: 20000, Disk: 1000, PCI: 10, USB: 10, SCSI: 5, Other: 0}

var (
	pciName  = regexp.MustCompile(`^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$`)
	usbName  = regexp.MustCompile(`^(usb\d+|\d+-[\d.]+)$`)
	scsiName = regexp.MustCompile(`^(host\d+|target\d+:\d+:\d+)$`)
	diskName = regexp.MustCompile(`^\d+:\d+:\d+:\d+$`)
	nvmeName = regexp.MustCompile(`^nvme\d*$`)
)

// ClassOf guesses a device's class from its name, by the kernel's naming:
// nvme, nvmeN (the controller, not its nvmeNnM namespaces), a PCI address
// DDDD:BB:DD.F, usbN and N-P.P ports, hostN and targetH:C:T, and H:C:T:L
// (the SCSI device sd binds to; its sdX block device has no callback). The
// last element of a qualified name (a/b) counts.
func ClassOf(name string) Class {
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	switch {
	case nvmeName.MatchString(name):
		return NVMe
	case diskName.MatchString(name):
		return Disk
	case pciName.MatchString(name):
		return PCI
	case usbName.MatchString(name):
		return USB
	case scsiName.MatchString(name):
		return SCSI
	}
	return Other
}

// Override sets the duration of every device whose name matches Pattern
// (path.Match syntax), as --ms PATTERN=MS gives it.
type Override struct {
	Pattern string
	MS      int
}

// ParseOverride reads PATTERN=MS.
func ParseOverride(s string) (Override, error) {
	pat, ms, ok := strings.Cut(s, "=")
	if !ok || pat == "" {
		return Override{}, fmt.Errorf("--ms %q: want PATTERN=MS, as in 'nvme*=30000'", s)
	}
	if _, err := path.Match(pat, ""); err != nil {
		return Override{}, fmt.Errorf("--ms %q: bad pattern: %v", s, err)
	}
	n, err := strconv.Atoi(ms)
	if err != nil || n < 0 {
		return Override{}, fmt.Errorf("--ms %q: %q is not a duration in milliseconds", s, ms)
	}
	return Override{pat, n}, nil
}

// Durations are the ->shutdown() durations of a topology's devices, in
// milliseconds, and where each one comes from.
type Durations struct {
	MS     []int
	Source []string // "shutdown_ms", "class nvme", "--ms PATTERN"
}

// Resolve takes each device's duration from the last override that matches
// its name, else from its shutdown_ms. A file that gives no shutdown_ms at
// all gets, when classDefaults, each device's class default by name; a file
// that gives some (an imported one gives every device its class's) is taken
// to give them all: its other devices take 0 ms. The report says which rule
// each device's duration came from.
func Resolve(top *model.Topology, overrides []Override, classDefaults bool) (*Durations, error) {
	d := &Durations{MS: make([]int, len(top.Devices)), Source: make([]string, len(top.Devices))}
	used := make([]bool, len(overrides))
	for _, dev := range top.Devices {
		if dev.ShutdownMS > 0 {
			classDefaults = false
		}
	}
	for i, dev := range top.Devices {
		switch class := ClassOf(dev.Name); {
		case dev.ShutdownMS > 0:
			d.MS[i], d.Source[i] = dev.ShutdownMS, "shutdown_ms"
		case classDefaults && class != Other:
			d.MS[i], d.Source[i] = DefaultMS[class], "class "+string(class)
		default:
			d.Source[i] = "none"
		}
		for k, o := range overrides {
			if ok, _ := path.Match(o.Pattern, dev.Name); ok {
				d.MS[i], d.Source[i], used[k] = o.MS, "--ms "+o.Pattern, true
			}
		}
	}
	for k, o := range overrides {
		if !used[k] {
			return nil, fmt.Errorf("--ms %s=%d: no device of %s matches %q", o.Pattern, o.MS, top.Name, o.Pattern)
		}
	}
	return d, nil
}

// Sources counts devices by where their duration comes from, sorted by
// source, for the report's first lines.
func (d *Durations) Sources() []string {
	count := map[string]int{}
	var order []string
	for _, s := range d.Source {
		if count[s] == 0 {
			order = append(order, s)
		}
		count[s]++
	}
	sort.Strings(order)
	out := make([]string, len(order))
	for i, s := range order {
		out[i] = fmt.Sprintf("%d from %s", count[s], s)
		if s == "none" {
			out[i] = fmt.Sprintf("%d without one (0 ms)", count[s])
		}
	}
	return out
}
