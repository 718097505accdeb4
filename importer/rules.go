package importer

import "regexp"

// The series' rules (ALGORITHM.md §5.1, v14 patches 4 and 5), applied to a
// device as a source describes it.

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

// Default durations of ->shutdown(), for simulate. They are rough: a
// measured value in the topology file (shutdown_ms) or simulate --ms
// replaces them.
const (
	nvmeMS  = 20000 // an NVMe controller: the drives behind the cover letter take tens of seconds
	diskMS  = 1000  // a SCSI disk: sd_shutdown() syncs its cache and stops it
	pciMS   = 10    // any other PCI device
	usbMS   = 10    // a USB device
	scsiMS  = 5     // a SCSI host or target
	otherMS = 0     // most devices have no shutdown callback at all
)

// shutdownMS is a device's default shutdown time by its class.
func shutdownMS(d device) int {
	switch {
	case d.driver == "nvme":
		return nvmeMS
	case d.subsystem == "scsi" && d.devtype == "scsi_device":
		return diskMS
	case d.subsystem == "pci" && !d.class:
		return pciMS
	case d.subsystem == "usb" && !d.class:
		return usbMS
	case d.subsystem == "scsi":
		return scsiMS
	}
	return otherMS
}
