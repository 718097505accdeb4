package checker

import (
	"fmt"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// finding is what a monitor saw, before the explorer attaches a schedule.
type finding struct {
	property Property
	message  string
	details  []string
	inherit  *bool
	pair     [2]model.DevID
	cycle    []WaitEdge
}

// monitor watches runs of one machine for violations of the selected
// properties. The explorer calls afterStep after every step and atEnd in
// every state where no transition can run.
type monitor struct {
	m        *model.Machine
	props    Properties
	r        *model.Runner
	baseline *baseline // order pairs upstream also breaks, computed when first needed
	found    []finding
	// wants, if set, reports whether a finding of a property would be kept
	// (see worded).
	wants func(p Property, inherited bool) bool
}

func newMonitor(m *model.Machine, props Properties, b *baseline) *monitor {
	return &monitor{m: m, props: props, r: m.NewRunner(), baseline: b}
}

// worded reports whether a finding of p (a misorder upstream shares, when
// inherited), found now, would become the search's counterexample of p:
// only then is its message worth writing (most runs of a violating
// topology find again what an earlier one found sooner).
func (mo *monitor) worded(p Property, inherited bool) bool {
	return mo.props[p] && (mo.wants == nil || mo.wants(p, inherited))
}

func (mo *monitor) report(f finding) {
	if mo.props[f.property] {
		mo.found = append(mo.found, f)
	}
}

// afterStep checks the step ev that led to state s.
func (mo *monitor) afterStep(s *model.State, ev model.Event) {
	if ev.Fault != 0 {
		mo.faults(s, ev)
	}
	switch ev.Kind {
	case model.OpShutdownEnd:
		mo.checkOrder(s, ev.Dev)
	case model.OpShutdownStart:
		mo.checkOrderAtStart(s, ev.Dev)
		mo.checkDeadDevice(s, ev)
		if s.Dev[ev.Dev].Has(model.FlagTwice) {
			msg := fmt.Sprintf("%s is shut down a second time", mo.name(ev.Dev))
			mo.report(finding{property: Completeness, message: msg})
			mo.report(finding{property: Linearizability, message: "the device shutdowns are not linearizable: " + msg})
		}
		mo.checkLinearizable(s, ev.Dev)
	}
	if ev.Exit && s.Threads[ev.Thread].Kind == model.KindMain && s.Threads[ev.Thread].Returned() {
		mo.checkShutDown(s, "device_shutdown() returned before")
	}
}

func (mo *monitor) name(d model.DevID) string { return mo.m.Top.DevName(d) }

func (mo *monitor) faults(s *model.State, ev model.Event) {
	thread := func() string { return mo.m.ThreadName(s, ev.Thread) }
	what := func() string { return fmt.Sprintf("%s: %s in %s", thread(), mo.m.Describe(s, ev), ev.Func) }
	if ev.Fault&model.FaultSleepInAtomic != 0 && mo.worded(SleepInAtomic, false) {
		mo.report(finding{property: SleepInAtomic,
			message: "BUG: sleeping function called from invalid context: " + what(),
			details: []string{"in_atomic(): 1, held: devices_kset->list_lock (spin_lock)",
				fmt.Sprintf("%s may sleep (might_sleep())", ev.Kind)}})
	}
	switch {
	case !mo.worded(Refcount, false):
	case ev.Fault&model.FaultRefUnderflow != 0:
		mo.report(finding{property: Refcount, message: "refcount_t: underflow; use-after-free: " + what()})
	case ev.Fault&model.FaultUseAfterFree != 0:
		mo.report(finding{property: Refcount, message: "BUG: KASAN: use-after-free: " + what()})
	}
	if ev.Fault&model.FaultListUnlocked != 0 && mo.worded(ListLock, false) {
		mo.report(finding{property: ListLock, message: "devices_kset->list used without holding list_lock: " + what()})
	}
	if ev.Fault&model.FaultNullDeref != 0 && mo.worded(NullDeref, false) {
		mo.report(finding{property: NullDeref, message: "BUG: kernel NULL pointer dereference: " + what(),
			details: []string{fmt.Sprintf("%s->p is NULL (never registered, or freed by a failed device_add())", mo.name(ev.Dev)),
				"Oops: the thread dies here, holding what it held"}})
	}
	if ev.Fault&model.FaultUnlockNotOwner != 0 && mo.worded(Lock, false) {
		mo.report(finding{property: Lock, message: "WARNING: bad unlock balance detected! " + what()})
	}
	if ev.Fault&model.FaultLockHeldAtExit != 0 && mo.worded(Lock, false) {
		mo.report(finding{property: Lock, message: fmt.Sprintf("%s returned still holding %s", thread(),
			strings.Join(mo.m.HeldLocks(s, ev.Thread), ", "))})
	}
}

// orderReads is what checkOrder and checkOrderAtStart read.
func orderReads(m *model.Machine, s *model.State, ev model.Event, read func(model.Obj)) {
	switch ev.Kind {
	case model.OpShutdownStart:
		m.DependentsReads(ev.Dev, read)
		m.Dependents(s, ev.Dev, func(c model.DevID) {
			read(model.ShutdownObj(c))
			read(model.DeadObj(c))
			read(model.RegisteredObj(c))
		})
	case model.OpShutdownEnd:
		read(model.ParentObj(ev.Dev))
		m.Dependencies(s, ev.Dev, func(d model.DevID) { read(model.ShutdownObj(d)) })
	}
}

// checkOrder runs when dev's ->shutdown() returns: no parent or
// non-sync_state_only supplier of dev may have started already.
func (mo *monitor) checkOrder(s *model.State, dev model.DevID) {
	mo.m.Dependencies(s, dev, func(sup model.DevID) {
		if s.Dev[sup].Has(model.FlagStarted) {
			mo.misorder(s, sup, dev, "")
		}
	})
}

// checkOrderAtStart runs when sup's ->shutdown() starts: every child and
// non-sync_state_only consumer still registered and alive (in sysfs, no
// device_del() begun) must have returned from its own already. Checked
// here, a misorder shows even when the dependent never returns (it waits
// behind a deadlock); a dependent registered later is checked when it
// returns (checkOrder).
func (mo *monitor) checkOrderAtStart(s *model.State, sup model.DevID) {
	mo.m.Dependents(s, sup, func(dev model.DevID) {
		d := &s.Dev[dev]
		switch {
		case !d.Has(model.FlagInSysfs) || d.Has(model.FlagDead) || d.Has(model.FlagEnded):
		case d.Has(model.FlagStarted):
			mo.misorder(s, sup, dev, mo.name(dev)+"'s ->shutdown() was still running")
		default:
			mo.misorder(s, sup, dev, mo.name(dev)+" had not been shut down yet")
		}
	})
}

// misorder reports that sup's ->shutdown() started before that of dev,
// which depends on it, returned.
func (mo *monitor) misorder(s *model.State, sup, dev model.DevID, detail string) {
	inherited := mo.baseline.has(sup, dev)
	how := "new: upstream shuts this pair down in order"
	if inherited {
		how = "inherited: upstream misorders this pair on the same list too"
	}
	if !mo.worded(Order, inherited) {
		// The pair still counts: the search lists every pair it misorders.
		mo.report(finding{property: Order, pair: [2]model.DevID{sup, dev}, inherit: &inherited})
		return
	}
	details := []string{how}
	if detail != "" {
		details = append([]string{detail}, details...)
	}
	mo.report(finding{property: Order, pair: [2]model.DevID{sup, dev}, inherit: &inherited,
		message: fmt.Sprintf("%s (%s of %s) started ->shutdown() before %s's ->shutdown() returned",
			mo.name(sup), relation(s, sup, dev), mo.name(dev), mo.name(dev)),
		details: details})
}

// checkLinearizable runs when dev's ->shutdown() starts. The run's
// shutdowns are linearizable against the specification (each device once,
// after every device that depends on it, directly or not) exactly when no
// device starts twice and no device's callback returns before that of a
// device depending on it starts: real time would put the first before the
// second, the specification the second before the first. (Without such a
// pair, every cycle of the two orders would alternate the specification's
// pairs and real-time ones and put a time before itself.) Checked here on
// every step, the verdict does not depend on a run's history before a state,
// so state caching and partial-order reduction keep it; porcupine checks the
// same histories in the tests.
func (mo *monitor) checkLinearizable(s *model.State, dev model.DevID) {
	for _, a := range mo.m.AllDependencies(s, dev) {
		if s.Dev[a].Has(model.FlagEnded) {
			if !mo.worded(Linearizability, false) {
				return
			}
			mo.report(finding{property: Linearizability, pair: [2]model.DevID{a, dev},
				message: fmt.Sprintf("the device shutdowns are not linearizable: %s's ->shutdown() returned before that of %s, which depends on it, started: real time puts %s first, the specification last",
					mo.name(a), mo.name(dev), mo.name(a))})
			return
		}
	}
}

// linearizabilityReads is what checkLinearizable reads.
func linearizabilityReads(m *model.Machine, s *model.State, ev model.Event, read func(model.Obj)) {
	if ev.Kind == model.OpShutdownStart {
		m.AllDependenciesReads(read)
		for _, a := range m.AllDependencies(s, ev.Dev) {
			read(model.ShutdownObj(a))
		}
	}
}

// relation says how sup depends on dev: "parent" or "supplier".
func relation(s *model.State, sup, dev model.DevID) string {
	if s.Dev[dev].Parent == sup {
		return "parent"
	}
	return "supplier"
}

// checkDeadDevice runs when a device's ->shutdown() starts: its
// device_del() must not have begun (kill_device() set dead).
func (mo *monitor) checkDeadDevice(s *model.State, ev model.Event) {
	if s.Dev[ev.Dev].Has(model.FlagDead) {
		mo.report(finding{property: DeadDevice,
			message: fmt.Sprintf("%s: ->shutdown() runs on %s, whose device_del() has begun (dead)", mo.m.ThreadName(s, ev.Thread), mo.name(ev.Dev)),
			details: []string{"the driver shuts down a device it is being unbound from"}})
	}
}

// deadDeviceReads is what checkDeadDevice reads.
func deadDeviceReads(_ *model.Machine, _ *model.State, ev model.Event, read func(model.Obj)) {
	if ev.Kind == model.OpShutdownStart {
		read(model.DeadObj(ev.Dev))
	}
}

// completenessReads is what checkShutDown reads when device_shutdown()
// returns (a second start of a device's ->shutdown() is the step's own).
func completenessReads(m *model.Machine, s *model.State, ev model.Event, read func(model.Obj)) {
	if ev.Exit && s.Threads[ev.Thread].Kind == model.KindMain && s.Threads[ev.Thread].Returned() {
		for i := range m.Top.Devices {
			read(model.ShutdownObj(model.DevID(i)))
			read(model.DeadObj(model.DevID(i)))
		}
	}
}

// checkShutDown reports every device registered at the start and not deleted
// that has not been shut down.
func (mo *monitor) checkShutDown(s *model.State, when string) {
	var missing []string
	for i, d := range mo.m.Top.Devices {
		ds := &s.Dev[i]
		if d.Present && !ds.Has(model.FlagDead) && !ds.Has(model.FlagEnded) {
			missing = append(missing, d.Name)
		}
	}
	if len(missing) > 0 {
		mo.report(finding{property: Completeness,
			message: fmt.Sprintf("%s %s was shut down", when, strings.Join(missing, ", "))})
	}
}

// atEnd checks a state where no transition can run; path is the run's events.
// After an oops (null-deref) what the dead thread held stays held: the
// waits it leaves show as deadlocks, but the ends of a run it cut short
// (missing shutdowns, references never dropped) are not reported again.
func (mo *monitor) atEnd(s *model.State, path []model.Event) {
	switch {
	case !s.Finished():
		mo.deadlock(s)
	case !s.Oopsed():
		mo.checkShutDown(s, "every thread returned, but not")
		mo.checkBalance(s)
	}
}

// checkBalance reports references that shutdown threads took and did not
// drop (or dropped without taking): every get_device() must be matched by a
// put_device() by the time shutdown ends.
func (mo *monitor) checkBalance(s *model.State) {
	for i := range s.Dev {
		held := s.Dev[i].Held
		if held == 0 {
			continue
		}
		how := fmt.Sprintf("%d taken and never dropped", held)
		if held < 0 {
			how = fmt.Sprintf("%d dropped that it never took", -held)
		}
		mo.report(finding{property: Refcount,
			message: fmt.Sprintf("references to %s are unbalanced when shutdown ends: %s (refcount %d)", mo.name(model.DevID(i)), how, s.Dev[i].Ref)})
	}
}

func (mo *monitor) deadlock(s *model.State) {
	wf := waitFor(mo.m, mo.r, s)
	var details []string
	for _, b := range wf.blocked {
		details = append(details, fmt.Sprintf("INFO: task %s blocked for more than 120 seconds: %s", b.thread, b.op))
	}
	msg := "no thread can run and device_shutdown() never returns"
	if len(wf.cycle) > 0 {
		msg = "possible circular wait: " + cycleText(wf.cycle)
		details = append(details, "possible circular wait:")
		for _, e := range wf.cycle {
			details = append(details, "  "+e.String())
		}
	} else if len(wf.chain) > 0 {
		msg = "a wait that nothing will end: " + wf.chain[len(wf.chain)-1].String()
		for _, e := range wf.chain {
			details = append(details, "  "+e.String())
		}
	}
	mo.report(finding{property: Deadlock, message: msg, details: details, cycle: wf.cycle})
	for _, e := range wf.cycle {
		if e.From == e.To && e.Lock != "" {
			mo.report(finding{property: Lock, message: fmt.Sprintf("possible recursive locking detected: %s already holds %s", e.FromName, e.Lock)})
		}
	}
}
