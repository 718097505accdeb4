package checker

import (
	"fmt"
	"hash/fnv"
	"math"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

// Coverage estimates how much of the state space a lossy memory mode
// explored: a state whose fingerprint (compact) or bits (bitstate) match a
// visited one's is taken as visited, and its successors may go unexplored.
type Coverage struct {
	Mode     Memory  `json:"mode"`
	Bits     int     `json:"bits,omitempty"`    // bitstate: log2 of the bit array's size
	Fill     float64 `json:"fill,omitempty"`    // bitstate: fraction of bits set at the end
	Omitted  float64 `json:"omitted"`           // expected number of states wrongly taken as visited
	Estimate float64 `json:"estimate"`          // estimated fraction of reachable states explored
	NoMiss   float64 `json:"no_miss,omitempty"` // compact: probability that no state was missed
}

func (c *Coverage) String() string {
	switch c.Mode {
	case MemoryCompact:
		return fmt.Sprintf("hash compaction: probability that no state was missed %.6f", c.NoMiss)
	case MemoryBitstate:
		return fmt.Sprintf("bitstate 2^%d bits, %.2f%% set: estimated coverage %.4f%% (%.1f states expected missed)",
			c.Bits, 100*c.Fill, 100*c.Estimate, c.Omitted)
	}
	return "exact"
}

// fingerprint is the 64-bit FNV-1a hash of a state key: fixed, so runs are
// repeatable.
func fingerprint(key []byte) uint64 {
	h := fnv.New64a()
	h.Write(key)
	return h.Sum64()
}

// fingerprint2 is a second, independent hash (FNV-1) for bitstate's double hashing.
func fingerprint2(key []byte) uint64 {
	h := fnv.New64()
	h.Write(key)
	return h.Sum64()
}

// compactCoverage estimates hash compaction's coverage after n states: the
// chance that two of them share a fingerprint is at most n(n-1)/2^65.
func compactCoverage(n int64) *Coverage {
	p := float64(n) * float64(n-1) / math.Exp2(65)
	return &Coverage{Mode: MemoryCompact, Omitted: p, Estimate: 1 - p/float64(max(n, 1)), NoMiss: math.Max(0, 1-p)}
}

// bitstateSearch is the supertrace search (Holzmann): a depth-first search
// that remembers states only as k = 3 bits of a 2^bits bit array. It
// cannot keep sleep sets, so it explores every transition; a state is
// revisited only if its bits are not all set.
type bitstateSearch struct {
	x       *explorer
	bits    int
	array   []uint64
	set     int64           // bits set
	omitted float64         // expected states missed so far
	onStack map[string]bool // keys of the states on the stack
	stack   []bnode
	key     []byte
	point   scheduler.Point
	top     *bnode // the node whose transitions point.Label names
}

type bnode struct {
	s     *model.State
	key   string
	en    []model.Transition
	order []int
	next  int
}

const bitstateK = 3 // bits per state

func (x *explorer) bitstate(bits int) {
	d := &bitstateSearch{x: x, bits: bits, array: make([]uint64, (uint64(1)<<bits)/64), onStack: map[string]bool{}}
	d.point.Label = func(i int) string { return Label(x.m, d.top.s, d.top.en[i]) }
	d.run()
	fill := d.fill()
	x.coverage = &Coverage{Mode: MemoryBitstate, Bits: bits, Fill: fill, Omitted: d.omitted,
		Estimate: float64(x.stats.States) / (float64(x.stats.States) + d.omitted)}
}

func (d *bitstateSearch) run() {
	init := d.x.m.Initial()
	d.key = init.AppendKey(d.key[:0])
	d.test(d.key)
	d.x.stats.States++
	d.push(init, string(d.key), model.NoThread)
	for len(d.stack) > 0 && d.x.stopped == "" {
		n := &d.stack[len(d.stack)-1]
		d.x.depth = len(d.stack)
		if n.next == len(n.order) {
			delete(d.onStack, n.key)
			d.stack = d.stack[:len(d.stack)-1]
			continue
		}
		d.take(n)
	}
}

// fill is the fraction of bits set.
func (d *bitstateSearch) fill() float64 { return float64(d.set) / float64(uint64(1)<<d.bits) }

// test sets key's bits and reports whether any was not set yet.
func (d *bitstateSearch) test(key []byte) bool {
	m := uint64(1) << d.bits
	h1, h2 := fingerprint(key), fingerprint2(key)|1 // double hashing: h1 + i*h2
	fresh := false
	for i := uint64(0); i < bitstateK; i++ {
		b := (h1 + i*h2) & (m - 1)
		if d.array[b/64]&(1<<(b%64)) == 0 {
			d.array[b/64] |= 1 << (b % 64)
			d.set++
			fresh = true
		}
	}
	return fresh
}

// push adds s to the stack, unless nothing can run there.
func (d *bitstateSearch) push(s *model.State, key string, last model.TID) {
	en := d.x.r.Enabled(s, nil)
	if len(en) == 0 {
		d.x.end(s)
		return
	}
	d.stack = append(d.stack, bnode{s: s, key: key, en: en})
	n := &d.stack[len(d.stack)-1]
	d.top = n
	d.point.Enabled, d.point.Last, d.point.Depth = en, last, len(d.stack)-1
	n.order = append(n.order, d.x.sched.Pick(&d.point)...)
	d.onStack[key] = true
}

// take runs n's next transition (n is the top node) and pushes the state
// it leads to, unless its bits were all set or it ends the run.
func (d *bitstateSearch) take(n *bnode) {
	x, depth := d.x, len(d.stack)-1
	tr := n.en[n.order[n.next]]
	n.next++
	post := n.s.Clone()
	x.trs, x.evs = x.trs[:depth], x.evs[:depth]
	x.step(post, tr)
	if !x.tick() {
		return
	}
	d.key = post.AppendKey(d.key[:0])
	if d.onStack[string(d.key)] {
		x.hang(post, cycleMessage)
		return
	}
	fill := d.fill()
	if !d.test(d.key) {
		return // all its bits were set: taken as visited
	}
	// A new state whose bits had all been set would have been lost: count
	// the chance that happened to a state like this one.
	d.omitted += math.Pow(fill, bitstateK) / (1 - math.Pow(fill, bitstateK))
	x.stats.States++
	if depth+1 >= x.opt.MaxSteps {
		x.hang(post, fmt.Sprintf("the run exceeds %d steps without finishing", x.opt.MaxSteps))
		return
	}
	d.push(post, string(d.key), tr.Thread)
}
