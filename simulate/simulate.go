// Package simulate runs a version of device_shutdown() in virtual time: a
// discrete-event simulation on the same model the checker explores. Every
// kernel operation takes no time except a device's ->shutdown() callback,
// which keeps its thread busy for the device's duration. Each thread runs as
// soon as it can (as on a machine with a CPU per thread): at every point the
// runnable thread with the earliest time steps next, the lowest thread
// number first among equals, so a run is one deterministic schedule. A
// thread that a step wakes (a completion, a lock, a worker slot) continues
// no earlier than that step.
package simulate

import (
	"github.com/shutdowncheck/shutdowncheck/model"
)

// Outcome is how a simulated shutdown ended.
type Outcome string

const (
	Finished Outcome = "finished" // device_shutdown() returned
	Deadlock Outcome = "deadlock" // threads are left and none can run
	Hang     Outcome = "hang"     // the step bound was reached
)

// Step is one executed kernel operation and its time.
type Step struct {
	model.Event
	At int64 // ms since device_shutdown() was called
	// Cause is the step that decided when this one ran: the thread's
	// previous step, or the step that woke it (-1: none, it ran at 0).
	Cause int
}

// Wait is a time a thread could not run: it stood at the operation Event
// (a completion, a device_lock, a worker slot, async_synchronize_full).
type Wait struct {
	model.Event
	From, To int64 // To is -1 for a thread still waiting when the run ended
}

// Timeline is one simulated shutdown.
type Timeline struct {
	Variant string
	Outcome Outcome
	TotalMS int64    // when device_shutdown() returned, or the last step's time
	Threads []string // thread names, by TID
	Main    []bool   // by TID: the thread running device_shutdown()
	Steps   []Step
	Waits   []Wait
	MS      []int  // the durations the run used, by device
	Stuck   []Wait // a deadlock's threads, at the operation each waits in
	// Entries counts the async entries queued; PeakWorkers is the most of
	// them running at once: async_wq kworkers taken, an entry blocked in a
	// wait included (at most the scenario's worker bound, when it has one).
	Entries     int
	PeakWorkers int

	m     *model.Machine
	final *model.State
}

// Describe writes an operation of the run as the trace does.
func (tl *Timeline) Describe(ev model.Event) string { return tl.m.Describe(tl.final, ev) }

// DefaultMaxSteps bounds a run: far more than any finishing run takes on
// the largest real topologies (about 20 steps per device).
const DefaultMaxSteps = 2_000_000

// Run simulates m with the given durations (ms, by device). The scenario's
// environment actors and injected failures are left out: m should be built
// with Scenario (see Scenario).
func Run(m *model.Machine, ms []int, maxSteps int) *Timeline {
	sim := newSim(m, ms)
	sim.run(maxSteps)
	return sim.tl
}

// Scenario is sc without what makes a run nondeterministic (injected
// allocation failures, the environment actors): the fields a timed run
// keeps (model.ScenarioField.Timed).
func Scenario(sc model.Scenario) model.Scenario { return sc.ForTimedRun() }

// sim is the simulator's state besides the model state: per thread, when
// it can next run and what it waits for.
type sim struct {
	m  *model.Machine
	r  *model.Runner
	s  *model.State
	tl *Timeline

	ready     []int64       // earliest time the thread can take its next step
	enabled   []bool        // it could step after the last step
	last      []int         // its last step, -1 for none
	wokenBy   []int         // the step that woke it, -1 if none since its last step
	waitSince []int64       // when it became unable to run
	waitOn    []model.Event // the operation it stands at while it cannot run
	running   int           // entries a kworker runs now
}

func newSim(m *model.Machine, ms []int) *sim {
	x := &sim{m: m, r: m.NewRunner(), s: m.Initial(),
		tl: &Timeline{Variant: m.Variant.Name, MS: ms, m: m}}
	x.tl.final = x.s
	for range x.s.Threads {
		x.addThread(0, -1)
	}
	for t := range x.s.Threads {
		x.observe(model.TID(t), 0, -1)
	}
	return x
}

// addThread starts the bookkeeping of the newest thread, created at time
// at by step by.
func (x *sim) addThread(at int64, by int) {
	t := model.TID(len(x.ready))
	x.ready = append(x.ready, at)
	x.enabled = append(x.enabled, false)
	x.last = append(x.last, -1)
	x.wokenBy = append(x.wokenBy, by)
	x.waitSince = append(x.waitSince, at)
	x.waitOn = append(x.waitOn, model.Event{})
	x.tl.Threads = append(x.tl.Threads, x.m.ThreadName(x.s, t))
	x.tl.Main = append(x.tl.Main, x.s.Threads[t].Kind == model.KindMain)
	if x.s.Threads[t].Kind == model.KindWorker {
		x.tl.Entries++ // a thread per queued entry
	}
}

func (x *sim) run(maxSteps int) {
	for {
		t, ok := x.next()
		if !ok {
			x.finish()
			return
		}
		if len(x.tl.Steps) >= maxSteps {
			x.tl.Outcome = Hang
			return
		}
		x.step(t)
	}
}

// next picks the runnable thread with the earliest time.
func (x *sim) next() (model.TID, bool) {
	pick := -1
	for t := range x.s.Threads {
		if x.enabled[t] && x.s.Threads[t].Status != model.Done && (pick < 0 || x.ready[t] < x.ready[pick]) {
			pick = t
		}
	}
	return model.TID(pick), pick >= 0
}

// step runs thread t's next operation at its ready time.
func (x *sim) step(t model.TID) {
	now := x.ready[t]
	ev := x.r.Apply(x.s, model.Transition{Thread: t})
	cause := x.last[t]
	if x.wokenBy[t] >= 0 {
		cause, x.wokenBy[t] = x.wokenBy[t], -1
	}
	idx := len(x.tl.Steps)
	x.tl.Steps = append(x.tl.Steps, Step{Event: ev, At: now, Cause: cause})
	x.last[t] = idx
	switch ev.Kind {
	case model.OpShutdownStart:
		x.ready[t] = now + int64(x.tl.MS[ev.Dev]) // the callback runs on this thread
	case model.OpWorkerStart:
		x.running++
		x.tl.PeakWorkers = max(x.tl.PeakWorkers, x.running)
	case model.OpAsyncEntryDone:
		x.running--
	}
	if ev.Exit && x.tl.Main[t] {
		x.tl.TotalMS = x.ready[t]
	}
	for len(x.ready) < len(x.s.Threads) {
		x.addThread(now, idx)
	}
	for u := range x.s.Threads {
		x.observe(model.TID(u), now, idx)
	}
}

// observe updates whether thread u can run after step idx at time now: a
// thread that can run again continues no earlier than now, and the time it
// could not run is a Wait.
func (x *sim) observe(u model.TID, now int64, idx int) {
	if x.s.Threads[u].Status == model.Done {
		x.enabled[u] = false
		return
	}
	ev, ok, _ := x.r.Pending(x.s, u)
	switch {
	case ok && !x.enabled[u]:
		if now >= x.ready[u] && idx >= 0 && x.last[u] != idx {
			x.wokenBy[u] = idx
		}
		if from := max(x.waitSince[u], x.ready[u]); now > from {
			x.tl.Waits = append(x.tl.Waits, Wait{Event: x.waitOn[u], From: from, To: now})
		}
		x.ready[u] = max(x.ready[u], now)
	case !ok && (x.enabled[u] || idx < 0): // it stops here (or stood here from the start)
		x.waitSince[u] = max(now, x.ready[u])
	}
	if !ok {
		x.waitOn[u] = ev
	}
	x.enabled[u] = ok
}

// finish ends the run when no thread can step.
func (x *sim) finish() {
	x.tl.Outcome = Finished
	for t := range x.s.Threads {
		if x.s.Threads[t].Status == model.Done {
			continue
		}
		x.tl.Outcome = Deadlock
		x.tl.Stuck = append(x.tl.Stuck, Wait{Event: x.waitOn[t], From: x.waitSince[t], To: -1})
	}
	if x.tl.Outcome != Finished {
		for _, s := range x.tl.Steps {
			x.tl.TotalMS = max(x.tl.TotalMS, s.At)
		}
	}
}
