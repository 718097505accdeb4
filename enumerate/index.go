package enumerate

import (
	"fmt"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// Indexer tells each topology of a Space its place in Space.Each's order,
// and the size of the space, without enumerating it: a bounded proof over
// classes reports its smallest counterexamples by their place in the full
// enumeration, so that they are the ones a full proof reports. The order
// is: forests (parents, position 0 first, a root first), then the async
// bits, then need_parent_lock over the non-roots, then the link sets in
// the order of the enumeration's recursion; a forest's block holds
// 2^devices x 2^non-roots x (its link sets) topologies.
type Indexer struct {
	sp      Space
	forests map[[maxShape]int8]*forestBlock
	total   int64
}

type forestBlock struct {
	offset   int64
	linkSets int64
	ranks    map[uint32]int64 // link set (linkKey) -> rank, made on demand
}

// NewIndexer counts the link sets of every forest of sp (the costly part:
// the link sets of each forest are generated, not the topologies).
func NewIndexer(sp Space) *Indexer {
	ix := &Indexer{sp: sp, forests: map[[maxShape]int8]*forestBlock{}}
	c := Classes{Space: sp, Variant: ""}
	sh := &shape{n: sp.Devices}
	var forests func(i int)
	forests = func(i int) {
		if i == sh.n {
			var sets int64
			c.linkSets(sh, 0, func() { sets++ })
			ix.forests[sh.parent] = &forestBlock{offset: ix.total, linkSets: sets}
			ix.total += int64(1) << sh.n << sh.nonRoots() * sets
			return
		}
		for p := int8(-1); int(p) < sh.n; p++ {
			if int(p) == i || (p >= 0 && reachesShape(sh.parent[:i], p, int8(i))) {
				continue
			}
			sh.parent[i] = p
			forests(i + 1)
		}
	}
	forests(0)
	return ix
}

// Total is the number of topologies in the space (Space.Count).
func (ix *Indexer) Total() int64 { return ix.total }

// Index returns t's place in the space's enumeration.
func (ix *Indexer) Index(t *model.Topology) (int64, error) {
	sh, err := shapeOf(t)
	if err != nil {
		return 0, err
	}
	fb := ix.forests[sh.parent]
	if sh.n != ix.sp.Devices || fb == nil || len(sh.links) > ix.sp.MaxLinks {
		return 0, fmt.Errorf("topology %s is not in the space", t.Name)
	}
	if fb.ranks == nil {
		fb.ranks = map[uint32]int64{}
		f := *sh
		f.links = nil
		var rank int64
		Classes{Space: ix.sp}.linkSets(&f, 0, func() {
			fb.ranks[linkKey(&f)] = rank
			rank++
		})
	}
	rank, ok := fb.ranks[linkKey(sh)]
	if !ok {
		return 0, fmt.Errorf("topology %s: its links are not a set the enumeration makes", t.Name)
	}
	nonRoots := sh.nonRoots()
	var npl int64
	j := 0
	for i := range sh.n {
		if sh.parent[i] >= 0 {
			if sh.npl&(1<<i) != 0 {
				npl |= 1 << j
			}
			j++
		} else if sh.npl&(1<<i) != 0 {
			return 0, fmt.Errorf("topology %s: need_parent_lock on a root", t.Name)
		}
	}
	return fb.offset + ((int64(sh.async)<<nonRoots)+npl)*fb.linkSets + rank, nil
}

// linkKey packs a shape's links (at most 4, candidates below 255).
func linkKey(sh *shape) uint32 {
	var k uint32
	for _, l := range sh.links {
		k = k<<8 | uint32(l.candidate(sh.n)+1)
	}
	return k
}

// linkSets calls fn for every valid set of up to MaxLinks links of the
// forest sh (its links extended from candidate from), in enumeration
// order, with sh.links holding the set.
func (c Classes) linkSets(sh *shape, from int, fn func()) {
	if !c.valid(sh) {
		return
	}
	fn()
	if len(sh.links) == c.MaxLinks {
		return
	}
	n := sh.n
	for cand := from; cand < n*n*2; cand++ {
		l := slink{s: int8(cand / (2 * n)), c: int8((cand / 2) % n), sso: cand%2 == 1}
		if l.s == l.c {
			continue
		}
		sh.links = append(sh.links, l)
		c.linkSets(sh, cand+1, fn)
		sh.links = sh.links[:len(sh.links)-1]
	}
}
