// Package enumerate generates every topology up to a number of devices, each
// once in canonical form, for bounded proofs (shutdowncheck verify).
//
// A topology's behavior depends on its devices only through their place in
// devices_kset, their parents, flags and links, never through their names.
// The canonical form names devices by position (d0 is the head of
// devices_kset), so isomorphic topologies (the same structure under other
// names) are generated once. Two more normalizations keep every verdict:
// need_parent_lock is never set on a device without a parent (shutdown tests
// it only together with dev->parent), and links are generated in one order
// (a set of links, not a sequence).
package enumerate

import (
	"fmt"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// Space is a family of topologies to enumerate.
type Space struct {
	Devices  int            // exactly this many devices (all present)
	MaxLinks int            // at most this many device links
	Scenario model.Scenario // the scenario every topology carries
}

// Each calls fn with every topology of the space, in a fixed order, each
// passed model.Topology.Check. fn may keep the topology. It stops early and
// returns false when fn returns false.
func (sp Space) Each(fn func(*model.Topology) bool) bool {
	n := sp.Devices
	parents := make([]model.DevID, n)
	var forests func(i int) bool
	forests = func(i int) bool {
		if i == n {
			return sp.flags(parents, fn)
		}
		for p := model.DevID(-1); int(p) < n; p++ {
			if int(p) == i || (p >= 0 && reaches(parents[:i], p, model.DevID(i))) {
				continue
			}
			parents[i] = p
			if !forests(i + 1) {
				return false
			}
		}
		return true
	}
	return forests(0)
}

// reaches reports whether following parents from p (among the devices
// already given one) comes to d: giving d the parent p would close a cycle.
func reaches(parents []model.DevID, p, d model.DevID) bool {
	for steps := 0; p >= 0 && int(p) < len(parents) && steps <= len(parents); steps++ {
		if p == d {
			return true
		}
		p = parents[p]
	}
	return p == d
}

func (sp Space) flags(parents []model.DevID, fn func(*model.Topology) bool) bool {
	n := len(parents)
	var nonRoots []int
	for i, p := range parents {
		if p >= 0 {
			nonRoots = append(nonRoots, i)
		}
	}
	for async := 0; async < 1<<n; async++ {
		for npl := 0; npl < 1<<len(nonRoots); npl++ {
			devs := make([]model.Device, n)
			for i := range devs {
				devs[i] = model.Device{Name: fmt.Sprintf("d%d", i), Parent: parents[i], Async: async&(1<<i) != 0, Present: true}
			}
			for j, i := range nonRoots {
				devs[i].NeedParentLock = npl&(1<<j) != 0
			}
			if !sp.links(devs, nil, 0, fn) {
				return false
			}
		}
	}
	return true
}

// links extends links with every allowed link from candidate index from on,
// up to MaxLinks, calling fn for each set.
func (sp Space) links(devs []model.Device, links []model.Link, from int, fn func(*model.Topology) bool) bool {
	if t := sp.build(devs, links); t != nil && !fn(t) {
		return false
	}
	if len(links) == sp.MaxLinks {
		return true
	}
	n := len(devs)
	for c := from; c < n*n*2; c++ {
		s, con, sso := c/(2*n), (c/2)%n, c%2 == 1
		if s == con {
			continue
		}
		l := model.Link{Supplier: model.DevID(s), Consumer: model.DevID(con), SyncStateOnly: sso}
		if !sp.links(devs, append(links, l), c+1, fn) {
			return false
		}
	}
	return true
}

// build makes the topology, or nil when its links are not allowed
// (a duplicate pair, or a dependency cycle device_link_add() refuses).
func (sp Space) build(devs []model.Device, links []model.Link) *model.Topology {
	t := &model.Topology{Name: name(devs, links), Devices: append([]model.Device(nil), devs...),
		Links: append([]model.Link(nil), links...), Scenario: sp.Scenario}
	if t.Check() != nil {
		return nil
	}
	return t
}

// name is a topology's canonical name: each device's parent position (or
// "-"), flags a (async) and u (need_parent_lock), then the links.
func name(devs []model.Device, links []model.Link) string {
	b := []byte{}
	for i, d := range devs {
		if i > 0 {
			b = append(b, ' ')
		}
		if d.Parent < 0 {
			b = append(b, '-')
		} else {
			b = fmt.Appendf(b, "%d", d.Parent)
		}
		if d.Async {
			b = append(b, 'a')
		}
		if d.NeedParentLock {
			b = append(b, 'u')
		}
	}
	for _, l := range links {
		kind := ">"
		if l.SyncStateOnly {
			kind = "~"
		}
		b = fmt.Appendf(b, " %d%s%d", l.Supplier, kind, l.Consumer)
	}
	return string(b)
}

// Count returns how many topologies Each generates.
func (sp Space) Count() int64 {
	var n int64
	sp.Each(func(*model.Topology) bool { n++; return true })
	return n
}
