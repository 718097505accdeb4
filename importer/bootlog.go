package importer

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	err := rows(orderFile, order, 4, func(line int, f []string) error {
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
		d := device{id: id, name: n, subsystem: bus, pos: fmt.Sprintf("%s:%d", orderFile, line)}
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
	if len(devs) == 0 {
		return nil, fmt.Errorf("%s: no devices", orderFile)
	}
	scsiParents(devs, busDevice, scsiNames)
	var links []link
	err = rows(eventsFile, events, 6, func(line int, f []string) error {
		consumer, supplier := busDevice[f[4]], busDevice[f[5]]
		switch f[3] {
		case "link_consumer", "link_sync_state_only":
			if consumer == "" || supplier == "" {
				return fmt.Errorf("link %s -> %s: a device not in the final order", f[5], f[4])
			}
			links = append(links, link{supplier: supplier, consumer: consumer, syncStateOnly: f[3] == "link_sync_state_only",
				pos: fmt.Sprintf("%s:%d", eventsFile, line)})
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
	return build(name, orderFile, devs, registered, links, notes)
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

// rows calls fn with the line number and the tab-separated fields of each
// data row (skipping comments and a "seq" header), padded to min fields.
func rows(file string, r io.Reader, min int, fn func(line int, f []string) error) error {
	return eachLine(file, r, func(line int, t string) error {
		if comment(t) || strings.HasPrefix(t, "seq\t") {
			return nil
		}
		f := strings.Split(t, "\t")
		for len(f) < min {
			f = append(f, "")
		}
		return fn(line, f)
	})
}

// The boot log's two files, as a directory holds them: bare, or both with
// the same PREFIX (testdata/wrt1900acs.devices_kset_final_order.tsv).
const (
	bootlogOrder  = "devices_kset_final_order.tsv"
	bootlogEvents = "events.tsv"
)

// BootlogFiles finds a boot log's order and events files from src: a
// directory that holds devices_kset_final_order.tsv and events.tsv, or one
// pair of them named PREFIX.devices_kset_final_order.tsv and
// PREFIX.events.tsv; the path DIR/PREFIX; or either file itself. prefix is
// PREFIX, "" when the files are bare.
func BootlogFiles(src string) (order, events, prefix string, err error) {
	dir, base := src, ""
	if st, err := os.Stat(src); err != nil || !st.IsDir() {
		dir, base = filepath.Dir(src), filepath.Base(src)
		base = strings.TrimSuffix(strings.TrimSuffix(base, "."+bootlogOrder), "."+bootlogEvents)
		if base == bootlogOrder || base == bootlogEvents {
			base = ""
		}
	} else {
		prefixes, err := bootlogPrefixes(dir)
		if err != nil {
			return "", "", "", err
		}
		switch len(prefixes) {
		case 0:
			return "", "", "", fmt.Errorf("%s: no boot log here (%s and %s, or PREFIX.%s and PREFIX.%s)", src, bootlogOrder, bootlogEvents, bootlogOrder, bootlogEvents)
		case 1:
			base = prefixes[0]
		default:
			var files []string
			for _, p := range prefixes {
				files = append(files, strings.TrimPrefix(p+"."+bootlogOrder, "."))
			}
			return "", "", "", fmt.Errorf("%s: holds several boot logs (%s): name one of the files", src, strings.Join(files, ", "))
		}
	}
	name := func(f string) string {
		if base == "" {
			return filepath.Join(dir, f)
		}
		return filepath.Join(dir, base+"."+f)
	}
	for _, f := range []string{name(bootlogOrder), name(bootlogEvents)} {
		if _, err := os.Stat(f); err != nil {
			return "", "", "", fmt.Errorf("%s: %v", f, err)
		}
	}
	return name(bootlogOrder), name(bootlogEvents), base, nil
}

// bootlogPrefixes lists the boot logs of a directory by prefix ("" for the
// bare pair): the order files with an events file beside them.
func bootlogPrefixes(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		n := e.Name()
		if n == bootlogOrder {
			if _, err := os.Stat(filepath.Join(dir, bootlogEvents)); err == nil {
				out = append(out, "")
			}
			continue
		}
		if p, ok := strings.CutSuffix(n, "."+bootlogOrder); ok {
			if _, err := os.Stat(filepath.Join(dir, p+"."+bootlogEvents)); err == nil {
				out = append(out, p)
			}
		}
	}
	return out, nil
}
