package checker

import "github.com/shutdowncheck/shutdowncheck/model"

// happensBefore indexes the DPOR path so that a transition's vector clock
// and a thread's latest race are found without rescanning the path. It
// keeps, for every shared object, the last transition on the path that
// wrote it and the transitions that read it since, and for every thread its
// last transition and the one that created it. That is enough: every
// earlier access to an object conflicts with its last write (a write, or a
// read before it), so it happens before that write; a transition touching
// the object need only look at the last write and, if it writes, at the
// reads since. Transitions are numbered from 1 along the path (transition i
// is taken from path[i-1]); each recorded one is undone, newest first, as
// the search backtracks.
type happensBefore struct {
	slots [][]int32 // slots[kind][index]: 1 + the object's index in objs, 0 if not seen
	objs  []objHistory
	stamp []uint32 // per object: the record call that last touched it
	gen   uint32   // record calls so far (stamps)
	reads []readNode
	undo  []objUndo
	last  []int32 // per thread: its last transition on the path, 0 if none
	spawn []int32 // per thread: the transition that created it, 0 for the first threads
}

// objHistory is one object's accesses on the path.
type objHistory struct {
	write int32 // the last transition that wrote it, 0 if none
	reads int32 // 1 + the newest of the reads since in happensBefore.reads, 0 if none
}

// readNode is one read in an object's list of reads since its last write,
// newest first.
type readNode struct{ tr, next int32 }

type objUndo struct {
	obj int32
	old objHistory
}

// hbMark is what undoing one recorded transition needs.
type hbMark struct {
	undo, reads int
	thread      model.TID
	last        int32 // the thread's last transition before
	spawned     model.TID
	spawnedAt   int32 // the spawned thread's creating transition before
}

// reset empties the index for a new search, keeping its storage.
func (h *happensBefore) reset() {
	for _, s := range h.slots {
		clear(s)
	}
	h.objs, h.stamp, h.reads, h.undo = h.objs[:0], h.stamp[:0], h.reads[:0], h.undo[:0]
	clear(h.last)
	clear(h.spawn)
}

const objIndexBits = 24 // an Obj is its kind << 24 | index

// find returns o's index in objs, or -1 if no recorded transition touched it.
func (h *happensBefore) find(o model.Obj) int32 {
	kind, i := int(o>>objIndexBits), int(o&(1<<objIndexBits-1))
	if kind >= len(h.slots) || i >= len(h.slots[kind]) {
		return -1
	}
	return h.slots[kind][i] - 1
}

// slot returns o's index in objs, adding it if needed.
func (h *happensBefore) slot(o model.Obj) int32 {
	if s := h.find(o); s >= 0 {
		return s
	}
	kind, i := int(o>>objIndexBits), int(o&(1<<objIndexBits-1))
	for kind >= len(h.slots) {
		h.slots = append(h.slots, nil)
	}
	for i >= len(h.slots[kind]) {
		h.slots[kind] = append(h.slots[kind], 0)
	}
	h.objs = append(h.objs, objHistory{})
	h.stamp = append(h.stamp, 0)
	h.slots[kind][i] = int32(len(h.objs))
	return int32(len(h.objs) - 1)
}

// grow makes the per-thread tables hold thread t.
func (h *happensBefore) grow(t model.TID) {
	for int(t) >= len(h.last) {
		h.last = append(h.last, 0)
		h.spawn = append(h.spawn, 0)
	}
}

// clock appends to c (empty) the vector clock of transition i, taken by
// thread q from a state of n threads and touching acc, before it is
// recorded: the join of the clocks of the earlier transitions it conflicts
// with, of its thread's previous transition (or the one that created the
// thread), with its own component set. A transition may create a thread:
// the clock has n+1 components.
func (h *happensBefore) clock(path []dporFrame, i int32, q model.TID, acc []model.Access, n int, c []int32) []int32 {
	for range n + 1 {
		c = append(c, 0)
	}
	if pc := h.threadClock(path, q); pc != nil {
		join(c, pc)
	}
	for _, a := range acc {
		s := h.find(a.Obj())
		if s < 0 {
			continue
		}
		o := h.objs[s]
		if o.write > 0 {
			join(c, path[o.write-1].clock)
		}
		if !a.Writes() {
			continue
		}
		for r := o.reads; r > 0; r = h.reads[r-1].next {
			join(c, path[h.reads[r-1].tr-1].clock)
		}
	}
	c[q] = i
	return c
}

// join sets c to the componentwise maximum of c and o.
func join(c, o []int32) {
	for k, v := range o {
		if k < len(c) && v > c[k] {
			c[k] = v
		}
	}
}

// record adds transition i, taken by thread q, touching acc and creating
// thread spawned (or model.NoThread), to the index.
func (h *happensBefore) record(i int32, q model.TID, acc []model.Access, spawned model.TID) hbMark {
	h.grow(q)
	m := hbMark{undo: len(h.undo), reads: len(h.reads), thread: q, last: h.last[q], spawned: spawned}
	if h.gen++; h.gen == 0 { // wrapped: no stamp may look current
		clear(h.stamp)
		h.gen = 1
	}
	for _, a := range acc {
		s := h.slot(a.Obj())
		o := &h.objs[s]
		if h.stamp[s] == h.gen && (!a.Writes() || o.write == i) {
			continue // recorded already, as strongly
		}
		h.stamp[s] = h.gen
		h.undo = append(h.undo, objUndo{s, *o})
		if a.Writes() {
			*o = objHistory{write: i}
		} else {
			h.reads = append(h.reads, readNode{i, o.reads})
			o.reads = int32(len(h.reads))
		}
	}
	h.last[q] = i
	if spawned != model.NoThread {
		h.grow(spawned)
		m.spawnedAt = h.spawn[spawned]
		h.spawn[spawned] = i
	}
	return m
}

// conflictsWithLast reports whether accesses acc conflict with those of
// transition i, the last one recorded: model.Conflict without a scan of
// both lists, since record stamped every object i touched.
func (h *happensBefore) conflictsWithLast(i int32, acc []model.Access) bool {
	for _, a := range acc {
		if s := h.find(a.Obj()); s >= 0 && h.stamp[s] == h.gen && (a.Writes() || h.objs[s].write == i) {
			return true
		}
	}
	return false
}

// unrecord undoes the newest recorded transition.
func (h *happensBefore) unrecord(m hbMark) {
	for k := len(h.undo) - 1; k >= m.undo; k-- {
		h.objs[h.undo[k].obj] = h.undo[k].old
	}
	h.undo, h.reads = h.undo[:m.undo], h.reads[:m.reads]
	h.last[m.thread] = m.last
	if m.spawned != model.NoThread {
		h.spawn[m.spawned] = m.spawnedAt
	}
}

// threadClock is thread p's clock after its last transition on the path
// (or the one that created it), nil if neither is on the path.
func (h *happensBefore) threadClock(path []dporFrame, p model.TID) []int32 {
	switch {
	case int(p) >= len(h.last):
		return nil
	case h.last[p] > 0:
		return path[h.last[p]-1].clock
	case h.spawn[p] > 0:
		return path[h.spawn[p]-1].clock
	}
	return nil
}

// before reports whether transition i happens before thread p's next step.
func (h *happensBefore) before(path []dporFrame, i int, p model.TID) bool {
	return happensBeforeClock(path, h.threadClock(path, p), int32(i))
}

// happensBeforeClock reports whether transition i happens before a
// transition whose clock is c.
func happensBeforeClock(path []dporFrame, c []int32, i int32) bool {
	q := path[i-1].tr.Thread
	return int(q) < len(c) && c[q] >= i
}

// race returns the latest transition on the path that races with thread
// p's next step, whose footprint (over every alternative) is fp: one of
// another thread that conflicts with it, leaving out fp's enabling reads,
// and does not happen before it; 0 if there is none. Per object touched,
// the candidates are its last write and, if fp writes it, the reads since:
// an earlier access happens before one of them.
func (h *happensBefore) race(path []dporFrame, p model.TID, fp []model.Access) int {
	c := h.threadClock(path, p)
	best := int32(0)
	for _, a := range fp {
		if a.Enabling() {
			continue
		}
		s := h.find(a.Obj())
		if s < 0 {
			continue
		}
		o := h.objs[s]
		if a.Writes() {
			for r := o.reads; r > 0 && h.reads[r-1].tr > best; r = h.reads[r-1].next {
				if tr := h.reads[r-1].tr; !happensBeforeClock(path, c, tr) {
					best = tr
					break
				}
			}
		}
		if o.write > best && !happensBeforeClock(path, c, o.write) {
			best = o.write
		}
	}
	return int(best)
}
