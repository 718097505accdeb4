package importer

import (
	"fmt"
	"io"
	"regexp"
	"strings"
)

// ReadTSV reads a sysfs walk saved as TSV, one device per row, with a
// header comment naming the columns ("# path	parent	subsystem	kind
// driver devtype synthetic"; shutdowncheck's datasets: the systemd
// sys-script laptop tree, the Firecracker VM, the aacraid box derived from
// lsscsi with a subsystem_guess_from_name column). A sysfs walk does not say
// in which order the devices were registered: the list puts parents before
// children in the file's order, then moves link consumers to the tail as
// device_link_add() does.
func ReadTSV(name, file string, r io.Reader) (*Result, error) {
	var cols []string
	var devs []device
	var notes []string
	firstLine := map[string]int{}
	skipped := 0
	err := eachLine(file, r, func(line int, text string) error {
		if strings.HasPrefix(text, "# path") {
			cols = strings.Split(strings.TrimPrefix(text, "# "), "\t")
			return nil
		}
		if comment(text) {
			return nil
		}
		if cols == nil {
			return fmt.Errorf("no \"# path\tparent\t...\" header before the first device")
		}
		f := strings.Split(text, "\t")
		if len(f) != len(cols) {
			return fmt.Errorf("a row of %d columns, but the header names %d (%s)", len(f), len(cols), strings.Join(cols, ", "))
		}
		get := func(col string) string {
			for i, c := range cols {
				if c == col && i < len(f) {
					return strings.TrimSpace(f[i])
				}
			}
			return ""
		}
		if get("path") == "" {
			return fmt.Errorf("a row without a path")
		}
		if get("synthetic") == "1" {
			skipped++
			return nil
		}
		if prev, dup := firstLine[get("path")]; dup {
			return fmt.Errorf("device %s listed twice (first at line %d)", get("path"), prev)
		}
		firstLine[get("path")] = line
		d := device{id: get("path"), parent: get("parent"), name: baseName(get("path")),
			subsystem: get("subsystem"), class: get("kind") == "class", driver: get("driver"), devtype: get("devtype"),
			pos: fmt.Sprintf("%s:%d", file, line)}
		if guess := get("subsystem_guess_from_name"); guess != "" {
			d.subsystem, d.class, d.devtype = parseGuess(guess)
		}
		devs = append(devs, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(devs) == 0 {
		return nil, fmt.Errorf("%s: no devices", file)
	}
	for _, d := range devs {
		if _, ok := firstLine[d.parent]; d.parent != "" && !ok {
			return nil, fmt.Errorf("%s: device %s has unknown parent %s", d.pos, d.id, d.parent)
		}
	}
	if d, cycle := parentCycle(devs); d != nil {
		return nil, fmt.Errorf("%s: device %s is its own ancestor (parent cycle: %s)", d.pos, d.id, strings.Join(cycle, " > "))
	}
	if skipped > 0 {
		notes = append(notes, fmt.Sprintf("%d synthetic test rows of the source left out", skipped))
	}
	if n := inferNVMeDrivers(devs); n > 0 {
		notes = append(notes, fmt.Sprintf("driver nvme inferred for %d PCI devices with an nvme class child", n))
	}
	notes = append(notes, "devices_kset order: a sysfs walk does not record it; parents are put before children in the source's order")
	return build(name, file, parentsFirst(devs), nil, nil, notes)
}

var guessRE = regexp.MustCompile(`^([a-z_]+)(?: \((.*)\))?$`)

// parseGuess reads the aacraid dataset's subsystem_guess_from_name column:
// "pci", "scsi (devtype scsi_device)", "nvme (class device, controller)",
// "block (devtype disk)", "pci_root_bridge (...)".
func parseGuess(s string) (subsystem string, class bool, devtype string) {
	m := guessRE.FindStringSubmatch(s)
	if m == nil {
		return "", false, ""
	}
	subsystem, detail := m[1], m[2]
	if subsystem == "pci_root_bridge" {
		return "", false, ""
	}
	if strings.HasPrefix(detail, "devtype ") {
		devtype = strings.TrimPrefix(detail, "devtype ")
	}
	class = strings.Contains(detail, "class device") || subsystem == "block" || subsystem == "nvme"
	return subsystem, class, devtype
}

// inferNVMeDrivers marks PCI devices with an nvme class child as bound to
// the nvme driver, when the source does not say.
func inferNVMeDrivers(devs []device) int {
	n := 0
	for i := range devs {
		if devs[i].subsystem != "pci" || devs[i].driver != "" {
			continue
		}
		for _, c := range devs {
			if c.parent == devs[i].id && c.subsystem == "nvme" {
				devs[i].driver = "nvme"
				n++
				break
			}
		}
	}
	return n
}
