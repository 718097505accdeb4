package checker

import "github.com/shutdowncheck/shutdowncheck/model"

// Violation is a counterexample: a schedule from the initial state that
// breaks a property.
type Violation struct {
	Property  Property
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

// IsInherited reports whether v is a misorder upstream shares.
func (v *Violation) IsInherited() bool { return v.Inherited != nil && *v.Inherited }

// Size is what makes a counterexample smaller than another: the one
// ordering of counterexamples, within a search (which keeps the smallest it
// finds per property), across a matrix's topologies, and across a bounded
// proof and the shards merged into one.
type Size struct {
	Devices int // of its topology; within one search all alike
	// Inherited ranks a misorder upstream shares after a new one. A bounded
	// proof leaves it false: its "order (new)" row shows the new ones apart.
	Inherited bool
	Steps     int   // of its schedule
	Switches  int   // thread switches in its schedule
	Index     int64 // its topology's place in the enumeration or the list
}

// Less reports whether a counterexample of size a is smaller than one of
// size b: fewer devices; a new misorder before an inherited one; fewer
// steps; fewer thread switches; an earlier topology.
func (a Size) Less(b Size) bool {
	switch {
	case a.Devices != b.Devices:
		return a.Devices < b.Devices
	case a.Inherited != b.Inherited:
		return !a.Inherited
	case a.Steps != b.Steps:
		return a.Steps < b.Steps
	case a.Switches != b.Switches:
		return a.Switches < b.Switches
	}
	return a.Index < b.Index
}

// Size is v's size within its search.
func (v *Violation) Size() Size {
	return Size{Inherited: v.IsInherited(), Steps: v.Step, Switches: v.Switches}
}
