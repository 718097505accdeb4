package enumerate

import (
	"fmt"
	"math/bits"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// Classes is a space of topologies split into classes of topologies with
// the same verdicts under one version, by Rules (see Rule). Each
// generates one representative per class, directly: it never makes
// need_parent_lock flags (IgnoreNeedParentLock) nor links a rule drops
// (DropSyncStateOnly, DropParentLinks), and of the devices_kset orders
// SwapUnrelated makes equivalent it keeps the first in enumeration order,
// telling it from the others by a pruned search of the orders. Each
// representative comes with its class's size: the reported counts are
// those of the full space.
type Classes struct {
	Space
	Rules Rules
	// Variant is the version's name: whether it orders devices through
	// sync_state_only links (v8) decides which links relate devices
	// (SwapUnrelated) and which a rule drops.
	Variant string

	facts *classFacts // what Variant and Scenario say, computed once per call
}

// classFacts is what the rules need of the version and scenario.
type classFacts struct {
	bySSO        bool // ordersBySyncStateOnly
	skip, waited bool // mainLoopFacts
}

// prepared returns c with its facts computed.
func (c Classes) prepared() Classes {
	if c.facts == nil {
		skip, waited := mainLoopFacts(c.Variant, c.Scenario)
		c.facts = &classFacts{bySSO: ordersBySyncStateOnly(c.Variant), skip: skip, waited: waited}
	}
	return c
}

// NewClasses returns the classes of sp for variant, with the rules sound
// for it under sp's scenario (RulesFor).
func NewClasses(sp Space, variant string) Classes {
	return Classes{Space: sp, Rules: RulesFor(variant, sp.Scenario), Variant: variant}
}

// related reports whether link l relates its ends for SwapUnrelated.
func (c Classes) related(l slink) bool { return !l.sso || c.facts.bySSO }

// droppable reports whether a rule drops link l of sh.
func (c Classes) droppable(sh *shape, l slink) bool {
	bySSO := c.facts.bySSO
	switch {
	case c.Rules.Has(DropSyncStateOnly) && l.sso && !bySSO:
		return true
	case c.Rules.Has(DropParentLinks) && sh.parent[l.c] == l.s && (!l.sso || bySSO):
		return true
	}
	return false
}

// reduce returns sh without what the rules ignore: need_parent_lock flags
// and droppable links.
func (c Classes) reduce(sh *shape) *shape {
	out := *sh
	out.links = nil
	if c.Rules.Has(IgnoreNeedParentLock) {
		out.npl = 0
	}
	for _, l := range sh.links {
		if !c.droppable(sh, l) {
			out.links = append(out.links, l)
		}
	}
	return &out
}

// Each calls fn with the representative of every class of the space, in
// enumeration order, and the size of its class, until fn returns false.
// The representatives passed model.Topology.Check.
func (c Classes) Each(fn func(rep *model.Topology, size int64) bool) bool {
	c = c.prepared()
	return c.eachShape(func(sh *shape, size func() int64) bool { return fn(sh.topology(c.Scenario), size()) })
}

// EachLazy is Each for callers that skip most representatives (a shard):
// fn gets functions that build the representative and count its class
// (about a third of the walk at 6 devices), valid until fn returns.
func (c Classes) EachLazy(fn func(rep func() *model.Topology, size func() int64) bool) bool {
	c = c.prepared()
	return c.eachShape(func(sh *shape, size func() int64) bool {
		return fn(func() *model.Topology { return sh.topology(c.Scenario) }, size)
	})
}

func (c Classes) eachShape(fn func(sh *shape, size func() int64) bool) bool {
	c = c.prepared()
	n := c.Devices
	sh := &shape{n: n}
	var forests func(i int) bool
	forests = func(i int) bool {
		if i == n {
			return c.flags(sh, fn)
		}
		for p := int8(-1); int(p) < n; p++ {
			if int(p) == i || (p >= 0 && reachesShape(sh.parent[:i], p, int8(i))) {
				continue
			}
			sh.parent[i] = p
			if !forests(i + 1) {
				return false
			}
		}
		return true
	}
	return forests(0)
}

func reachesShape(parents []int8, p, d int8) bool {
	for steps := 0; p >= 0 && int(p) < len(parents) && steps <= len(parents); steps++ {
		if p == d {
			return true
		}
		p = parents[p]
	}
	return p == d
}

func (c Classes) flags(sh *shape, fn func(*shape, func() int64) bool) bool {
	n := sh.n
	var nonRootMask uint16
	for i := range n {
		if sh.parent[i] >= 0 {
			nonRootMask |= 1 << i
		}
	}
	for async := 0; async < 1<<n; async++ {
		sh.async = uint16(async)
		if !eachSubset(nonRootMask, !c.Rules.Has(IgnoreNeedParentLock), func(npl uint16) bool {
			sh.npl = npl
			sh.links = sh.links[:0]
			return c.links(sh, 0, fn)
		}) {
			return false
		}
	}
	return true
}

// eachSubset calls fn with every subset of mask in increasing order (all:
// false: the empty one only), until fn returns false.
func eachSubset(mask uint16, all bool, fn func(uint16) bool) bool {
	if !all {
		return fn(0)
	}
	// Subsets in the order of the enumeration's counter over the bits of
	// mask: the counter's bit j is mask's j-th set bit.
	k := bits.OnesCount16(mask)
	var pos [16]int
	for i, j := 0, 0; i < 16; i++ {
		if mask&(1<<i) != 0 {
			pos[j] = i
			j++
		}
	}
	for x := 0; x < 1<<k; x++ {
		var s uint16
		for j := range k {
			if x&(1<<j) != 0 {
				s |= 1 << pos[j]
			}
		}
		if !fn(s) {
			return false
		}
	}
	return true
}

// links extends sh's links with every link no rule drops, from candidate
// from on, calling fn for each class representative.
func (c Classes) links(sh *shape, from int, fn func(*shape, func() int64) bool) bool {
	if !c.valid(sh) {
		return true // and so is every extension
	}
	if o, ok := c.represents(sh); ok && !fn(sh, func() int64 { return c.classSize(sh, o) }) {
		return false
	}
	if len(sh.links) == c.MaxLinks {
		return true
	}
	n := sh.n
	for cand := from; cand < n*n*2; cand++ {
		l := slink{s: int8(cand / (2 * n)), c: int8((cand / 2) % n), sso: cand%2 == 1}
		if l.s == l.c || c.droppable(sh, l) {
			continue
		}
		sh.links = append(sh.links, l)
		ok := c.links(sh, cand+1, fn)
		sh.links = sh.links[:len(sh.links)-1]
		if !ok {
			return false
		}
	}
	return true
}

// valid reports what model.Topology.Check would of a shape whose forest
// is valid: no two links between the same supplier and consumer, and no
// cycle of parents and non-sync_state_only links (device_link_add()
// refuses one).
func (c Classes) valid(sh *shape) bool {
	for i, a := range sh.links {
		for _, b := range sh.links[:i] {
			if a.s == b.s && a.c == b.c {
				return false
			}
		}
	}
	r := sh.reach(func(l slink) bool { return !l.sso })
	for i := range sh.n {
		if r[i]&(1<<i) != 0 {
			return false
		}
	}
	return true
}

// represents reports whether the reduced shape sh represents its class
// (no other order of devices_kset does), with the orders classSize counts
// (nil without SwapUnrelated).
func (c Classes) represents(sh *shape) (*orders, bool) {
	if !c.Rules.Has(SwapUnrelated) {
		return nil, true
	}
	o := c.newOrders(sh)
	return o, !o.smaller()
}

// classSize returns the size of the class the reduced shape sh represents
// (o: from represents).
func (c Classes) classSize(sh *shape, o *orders) int64 {
	orders := int64(1)
	if o != nil {
		orders = o.extensions() / o.automorphisms()
	}
	return orders * c.decorations(sh)
}

// decorations counts the topologies that reduce to the reduced shape sh:
// every need_parent_lock setting of its non-roots (IgnoreNeedParentLock),
// times every set of droppable links that fits in MaxLinks, on pairs of
// devices no link of sh uses.
func (c Classes) decorations(sh *shape) int64 {
	npl := int64(1)
	if c.Rules.Has(IgnoreNeedParentLock) {
		npl = 1 << sh.nonRoots()
	}
	// ways[j]: how many sets of j droppable links.
	room := c.MaxLinks - len(sh.links)
	var ways [maxShape*maxShape + 1]int64
	ways[0] = 1
	for s := range sh.n {
		for d := range sh.n {
			if s == d || sh.hasPair(int8(s), int8(d)) {
				continue
			}
			w := int64(0)
			for _, sso := range []bool{false, true} {
				if c.droppable(sh, slink{s: int8(s), c: int8(d), sso: sso}) {
					w++
				}
			}
			for j := room; j >= 1 && w > 0; j-- {
				ways[j] += ways[j-1] * w
			}
		}
	}
	var sum int64
	for _, w := range ways[:room+1] {
		sum += w
	}
	return npl * sum
}

func (sh *shape) hasPair(s, d int8) bool {
	for _, l := range sh.links {
		if l.s == s && l.c == d {
			return true
		}
	}
	return false
}

// orders explores the orders of devices_kset that SwapUnrelated makes
// equivalent to a shape's: those that keep the relative order of every
// two devices that are not independent (see SwapUnrelated).
type orders struct {
	sh   *shape
	pred [maxShape]uint16 // devices before each one that it may not pass
}

func (c Classes) newOrders(sh *shape) *orders {
	o := &orders{sh: sh}
	r := sh.reach(c.related)
	skip, waited := c.facts.skip, c.facts.waited
	async := func(d int) bool { return sh.async&(1<<d) != 0 }
	// never: d never reaches the main loop; waits: d may make it wait.
	var never, waits [maxShape]bool
	for d := range sh.n {
		never[d] = skip && async(d)
	}
	for d := range sh.n {
		if p := sh.parent[d]; p >= 0 && async(d) && waited && !never[p] {
			waits[p] = true
		}
	}
	for _, l := range sh.links {
		if c.related(l) && async(int(l.c)) && waited && !never[l.s] {
			waits[l.s] = true
		}
	}
	for a := range sh.n {
		for b := range a {
			related := r[a]&(1<<b) != 0 || r[b]&(1<<a) != 0
			independent := !related && (never[a] || never[b] || !waits[a] && !waits[b])
			if !independent {
				o.pred[a] |= 1 << b
			}
		}
	}
	return o
}

// extensions counts the orders (linear extensions), by dynamic
// programming over the sets of devices placed first.
func (o *orders) extensions() int64 {
	n := o.sh.n
	var count [1 << maxShape]int64
	count[0] = 1
	for set := range 1 << n {
		if count[set] == 0 {
			continue
		}
		for d := range n {
			if set&(1<<d) == 0 && o.pred[d]&^uint16(set) == 0 {
				count[set|1<<d] += count[set]
			}
		}
	}
	return count[1<<n-1]
}

// action is what a search over orders does after visiting one.
type action uint8

const (
	descend action = iota // go on placing devices after this prefix
	prune                 // skip every order with this prefix
	stop                  // end the whole search
)

// search walks the orders depth first, placing one device per position.
// visit sees each prefix (complete: a whole order) with the sign of the
// comparison of its parents with target's over the decided prefix (see
// prefixSign). For a complete order, descend and prune both go on with
// the next one.
func (o *orders) search(target *shape, visit func(ord []int8, sign int, complete bool) action) {
	n := o.sh.n
	var ord [maxShape]int8
	var pos [maxShape]int8
	for i := range pos {
		pos[i] = -1
	}
	var rec func(i int, placed uint16) bool
	rec = func(i int, placed uint16) bool {
		for d := range n {
			if placed&(1<<d) != 0 || o.pred[d]&^placed != 0 {
				continue
			}
			ord[i], pos[d] = int8(d), int8(i)
			sign := o.prefixSign(target, ord[:i+1], &pos)
			a := visit(ord[:i+1], sign, i+1 == n)
			if a == descend && i+1 < n {
				if !rec(i+1, placed|1<<d) {
					a = stop
				}
			}
			pos[d] = -1
			if a == stop {
				return false
			}
		}
		return true
	}
	rec(0, 0)
}

// prefixSign compares the parents of the partial order ord (pos: where
// each placed device went, -1 elsewhere) with target's, position by
// position, as far as they are decided: -1 smaller, +1 larger, 0 equal so
// far. A position whose parent is not placed yet is decided only when
// target's parent there comes before every position not yet filled (then
// larger): the parent will go to one of those.
func (o *orders) prefixSign(target *shape, ord []int8, pos *[maxShape]int8) int {
	for i, d := range ord {
		t := target.parent[i]
		v := o.sh.parent[d]
		if v >= 0 {
			if v = pos[v]; v < 0 {
				if int(t) < len(ord) {
					return +1
				}
				return 0
			}
		}
		if v != t {
			if v < t {
				return -1
			}
			return +1
		}
	}
	return 0
}

// smaller reports whether another order gives a shape that comes before
// o.sh in enumeration order.
func (o *orders) smaller() bool {
	found := false
	o.search(o.sh, func(ord []int8, sign int, complete bool) action {
		switch {
		case sign < 0:
			found = true
			return stop
		case sign > 0:
			return prune
		case !complete:
			return descend
		}
		if o.sh.relabel(ord).compare(o.sh) < 0 {
			found = true
			return stop
		}
		return prune
	})
	return found
}

// automorphisms counts the orders that give o.sh itself.
func (o *orders) automorphisms() int64 {
	var n int64
	o.search(o.sh, func(ord []int8, sign int, complete bool) action {
		switch {
		case sign != 0:
			return prune
		case !complete:
			return descend
		}
		if o.sh.relabel(ord).equal(o.sh) {
			n++
		}
		return prune
	})
	return max(n, 1)
}

// min returns the first shape in enumeration order among those the
// orders give.
func (o *orders) min() *shape {
	best := o.sh
	o.search(o.sh, func(ord []int8, _ int, complete bool) action {
		if complete {
			if r := o.sh.relabel(ord); r.compare(best) < 0 {
				best = r
			}
		}
		return descend
	})
	return best
}

// all calls fn with every distinct shape the orders give, until fn
// returns false.
func (o *orders) all(fn func(*shape) bool) bool {
	var seen []*shape
	ok := true
	o.search(o.sh, func(ord []int8, _ int, complete bool) action {
		if !complete {
			return descend
		}
		r := o.sh.relabel(ord)
		for _, s := range seen {
			if s.equal(r) {
				return descend
			}
		}
		seen = append(seen, r)
		if !fn(r) {
			ok = false
			return stop
		}
		return descend
	})
	return ok
}

// Canonical returns the representative of t's class (t must be a topology
// of the space: as Space.Each makes them, with the space's device count and
// at most MaxLinks links).
func (c Classes) Canonical(t *model.Topology) (*model.Topology, error) {
	c = c.prepared()
	sh, err := c.shapeIn(t)
	if err != nil {
		return nil, err
	}
	return c.canonical(sh).topology(c.Scenario), nil
}

func (c Classes) canonical(sh *shape) *shape {
	r := c.reduce(sh)
	if c.Rules.Has(SwapUnrelated) {
		r = c.newOrders(r).min()
	}
	return r
}

func (c Classes) shapeIn(t *model.Topology) (*shape, error) {
	sh, err := shapeOf(t)
	if err != nil {
		return nil, err
	}
	if sh.n != c.Devices || len(sh.links) > c.MaxLinks {
		return nil, fmt.Errorf("topology %s is not in the space of %d devices and at most %d links", t.Name, c.Devices, c.MaxLinks)
	}
	for i := range sh.n {
		if sh.parent[i] < 0 && sh.npl&(1<<i) != 0 {
			return nil, fmt.Errorf("topology %s sets need_parent_lock on a root: not in the space", t.Name)
		}
	}
	return sh, nil
}

// Members calls fn with every topology of the class that rep (as Each
// gives it) represents, until fn returns false.
func (c Classes) Members(rep *model.Topology, fn func(*model.Topology) bool) bool {
	c = c.prepared()
	sh, err := c.shapeIn(rep)
	if err != nil {
		panic(err)
	}
	return c.members(sh, func(m *shape) bool { return fn(m.topology(c.Scenario)) })
}

func (c Classes) members(rep *shape, fn func(*shape) bool) bool {
	each := func(r *shape) bool { return c.decorate(r, fn) }
	if c.Rules.Has(SwapUnrelated) {
		return c.newOrders(rep).all(each)
	}
	return each(rep)
}

// decorate calls fn with every shape that reduces to the reduced shape r.
func (c Classes) decorate(r *shape, fn func(*shape) bool) bool {
	var nonRootMask uint16
	for i := range r.n {
		if r.parent[i] >= 0 {
			nonRootMask |= 1 << i
		}
	}
	var extra []slink
	for s := range r.n {
		for d := range r.n {
			for _, sso := range []bool{false, true} {
				l := slink{s: int8(s), c: int8(d), sso: sso}
				if s != d && !r.hasPair(l.s, l.c) && c.droppable(r, l) {
					extra = append(extra, l)
				}
			}
		}
	}
	room := c.MaxLinks - len(r.links)
	return eachSubset(nonRootMask, c.Rules.Has(IgnoreNeedParentLock), func(npl uint16) bool {
		var rec func(from int, added []slink) bool
		rec = func(from int, added []slink) bool {
			m := *r
			m.npl = npl
			if !c.Rules.Has(IgnoreNeedParentLock) {
				m.npl = r.npl
			}
			m.links = append(append([]slink(nil), r.links...), added...)
			m.sortLinks()
			if !fn(&m) {
				return false
			}
			if len(added) == room {
				return true
			}
			for i := from; i < len(extra); i++ {
				dup := false
				for _, a := range added {
					dup = dup || (a.s == extra[i].s && a.c == extra[i].c)
				}
				if !dup && !rec(i+1, append(added, extra[i])) {
					return false
				}
			}
			return true
		}
		return rec(0, nil)
	})
}

// Count returns how many classes there are and how many topologies they
// hold (the full space's count).
func (c Classes) Count() (classes, topologies int64) {
	c.eachShape(func(_ *shape, size func() int64) bool {
		classes++
		topologies += size()
		return true
	})
	return classes, topologies
}
