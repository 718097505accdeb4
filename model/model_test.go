package model

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// topo builds a checked topology: devs in devices_kset order as
// name/parent/async triples.
func topo(t *testing.T, devs []Device, links []Link) *Topology {
	t.Helper()
	for i := range devs {
		devs[i].Present = true
	}
	top := &Topology{Name: t.Name(), Devices: devs, Links: links, Scenario: DefaultScenario()}
	if err := top.Check(); err != nil {
		t.Fatal(err)
	}
	return top
}

func machine(t *testing.T, top *Topology, variant string, sc Scenario) *Machine {
	t.Helper()
	v, err := LookupVariant(variant)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMachine(top, v, sc)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// server: a host bridge with an NVMe controller (async) and a USB hub
// (need_parent_lock), a regulator supplying the NVMe controller.
func server(t *testing.T) *Topology {
	return topo(t, []Device{
		{Name: "reg", Parent: NoDev},
		{Name: "pci0", Parent: NoDev, Async: true},
		{Name: "nvme0", Parent: 1, Async: true},
		{Name: "usb1", Parent: 1, NeedParentLock: true},
		{Name: "disk", Parent: 2},
	}, []Link{{Supplier: 0, Consumer: 2}})
}

// randomRun runs m to the end choosing transitions with rng; it returns the
// events and the final state.
func randomRun(t *testing.T, m *Machine, rng *rand.Rand) ([]Event, *State) {
	t.Helper()
	s, r := m.Initial(), m.NewRunner()
	var evs []Event
	for steps := 0; ; steps++ {
		if steps > 10000 {
			t.Fatal("run does not end")
		}
		en := r.Enabled(s, nil)
		if len(en) == 0 {
			return evs, s
		}
		evs = append(evs, r.Apply(s, en[rng.IntN(len(en))]))
	}
}

func TestListOperations(t *testing.T) {
	s := &State{Dev: make([]DevState, 3), Head: DevState{Prev: NoDev, Next: NoDev}}
	for i := range s.Dev {
		s.Dev[i].Prev, s.Dev[i].Next = DevID(i), DevID(i)
	}
	for i := range 3 {
		s.listAddTail(DevID(i))
	}
	if got := s.List(); !reflect.DeepEqual(got, []DevID{0, 1, 2}) {
		t.Fatalf("list = %v", got)
	}
	s.listDel(1)
	if got := s.List(); !reflect.DeepEqual(got, []DevID{0, 2}) || s.OnList(1) || s.Dev[1].Prev != 1 {
		t.Fatalf("after list_del_init(1): %v, entry %+v", got, s.Dev[1])
	}
	s.listDel(1) // list_del_init on a self-linked entry changes nothing
	s.listDel(2)
	s.listDel(0)
	if s.Head.Next != NoDev || s.Head.Prev != NoDev || len(s.List()) != 0 {
		t.Fatalf("list not empty: %+v", s.Head)
	}
}

// Probing which operation a thread stands at must not change the state.
func TestProbeDoesNotChangeState(t *testing.T) {
	for _, variant := range []string{"upstream", "v14"} {
		m := machine(t, server(t), variant, Scenario{AsyncShutdown: true, AllocFailures: 1, Workers: 1})
		rng := rand.New(rand.NewPCG(7, 7))
		for run := 0; run < 50; run++ {
			s, r := m.Initial(), m.NewRunner()
			for {
				before := string(s.AppendKey(nil))
				en := r.Enabled(s, nil)
				if after := string(s.AppendKey(nil)); before != after {
					t.Fatalf("%s: probing changed the state", variant)
				}
				if len(en) == 0 {
					break
				}
				r.Apply(s, en[rng.IntN(len(en))])
			}
		}
	}
}

// The same schedule gives the same events, and clones step identically.
func TestDeterministic(t *testing.T) {
	m := machine(t, server(t), "v14", DefaultScenario())
	a, sa := randomRun(t, m, rand.New(rand.NewPCG(3, 4)))
	b, sb := randomRun(t, m, rand.New(rand.NewPCG(3, 4)))
	if !reflect.DeepEqual(a, b) || string(sa.AppendKey(nil)) != string(sb.AppendKey(nil)) {
		t.Fatal("two runs with the same choices differ")
	}
	s, r := m.Initial(), m.NewRunner()
	c := s.Clone()
	en := r.Enabled(s, nil)
	r.Apply(s, en[0])
	if string(c.AppendKey(nil)) == string(s.AppendKey(nil)) {
		t.Fatal("a step changed nothing")
	}
	r.Apply(c, en[0])
	if string(c.AppendKey(nil)) != string(s.AppendKey(nil)) {
		t.Fatal("a clone steps differently from its original")
	}
}

func shutdownOrder(evs []Event) []DevID {
	var order []DevID
	for _, ev := range evs {
		if ev.Kind == OpShutdownStart {
			order = append(order, ev.Dev)
		}
	}
	return order
}

// upstream shuts devices down from the tail of devices_kset to its head,
// each once, with every reference balanced at the end.
func TestUpstreamWalksFromTheTail(t *testing.T) {
	m := machine(t, server(t), "upstream", DefaultScenario())
	evs, s := randomRun(t, m, rand.New(rand.NewPCG(1, 1)))
	if got, want := shutdownOrder(evs), []DevID{4, 3, 2, 1, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("shutdown order %v, want %v", got, want)
	}
	for i := range s.Dev {
		if s.Dev[i].Ref != m.InitialRef(DevID(i)) || s.Dev[i].Lock != NoThread || s.OnList(DevID(i)) {
			t.Errorf("device %d at the end: %+v (initial ref %d)", i, s.Dev[i], m.InitialRef(DevID(i)))
		}
	}
}

// With core.async_shutdown=0, v14 queues nothing and shuts down in list order.
func TestV14WithAsyncShutdownOff(t *testing.T) {
	m := machine(t, server(t), "v14", Scenario{AsyncShutdown: false})
	evs, s := randomRun(t, m, rand.New(rand.NewPCG(1, 1)))
	if len(s.Threads) != 1 {
		t.Errorf("%d threads, want only main", len(s.Threads))
	}
	if got, want := shutdownOrder(evs), []DevID{4, 3, 2, 1, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("shutdown order %v, want %v", got, want)
	}
}

// Every v14 run shuts every device down once, balances every reference,
// and leaves no lock held; each async device gets one entry.
func TestV14RunsComplete(t *testing.T) {
	m := machine(t, server(t), "v14", DefaultScenario())
	rng := rand.New(rand.NewPCG(5, 6))
	for run := 0; run < 200; run++ {
		evs, s := randomRun(t, m, rng)
		if !s.Finished() {
			t.Fatalf("run %d: threads left blocked", run)
		}
		if n := len(shutdownOrder(evs)); n != 5 {
			t.Fatalf("run %d: %d shutdowns", run, n)
		}
		for i := range s.Dev {
			d := &s.Dev[i]
			if d.Ref != m.InitialRef(DevID(i)) || d.Lock != NoThread || d.Pins != 0 || !d.Has(FlagDone) {
				t.Fatalf("run %d: device %d at the end: %+v", run, i, d)
			}
		}
		if len(s.Threads) != 3 { // main, async:pci0, async:nvme0
			t.Fatalf("run %d: %d threads", run, len(s.Threads))
		}
	}
}

// An allocation can fail only while injected failures are left; the
// device then goes through the synchronous path.
func TestAllocFailureAlternative(t *testing.T) {
	m := machine(t, server(t), "v14", Scenario{AsyncShutdown: true, AllocFailures: 1})
	s, r := m.Initial(), m.NewRunner()
	failed := false
	for {
		en := r.Enabled(s, nil)
		if len(en) == 0 {
			break
		}
		tr := en[0]
		for _, e := range en {
			if e.Alt == AltFail {
				tr = e
			}
		}
		ev := r.Apply(s, tr)
		if ev.Alt == AltFail {
			if failed {
				t.Fatal("a second injected failure with alloc_failures=1")
			}
			failed = true
			if ev.Kind != OpAsyncSchedule || ev.Val != 0 {
				t.Fatalf("failure on %v", ev)
			}
		}
	}
	if !failed || s.AllocFailures != 0 {
		t.Fatalf("failed=%v, left=%d", failed, s.AllocFailures)
	}
}

// The early pass allocates with GFP_KERNEL under devices_kset->list_lock.
func TestV14EarlyPassSleepsUnderListLock(t *testing.T) {
	m := machine(t, server(t), "v14", DefaultScenario())
	evs, _ := randomRun(t, m, rand.New(rand.NewPCG(2, 2)))
	for _, ev := range evs {
		if ev.Kind == OpAsyncSchedule && ev.Func == v14.shutdownDeviceAsync && ev.Fault&FaultSleepInAtomic != 0 {
			return
		}
	}
	t.Fatal("no async_schedule_dev_nocall() under list_lock was flagged")
}

func TestThreadNames(t *testing.T) {
	m := machine(t, server(t), "v14", DefaultScenario())
	_, s := randomRun(t, m, rand.New(rand.NewPCG(1, 1)))
	var names []string
	for i := range s.Threads {
		names = append(names, m.ThreadName(s, TID(i)))
	}
	if !reflect.DeepEqual(names, []string{"main", "async:nvme0", "async:pci0"}) {
		t.Errorf("names = %v", names)
	}
}

func TestKeyDistinguishesStates(t *testing.T) {
	m := machine(t, server(t), "v14", DefaultScenario())
	s, r := m.Initial(), m.NewRunner()
	seen := map[string]bool{string(s.AppendKey(nil)): true}
	for {
		en := r.Enabled(s, nil)
		if len(en) == 0 {
			break
		}
		r.Apply(s, en[0])
		k := string(s.AppendKey(nil))
		if seen[k] {
			t.Fatal("two different points of a run have the same key")
		}
		seen[k] = true
	}
}

func TestTopologyCheck(t *testing.T) {
	bad := []*Topology{
		{Devices: nil},
		{Devices: []Device{{Name: "a", Parent: 0}}},
		{Devices: []Device{{Name: "a", Parent: NoDev}, {Name: "a", Parent: NoDev}}},
		{Devices: []Device{{Name: "a", Parent: NoDev}}, Links: []Link{{Supplier: 0, Consumer: 0}}},
		{Devices: []Device{{Name: "a", Parent: NoDev}, {Name: "b", Parent: 0}}, Links: []Link{{Supplier: 1, Consumer: 0}}},
	}
	for i, top := range bad {
		if err := top.Check(); err == nil {
			t.Errorf("topology %d accepted", i)
		}
	}
	ok := &Topology{Devices: []Device{{Name: "a", Parent: NoDev, Present: true}, {Name: "b", Parent: 0, Present: true}},
		Links: []Link{{Supplier: 1, Consumer: 0, SyncStateOnly: true}}}
	if err := ok.Check(); err != nil {
		t.Errorf("a sync_state_only link against the parent edge is legal: %v", err)
	}
}

// Random runs of every version with every actor, allocation failures and a
// bounded async_wq: every live thread always stands at an operation
// (Pending panics otherwise), runs end, and the environment's references
// come out even: a device removed by device_del() keeps only the references
// of its registered children (device_add() took them) and of shutdown, and
// is freed when none is left.
func TestRandomRunsWithActors(t *testing.T) {
	top := &Topology{Name: "actors", Devices: []Device{
		{Name: "s", Parent: NoDev, Present: true},
		{Name: "p", Parent: NoDev, Async: true, Present: true},
		{Name: "c", Parent: 1, Async: true, Present: true},
		{Name: "u", Parent: 2, NeedParentLock: true, Present: true},
		{Name: "h", Parent: 1, Async: true},
	}, Links: []Link{{Supplier: 0, Consumer: 2}, {Supplier: 0, Consumer: 4}, {Supplier: 1, Consumer: 3, SyncStateOnly: true}}}
	if err := top.Check(); err != nil {
		t.Fatal(err)
	}
	sc := Scenario{AsyncShutdown: true, Workers: 2, AllocFailures: 1, Remove: []string{"s", "c"}, HotAdd: []string{"h"}, ParamToggle: true}
	for _, v := range Variants() {
		m := machine(t, top, v.Name, sc)
		rng := rand.New(rand.NewPCG(11, 12))
		for run := 0; run < 300; run++ {
			_, s := randomRun(t, m, rng)
			if !s.Finished() {
				continue // a deadlock: the checker's business
			}
			for _, name := range sc.Remove {
				dev := top.Index(name)
				d := &s.Dev[dev]
				want := d.Held
				for _, c := range top.Children(dev) {
					if !s.Dev[c].Has(FlagDead) && (s.OnList(c) || s.Dev[c].Has(FlagStarted)) {
						want++ // a registered child's device_add() reference
					}
				}
				if d.Ref != want || (d.Ref == 0) != d.Has(FlagFreed) {
					t.Fatalf("%s run %d: removed %s ends with refcount %d, want %d (held %d)", v.Name, run, name, d.Ref, want, d.Held)
				}
			}
		}
	}
}
