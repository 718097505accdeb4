package checker

import (
	"encoding/binary"
	"fmt"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

// visited marks of the exhaustive search.
const (
	onStack = 1
	done    = 2
)

// sleeper is a transition in a sleep set, with what it touched when it ran
// from the state the set belongs to (or an earlier one it commutes back to).
type sleeper struct {
	tr  model.Transition
	acc []model.Access
}

type node struct {
	s     *model.State // nil once its last transition took it over
	id    uint32       // in the visited set
	en    []model.Transition
	order []int // indices into en still to explore, in the scheduler's order
	next  int
	// sleep is the node's sleep set: the transitions that need not run from
	// here because a commuting order of them was explored already; it grows
	// with each transition explored from the node.
	sleep []sleeper
	acc   []model.Access // storage of the explored transitions' accesses
}

func trCode(tr model.Transition) uint32 { return uint32(tr.Thread)<<8 | uint32(tr.Alt) }

// dfsSearch is the exhaustive search: a depth-first search with
// visited-state caching, where every reachable state is expanded and every
// transition that matters executed once. With the partial-order reduction
// on (the default) it keeps sleep sets (Godefroid, "Partial-Order Methods
// for the Verification of Concurrent Systems", 1996, §5.3): a transition
// that commutes with the one just taken is not tried again from the next
// state, and a state reached again with a smaller sleep set is explored
// again for the difference. Every reachable state is still visited; only
// redundant interleavings are skipped. States and buffers are reused as the
// search backtracks, and, through the Workspace, from one search to the
// next.
type dfsSearch struct {
	x       *explorer
	ws      *Workspace
	visited *visitedSet
	por     bool // sleep sets
	compact bool // keys are 64-bit fingerprints

	stack      []node
	key        []byte
	codes      []uint32 // the sleep set of the node being pushed
	childSleep []sleeper
	point      scheduler.Point
	top        *node // the node whose transitions point.Label names
}

func (x *explorer) exhaustive() {
	d := x.ws().dfsSearch(x)
	if d.compact {
		defer func() { x.coverage = compactCoverage(x.stats.States) }()
	}
	d.run()
}

// dfsSearch readies the workspace's search for x.
func (ws *Workspace) dfsSearch(x *explorer) *dfsSearch {
	d := &ws.dfs
	d.x, d.ws, d.top = x, ws, nil
	d.por, d.compact = !x.opt.NoReduction, x.opt.Memory == MemoryCompact
	d.stack = d.stack[:0]
	if d.visited == nil {
		d.visited = newVisitedSet()
	} else {
		d.visited.reset()
	}
	if d.point.Label == nil {
		d.point.Label = func(i int) string { return Label(d.x.m, d.top.s, d.top.en[i]) }
	}
	return d
}

// run explores from the initial state until every state is done or the
// search stops.
func (d *dfsSearch) run() {
	init := d.ws.initial(d.x.m)
	key, h := d.keyOf(init)
	d.x.stats.States++
	if !d.expand(init, d.visited.add(key, h, onStack), model.NoThread, nil, false) {
		d.ws.release(init)
	}
	for len(d.stack) > 0 && d.x.stopped == "" {
		n := &d.stack[len(d.stack)-1]
		d.x.depth = len(d.stack)
		if n.next == len(n.order) {
			d.pop()
		} else {
			d.take(n)
		}
	}
}

// keyOf returns s's key in the visited set (in d.key) and its hash.
func (d *dfsSearch) keyOf(s *model.State) ([]byte, uint64) {
	d.key = s.AppendKey(d.key[:0])
	if d.compact {
		d.key = binary.LittleEndian.AppendUint64(d.key[:0], fingerprint(d.key))
	}
	return d.key, d.visited.hash(d.key)
}

// pop removes the top node, done.
func (d *dfsSearch) pop() {
	n := &d.stack[len(d.stack)-1]
	d.visited.marks[n.id] = done
	if n.s != nil {
		d.ws.release(n.s)
	}
	d.stack = d.stack[:len(d.stack)-1]
}

// take runs n's next transition (n is the top node) and expands the state
// it leads to, unless that state was explored already or ends the run. The
// last transition from n steps n's state itself: nothing needs it again.
func (d *dfsSearch) take(n *node) {
	x, depth := d.x, len(d.stack)-1
	tr := n.en[n.order[n.next]]
	n.next++
	post := n.s
	if n.next < len(n.order) {
		post = d.ws.clone(n.s)
	} else {
		n.s = nil
	}
	x.trs, x.evs = x.trs[:depth], x.evs[:depth]
	x.step(post, tr)
	if !x.tick() {
		return
	}
	d.sleepAfter(n, tr)
	if id, seen, ok := d.visit(post, depth); ok && d.expand(post, id, tr.Thread, d.childSleep, seen) {
		return
	}
	d.ws.release(post)
}

// visit looks up post, reached at depth+1 with sleep set d.childSleep, in
// the visited set, adding it if new, and reports its id, whether it was
// seen before, and whether it must be expanded: not if it closes a cycle,
// was explored with no more asleep than now, or ends a run too long.
func (d *dfsSearch) visit(post *model.State, depth int) (id uint32, seen, expand bool) {
	key, h := d.keyOf(post)
	id, seen = d.visited.find(key, h)
	switch {
	case seen && d.visited.marks[id] == onStack:
		d.x.hang(post, cycleMessage)
		return id, seen, false
	case seen && (!d.por || subset(d.visited.sleep(id), d.childSleep)):
		return id, seen, false
	case !seen:
		id = d.visited.add(key, h, onStack)
		d.x.stats.States++
		if depth+1 >= d.x.opt.MaxSteps {
			d.x.hang(post, fmt.Sprintf("the run exceeds %d steps without finishing", d.x.opt.MaxSteps))
			d.visited.marks[id] = done
			return id, seen, false
		}
	}
	return id, seen, true
}

// sleepAfter sets d.childSleep to the sleep set after n's transition tr,
// which just ran: what slept in n and commutes with tr; tr then sleeps in n.
func (d *dfsSearch) sleepAfter(n *node, tr model.Transition) {
	start := len(n.acc)
	n.acc = append(n.acc, d.x.r.Accesses()...)
	acc := n.acc[start:len(n.acc):len(n.acc)]
	d.childSleep = d.childSleep[:0]
	if !d.por {
		return
	}
	for _, e := range n.sleep {
		if e.tr.Thread != tr.Thread && !model.Conflict(e.acc, acc) {
			d.childSleep = append(d.childSleep, e)
		}
	}
	n.sleep = append(n.sleep, sleeper{tr, acc})
}

// expand pushes s (visited id), reached by a step of thread last with
// sleep set sleep, exploring the enabled transitions not asleep and, on a
// revisit, only those that slept in the earlier visit and do not now. It
// reports whether it pushed.
func (d *dfsSearch) expand(s *model.State, id uint32, last model.TID, sleep []sleeper, revisit bool) bool {
	n := d.pushNode(s, id, sleep)
	if len(n.en) == 0 {
		if !revisit {
			d.x.end(s)
		}
		return d.popEmpty(id)
	}
	var before []uint32 // the sleep set of the earlier visit
	if revisit {
		before = d.visited.sleep(id)
	}
	d.codes = d.codes[:0]
	for _, e := range sleep {
		if !revisit || contains(before, trCode(e.tr)) {
			d.codes = append(d.codes, trCode(e.tr)) // the new sleep set: the intersection on a revisit
		}
	}
	d.order(n, last, sleep, revisit, before)
	d.visited.setSleep(id, d.codes)
	d.visited.marks[id] = onStack
	if len(n.order) == 0 {
		return d.popEmpty(id)
	}
	return true
}

// pushNode adds a node for state s to the stack, with its enabled
// transitions and sleep set.
func (d *dfsSearch) pushNode(s *model.State, id uint32, sleep []sleeper) *node {
	depth := len(d.stack)
	if depth == cap(d.stack) {
		d.stack = append(d.stack, node{})
	}
	d.stack = d.stack[:depth+1]
	n := &d.stack[depth]
	n.s, n.id, n.next = s, id, 0
	n.en = d.x.r.Enabled(s, n.en[:0])
	n.sleep = append(n.sleep[:0], sleep...)
	n.acc = n.acc[:0]
	return n
}

// popEmpty takes off the node just pushed, which has nothing to explore.
func (d *dfsSearch) popEmpty(id uint32) bool {
	d.visited.marks[id] = done
	d.stack = d.stack[:len(d.stack)-1]
	return false
}

// order fills n.order: n's enabled transitions, in the scheduler's order,
// that are not asleep (all of them without the reduction). On a revisit a
// transition is asleep unless it slept in the earlier visit (before) and
// does not now (d.codes); otherwise it is asleep if it is in sleep.
func (d *dfsSearch) order(n *node, last model.TID, sleep []sleeper, revisit bool, before []uint32) {
	d.point.Enabled, d.point.Last, d.point.Depth = n.en, last, len(d.stack)-1
	d.top = n
	n.order = n.order[:0]
	for _, i := range d.x.sched.Pick(&d.point) {
		c := trCode(n.en[i])
		asleep := contains(d.codes, c) || (revisit && !contains(before, c)) || (!revisit && asleepIn(sleep, c))
		if !asleep || !d.por {
			n.order = append(n.order, i)
		}
	}
}

func contains(codes []uint32, c uint32) bool {
	for _, x := range codes {
		if x == c {
			return true
		}
	}
	return false
}

func asleepIn(sleep []sleeper, c uint32) bool {
	for _, e := range sleep {
		if trCode(e.tr) == c {
			return true
		}
	}
	return false
}

// subset reports whether every transition of before is in now.
func subset(before []uint32, now []sleeper) bool {
	for _, c := range before {
		if !asleepIn(now, c) {
			return false
		}
	}
	return true
}
