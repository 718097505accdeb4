// Package importer writes topologies from real machines: a live /sys, and
// the datasets in testdata/ (sysfs walks saved as TSV, a boot log with the
// exact devices_kset order, fw_devlink link lists; see testdata/SOURCES.md). Each format is
// one file; what they share (which devices the series makes async, which
// need their parent's lock, how long a shutdown callback takes by default,
// how names are shortened, how an order is derived) is here and in rules.go.
package importer

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// device is one struct device as a source describes it.
type device struct {
	id        string // unique in the source: a sysfs path, or bus:name
	parent    string // the parent's id, "" for a root
	name      string // the kernel's name for it (the last path element)
	subsystem string // bus or class name, "" if none
	class     bool   // a class device (not a bus device)
	driver    string
	devtype   string
	pos       string // where the source describes it: "file:line" or a sysfs path
}

// link is a device link between two ids.
type link struct {
	supplier, consumer string
	syncStateOnly      bool
	pos                string // where the source records it: "file:line" or a sysfs path
}

// Result is an imported topology and what the import could not know.
type Result struct {
	Topology *model.Topology
	// Notes say how the source was read: what it lacks and what was
	// inferred. They go at the head of the topology file.
	Notes []string
}

// build makes the topology: devices in the given devices_kset order (head
// first), with the series' rules applied. registered, when the source shows
// it, is the registration order (which decides klist_children order); nil
// means the devices_kset order. An error names the device's or link's
// place in the source, or src when it concerns no one place.
func build(name, src string, devs, registered []device, links []link, notes []string) (*Result, error) {
	if len(devs) == 0 {
		return nil, fmt.Errorf("%s: no devices", src)
	}
	index := map[string]int{}
	for i, d := range devs {
		if j, dup := index[d.id]; dup {
			return nil, fmt.Errorf("%s: device %q listed twice (first at %s)", d.pos, d.id, devs[j].pos)
		}
		index[d.id] = i
	}
	names := shortNames(devs)
	top := &model.Topology{Name: name, Scenario: model.DefaultScenario()}
	for i, d := range devs {
		md := model.Device{Name: names[i], Parent: model.NoDev, Present: true, Async: wantsAsync(d),
			NeedParentLock: needParentLock(d), ShutdownMS: shutdownMS(d)}
		if d.parent != "" {
			p, ok := index[d.parent]
			if !ok {
				return nil, fmt.Errorf("%s: device %q has unknown parent %q", d.pos, d.id, d.parent)
			}
			md.Parent = model.DevID(p)
		} else {
			md.NeedParentLock = false // shutdown tests it only together with dev->parent
		}
		top.Devices = append(top.Devices, md)
	}
	first := map[[2]string]string{}
	for _, l := range links {
		s, ok1 := index[l.supplier]
		c, ok2 := index[l.consumer]
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%s: link %s -> %s names an unknown device", l.pos, l.supplier, l.consumer)
		}
		if pos, dup := first[[2]string{l.supplier, l.consumer}]; dup {
			return nil, fmt.Errorf("%s: duplicate link %s -> %s (first at %s)", l.pos, names[s], names[c], pos)
		}
		first[[2]string{l.supplier, l.consumer}] = l.pos
		top.Links = append(top.Links, model.Link{Supplier: model.DevID(s), Consumer: model.DevID(c), SyncStateOnly: l.syncStateOnly})
	}
	if registered != nil {
		top.Registered = make([]model.DevID, len(registered))
		inOrder := true
		for i, d := range registered {
			top.Registered[i] = model.DevID(index[d.id])
			inOrder = inOrder && index[d.id] == i
		}
		if inOrder {
			top.Registered = nil
		}
	}
	if err := top.Check(); err != nil {
		return nil, placeError(err, src, devs, links)
	}
	return &Result{Topology: top, Notes: notes}, nil
}

// placeError prefixes what Topology.Check refuses with the place in the
// source of the device or link it is about.
func placeError(err error, src string, devs []device, links []link) error {
	var te *model.TopologyError
	switch {
	case !errors.As(err, &te):
	case te.Link >= 0 && te.Link < len(links) && links[te.Link].pos != "":
		return fmt.Errorf("%s: %w", links[te.Link].pos, err)
	case te.Device >= 0 && te.Device < len(devs) && devs[te.Device].pos != "":
		return fmt.Errorf("%s: %w", devs[te.Device].pos, err)
	}
	return fmt.Errorf("%s: %w", src, err)
}

// parentCycle returns the first device (in the source's order) that is its
// own ancestor, and the cycle from it, or nil.
func parentCycle(devs []device) (*device, []string) {
	byID := make(map[string]*device, len(devs))
	for i := range devs {
		byID[devs[i].id] = &devs[i]
	}
	for i := range devs {
		d := &devs[i]
		path := []string{d.id}
		seen := map[string]bool{d.id: true}
		for p := byID[d.parent]; p != nil; p = byID[p.parent] {
			path = append(path, p.id)
			if p.id == d.id {
				return d, path
			}
			if seen[p.id] {
				break // a cycle d leads into but is not on
			}
			seen[p.id] = true
		}
	}
	return nil, nil
}

// shortNames names each device by its kernel name, made longer with its
// parents' names (a/b/c) only where that is needed to be unique. Siblings
// of the same name (a bus device's class devices, roots of a source without
// parents) are numbered first: name, name#2, name#3, so that the full paths
// are unique and qualifying always ends.
func shortNames(devs []device) []string {
	byID := map[string]device{}
	siblings := map[[2]string]int{}
	for _, d := range devs {
		key := [2]string{d.parent, d.name}
		siblings[key]++
		if n := siblings[key]; n > 1 {
			d.name = fmt.Sprintf("%s#%d", d.name, n)
		}
		byID[d.id] = d
	}
	qualified := func(d device, depth int) string {
		n := d.name
		for p := d.parent; depth > 0 && p != ""; depth-- {
			n = byID[p].name + "/" + n
			p = byID[p].parent
		}
		return n
	}
	out := make([]string, len(devs))
	depth := make([]int, len(devs))
	for {
		seen := map[string][]int{}
		for i, d := range devs {
			out[i] = qualified(byID[d.id], depth[i])
			seen[out[i]] = append(seen[out[i]], i)
		}
		again := false
		for _, is := range seen {
			if len(is) < 2 {
				continue
			}
			for _, i := range is {
				depth[i]++
				again = true
			}
		}
		if !again {
			return out
		}
	}
}

// parentsFirst orders devices so that every parent comes before its
// children, keeping the source's order otherwise (a stable topological
// sort): the order device_add() gives when nothing is reordered.
func parentsFirst(devs []device) []device {
	placed := map[string]bool{}
	out := make([]device, 0, len(devs))
	var place func(d device, byID map[string]device)
	place = func(d device, byID map[string]device) {
		if placed[d.id] {
			return
		}
		placed[d.id] = true // before its parents: a parent cycle ends here (callers refuse them)
		if p, ok := byID[d.parent]; ok {
			place(p, byID)
		}
		out = append(out, d)
	}
	byID := map[string]device{}
	for _, d := range devs {
		byID[d.id] = d
	}
	for _, d := range devs {
		place(d, byID)
	}
	return out
}

// reorderToTail applies device_link_add()'s device_reorder_to_tail() for
// each non-sync_state_only link, in order: the consumer, its descendants and
// (recursively) their consumers move to the tail of devices_kset.
func reorderToTail(devs []device, links []link) []device {
	for _, l := range links {
		if l.syncStateOnly {
			continue
		}
		moved := map[string]bool{}
		var collect func(id string)
		collect = func(id string) {
			if moved[id] {
				return
			}
			moved[id] = true
			for _, d := range devs {
				if d.parent == id {
					collect(d.id)
				}
			}
			for _, m := range links {
				if !m.syncStateOnly && m.supplier == id {
					collect(m.consumer)
				}
			}
		}
		collect(l.consumer)
		var stay, tail []device
		for _, d := range devs {
			if moved[d.id] {
				tail = append(tail, d)
			} else {
				stay = append(stay, d)
			}
		}
		devs = append(stay, tail...)
	}
	return devs
}

// eachLine calls fn with every line of r and its number (from 1). An error
// fn returns comes back as "file:line: error"; a read error as "file: error".
func eachLine(file string, r io.Reader, fn func(line int, text string) error) error {
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		if err := fn(line, sc.Text()); err != nil {
			return fmt.Errorf("%s:%d: %w", file, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

// comment reports whether a line is blank or a "#" comment.
func comment(text string) bool {
	return strings.HasPrefix(text, "#") || strings.TrimSpace(text) == ""
}

// baseName is the last element of a sysfs path.
func baseName(p string) string { return path.Base(p) }

// sortedKeys returns a map's keys sorted: for output that must not depend
// on map order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// trimDevices makes a sysfs path relative to /sys/devices.
func trimDevices(p string) string { return strings.TrimPrefix(p, "/devices/") }
