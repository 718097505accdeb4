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
	s     *model.State
	id    uint32 // in the visited set
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

// exhaustive is a depth-first search with visited-state caching: every
// reachable state is expanded, every transition that matters executed once.
// With the partial-order reduction on (the default) it keeps sleep sets
// (Godefroid, "Partial-Order Methods for the Verification of Concurrent
// Systems", 1996, §5.3): a transition that commutes with the one just taken
// is not tried again from the next state, and a state reached again with a
// smaller sleep set is explored again for the difference. Every reachable
// state is still visited; only redundant interleavings are skipped. States
// and buffers are reused as the search backtracks.
func (x *explorer) exhaustive() {
	visited := newVisitedSet()
	por := !x.opt.NoReduction
	compact := x.opt.Memory == MemoryCompact // keys become 64-bit fingerprints
	var keyBuf []byte
	ws := x.ws()
	stack := ws.stack[:0]
	defer func() { ws.stack = stack[:0] }()
	var codes []uint32
	point := &scheduler.Point{}
	var top *node // the node whose transitions Label names
	point.Label = func(i int) string { return Label(x.m, top.s, top.en[i]) }
	// expand pushes s, reached with sleep set sleep, exploring the enabled
	// transitions not asleep and, on a revisit, only those that slept in the
	// earlier visit and do not now. It reports whether it pushed.
	expand := func(s *model.State, id uint32, last model.TID, sleep []sleeper, revisit bool) bool {
		d := len(stack)
		if d == cap(stack) {
			stack = append(stack, node{})
		}
		stack = stack[:d+1]
		n := &stack[d]
		n.s, n.id, n.next = s, id, 0
		n.en = x.r.Enabled(s, n.en[:0])
		n.sleep = append(n.sleep[:0], sleep...)
		n.acc = n.acc[:0]
		if len(n.en) == 0 {
			if !revisit {
				x.end(s)
			}
			visited.marks[id] = done
			stack = stack[:d]
			return false
		}
		var before []uint32
		if revisit {
			before = visited.sleep(id)
		}
		codes = codes[:0]
		for _, e := range sleep {
			if !revisit || contains(before, trCode(e.tr)) {
				codes = append(codes, trCode(e.tr)) // the new sleep set: the intersection on a revisit
			}
		}
		point.Enabled, point.Last, point.Depth = n.en, last, d
		top = n
		n.order = n.order[:0]
		for _, i := range x.sched.Pick(point) {
			c := trCode(n.en[i])
			asleep := contains(codes, c) || (revisit && !contains(before, c)) || (!revisit && asleepIn(sleep, c))
			if !asleep || !por {
				n.order = append(n.order, i)
			}
		}
		visited.setSleep(id, codes)
		visited.marks[id] = onStack
		if len(n.order) == 0 {
			visited.marks[id] = done
			stack = stack[:d]
			return false
		}
		return true
	}
	init := x.m.Initial()
	keyBuf = init.AppendKey(keyBuf[:0])
	if compact {
		keyBuf = binary.LittleEndian.AppendUint64(keyBuf[:0], fingerprint(keyBuf))
		defer func() { x.coverage = compactCoverage(x.stats.States) }()
	}
	x.stats.States++
	if !expand(init, visited.add(keyBuf, visited.hash(keyBuf), onStack), model.NoThread, nil, false) {
		ws.release(init)
	}
	var childSleep []sleeper
	for len(stack) > 0 && x.stopped == "" {
		d := len(stack) - 1
		n := &stack[d]
		x.depth = len(stack)
		if n.next == len(n.order) {
			visited.marks[n.id] = done
			ws.release(n.s)
			stack = stack[:d]
			continue
		}
		tr := n.en[n.order[n.next]]
		n.next++
		post := ws.clone(n.s)
		x.trs, x.evs = x.trs[:d], x.evs[:d]
		x.step(post, tr)
		if !x.tick() {
			break
		}
		// The sleep set after tr: what slept here and commutes with tr.
		start := len(n.acc)
		n.acc = append(n.acc, x.r.Accesses()...)
		acc := n.acc[start:len(n.acc):len(n.acc)]
		childSleep = childSleep[:0]
		if por {
			for _, e := range n.sleep {
				if e.tr.Thread != tr.Thread && !model.Conflict(e.acc, acc) {
					childSleep = append(childSleep, e)
				}
			}
			n.sleep = append(n.sleep, sleeper{tr, acc})
		}
		keyBuf = post.AppendKey(keyBuf[:0])
		if compact {
			keyBuf = binary.LittleEndian.AppendUint64(keyBuf[:0], fingerprint(keyBuf))
		}
		h := visited.hash(keyBuf)
		id, seen := visited.find(keyBuf, h)
		switch {
		case seen && visited.marks[id] == onStack:
			x.hang(post, cycleMessage)
			ws.release(post)
			continue
		case seen && (!por || subset(visited.sleep(id), childSleep)):
			ws.release(post) // explored already with no more asleep than now
			continue
		case !seen:
			id = visited.add(keyBuf, h, onStack)
			x.stats.States++
			if d+1 >= x.opt.MaxSteps {
				x.hang(post, fmt.Sprintf("the run exceeds %d steps without finishing", x.opt.MaxSteps))
				visited.marks[id] = done
				ws.release(post)
				continue
			}
		}
		if !expand(post, id, tr.Thread, childSleep, seen) {
			ws.release(post)
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
