package model

// devices_kset->list and its list_lock. The list is doubly linked through
// DevState.Prev/Next exactly like struct list_head: NoDev stands for the list
// head, and list_del_init() leaves an entry linked to itself.

// SpinLockList models spin_lock(&devices_kset->list_lock).
func (k *Kernel) SpinLockList() bool {
	if k.op(OpSpinLock, NoDev, k.s.ListLock == NoThread) {
		return false
	}
	k.wr(objListLock)
	k.s.ListLock = k.tid
	return true
}

// SpinUnlockList models spin_unlock(&devices_kset->list_lock).
func (k *Kernel) SpinUnlockList() bool {
	if k.op(OpSpinUnlock, NoDev, true) {
		return false
	}
	k.wr(objListLock)
	if k.s.ListLock != k.tid {
		k.ev.Fault |= FaultUnlockNotOwner
	}
	k.s.ListLock = NoThread
	return true
}

// ListLast models list_empty(&devices_kset->list) followed by
// list_last_entry(): it returns the tail device, or NoDev when the list is empty.
func (k *Kernel) ListLast() (DevID, bool) {
	if k.op(OpListLast, NoDev, true) {
		return NoDev, false
	}
	k.rd(objList)
	k.ev.Val = int16(k.s.Head.Prev)
	return k.s.Head.Prev, true
}

// ListPrev models list_prev_entry(dev, kobj.entry): NoDev is the list head.
// An entry taken off the list by list_del_init() is its own predecessor.
func (k *Kernel) ListPrev(dev DevID) (DevID, bool) {
	if k.op(OpListPrev, dev, true) {
		return NoDev, false
	}
	k.rd(objList)
	k.ev.Val = int16(k.s.Dev[dev].Prev)
	return k.s.Dev[dev].Prev, true
}

// ListDelInit models list_del_init(&dev->kobj.entry).
func (k *Kernel) ListDelInit(dev DevID) bool {
	if k.op(OpListDelInit, dev, true) {
		return false
	}
	k.wr(objList)
	k.s.listDel(dev)
	return true
}

// ListAddTail models list_add_tail(&dev->kobj.entry, &devices_kset->list)
// in kobj_kset_join(), as device_add() registers a device.
func (k *Kernel) ListAddTail(dev DevID) bool {
	if k.op(OpListAddTail, dev, true) {
		return false
	}
	k.wr(objList)
	k.s.listAddTail(dev)
	return true
}

// OnList reports whether dev is linked on devices_kset->list.
func (s *State) OnList(dev DevID) bool { return s.Dev[dev].Next != dev }

func (s *State) node(d DevID) *DevState {
	if d == NoDev {
		return &s.Head
	}
	return &s.Dev[d]
}

// listDel unlinks dev and links it to itself (a no-op for a self-linked entry).
func (s *State) listDel(dev DevID) {
	d := &s.Dev[dev]
	s.node(d.Prev).Next = d.Next
	s.node(d.Next).Prev = d.Prev
	d.Prev, d.Next = dev, dev
}

// listAddTail links dev at the tail of devices_kset->list.
func (s *State) listAddTail(dev DevID) {
	last := s.Head.Prev
	s.node(last).Next = dev
	s.Dev[dev].Prev, s.Dev[dev].Next = last, NoDev
	s.Head.Prev = dev
}

// List returns devices_kset->list from head to tail.
func (s *State) List() []DevID {
	var l []DevID
	for d := s.Head.Next; d != NoDev && len(l) <= len(s.Dev); d = s.Dev[d].Next {
		l = append(l, d)
	}
	return l
}
