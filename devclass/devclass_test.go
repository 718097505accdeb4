package devclass

import "testing"

func TestOf(t *testing.T) {
	for name, want := range map[string]Class{
		"nvme0": NVMe, "nvme0n1": Other, "0:0:0:0": Disk, "0000:00:1f.2": PCI, "usb1": USB, "1-1.2": USB,
		"host0": SCSI, "target0:0:0": SCSI, "sda": Other, "pci0000:00/0000:00:01.0": PCI,
	} {
		if got := Of(name); got != want {
			t.Errorf("Of(%q) = %q, want %q", name, got, want)
		}
	}
	if NVMe.DefaultMS() != 20000 || Other.DefaultMS() != 0 {
		t.Error("default durations")
	}
}
