package model

import (
	"fmt"
	"slices"
	"strings"
)

// DevID indexes Topology.Devices. NoDev is NULL (and the list head).
type DevID int16

// NoDev is the NULL device pointer.
const NoDev DevID = -1

// Device is one struct device as it stands when device_shutdown() begins.
type Device struct {
	Name           string
	Parent         DevID // dev->parent, NoDev for a root device
	Async          bool  // device_enable_async_shutdown() was called
	NeedParentLock bool  // dev->bus->need_parent_lock (USB)
	Present        bool  // registered (device_add done) when shutdown begins
	ShutdownMS     int   // duration of ->shutdown(), for timed simulation
}

// Link is one device link (struct device_link) from a consumer to a supplier.
type Link struct {
	Supplier, Consumer DevID
	SyncStateOnly      bool // DL_FLAG_SYNC_STATE_ONLY: ignored by shutdown ordering
	// BeforeAdd: the link was made before its consumer, absent at the
	// start and hot-added, registered (device_link_add() accepts such a
	// consumer; its dev->p is NULL until device_add()). Without it, such a
	// link is made by fw_devlink as the consumer registers. A link to a
	// consumer that never registers exists from the start; one to an
	// absent supplier is made as the supplier registers.
	BeforeAdd bool
}

// Topology is a device tree with its devices_kset order (Devices, head first)
// and its device links.
type Topology struct {
	Name    string
	Devices []Device
	Links   []Link
	// Registered is the order in which the present devices were registered
	// (device_add()), which decides each parent's klist_children order;
	// nil means the Devices order. It can differ from devices_kset order:
	// device_link_add() (device_reorder_to_tail()) and device_move() move
	// devices on devices_kset only.
	Registered []DevID
	Scenario   Scenario

	children  [][]DevID // klist_children of each device at the start: registered children in registration order, then the absent ones
	knode     []int16   // each present device's place in registration order
	reorder   [][]reorderStep
	consumers [][]int   // links.consumers of each device (indices into Links)
	suppliers [][]int   // links.suppliers of each device
	allDeps   [][]DevID // every device each one depends on, directly or not
}

// Knode returns dev's place in registration order: its position on its
// parent's klist_children relative to its siblings registered before
// shutdown. Devices absent at the start have none (-1).
func (t *Topology) Knode(d DevID) int16 { return t.knode[d] }

// TopologyError says what is wrong with a topology and where: Device or
// Link index (or -1), so that a file reader can name the line.
type TopologyError struct {
	Device, Link int
	Field        string // scenario field, when the error is in the scenario
	Reason       string
}

func (e *TopologyError) Error() string { return e.Reason }

// Index returns the device named name, or NoDev.
func (t *Topology) Index(name string) DevID {
	for i := range t.Devices {
		if t.Devices[i].Name == name {
			return DevID(i)
		}
	}
	return NoDev
}

// Name returns a device's name, "NULL" for NoDev.
func (t *Topology) DevName(d DevID) string {
	if d == NoDev {
		return "NULL"
	}
	return t.Devices[d].Name
}

// Children returns dev's children in klist order.
func (t *Topology) Children(d DevID) []DevID { return t.children[d] }

// Consumers returns the indices of the links whose supplier is d.
func (t *Topology) Consumers(d DevID) []int { return t.consumers[d] }

// Suppliers returns the indices of the links whose consumer is d.
func (t *Topology) Suppliers(d DevID) []int { return t.suppliers[d] }

// Check validates the topology and computes its derived indices. It must be
// called before a topology is used.
func (t *Topology) Check() error {
	if len(t.Devices) == 0 {
		return &TopologyError{Device: -1, Link: -1, Reason: "no devices"}
	}
	if len(t.Devices) > maxDevices {
		return &TopologyError{Device: maxDevices, Link: -1, Reason: fmt.Sprintf("more than %d devices", maxDevices)}
	}
	if err := t.checkDevices(); err != nil {
		return err
	}
	if err := t.checkLinks(); err != nil {
		return err
	}
	if err := t.checkRegistered(); err != nil {
		return err
	}
	t.index()
	if i := t.dependencyCycle(); i >= 0 {
		return &TopologyError{Device: -1, Link: i, Reason: fmt.Sprintf(
			"link %s -> %s closes a dependency cycle through parents and non-sync_state_only links (device_link_add() refuses it: device_is_dependent())",
			t.DevName(t.Links[i].Supplier), t.DevName(t.Links[i].Consumer))}
	}
	t.closeDependencies()
	if err := t.indexReorders(); err != nil {
		return err
	}
	return t.checkScenario()
}

const maxDevices = 4096

func (t *Topology) checkDevices() error {
	seen := make(map[string]int, len(t.Devices))
	for i, d := range t.Devices {
		switch {
		case d.Name == "":
			return &TopologyError{Device: i, Link: -1, Reason: "device has no name"}
		case seen[d.Name] != 0:
			return &TopologyError{Device: i, Link: -1, Reason: fmt.Sprintf("duplicate device %q (first at device %d)", d.Name, seen[d.Name]-1)}
		case d.Parent == DevID(i):
			return &TopologyError{Device: i, Link: -1, Reason: fmt.Sprintf("device %q is its own parent", d.Name)}
		case d.Parent != NoDev && (d.Parent < 0 || int(d.Parent) >= len(t.Devices)):
			return &TopologyError{Device: i, Link: -1, Reason: fmt.Sprintf("device %q has an unknown parent", d.Name)}
		case d.Parent != NoDev && d.Present && !t.Devices[d.Parent].Present:
			return &TopologyError{Device: i, Link: -1, Reason: fmt.Sprintf("device %q is present but its parent %q is not (device_add() of a child needs a registered parent)", d.Name, t.Devices[d.Parent].Name)}
		case d.ShutdownMS < 0:
			return &TopologyError{Device: i, Link: -1, Reason: fmt.Sprintf("device %q has a negative shutdown_ms", d.Name)}
		}
		seen[d.Name] = i + 1
	}
	for i := range t.Devices {
		if t.parentCycle(DevID(i)) {
			return &TopologyError{Device: i, Link: -1, Reason: fmt.Sprintf("device %q is its own ancestor (parent cycle)", t.Devices[i].Name)}
		}
	}
	return nil
}

// parentCycle reports whether following parents from d comes back to d.
func (t *Topology) parentCycle(d DevID) bool {
	p := t.Devices[d].Parent
	for steps := 0; p != NoDev && steps <= len(t.Devices); steps++ {
		if p == d {
			return true
		}
		p = t.Devices[p].Parent
	}
	return false
}

func (t *Topology) checkLinks() error {
	type pair struct{ s, c DevID }
	seen := make(map[pair]bool, len(t.Links))
	for i, l := range t.Links {
		switch {
		case l.Supplier < 0 || int(l.Supplier) >= len(t.Devices) || l.Consumer < 0 || int(l.Consumer) >= len(t.Devices):
			return &TopologyError{Device: -1, Link: i, Reason: "link to an unknown device"}
		case l.Supplier == l.Consumer:
			return &TopologyError{Device: -1, Link: i, Reason: fmt.Sprintf("link from %q to itself", t.Devices[l.Supplier].Name)}
		case seen[pair{l.Supplier, l.Consumer}]:
			return &TopologyError{Device: -1, Link: i, Reason: fmt.Sprintf("duplicate link %s -> %s", t.Devices[l.Supplier].Name, t.Devices[l.Consumer].Name)}
		case l.BeforeAdd && (t.Devices[l.Consumer].Present || !t.Devices[l.Supplier].Present):
			return &TopologyError{Device: -1, Link: i, Reason: fmt.Sprintf("link %s -> %s: before_add is for a link from a present supplier to an absent consumer", t.Devices[l.Supplier].Name, t.Devices[l.Consumer].Name)}
		}
		seen[pair{l.Supplier, l.Consumer}] = true
	}
	return nil
}

// checkRegistered validates Registered: every present device once, no
// absent one (those register during the run), each after its parent
// (device_add() of a child needs its parent registered).
func (t *Topology) checkRegistered() error {
	if t.Registered == nil {
		return nil
	}
	at := make([]int, len(t.Devices))
	for i := range at {
		at[i] = -1
	}
	for i, d := range t.Registered {
		switch {
		case d < 0 || int(d) >= len(t.Devices):
			return &TopologyError{Device: -1, Link: -1, Field: "registered", Reason: "registered names an unknown device"}
		case at[d] >= 0:
			return &TopologyError{Device: -1, Link: -1, Field: "registered", Reason: fmt.Sprintf("registered lists %q twice", t.Devices[d].Name)}
		case !t.Devices[d].Present:
			return &TopologyError{Device: -1, Link: -1, Field: "registered", Reason: fmt.Sprintf("registered lists %q, which is not present (a hot-added device registers during the run)", t.Devices[d].Name)}
		}
		at[d] = i
	}
	for i, d := range t.Devices {
		switch {
		case d.Present && at[i] < 0:
			return &TopologyError{Device: -1, Link: -1, Field: "registered", Reason: fmt.Sprintf("registered does not list the present device %q", d.Name)}
		case d.Present && d.Parent != NoDev && at[d.Parent] > at[i]:
			return &TopologyError{Device: -1, Link: -1, Field: "registered", Reason: fmt.Sprintf("registered lists %q before its parent %q (device_add() of a child needs its parent registered)", d.Name, t.Devices[d.Parent].Name)}
		}
	}
	return nil
}

// RegistrationOrder returns the present devices in registration order.
func (t *Topology) RegistrationOrder() []DevID {
	if t.Registered != nil {
		return t.Registered
	}
	var order []DevID
	for i, d := range t.Devices {
		if d.Present {
			order = append(order, DevID(i))
		}
	}
	return order
}

func (t *Topology) index() {
	n := len(t.Devices)
	t.children = make([][]DevID, n)
	t.knode = make([]int16, n)
	t.consumers = make([][]int, n)
	t.suppliers = make([][]int, n)
	for i := range t.knode {
		t.knode[i] = -1
	}
	for i, d := range t.RegistrationOrder() {
		t.knode[d] = int16(i)
		if p := t.Devices[d].Parent; p != NoDev {
			t.children[p] = append(t.children[p], d)
		}
	}
	for i, d := range t.Devices {
		if !d.Present && d.Parent != NoDev {
			t.children[d.Parent] = append(t.children[d.Parent], DevID(i))
		}
	}
	for i, l := range t.Links {
		t.consumers[l.Supplier] = append(t.consumers[l.Supplier], i)
		t.suppliers[l.Consumer] = append(t.suppliers[l.Consumer], i)
	}
}

// maxReorderWalk bounds the calls of one device_reorder_to_tail() walk (it
// visits a device once per path to it).
const maxReorderWalk = 1 << 14

// indexReorders computes the walk of device_reorder_to_tail() for each
// consumer of a link added during the run (one end absent at the start):
// only those reorder devices_kset while shutdown runs. The dependency graph
// must have no cycle.
func (t *Topology) indexReorders() error {
	t.reorder = make([][]reorderStep, len(t.Devices))
	for i, l := range t.Links {
		if !l.SyncStateOnly && (!t.Devices[l.Supplier].Present || !t.Devices[l.Consumer].Present) && t.reorder[l.Consumer] == nil {
			t.reorder[l.Consumer] = t.reorderWalk(nil, l.Consumer, NoDev, reorderRoot)
			if len(t.reorder[l.Consumer]) > maxReorderWalk {
				return &TopologyError{Device: -1, Link: i, Reason: fmt.Sprintf(
					"device_link_add() would walk more than %d devices in device_reorder_to_tail(%s)", maxReorderWalk, t.DevName(l.Consumer))}
			}
		}
	}
	return nil
}

// reorderStep is one call of device_reorder_to_tail() in the walk that
// device_link_add() starts at a new link's consumer.
type reorderStep struct {
	Dev  DevID
	From DevID // the device whose walk reached Dev (NoDev for the root)
	// Via says how the walk got to Dev: reorderRoot, reorderChild
	// (device_for_each_child() of the step's parent in the walk), or the
	// index of the non-sync_state_only link it followed.
	Via int
	// End is the index of the first step after Dev's own walk: where the
	// walk goes on when Dev is not reached (not on its parent's klist, or
	// its link gone).
	End int
}

const (
	reorderRoot  = -2
	reorderChild = -1
)

// reorderWalk appends device_reorder_to_tail(d)'s walk, in call order:
// d, each child's walk (klist order), each non-sync_state_only consumer's
// walk (links.consumers order).
func (t *Topology) reorderWalk(walk []reorderStep, d, from DevID, via int) []reorderStep {
	at := len(walk)
	walk = append(walk, reorderStep{Dev: d, From: from, Via: via})
	for _, c := range t.children[d] {
		if len(walk) > maxReorderWalk {
			return walk
		}
		walk = t.reorderWalk(walk, c, d, reorderChild)
	}
	for _, li := range t.consumers[d] {
		if !t.Links[li].SyncStateOnly && len(walk) <= maxReorderWalk {
			walk = t.reorderWalk(walk, t.Links[li].Consumer, d, li)
		}
	}
	walk[at].End = len(walk)
	return walk
}

// ReorderWalk returns the walk of device_reorder_to_tail(consumer) for a
// link added during the run (nil for any other device).
func (t *Topology) ReorderWalk(consumer DevID) []reorderStep { return t.reorder[consumer] }

// Dependents calls fn for each device that must finish shutting down
// before d starts: its children and its non-sync_state_only consumers.
func (t *Topology) Dependents(d DevID, fn func(DevID)) {
	for _, c := range t.children[d] {
		fn(c)
	}
	for _, li := range t.consumers[d] {
		if !t.Links[li].SyncStateOnly {
			fn(t.Links[li].Consumer)
		}
	}
}

// closeDependencies computes AllDependencies (the dependency graph has no
// cycle: Check has made sure).
func (t *Topology) closeDependencies() {
	t.allDeps = make([][]DevID, len(t.Devices))
	done := make([]bool, len(t.Devices))
	var visit func(d DevID)
	visit = func(d DevID) {
		if done[d] {
			return
		}
		done[d] = true
		set := map[DevID]bool{}
		t.Dependencies(d, func(p DevID) {
			visit(p)
			set[p] = true
			for _, q := range t.allDeps[p] {
				set[q] = true
			}
		})
		for q := range set {
			t.allDeps[d] = append(t.allDeps[d], q)
		}
		slices.Sort(t.allDeps[d])
	}
	for i := range t.Devices {
		visit(DevID(i))
	}
}

// AllDependencies returns, sorted, every device d must shut down before:
// its parent and non-sync_state_only suppliers, theirs, and so on.
func (t *Topology) AllDependencies(d DevID) []DevID { return t.allDeps[d] }

// Dependencies calls fn for each device d must shut down before: its parent
// and its non-sync_state_only suppliers.
func (t *Topology) Dependencies(d DevID, fn func(DevID)) {
	if p := t.Devices[d].Parent; p != NoDev {
		fn(p)
	}
	for _, li := range t.suppliers[d] {
		if !t.Links[li].SyncStateOnly {
			fn(t.Links[li].Supplier)
		}
	}
}

// dependencyCycle returns the index of a non-sync_state_only link on a cycle
// of parent edges and such links, or -1. Cycles of parent edges alone are
// caught by checkDevices, so every cycle found here has a link on it.
func (t *Topology) dependencyCycle() int {
	const (
		white = iota
		grey
		black
	)
	color := make([]uint8, len(t.Devices))
	var path []int // for each device on the DFS path, the link that led to it (-1: a parent edge)
	var stack []DevID
	found := -1
	var visit func(d DevID, via int) bool
	edge := func(to DevID, via int) bool {
		if color[to] == grey {
			// The cycle runs from to's place on the stack, through via, back to to.
			if via >= 0 {
				found = via
				return true
			}
			for i := len(stack) - 1; i >= 0 && stack[i] != to; i-- {
				if path[i] >= 0 {
					found = path[i]
					return true
				}
			}
			return true
		}
		return color[to] == white && visit(to, via)
	}
	visit = func(d DevID, via int) bool {
		color[d] = grey
		stack, path = append(stack, d), append(path, via)
		// Edges go from a device to the devices it must outlive.
		for _, c := range t.children[d] {
			if edge(c, -1) {
				return true
			}
		}
		for _, li := range t.consumers[d] {
			if !t.Links[li].SyncStateOnly && edge(t.Links[li].Consumer, li) {
				return true
			}
		}
		color[d] = black
		stack, path = stack[:len(stack)-1], path[:len(path)-1]
		return false
	}
	for i := range t.Devices {
		if color[i] == white && visit(DevID(i), -1) {
			return found
		}
	}
	return -1
}

// String renders the topology compactly: devices_kset order head first, with
// parents, flags and links. Used in reports and test failures.
func (t *Topology) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: devices_kset [", t.Name)
	for i, d := range t.Devices {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.Name)
		var flags []string
		if d.Parent != NoDev {
			flags = append(flags, "parent "+t.Devices[d.Parent].Name)
		}
		if d.Async {
			flags = append(flags, "async")
		}
		if d.NeedParentLock {
			flags = append(flags, "need_parent_lock")
		}
		if !d.Present {
			flags = append(flags, "absent")
		}
		if len(flags) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(flags, ", "))
		}
	}
	b.WriteString("]")
	for _, l := range t.Links {
		sso := ""
		if l.SyncStateOnly {
			sso = " sync_state_only"
		}
		fmt.Fprintf(&b, " link %s->%s%s", t.Devices[l.Supplier].Name, t.Devices[l.Consumer].Name, sso)
	}
	return b.String()
}
