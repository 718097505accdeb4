package model

import (
	"fmt"
	"slices"
)

// Machine is a topology, a version of the algorithm and a scenario: the
// static part of a model. Its methods are safe for concurrent use; a Runner
// steps states.
type Machine struct {
	Top      *Topology
	Variant  *Variant
	Scenario Scenario

	initialRef  []int16
	linkAtStart []bool    // the link exists when shutdown begins (see Link.BeforeAdd)
	moves       []move    // the scenario's device_move()s
	children    [][]DevID // childCandidates
	linksOf     [][]int   // each device's links, supplier or consumer, in topology order
	addFail     []bool    // whose device_add() fails
}

// NewMachine builds the model of variant v shutting down top under sc (a
// device absent from top that sc does not hot-add is simply never
// registered). The topology must have passed Check.
func NewMachine(top *Topology, v *Variant, sc Scenario) (*Machine, error) {
	if top.children == nil {
		return nil, fmt.Errorf("model: topology %q was not checked", top.Name)
	}
	with := *top
	with.Scenario = sc
	if err := with.checkFields(); err != nil {
		return nil, err
	}
	m := &Machine{Top: top, Variant: v, Scenario: sc}
	for _, mv := range sc.Move {
		m.moves = append(m.moves, move{dev: top.Index(mv.Device), parent: top.Index(mv.Parent), order: mv.Order})
	}
	m.indexChildren()
	m.addFail = make([]bool, len(top.Devices))
	for _, name := range sc.AddFail {
		m.addFail[top.Index(name)] = true
	}
	m.linksOf = make([][]int, len(top.Devices))
	for i, l := range top.Links {
		m.linksOf[l.Supplier] = append(m.linksOf[l.Supplier], i)
		m.linksOf[l.Consumer] = append(m.linksOf[l.Consumer], i)
	}
	m.linkAtStart = make([]bool, len(top.Links))
	for i, l := range top.Links {
		// device_link_add() needs a registered supplier, but accepts a
		// consumer that is not registered yet.
		con := top.Devices[l.Consumer]
		m.linkAtStart[i] = top.Devices[l.Supplier].Present &&
			(con.Present || l.BeforeAdd || !slices.Contains(sc.HotAdd, con.Name))
	}
	m.initialRef = m.countRefs()
	return m, nil
}

// countRefs returns each device's reference count when shutdown begins: the
// reference of its registration, the one its parent's klist holds, one per
// registered child (device_add() takes get_device(parent)) and one per
// device link it is an end of.
func (m *Machine) countRefs() []int16 {
	refs := make([]int16, len(m.Top.Devices))
	for i, d := range m.Top.Devices {
		refs[i]++
		if !d.Present {
			continue
		}
		if d.Parent != NoDev {
			refs[i]++
			refs[d.Parent]++
		}
	}
	for i, l := range m.Top.Links {
		if m.linkAtStart[i] {
			refs[l.Supplier]++
			refs[l.Consumer]++
		}
	}
	return refs
}

// InitialRef returns dev's reference count when shutdown begins.
func (m *Machine) InitialRef(dev DevID) int16 { return m.initialRef[dev] }

// Initial returns the state in which device_shutdown() is called.
func (m *Machine) Initial() *State {
	n := len(m.Top.Devices)
	s := &State{
		Dev:           make([]DevState, n),
		Head:          DevState{Prev: NoDev, Next: NoDev},
		ListLock:      NoThread,
		PMLock:        NoThread,
		Param:         m.Scenario.AsyncShutdown,
		AllocFailures: int8(m.Scenario.AllocFailures),
		NextCookie:    1,
		Links:         make([]LinkFlags, len(m.Top.Links)),
	}
	for i := range s.Links {
		if m.linkAtStart[i] {
			s.Links[i] = LinkPresent
		}
	}
	for i, dev := range m.Top.Devices {
		d := &s.Dev[i]
		d.Prev, d.Next, d.Lock, d.Ref = DevID(i), DevID(i), NoThread, m.initialRef[i]
		d.Parent, d.Klist, d.Knode = dev.Parent, NoDev, m.Top.Knode(DevID(i))
		if dev.Async {
			d.Flags |= FlagAsync
		}
		if !dev.Present {
			d.Flags |= FlagPNull // device_private_init() runs in device_add()
			continue
		}
		s.listAddTail(DevID(i))
		d.Flags |= FlagInSysfs | FlagInDPMList
		if dev.Parent != NoDev {
			d.Flags |= FlagInKlist
			d.Klist = dev.Parent
		}
	}
	main := Thread{Kind: KindMain, Status: Running, Dev: NoDev, Depth: 1}
	main.Frames[0] = Frame{Fn: m.Variant.Main, Dev: NoDev, Cur: NoDev, Dev2: NoDev, Aux: -1}
	s.Threads = append(s.Threads, main)
	for _, f := range ScenarioFields {
		if f.start != nil {
			f.start(m, s)
		}
	}
	r := m.NewRunner()
	for i := range s.Threads {
		r.bind(s, TID(i))
		r.k.settle()
	}
	return s
}

// Runner steps states of one machine. It holds scratch space: use one per
// goroutine.
type Runner struct {
	m       *Machine
	k       Kernel
	observe Observer
	read    func(Obj) // records an observer's read as the step's (made once: Apply runs per step)
}

// Observer declares what a check run after every step (a property monitor)
// reads of the state besides what the step itself touched: it calls read
// with each such object (ShutdownObj, DeadObj, RegisteredObj). The Runner
// records those reads as the step's own, so the partial-order reductions
// never swap two steps whose order a check can tell apart.
type Observer func(s *State, ev Event, read func(Obj))

// Observe makes every Apply record the reads o declares.
func (r *Runner) Observe(o Observer) {
	r.observe = o
	r.read = func(o Obj) { r.k.acc = append(r.k.acc, Access(o)<<2) }
}

// NewRunner returns a Runner for m.
func (m *Machine) NewRunner() *Runner { return &Runner{m: m, k: Kernel{m: m}} }

func (r *Runner) bind(s *State, tid TID) {
	r.k.s, r.k.tid, r.k.t = s, tid, &s.Threads[tid]
	r.k.spawned = r.k.spawned[:0]
	r.k.alt = AltNormal
}

// Pending reports the operation thread tid stands at, whether it can run
// now, and how many alternatives it has. The thread must not be Done.
func (r *Runner) Pending(s *State, tid TID) (ev Event, enabled bool, alts uint8) {
	r.bind(s, tid)
	r.k.probing, r.k.recorded = true, false
	r.k.dispatch()
	if !r.k.recorded {
		panic(fmt.Sprintf("model: thread %d stands at no operation in %s", tid, r.k.t.top().Fn))
	}
	return r.k.ev, r.k.enabled, r.k.alts
}

// Enabled appends to buf the transitions that can run in s, thread by thread.
func (r *Runner) Enabled(s *State, buf []Transition) []Transition {
	for i := range s.Threads {
		if s.Threads[i].Status == Done {
			continue
		}
		_, ok, alts := r.Pending(s, TID(i))
		if !ok {
			continue
		}
		for a := uint8(0); a < alts; a++ {
			buf = append(buf, Transition{Thread: TID(i), Alt: a})
		}
	}
	return buf
}

// EnabledAlts is Enabled that also appends to alts, thread by thread, how
// many alternatives the operation it stands at has, enabled or not (0 for a
// thread that is done): what a search that runs every thread's next step
// needs, with one probe per thread.
func (r *Runner) EnabledAlts(s *State, buf []Transition, alts []uint8) ([]Transition, []uint8) {
	for i := range s.Threads {
		if s.Threads[i].Status == Done {
			alts = append(alts, 0)
			continue
		}
		_, ok, n := r.Pending(s, TID(i))
		alts = append(alts, n)
		if !ok {
			continue
		}
		for a := uint8(0); a < n; a++ {
			buf = append(buf, Transition{Thread: TID(i), Alt: a})
		}
	}
	return buf, alts
}

// Apply runs transition tr in s, changing s, and returns what happened.
func (r *Runner) Apply(s *State, tr Transition) Event {
	r.bind(s, tr.Thread)
	r.k.alt = tr.Alt
	r.k.probing, r.k.recorded = false, false
	r.k.acc = r.k.acc[:0]
	r.k.dispatch()
	if !r.k.recorded {
		panic(fmt.Sprintf("model: step of thread %d ran no operation", tr.Thread))
	}
	ev := r.k.ev
	r.k.settle()
	if r.k.t.Status == Done {
		ev.Exit = true
		if r.k.t.Returned() && s.holdsLock(tr.Thread) {
			ev.Fault |= FaultLockHeldAtExit
		}
	}
	if r.observe != nil {
		r.observe(s, ev, r.read)
	}
	spawned := r.k.spawned
	for _, t := range spawned {
		s.Threads = append(s.Threads, t)
		r.bind(s, TID(len(s.Threads)-1))
		r.k.settle()
	}
	r.k.spawned = spawned[:0]
	return ev
}

// Accesses returns what the last Apply touched; valid until the next Apply.
func (r *Runner) Accesses() []Access { return r.k.acc }

// holdsLock reports whether thread tid holds any lock.
func (s *State) holdsLock(tid TID) bool {
	if s.ListLock == tid || s.Threads[tid].SRCU > 0 {
		return true
	}
	for i := range s.Dev {
		if s.Dev[i].Lock == tid {
			return true
		}
	}
	return false
}

// HeldLocks describes the locks thread tid holds, for reports.
func (m *Machine) HeldLocks(s *State, tid TID) []string {
	var held []string
	if s.ListLock == tid {
		held = append(held, "devices_kset->list_lock")
	}
	for i := range s.Dev {
		if s.Dev[i].Lock == tid {
			held = append(held, fmt.Sprintf("device_lock(%s)", m.Top.Devices[i].Name))
		}
	}
	if s.Threads[tid].SRCU > 0 {
		held = append(held, "device_links_read_lock()")
	}
	return held
}

// ThreadName names thread tid the way traces and schedules do: "main",
// "async:DEV" for the async entry of DEV ("async:DEV#2" for a second one),
// "device_del:DEV", "device_add:DEV" and "param_set_bool" for the actors,
// "device_link_release_fn:SUPPLIER->CONSUMER" for a link's release work.
func (m *Machine) ThreadName(s *State, tid TID) string {
	t := &s.Threads[tid]
	switch t.Kind {
	case KindMain:
		return "main"
	case KindWorker:
		name := "async:" + m.Top.DevName(t.Dev)
		n := 1
		for i := 0; i < int(tid); i++ {
			if o := &s.Threads[i]; o.Kind == KindWorker && o.Dev == t.Dev {
				n++
			}
		}
		if n > 1 {
			name += fmt.Sprintf("#%d", n)
		}
		return name
	}
	if t.Frames[0].Fn == fnDeviceLinkReleaseFn {
		l := m.Top.Links[t.Frames[0].Aux]
		return fmt.Sprintf("device_link_release_fn:%s->%s", m.Top.DevName(l.Supplier), m.Top.DevName(l.Consumer))
	}
	if t.Dev == NoDev {
		return t.Frames[0].Fn.String()
	}
	return t.Frames[0].Fn.String() + ":" + m.Top.DevName(t.Dev)
}

// Oopsed reports whether a thread died in an oops.
func (s *State) Oopsed() bool {
	for i := range s.Threads {
		if s.Threads[i].Oopsed() {
			return true
		}
	}
	return false
}

// Finished reports whether every thread has returned (or oopsed).
func (s *State) Finished() bool {
	for i := range s.Threads {
		if s.Threads[i].Status != Done {
			return false
		}
	}
	return true
}
