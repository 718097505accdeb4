// Package devclass sorts devices into the classes their default
// ->shutdown() durations go by (NVMe controllers, SCSI disks, other PCI and
// USB devices, SCSI hosts and targets), from a device's name (simulate) or
// from what a source says of it (importer).
package devclass

import (
	"regexp"
	"strings"
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

// defaultMS is each class's default duration in milliseconds.
var defaultMS = map[Class]int{NVMe: 20000, Disk: 1000, PCI: 10, USB: 10, SCSI: 5, Other: 0}

// DefaultMS is the class's default ->shutdown() duration in milliseconds.
// They are rough: a measured shutdown_ms in the topology file, or
// simulate's --ms, replaces them. The NVMe figure is what the series' cover
// letter implies: 11 minutes for a server's drives one after another, 55
// seconds in parallel.
func (c Class) DefaultMS() int { return defaultMS[c] }

var (
	pciName  = regexp.MustCompile(`^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$`)
	usbName  = regexp.MustCompile(`^(usb\d+|\d+-[\d.]+)$`)
	scsiName = regexp.MustCompile(`^(host\d+|target\d+:\d+:\d+)$`)
	diskName = regexp.MustCompile(`^\d+:\d+:\d+:\d+$`)
	nvmeName = regexp.MustCompile(`^nvme\d*$`)
)

// Of guesses a device's class from its name, by the kernel's naming:
// nvme, nvmeN (the controller, not its nvmeNnM namespaces), a PCI address
// DDDD:BB:DD.F, usbN and N-P.P ports, hostN and targetH:C:T, and H:C:T:L
// (the SCSI device sd binds to; its sdX block device has no callback). The
// last element of a qualified name (a/b) counts.
func Of(name string) Class {
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
