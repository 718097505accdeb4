package checker

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/examples"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// v11-v16 against v14, on the smallest topologies that show what each
// changed, derived by hand from the patches: v11 3/5 and v12 2/5-3/5 take
// the parent reference in the main loop and the early pass and drop it with
// put_device(dev->parent); v13 2/5 takes it only with the parent lock;
// v13, v15 and v16 run v14's algorithm.

// device_del() of a parent p and its USB child c, both sync (list p, c).
// v14's shutdown_one_device() takes its reference on c->parent late, with
// only a reference on c: device_del(c) can have dropped c's reference on p
// and device_unregister(p) p's last one by then (use after free, see
// TestRemoveParentAndUSBChild). v11 and v12 take it as upstream does, in
// the main loop under list_lock while c is still on devices_kset:
// device_del(c) drops its reference on p only after kobject_del(c), which
// takes c off devices_kset under list_lock. So either the main loop holds p
// through c's shutdown, or c is off the list and the loop never takes it;
// p, a root, has no parent to take. shutdown_one_device(c) then reads
// c->parent (c is held), locks, unlocks and puts p (p is held): no use
// after free, and every reference the loop took it drops.
func TestV11V12ParentReferenceUnderRemove(t *testing.T) {
	top, err := examples.Load("scenarios/remove-usb-parent")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"v11", "v12"} {
		if r := Explore(machineOf(t, top, v), Options{}).Violation(Refcount); r != nil {
			t.Errorf("%s: %s", v, r.Message)
		}
	}
	for _, v := range []string{"v13", "v14"} {
		r := Explore(machineOf(t, top, v), Options{}).Violation(Refcount)
		if r == nil || !strings.Contains(r.Message, "use-after-free: main: parent = get_device(c->parent) = p") {
			t.Errorf("%s: %+v", v, r)
		}
	}
}

// The references of v11 and v12, step by step, on p, its sync child c and
// its async child a (list p, c, a; no lock on the parent: not a USB bus),
// always running the lowest-numbered thread that can run. p's refcount
// starts at 3 (its registration and each child's device_add()), c's and
// a's at 2 (registration, p's klist). The early pass takes a:
// get_device(a->parent) (p: 4), get_device(a) (3), queues it. The main
// loop takes c: get_device(c->parent) (p: 5), get_device(c) (3);
// shutdown_one_device(c) ends reading c->parent and putting it (p: 4),
// then c (2). p's turn: p has no parent (get_device(NULL) and
// put_device(NULL) touch nothing), get_device(p) (5); main waits for a,
// whose handler runs up to complete_all(a), which lets main go on before
// a's handler unlocks a: main shuts p down, reads p->parent (NULL) and puts
// p (4); a's handler then reads a->parent and puts p (3) and a (2). Every
// get is matched by one put: the refcounts and what the shutdown threads
// hold come back to where they started. v14 never touches the parent of a
// device whose bus needs no parent lock.
func TestV11V12ParentReferenceSteps(t *testing.T) {
	const src = `devices: [{name: p}, {name: c, parent: p}, {name: a, parent: p, async: true}]`
	want := []string{
		"early_async_shutdown_devices: parent = get_device(a->parent) = p: refcount 4",
		"early_async_shutdown_devices: get_device(a): refcount 3",
		"device_shutdown: parent = get_device(c->parent) = p: refcount 5",
		"device_shutdown: get_device(c): refcount 3",
		"shutdown_one_device: c->parent == p",
		"shutdown_one_device: put_device(p): refcount 4",
		"shutdown_one_device: put_device(c): refcount 2",
		"device_shutdown: get_device(p->parent) = NULL",
		"device_shutdown: get_device(p): refcount 5",
		"shutdown_one_device: p->parent == NULL",
		"shutdown_one_device: put_device(p): refcount 4",
	}
	for _, v := range []string{"v11", "v12"} {
		m := machine(t, src, v)
		s, evs := runFirst(t, m)
		var got []string
		for _, ev := range evs {
			switch ev.Kind {
			case model.OpGetParent, model.OpReadParent, model.OpGetDevice, model.OpPutDevice:
				if ev.Thread == 0 { // main
					got = append(got, ev.Func.String()+": "+m.Describe(s, ev))
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: main's references:\n%s\nwant\n%s", v, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		var worker []string
		for _, ev := range evs {
			if ev.Thread != 0 && (ev.Kind == model.OpReadParent || ev.Kind == model.OpPutDevice) {
				worker = append(worker, m.Describe(s, ev))
			}
		}
		if w := []string{"a->parent == p", "put_device(p): refcount 3", "put_device(a): refcount 2"}; !slices.Equal(worker, w) {
			t.Errorf("%s: async:a's puts %q, want %q", v, worker, w)
		}
		for d := range s.Dev {
			if ds := s.Dev[d]; ds.Held != 0 || ds.Ref != m.InitialRef(model.DevID(d)) {
				t.Errorf("%s: %s ends with refcount %d (started %d), held %d", v, m.Top.DevName(model.DevID(d)), ds.Ref, m.InitialRef(model.DevID(d)), ds.Held)
			}
		}
	}
	_, evs := runFirst(t, machine(t, src, "v14"))
	for _, ev := range evs {
		if ev.Kind == model.OpGetParent || ev.Kind == model.OpReadParent {
			t.Errorf("v14 touches the parent: %+v", ev)
		}
	}
}

// An allocation failure in v11's and v12's early pass: it breaks out of
// the walk with needs_put = the device, and after dropping list_lock puts
// what it took, put_device(needs_put->parent) then put_device(needs_put);
// the main loop takes both again. In every run of the built-in
// alloc-failure topology (two failures: the early pass's and the main
// loop's retry) the references balance.
func TestV11V12AllocFailurePutsTheParent(t *testing.T) {
	top, err := examples.Load("scenarios/alloc-failure")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"v11", "v12"} {
		res := Explore(machineOf(t, top, v), Options{})
		if !res.Exhaustive {
			t.Fatalf("%s: %s", v, res.Stopped)
		}
		if r := res.Violation(Refcount); r != nil {
			t.Errorf("%s: %s", v, r.Message)
		}
	}
	// The failure path itself, on p (refcount 2: registration, c's
	// device_add()) and c: the walk starts at the tail, c, whose allocation
	// fails: needs_put = c, break; after the unlock p and c are put.
	m := machine(t, `devices: [{name: p, async: true}, {name: c, parent: p, async: true}]
scenario: {alloc_failures: 1}`, "v11")
	s, r := m.Initial(), m.NewRunner()
	var trace []string
	for !s.Finished() {
		ev, ok, alts := r.Pending(s, 0)
		if !ok {
			t.Fatalf("main blocked at %s", m.Describe(s, ev))
		}
		tr := model.Transition{Thread: 0}
		if ev.Kind == model.OpAsyncSchedule && alts > 1 {
			tr.Alt = model.AltFail
		}
		ev = r.Apply(s, tr)
		if ev.Func.String() == "early_async_shutdown_devices" || ev.Func.String() == "shutdown_device_async" {
			trace = append(trace, m.Describe(s, ev))
		}
		if ev.Kind == model.OpSpinUnlock {
			break
		}
	}
	for range 3 {
		trace = append(trace, m.Describe(s, r.Apply(s, model.Transition{Thread: 0})))
	}
	got := strings.Join(trace, "\n")
	for _, w := range []string{
		"parent = get_device(c->parent) = p: refcount 3\nget_device(c): refcount 3\nasync_schedule_dev_nocall(c) = false: kzalloc(GFP_KERNEL) failed (injected)\nspin_unlock(&devices_kset->list_lock)\nc->parent == p\nput_device(p): refcount 2\nput_device(c): refcount 2",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("early pass:\n%s\nwant\n%s", got, w)
		}
	}
}

// complete_all(&dev->p->complete) runs before device_unlock(dev) and, for
// a USB device, before the parent's unlock, in every version from v11 on
// (docs/VERSIONS.md §8.3; v11: in shutdown_one_device(); v12-v16:
// __shutdown_one_device() signals before its device_unlock(dev) and runs
// inside the parent lock; v17 the same). p (async) and its sync USB child
// c: the early pass queues p, whose handler waits for c; the main loop
// locks p (parent lock), locks c, shuts c down and completes it. p's
// handler wakes while main still holds both locks, and then blocks in
// device_lock(p) in its own shutdown_one_device() until the main loop lets
// go: a wait, not a deadlock.
func TestCompleteAllBeforeUnlockInEveryVersion(t *testing.T) {
	const src = `devices: [{name: p, async: true}, {name: c, parent: p, need_parent_lock: true}]`
	for _, v := range []string{"v11", "v12", "v14", "v17"} {
		m := machine(t, src, v)
		s, r := m.Initial(), m.NewRunner()
		worker := model.NoThread
		step := func(tid model.TID) model.Event {
			t.Helper()
			ev, ok, _ := r.Pending(s, tid)
			if !ok {
				t.Fatalf("%s: %s cannot run %s", v, m.ThreadName(s, tid), m.Describe(s, ev))
			}
			return r.Apply(s, model.Transition{Thread: tid})
		}
		for worker == model.NoThread { // main up to queueing p
			if ev := step(0); ev.Spawn != model.NoThread {
				worker = ev.Spawn
			}
		}
		for { // async:p up to its wait for c
			ev, ok, _ := r.Pending(s, worker)
			if !ok {
				if ev.Kind != model.OpWaitCompletion || ev.Dev != 1 {
					t.Fatalf("%s: async:p stopped at %s", v, m.Describe(s, ev))
				}
				break
			}
			step(worker)
		}
		for step(0).Kind != model.OpCompleteAll { // main up to complete_all(c)
		}
		if _, ok, _ := r.Pending(s, worker); !ok || s.Dev[0].Lock != 0 || s.Dev[1].Lock != 0 {
			t.Fatalf("%s: after complete_all(c): async:p can run %v, p locked by %d, c by %d", v, ok, s.Dev[0].Lock, s.Dev[1].Lock)
		}
		step(worker) // wait_for_completion(&c->p->complete) returns
		for {
			ev, ok, _ := r.Pending(s, worker)
			if !ok {
				if ev.Kind != model.OpDeviceLock || ev.Dev != 0 {
					t.Fatalf("%s: async:p blocks at %s", v, m.Describe(s, ev))
				}
				break
			}
			step(worker)
		}
		for !s.Finished() {
			tid := model.TID(0)
			if s.Threads[0].Status == model.Done {
				tid = worker
			} else if _, ok, _ := r.Pending(s, 0); !ok {
				tid = worker
			}
			step(tid)
		}
	}
}

// Without a concurrent device_move() v11's second test of the parent
// condition and v12's untested re-read in device_unlock(dev->parent) read
// the same parent as the first: the two versions run the same operations
// in the same order (v12 in __shutdown_one_device(), v11 inline), so every
// built-in topology whose scenario moves no device gets the same verdicts
// from both, counterexample lengths included.
func TestV11V12AgreeWithoutMove(t *testing.T) {
	for _, name := range examples.All() {
		top, err := examples.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		if movesDevices(top.Scenario) {
			continue
		}
		a := Explore(machineOf(t, top, "v11"), Options{})
		b := Explore(machineOf(t, top, "v12"), Options{})
		if sa, sb := verdictSteps(a), verdictSteps(b); !slices.Equal(sa, sb) {
			t.Errorf("%s: v11 %v, v12 %v", name, sa, sb)
		}
	}
}

// Versions declared to run another's algorithm (Variant.SameAs) give that
// version's verdicts, messages and counterexample lengths included, on
// every built-in topology.
func TestSameAsVersionsAgree(t *testing.T) {
	same := 0
	for _, v := range model.Variants() {
		if v.SameAs == "" {
			continue
		}
		same++
		for _, name := range examples.All() {
			top, err := examples.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			a := Explore(machineOf(t, top, v.Name), Options{})
			b := Explore(machineOf(t, top, v.SameAs), Options{})
			if sa, sb := verdictSteps(a), verdictSteps(b); !slices.Equal(sa, sb) {
				t.Errorf("%s: %s %v, %s %v", name, v.Name, sa, v.SameAs, sb)
			}
			if a.Stats.States != b.Stats.States {
				t.Errorf("%s: %s %d states, %s %d", name, v.Name, a.Stats.States, v.SameAs, b.Stats.States)
			}
		}
	}
	if same < 3 {
		t.Errorf("%d versions declare SameAs, want v13, v15 and v16 at least", same)
	}
}

// verdictSteps lists each violation as property, counterexample length and
// message.
func verdictSteps(r *Result) []string {
	var out []string
	for _, v := range r.Violations {
		out = append(out, fmt.Sprintf("%s %d: %s", v.Property, v.Step, v.Message))
	}
	return out
}

// movesDevices reports whether sc sets a scenario field other than those
// that leave dev->parent alone.
func movesDevices(sc model.Scenario) bool {
	known := []string{"async_shutdown", "remove", "hot_add", "param_toggle", "alloc_failures", "workers"}
	for _, f := range model.ScenarioFields {
		if slices.Contains(known, f.Name) {
			continue
		}
		switch {
		case f.Bool != nil && *f.Bool(&sc),
			f.Int != nil && *f.Int(&sc) != 0,
			f.Devices != nil && len(*f.Devices(&sc)) > 0:
			return true
		}
	}
	return false
}

// runFirst runs m to the end, always stepping the lowest-numbered thread
// that can run, and returns the final state and the events.
func runFirst(t *testing.T, m *model.Machine) (*model.State, []model.Event) {
	t.Helper()
	s, r := m.Initial(), m.NewRunner()
	var evs []model.Event
	for !s.Finished() {
		trs := r.Enabled(s, nil)
		if len(trs) == 0 {
			t.Fatalf("%s: no thread can run after %d steps", m.Variant.Name, len(evs))
		}
		evs = append(evs, r.Apply(s, trs[0]))
	}
	return s, evs
}

// How often each version reads the parent pointer of a USB device c
// (need_parent_lock) after the main loop took it: v11 tests
// `dev->parent && ... need_parent_lock` before device_lock(dev->parent) and
// again, after device_unlock(dev), before device_unlock(dev->parent), then
// reads it for put_device(dev->parent): three reads, each after a call, so
// each a step of its own that a concurrent device_move() can get between.
// v12 tests the condition once, but device_unlock(dev->parent) and
// put_device(dev->parent) read it again: three as well. v14 reads it once,
// in parent = get_device(dev->parent), and uses its local copy after.
func TestParentReadsOfAUSBDevice(t *testing.T) {
	const src = `devices: [{name: p}, {name: c, parent: p, need_parent_lock: true}]`
	for v, want := range map[string][]string{
		"v11": {"device_shutdown: parent = get_device(c->parent) = p: refcount 3",
			"shutdown_one_device: c->parent == p", "shutdown_one_device: device_lock(p)",
			"shutdown_one_device: c->parent == p", "shutdown_one_device: device_unlock(p)",
			"shutdown_one_device: c->parent == p", "shutdown_one_device: put_device(p): refcount 2"},
		"v12": {"device_shutdown: parent = get_device(c->parent) = p: refcount 3",
			"shutdown_one_device: c->parent == p", "shutdown_one_device: device_lock(p)",
			"shutdown_one_device: c->parent == p", "shutdown_one_device: device_unlock(p)",
			"shutdown_one_device: c->parent == p", "shutdown_one_device: put_device(p): refcount 2"},
		"v14": {"shutdown_one_device: parent = get_device(c->parent) = p: refcount 3",
			"shutdown_one_device: device_lock(p)", "shutdown_one_device: device_unlock(p)",
			"shutdown_one_device: put_device(p): refcount 2"},
	} {
		m := machine(t, src, v)
		s, evs := runFirst(t, m)
		var got []string
		for _, ev := range evs {
			parent := ev.Kind == model.OpGetParent || ev.Kind == model.OpReadParent
			if (parent && ev.Dev == 1) || (!parent && ev.Dev == 0 && ev.Func.String() == "shutdown_one_device" &&
				(ev.Kind == model.OpDeviceLock || ev.Kind == model.OpDeviceUnlock || ev.Kind == model.OpPutDevice)) {
				got = append(got, ev.Func.String()+": "+m.Describe(s, ev))
				if ev.Kind == model.OpPutDevice {
					break // c is done; p's own shutdown puts p too
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n%s\nwant\n%s", v, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
