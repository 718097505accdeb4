package importer

import (
	"fmt"
	"io"
	"strings"
)

// ReadDevlinks reads a device-link list: either /sys/class/devlink's names
// ("supplier_bus:supplier--consumer_bus:consumer", one per line) or a TSV of
// "supplier_bus supplier consumer_bus consumer sync_state_only status" (the
// AM625 dataset; "?" when unrecorded). Devices are the links' ends, named
// bus:name, with no parents. A sync_state_only bit that is not recorded is
// taken as 0, as fw_devlink creates managed links; a link that would close
// a dependency cycle becomes sync_state_only, as __fw_devlink_relax_cycles()
// makes it. The order puts every supplier before its consumers, ties by name.
func ReadDevlinks(name, file string, r io.Reader) (*Result, error) {
	var links []link
	ids := map[string]string{} // each device's first place in the file
	unknown := 0
	err := eachLine(file, r, func(line int, text string) error {
		t := strings.TrimSpace(text)
		if comment(t) {
			return nil
		}
		var l link
		if s, c, ok := strings.Cut(t, "--"); ok && !strings.Contains(t, "\t") {
			l = link{supplier: s, consumer: c}
		} else {
			f := strings.Split(t, "\t")
			if len(f) < 4 {
				return fmt.Errorf("want supplier_bus, supplier, consumer_bus, consumer")
			}
			l = link{supplier: f[0] + ":" + f[1], consumer: f[2] + ":" + f[3]}
			switch {
			case len(f) < 5 || f[4] == "?":
				unknown++
			case f[4] == "1":
				l.syncStateOnly = true
			}
		}
		if !strings.Contains(l.supplier, ":") || !strings.Contains(l.consumer, ":") {
			return fmt.Errorf("%q is not bus:name--bus:name", t)
		}
		l.pos = fmt.Sprintf("%s:%d", file, line)
		for _, id := range []string{l.supplier, l.consumer} {
			if ids[id] == "" {
				ids[id] = l.pos
			}
		}
		links = append(links, l)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(links) == 0 {
		return nil, fmt.Errorf("%s: no links", file)
	}
	notes := []string{"devices: the links' ends, named bus:name; parents are not in the source"}
	if unknown > 0 {
		notes = append(notes, fmt.Sprintf("sync_state_only not recorded for %d links: taken as 0 (managed links)", unknown))
	}
	relaxed := relaxCycles(links)
	for _, l := range relaxed {
		notes = append(notes, fmt.Sprintf("link %s -> %s closes a dependency cycle: made sync_state_only, as fw_devlink does", l.supplier, l.consumer))
	}
	var devs []device
	for _, id := range sortedKeys(ids) {
		bus, _, _ := strings.Cut(id, ":")
		devs = append(devs, device{id: id, name: id, subsystem: bus, pos: ids[id]})
	}
	notes = append(notes, "devices_kset order: not in the source; every supplier is put before its consumers")
	return build(name, file, suppliersFirst(devs, links), nil, links, notes)
}

// relaxCycles makes sync_state_only every link (in order) that would close
// a cycle of non-sync_state_only links, and returns them.
func relaxCycles(links []link) []link {
	var relaxed []link
	for i := range links {
		if links[i].syncStateOnly {
			continue
		}
		if reaches(links[:i], links[i].consumer, links[i].supplier) {
			links[i].syncStateOnly = true
			relaxed = append(relaxed, links[i])
		}
	}
	return relaxed
}

// reaches reports whether a chain of non-sync_state_only links leads from
// supplier from to consumer to.
func reaches(links []link, from, to string) bool {
	seen := map[string]bool{}
	var walk func(s string) bool
	walk = func(s string) bool {
		if s == to {
			return true
		}
		if seen[s] {
			return false
		}
		seen[s] = true
		for _, l := range links {
			if !l.syncStateOnly && l.supplier == s && walk(l.consumer) {
				return true
			}
		}
		return false
	}
	return walk(from)
}

// suppliersFirst orders devices so that every supplier of a
// non-sync_state_only link comes before its consumer, keeping the given
// order otherwise.
func suppliersFirst(devs []device, links []link) []device {
	placed := map[string]bool{}
	byID := map[string]device{}
	for _, d := range devs {
		byID[d.id] = d
	}
	var out []device
	var place func(id string)
	place = func(id string) {
		if placed[id] {
			return
		}
		placed[id] = true
		for _, l := range links {
			if !l.syncStateOnly && l.consumer == id {
				place(l.supplier)
			}
		}
		out = append(out, byID[id])
	}
	for _, d := range devs {
		place(d.id)
	}
	return out
}
