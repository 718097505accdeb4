package checker

import (
	"strings"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// Environment actors (docs/FORMAT.md, scenario), each on the smallest topology that shows
// what it does to v14, with upstream beside it. Expected answers are derived
// in each comment.

// device_del() of a sync child c while p's async handler runs. The handler's
// device_for_each_child() can take c (klist_next pins it) before device_del()'s
// klist_del(); if device_del() then takes c off devices_kset before the main
// loop gets to it, nobody ever shuts c down and the handler waits forever on
// c's completion (v14's kill_device() does not complete it). If instead
// klist_del() comes first, the handler does not wait for c at all, and the
// main loop may still shut c down after p started: a new misorder; and once
// p's callback has returned before c's starts, real time orders p first,
// so the history is not linearizable either. Shutting c down after
// device_del() killed it is dead-device, in upstream too: nothing before
// v17 checks dead. upstream waits on nothing and takes c (the tail) before
// p.
func TestRemoveChildOfAsyncParent(t *testing.T) {
	const src = `devices: [{name: p, async: true}, {name: c, parent: p}]
scenario: {remove: [c]}`
	res := explore(t, src, "v14")
	wantViolations(t, res, Order, Deadlock, SleepInAtomic, DeadDevice, Linearizability)
	dl := res.Violation(Deadlock)
	if !strings.Contains(dl.Message, "async:p blocks in wait_for_completion(&c->p->complete)") ||
		!strings.Contains(dl.Message, "device_del() took c off devices_kset before shutdown reached it") {
		t.Errorf("deadlock: %s", dl.Message)
	}
	if o := res.Violation(Order); *o.Inherited {
		t.Error("order violation classified inherited; upstream never misorders this pair")
	}
	wantViolations(t, explore(t, src, "upstream"), DeadDevice)
}

// device_del() of both a parent p and its USB child c (need_parent_lock).
// v14's main loop takes c off devices_kset with only a reference on c; its
// shutdown_one_device() reads c->parent late. Meanwhile c's device_del()
// drops c's reference on p (put_device(parent)) and p's device_unregister()
// drops the last one: p is freed, and get_device(c->parent) touches freed
// memory. upstream takes the parent reference under list_lock while c is
// still on devices_kset, before c's device_del() can have dropped its own
// (it still shuts c down after its device_del() began: dead-device).
func TestRemoveParentAndUSBChild(t *testing.T) {
	const src = `devices: [{name: p}, {name: c, parent: p, need_parent_lock: true}]
scenario: {remove: [p, c]}`
	res := explore(t, src, "v14")
	v := res.Violation(Refcount)
	if v == nil || !strings.Contains(v.Message, "BUG: KASAN: use-after-free: main: parent = get_device(c->parent) = p") {
		t.Fatalf("refcount: %+v", v)
	}
	wantViolations(t, explore(t, src, "upstream"), DeadDevice)
}

// A hot-added child c of an async parent p (c has present: false). If
// device_add() puts c on devices_kset and p's klist only after the main loop
// found the list empty, p's handler waits for c, whom only the main loop
// would shut down, and the main loop is already in async_synchronize_full().
// Both versions can also shut c down after p when c arrives late (after p's
// callback returned: not linearizable either); upstream too, so that
// misorder is inherited.
func TestHotAddChildOfAsyncParent(t *testing.T) {
	const src = `devices: [{name: p, async: true}, {name: c, parent: p, present: false}]
scenario: {hot_add: [c]}`
	res := explore(t, src, "v14")
	wantViolations(t, res, Order, Deadlock, SleepInAtomic, Linearizability)
	if !strings.Contains(res.Violation(Deadlock).Message, "c is on devices_kset, but main has left its loop") {
		t.Errorf("deadlock: %s", res.Violation(Deadlock).Message)
	}
	if o := res.Violation(Order); !*o.Inherited {
		t.Error("late hot-add misorder should be inherited: upstream does it too")
	}
	wantViolations(t, explore(t, src, "upstream"), Order, Linearizability)
}

// core.async_shutdown flipped to 0 after the early pass queued the async
// child c: the main loop, at the sync parent p, asks wants_async_shutdown(c),
// now false, so it does not wait, and shuts p down while c's handler may
// still run, or before the worker even starts c's callback (p first in
// real time: not linearizable). upstream never reads the parameter.
func TestParamToggle(t *testing.T) {
	const src = `devices: [{name: p}, {name: c, parent: p, async: true}]
scenario: {param_toggle: true}`
	res := explore(t, src, "v14")
	wantViolations(t, res, Order, SleepInAtomic, Linearizability)
	if o := res.Violation(Order); *o.Inherited || o.Pair != [2]model.DevID{0, 1} {
		t.Errorf("order: %+v", o)
	}
	// Flipped the other way (0 at start, then 1) nothing goes wrong: the main
	// loop queues c or shuts it down itself, and waits for it either way.
	wantViolations(t, explore(t, `devices: [{name: p}, {name: c, parent: p, async: true}]
scenario: {param_toggle: true, async_shutdown: false}`, "v14"), SleepInAtomic)
	wantViolations(t, explore(t, src, "upstream"))
}

// The device_del() actor drops every reference it owns: removing a whole
// tree with its link leaves no unbalanced reference and frees every device
// (upstream shuts devices down whose device_del() began: dead-device, but
// nothing else).
func TestRemoveEverything(t *testing.T) {
	const src = `devices: [{name: s}, {name: p, async: true}, {name: c, parent: p, async: true}]
links: [{supplier: s, consumer: c}]
scenario: {remove: [s, p, c]}`
	res := explore(t, src, "upstream")
	wantViolations(t, res, DeadDevice)
}
