package enumerate

import (
	"fmt"
	"math/bits"
	"slices"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// maxShape is the most devices a shape holds (verify allows 8).
const maxShape = 8

// shape is a topology of the space in compact form: what the enumeration
// varies and nothing else (every device present, registration order =
// devices_kset order, the space's scenario).
type shape struct {
	n      int
	parent [maxShape]int8 // -1: a root
	async  uint16         // bit i: device i is async
	npl    uint16         // bit i: device i has need_parent_lock
	links  []slink        // in enumeration order (slink.less)
}

// slink is one link of a shape.
type slink struct {
	s, c int8
	sso  bool
}

// candidate is the link's place among the enumeration's candidates.
func (l slink) candidate(n int) int {
	c := int(l.s)*2*n + int(l.c)*2
	if l.sso {
		c++
	}
	return c
}

func (sh *shape) sortLinks() {
	slices.SortFunc(sh.links, func(a, b slink) int { return a.candidate(sh.n) - b.candidate(sh.n) })
}

// compare orders shapes of the same size as Space.Each generates them:
// parents (position 0 first, -1 lowest), then the async bits and the
// need_parent_lock bits as numbers, then the links as sequences of
// candidates, a prefix first.
func (a *shape) compare(b *shape) int {
	for i := range a.n {
		if a.parent[i] != b.parent[i] {
			return int(a.parent[i]) - int(b.parent[i])
		}
	}
	if a.async != b.async {
		return int(a.async) - int(b.async)
	}
	if a.npl != b.npl {
		return int(a.npl) - int(b.npl)
	}
	for i := 0; i < len(a.links) && i < len(b.links); i++ {
		if ca, cb := a.links[i].candidate(a.n), b.links[i].candidate(b.n); ca != cb {
			return ca - cb
		}
	}
	return len(a.links) - len(b.links)
}

func (a *shape) equal(b *shape) bool { return a.compare(b) == 0 }

// shapeOf reads a topology of the space; it fails on anything a shape
// cannot say (an absent device, a registration order, more devices).
func shapeOf(t *model.Topology) (*shape, error) {
	n := len(t.Devices)
	if n > maxShape {
		return nil, fmt.Errorf("%d devices: at most %d", n, maxShape)
	}
	if t.Registered != nil {
		return nil, fmt.Errorf("topology %s sets a registration order", t.Name)
	}
	sh := &shape{n: n}
	for i, d := range t.Devices {
		if !d.Present || d.ShutdownMS != 0 {
			return nil, fmt.Errorf("device %s is not one the enumeration makes", d.Name)
		}
		sh.parent[i] = int8(d.Parent)
		if d.Async {
			sh.async |= 1 << i
		}
		if d.NeedParentLock {
			sh.npl |= 1 << i
		}
	}
	for _, l := range t.Links {
		sh.links = append(sh.links, slink{s: int8(l.Supplier), c: int8(l.Consumer), sso: l.SyncStateOnly})
	}
	sh.sortLinks()
	return sh, nil
}

// topology builds the shape's topology under sc; it panics if the shape
// is not valid (the callers make only valid ones).
func (sh *shape) topology(sc model.Scenario) *model.Topology {
	devs := make([]model.Device, sh.n)
	for i := range devs {
		devs[i] = model.Device{Name: fmt.Sprintf("d%d", i), Parent: model.DevID(sh.parent[i]),
			Async: sh.async&(1<<i) != 0, NeedParentLock: sh.npl&(1<<i) != 0, Present: true}
	}
	links := make([]model.Link, len(sh.links))
	for i, l := range sh.links {
		links[i] = model.Link{Supplier: model.DevID(l.s), Consumer: model.DevID(l.c), SyncStateOnly: l.sso}
	}
	t := &model.Topology{Name: name(devs, links), Devices: devs, Links: links, Scenario: sc}
	if err := t.Check(); err != nil {
		panic(fmt.Sprintf("enumerate: made an invalid topology %s: %v", t.Name, err))
	}
	return t
}

// relabel returns the shape with its devices in the order ord (ord[i] is
// the device that goes to position i).
func (sh *shape) relabel(ord []int8) *shape {
	var pos [maxShape]int8
	for i, d := range ord {
		pos[d] = int8(i)
	}
	out := &shape{n: sh.n, links: make([]slink, len(sh.links))}
	for i, d := range ord {
		if p := sh.parent[d]; p >= 0 {
			out.parent[i] = pos[p]
		} else {
			out.parent[i] = -1
		}
		out.async |= (sh.async >> d & 1) << i
		out.npl |= (sh.npl >> d & 1) << i
	}
	for i, l := range sh.links {
		out.links[i] = slink{s: pos[l.s], c: pos[l.c], sso: l.sso}
	}
	out.sortLinks()
	return out
}

// nonRoots returns the devices with a parent.
func (sh *shape) nonRoots() int {
	n := 0
	for i := range sh.n {
		if sh.parent[i] >= 0 {
			n++
		}
	}
	return n
}

// reach returns, for each device, the devices that depend on it directly
// or not (bit set), through parents and the links rel counts.
func (sh *shape) reach(rel func(slink) bool) [maxShape]uint16 {
	var direct, out [maxShape]uint16
	for i := range sh.n {
		if p := sh.parent[i]; p >= 0 {
			direct[p] |= 1 << i
		}
	}
	for _, l := range sh.links {
		if rel(l) {
			direct[l.s] |= 1 << l.c
		}
	}
	// n <= 8: iterate to the fixed point.
	out = direct
	for changed := true; changed; {
		changed = false
		for i := range sh.n {
			acc := out[i]
			for m := out[i]; m != 0; m &= m - 1 {
				acc |= out[bits.TrailingZeros16(m)]
			}
			if acc != out[i] {
				out[i], changed = acc, true
			}
		}
	}
	return out
}
