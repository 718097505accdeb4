package checker

import (
	"context"

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
	return &Run{Result: x.result(), Events: x.evs, Final: x.final, Err: rs.Err(), Complete: rs.Done(len(x.trs))}
}
