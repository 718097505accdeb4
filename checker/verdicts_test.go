package checker

import (
	"strings"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// Verdicts a reviewer must be able to trust: each test pins, on the
// smallest topology that shows it, a verdict that was wrong before the
// model was fixed at the kernel-object layer, and derives it by hand from
// the kernel code.

// An async device deleted during shutdown. The tail of async_run_entry_fn()
// (list_del_init() of the entry's lists, kfree(entry),
// atomic_dec(&entry_count), wake_up(&async_done)) never dereferences
// entry->data, so the put_device(port) in shutdown_one_device() that frees
// port (device_del() dropped its references already) is followed by no use.
//   - v18 holds a second reference across its list removal: no use after
//     free. Its early pass queues port without list_lock (no
//     sleep-in-atomic) and removes it under it (no list-lock); port's
//     handler and the main loop's bridge need not wait for each other once
//     device_del() took port off bridge's klist, but v18 skips port then
//     (dead), so nothing else is violated.
//   - v17 really uses port after free: start_async_shutdown_devices() drops
//     list_lock, queues port, and the worker can run port's whole handler,
//     with device_del() done, putting the last reference, before the early
//     pass's list_del_init(&port->kobj.entry) (also without list_lock).
//   - v14 queues under list_lock and takes port off the list before
//     dropping it: port cannot be freed before; but device_del()'s
//     klist_del() lets the main loop at bridge skip waiting for port, whose
//     handler (v14 does not skip dead devices) then shuts port down after
//     bridge started: a new misorder, and a ->shutdown() of a device whose
//     device_del() began (dead-device), not a use after free.
func TestAsyncEntryEndTouchesNoDevice(t *testing.T) {
	const src = `devices: [{name: bridge}, {name: port, parent: bridge, async: true}]
scenario: {remove: [port]}`
	wantViolations(t, explore(t, src, "v18"))
	v17 := explore(t, src, "v17")
	wantViolations(t, v17, Refcount, ListLock)
	if msg := v17.Violation(Refcount).Message; msg != "BUG: KASAN: use-after-free: main: list_del_init(&port->kobj.entry) in start_async_shutdown_devices" {
		t.Errorf("v17 refcount: %s", msg)
	}
	v14 := explore(t, src, "v14")
	wantViolations(t, v14, Order, SleepInAtomic, DeadDevice, Linearizability)
	if o := v14.Violation(Order); *o.Inherited {
		t.Error("v14's misorder classified inherited: upstream takes port (the tail) first")
	}
}

// A hot-added consumer c of an async supplier s (link s -> c), s already
// queued by the early pass and off devices_kset. device_link_add() needs the
// supplier registered (device_pm_initialized()), not on devices_kset, so c
// gets its link. If c registers after the main loop found the list empty,
// s's handler finds c on s->links.consumers and waits for c's completion,
// which only the main loop would signal: a hang, in v14, v17 and v18 alike
// (kill_device() is not involved). device_link_add() also moves c to the
// tail (device_reorder_to_tail()); when the main loop shut c down already,
// that puts c back on devices_kset and the loop shuts it down again, in
// upstream too (completeness).
func TestHotAddedConsumerOfQueuedSupplier(t *testing.T) {
	const src = `devices: [{name: s, async: true}, {name: c, present: false}]
links: [{supplier: s, consumer: c}]
scenario: {hot_add: [c]}`
	for _, v := range []string{"v14", "v17", "v18"} {
		res := explore(t, src, v)
		dl := res.Violation(Deadlock)
		if dl == nil || !strings.Contains(dl.Message, "async:s blocks in wait_for_completion(&c->p->complete)") ||
			!strings.Contains(dl.Message, "c is on devices_kset, but main has left its loop") {
			t.Errorf("%s: deadlock %+v", v, dl)
		}
	}
	up := explore(t, src, "upstream")
	wantViolations(t, up, Order, Completeness, Linearizability)
	if msg := up.Violation(Completeness).Message; msg != "c is shut down a second time" {
		t.Errorf("upstream completeness: %s", msg)
	}
}

// klist_children is in registration order. p (async) registered a, then b;
// a link b -> a then moved a to the tail of devices_kset: the list is p, b,
// a, but p's klist is a, b. a is deleted during shutdown. p's handler
// (waiting for every child) pins a first; device_del(a) then takes a off
// devices_kset before the main loop reaches it, and v14's kill_device()
// does not complete a: p's handler waits forever. With the klist in list
// order (b, a), p's handler waits for b first, which the main loop shuts
// down only after a (the tail): by then a has been shut down, or was taken
// off p's klist before the handler got to it. Either way, the loop can
// still shut a down after its device_del() began (dead-device).
func TestKlistInRegistrationOrder(t *testing.T) {
	const devices = `devices: [{name: p, async: true}, {name: b, parent: p}, {name: a, parent: p}]
links: [{supplier: b, consumer: a}]
scenario: {remove: [a]}`
	res := explore(t, devices+"\nregistered: [p, a, b]", "v14")
	if dl := res.Violation(Deadlock); dl == nil || !strings.Contains(dl.Message, "async:p blocks in wait_for_completion(&a->p->complete)") {
		t.Fatalf("deadlock: %+v", dl)
	}
	wantViolations(t, explore(t, devices, "v14"), SleepInAtomic, DeadDevice)
}

// The order property is checked when the parent starts: list (head first)
// x (parent c), b (parent a), a, c (parent b, async). The early pass queues
// c; the main loop takes a, whose only child b is sync, so it does not wait
// and shuts a down while b has not been shut down: a misorder, inherited
// (upstream also takes a before b). Then at b it waits for c, whose handler
// waits for x, which only the blocked main loop would shut down: a deadlock,
// which used to hide the misorder since b never returns.
func TestOrderCheckedWhenTheParentStarts(t *testing.T) {
	const src = `devices: [{name: x, parent: c}, {name: b, parent: a}, {name: a}, {name: c, parent: b, async: true}]`
	res := explore(t, src, "v14")
	wantViolations(t, res, Order, Deadlock, SleepInAtomic)
	o := res.Violation(Order)
	if o.Pair != [2]model.DevID{2, 1} || !*o.Inherited || o.Details[0] != "b had not been shut down yet" {
		t.Errorf("order: %+v", o)
	}
	wantViolations(t, explore(t, src, "upstream"), Order, Linearizability)
}

// device_link_release_fn() runs on device_link_wq after synchronize_srcu(),
// not in device_del(). c, a consumer of the async s, is deleted; s's
// handler holds device_links_read_lock() while it waits for c, which v14
// never completes once device_del() took c off devices_kset: a deadlock in
// which device_del(c) has returned and the link's release waits for the
// handler, not device_del().
func TestLinkReleasedOnItsWorkqueue(t *testing.T) {
	const src = `devices: [{name: s, async: true}, {name: c}]
links: [{supplier: s, consumer: c}]
scenario: {remove: [c]}`
	dl := explore(t, src, "v14").Violation(Deadlock)
	if dl == nil {
		t.Fatal("no deadlock")
	}
	details := strings.Join(dl.Details, "\n")
	if strings.Contains(details, "task device_del:c blocked") || !strings.Contains(details, "task device_link_release_fn:s->c blocked") {
		t.Errorf("deadlock details:\n%s", details)
	}
	// v17 completes c in kill_device(): nothing hangs, and every
	// reference comes out even once the release has run.
	wantViolations(t, explore(t, src, "v17"), ListLock)
}
