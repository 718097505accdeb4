package model

// struct device: its reference count (kobj.kref), its mutex (device_lock),
// its parent pointer and its async_shutdown flag.

// GetDevice models get_device(dev) on a non-NULL dev.
func (k *Kernel) GetDevice(dev DevID) bool {
	if k.op(OpGetDevice, dev, true) {
		return false
	}
	k.kref(dev, +1)
	return true
}

// GetRegisteredParent models get_device(dev->parent) at the start of
// device_add() of a hot-added device: a driver adds a device after its
// parent (device_add() of a child of a never registered parent fails in
// kobject_add()), so when the parent is hot-added too, the step waits until
// the parent's device_add() has put it in sysfs.
func (k *Kernel) GetRegisteredParent(parent DevID) bool {
	present := k.m.Top.Devices[parent].Present
	if k.op(OpGetDevice, parent, present || k.s.Dev[parent].Has(FlagInSysfs)) {
		return false
	}
	if !present {
		k.rdEnable(devObj(objDevReg, parent))
	}
	k.kref(parent, +1)
	return true
}

// PutDevice models put_device(dev) on a non-NULL dev. The last put frees
// the device (device_release()).
func (k *Kernel) PutDevice(dev DevID) bool {
	if k.op(OpPutDevice, dev, true) {
		return false
	}
	k.kref(dev, -1)
	return true
}

// GetParent models `parent = get_device(dev->parent)`: it reads the parent
// pointer and takes a reference on the parent, if there is one. The read is
// not a separate step: nobody else can tell it apart from the get.
func (k *Kernel) GetParent(dev DevID) (DevID, bool) {
	if k.op(OpGetParent, dev, true) {
		return NoDev, false
	}
	p := k.m.parent(dev)
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
	if k.op(OpDeviceLock, dev, k.s.Dev[dev].Lock == NoThread) {
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
	// The linearizability monitor reads whether any device dev depends on,
	// directly or not, has returned from its own ->shutdown(); the order
	// monitor whether each device depending on dev is registered, alive and
	// has returned from its own.
	for _, a := range k.m.Top.AllDependencies(dev) {
		k.rd(devObj(objDevShutdown, a))
	}
	k.m.Top.Dependents(dev, func(c DevID) {
		k.rd(devObj(objDevShutdown, c))
		k.rd(devObj(objDevDead, c))
		k.rd(devObj(objDevReg, c))
	})
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
	// The order monitor reads whether dev's parent and suppliers have started.
	k.m.Top.Dependencies(dev, func(d DevID) { k.rd(devObj(objDevShutdown, d)) })
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
	p := k.m.parent(dev)
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
