package checker

import (
	"fmt"
	"slices"

	"github.com/anishathalye/porcupine"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// A run's device shutdowns form a history: each ->shutdown() callback is an
// operation from its start to its return, on the lane of the thread that ran
// it. The sequential specification (docs/PROPERTIES.md, linearizability): a device shuts
// down once, after every device that depends on it (its children and its
// non-sync_state_only consumers, theirs, and so on) that is shut down in the
// same run. The monitor checks the same thing step by step
// (checkLinearizable); porcupine checks it here, for the HTML picture and
// for the tests that compare the two.

// shutdownOp is the input of one history operation.
type shutdownOp struct {
	dev  model.DevID
	name string
}

// history turns a run's events into porcupine operations. A callback still
// running when the run ends returns after everything else.
func history(m *model.Machine, path []model.Event) []porcupine.Operation {
	start := map[model.DevID]int{}
	var ops []porcupine.Operation
	for i, ev := range path {
		switch ev.Kind {
		case model.OpShutdownStart:
			start[ev.Dev] = len(ops)
			ops = append(ops, porcupine.Operation{ClientId: int(ev.Thread), Call: int64(i), Return: int64(len(path) + 1),
				Input: shutdownOp{ev.Dev, m.Top.DevName(ev.Dev)}})
		case model.OpShutdownEnd:
			if j, ok := start[ev.Dev]; ok {
				ops[j].Return = int64(i)
			}
		}
	}
	return ops
}

// specification is the porcupine model of the sequential specification.
// Its state is the set of devices shut down so far, as a string of 0/1 bytes.
func specification(m *model.Machine, ops []porcupine.Operation) porcupine.Model {
	inHistory := make([]bool, len(m.Top.Devices))
	for _, op := range ops {
		inHistory[op.Input.(shutdownOp).dev] = true
	}
	return porcupine.Model{
		Init: func() any { return string(make([]byte, len(m.Top.Devices))) },
		Step: func(state, input, _ any) (bool, any) {
			done, dev := state.(string), input.(shutdownOp).dev
			if done[dev] != 0 {
				return false, state // shut down twice
			}
			for d := range m.Top.Devices {
				if inHistory[d] && done[d] == 0 && slices.Contains(m.Top.AllDependencies(model.DevID(d)), dev) {
					return false, state // a device depending on dev is still to come
				}
			}
			next := []byte(done)
			next[dev] = 1
			return true, string(next)
		},
		Equal: func(a, b any) bool { return a.(string) == b.(string) },
		DescribeOperation: func(input, _ any) string {
			return fmt.Sprintf("shutdown(%s)", input.(shutdownOp).name)
		},
		DescribeState: func(state any) string {
			var names []byte
			for i, b := range []byte(state.(string)) {
				if b != 0 {
					if len(names) > 0 {
						names = append(names, ", "...)
					}
					names = append(names, m.Top.Devices[i].Name...)
				}
			}
			return "shut down: {" + string(names) + "}"
		},
	}
}

// Porcupine returns a run's history and the specification, as porcupine
// takes them (for its pictures).
func Porcupine(m *model.Machine, path []model.Event) ([]porcupine.Operation, porcupine.Model) {
	ops := history(m, path)
	return ops, specification(m, ops)
}

// checkHistory checks a run's history against the specification and
// returns why it is not linearizable, or "".
//
// A history where every device shuts down at most once and every
// dependent's callback returns before its parent's or supplier's starts is
// always linearizable: put each point just before its callback returns;
// real-time order is kept (an operation that returns before another starts
// gets the earlier point), and so is every dependency. Only the other
// histories go to porcupine.
func checkHistory(m *model.Machine, path []model.Event) string {
	if orderlyHistory(m, path) {
		return ""
	}
	ops := history(m, path)
	if len(ops) == 0 {
		return ""
	}
	// No timeout: a verdict must not depend on the machine's speed.
	if !porcupine.CheckOperations(specification(m, ops), ops) {
		return "the device shutdowns are not linearizable: no order of them is consistent with real time in which every device shuts down once, after all the devices that depend on it"
	}
	return ""
}

// orderlyHistory reports whether no shutdown in path starts twice or returns
// after a device it depends on started.
func orderlyHistory(m *model.Machine, path []model.Event) bool {
	started := make([]bool, len(m.Top.Devices))
	for _, ev := range path {
		switch ev.Kind {
		case model.OpShutdownStart:
			if started[ev.Dev] {
				return false
			}
			started[ev.Dev] = true
		case model.OpShutdownEnd:
			for _, d := range m.Top.AllDependencies(ev.Dev) {
				if started[d] {
					return false
				}
			}
		}
	}
	return true
}
