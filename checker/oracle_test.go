package checker

import (
	"strings"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// Broken versions of the synchronous loop, one mistake each, to show that
// each kernel-rule oracle catches what no modeled version of the series does.
// Each is upstream's loop without the parent: spin_lock, take the tail,
// get_device, list_del_init, spin_unlock, device_lock, ->shutdown(),
// device_unlock, put_device, with one step changed.
// They are not registered: no list of the series' versions shows them.
var buggyLoops = map[string]*model.Variant{}

func init() {
	for _, bug := range []string{"leak", "over-put", "double-unlock", "recursive-lock", "keep-list-lock", "unlocked-list-del"} {
		fn := model.DefineFunc("device_shutdown", func(k *model.Kernel, f *model.Frame) { buggyLoop(bug, k, f) })
		buggyLoops[bug] = &model.Variant{Name: "test-" + bug, Summary: "test: " + bug, Main: fn}
	}
}

func buggyLoop(bug string, k *model.Kernel, f *model.Frame) {
	const (
		lock = iota
		tail
		get
		del
		unlock
		devLock
		start
		end
		devUnlock
		extra
		put
		done
	)
	switch f.PC {
	case lock:
		if bug == "unlocked-list-del" && f.Aux >= 1 {
			f.PC, f.Aux = tail, 2 // after the first device the walk forgets list_lock
		} else if k.SpinLockList() {
			f.PC, f.Aux = tail, 1
		}
	case tail:
		if dev, ok := k.ListLast(); ok {
			f.Dev, f.PC = dev, get
			if dev == model.NoDev {
				f.PC = done
			}
		}
	case get:
		if k.GetDevice(f.Dev) {
			f.PC = del
		}
	case del:
		if k.ListDelInit(f.Dev) {
			f.PC = unlock
		}
	case unlock:
		if f.Aux == 2 {
			f.PC = devLock
		} else if k.SpinUnlockList() {
			f.PC = devLock
		}
	case devLock:
		if k.DeviceLock(f.Dev) {
			f.PC = start
			if bug == "recursive-lock" {
				f.PC = devLock + 100
			}
		}
	case devLock + 100:
		if k.DeviceLock(f.Dev) {
			f.PC = start
		}
	case start:
		if k.ShutdownStart(f.Dev) {
			f.PC = end
		}
	case end:
		if k.ShutdownEnd(f.Dev) {
			f.PC = devUnlock
		}
	case devUnlock:
		if k.DeviceUnlock(f.Dev) {
			f.PC = put
			if bug == "double-unlock" {
				f.PC = extra
			}
		}
	case extra:
		if k.DeviceUnlock(f.Dev) {
			f.PC = put
		}
	case put:
		if bug == "leak" {
			f.PC = lock
		} else if k.PutDevice(f.Dev) {
			f.PC = lock
			if bug == "over-put" && f.Cur < 3 {
				f.PC, f.Cur = put, f.Cur+1 // five puts for the first get
			}
		}
	case done:
		if bug == "keep-list-lock" {
			k.Return(0)
		} else if k.SpinUnlockList() {
			k.Return(0)
		}
	}
}

func TestOraclesCatchBrokenLoops(t *testing.T) {
	const two = `devices: [{name: a}, {name: b, parent: a}]`
	cases := []struct {
		bug      string
		property Property
		message  string
	}{
		// The loop never puts what it got: at the end each device holds one more reference.
		{"leak", Refcount, "references to a are unbalanced when shutdown ends: 1 taken and never dropped"},
		// Five puts for one get: b (tail, first) has 2 references (registration, a's
		// klist), 3 with the get; the third put frees it, the fourth goes below zero.
		{"over-put", Refcount, "refcount_t: underflow; use-after-free: main: put_device(b): refcount -1"},
		// device_unlock() of a mutex nobody holds.
		{"double-unlock", Lock, "WARNING: bad unlock balance detected! main: device_unlock(b)"},
		// device_lock() of a mutex main already holds: main blocks on itself.
		{"recursive-lock", Lock, "possible recursive locking detected: main already holds device_lock(b)"},
		// device_shutdown() returns with devices_kset->list_lock held.
		{"keep-list-lock", Lock, "main returned still holding devices_kset->list_lock"},
		// The second device is taken off devices_kset without list_lock.
		{"unlocked-list-del", ListLock, "devices_kset->list used without holding list_lock: main: dev = list_last_entry"},
	}
	for _, c := range cases {
		t.Run(c.bug, func(t *testing.T) {
			top := machine(t, two, "upstream").Top
			m, err := model.NewMachine(top, buggyLoops[c.bug], top.Scenario)
			if err != nil {
				t.Fatal(err)
			}
			res := Explore(m, Options{})
			v := res.Violation(c.property)
			if v == nil || !strings.Contains(v.Message, c.message) {
				t.Fatalf("%s: got %+v, want %q (all: %v)", c.property, v, c.message, violated(res))
			}
			if run := Replay(res.Machine, v.Schedule, Properties{c.property: true}, 0); run.Violation(c.property) == nil {
				t.Error("the counterexample does not replay")
			}
		})
	}
	// The correct loop trips none of them.
	wantViolations(t, explore(t, two, "upstream"))
}
