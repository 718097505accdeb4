// Package scheduler holds the strategies that choose which simulated thread
// steps next. They all sit behind one small interface, so the explorer in
// package checker drives an exhaustive search, a random campaign, a PCT
// campaign and the replay of a recorded schedule the same way.
package scheduler

import "github.com/shutdowncheck/shutdowncheck/model"

// Point is one scheduling decision: the transitions that can run now.
type Point struct {
	Enabled []model.Transition
	Last    model.TID // the thread that ran the previous step, NoThread at the start of a run
	Depth   int       // steps taken so far in this run
	// Label names Enabled[i] the way schedules record it ("main",
	// "async:nvme0", "main!fail").
	Label func(i int) string
}

// Scheduler chooses among enabled transitions. It must be deterministic:
// the same construction parameters and the same sequence of points give
// the same choices.
type Scheduler interface {
	// Start begins run n (0-based) and reports whether there is such a run.
	Start(n int) bool
	// Pick returns the indices into p.Enabled to explore from p, in order.
	// A strategy that follows one schedule returns one index (or none, to
	// end the run); DFS, the order of the exhaustive engines, returns all
	// of them.
	Pick(p *Point) []int
}

// PreferLast orders the indices of p.Enabled with the last thread's
// transitions first, into buf: continuing the running thread is not a
// preemption.
func PreferLast(p *Point, buf []int) []int {
	buf = buf[:0]
	for i, tr := range p.Enabled {
		if tr.Thread == p.Last {
			buf = append(buf, i)
		}
	}
	for i, tr := range p.Enabled {
		if tr.Thread != p.Last {
			buf = append(buf, i)
		}
	}
	return buf
}
