package model

import (
	"fmt"
	"sync"
)

// FuncID names a modeled kernel function.
type FuncID uint8

// StepFunc runs one case of a modeled kernel function, selected by f.PC.
//
// A case is either pure control flow (it only moves f.PC, calls or returns)
// or it starts with exactly one kernel operation (a method of Kernel that
// returns ok) and changes locals only when ok is true. This is what lets the
// same code be probed (which operation comes next, can it run now?) and
// executed.
type StepFunc func(k *Kernel, f *Frame)

type funcInfo struct {
	name string
	step StepFunc
}

// funcs is the registry of modeled functions, filled by package variable
// initializers and, for the functions of interpreted C (interp.go), at run
// time: a fixed array, so that adding one never moves those being read.
var (
	funcsMu sync.Mutex
	funcs   = [256]funcInfo{{name: "(none)"}}
	nfuncs  = 1
)

// DefineFunc registers a modeled kernel function; call it in the
// initializer of a package variable (its FuncID).
func DefineFunc(name string, step StepFunc) FuncID {
	id, ok := defineFunc(name, step)
	if !ok {
		panic("model: too many functions")
	}
	return id
}

func defineFunc(name string, step StepFunc) (FuncID, bool) {
	funcsMu.Lock()
	defer funcsMu.Unlock()
	if nfuncs == len(funcs) {
		return 0, false
	}
	funcs[nfuncs] = funcInfo{name: name, step: step}
	nfuncs++
	return FuncID(nfuncs - 1), true
}

// String returns the kernel function's name.
func (f FuncID) String() string { return funcs[f].name }

// Fault is a set of kernel rules a step broke, as the kernel's own debug
// options (CONFIG_DEBUG_ATOMIC_SLEEP, KASAN, lockdep, CONFIG_DEBUG_LIST) would see them.
type Fault uint8

const (
	FaultSleepInAtomic  Fault = 1 << iota // a sleeping operation under a spinlock
	FaultUseAfterFree                     // an operation on a device whose last reference is gone
	FaultRefUnderflow                     // put_device() below zero
	FaultListUnlocked                     // devices_kset->list used without list_lock
	FaultUnlockNotOwner                   // unlock of a lock the thread does not hold
	FaultLockHeldAtExit                   // a thread returned holding a lock
	FaultNullDeref                        // an access through a NULL dev->p: the thread oopses
)

// Event is one executed step: which thread ran which kernel operation.
type Event struct {
	Thread TID
	Kind   OpKind
	Func   FuncID // the modeled function the operation is in
	Dev    DevID  // the device it operates on (NoDev: none)
	Val    int16  // its result: a device, a link, or 0/1
	Ref    int16  // for get/put: the reference count after it
	Alt    uint8  // the alternative taken (AltFail: injected failure)
	Fault  Fault  // kernel rules the step broke
	Exit   bool   // the thread returned from its outermost function
	Spawn  TID    // the thread this step created, or NoThread
	Domain Domain // the async domain of async_schedule_domain(), an entry's end and the async waits
	Pos    uint16 // interpreted C: where the operation is (Machine.Pos); 0: none
}

// Transition is a scheduler choice: run thread Thread, taking alternative
// Alt of its next operation.
type Transition struct {
	Thread TID
	Alt    uint8
}

// Alternatives of an operation with more than one outcome.
const (
	AltNormal uint8 = 0
	AltFail   uint8 = 1 // the allocation in async_schedule_dev_nocall() fails
)

// Kernel is the context a step runs in: the machine, the state being
// changed and the thread that steps. Version code calls its methods, one
// kernel operation each.
type Kernel struct {
	m   *Machine
	s   *State
	tid TID
	t   *Thread

	probing  bool  // report the next operation instead of running it
	alt      uint8 // alternative to take when running
	recorded bool  // an operation was reached in this dispatch
	enabled  bool  // probe result: the operation can run now
	alts     uint8 // probe result: number of alternatives
	ev       Event
	spawned  []Thread
	acc      []Access // what the running step touched
}

// State returns the state being stepped (read-only for version code).
func (k *Kernel) State() *State { return k.s }

// Topology returns the static topology.
func (k *Kernel) Topology() *Topology { return k.m.Top }

// op records kind as this step's operation. While probing it notes whether
// the operation can run now and returns true: the caller must stop. While
// running it applies the generic kernel rules (sleeping under a spinlock,
// use after free) and returns false.
func (k *Kernel) op(kind OpKind, dev DevID, enabled bool) (stop bool) {
	k.recorded = true
	k.ev = Event{Thread: k.tid, Kind: kind, Func: k.t.Frames[max(k.t.Depth-1, 0)].Fn, Dev: dev, Alt: k.alt, Spawn: NoThread}
	info := &opInfos[kind]
	pNull := info.mem == memDevP && dev != NoDev && k.s.Dev[dev].Has(FlagPNull) ||
		info.mem != memNone && dev == NoDev && !info.nullOK // device_lock(NULL) and the like
	if k.probing {
		k.enabled = enabled || pNull // the load through dev->p oopses, whatever the operation would wait for
		k.alts = 1
		return true
	}
	if info.sleeps && k.s.ListLock == k.tid {
		k.ev.Fault |= FaultSleepInAtomic
	}
	if info.list && k.s.ListLock != k.tid {
		k.ev.Fault |= FaultListUnlocked
	}
	if dev != NoDev && info.mem != memNone {
		k.rd(devObj(objDevFreed, dev)) // the use-after-free check
		if k.s.Dev[dev].Has(FlagFreed) {
			k.ev.Fault |= FaultUseAfterFree
		}
	}
	if dev != NoDev && info.mem == memDevP {
		k.rd(devObj(objDevP, dev)) // the NULL dev->p check
	}
	if pNull {
		// BUG: kernel NULL pointer dereference: the thread oopses and is
		// gone, holding what it held; the operation does nothing.
		k.ev.Fault |= FaultNullDeref
		k.t.Status = Done
		return true
	}
	return false
}

// Call makes f call fn(dev): f continues at ret once fn returns. It returns
// the callee's frame so that the caller can pass more arguments.
func (k *Kernel) Call(f *Frame, ret uint8, fn FuncID, dev DevID) *Frame {
	if int(k.t.Depth) == maxFrames {
		panic(fmt.Sprintf("model: call depth exceeded calling %s", fn))
	}
	f.PC = ret
	k.t.Depth++
	nf := k.t.top()
	*nf = Frame{Fn: fn, Dev: dev, Cur: NoDev, Dev2: NoDev, Aux: -1}
	return nf
}

// Ret is what the last function this thread called returned.
func (k *Kernel) Ret() int16 { return k.t.Ret }

// Return returns v from the current function.
// A thread that returns from its outermost function is done, but for the
// main thread: device_shutdown() returning to kernel_restart() is a step of
// its own (DeviceShutdownReturns), so that what the checks read when it
// returns is read after the last wait, not with it.
func (k *Kernel) Return(v int16) {
	k.t.Depth--
	k.t.Ret = v
	if k.t.Depth == 0 && k.t.Kind != KindMain {
		k.t.Status = Done
	}
}

func (k *Kernel) dispatch() {
	if k.t.Depth == 0 {
		k.DeviceShutdownReturns()
		return
	}
	f := k.t.top()
	funcs[f.Fn].step(k, f)
}

// DeviceShutdownReturns models device_shutdown() returning to its caller
// (kernel_restart_prepare(), kernel_power_off()): the main thread is done.
func (k *Kernel) DeviceShutdownReturns() bool {
	if k.op(OpReturn, NoDev, true) {
		return false
	}
	k.t.Status = Done
	return true
}

// settle runs the thread's control flow up to its next operation, so that
// every live thread always stands at an operation.
func (k *Kernel) settle() {
	k.probing = true
	for n := 0; k.t.Status != Done; n++ {
		k.recorded = false
		k.dispatch()
		if k.recorded {
			return
		}
		if n > 10000 {
			panic(fmt.Sprintf("model: %s loops without a kernel operation", k.t.top().Fn))
		}
	}
}

// spawn creates a thread; it joins State.Threads when the step ends. Its
// TID depends on how many threads there are: two steps that create threads
// do not commute.
func (k *Kernel) spawn(t Thread) TID {
	k.wr(objThreads)
	k.spawned = append(k.spawned, t)
	return TID(len(k.s.Threads) + len(k.spawned) - 1)
}
