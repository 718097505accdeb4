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
func (k *Kernel) KlistNext(parent, last DevID) (DevID, bool) {
	if k.op(OpKlistNext, parent, true) {
		return NoDev, false
	}
	k.wr(devObj(objKlist, parent))
	after := int16(-1)
	if last != NoDev {
		d := &k.s.Dev[last]
		after = d.Knode
		d.Pins--
		if d.Pins == 0 && d.Has(FlagKnodeDead) {
			d.Flags &^= FlagKnodeDead
			k.krefEnv(last, -1) // klist_children_put()
		}
	}
	next := NoDev
	for _, c := range k.m.Top.Children(parent) {
		if d := &k.s.Dev[c]; d.Has(FlagInKlist) && d.Knode > after && (next == NoDev || d.Knode < k.s.Dev[next].Knode) {
			next = c
		}
	}
	if next != NoDev {
		k.s.Dev[next].Pins++
	}
	k.ev.Val = int16(next)
	return next, true
}

// KlistDel models klist_del(&dev->p->knode_parent) in device_del(): the
// child leaves its parent's klist_children, and the klist drops its
// reference now, or when the last iterator standing on it moves on.
func (k *Kernel) KlistDel(dev DevID) bool {
	if k.op(OpKlistDel, dev, true) {
		return false
	}
	k.wr(devObj(objKlist, k.m.parent(dev)))
	d := &k.s.Dev[dev]
	d.Flags &^= FlagInKlist
	if d.Pins > 0 {
		d.Flags |= FlagKnodeDead
	} else {
		k.krefEnv(dev, -1) // klist_children_put()
	}
	return true
}

// KlistAdd models klist_add_tail(&dev->p->knode_parent,
// &parent->p->klist_children) at the end of device_add(): the klist takes a
// reference (klist_children_get()).
func (k *Kernel) KlistAdd(dev DevID) bool {
	if k.op(OpKlistAdd, dev, true) {
		return false
	}
	parent := k.m.parent(dev)
	k.wr(devObj(objKlist, parent))
	d := &k.s.Dev[dev]
	d.Flags |= FlagInKlist
	d.Knode = 0 // the tail: after every knode the klist has had
	for _, c := range k.m.Top.Children(parent) {
		d.Knode = max(d.Knode, k.s.Dev[c].Knode+1)
	}
	k.krefEnv(dev, +1)
	return true
}
