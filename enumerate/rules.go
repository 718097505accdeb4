package enumerate

import (
	"reflect"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// Rule is one way of grouping topologies into classes whose members have
// the same verdicts (the same set of violated properties, "order (new)"
// included), so that a bounded proof checks one representative per class
// and counts it as many times as its class has members (Classes).
//
// Each rule is argued below from the model's semantics, for the versions and
// scenarios it is allowed in (RulesFor), and checked mechanically: the tests
// of package campaign compare every topology's verdicts with its
// representative's over every version and scenario flag (N <= 4 with one
// link, N <= 3 with two), and a property test draws topologies of 5 and 6
// devices. A rule applies only where RulesFor allows it; anything RulesFor
// does not know (a version, a scenario field) turns every rule off.
//
// Common ground of the arguments. Without device_del() and device_add()
// (no scenario remove or hot_add) nothing writes a device's parent, its
// links, the link lists or a klist, and no reference a device is born with
// (registration, klist, parent, link) is ever dropped: every count stays
// above zero except through a version's own unbalanced puts, which the end
// of a run reports whatever the counts (checkBalance). Hang is a run longer
// than the step bound, which the rules require to be the default one
// (checker.DefaultMaxSteps, far above any finishing run: the extra steps a
// rule removes are a handful per device or link, and the bound grows by 200
// per link).
type Rule uint8

const (
	// IgnoreNeedParentLock: need_parent_lock is cleared on every device.
	//
	// What the flag does: shutdown_one_device() takes get_device(parent)
	// and device_lock(parent) around __shutdown_one_device(dev) (v14; v17
	// and v18 drop dev's lock first and re-lock parent then dev; v8 and v9
	// lock the parent before dev in their handler; upstream never reads the
	// flag: it always locks the parent). Argument: (1) every thread takes
	// device locks parent before child, holds none while it waits for a
	// completion, a cookie, async_synchronize_full() or list_lock, and
	// while it holds a device lock the only step that can block is the
	// device_lock() of a child of the device it holds: so a thread blocked
	// on a device lock waits for a thread blocked deeper in the tree, which
	// cannot go on forever. No end state has a thread blocked on a device
	// lock; the end states with and without the flag are the same once the
	// extra steps are dropped (deadlock, completeness, refcount balance).
	// (2) The parent lock forbids only runs where the child's
	// ->shutdown() overlaps its parent's; a misorder of the pair (the
	// parent starts before the child's callback returns) then also exists
	// with the child's start moved after the parent's (the child's start
	// enables nothing the parent waits for, else the parent could not have
	// started): order, order (new) and linearizability keep their pairs.
	// (3) get_device(parent)/put_device(parent) are balanced and, counts
	// staying positive, never free (refcount). Scenario: no remove (v17
	// reads dev->p->dead under the flag; device_del() takes dev's lock and
	// frees references) and no hot_add; alloc_failures, workers and
	// param_toggle touch neither locks nor references.
	IgnoreNeedParentLock Rule = 1 << iota

	// DropSyncStateOnly: every sync_state_only link is dropped, for the
	// versions whose algorithm ignores them (upstream reads no link; v9's
	// main loop skips them when it sets shutdown_after; v14, v17 and v18
	// skip them when they wait for consumers). v8 writes shutdown_after
	// of every supplier, sync_state_only or not: not there.
	//
	// Argument: the monitors ignore them (Dependencies, Dependents,
	// AllDependencies); the steps that walk past one in a link list only
	// read the list, which nothing writes without device_del()/
	// device_add(), so they commute with every step and decide nothing;
	// the link's references on its two ends are never dropped (see
	// above) and only raise counts that stay positive anyway. The
	// dependency cycle device_link_add() refuses ignores them too, so the
	// rest of the topology stays valid. Scenario: no remove (device_del()
	// purges the link and its release work drops the references), no
	// hot_add (device_link_add() of a hot-added end adds it during the run).
	DropSyncStateOnly

	// DropParentLinks: a link from a device's parent to the device (a
	// duplicate of the parent relation) is dropped. Dropping a link from
	// a further ancestor is NOT sound: `1a 3 0 -` verdicts differ with and
	// without `3>0`, because a device waits for its children, not for its
	// grandchildren, and the link adds a direct wait.
	//
	// Argument: the monitors see the same pair twice (the same
	// dependency). v14, v17, v18: wait_for_shutdown_dependencies(parent)
	// waits for each child first (device_for_each_child(); without
	// device_del() every child stays on the klist), then for each consumer:
	// the second wait_for_device_shutdown(child) decides on
	// wants_async_shutdown(child) again and waits on a completion
	// complete_all() already signalled for good, unless the first decided
	// not to wait and the second does: possible only if
	// core.async_shutdown turns on in between (the flags are only ever
	// cleared), so not with param_toggle. v8, v9: the main loop writes the
	// same cookie into the parent's shutdown_after twice in a row (it alone
	// writes it); in v8 this holds for a sync_state_only parent link too.
	// upstream reads no link. References: as DropSyncStateOnly. Scenario:
	// no remove, no hot_add, no param_toggle.
	DropParentLinks

	// SwapUnrelated: two devices next to each other in devices_kset are
	// swapped when they are independent: neither depends on the other
	// through parents and the links the version orders by
	// (non-sync_state_only links), followed transitively, AND the main
	// loop's order between them cannot matter: one of them never reaches
	// the main loop, or neither can make it wait. The classes are then the
	// orders of devices_kset that keep every dependent pair's relative order
	// (Mazurkiewicz traces: the independence of two devices does not depend
	// on where they are), each represented by the one with the lowest
	// enumeration index. Parents follow the renumbering; registration
	// order is devices_kset order (no topology in the space sets
	// Registered), so siblings swapped swap on their parent's klist too.
	//
	// Unrelated is not enough: in `1 3a - - 2>0` (d3 the grandparent of d0,
	// d2 the supplier of d0) the main loop takes d3 first, waits for its
	// async child d1, which waits for d0, which the main loop would shut
	// down later: a deadlock, and d2 never starts. Swap d2 and d3 (`1 2a -
	// - 3>0`): the main loop shuts d2 down before its consumer d0 (order
	// violated), then deadlocks. The main thread is shared.
	//
	// Argument (v14, v17, v18, upstream). A device "never reaches the main
	// loop" when it is async, core.async_shutdown is on and cannot change
	// (no param_toggle) and no allocation fails: the early pass, which
	// runs before the main loop, queues it and takes it off the list. A
	// device "can make the main loop wait" when it may reach the main loop
	// and has a child or non-sync_state_only consumer that may want async
	// shutdown (the main loop waits, in wait_for_shutdown_dependencies(dev,
	// false), only for those; upstream waits for nothing). Swapping two
	// independent devices changes (a) the order in which the early pass
	// reads the first's flag and queues the second, or queues both: with
	// unbounded workers an entry queued first never delays one queued
	// later, and the entries, unrelated, never wait for each other; (b)
	// the order in which the main loop shuts down two devices it passes
	// without waiting (it holds no lock across them), whose completions are
	// awaited only by their own dependents, or nothing in the main loop;
	// (c) the order of a parent's klist, whose waits block until the last
	// completion whatever the order. Every misorder is of a dependent pair,
	// whose relative order (all that upstream's verdict on the pair depends
	// on) is kept. Not argued, hence not allowed: the cookie versions (v8,
	// v9 order every entry after the ones queued before it, related or
	// not), bounded workers (an entry that waits holds a worker that a
	// later one needs), allocation failures (v14's early pass stops at the
	// first failure: which devices it queued depends on the order).
	// Scenario: no remove, no hot_add, workers 0, alloc_failures 0.
	SwapUnrelated
)

// Rules is a set of rules.
type Rules uint8

// AllRules is every rule.
const AllRules = Rules(IgnoreNeedParentLock | DropSyncStateOnly | DropParentLinks | SwapUnrelated)

// Has reports whether r contains rule.
func (r Rules) Has(rule Rule) bool { return r&Rules(rule) != 0 }

var ruleNames = []struct {
	rule Rule
	name string
}{
	{IgnoreNeedParentLock, "need_parent_lock"},
	{DropSyncStateOnly, "sync_state_only"},
	{DropParentLinks, "parent-links"},
	{SwapUnrelated, "swap"},
}

func (r Rules) String() string {
	var names []string
	for _, n := range ruleNames {
		if r.Has(n.rule) {
			names = append(names, n.name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ",")
}

// versionFacts is what the rules need to know of a version. A version not
// listed gets no rule.
var versionFacts = map[string]struct {
	rules Rules
	// ordersBySyncStateOnly: the algorithm orders a supplier after its
	// consumer through a sync_state_only link too (v8): such links relate
	// devices for SwapUnrelated and are not dropped.
	ordersBySyncStateOnly bool
	// mainWaits: the main loop waits for a sync device's async children
	// and consumers (wait_for_shutdown_dependencies(dev, false)), and an
	// early pass queues every async device before it (v14 on).
	mainWaits bool
}{
	"upstream": {rules: AllRules},
	"v8":       {rules: Rules(IgnoreNeedParentLock | DropParentLinks), ordersBySyncStateOnly: true, mainWaits: true},
	"v9":       {rules: Rules(IgnoreNeedParentLock | DropSyncStateOnly | DropParentLinks), mainWaits: true},
	"v14":      {rules: AllRules, mainWaits: true},
	"v17":      {rules: AllRules, mainWaits: true},
	"v18":      {rules: AllRules, mainWaits: true},
}

// scenarioAllows says, for each scenario field a rule knows (by its Go
// name in model.Scenario), whether a value keeps the rule sound. A field
// not listed turns every rule off unless it holds its zero value: a new
// scenario option is assumed to matter until a rule is argued for it.
var scenarioAllows = map[string]func(v reflect.Value) Rules{
	"AsyncShutdown": func(reflect.Value) Rules { return AllRules },
	"Workers": func(v reflect.Value) Rules {
		if v.Int() == 0 {
			return AllRules
		}
		return AllRules &^ Rules(SwapUnrelated)
	},
	"AllocFailures": func(v reflect.Value) Rules {
		if v.Int() == 0 {
			return AllRules
		}
		return AllRules &^ Rules(SwapUnrelated)
	},
	"ParamToggle": func(v reflect.Value) Rules {
		if !v.Bool() {
			return AllRules
		}
		return AllRules &^ Rules(DropParentLinks)
	},
	// Remove and HotAdd: no rule has been argued with a device_del() or
	// device_add() running; being unknown, they turn everything off when
	// set.
}

// RulesFor returns the rules that are sound for variant (by name) under
// sc, as argued in the rules' comments. An unknown version, or a scenario
// field RulesFor does not know that is not at its zero value, gives none.
func RulesFor(variant string, sc model.Scenario) Rules {
	facts, ok := versionFacts[variant]
	if !ok {
		return 0
	}
	rules := facts.rules
	v := reflect.ValueOf(sc)
	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		if allow, known := scenarioAllows[name]; known {
			rules &= allow(f)
		} else if !f.IsZero() {
			return 0
		}
	}
	return rules
}

// ordersBySyncStateOnly reports whether variant orders devices through
// sync_state_only links (v8): true for an unknown version, the safe side.
func ordersBySyncStateOnly(variant string) bool {
	facts, ok := versionFacts[variant]
	return !ok || facts.ordersBySyncStateOnly
}

// mainLoopFacts says, for SwapUnrelated, how async devices meet the main
// loop of variant under sc: skip, an async device never reaches the main
// loop (the early pass queues it in every run); waited, the main loop may
// wait for an async device. An unknown version gets the safe side (no
// skip, waits).
func mainLoopFacts(variant string, sc model.Scenario) (skip, waited bool) {
	facts, ok := versionFacts[variant]
	if ok && !facts.mainWaits {
		return false, false
	}
	skip = ok && sc.AsyncShutdown && !sc.ParamToggle && sc.AllocFailures == 0
	waited = !ok || sc.AsyncShutdown || sc.ParamToggle
	return skip, waited
}
