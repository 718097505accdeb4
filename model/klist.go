package model

// The parent's klist_children and device_for_each_child(). A child is on its
// parent's klist from the end of device_add() to klist_del() in device_del();
// the klist holds a reference on it (klist_children_get/put). An iterator pins
// the node it stands on: a child deleted meanwhile stays alive until the
// iterator moves on, which then drops the klist's reference.

var fnDeviceForEachChild = DefineFunc("device_for_each_child", deviceForEachChild)

// CallDeviceForEachChild makes f call device_for_each_child(parent, &data, fn):
// fn(child) runs with Flag = data for each child on parent's klist.
func (k *Kernel) CallDeviceForEachChild(f *Frame, ret uint8, parent DevID, data bool, fn FuncID) {
	nf := k.Call(f, ret, fnDeviceForEachChild, parent)
	nf.Flag, nf.Aux = data, int16(fn)
}

// device_for_each_child(dev, data, fn). Frame: Dev = the parent, Cur = the
// child the iterator stands on (i.i_cur), Aux = fn, Flag = *data.
func deviceForEachChild(k *Kernel, f *Frame) {
	// while ((child = next_device(&i))) error = fn(child, data);
	if child, ok := k.KlistNext(f.Dev, f.Cur); ok {
		f.Cur = child
		if child == NoDev {
			k.Return(0) // klist_iter_exit(&i): the iterator holds nothing
			return
		}
		k.Call(f, 0, FuncID(f.Aux), child).Flag = f.Flag
	}
}

// KlistNext models next_device(&i), i.e. klist_next(): it releases the node
// the iterator stands on (dropping the klist's reference if the child was
// deleted meanwhile) and pins the next live child of parent, or returns
// NoDev. klist_children is in klist_add_tail() order: registration order for
// the children registered before shutdown, then the order in which the run
// adds the others (DevState.Knode, which only grows along a klist).
// device_for_each_child() of a parent whose dev->p is NULL returns at once.
func (k *Kernel) KlistNext(parent, last DevID) (DevID, bool) {
	if k.op(OpKlistNext, parent, true) {
		return NoDev, false
	}
	if k.rd(devObj(objDevP, parent)); k.s.Dev[parent].Has(FlagPNull) {
		k.ev.Val = int16(NoDev) // if (!parent || !parent->p) return 0;
		return NoDev, true
	}
	k.wr(devObj(objKlist, parent))
	after := int16(-1)
	if last != NoDev {
		d := &k.s.Dev[last]
		after = d.Knode
		d.Pins--
		k.releaseKnode(last)
	}
	next := NoDev
	for _, c := range k.m.childCandidates(parent) {
		if d := &k.s.Dev[c]; d.Klist == parent && d.Has(FlagInKlist) && d.Knode > after && (next == NoDev || d.Knode < k.s.Dev[next].Knode) {
			next = c
		}
	}
	if next != NoDev {
		k.s.Dev[next].Pins++
	}
	k.ev.Val = int16(next)
	return next, true
}

// releaseKnode frees dev's knode once it is deleted and no iterator holds
// it: it leaves the klist, and the klist drops its reference
// (klist_children_put()).
func (k *Kernel) releaseKnode(dev DevID) {
	if d := &k.s.Dev[dev]; d.Pins == 0 && d.Has(FlagKnodeDead) {
		d.Flags &^= FlagKnodeDead
		d.Klist = NoDev
		k.krefEnv(dev, -1)
	}
}

// KlistDel models klist_del(&dev->p->knode_parent) in device_del() (and
// the first half of klist_remove() in device_move()): the child leaves its
// parent's klist_children, and the klist drops its reference now, or when
// the last iterator standing on it moves on.
func (k *Kernel) KlistDel(dev DevID) bool {
	if k.op(OpKlistDel, dev, true) {
		return false
	}
	d := &k.s.Dev[dev]
	k.wr(devObj(objKlist, d.Klist))
	d.Flags &^= FlagInKlist
	d.Flags |= FlagKnodeDead
	k.releaseKnode(dev)
	return true
}

// KlistRemoveWait models the second half of klist_remove(): it waits until
// the node klist_del() took off klist (the old parent's klist_children) is
// released: no iterator holds it.
func (k *Kernel) KlistRemoveWait(dev, klist DevID) bool {
	if k.op(OpKlistRemoveWait, dev, !k.s.Dev[dev].Has(FlagKnodeDead)) {
		return false
	}
	k.rdEnable(devObj(objKlist, klist)) // an iterator of klist lets go of the node
	return true
}

// KlistAdd models klist_add_tail(&dev->p->knode_parent,
// &parent->p->klist_children) with parent = dev->parent (the end of
// device_add(), device_move()): the klist takes a reference
// (klist_children_get()).
func (k *Kernel) KlistAdd(dev DevID) bool {
	if k.op(OpKlistAdd, dev, true) {
		return false
	}
	parent := k.parentOf(dev)
	k.ev.Val = int16(parent)
	k.wr(devObj(objKlist, parent))
	d := &k.s.Dev[dev]
	d.Flags |= FlagInKlist
	d.Klist = parent
	d.Knode = 0 // the tail: after every knode the klist has had
	for _, c := range k.m.childCandidates(parent) {
		if k.s.Dev[c].Klist == parent {
			d.Knode = max(d.Knode, k.s.Dev[c].Knode+1)
		}
	}
	k.krefEnv(dev, +1)
	return true
}

// Pins reports whether thread tid's klist iterator (device_for_each_child())
// stands on dev's knode.
func (m *Machine) Pins(s *State, tid TID, dev DevID) bool {
	if interpPins(s, tid, dev) {
		return true
	}
	t := &s.Threads[tid]
	for i := 0; i < int(t.Depth); i++ {
		if f := &t.Frames[i]; f.Fn == fnDeviceForEachChild && f.Cur == dev {
			return true
		}
	}
	return false
}
