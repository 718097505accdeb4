package importer

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ReadBootlog reads a boot log's devices_kset order and events, as derived
// from a driver-core debug log (the WRT1900ACS dataset): order is
// "position	name	bus_or_blank	add_seq	add_time" rows, head first,
// replayed from device_add, "Moving ... to end of list" and unregister;
// events are "seq	time	thread	event	arg1	arg2" rows, of which
// link_consumer and link_sync_state_only (consumer, supplier) add a link and
// link_dropped removes one. The log names no parents: every device is a
// root, and the links carry the dependencies. A name listed twice is two
// devices (a bus device and its class device); links name the bus device.
func ReadBootlog(name, orderFile string, order io.Reader, eventsFile string, events io.Reader) (*Result, error) {
	var devs []device
	var addSeq []int // each device's device_add sequence number
	seen := map[string]int{}
	busDevice := map[string]string{} // name -> id of the device links refer to
	scsiNames := map[string]bool{}
	err := rows(orderFile, order, 4, func(f []string) error {
		n, bus := f[1], f[2]
		seen[n]++
		id := n
		if seen[n] > 1 {
			id = fmt.Sprintf("%s#%d", n, seen[n])
		}
		seq, err := strconv.Atoi(f[3])
		if err != nil {
			return fmt.Errorf("add_seq %q of %s is not a number", f[3], n)
		}
		addSeq = append(addSeq, seq)
		d := device{id: id, name: n, subsystem: bus}
		if bus == "" {
			d.class = true
		}
		if bus == "scsi" {
			scsiNames[n] = true
		}
		if _, ok := busDevice[n]; !ok || bus != "" {
			busDevice[n] = id
		}
		devs = append(devs, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	scsiParents(devs, busDevice, scsiNames)
	var links []link
	err = rows(eventsFile, events, 6, func(f []string) error {
		consumer, supplier := busDevice[f[4]], busDevice[f[5]]
		switch f[3] {
		case "link_consumer", "link_sync_state_only":
			if consumer == "" || supplier == "" {
				return fmt.Errorf("link %s -> %s: a device not in the final order", f[5], f[4])
			}
			links = append(links, link{supplier: supplier, consumer: consumer, syncStateOnly: f[3] == "link_sync_state_only"})
		case "link_dropped":
			for i, l := range links {
				if l.supplier == supplier && l.consumer == consumer {
					links = append(links[:i], links[i+1:]...)
					break
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Registration order: by device_add sequence number.
	registered := make([]device, len(devs))
	byAdd := make([]int, len(devs))
	for i := range byAdd {
		byAdd[i] = i
	}
	sort.SliceStable(byAdd, func(a, b int) bool { return addSeq[byAdd[a]] < addSeq[byAdd[b]] })
	for i, j := range byAdd {
		registered[i] = devs[j]
	}
	notes := []string{
		"devices_kset order: exactly as replayed from the boot log (device_add, moves to the tail, unregister)",
		"registered (klist_children order): by the boot log's device_add sequence numbers",
		"parents: the log does not name them; only the SCSI ones follow from the kernel's names (hostH > targetH:C:T > H:C:T:L > class devices of the same name); every other device is a root and the device links carry the dependencies",
		"SCSI class devices: the first one named like a SCSI host or device is its shost_dev or sdev_dev (async, added right after it by scsi_add_host / scsi_sysfs_add_sdev); later ones (bsg, scsi_disk, scsi_generic) are sync",
	}
	return build(name, devs, registered, links, notes)
}

var (
	scsiTarget = regexp.MustCompile(`^target(\d+):\d+:\d+$`)
	scsiDevice = regexp.MustCompile(`^(\d+):(\d+):(\d+):\d+$`)
)

// scsiParents gives SCSI devices the parents their names imply (the SCSI
// midlayer names shost_gendev "host%d", starget->dev "target%d:%d:%d" and
// sdev_gendev "%d:%d:%d:%llu", each the child of the one before) and marks
// each SCSI bus device's first class device of the same name as its
// shost_dev or sdev_dev. busDevice maps a name to the device links name.
func scsiParents(devs []device, busDevice map[string]string, scsiNames map[string]bool) {
	hasClass := map[string]bool{}
	for i := range devs {
		d := &devs[i]
		switch {
		case d.subsystem == "scsi":
			d.devtype = scsiDevtype(d.name)
			if m := scsiTarget.FindStringSubmatch(d.name); m != nil {
				d.parent = scsiBus(busDevice, scsiNames, "host"+m[1])
			} else if m := scsiDevice.FindStringSubmatch(d.name); m != nil {
				d.parent = scsiBus(busDevice, scsiNames, fmt.Sprintf("target%s:%s:%s", m[1], m[2], m[3]))
			}
		case d.class && scsiNames[d.name]:
			d.parent = busDevice[d.name]
			if !hasClass[d.name] {
				hasClass[d.name] = true
				d.subsystem = "scsi_device"
				if strings.HasPrefix(d.name, "host") {
					d.subsystem = "scsi_host"
				}
			}
		}
	}
}

// scsiBus is the id of the SCSI bus device named n, "" if the log has none.
func scsiBus(busDevice map[string]string, scsiNames map[string]bool, n string) string {
	if !scsiNames[n] {
		return ""
	}
	return busDevice[n]
}

// scsiDevtype tells a SCSI bus device's type from its name: hostN, targetH:C:T, H:C:T:L.
func scsiDevtype(n string) string {
	switch {
	case strings.HasPrefix(n, "host"):
		return "scsi_host"
	case strings.HasPrefix(n, "target"):
		return "scsi_target"
	case strings.Count(n, ":") == 3:
		return "scsi_device"
	}
	return ""
}

// rows calls fn with the tab-separated fields of each data row (skipping
// comments and a "seq" header), which must have at least min fields.
func rows(file string, r io.Reader, min int, fn func([]string) error) error {
	return eachLine(file, r, func(_ int, t string) error {
		if comment(t) || strings.HasPrefix(t, "seq\t") {
			return nil
		}
		f := strings.Split(t, "\t")
		for len(f) < min {
			f = append(f, "")
		}
		return fn(f)
	})
}
