package model

import (
	"math/rand/v2"
	"testing"
)

// Async domains: a wait sees the entries of its own domain only, and
// async_synchronize_full() (the NULL domain, async_global_pending) those of
// registered domains only: ASYNC_DOMAIN_EXCLUSIVE entries are never on
// async_global_pending.
func TestDomainWaits(t *testing.T) {
	worker := func(cookie int16, dom Domain, st ThreadStatus) Thread {
		return Thread{Kind: KindWorker, Status: st, Dev: NoDev, Cookie: cookie, Domain: dom}
	}
	s := &State{Threads: []Thread{
		{Kind: KindMain, Status: Running},
		worker(1, DomainTop, Running),
		worker(2, ChildDomain(0), Queued),
		worker(3, DomainSD, Done),
		worker(4, DomainDfl, Running),
	}}
	for _, c := range []struct {
		dom  Domain
		want int16
	}{
		{DomainAll, 4}, // exclusive top_domain and child_domain entries are not on async_global_pending
		{DomainTop, 1},
		{ChildDomain(0), 2},
		{ChildDomain(1), cookieMax},
		{DomainSD, cookieMax}, // its entry is done
		{DomainDfl, 4},
	} {
		if got := s.lowestInProgress(c.dom); got != c.want {
			t.Errorf("lowest_in_progress(%d) = %d, want %d", c.dom, got, c.want)
		}
	}
	full := Event{Kind: OpAsyncSyncFull, Val: cookieMax, Domain: DomainAll}
	for tid, want := range []bool{false, false, false, false, true} {
		if got := s.Awaits(full, TID(tid)); got != want {
			t.Errorf("async_synchronize_full() awaits thread %d: %t, want %t", tid, got, want)
		}
	}
	if cookie := (Event{Kind: OpAsyncSyncCookie, Val: 2, Domain: DomainTop}); !s.Awaits(cookie, 1) || s.Awaits(cookie, 2) {
		t.Error("async_synchronize_cookie_domain(2, &top_domain) should wait for cookie 1 of top_domain only")
	}
	if !DomainSD.Registered() || !DomainDfl.Registered() || DomainTop.Registered() || ChildDomain(0).Registered() {
		t.Error("sd_domain and async_dfl_domain are ASYNC_DOMAIN, top_domain and child_domain ASYNC_DOMAIN_EXCLUSIVE")
	}
	if ChildDomain(3).Owner() != 3 || DomainSD.Owner() != NoDev || DomainTop.Owner() != NoDev {
		t.Error("only a child_domain has an owner")
	}
}

// v10's union shutdown_private: a word holds NULL, a device pointer or a
// cookie, and each member reads it its own way.
func TestShutdownPrivateWord(t *testing.T) {
	for _, d := range []DevID{NoDev, 0, 1, 200} {
		if got, ptr := wordNext(nextWord(d)); got != d || !ptr {
			t.Errorf("next %d reads back as %d (pointer %t)", d, got, ptr)
		}
	}
	if _, ptr := wordNext(5); ptr {
		t.Error("a cookie read through .next is not a device pointer")
	}
}

// driver steps the threads of one machine by name.
type driver struct {
	t *testing.T
	m *Machine
	r *Runner
	s *State
}

func (d *driver) tid(name string) TID {
	for i := range d.s.Threads {
		if d.m.ThreadName(d.s, TID(i)) == name {
			return TID(i)
		}
	}
	d.t.Fatalf("no thread %s", name)
	return NoThread
}

// step runs thread name's next operation, which must be enabled.
func (d *driver) step(name string) Event {
	d.t.Helper()
	tid := d.tid(name)
	if _, ok, _ := d.r.Pending(d.s, tid); !ok {
		d.t.Fatalf("%s cannot run", name)
	}
	return d.r.Apply(d.s, Transition{Thread: tid})
}

// through runs thread name up to and including its first operation of kind op.
func (d *driver) through(name string, op OpKind) Event {
	d.t.Helper()
	for {
		if ev := d.step(name); ev.Kind == op {
			return ev
		}
	}
}

// until runs thread name until its next operation is of kind op.
func (d *driver) until(name string, op OpKind) {
	d.t.Helper()
	for {
		if ev, _, _ := d.r.Pending(d.s, d.tid(name)); ev.Kind == op {
			return
		}
		d.step(name)
	}
}

// toEnd runs thread name until it returns.
func (d *driver) toEnd(name string) {
	d.t.Helper()
	tid := d.tid(name)
	for d.s.Threads[tid].Status != Done {
		d.step(name)
	}
}

// The end of an async entry takes it off its domain's pending list: when it
// is the first or the last pending entry there, list_del_init() writes the
// list head, which for v4's child_domain is in the parent's dev->p. Here
// p's children c1, c2, c3 are queued in p->p->child_domain (c3, c2, c1 in
// cookie order), run their handlers, and device_del() of all four frees p
// (v4 holds no reference on a parent): c2's entry ends between c3 and c1 and
// touches only them; c3's, now the first, writes p's freed list head.
func TestV4EntryEndTouchesItsDomainHead(t *testing.T) {
	top := topo(t, []Device{
		{Name: "p", Parent: NoDev},
		{Name: "c1", Parent: 0},
		{Name: "c2", Parent: 0},
		{Name: "c3", Parent: 0},
	}, nil)
	sc := DefaultScenario()
	sc.Remove = []string{"p", "c1", "c2", "c3"}
	m := machine(t, top, "v4", sc)
	d := &driver{t: t, m: m, r: m.NewRunner(), s: m.Initial()}
	for range 3 {
		if ev := d.through("main", OpAsyncScheduleDomain); ev.Domain != ChildDomain(0) {
			t.Fatalf("queued in domain %d", ev.Domain)
		}
	}
	for _, c := range []string{"async:c3", "async:c2", "async:c1"} {
		d.until(c, OpAsyncEntryDone)
	}
	for _, a := range []string{"device_del:p", "device_del:c1", "device_del:c2", "device_del:c3"} {
		d.toEnd(a)
	}
	if !d.s.Dev[0].Has(FlagFreed) {
		t.Fatal("p is not freed")
	}
	if ev := d.step("async:c2"); ev.Fault != 0 {
		t.Errorf("the middle entry's end: %v", FaultText(ev.Fault))
	}
	if ev := d.step("async:c3"); ev.Fault != FaultUseAfterFree {
		t.Errorf("the first entry's end: fault %v, want use-after-free", FaultText(ev.Fault))
	}
}

// Probing which operation a thread stands at must not change the state,
// and v10's words keep their kind: only a sync device's union is written
// through .next, only an async one's through .after (so a synclist is never
// walked through a cookie, see v10.go), with every actor running.
func TestV4V10Probes(t *testing.T) {
	top := &Topology{Name: "actors", Devices: []Device{
		{Name: "s", Parent: NoDev, Present: true},
		{Name: "p", Parent: NoDev, Async: true, Present: true},
		{Name: "c", Parent: 1, Async: true, Present: true},
		{Name: "u", Parent: 2, NeedParentLock: true, Present: true},
		{Name: "v", Parent: 1, Present: true},
		{Name: "h", Parent: 1, Async: true},
	}, Links: []Link{{Supplier: 0, Consumer: 2}, {Supplier: 0, Consumer: 5}, {Supplier: 1, Consumer: 3, SyncStateOnly: true}}}
	if err := top.Check(); err != nil {
		t.Fatal(err)
	}
	sc := Scenario{AsyncShutdown: true, Workers: 2, AllocFailures: 1, Remove: []string{"s", "c"}, HotAdd: []string{"h"}}
	for _, variant := range []string{"v4", "v10"} {
		m := machine(t, top, variant, sc)
		rng := rand.New(rand.NewPCG(5, 6))
		for run := 0; run < 200; run++ {
			s, r := m.Initial(), m.NewRunner()
			for steps := 0; steps < 2000; steps++ {
				before := string(s.AppendKey(nil))
				en := r.Enabled(s, nil)
				if after := string(s.AppendKey(nil)); before != after {
					t.Fatalf("%s: probing changed the state", variant)
				}
				for i, dev := range top.Devices {
					if w := s.Dev[i].After; dev.Async && w < 0 || !dev.Async && w > 0 {
						t.Fatalf("%s: %s's shutdown word is %d", variant, dev.Name, w)
					}
				}
				if len(en) == 0 {
					break
				}
				r.Apply(s, en[rng.IntN(len(en))])
			}
		}
	}
}
