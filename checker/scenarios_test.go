package checker

import (
	"strings"
	"testing"
)

// The environment actors and properties of the series' reviews, each on the
// smallest topology that shows it (examples/scenarios), verdicts derived by
// hand from the kernel code.

// device_move(u, b, DPM_ORDER_NONE) of a USB device u (need_parent_lock)
// from a to b. v8's shutdown_one_device() loads u->parent three times:
// for device_lock(dev->parent) (a), for device_unlock(dev->parent) and for
// put_device(dev->parent), which the move can have made b. It unlocks b,
// which it never locked (bad unlock balance), leaves a locked, so that a's
// own shutdown waits forever for device_lock(a) (a wait nothing will end),
// and puts b where the main loop's get_device(dev->parent) took a (a's
// reference never dropped). v14 loads the parent once, parent =
// get_device(dev->parent), and uses that: nothing goes wrong; nor in
// upstream, which takes the parent under list_lock.
func TestMoveReloadsParent(t *testing.T) {
	const src = `devices: [{name: a}, {name: b}, {name: u, parent: a, need_parent_lock: true}]
scenario: {move: [{device: u, parent: b, order: none}]}`
	v8 := explore(t, src, "v8")
	wantViolations(t, v8, Deadlock, Refcount, Lock)
	if msg := v8.Violation(Lock).Message; !strings.Contains(msg, "bad unlock balance detected! async:u: device_unlock(b)") {
		t.Errorf("v8 lock: %s", msg)
	}
	if msg := v8.Violation(Refcount).Message; !strings.HasPrefix(msg, "references to a are unbalanced") {
		t.Errorf("v8 refcount: %s", msg)
	}
	wantViolations(t, explore(t, src, "v14"))
	wantViolations(t, explore(t, src, "upstream"))
}

// device_move(d, p, DPM_ORDER_NONE) makes p the parent of d but leaves d
// where it is on devices_kset: before p, so the loop, from the tail, takes p
// first. In upstream, when the move comes before p's turn, p starts while
// d has not been shut down (inherited by every version). v8 also drops a
// reference on p it never took: the main loop's parent = get_device(d->parent)
// ran before the move (NULL), shutdown_one_device()'s put_device(dev->parent)
// after it.
func TestMoveLeavesChildBeforeParent(t *testing.T) {
	const src = `devices: [{name: d, async: true}, {name: p}]
scenario: {move: [{device: d, parent: p, order: none}]}`
	up := explore(t, src, "upstream")
	wantViolations(t, up, Order, Linearizability)
	for _, v := range []string{"v14", "v18"} {
		if o := explore(t, src, v).Violation(Order); o == nil || !*o.Inherited {
			t.Errorf("%s: order %+v, want an inherited misorder", v, o)
		}
	}
	if msg := explore(t, src, "v8").Violation(Refcount).Message; !strings.HasPrefix(msg, "references to p are unbalanced when shutdown ends: 1 dropped that it never took") {
		t.Errorf("v8 refcount: %s", msg)
	}
}

// device_add() of c fails after kobject_add(): c is on devices_kset until
// kobject_del(), then kfree(c->p); c->p = NULL. When the loop takes c in
// between, it goes on through c->p: v14's __shutdown_one_device() at
// complete_all(&c->p->complete), v17's and v18's at the dead test
// (dev->p->dead, sashiko's v18 review), v8's main loop at the sync device's
// shutdown_after. v9 and upstream never go through a sync device's p.
func TestAddFailNullDeref(t *testing.T) {
	const src = `devices: [{name: p, async: true}, {name: c, parent: p, present: false}]
scenario: {hot_add: [c], add_fail: [c]}`
	for v, want := range map[string]string{
		"v14": "complete_all on c: c->p is NULL in __shutdown_one_device",
		"v17": "read dev->p->dead on c: c->p is NULL in __shutdown_one_device",
		"v18": "read dev->p->dead on c: c->p is NULL in __shutdown_one_device",
		"v8":  "shutdown_after = on c: c->p is NULL in device_shutdown",
	} {
		nd := explore(t, src, v).Violation(NullDeref)
		if nd == nil || !strings.Contains(nd.Message, want) {
			t.Errorf("%s: null-deref %+v, want %q", v, nd, want)
		}
	}
	for _, v := range []string{"upstream", "v9"} {
		if nd := explore(t, src, v).Violation(NullDeref); nd != nil {
			t.Errorf("%s: %s", v, nd.Message)
		}
	}
}

// A link to a consumer c that never registered (device_link_add() accepts
// it): c->p is NULL. s's async handler waits for every consumer,
// wait_for_completion(&c->p->complete): an oops, in every completion
// version. The oopsed entry never finishes, so async_synchronize_full()
// waits for ever too. The cookie versions never touch a consumer's p, and
// upstream ignores links.
func TestUnregisteredConsumerNullDeref(t *testing.T) {
	const src = `devices: [{name: s, async: true}, {name: c, async: true, present: false}]
links: [{supplier: s, consumer: c}]`
	for _, v := range []string{"v14", "v17", "v18"} {
		res := explore(t, src, v)
		nd := res.Violation(NullDeref)
		if nd == nil || !strings.Contains(nd.Message, "async:s: wait_for_completion on c: c->p is NULL") {
			t.Errorf("%s: null-deref %+v", v, nd)
		}
		if dl := res.Violation(Deadlock); dl == nil || !strings.Contains(dl.Message, "oopsed") {
			t.Errorf("%s: deadlock %+v", v, dl)
		}
	}
	for _, v := range []string{"upstream", "v8", "v9"} {
		wantViolations(t, explore(t, src, v))
	}
}

// A driver's ->shutdown() on a device whose device_del() has begun: in the
// remove-child scenario the loop can take c off devices_kset, then
// device_del(c) kills it under device_lock(c), and the loop, once it has
// the lock, calls c's ->shutdown(). Every version before v17 does (upstream
// included); v17's __shutdown_one_device() tests dead under the lock and
// skips it.
func TestDeadDevice(t *testing.T) {
	const src = `devices: [{name: p, async: true}, {name: c, parent: p}]
scenario: {remove: [c]}`
	for _, v := range []string{"upstream", "v8", "v14"} {
		if dd := explore(t, src, v).Violation(DeadDevice); dd == nil || !strings.Contains(dd.Message, "->shutdown() runs on c, whose device_del() has begun") {
			t.Errorf("%s: dead-device %+v", v, dd)
		}
	}
	for _, v := range []string{"v17", "v18"} {
		if dd := explore(t, src, v).Violation(DeadDevice); dd != nil {
			t.Errorf("%s: %s", v, dd.Message)
		}
	}
}
