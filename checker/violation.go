package checker

import "github.com/shutdowncheck/shutdowncheck/model"

// Violation is a counterexample: a schedule from the initial state that
// breaks a property.
type Violation struct {
	Property  string
	Message   string   // one line, in the kernel's words where it has some
	Details   []string // further lines: the wait-for cycle, the held locks
	Inherited *bool    // order only: does upstream, on the same list, break the same pair?
	Schedule  []string // the transitions, by label, from the initial state
	Switches  int      // how often the schedule changes threads
	Step      int      // the number of steps of Schedule: the violation shows at the last

	// Pair is the devices an order violation is about: the parent or
	// supplier, then the child or consumer.
	Pair [2]model.DevID
	// Cycle is a deadlock's wait-for cycle.
	Cycle []WaitEdge
}

// better reports whether v is a better counterexample than w: for order, a
// new misordering before an inherited one; then shorter; then with fewer
// thread switches.
func (v *Violation) better(w *Violation) bool {
	if w == nil {
		return true
	}
	if vi, wi := v.inherited(), w.inherited(); vi != wi {
		return !vi
	}
	if v.Step != w.Step {
		return v.Step < w.Step
	}
	return v.Switches < w.Switches
}

func (v *Violation) inherited() bool { return v.Inherited != nil && *v.Inherited }
