package checker

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/topofile"
)

func machine(t testing.TB, src, variant string) *model.Machine {
	t.Helper()
	top, err := topofile.Parse(t.Name()+".yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return machineOf(t, top, variant)
}

// machineOf is the model of variant shutting down top under its scenario.
func machineOf(t testing.TB, top *model.Topology, variant string) *model.Machine {
	t.Helper()
	v, err := model.LookupVariant(variant)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.NewMachine(top, v, top.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func explore(t testing.TB, src, variant string) *Result {
	t.Helper()
	res := Explore(machine(t, src, variant), Options{})
	if !res.Exhaustive {
		t.Fatalf("search not exhaustive: %s", res.Stopped)
	}
	return res
}

func violated(res *Result) []Property {
	var ps []Property
	for _, v := range res.Violations {
		ps = append(ps, v.Property)
	}
	return ps
}

func wantViolations(t *testing.T, res *Result, want ...Property) {
	t.Helper()
	if got := violated(res); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
		for _, v := range res.Violations {
			t.Logf("%s: %s", v.Property, v.Message)
		}
		t.Fatalf("violated %v, want %v", got, want)
	}
}

// Correctly ordered trees: every parent before its children and every
// supplier before its consumers in devices_kset. v14 waits for async
// children and consumers and the list orders the sync ones, so no order,
// deadlock, hang or completeness violation is possible. The only finding is
// the early pass calling async_schedule_dev_nocall() (kzalloc GFP_KERNEL)
// under list_lock whenever a device is async.
func TestV14OrderedTreesAreCorrect(t *testing.T) {
	trees := map[string]string{
		"all sync":                    `devices: [{name: a}, {name: b, parent: a}, {name: c, parent: b}]`,
		"sync parent, async children": `devices: [{name: p}, {name: c1, parent: p, async: true}, {name: c2, parent: p, async: true}]`,
		"async parent, sync child":    `devices: [{name: p, async: true}, {name: c, parent: p}]`,
		"async chain":                 `devices: [{name: a, async: true}, {name: b, parent: a, async: true}, {name: c, parent: b, async: true}]`,
		"mixed chain":                 `devices: [{name: a}, {name: b, parent: a, async: true}, {name: c, parent: b}, {name: d, parent: c, async: true}]`,
		"links": `devices: [{name: s}, {name: p, async: true}, {name: c, parent: p, async: true}]
links: [{supplier: s, consumer: c}]`,
		"usb under async pci": `devices: [{name: pci, async: true}, {name: xhci, parent: pci, async: true}, {name: usb1, parent: xhci, need_parent_lock: true}, {name: usb1-1, parent: usb1, need_parent_lock: true}]`,
	}
	for name, src := range trees {
		t.Run(name, func(t *testing.T) {
			res := explore(t, src, "v14")
			for _, v := range res.Violations {
				if v.Property != SleepInAtomic {
					t.Errorf("%s: %s", v.Property, v.Message)
				}
			}
			async := strings.Contains(src, "async: true")
			if (res.Violation(SleepInAtomic) != nil) != async {
				t.Errorf("sleep-in-atomic reported=%v, want %v", res.Violation(SleepInAtomic) != nil, async)
			}
		})
	}
}

// [child, parent], both sync: the walk from the tail shuts the parent down
// first. upstream does the same, so the violation is inherited.
func TestMisorderedSyncPairIsInherited(t *testing.T) {
	const src = `devices: [{name: c, parent: p}, {name: p}]`
	for _, variant := range []string{"upstream", "v14"} {
		res := explore(t, src, variant)
		wantViolations(t, res, Order, Linearizability)
		v := res.Violation(Order)
		if v.Inherited == nil || !*v.Inherited || v.Pair != [2]model.DevID{1, 0} {
			t.Errorf("%s: order violation %+v, want inherited p->c", variant, v)
		}
	}
}

// [child, parent], both async: the early pass queues p first, but p's
// handler waits for c's completion (an async handler waits for every child),
// so the order is right and nothing hangs.
func TestMisorderedAsyncPairWaits(t *testing.T) {
	res := explore(t, `devices: [{name: c, parent: p, async: true}, {name: p, async: true}]`, "v14")
	wantViolations(t, res, SleepInAtomic)
}

// The same pair with async_wq limited to one worker: p's entry, queued
// first, takes the only worker and waits for c, whose entry can never start.
func TestMisorderedAsyncPairOneWorkerDeadlocks(t *testing.T) {
	res := explore(t, `devices: [{name: c, parent: p, async: true}, {name: p, async: true}]
scenario: {workers: 1}`, "v14")
	wantViolations(t, res, Deadlock, SleepInAtomic)
	v := res.Violation(Deadlock)
	if !strings.Contains(v.Message, "async:p -> async:c -> async:p") {
		t.Errorf("deadlock message %q", v.Message)
	}
	// In order, one worker is enough: c is queued and runs first.
	res = explore(t, `devices: [{name: p, async: true}, {name: c, parent: p, async: true}]
scenario: {workers: 1}`, "v14")
	wantViolations(t, res, SleepInAtomic)
}

// [child, parent] with an async parent and a sync child: the early pass
// queues p, whose handler waits for c; the main loop shuts c down.
// With a sync parent and an async child, the main loop waits for c.
func TestMisorderedMixedPairsWait(t *testing.T) {
	wantViolations(t, explore(t, `devices: [{name: c, parent: p}, {name: p, async: true}]`, "v14"), SleepInAtomic)
	wantViolations(t, explore(t, `devices: [{name: c, parent: p, async: true}, {name: p}]`, "v14"), SleepInAtomic)
}

// The grandchild-before-grandparent list (examples/misordered.yaml): the
// main loop takes the sync "bridge" and waits for its async child "port";
// port's handler waits for its sync child "disk", which is still on
// devices_kset, behind bridge: main will never get to it. upstream merely
// shuts port down before disk.
func TestGrandchildBeforeGrandparent(t *testing.T) {
	const src = `devices: [{name: disk, parent: port}, {name: bridge}, {name: port, parent: bridge, async: true}]`
	res := explore(t, src, "v14")
	wantViolations(t, res, Deadlock, SleepInAtomic)
	v := res.Violation(Deadlock)
	if v.Message != "possible circular wait: main -> async:port -> main" || len(v.Cycle) != 2 {
		t.Errorf("deadlock: %q, cycle %v", v.Message, v.Cycle)
	}
	up := explore(t, src, "upstream")
	wantViolations(t, up, Order, Linearizability)
	if p := up.Violation(Order).Pair; p != [2]model.DevID{2, 0} {
		t.Errorf("upstream misorders %v, want port->disk", p)
	}
}

// A supplier after its consumer through a sync_state_only link is ignored
// by the waits (v9 on), so it cannot hang or misorder.
func TestSyncStateOnlyLinkIgnored(t *testing.T) {
	res := explore(t, `devices: [{name: c, async: true}, {name: s, async: true}]
links: [{supplier: s, consumer: c, sync_state_only: true}]`, "v14")
	wantViolations(t, res, SleepInAtomic)
	// Not so when the link is a real one: s's handler waits for c, fine,
	// but a sync supplier before... a sync pair is misordered as upstream.
	res = explore(t, `devices: [{name: c}, {name: s}]
links: [{supplier: s, consumer: c}]`, "v14")
	wantViolations(t, res, Order, Linearizability)
}

// upstream takes no allocation and no lock it should not.
func TestUpstreamKeepsKernelRules(t *testing.T) {
	res := explore(t, `devices: [{name: p, async: true}, {name: c, parent: p, async: true, need_parent_lock: true}]
scenario: {alloc_failures: 2}`, "upstream")
	wantViolations(t, res)
	if res.Stats.States < 10 || res.Stats.Runs != 1 {
		t.Errorf("stats %+v", res.Stats)
	}
}

// With core.async_shutdown=0 nothing is queued: no allocation under the lock.
func TestAsyncShutdownOff(t *testing.T) {
	res := explore(t, `devices: [{name: p, async: true}, {name: c, parent: p, async: true}]
scenario: {async_shutdown: false}`, "v14")
	wantViolations(t, res)
}

// A failed allocation in the early pass stops it (the device stays on the
// list); the main loop retries and, failing again, shuts it down itself.
func TestAllocFailuresKeepOrder(t *testing.T) {
	res := explore(t, `devices: [{name: p, async: true}, {name: c, parent: p, async: true}, {name: d, parent: c}]
scenario: {alloc_failures: 2}`, "v14")
	wantViolations(t, res, SleepInAtomic)
}

// The counterexample of each property replays to the same violation, and
// a search gives the same counterexamples every time.
func TestCounterexamplesReplayAndAreDeterministic(t *testing.T) {
	const src = `devices: [{name: disk, parent: port}, {name: bridge}, {name: port, parent: bridge, async: true}]`
	m := machine(t, src, "v14")
	a := Explore(m, Options{})
	b := Explore(m, Options{})
	for i, v := range a.Violations {
		if !reflect.DeepEqual(v.Schedule, b.Violations[i].Schedule) || v.Message != b.Violations[i].Message {
			t.Errorf("%s: two searches disagree", v.Property)
		}
		run := Replay(m, v.Schedule, Properties{v.Property: true}, 0)
		if run.Err != nil || !run.Complete {
			t.Fatalf("%s: replay failed: %v", v.Property, run.Err)
		}
		got := run.Violation(v.Property)
		if got == nil || got.Message != v.Message || got.Step != len(v.Schedule) {
			t.Errorf("%s: replay found %+v", v.Property, got)
		}
	}
}

// Random and PCT campaigns find the deadlock too, and a seed fixes the result.
func TestCampaignsFindTheDeadlock(t *testing.T) {
	const src = `devices: [{name: disk, parent: port}, {name: bridge}, {name: port, parent: bridge, async: true}]`
	m := machine(t, src, "v14")
	for name, opt := range map[string]Options{
		"random": {Engine: Random, Seed: 42, Runs: 200},
		"pct":    {Engine: PCT, Seed: 42, Runs: 200, Depth: 2},
	} {
		a := Explore(m, opt)
		b := Explore(m, opt)
		v := a.Violation(Deadlock)
		if v == nil || a.Exhaustive {
			t.Fatalf("%s: deadlock not found (%v)", name, violated(a))
		}
		if !reflect.DeepEqual(v.Schedule, b.Violation(Deadlock).Schedule) || a.Stats.Transitions != b.Stats.Transitions {
			t.Errorf("%s: same seed, different result", name)
		}
	}
}

// Every replayed transition is checked: a schedule that diverges stops.
func TestReplayDivergence(t *testing.T) {
	m := machine(t, `devices: [{name: a}]`, "v14")
	run := Replay(m, []string{"main", "async:a"}, nil, 0)
	if run.Err == nil || run.Complete || !strings.Contains(run.Err.Error(), `"async:a" cannot run`) {
		t.Fatalf("err = %v", run.Err)
	}
}

func TestStepBoundIsAHang(t *testing.T) {
	m := machine(t, `devices: [{name: a}, {name: b, parent: a}]`, "v14")
	res := Explore(m, Options{MaxSteps: 10})
	v := res.Violation(Hang)
	if v == nil || !strings.Contains(v.Message, "exceeds 10 steps") || len(v.Schedule) != 10 {
		t.Fatalf("hang = %+v", v)
	}
	if run := Replay(m, v.Schedule, Properties{Hang: true}, 10); run.Violation(Hang) == nil {
		t.Error("the hang does not replay")
	}
}

func TestCancelledSearchKeepsWhatItFound(t *testing.T) {
	m := machine(t, `devices: [{name: a, async: true}, {name: b, async: true}, {name: c, async: true}, {name: d, async: true}]`, "v14")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := Explore(m, Options{Context: ctx})
	if res.Exhaustive || res.Stopped != "interrupted" || res.Violation(SleepInAtomic) == nil {
		t.Fatalf("exhaustive=%v stopped=%q violations=%v", res.Exhaustive, res.Stopped, violated(res))
	}
}

func TestPropertySelection(t *testing.T) {
	res := Explore(machine(t, `devices: [{name: c, parent: p}, {name: p, async: true}]`, "v14"),
		Options{Properties: Properties{Order: true}})
	wantViolations(t, res)
	if _, err := ParseProperties([]string{"ordre"}); err == nil {
		t.Error("unknown property accepted")
	}
}

// porcupine rejects a history in which a parent's shutdown returns before
// its child's starts, and accepts overlapping ones.
func TestLinearizability(t *testing.T) {
	m := machine(t, `devices: [{name: p}, {name: c, parent: p}]`, "v14")
	ev := func(kind model.OpKind, dev model.DevID, thread model.TID) model.Event {
		return model.Event{Kind: kind, Dev: dev, Thread: thread}
	}
	bad := []model.Event{ev(model.OpShutdownStart, 0, 0), ev(model.OpShutdownEnd, 0, 0), ev(model.OpShutdownStart, 1, 1), ev(model.OpShutdownEnd, 1, 1)}
	if checkHistory(m, bad) == "" {
		t.Error("parent entirely before child accepted")
	}
	overlap := []model.Event{ev(model.OpShutdownStart, 0, 0), ev(model.OpShutdownStart, 1, 1), ev(model.OpShutdownEnd, 0, 0), ev(model.OpShutdownEnd, 1, 1)}
	if msg := checkHistory(m, overlap); msg != "" {
		t.Errorf("overlapping history rejected: %s", msg)
	}
	good := []model.Event{ev(model.OpShutdownStart, 1, 0), ev(model.OpShutdownEnd, 1, 0), ev(model.OpShutdownStart, 0, 0), ev(model.OpShutdownEnd, 0, 0)}
	if msg := checkHistory(m, good); msg != "" {
		t.Errorf("child then parent rejected: %s", msg)
	}
	twice := append(append([]model.Event{}, good...), ev(model.OpShutdownStart, 1, 1), ev(model.OpShutdownEnd, 1, 1))
	if checkHistory(m, twice) == "" {
		t.Error("a device shut down twice accepted")
	}
}
