package checker

import (
	"bytes"
	"fmt"
	"hash/maphash"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

// dporFrame is one state of the current path and the transition taken
// from it.
type dporFrame struct {
	s         *model.State
	en        []model.Transition
	backtrack []bool // per enabled transition: must be explored from here
	done      []bool // per enabled transition: explored from here
	sleep     []sleeper
	order     []int // the scheduler's order of en

	tr    model.Transition // taken from s (transition number depth+1)
	acc   []model.Access
	sum   model.Summary // of acc
	clock []int32       // its vector clock: per thread, the last transition that happens before it
	key   []byte        // s's key, to recognize a run that comes back to it
	hash  uint64

	// fps[p] is what thread p's next step would touch from s, fpSums[p]
	// its summary; fpBuf holds the ones computed here (the others are the
	// previous frame's, still right: see the stability rule in model/access.go).
	fps    [][]model.Access
	fpSums []model.Summary
	fpBuf  []model.Access
	kept   []bool // kept[p]: fps[p] is the previous frame's
}

// dpor is the dynamic partial-order reduction (see DPOR in engine.go). For
// every state on the path it computes what each thread's next step would
// touch; where that conflicts with an earlier step not ordered before it
// by happens-before, the other order is added to the earlier state's
// backtrack set.
func (x *explorer) dpor() {
	ws := x.ws()
	path := ws.path[:0]
	defer func() { ws.path = path[:0] }()
	spawnedAt := map[model.TID]int{} // a thread's creating transition (1-based), 0 for the first threads
	onPath := map[uint64]int{}       // hash of a state on the path -> how many states on the path have it
	seed := maphash.MakeSeed()       // changes only the map's layout, never a result
	var keyBuf []byte
	// cycle reports whether key is the key of a state on the path.
	cycle := func(key []byte, h uint64) bool {
		if onPath[h] == 0 {
			return false
		}
		for i := range path {
			if path[i].hash == h && bytes.Equal(path[i].key, key) {
				return true
			}
		}
		return false
	}
	scratch := ws.scratch
	point := &scheduler.Point{}
	var top *dporFrame
	point.Label = func(i int) string { return Label(x.m, top.s, top.en[i]) }

	// threadClock is thread p's clock after its last transition on the path.
	threadClock := func(p model.TID) []int32 {
		for i := len(path) - 1; i >= 0; i-- {
			if len(path[i].clock) > 0 && path[i].tr.Thread == p {
				return path[i].clock
			}
		}
		if at := spawnedAt[p]; at > 0 {
			return path[at-1].clock
		}
		return nil
	}
	// before reports whether transition i (1-based) happens before thread
	// p's next step.
	before := func(i int, p model.TID) bool {
		c := threadClock(p)
		q := path[i-1].tr.Thread
		return int(q) < len(c) && c[q] >= int32(i)
	}
	// footprints fills f.fps: what each thread's next step, in any
	// alternative, would touch from f.s (run on a scratch copy, enabled or
	// not). A thread the previous step did not move or conflict with keeps
	// the previous frame's.
	type span struct{ at, end int }
	var mine []span // where a frame's own footprints lie in its fpBuf
	footprints := func(f *dporFrame, prev *dporFrame) {
		f.fps, f.fpSums, f.fpBuf, f.kept, mine = f.fps[:0], f.fpSums[:0], f.fpBuf[:0], f.kept[:0], mine[:0]
		for p := range f.s.Threads {
			tid := model.TID(p)
			if prev != nil && p < len(prev.fps) && prev.tr.Thread != tid &&
				!(prev.fpSums[p].MayConflict(prev.sum) && model.Conflict(prev.fps[p], prev.acc)) {
				f.fps, f.fpSums = append(f.fps, prev.fps[p]), append(f.fpSums, prev.fpSums[p])
				f.kept = append(f.kept, true)
				mine = append(mine, span{-1, -1})
				continue
			}
			at := len(f.fpBuf)
			if f.s.Threads[p].Status != model.Done {
				_, _, alts := x.r.Pending(f.s, tid)
				for a := uint8(0); a < alts; a++ {
					scratch.CopyFrom(f.s)
					x.r.Apply(scratch, model.Transition{Thread: tid, Alt: a})
					f.fpBuf = append(f.fpBuf, x.r.Accesses()...)
				}
			}
			f.fps = append(f.fps, nil)
			f.fpSums = append(f.fpSums, model.Summary{})
			f.kept = append(f.kept, false)
			mine = append(mine, span{at, len(f.fpBuf)})
		}
		for p, sp := range mine { // fpBuf no longer moves: slice it
			if sp.at >= 0 {
				f.fps[p] = f.fpBuf[sp.at:sp.end:sp.end]
				f.fpSums[p] = model.Summarize(f.fps[p], false)
			}
		}
	}
	// races adds backtrack points for every thread's next step at the end
	// of the path. A thread whose footprint is the previous frame's was
	// checked against every earlier transition there, and its own clock
	// has not moved: only the last transition is new to it.
	races := func(f *dporFrame) {
		n := len(path) - 1 // transitions on the path: path[0..n-1]
		for p := range f.s.Threads {
			tid := model.TID(p)
			if f.s.Threads[p].Status == model.Done {
				continue
			}
			fp := f.fps[p]
			fs := model.Summarize(fp, true)
			oldest := 1
			if f.kept[p] {
				oldest = n
			}
			for i := n; i >= oldest; i-- {
				t := &path[i-1]
				if t.tr.Thread == tid || !t.sum.MayConflict(fs) || !model.RaceConflict(t.acc, fp) || before(i, tid) {
					continue
				}
				addBacktrack(&path[i-1], tid, path, i, before)
				break
			}
		}
	}
	push := func(s *model.State, key []byte, h uint64, sleep []sleeper, last model.TID) bool {
		d := len(path)
		if d == cap(path) {
			path = append(path, dporFrame{})
		}
		path = path[:d+1]
		f := &path[d]
		f.s, f.clock = s, f.clock[:0]
		f.key, f.hash = append(f.key[:0], key...), h
		f.en = x.r.Enabled(s, f.en[:0])
		var prev *dporFrame
		if d > 0 {
			prev = &path[d-1]
		}
		if len(f.en) == 0 {
			// The blocked threads' steps race too: a wait that is not
			// monotone (v4's async_synchronize_full_domain() on a child
			// domain the main loop still queues in) may have been
			// disabled by an earlier step it could have run before.
			footprints(f, prev)
			races(f)
			x.end(s)
			path = path[:d]
			return false
		}
		f.sleep = append(f.sleep[:0], sleep...)
		f.backtrack = resetBools(f.backtrack, len(f.en))
		f.done = resetBools(f.done, len(f.en))
		point.Enabled, point.Last, point.Depth = f.en, last, d
		top = f
		f.order = append(f.order[:0], x.sched.Pick(point)...)
		footprints(f, prev)
		races(f)
		// Start with the first thread not asleep, in every alternative: an
		// injected failure is not an interleaving, so no race would ever
		// add it later.
		for _, i := range f.order {
			if !asleepIn(f.sleep, trCode(f.en[i])) {
				mark(f, f.en[i].Thread)
				break
			}
		}
		return true
	}
	init := x.m.Initial()
	x.stats.States++
	keyBuf = init.AppendKey(keyBuf[:0])
	h0 := maphash.Bytes(seed, keyBuf)
	if !push(init, keyBuf, h0, nil, model.NoThread) {
		return
	}
	onPath[h0]++
	var childSleep []sleeper
	for len(path) > 0 && x.stopped == "" {
		d := len(path) - 1
		f := &path[d]
		next := -1
		for _, i := range f.order {
			if f.backtrack[i] && !f.done[i] && !asleepIn(f.sleep, trCode(f.en[i])) {
				next = i
				break
			}
		}
		if next < 0 {
			if onPath[f.hash]--; onPath[f.hash] == 0 {
				delete(onPath, f.hash)
			}
			ws.release(f.s)
			path = path[:d]
			continue
		}
		f.done[next] = true
		tr := f.en[next]
		post := ws.clone(f.s)
		x.trs, x.evs = x.trs[:d], x.evs[:d]
		x.step(post, tr)
		if !x.tick() {
			break
		}
		f.tr = tr
		f.acc = append(f.acc[:0], x.r.Accesses()...)
		f.sum = model.Summarize(f.acc, false)
		f.clock = x.clockOf(path, d, spawnedAt, f.clock[:0])
		if ev := x.evs[d]; ev.Spawn != model.NoThread {
			spawnedAt[ev.Spawn] = d + 1
		}
		childSleep = childSleep[:0]
		for _, e := range f.sleep {
			if e.tr.Thread != tr.Thread && !model.Conflict(e.acc, f.acc) {
				childSleep = append(childSleep, e)
			}
		}
		f.sleep = append(f.sleep, sleeper{tr, append([]model.Access(nil), f.acc...)})
		keyBuf = post.AppendKey(keyBuf[:0])
		h := maphash.Bytes(seed, keyBuf)
		switch {
		case cycle(keyBuf, h):
			x.hang(post, cycleMessage)
			ws.release(post)
			continue
		case d+1 >= x.opt.MaxSteps:
			x.hang(post, fmt.Sprintf("the run exceeds %d steps without finishing", x.opt.MaxSteps))
			ws.release(post)
			continue
		}
		x.stats.States++
		if push(post, keyBuf, h, childSleep, tr.Thread) {
			onPath[h]++
		} else {
			ws.release(post)
		}
	}
}

// addBacktrack makes the state before transition i (frame f) also try
// thread p's step, or, if p cannot run there, the step of a thread whose
// later transition leads to p's; if there is none, every enabled step.
func addBacktrack(f *dporFrame, p model.TID, path []dporFrame, i int, before func(int, model.TID) bool) {
	if mark(f, p) {
		return
	}
	for j := i + 1; j < len(path); j++ {
		if q := path[j-1].tr.Thread; before(j, p) && mark(f, q) {
			return
		}
	}
	for k := range f.backtrack {
		f.backtrack[k] = true
	}
}

// mark adds every enabled alternative of thread p to f's backtrack set and
// reports whether p is enabled there.
func mark(f *dporFrame, p model.TID) bool {
	found := false
	for k, t := range f.en {
		if t.Thread == p {
			f.backtrack[k] = true
			found = true
		}
	}
	return found
}

// clockOf computes the vector clock of transition d+1 (path[d].tr): the
// join of the clocks of the earlier transitions it conflicts with, of its
// thread's previous transition, and of the transition that created its
// thread, with its own component set.
func (x *explorer) clockOf(path []dporFrame, d int, spawnedAt map[model.TID]int, c []int32) []int32 {
	t := &path[d]
	n := len(t.s.Threads)
	for range n + 1 { // a transition may create one thread
		c = append(c, 0)
	}
	join := func(o []int32) {
		for k, v := range o {
			if k < len(c) && v > c[k] {
				c[k] = v
			}
		}
	}
	if at := spawnedAt[t.tr.Thread]; at > 0 {
		join(path[at-1].clock)
	}
	for i := 0; i < d; i++ {
		if path[i].tr.Thread == t.tr.Thread || path[i].sum.MayConflict(t.sum) && model.Conflict(path[i].acc, t.acc) {
			join(path[i].clock)
		}
	}
	c[t.tr.Thread] = int32(d + 1)
	return c
}

func resetBools(b []bool, n int) []bool {
	b = b[:0]
	for i := 0; i < n; i++ {
		b = append(b, false)
	}
	return b
}
