package checker

import (
	"strings"
	"testing"
)

// What each version of the series fixed and broke, on the smallest
// topologies, derived by hand from the patches (docs/VERSIONS.md §5-§16).

// A supplier after its consumer through a sync_state_only link (fw_devlink
// proxy). v8's walk from the tail queues s first (cookie 1), then c (cookie
// 2), and through the link writes 2 into s->p->shutdown_after. If s's
// handler reads it only then, it waits until every entry up to cookie 2 is
// done, its own included: it waits for itself. v9 ignores sync_state_only
// links, so s waits for nothing it should not.
func TestV8HangsOnSyncStateOnlySupplierAfterConsumer(t *testing.T) {
	const src = `devices: [{name: c, async: true}, {name: s, async: true}]
links: [{supplier: s, consumer: c, sync_state_only: true}]`
	res := explore(t, src, "v8")
	v := res.Violation(Deadlock)
	if v == nil || !strings.Contains(v.Message, "async:s -> async:s") ||
		!strings.Contains(strings.Join(v.Details, "\n"), "it waits for itself") {
		t.Fatalf("v8 deadlock: %+v", v)
	}
	for _, variant := range []string{"v9", "v14", "v18"} {
		if explore(t, src, variant).Violation(Deadlock) != nil {
			t.Errorf("%s deadlocks", variant)
		}
	}
}

// v9's sanity check: a parent after its child (both async) would wait for
// the child's later cookie; v9 waits on its own cookie instead, which orders
// it after nothing queued later: the parent goes first, as upstream does.
func TestV9ForcesSyncOrder(t *testing.T) {
	const src = `devices: [{name: c, parent: p, async: true}, {name: p, async: true}]`
	wantViolations(t, explore(t, src, "v9"), Order, Linearizability)
	if !*explore(t, src, "v9").Violation(Order).Inherited {
		t.Error("v9's misorder should be upstream's")
	}
	wantViolations(t, explore(t, src, "v8"), Order, Deadlock, Linearizability)
}

// v8 and v9 read dev->parent after put_device(dev) in shutdown_one_device():
// with device_del() of that device running, its last references can go in
// between. v14 drops the parent reference only when it took one.
func TestV8ReadsParentAfterPut(t *testing.T) {
	const src = `devices: [{name: p}, {name: c, parent: p}]
scenario: {remove: [c]}`
	for _, variant := range []string{"v8", "v9"} {
		v := explore(t, src, variant).Violation(Refcount)
		if v == nil || !strings.Contains(v.Message, "use-after-free") || !strings.Contains(v.Message, "c->parent == p in shutdown_one_device") {
			t.Errorf("%s: %+v", variant, v)
		}
	}
	if v := explore(t, src, "v14").Violation(Refcount); v != nil {
		t.Errorf("v14: %s", v.Message)
	}
}

// v17 drops list_lock around async_schedule_dev_nocall() and then calls
// list_del_init() without it; v18 re-takes the lock (per its changelog).
// Neither sleeps under the lock any more.
func TestV17ListDelWithoutLock(t *testing.T) {
	const src = `devices: [{name: a, async: true}]`
	v := explore(t, src, "v17").Violation(ListLock)
	if v == nil || !strings.Contains(v.Message, "list_del_init(&a->kobj.entry) in start_async_shutdown_devices") {
		t.Fatalf("v17: %+v", v)
	}
	wantViolations(t, explore(t, src, "v17"), ListLock)
	wantViolations(t, explore(t, src, "v18"))
}

// kill_device() completes the device in v17, so the handler of an async
// parent no longer waits forever for a child device_del() took away, and a
// dead child is not shut down at all.
func TestV17RemovalDoesNotHang(t *testing.T) {
	const src = `devices: [{name: p, async: true}, {name: c, parent: p}]
scenario: {remove: [c]}`
	wantViolations(t, explore(t, src, "v18"))
	wantViolations(t, explore(t, src, "v17"), ListLock)
}

// The misordered grandchild hangs every completion-based version.
func TestMisorderedGrandchildHangsThroughV18(t *testing.T) {
	const src = `devices: [{name: disk, parent: port}, {name: bridge}, {name: port, parent: bridge, async: true}]`
	for _, variant := range []string{"v14", "v17", "v18"} {
		if v := explore(t, src, variant).Violation(Deadlock); v == nil || !strings.Contains(v.Message, "main -> async:port -> main") {
			t.Errorf("%s: %+v", variant, v)
		}
	}
}
