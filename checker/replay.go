package checker

import (
	"context"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

// Run is one run re-executed step by step: what a trace prints.
type Run struct {
	Machine    *model.Machine
	Events     []model.Event
	Final      *model.State
	Violations []*Violation // what the monitors found along the run
	Err        error        // the schedule could not be followed
	Complete   bool         // the whole schedule was followed
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
	x := newExplorer(m, rs, Options{Properties: props, MaxSteps: maxSteps, Context: context.Background()}, newBaseline(m))
	x.trackCycles = true
	x.campaign()
	res := x.result()
	return &Run{Machine: m, Events: x.evs, Final: x.final, Violations: res.Violations, Err: rs.Err(), Complete: rs.Done(len(x.trs))}
}

// Violation returns the run's violation of property p, or nil.
func (r *Run) Violation(p string) *Violation {
	for _, v := range r.Violations {
		if v.Property == p {
			return v
		}
	}
	return nil
}
