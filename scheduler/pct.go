package scheduler

import (
	"math/rand/v2"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// PCT is probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
// Nagarakatte, ASPLOS 2010): threads get random distinct priorities, the
// highest-priority enabled thread runs, and at depth-1 random change points
// the running thread drops below every other. A bug of depth d among n
// threads and k steps is found by one run with probability at least
// 1/(n·k^(d-1)).
type PCT struct {
	seed   uint64
	runs   int
	depth  int
	steps  int // k: the longest run seen so far (an estimate before the first)
	rng    *rand.Rand
	prio   map[model.TID]int
	change []int // steps at which the running thread's priority drops
	pick   [1]int
}

// NewPCT returns a PCT strategy of depth d (d >= 1) for runs runs.
// stepsHint estimates the run length before the first run measures it.
func NewPCT(seed uint64, runs, depth, stepsHint int) *PCT {
	return &PCT{seed: seed, runs: runs, depth: max(depth, 1), steps: max(stepsHint, 1)}
}

func (s *PCT) Start(n int) bool {
	if n >= s.runs {
		return false
	}
	s.rng = rand.New(rand.NewPCG(s.seed, uint64(n)))
	s.prio = map[model.TID]int{}
	s.change = s.change[:0]
	for i := 1; i < s.depth; i++ {
		s.change = append(s.change, 1+s.rng.IntN(s.steps))
	}
	return true
}

// priority returns t's priority, giving a thread seen for the first time a
// random one above every change-point priority.
func (s *PCT) priority(t model.TID) int {
	p, ok := s.prio[t]
	if !ok {
		// Distinct with overwhelming probability; ties go to the lower TID.
		p = s.depth + s.rng.IntN(1<<30)
		s.prio[t] = p
	}
	return p
}

func (s *PCT) Pick(p *Point) []int {
	s.steps = max(s.steps, p.Depth+1)
	best := -1
	for i, tr := range p.Enabled {
		if best < 0 || s.priority(tr.Thread) > s.priority(p.Enabled[best].Thread) {
			best = i
		}
	}
	// A thread with several alternatives (an allocation that may fail)
	// takes one at random.
	chosen := p.Enabled[best].Thread
	var alts []int
	for i, tr := range p.Enabled {
		if tr.Thread == chosen {
			alts = append(alts, i)
		}
	}
	best = alts[s.rng.IntN(len(alts))]
	for j, at := range s.change {
		if at == p.Depth {
			s.prio[chosen] = s.depth - 1 - j // below every initial priority
		}
	}
	s.pick[0] = best
	return s.pick[:]
}
