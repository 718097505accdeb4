package checker

import (
	"context"
	"fmt"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

// Run is one run re-executed step by step: what a trace prints. Its
// Result holds what the monitors found along the run.
type Run struct {
	*Result
	Events   []model.Event
	Final    *model.State
	Err      error // the schedule could not be followed
	Complete bool  // the whole schedule was followed
	Ended    bool  // the run reached its end: after its last step no thread could run
	Schedule []string
}

// Strict checks that the replayed schedule is exactly a counterexample of
// property p, or a whole run: it was followed step by step, and either p
// is first violated at its last step (a schedule that goes on after the
// violation is refused), or p is not violated and the run ended with the
// schedule (a schedule cut short, which would read "not reproduced", is
// refused). An error means the schedule is bad input.
func (r *Run) Strict(p Property) error {
	n := len(r.Schedule)
	v := r.Violation(p)
	switch {
	case n == 0:
		return fmt.Errorf("the schedule is empty")
	case r.Err != nil && (v == nil || v.Step >= n):
		return r.Err
	case v != nil && v.Step < n:
		return fmt.Errorf("%s shows at step %d, but the schedule goes on for %d more steps: a counterexample ends where its violation shows", p, v.Step, n-v.Step)
	case v != nil:
		return nil
	case !r.Complete:
		return fmt.Errorf("the run ends at step %d (no thread can run), but the schedule has %d steps", len(r.Events), n)
	case !r.Ended:
		return fmt.Errorf("the schedule stops at step %d while threads can still run, and %s has not shown: it is cut short", n, p)
	}
	return nil
}

// Replay re-runs schedule on m, watching props (all when nil), with the
// step bound maxSteps (0: DefaultMaxSteps).
func Replay(m *model.Machine, schedule []string, props Properties, maxSteps int) *Run {
	if props == nil {
		props, _ = ParseProperties(nil)
	}
	if maxSteps <= 0 {
		maxSteps = DefaultMaxSteps(m)
	}
	rs := scheduler.NewReplay(schedule)
	x := newExplorer(m, Options{Engine: Scheduled, Scheduler: rs, Properties: props, MaxSteps: maxSteps, Context: context.Background()}, newBaseline(m))
	x.trackCycles = true
	x.runs()
	return &Run{Result: x.result(), Events: x.evs, Final: x.final, Err: rs.Err(), Complete: rs.Done(len(x.trs)),
		Ended: x.stats.Runs > 0, Schedule: schedule}
}
