package checker

import (
	"bytes"
	"fmt"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

// dporFrame is one state of the current path and the transition taken
// from it.
type dporFrame struct {
	s         *model.State
	en        []model.Transition
	alts      []uint8 // per thread: its operation's alternatives, enabled or not
	backtrack []bool  // per enabled transition: must be explored from here
	done      []bool  // per enabled transition: explored from here
	sleep     []sleeper
	order     []int // the scheduler's order of en

	tr       model.Transition // taken from s (transition number depth+1)
	acc      []model.Access   // what it touched: the newest part of accs
	accs     []model.Access   // what every transition taken from s touched (the sleepers' storage)
	sum      model.Summary    // of acc
	clock    []int32          // its vector clock: per thread, the last transition that happens before it
	mark     hbMark           // undoes its record in the happens-before index
	recorded bool             // tr is in the index
	hash     uint64           // s.Hash(), to recognize a run that comes back to it

	// fps[p] is what thread p's next step would touch from s, fpSums[p]
	// its summary; fpBuf holds the ones computed here (the others are the
	// previous frame's, still right: see the stability rule in model/access.go).
	fps    [][]model.Access
	fpSums []model.Summary
	fpBuf  []model.Access
	kept   []bool // kept[p]: fps[p] is the previous frame's

	// trial is the state the first transition to be taken from s leads
	// to, run while computing its thread's footprint: take uses it
	// instead of running the step again.
	trial trialStep
}

// trialStep is a transition run from a frame's state on a copy of it: the
// state it led to, its event and what it touched (Apply is deterministic:
// running tr again from the same state would give the same).
type trialStep struct {
	tr  model.Transition
	s   *model.State // nil: none
	ev  model.Event
	acc []model.Access
}

// span is where a frame's own footprint of one thread lies in its fpBuf
// (at < 0: kept from the previous frame).
type span struct{ at, end int }

// dporSearch is one dynamic partial-order reduction (see DPOR in engine.go).
// For every state on the path it computes what each thread's next step
// would touch; where that conflicts with an earlier step not ordered before
// it by happens-before, the other order is added to the earlier state's
// backtrack set. A Workspace keeps one, whose buffers the next search
// reuses.
type dporSearch struct {
	x          *explorer
	ws         *Workspace
	path       []dporFrame
	hb         happensBefore
	onPath     [onPathBuckets]int32 // per bucket of hashes (h % onPathBuckets): how many states on the path fall in it
	key        []byte               // keys compared when a hash matches one on the path
	otherKey   []byte
	point      scheduler.Point
	top        *dporFrame // the frame whose transitions point.Label names
	childSleep []sleeper
	spans      []span
}

func (x *explorer) dpor() { x.ws().dporSearch(x).run() }

// onPathBuckets is the size of the filter that tells, for most states, that
// no state on the path has their hash (a path is some hundred states).
const onPathBuckets = 4096

// dporSearch readies the workspace's search for x.
func (ws *Workspace) dporSearch(x *explorer) *dporSearch {
	d := &ws.dpor
	d.x, d.ws, d.top, d.path = x, ws, nil, d.path[:0]
	d.hb.reset()
	if d.point.Label == nil {
		d.point.Label = func(i int) string { return Label(d.x.m, d.top.s, d.top.en[i]) }
	}
	clear(d.onPath[:])
	return d
}

// run explores from the initial state until every backtrack point is done
// or the search stops.
func (d *dporSearch) run() {
	init := d.ws.initial(d.x.m)
	d.x.stats.States++
	if !d.push(init, init.Hash(), nil, model.NoThread) {
		return
	}
	for len(d.path) > 0 && d.x.stopped == "" {
		f := &d.path[len(d.path)-1]
		d.unrecord(f)
		if next := f.nextBacktrack(); next >= 0 {
			d.take(f, next)
		} else {
			d.pop()
		}
	}
}

// nextBacktrack returns the first transition, in the scheduler's order, of
// f's backtrack set not yet explored and not asleep, or -1.
func (f *dporFrame) nextBacktrack() int {
	for _, i := range f.order {
		if f.backtrack[i] && !f.done[i] && !asleepIn(f.sleep, trCode(f.en[i])) {
			return i
		}
	}
	return -1
}

// pop removes the top frame.
func (d *dporSearch) pop() {
	f := &d.path[len(d.path)-1]
	d.onPath[f.hash%onPathBuckets]--
	d.dropTrial(f)
	d.ws.release(f.s)
	d.path = d.path[:len(d.path)-1]
}

// take runs f's enabled transition i (f is the top frame) and pushes the
// state it leads to, unless that state ends the run early.
func (d *dporSearch) take(f *dporFrame, i int) {
	x, depth := d.x, len(d.path)-1
	f.done[i] = true
	tr := f.en[i]
	x.trs, x.evs = x.trs[:depth], x.evs[:depth]
	var post *model.State
	acc := f.trial.acc
	if f.trial.s != nil && f.trial.tr == tr {
		post, f.trial.s = f.trial.s, nil
		x.stepped(post, tr, f.trial.ev)
	} else {
		d.dropTrial(f)
		post = d.ws.clone(f.s)
		x.step(post, tr)
		acc = x.r.Accesses()
	}
	if !x.tick() {
		return
	}
	d.record(f, tr, acc, x.evs[depth].Spawn)
	d.childSleep = d.sleepAfter(f, tr, d.childSleep[:0])
	h := post.Hash()
	switch {
	case d.cycle(post, h):
		x.hang(post, cycleMessage)
	case depth+1 >= x.opt.MaxSteps:
		x.hang(post, fmt.Sprintf("the run exceeds %d steps without finishing", x.opt.MaxSteps))
	default:
		x.stats.States++
		if d.push(post, h, d.childSleep, tr.Thread) {
			return
		}
	}
	d.ws.release(post)
}

// dropTrial releases f's trial step, not taken.
func (d *dporSearch) dropTrial(f *dporFrame) {
	if f.trial.s != nil {
		d.ws.release(f.trial.s)
		f.trial.s = nil
	}
}

// record notes that f's transition tr just ran, touching acc (creating
// thread spawned, or none): what it touched, its clock, its place in the
// index.
func (d *dporSearch) record(f *dporFrame, tr model.Transition, acc []model.Access, spawned model.TID) {
	f.tr = tr
	start := len(f.accs)
	f.accs = append(f.accs, acc...)
	f.acc = f.accs[start:len(f.accs):len(f.accs)]
	f.sum = model.Summarize(f.acc, false)
	i := int32(len(d.path))
	f.clock = d.hb.clock(d.path, i, tr.Thread, f.acc, len(f.s.Threads), f.clock[:0])
	f.mark = d.hb.record(i, tr.Thread, f.acc, spawned)
	f.recorded = true
}

// unrecord takes f's last transition out of the index, before f takes
// another or is popped.
func (d *dporSearch) unrecord(f *dporFrame) {
	if f.recorded {
		d.hb.unrecord(f.mark)
		f.recorded, f.clock = false, f.clock[:0]
	}
}

// sleepAfter appends to sleep the sleep set after f's transition tr, just
// recorded: what slept in f and commutes with it; tr then sleeps in f.
func (d *dporSearch) sleepAfter(f *dporFrame, tr model.Transition, sleep []sleeper) []sleeper {
	i := int32(len(d.path))
	for _, e := range f.sleep {
		if e.tr.Thread != tr.Thread && !d.hb.conflictsWithLast(i, e.acc) {
			sleep = append(sleep, e)
		}
	}
	f.sleep = append(f.sleep, sleeper{tr, f.acc})
	return sleep
}

// cycle reports whether s (hash h) is a state on the path: their keys are
// compared when their hashes are equal.
func (d *dporSearch) cycle(s *model.State, h uint64) bool {
	if d.onPath[h%onPathBuckets] == 0 {
		return false
	}
	d.key = s.AppendKey(d.key[:0])
	for i := range d.path {
		if d.path[i].hash != h {
			continue
		}
		if d.otherKey = d.path[i].s.AppendKey(d.otherKey[:0]); bytes.Equal(d.otherKey, d.key) {
			return true
		}
	}
	return false
}

// push adds state s (its key's hash h), reached by a step of thread last with
// sleep set sleep, to the path, with its backtrack set and the backtrack
// points its threads' races add to earlier frames. It reports false, and
// pushes nothing, in an end state.
func (d *dporSearch) push(s *model.State, h uint64, sleep []sleeper, last model.TID) bool {
	f := d.newFrame(s, h)
	var prev *dporFrame
	if len(d.path) > 1 {
		prev = &d.path[len(d.path)-2]
	}
	if len(f.en) == 0 {
		// The blocked threads' steps race too: a wait that is not
		// monotone (v4's async_synchronize_full_domain() on a child
		// domain the main loop still queues in) may have been disabled by
		// an earlier step it could have run before.
		d.footprints(f, prev, -1)
		d.races(f)
		d.x.end(s)
		d.path = d.path[:len(d.path)-1]
		return false
	}
	d.onPath[h%onPathBuckets]++
	f.sleep = append(f.sleep[:0], sleep...)
	f.backtrack = resetBools(f.backtrack, len(f.en))
	f.done = resetBools(f.done, len(f.en))
	d.point.Enabled, d.point.Last, d.point.Depth = f.en, last, len(d.path)-1
	d.top = f
	f.order = append(f.order[:0], d.x.sched.Pick(&d.point)...)
	first := f.firstAwake()
	d.footprints(f, prev, first)
	d.races(f)
	if first >= 0 {
		mark(f, f.en[first].Thread)
	}
	if dporCheck != nil {
		dporCheck(d)
	}
	return true
}

// newFrame adds a frame for state s (its key's hash h) to the path, with
// its enabled transitions.
func (d *dporSearch) newFrame(s *model.State, h uint64) *dporFrame {
	depth := len(d.path)
	if depth == cap(d.path) {
		d.path = append(d.path, dporFrame{})
	}
	d.path = d.path[:depth+1]
	f := &d.path[depth]
	f.s, f.hash, f.clock, f.recorded, f.accs = s, h, f.clock[:0], false, f.accs[:0]
	f.en, f.alts = d.x.r.EnabledAlts(s, f.en[:0], f.alts[:0])
	return f
}

// dporCheck, if set (by tests), is called with every state pushed.
var dporCheck func(*dporSearch)

// firstAwake returns the first enabled transition, in the scheduler's
// order, not asleep in f, or -1. Its thread starts f's backtrack set, in
// every alternative (an injected failure is not an interleaving, so no race
// would ever add it later), and it is the first transition taken from f:
// races add backtrack points only to earlier frames.
func (f *dporFrame) firstAwake() int {
	for _, i := range f.order {
		if !asleepIn(f.sleep, trCode(f.en[i])) {
			return i
		}
	}
	return -1
}

// footprints fills f.fps: what each thread's next step, in any
// alternative, would touch from f.s (run on a scratch copy, enabled or
// not). A thread the previous step did not move or conflict with keeps the
// previous frame's. Enabled transition first (or -1), which f takes first,
// is run on a copy f keeps (f.trial) when its thread's footprint is
// computed here.
func (d *dporSearch) footprints(f *dporFrame, prev *dporFrame, first int) {
	f.trial.s = nil
	if first >= 0 {
		f.trial.tr = f.en[first]
	}
	f.fps, f.fpSums, f.fpBuf, f.kept = f.fps[:0], f.fpSums[:0], f.fpBuf[:0], f.kept[:0]
	spans := d.spans[:0]
	for p := range f.s.Threads {
		if d.keeps(prev, model.TID(p)) {
			f.fps, f.fpSums = append(f.fps, prev.fps[p]), append(f.fpSums, prev.fpSums[p])
			f.kept = append(f.kept, true)
			spans = append(spans, span{-1, -1})
			continue
		}
		at := len(f.fpBuf)
		f.fpBuf = d.footprint(f, model.TID(p), first >= 0 && f.trial.tr.Thread == model.TID(p))
		f.fps = append(f.fps, nil)
		f.fpSums = append(f.fpSums, model.Summary{})
		f.kept = append(f.kept, false)
		spans = append(spans, span{at, len(f.fpBuf)})
	}
	for p, sp := range spans { // fpBuf no longer moves: slice it
		if sp.at >= 0 {
			f.fps[p] = f.fpBuf[sp.at:sp.end:sp.end]
			f.fpSums[p] = model.Summarize(f.fps[p], false)
		}
	}
	d.spans = spans
}

// keeps reports whether thread p's footprint from the state after prev's
// transition (the last one recorded) is the one from prev's state: p did
// not take the transition and does not conflict with it.
func (d *dporSearch) keeps(prev *dporFrame, p model.TID) bool {
	return prev != nil && int(p) < len(prev.fps) && prev.tr.Thread != p &&
		!(prev.fpSums[p].MayConflict(prev.sum) && d.hb.conflictsWithLast(int32(len(d.path)-1), prev.fps[p]))
}

// footprint appends to f.fpBuf what thread p's next step would touch from
// f.s, in each of its alternatives (nothing for a thread that returned),
// and returns it. With trial, the alternative f.trial.tr is run on a copy
// f keeps.
func (d *dporSearch) footprint(f *dporFrame, p model.TID, trial bool) []model.Access {
	s, buf := f.s, f.fpBuf
	r, scratch := d.x.r, d.ws.scratch
	for a := uint8(0); a < f.alts[p]; a++ {
		if trial && a == f.trial.tr.Alt {
			f.trial.s = d.ws.clone(s)
			f.trial.ev = r.Apply(f.trial.s, f.trial.tr)
			f.trial.acc = append(f.trial.acc[:0], r.Accesses()...)
		} else {
			scratch.CopyFrom(s)
			r.Apply(scratch, model.Transition{Thread: p, Alt: a})
		}
		buf = append(buf, r.Accesses()...)
	}
	return buf
}

// races adds backtrack points for every thread's next step at the end of
// the path. A thread whose footprint is the previous frame's was checked
// against every earlier transition there, its own clock has not moved, and
// it does not conflict with the last transition: it has no new race.
func (d *dporSearch) races(f *dporFrame) {
	for p := range f.s.Threads {
		if f.s.Threads[p].Status == model.Done || f.kept[p] {
			continue
		}
		tid := model.TID(p)
		if i := d.hb.race(d.path, tid, f.fps[p]); i > 0 {
			addBacktrack(&d.path[i-1], tid, d.path, i, d.before)
		}
	}
}

// before reports whether transition i (1-based) happens before thread p's
// next step.
func (d *dporSearch) before(i int, p model.TID) bool { return d.hb.before(d.path, i, p) }

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

func resetBools(b []bool, n int) []bool {
	b = b[:0]
	for i := 0; i < n; i++ {
		b = append(b, false)
	}
	return b
}
