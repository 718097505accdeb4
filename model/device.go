package model

// struct device: its reference count (kobj.kref), its mutex (device_lock),
// its parent pointer and its async_shutdown flag.

// GetDevice models get_device(dev).
func (k *Kernel) GetDevice(dev DevID) bool {
	if k.op(OpGetDevice, dev, true) {
		return false
	}
	if dev != NoDev { // get_device(NULL) returns NULL
		k.kref(dev, +1)
	}
	return true
}

// SetParent models kobject_move() and `old_parent = dev->parent;
// dev->parent = new_parent;` in device_move(): it returns the old parent.
func (k *Kernel) SetParent(dev, parent DevID) (DevID, bool) {
	if k.op(OpSetParent, dev, true) {
		return NoDev, false
	}
	k.wr(ParentObj(dev))
	old := k.s.Dev[dev].Parent
	k.s.Dev[dev].Parent = parent
	k.ev.Val = int16(parent)
	return old, true
}

// DevicePMLock models device_pm_lock(): mutex_lock(&dpm_list_mtx).
func (k *Kernel) DevicePMLock() bool {
	if k.op(OpDevicePMLock, NoDev, k.s.PMLock == NoThread) {
		return false
	}
	k.wr(objPMLock)
	k.s.PMLock = k.tid
	return true
}

// DevicePMUnlock models device_pm_unlock().
func (k *Kernel) DevicePMUnlock() bool {
	if k.op(OpDevicePMUnlock, NoDev, true) {
		return false
	}
	k.wr(objPMLock)
	if k.s.PMLock != k.tid {
		k.ev.Fault |= FaultUnlockNotOwner
	}
	k.s.PMLock = NoThread
	return true
}

// DevicePMAdd models device_pm_add(dev) in device_add(): under
// dpm_list_mtx, dev joins dpm_list; from then on device_link_add() accepts
// it as a supplier (device_pm_initialized()).
func (k *Kernel) DevicePMAdd(dev DevID) bool {
	if k.op(OpDevicePMAdd, dev, k.s.PMLock == NoThread) {
		return false
	}
	k.rdEnable(objPMLock)
	k.wr(devObj(objDevReg, dev))
	k.s.Dev[dev].Flags |= FlagInDPMList
	return true
}

// DevicePMRemove models device_pm_remove(dev) in device_del(): under
// dpm_list_mtx, dev leaves dpm_list; device_link_add() no longer takes it.
func (k *Kernel) DevicePMRemove(dev DevID) bool {
	if k.op(OpDevicePMRemove, dev, k.s.PMLock == NoThread) {
		return false
	}
	k.rdEnable(objPMLock)
	k.wr(devObj(objDevReg, dev))
	k.s.Dev[dev].Flags &^= FlagInDPMList
	return true
}

// DeviceAddStart models the start of device_add() of a hot-added device:
// device_private_init() allocates dev->p, then parent =
// get_device(dev->parent). A driver adds a device after its parent
// (device_add() of a child of a never registered parent fails in
// kobject_add()), so when the parent is hot-added too, the step waits until
// the parent's device_add() has put it in sysfs. It returns the parent.
func (k *Kernel) DeviceAddStart(dev DevID) (DevID, bool) {
	parent := k.s.Dev[dev].Parent // no device_move() of an absent device: constant
	present := parent == NoDev || k.m.Top.Devices[parent].Present
	if k.op(OpDeviceAddStart, dev, present || k.s.Dev[parent].Has(FlagInSysfs)) {
		return NoDev, false
	}
	k.wr(devObj(objDevP, dev))
	k.s.Dev[dev].Flags &^= FlagPNull
	k.ev.Val = int16(parent)
	if parent != NoDev {
		if !present {
			k.rdEnable(devObj(objDevReg, parent))
		}
		k.kref(parent, +1)
	}
	return parent, true
}

// FreeDevP models `kfree(dev->p); dev->p = NULL;` on device_add()'s error
// path: from then on every access through dev->p is a NULL pointer
// dereference.
func (k *Kernel) FreeDevP(dev DevID) bool {
	if k.op(OpFreeDevP, dev, true) {
		return false
	}
	k.wr(devObj(objDevP, dev))
	k.s.Dev[dev].Flags |= FlagPNull
	return true
}

// DeviceLockReadParent models `struct device *parent = dev->parent;
// device_lock(dev);` at the start of device_del(), and returns the parent.
// (No device_move() of a deleted device: the read cannot be told apart.)
func (k *Kernel) DeviceLockReadParent(dev DevID) (DevID, bool) {
	if !k.DeviceLock(dev) {
		return NoDev, false
	}
	return k.parentOf(dev), true
}

// PutDevice models put_device(dev). The last put frees
// the device (device_release()).
func (k *Kernel) PutDevice(dev DevID) bool {
	if k.op(OpPutDevice, dev, true) {
		return false
	}
	if dev != NoDev { // put_device(NULL) does nothing
		k.kref(dev, -1)
	}
	return true
}

// GetParent models `parent = get_device(dev->parent)`: it reads the parent
// pointer and takes a reference on the parent, if there is one. The read is
// not a separate step: nobody else can tell it apart from the get.
func (k *Kernel) GetParent(dev DevID) (DevID, bool) {
	if k.op(OpGetParent, dev, true) {
		return NoDev, false
	}
	p := k.parentOf(dev)
	k.ev.Val = int16(p)
	if p != NoDev {
		k.rd(devObj(objDevFreed, p))
		if k.s.Dev[p].Has(FlagFreed) {
			k.ev.Fault |= FaultUseAfterFree
		}
		k.kref(p, +1)
	}
	return p, true
}

// kref changes dev's reference count on behalf of the stepping thread:
// references shutdown threads take and drop are also counted in Held.
func (k *Kernel) kref(dev DevID, delta int16) {
	if k.t.Kind != KindActor {
		k.s.Dev[dev].Held += delta
	}
	k.krefEnv(dev, delta)
}

// krefEnv changes dev's reference count for the environment: references
// that registration, klists and device links hold.
func (k *Kernel) krefEnv(dev DevID, delta int16) {
	k.wr(devObj(objDevRef, dev))
	d := &k.s.Dev[dev]
	d.Ref += delta
	k.ev.Ref = d.Ref
	switch {
	case d.Ref < 0:
		k.ev.Fault |= FaultRefUnderflow
	case d.Ref == 0 && delta < 0:
		k.wr(devObj(objDevFreed, dev))
		d.Flags |= FlagFreed
	}
}

// DeviceLock models device_lock(dev), a mutex: it blocks while another thread
// holds it, and forever when this thread does (recursive locking).
func (k *Kernel) DeviceLock(dev DevID) bool {
	if k.op(OpDeviceLock, dev, dev == NoDev || k.s.Dev[dev].Lock == NoThread) {
		return false
	}
	k.wr(devObj(objDevLock, dev))
	k.s.Dev[dev].Lock = k.tid
	return true
}

// DeviceUnlock models device_unlock(dev).
func (k *Kernel) DeviceUnlock(dev DevID) bool {
	if k.op(OpDeviceUnlock, dev, true) {
		return false
	}
	k.wr(devObj(objDevLock, dev))
	if k.s.Dev[dev].Lock != k.tid {
		k.ev.Fault |= FaultUnlockNotOwner
	}
	k.s.Dev[dev].Lock = NoThread
	return true
}

// ReadAsyncShutdown models a read of core.async_shutdown.
func (k *Kernel) ReadAsyncShutdown() (bool, bool) {
	if k.op(OpReadParam, NoDev, true) {
		return false, false
	}
	k.rd(objParam)
	k.ev.Val = boolVal(k.s.Param)
	return k.s.Param, true
}

// WantsAsyncShutdown models wants_async_shutdown(dev):
// async_shutdown && dev_async_shutdown(dev), evaluated anew at every call.
func (k *Kernel) WantsAsyncShutdown(dev DevID) (bool, bool) {
	if k.op(OpWantsAsync, dev, true) {
		return false, false
	}
	k.rd(objParam)
	k.rd(devObj(objDevAsync, dev))
	w := k.s.Param && k.s.Dev[dev].Has(FlagAsync)
	k.ev.Val = boolVal(w)
	return w, true
}

// ShutdownStart models the start of the device's shutdown callbacks:
// pm_runtime_get_noresume(), pm_runtime_barrier(), class->shutdown_pre(),
// then bus->shutdown() or driver->shutdown().
func (k *Kernel) ShutdownStart(dev DevID) bool {
	if k.op(OpShutdownStart, dev, true) {
		return false
	}
	k.wr(devObj(objDevShutdown, dev))
	d := &k.s.Dev[dev]
	if d.Has(FlagStarted) {
		d.Flags |= FlagTwice
	}
	d.Flags |= FlagStarted
	return true
}

// ShutdownEnd models the return of the device's ->shutdown() callback.
func (k *Kernel) ShutdownEnd(dev DevID) bool {
	if k.op(OpShutdownEnd, dev, true) {
		return false
	}
	k.wr(devObj(objDevShutdown, dev))
	k.s.Dev[dev].Flags |= FlagEnded
	return true
}

func boolVal(b bool) int16 {
	if b {
		return 1
	}
	return 0
}

// ReadParent models a read of dev->parent: it touches dev's memory.
func (k *Kernel) ReadParent(dev DevID) (DevID, bool) {
	if k.op(OpReadParent, dev, true) {
		return NoDev, false
	}
	p := k.parentOf(dev)
	k.ev.Val = int16(p)
	return p, true
}

// ReadDead models a read of dev->p->dead.
func (k *Kernel) ReadDead(dev DevID) (bool, bool) {
	if k.op(OpReadDead, dev, true) {
		return false, false
	}
	k.rd(devObj(objDevDead, dev))
	dead := k.s.Dev[dev].Has(FlagDead)
	k.ev.Val = boolVal(dead)
	return dead, true
}

// ClearAsyncShutdown models dev_clear_async_shutdown(dev).
func (k *Kernel) ClearAsyncShutdown(dev DevID) bool {
	if k.op(OpClearAsync, dev, true) {
		return false
	}
	k.wr(devObj(objDevAsync, dev))
	k.s.Dev[dev].Flags &^= FlagAsync
	return true
}

// SetShutdownAfter models dev->p->shutdown_after = cookie (v5-v9).
func (k *Kernel) SetShutdownAfter(dev DevID, cookie int16) bool {
	if k.op(OpSetAfter, dev, true) {
		return false
	}
	k.wr(devObj(objDevAfter, dev))
	k.s.Dev[dev].After = cookie
	k.ev.Val = cookie
	return true
}

// ReadShutdownAfter models a read of dev->p->shutdown_after (v5-v9).
func (k *Kernel) ReadShutdownAfter(dev DevID) (int16, bool) {
	if k.op(OpReadAfter, dev, true) {
		return 0, false
	}
	k.rd(devObj(objDevAfter, dev))
	k.ev.Val = k.s.Dev[dev].After
	return k.s.Dev[dev].After, true
}
