package checker

import (
	"cmp"
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"sort"
	"time"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

// Options configure an exploration.
type Options struct {
	// Engine is the search (the zero Engine is DFS); the fields after it
	// are its parameters, each read by the engines it names.
	Engine Engine
	// Runs and Seed: Random's and PCT's runs; Depth: PCT's bug depth d
	// (d-1 priority change points).
	Runs  int
	Seed  uint64
	Depth int
	// Scheduler picks every step of Scheduled's runs.
	Scheduler scheduler.Scheduler
	// Budget is Auto's first DPOR budget in transitions (0: DefaultBudget).
	Budget int64
	// Memory is how DFS remembers states (the zero Memory is exact);
	// BitstateBits sizes MemoryBitstate's array: 2^BitstateBits bits
	// (0: 2^30).
	Memory       Memory
	BitstateBits int

	// ProveFor bounds Auto in time (0: no bound): when its exhaustive
	// phases have not finished after ProveFor, or DPOR reached the memory
	// budget, it gives the proof up and samples Runs runs of PCT of depth
	// Depth instead (seeded by Seed), for at most SampleFor (0: no bound).
	// The result is then not exhaustive, and Stopped says why the proof
	// was given up.
	ProveFor, SampleFor time.Duration

	Properties Properties // properties to watch; nil means all
	MaxSteps   int        // a run longer than this hangs; 0 means DefaultMaxSteps
	// Context stops the search early when cancelled (timeout, Ctrl-C); the
	// counterexamples found so far are kept.
	Context context.Context
	// MaxMemory is the memory budget in bytes (0: the budget the Context
	// carries, see WithMaxMemory, or none): the search stops when the
	// process's measured memory reaches it (see ReadMemory), keeping what
	// it found. An Auto search whose DFS phase reaches it goes on with
	// DPOR alone, which keeps no visited states.
	MaxMemory uint64
	// FirstViolation stops the search at the first violation of a watched
	// property: enough for a verdict, not for the smallest counterexample.
	FirstViolation bool
	// Found, if set, is called once per property, as soon as the search
	// finds it violated (the counterexample may be improved upon later).
	Found func(*Violation)
	// Progress, if set, is called about once a second during long searches.
	Progress func(Progress)
	// NoReduction turns the partial-order reduction off (for comparison:
	// verdicts are the same either way).
	NoReduction bool
	// Workspace, if set, lends its buffers to the search: a goroutine that
	// runs many searches (verify) reuses them instead of allocating anew.
	Workspace *Workspace
}

// Workspace holds buffers a search can reuse from the previous one. It is
// not safe for concurrent use: one per goroutine.
type Workspace struct {
	dpor    dporSearch
	dfs     dfsSearch
	free    []*model.State
	scratch *model.State
	trs     []model.Transition // an explorer's run buffers, lent to one explorer at a time
	evs     []model.Event
}

// NewWorkspace returns an empty workspace.
func NewWorkspace() *Workspace { return &Workspace{scratch: &model.State{}} }

// clone returns a copy of s, in a state released before when there is one.
func (ws *Workspace) clone(s *model.State) *model.State {
	if n := len(ws.free); n > 0 {
		c := ws.free[n-1]
		ws.free = ws.free[:n-1]
		c.CopyFrom(s)
		return c
	}
	return s.Clone()
}

// initial returns m's initial state in a state of the pool: a search
// releases every state it took, the initial one too, so one made outside
// the pool would grow the pool by a state per search (gigabytes over the
// millions of checks of a bounded proof).
func (ws *Workspace) initial(m *model.Machine) *model.State { return ws.clone(m.Initial()) }

// release keeps s, no longer used, for a later clone.
func (ws *Workspace) release(s *model.State) { ws.free = append(ws.free, s) }

// ws returns the search's workspace: the caller's, or a fresh one.
func (x *explorer) ws() *Workspace {
	if x.opt.Workspace == nil {
		x.opt.Workspace = NewWorkspace()
	}
	return x.opt.Workspace
}

// Progress is a snapshot of a running search, for progress lines.
type Progress struct {
	Stats
	Depth   int // length of the run being explored (steps from the initial state)
	Elapsed time.Duration
	Memory  MemoryUse // the process's, as measured for the budget
	Budget  uint64    // the memory budget (0: none)
	Sampled bool      // the search samples runs (random, PCT, auto after a proof given up): Runs counts them
}

// Stats count the work a search did.
type Stats struct {
	States      int64   `json:"states"`      // distinct states (exhaustive) or states stepped through (runs)
	Transitions int64   `json:"transitions"` // steps executed
	Runs        int64   `json:"runs"`        // runs that reached an end (exhaustive: end states)
	Seconds     float64 `json:"seconds"`
}

// Add adds o's counts (and seconds) to s.
func (s *Stats) Add(o Stats) {
	s.States += o.States
	s.Transitions += o.Transitions
	s.Runs += o.Runs
	s.Seconds += o.Seconds
}

// Result is what a search found.
type Result struct {
	Machine    *model.Machine
	Engine     Engine       // the search that found it
	Violations []*Violation // one per violated property, the best counterexample found, in report order
	Stats      Stats
	Exhaustive bool   // every reachable state was explored
	Stopped    string // why the search was cut short ("" if it was not): see Complete
	// Sampled counts the PCT runs Auto sampled after it gave the proof
	// up (Options.ProveFor); Stopped says why it did.
	Sampled int64
	// OrderPairs lists every misordered parent/supplier -> child/consumer
	// pair seen in any run, with whether upstream misorders it too.
	OrderPairs []OrderPair
	// Coverage estimates what a lossy memory mode explored (nil: exact).
	Coverage *Coverage
	// LastRun is the schedule of the last run of a campaign (random, PCT,
	// or any one-run strategy): what replays it.
	LastRun []string
}

// Complete reports whether the search did all it was asked to: explored
// every state (an exhaustive engine), or ran every requested run. A search
// cut short (timeout, interrupt, memory budget, an Auto proof given up) is
// not complete; when it found no violation, it proves nothing.
func (r *Result) Complete() bool { return r.Stopped == "" }

// Why a search was cut short (Result.Stopped).
const (
	StopTimeout     = "timeout"
	StopInterrupted = "interrupted"
	StopMemory      = "memory budget"
	StopViolation   = "violation found" // Options.FirstViolation
)

// OrderPair is a misordered dependency seen during a search.
type OrderPair struct {
	Supplier, Consumer model.DevID
	Inherited          bool
}

// DefaultMaxSteps is the step bound used when Options.MaxSteps is 0: far
// more than any finishing run of the modeled versions takes.
func DefaultMaxSteps(m *model.Machine) int {
	return 200*(len(m.Top.Devices)+len(m.Top.Links)) + 1000
}

// Explore searches m's runs with the engine opt.Engine.
func Explore(m *model.Machine, opt Options) *Result {
	if opt.Properties == nil {
		opt.Properties, _ = ParseProperties(nil)
	}
	if opt.MaxSteps <= 0 {
		opt.MaxSteps = DefaultMaxSteps(m)
	}
	if opt.Context == nil {
		opt.Context = context.Background()
	}
	if opt.MaxMemory == 0 {
		opt.MaxMemory = maxMemoryOf(opt.Context)
	}
	b := newBaseline(m)
	x := newExplorer(m, opt, b)
	switch opt.Engine {
	case DFS:
		if opt.Memory == MemoryBitstate {
			x.bitstate(cmp.Or(opt.BitstateBits, 30))
		} else {
			x.exhaustive()
		}
	case DPOR:
		x.dpor()
	case Auto:
		x = x.auto(b)
	default:
		x.runs()
	}
	res := x.result()
	if ws := x.opt.Workspace; ws != nil {
		ws.trs, ws.evs = x.trs[:0], x.evs[:0] // the next search's
	}
	return res
}

// overBudget is why an Auto search's DPOR phase stopped.
const overBudget = "over budget"

// auto runs Auto's phases: DPOR and DFS alternately with doubling
// transition budgets until one finishes; DPOR alone once DFS reached the
// memory budget; and, with Options.ProveFor, PCT runs once the proof is
// given up. It returns the explorer that holds the result.
func (x *explorer) auto(b *baseline) *explorer {
	m, opt := x.m, x.opt
	var spent Stats
	noDFS := false
	if opt.ProveFor > 0 {
		x.proveBy = x.begin.Add(opt.ProveFor)
	}
	// next starts a phase over, keeping the clock and what was found: a
	// timeout in it must not lose counterexamples.
	next := func(opt Options) {
		spent.Transitions += x.stats.Transitions
		spent.States += x.stats.States
		prev := x
		x = newExplorer(m, opt, b)
		x.begin, x.lastProgress, x.proveBy, x.best, x.pairs = prev.begin, prev.lastProgress, prev.proveBy, prev.best, prev.pairs
	}
	for budget, dpor := cmp.Or(opt.Budget, DefaultBudget), true; ; budget = 2 * budget {
		x.budget = budget
		if dpor {
			x.dpor()
		} else {
			x.exhaustive()
		}
		if x.stopped == StopMemory && !dpor {
			noDFS = true // DPOR keeps no visited states: it may still finish
			freeMemory()
		} else if x.stopped != overBudget {
			break
		}
		next(opt)
		dpor = noDFS || !dpor
	}
	if why := x.stopped; opt.ProveFor > 0 && (why == gaveUp || why == StopMemory) {
		if why == gaveUp {
			why = fmt.Sprintf("no proof within %v", opt.ProveFor)
		}
		// Sample the runs the proof did not reach: PCT, each run from
		// the initial state, memory linear in the topology, for at most
		// SampleFor.
		freeMemory()
		camp := opt
		camp.Engine = PCT
		next(camp)
		x.proveBy = time.Time{}
		if opt.SampleFor > 0 {
			x.proveBy = time.Now().Add(opt.SampleFor)
		}
		x.runs()
		x.sampled = x.stats.Runs
		if x.stopped == gaveUp || x.stopped == why {
			x.stopped = "" // the sample is bounded by design
		}
		if x.stopped == "" || x.stopped == StopViolation {
			x.stopped = cmp.Or(x.stopped, why)
		} else {
			x.stopped = why + "; " + x.stopped
		}
		x.opt.Engine = Auto
	}
	x.stats.Transitions += spent.Transitions
	x.stats.States += spent.States
	return x
}

// gaveUp is why an Auto phase stopped at Options.ProveFor.
const gaveUp = "proof given up"

// freeMemory returns what a finished phase held to the OS before the next
// one measures the budget.
func freeMemory() { debug.FreeOSMemory() }

func newExplorer(m *model.Machine, opt Options, b *baseline) *explorer {
	now := time.Now()
	r := m.NewRunner()
	r.Observe(observer(m, opt.Properties))
	x := &explorer{m: m, r: r, sched: opt.Engine.scheduler(m, opt), opt: opt, mon: newMonitor(m, opt.Properties, b),
		best: map[Property]*Violation{}, pairs: map[[2]model.DevID]bool{}, begin: now, lastProgress: now}
	x.mon.wants = x.wants
	if ws := opt.Workspace; ws != nil {
		// Lent, not shared: an Auto phase's explorer takes them while the
		// previous one still holds its own.
		x.trs, x.evs, ws.trs, ws.evs = ws.trs[:0], ws.evs[:0], nil, nil
	}
	return x
}

type explorer struct {
	m     *model.Machine
	r     *model.Runner
	sched scheduler.Scheduler
	opt   Options
	mon   *monitor

	trs   []model.Transition // the current run's transitions
	evs   []model.Event      // and their events
	best  map[Property]*Violation
	pairs map[[2]model.DevID]bool
	stats Stats

	final       *model.State // the last run's last state
	trackCycles bool         // detect a run that comes back to a state (replays)
	budget      int64        // stop after this many transitions (0: no limit)
	coverage    *Coverage    // of a lossy memory mode

	stopped      string
	begin        time.Time
	lastProgress time.Time
	proveBy      time.Time // Auto gives the proof up at this time (zero: never)
	sampled      int64     // runs sampled after the proof was given up
	depth        int
}

// tick counts a transition and, now and then, checks for cancellation and
// reports progress. It returns false when the search must stop.
func (x *explorer) tick() bool {
	x.stats.Transitions++
	if x.stopped != "" { // FirstViolation
		return false
	}
	if x.budget > 0 && x.stats.Transitions > x.budget {
		x.stopped = overBudget
		return false
	}
	if x.stats.Transitions&1023 != 0 {
		return true
	}
	if err := x.opt.Context.Err(); err != nil {
		x.stopped = StopInterrupted
		if err == context.DeadlineExceeded {
			x.stopped = StopTimeout
		}
		return false
	}
	var mem MemoryUse
	if x.opt.MaxMemory > 0 || x.opt.Progress != nil {
		mem = ReadMemory()
	}
	if mem.Over(x.opt.MaxMemory) {
		x.stopped = StopMemory
		return false
	}
	now := time.Now()
	if !x.proveBy.IsZero() && !now.Before(x.proveBy) {
		x.stopped = gaveUp
		return false
	}
	if x.opt.Progress != nil && now.Sub(x.lastProgress) >= time.Second {
		x.lastProgress = now
		x.opt.Progress(Progress{Stats: x.stats, Depth: len(x.trs), Elapsed: now.Sub(x.begin), Memory: mem, Budget: x.opt.MaxMemory,
			Sampled: !x.opt.Engine.Exhaustive()})
	}
	return true
}

// step applies tr to s (in place) and runs the step monitors.
func (x *explorer) step(s *model.State, tr model.Transition) {
	x.stepped(s, tr, x.r.Apply(s, tr))
}

// stepped is step once tr has run: s is the state it led to, ev what
// happened.
func (x *explorer) stepped(s *model.State, tr model.Transition, ev model.Event) {
	x.trs = append(x.trs, tr)
	x.evs = append(x.evs, ev)
	x.mon.afterStep(s, ev)
	x.collect(s)
}

// end runs the end-of-run monitors on s, where nothing can run.
func (x *explorer) end(s *model.State) {
	x.stats.Runs++
	x.mon.atEnd(s, x.evs)
	x.collect(s)
}

func (x *explorer) hang(s *model.State, why string) {
	x.mon.report(finding{property: Hang, message: why})
	x.collect(s)
}

// wants reports whether a violation of p (inherited: a misorder upstream
// shares) found now, at the current run's last step, would replace the
// best one kept: collect keeps it then, and the monitors word it only then.
func (x *explorer) wants(p Property, inherited bool) bool {
	w := x.best[p]
	return w == nil || Size{Inherited: inherited, Steps: len(x.trs), Switches: switches(x.trs)}.Less(w.Size())
}

// collect turns the monitor's findings into counterexamples for the current
// run, keeping the best one per property.
func (x *explorer) collect(s *model.State) {
	for _, f := range x.mon.found {
		if f.property == Order {
			x.pairs[f.pair] = *f.inherit
		}
		if !x.wants(f.property, f.inherit != nil && *f.inherit) {
			continue
		}
		w := x.best[f.property]
		v := &Violation{Property: f.property, Message: f.message, Details: f.details, Inherited: f.inherit,
			Pair: f.pair, Cycle: f.cycle, Switches: switches(x.trs), Step: len(x.trs)}
		v.Schedule = Labels(x.m, s, x.trs)
		x.best[f.property] = v
		if w == nil && x.opt.Found != nil {
			x.opt.Found(v)
		}
		if x.opt.FirstViolation {
			x.stopped = StopViolation
		}
	}
	x.mon.found = x.mon.found[:0]
}

// Labels names transitions the way schedules record them; s is any state
// in which their threads exist (a thread's name never changes).
func Labels(m *model.Machine, s *model.State, trs []model.Transition) []string {
	out := make([]string, len(trs))
	for i, tr := range trs {
		out[i] = Label(m, s, tr)
	}
	return out
}

// Label names one transition: the thread's name, with "!fail" when it takes
// the failing alternative of an allocation.
func Label(m *model.Machine, s *model.State, tr model.Transition) string {
	name := m.ThreadName(s, tr.Thread)
	if tr.Alt == model.AltFail {
		name += "!fail"
	}
	return name
}

func switches(trs []model.Transition) int {
	n := 0
	for i := 1; i < len(trs); i++ {
		if trs[i].Thread != trs[i-1].Thread {
			n++
		}
	}
	return n
}

const cycleMessage = "a cycle of states makes no progress: the run can go on forever"

func (x *explorer) result() *Result {
	x.stats.Seconds = time.Since(x.begin).Seconds()
	res := &Result{Machine: x.m, Engine: x.opt.Engine, Stats: x.stats, Stopped: x.stopped, Coverage: x.coverage,
		Exhaustive: x.opt.Engine.Exhaustive() && x.stopped == "" && x.coverage == nil, Sampled: x.sampled}
	if !x.opt.Engine.Exhaustive() && x.final != nil {
		res.LastRun = Labels(x.m, x.final, x.trs)
	}
	for _, v := range x.best {
		res.Violations = append(res.Violations, v)
	}
	sort.Slice(res.Violations, func(i, j int) bool { return res.Violations[i].Property.Rank() < res.Violations[j].Property.Rank() })
	for p, inh := range x.pairs {
		res.OrderPairs = append(res.OrderPairs, OrderPair{Supplier: p[0], Consumer: p[1], Inherited: inh})
	}
	sort.Slice(res.OrderPairs, func(i, j int) bool {
		a, b := res.OrderPairs[i], res.OrderPairs[j]
		return a.Supplier < b.Supplier || (a.Supplier == b.Supplier && a.Consumer < b.Consumer)
	})
	return res
}

// Violation returns the counterexample for property p, or nil.
func (r *Result) Violation(p Property) *Violation {
	if i := slices.IndexFunc(r.Violations, func(v *Violation) bool { return v.Property == p }); i >= 0 {
		return r.Violations[i]
	}
	return nil
}
