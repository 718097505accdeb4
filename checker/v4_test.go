package checker

import (
	"strings"
	"testing"
)

// v4 (one patch, Sep 2023, docs/VERSIONS.md §4) on the smallest topologies,
// each verdict derived by hand from the patch: every device is an async
// entry queued in its parent's exclusive p->child_domain (a root in
// top_domain); a handler waits for its own child_domain, then shuts the
// device down under its parent's lock; device_shutdown() waits for
// top_domain only.

// A correctly ordered tree: every child is queued before its parent, so by
// the time a parent's handler runs, its child_domain holds every child, and
// it waits for all of them; the root's entry in top_domain ends only after
// the whole tree. A child's handler takes its parent's lock after its own
// wait, and the parent's handler takes it only after its children are done,
// so no lock is waited for while a wait is pending. Need_parent_lock plays
// no part: v4 locks every parent.
func TestV4OrderedTreeIsCorrect(t *testing.T) {
	const src = `devices: [{name: r}, {name: a, parent: r}, {name: b, parent: r, need_parent_lock: true}, {name: c, parent: a}]`
	wantViolations(t, explore(t, src, "v4"))
}

// A child before its parent in devices_kset (the walk from the tail takes p
// first). p is queued in top_domain, c in p->p->child_domain. p's handler
// may run async_synchronize_full_domain(&p->p->child_domain) before c is
// queued: the domain is empty, p shuts down before c. That is upstream's
// order on this list too (inherited), and nothing hangs: no handler waits
// holding a lock, and a handler waits only for entries queued in its own
// domain. But device_shutdown() waits for top_domain only (p): c's entry,
// in a domain whose only waiter has gone on, may still be pending when it
// returns (completeness), which upstream never does.
func TestV4MisorderIsNotAHang(t *testing.T) {
	const src = `devices: [{name: c, parent: p}, {name: p}]`
	res := explore(t, src, "v4")
	wantViolations(t, res, Order, Completeness, Linearizability)
	if !*res.Violation(Order).Inherited {
		t.Error("v4's misorder should be upstream's")
	}
	if msg := res.Violation(Completeness).Message; msg != "device_shutdown() returned before c was shut down" {
		t.Errorf("completeness: %s", msg)
	}
	wantViolations(t, explore(t, src, "upstream"), Order, Linearizability)
}

// With one async_wq worker the same list hangs: p's entry, queued first,
// takes the worker; if c is queued before p's handler reads its domain, p
// waits for c, which waits for the worker.
func TestV4OneWorkerDeadlocks(t *testing.T) {
	const src = `devices: [{name: c, parent: p}, {name: p}]
scenario: {workers: 1}`
	res := explore(t, src, "v4")
	wantViolations(t, res, Order, Deadlock, Completeness, Linearizability)
	if msg := res.Violation(Deadlock).Message; msg != "possible circular wait: async:p -> async:c -> async:p" {
		t.Errorf("deadlock: %s", msg)
	}
}

// v4 does not look at device links: s and c are both roots, queued in
// top_domain, and s's handler waits for nothing of c's. Upstream shuts c
// (the tail) down first: the misorder is new.
func TestV4IgnoresLinks(t *testing.T) {
	const src = `devices: [{name: s}, {name: c}]
links: [{supplier: s, consumer: c}]`
	res := explore(t, src, "v4")
	wantViolations(t, res, Order, Linearizability)
	if *res.Violation(Order).Inherited {
		t.Error("v4's supplier misorder should be new")
	}
}

// device_del() of a parent and its child during shutdown. v4's main loop
// holds no reference on the parent (the patch removed parent =
// get_device(dev->parent)): it reads c->parent == p, and before it queues c
// in &p->p->child_domain, device_unregister(p) drops p's registration
// reference and device_del(c) the one c's device_add() took: p is freed,
// and computing &p->p->child_domain reads it (KASAN). Had c been queued
// first, nobody would wait for it: p left devices_kset before the loop
// reached it, so p's handler, the only waiter on p's child_domain, never
// runs, and device_shutdown() returns with c still pending. c's handler can
// also shut c down after its device_del() began (dead-device).
func TestV4ParentFreedUnderItsChildDomain(t *testing.T) {
	const src = `devices: [{name: p}, {name: c, parent: p}]
scenario: {remove: [p, c]}`
	res := explore(t, src, "v4")
	wantViolations(t, res, Completeness, Refcount, DeadDevice)
	if msg := res.Violation(Refcount).Message; msg != "BUG: KASAN: use-after-free: main: async_schedule_domain(c, &p->p->child_domain) = cookie 1: queued async:c in async_schedule_domain" {
		t.Errorf("refcount: %s", msg)
	}
	if msg := res.Violation(Completeness).Message; !strings.Contains(msg, "returned before c was shut down") {
		t.Errorf("completeness: %s", msg)
	}
	wantViolations(t, explore(t, src, "upstream"), DeadDevice)
}
