package checker

import (
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// spinVariant is a device_shutdown() that takes and drops list_lock
// forever: its run comes back to the state it started from. It is not
// registered: no list of the series' versions shows it.
var spinVariant *model.Variant

func init() {
	fn := model.DefineFunc("device_shutdown", func(k *model.Kernel, f *model.Frame) {
		switch f.PC {
		case 0:
			if k.SpinLockList() {
				f.PC = 1
			}
		case 1:
			if k.SpinUnlockList() {
				f.PC = 0
			}
		}
	})
	spinVariant = &model.Variant{Name: "test-spin", Summary: "test: spins on list_lock", Main: fn}
}

// Every exhaustive engine recognizes a run that comes back to a state on
// its path, with a concurrent device_del() beside the spinning thread, and
// reports it as a hang well before the step bound.
func TestEnginesFindCycles(t *testing.T) {
	top := parse(t, `devices: [{name: a}, {name: b, parent: a}]
scenario: {remove: [b]}`)
	m, err := model.NewMachine(top, spinVariant, top.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	for name, run := range map[string]func() *Result{
		"dfs":  func() *Result { return Explore(m, Options{}) },
		"dpor": func() *Result { return Explore(m, Options{Engine: DPOR}) },
		"auto": func() *Result { return Explore(m, Options{Engine: Auto}) },
		"bitstate": func() *Result {
			return Explore(m, Options{Memory: MemoryBitstate, BitstateBits: 16})
		},
	} {
		res := run()
		v := res.Violation(Hang)
		if v == nil || v.Message != cycleMessage {
			msg := "none"
			if v != nil {
				msg = v.Message
			}
			t.Errorf("%s: hang %q, want the cycle (violated %v)", name, msg, violated(res))
			continue
		}
		if v.Step > 4 {
			t.Errorf("%s: the cycle shows at step %d, want 2", name, v.Step)
		}
	}
}
