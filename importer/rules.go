package importer

import (
	"regexp"

	"github.com/shutdowncheck/shutdowncheck/devclass"
)

// The series' rules (v14 patches 3 to 5: cfront/baseline/patches/v14-*.txt),
// applied to a device as a source describes it.

var hostBridge = regexp.MustCompile(`^pci[0-9a-f]{4}:[0-9a-f]{2}$`)

// wantsAsync reports whether the series calls device_enable_async_shutdown()
// for the device: PCI host bridges (pci_register_host_bridge), every PCI
// device (pci_device_add), and the SCSI host (shost_gendev and its class
// device shost_dev), target (starget->dev) and device (sdev_gendev and its
// class device sdev_dev).
func wantsAsync(d device) bool {
	switch {
	case d.subsystem == "" && hostBridge.MatchString(d.name):
		return true
	case d.subsystem == "pci" && !d.class:
		return true
	case d.subsystem == "scsi" && !d.class:
		return d.devtype == "scsi_host" || d.devtype == "scsi_target" || d.devtype == "scsi_device"
	case d.class && (d.subsystem == "scsi_host" || d.subsystem == "scsi_device"):
		return true
	}
	return false
}

// needParentLock reports whether the device's bus sets need_parent_lock:
// only usb_bus_type does (drivers/usb/core/driver.c).
func needParentLock(d device) bool { return d.subsystem == "usb" && !d.class }

// shutdownClass is a device's class for its default ->shutdown() duration
// (devclass.Class.DefaultMS): the NVMe driver, a SCSI disk (the device sd binds
// to), any other PCI device, a USB device (not its interfaces), a SCSI host
// or target; everything else has no callback to speak of.
func shutdownClass(d device) devclass.Class {
	switch {
	case d.driver == "nvme":
		return devclass.NVMe
	case d.subsystem == "scsi" && d.devtype == "scsi_device":
		return devclass.Disk
	case d.subsystem == "pci" && !d.class:
		return devclass.PCI
	case d.subsystem == "usb" && d.devtype == "usb_device":
		return devclass.USB
	case d.subsystem == "scsi":
		return devclass.SCSI
	}
	return devclass.Other
}

// shutdownMS is a device's default shutdown time by its class.
func shutdownMS(d device) int { return shutdownClass(d).DefaultMS() }
