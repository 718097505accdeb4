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

// OnList reports whether dev is on devices_kset->list: reachable from its
// head (an entry can also be in a ring of its own, after list_move() onto
// an entry that was taken off the list).
func (s *State) OnList(dev DevID) bool {
	for d, n := s.Head.Next, 0; d != NoDev && n <= len(s.Dev); d, n = s.Dev[d].Next, n+1 {
		if d == dev {
			return true
		}
	}
	return false
}

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
func (s *State) listAddTail(dev DevID) { s.listAddBefore(dev, NoDev) }

// listAddAfter is list_add(&dev->kobj.entry, &at->kobj.entry): dev goes
// right after at's entry, whatever at's entry is linked to (an entry taken
// off the list points at itself: the two then form a ring of their own,
// off devices_kset).
func (s *State) listAddAfter(dev, at DevID) {
	next := s.node(at).Next
	s.Dev[dev].Prev, s.Dev[dev].Next = at, next
	s.node(next).Prev = dev
	s.node(at).Next = dev
}

// listAddBefore is list_add_tail(&dev->kobj.entry, &at->kobj.entry): dev
// goes right before at's entry (NoDev: the head, so the list's tail).
func (s *State) listAddBefore(dev, at DevID) { s.listAddAfter(dev, s.node(at).Prev) }

// List returns devices_kset->list from head to tail.
func (s *State) List() []DevID {
	var l []DevID
	for d := s.Head.Next; d != NoDev && len(l) <= len(s.Dev); d = s.Dev[d].Next {
		l = append(l, d)
	}
	return l
}

// KobjectDel models kobject_del(&dev->kobj) in device_del(): under
// list_lock, list_del_init() takes dev off devices_kset (kobj_kset_leave())
// and dev leaves sysfs (device_is_registered() turns false).
func (k *Kernel) KobjectDel(dev DevID) bool {
	if !k.ListDelInit(dev) {
		return false
	}
	k.wr(devObj(objDevReg, dev))
	k.s.Dev[dev].Flags &^= FlagInSysfs
	return true
}

// KobjectAdd models kobject_add() in device_add() (kobj_kset_join():
// list_add_tail() on devices_kset under list_lock; dev is in sysfs).
func (k *Kernel) KobjectAdd(dev DevID) bool {
	if !k.ListAddTail(dev) {
		return false
	}
	k.wr(devObj(objDevReg, dev))
	k.s.Dev[dev].Flags |= FlagInSysfs
	return true
}

// ReorderToTail models the next step of device_reorder_to_tail(consumer)
// after device_link_add() created a managed link: walking consumer, its
// children (klist) and its non-sync_state_only consumers, recursively, it
// moves each registered device to the tail of devices_kset
// (devices_kset_move_last(): list_move_tail() under list_lock; an entry
// shutdown took off the list goes back on it). From walk position at, it
// runs the next move and returns the position after it, or -1 when the walk
// has nothing left to move. The walk runs under device_links_write_lock()
// and device_pm_lock() (not modeled); each move is one step.
func (k *Kernel) ReorderToTail(consumer DevID, at int) (int, bool) {
	walk := k.m.Top.ReorderWalk(consumer)
	next, move := k.reorderNext(walk, at)
	if move == NoDev {
		if k.op(OpReorderDone, consumer, true) {
			return -1, false
		}
		return -1, true
	}
	if k.op(OpKsetMoveLast, move, k.s.ListLock == NoThread) {
		return -1, false
	}
	k.wr(objListLock)
	k.wr(objList)
	k.s.listDel(move)
	k.s.listAddTail(move)
	return next, true
}

// DevicesKsetMove models the dpm_order step of device_move(dev, parent,
// order), each under list_lock: devices_kset_move_after(dev, parent)
// (list_move()), devices_kset_move_before(parent, dev) (list_move_tail()),
// or devices_kset_move_last(dev). Only the device moved goes: its children
// stay where they are. An entry shutdown took off the list goes back on it,
// or, moved next to one that was, joins it off the list.
func (k *Kernel) DevicesKsetMove(dev, parent DevID, order string) bool {
	kind, moved := OpKsetMoveLast, dev
	switch order {
	case "dev_after_parent":
		kind = OpKsetMoveAfter
	case "parent_before_dev":
		kind, moved = OpKsetMoveBefore, parent
	}
	if k.op(kind, moved, k.s.ListLock == NoThread) {
		return false
	}
	k.wr(objListLock)
	k.wr(objList)
	k.s.listDel(moved)
	switch kind {
	case OpKsetMoveAfter:
		k.ev.Val = int16(parent)
		k.touchDev(parent)
		k.s.listAddAfter(dev, parent)
	case OpKsetMoveBefore:
		k.ev.Val = int16(dev)
		k.touchDev(dev)
		k.s.listAddBefore(parent, dev)
	default:
		k.s.listAddTail(dev)
	}
	return true
}

// touchDev applies the use-after-free check to dev, a second device an
// operation dereferences.
func (k *Kernel) touchDev(dev DevID) {
	k.rd(devObj(objDevFreed, dev))
	if k.s.Dev[dev].Has(FlagFreed) {
		k.ev.Fault |= FaultUseAfterFree
	}
}

// reorderNext finds, from walk position at, the next device the walk moves
// and the position after it (NoDev: none), recording what it reads: a child
// is reached while it is on its parent's klist, a consumer while its link
// is on the lists, and a reached device moves when it is registered.
func (k *Kernel) reorderNext(walk []reorderStep, at int) (int, DevID) {
	for at < len(walk) {
		e := walk[at]
		reached := true
		switch {
		case e.Via == reorderChild:
			k.rd(devObj(objKlist, e.From))
			reached = k.s.Dev[e.Dev].Klist == e.From && k.s.Dev[e.Dev].Has(FlagInKlist)
		case e.Via >= 0:
			k.rd(linkObj(e.Via))
			reached = k.s.Links[e.Via]&LinkPresent != 0
		}
		if !reached {
			at = e.End
			continue
		}
		k.rd(devObj(objDevReg, e.Dev))
		if k.s.Dev[e.Dev].Has(FlagInSysfs) {
			return at + 1, e.Dev
		}
		at++
	}
	return at, NoDev
}
