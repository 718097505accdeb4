package scheduler

import "fmt"

// Replay follows a recorded schedule: the label of each step's transition.
type Replay struct {
	schedule []string
	err      error
	pick     [1]int
}

// NewReplay returns a strategy that follows schedule once.
func NewReplay(schedule []string) *Replay { return &Replay{schedule: schedule} }

func (r *Replay) Start(n int) bool { return n == 0 }

// Pick returns the recorded transition, or nothing (ending the run) when the
// schedule is used up or names a transition that cannot run.
func (r *Replay) Pick(p *Point) []int {
	if p.Depth >= len(r.schedule) {
		return nil
	}
	want := r.schedule[p.Depth]
	for i := range p.Enabled {
		if p.Label(i) == want {
			r.pick[0] = i
			return r.pick[:]
		}
	}
	var can []string
	for i := range p.Enabled {
		can = append(can, p.Label(i))
	}
	r.err = fmt.Errorf("schedule step %d: %q cannot run here (enabled: %v)", p.Depth+1, want, can)
	return nil
}

// Err reports why the schedule could not be followed, if it could not.
func (r *Replay) Err() error { return r.err }

// Done reports whether the whole schedule was followed.
func (r *Replay) Done(depth int) bool { return r.err == nil && depth == len(r.schedule) }
