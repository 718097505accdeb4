package properties

import (
	"github.com/shutdowncheck/shutdowncheck/scheduler"
	"pgregory.net/rapid"
)

// Scheduler draws every scheduling decision through rapid: 0 keeps running
// the thread that ran last, n > 0 switches to the n-th other transition. As
// rapid shrinks draws towards 0, a failing schedule shrinks towards the
// fewest preemptions, together with the topology drawn alongside.
type Scheduler struct {
	t     *rapid.T
	order []int
}

// NewScheduler returns a one-run scheduler that draws from t, for the
// checker's Scheduled engine.
func NewScheduler(t *rapid.T) *Scheduler { return &Scheduler{t: t} }

func (s *Scheduler) Start(n int) bool { return n == 0 }

func (s *Scheduler) Pick(p *scheduler.Point) []int {
	s.order = scheduler.PreferLast(p, s.order)
	i := rapid.IntRange(0, len(s.order)-1).Draw(s.t, "choice")
	return s.order[i : i+1]
}
