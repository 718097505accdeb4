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

// bitstate is the supertrace search (Holzmann): a depth-first search that
// remembers states only as k = 3 bits of a 2^bits bit array. It cannot
// keep sleep sets, so it explores every transition; a state is revisited
// only if its bits are not all set.
func (x *explorer) bitstate(bits int) {
	const k = 3
	m := uint64(1) << bits
	array := make([]uint64, m/64)
	var set int64       // bits set
	var omitted float64 // expected states missed so far
	test := func(key []byte) bool {
		h1, h2 := fingerprint(key), fingerprint2(key)|1 // double hashing: h1 + i*h2
		fresh := false
		for i := uint64(0); i < k; i++ {
			b := (h1 + i*h2) & (m - 1)
			if array[b/64]&(1<<(b%64)) == 0 {
				array[b/64] |= 1 << (b % 64)
				set++
				fresh = true
			}
		}
		return fresh
	}
	onStack := map[string]bool{}
	type bnode struct {
		s     *model.State
		key   string
		en    []model.Transition
		order []int
		next  int
	}
	var stack []bnode
	point := &scheduler.Point{}
	var top *bnode
	point.Label = func(i int) string { return Label(x.m, top.s, top.en[i]) }
	push := func(s *model.State, key string, last model.TID) {
		en := x.r.Enabled(s, nil)
		if len(en) == 0 {
			x.end(s)
			return
		}
		n := bnode{s: s, key: key, en: en}
		top = &n
		point.Enabled, point.Last, point.Depth = en, last, len(stack)
		n.order = append(n.order, x.sched.Pick(point)...)
		stack = append(stack, n)
		onStack[key] = true
	}
	var keyBuf []byte
	init := x.m.Initial()
	keyBuf = init.AppendKey(keyBuf[:0])
	test(keyBuf)
	x.stats.States++
	push(init, string(keyBuf), model.NoThread)
	for len(stack) > 0 && x.stopped == "" {
		d := len(stack) - 1
		n := &stack[d]
		x.depth = len(stack)
		if n.next == len(n.order) {
			delete(onStack, n.key)
			stack = stack[:d]
			continue
		}
		tr := n.en[n.order[n.next]]
		n.next++
		post := n.s.Clone()
		x.trs, x.evs = x.trs[:d], x.evs[:d]
		x.step(post, tr)
		if !x.tick() {
			break
		}
		keyBuf = post.AppendKey(keyBuf[:0])
		if onStack[string(keyBuf)] {
			x.hang(post, cycleMessage)
			continue
		}
		fill := float64(set) / float64(m)
		if !test(keyBuf) {
			continue // all its bits were set: taken as visited
		}
		// A new state whose bits had all been set would have been lost:
		// count the chance that happened to a state like this one.
		omitted += math.Pow(fill, k) / (1 - math.Pow(fill, k))
		x.stats.States++
		if d+1 >= x.opt.MaxSteps {
			x.hang(post, fmt.Sprintf("the run exceeds %d steps without finishing", x.opt.MaxSteps))
			continue
		}
		push(post, string(keyBuf), tr.Thread)
	}
	fill := float64(set) / float64(m)
	x.coverage = &Coverage{Mode: MemoryBitstate, Bits: bits, Fill: fill, Omitted: omitted,
		Estimate: float64(x.stats.States) / (float64(x.stats.States) + omitted)}
}
