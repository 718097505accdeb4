package checker

import (
	"slices"
	"strings"
	"testing"
)

// v10 (June 2025, docs/VERSIONS.md §7) on the smallest topologies, each verdict
// derived by hand from patches 1-4: the sync devices between two async ones
// are queued as one entry (a synclist linked through dev->p->shutdown.next)
// that waits on its own cookie; an async device waits on min(after + 1, its
// own cookie), after being the cookie of its last child or consumer queued.

// Sync devices batched: the walk from the tail takes s3 (sync: synclist
// [s3], no async parent or supplier), s2 (sync: s3->p->shutdown.next = s2;
// its parent a is async, so the list is queued now, cookie 1, and
// a->p->shutdown.after = 1), s1 (sync: a new list [s1]), then a (async:
// first the list [s1] is queued, cookie 2, then a, cookie 3, which waits
// for after + 1 = 2: the entry of s3 and s2). Every wait is on an entry
// queued before: no hang; a waits for its child s2: no misorder.
func TestV10BatchesSyncDevices(t *testing.T) {
	const src = `devices: [{name: a, async: true}, {name: s1}, {name: s2, parent: a}, {name: s3}]`
	wantViolations(t, explore(t, src, "v10"))
}

// A sync parent of an async child, and an async parent of a sync child,
// in the right order: the sync parent's synclist waits on its own cookie,
// after the child's entry; the sync child's synclist is queued at once
// (is_async_shutdown_dependency()) and its cookie written into the async
// parent's shutdown.after.
func TestV10MixedPairsInOrder(t *testing.T) {
	for _, src := range []string{
		`devices: [{name: p}, {name: c, parent: p, async: true}]`,
		`devices: [{name: p, async: true}, {name: c, parent: p}]`,
	} {
		wantViolations(t, explore(t, src, "v10"))
	}
}

// v9's sanity check is kept: an async parent queued before its async child
// reads shutdown.after = the child's later cookie, or 0, and waits on at
// most its own cookie: upstream's misorder, no hang.
func TestV10ForcesSyncOrder(t *testing.T) {
	const src = `devices: [{name: c, parent: p, async: true}, {name: p, async: true}]`
	res := explore(t, src, "v10")
	wantViolations(t, res, Order, Linearizability)
	if !*res.Violation(Order).Inherited {
		t.Error("v10's misorder should be upstream's")
	}
}

// v10 3/5 drops the parent reference before put_device(dev): dev->parent
// is read while the main loop's reference on dev still holds, where v8 and
// v9 read it after their put (TestV8ReadsParentAfterPut). What is left is
// what every version before v17 does: c's ->shutdown() can run after its
// device_del() began (dead-device).
func TestV10PutsParentBeforeDev(t *testing.T) {
	const src = `devices: [{name: p}, {name: c, parent: p}]
scenario: {remove: [c]}`
	wantViolations(t, explore(t, src, "v10"), DeadDevice)
}

// A device shut down and put back on devices_kset. The main loop takes the
// hot-added c (sync, no supplier yet): synclist = syncend = c, not queued.
// device_add()'s device_link_add(s, c) then moves c to the tail again
// (device_reorder_to_tail()), and the loop takes c a second time:
// syncend->p->shutdown.next = dev is c->p->shutdown.next = c. Now c has an
// async supplier, so the list is queued; its handler walks c, c, c, ...:
// it never ends (hang), shuts c down again and again (completeness), and
// drops the loop's references on c each time, until it reads
// c->p->shutdown.next of a freed c (refcount). Upstream only shuts c down
// twice.
func TestV10ReprocessedDeviceLinksToItself(t *testing.T) {
	const src = `devices: [{name: s, async: true}, {name: c, present: false}]
links: [{supplier: s, consumer: c}]
scenario: {hot_add: [c]}`
	m := machine(t, src, "v10")
	res := Explore(m, Options{})
	wantViolations(t, res, Order, Hang, Completeness, Refcount, Linearizability)
	v := res.Violation(Refcount)
	if v.Message != "BUG: KASAN: use-after-free: async:c: c->p->shutdown.next == c in shutdown_devices_async" {
		t.Errorf("refcount: %s", v.Message)
	}
	run := Replay(m, v.Schedule, nil, 0)
	var steps []string
	for _, ev := range run.Events {
		steps = append(steps, m.Describe(run.Final, ev))
	}
	if !slices.Contains(steps, "c->p->shutdown.next = c") {
		t.Errorf("no self link in the trace:\n%s", strings.Join(steps, "\n"))
	}
	wantViolations(t, explore(t, src, "upstream"), Order, Completeness, Linearizability)
}
