package model

import "slices"

// The device tree as a state holds it. dev->parent is state: device_move()
// changes it, so which devices are whose children, and so which devices
// must shut down before which, is read off the state. Without a device_move()
// in the scenario it stays the topology's.

// ParentObj is dev->parent.
func ParentObj(d DevID) Obj { return devObj(objDevParent, d) }

// parentOf models a load of dev->parent inside an operation.
func (k *Kernel) parentOf(dev DevID) DevID {
	k.rd(ParentObj(dev))
	return k.s.Dev[dev].Parent
}

// childCandidates returns the devices that can have d as their parent in
// some state: the topology's children of d and the devices a device_move()
// of the scenario moves under d.
func (m *Machine) childCandidates(d DevID) []DevID { return m.children[d] }

// indexChildren computes childCandidates.
func (m *Machine) indexChildren() {
	m.children = make([][]DevID, len(m.Top.Devices))
	for i := range m.Top.Devices {
		m.children[i] = m.Top.Children(DevID(i))
	}
	for _, mv := range m.moves {
		if mv.parent != NoDev && !slices.Contains(m.children[mv.parent], mv.dev) {
			m.children[mv.parent] = append(slices.Clone(m.children[mv.parent]), mv.dev)
		}
	}
}

// Dependents calls fn for each device that must finish shutting down
// before d starts, in state s: its children (whose dev->parent is d) and its
// non-sync_state_only consumers.
func (m *Machine) Dependents(s *State, d DevID, fn func(DevID)) {
	for _, c := range m.childCandidates(d) {
		if s.Dev[c].Parent == d {
			fn(c)
		}
	}
	for _, li := range m.Top.Consumers(d) {
		if l := m.Top.Links[li]; !l.SyncStateOnly {
			fn(l.Consumer)
		}
	}
}

// DependentsReads calls read with what Dependents reads of a state.
func (m *Machine) DependentsReads(d DevID, read func(Obj)) {
	for _, c := range m.childCandidates(d) {
		read(ParentObj(c))
	}
}

// Dependencies calls fn for each device d must shut down before, in state
// s: its parent and its non-sync_state_only suppliers.
func (m *Machine) Dependencies(s *State, d DevID, fn func(DevID)) {
	if p := s.Dev[d].Parent; p != NoDev {
		fn(p)
	}
	for _, li := range m.Top.Suppliers(d) {
		if l := m.Top.Links[li]; !l.SyncStateOnly {
			fn(l.Supplier)
		}
	}
}

// AllDependencies returns, sorted, every device d must shut down before in
// state s: its parent and non-sync_state_only suppliers, theirs, and so on.
// It reads the parent of each device on the way (AllDependenciesReads).
func (m *Machine) AllDependencies(s *State, d DevID) []DevID {
	if len(m.moves) == 0 {
		return m.Top.AllDependencies(d) // the tree never changes
	}
	var out []DevID
	var visit func(x DevID)
	visit = func(x DevID) {
		m.Dependencies(s, x, func(y DevID) {
			if !slices.Contains(out, y) && len(out) < len(s.Dev) {
				out = append(out, y)
				visit(y)
			}
		})
	}
	visit(d)
	slices.Sort(out)
	return out
}

// AllDependenciesReads calls read with what AllDependencies may read: the
// parent of every device, when the tree can change.
func (m *Machine) AllDependenciesReads(read func(Obj)) {
	if len(m.moves) == 0 {
		return
	}
	for i := range m.Top.Devices {
		read(ParentObj(DevID(i)))
	}
}
