package model

// v14: "shut down devices asynchronously" v14 (20 April 2026), patches 1-3
// (docs/VERSIONS.md §8, §12). Devices flagged async are queued by an early pass over
// devices_kset->list (under list_lock) and by the main loop; each async
// handler waits for the device's children and non-sync_state_only consumers
// (per-device completions), the synchronous main loop only for async ones.
// Only a need_parent_lock bus takes the parent's lock and a reference on it.
//
// This file also holds what every version of this completion-based design
// (v11-v18) shares: the main loop, the handler and the waits. Another
// version (v11.go, v12.go, v17.go, v18.go) defines only the functions it
// changed; v13, v15 and v16 run this file's algorithm unchanged.

// completions is one version of the completion-based design: the functions
// it calls that differ from version to version.
type completions struct {
	deviceShutdown       FuncID
	earlyPass            FuncID // early_async_shutdown_devices() / start_async_shutdown_devices()
	shutdownDeviceAsync  FuncID
	asyncShutdownHandler FuncID
	shutdownOneDevice    FuncID
	// parentRef: the main loop and the early pass take a reference on the
	// parent before the device's own (get_device(dev->parent);
	// get_device(dev); under list_lock), and shutdown_one_device() drops
	// it with put_device(dev->parent) (v11, v12; v13 on take one only
	// with the parent's lock).
	parentRef bool
}

var (
	fnWaitForShutdownDependencies = DefineFunc("wait_for_shutdown_dependencies", waitForShutdownDependencies)
	fnWaitForDeviceShutdown       = DefineFunc("wait_for_device_shutdown", waitForDeviceShutdown)
	fnV14ShutdownOneDeviceLocked  = DefineFunc("__shutdown_one_device", v14ShutdownOneDeviceLocked)
	fnV14ShutdownOneDevice        = DefineFunc("shutdown_one_device", v14ShutdownOneDevice)

	v14 = newCompletions(func(c *completions) {
		c.earlyPass = DefineFunc("early_async_shutdown_devices", c.earlyAsyncShutdownDevicesStep)
		c.shutdownDeviceAsync = DefineFunc("shutdown_device_async", c.shutdownDeviceAsyncStep)
		c.shutdownOneDevice = fnV14ShutdownOneDevice
	})
	_ = register(&Variant{
		Name:    "v14",
		Number:  14,
		Summary: "20 Apr 2026: per-device completions, early async pass under list_lock",
		Main:    v14.deviceShutdown,
	})
)

// newCompletions returns a version of the completion-based design: set
// defines the functions that differ between versions (the early pass,
// shutdown_device_async(), shutdown_one_device()); the handler and the main
// loop are the shared ones, calling those.
func newCompletions(set func(c *completions)) *completions {
	c := &completions{}
	set(c)
	c.asyncShutdownHandler = DefineFunc("async_shutdown_handler", c.asyncShutdownHandlerStep)
	c.deviceShutdown = DefineFunc("device_shutdown", c.deviceShutdownStep)
	return c
}

// device_shutdown(). Frame: Dev = dev.
func (c *completions) deviceShutdownStep(k *Kernel, f *Frame) {
	const (
		early = iota
		lock
		tail
		get
		del
		unlock
		wants
		async
		asyncDone
		syncWait
		syncShutdown
		unlockEnd
		syncFull
		getParent
	)
	switch f.PC {
	case early: // early_async_shutdown_devices();
		k.Call(f, lock, c.earlyPass, NoDev)
	case lock: // spin_lock(&devices_kset->list_lock);
		if k.SpinLockList() {
			f.PC = tail
		}
	case tail: // while (!list_empty(&devices_kset->list)) { dev = list_entry(devices_kset->list.prev, ...);
		if dev, ok := k.ListLast(); ok {
			f.Dev, f.PC = dev, get
			switch {
			case dev == NoDev:
				f.PC = unlockEnd
			case c.parentRef:
				f.PC = getParent
			}
		}
	case getParent: // [v11, v12] get_device(dev->parent); (v11: parent = ..., unused)
		if _, ok := k.GetParent(f.Dev); ok {
			f.PC = get
		}
	case get: // get_device(dev);
		if k.GetDevice(f.Dev) {
			f.PC = del
		}
	case del: // list_del_init(&dev->kobj.entry);
		if k.ListDelInit(f.Dev) {
			f.PC = unlock
		}
	case unlock: // spin_unlock(&devices_kset->list_lock);
		if k.SpinUnlockList() {
			f.PC = wants
		}
	case wants: // if (!wants_async_shutdown(dev) || ...
		if w, ok := k.WantsAsyncShutdown(f.Dev); ok {
			f.PC = syncWait
			if w {
				f.PC = async
			}
		}
	case async: // ... || !shutdown_device_async(dev)) {
		k.Call(f, asyncDone, c.shutdownDeviceAsync, f.Dev)
	case asyncDone:
		f.PC = lock
		if k.Ret() == 0 {
			f.PC = syncWait
		}
	case syncWait: // wait_for_shutdown_dependencies(dev, false);
		k.Call(f, syncShutdown, fnWaitForShutdownDependencies, f.Dev).Flag = false
	case syncShutdown: // shutdown_one_device(dev); } spin_lock(&devices_kset->list_lock);
		k.Call(f, lock, c.shutdownOneDevice, f.Dev)
	case unlockEnd: // spin_unlock(&devices_kset->list_lock);
		if k.SpinUnlockList() {
			f.PC = syncFull
		}
	case syncFull: // async_synchronize_full();
		if k.AsyncSynchronizeFull() {
			k.Return(0)
		}
	}
}

// async_shutdown_handler(data = dev, cookie).
func (c *completions) asyncShutdownHandlerStep(k *Kernel, f *Frame) {
	switch f.PC {
	case 0: // wait_for_shutdown_dependencies(dev, true);
		k.Call(f, 1, fnWaitForShutdownDependencies, f.Dev).Flag = true
	case 1: // shutdown_one_device(dev);
		k.Call(f, 2, c.shutdownOneDevice, f.Dev)
	case 2:
		k.Return(0)
	}
}

// early_async_shutdown_devices(). Frame: Dev = dev (the walk's position),
// Cur = next, Aux = needs_put, Dev2 = needs_put->parent (v11, v12).
func (c *completions) earlyAsyncShutdownDevicesStep(k *Kernel, f *Frame) {
	const (
		param = iota
		lock
		first
		firstNext
		wants
		get
		async
		asyncDone
		del
		advance
		advanceNext
		unlock
		put
		getParent
		readParent
		putParent
	)
	switch f.PC {
	case param: // if (!async_shutdown) return;
		if on, ok := k.ReadAsyncShutdown(); ok {
			f.PC = lock
			if !on {
				k.Return(0)
			}
		}
	case lock: // spin_lock(&devices_kset->list_lock);
		if k.SpinLockList() {
			f.PC = first
		}
	case first: // list_for_each_entry_safe_reverse(dev, next, &devices_kset->list, kobj.entry): dev = last entry
		if dev, ok := k.ListLast(); ok {
			f.Dev, f.PC = dev, firstNext
			if dev == NoDev {
				f.PC = unlock
			}
		}
	case firstNext: // next = list_prev_entry(dev)
		if next, ok := k.ListPrev(f.Dev); ok {
			f.Cur, f.PC = next, wants
		}
	case wants: // if (wants_async_shutdown(dev)) {
		if w, ok := k.WantsAsyncShutdown(f.Dev); ok {
			switch {
			case !w:
				f.PC = advance
			case c.parentRef:
				f.PC = getParent
			default:
				f.PC = get
			}
		}
	case getParent: // [v11, v12] get_device(dev->parent);
		if _, ok := k.GetParent(f.Dev); ok {
			f.PC = get
		}
	case get: // get_device(dev);
		if k.GetDevice(f.Dev) {
			f.PC = async
		}
	case async: // if (shutdown_device_async(dev))
		k.Call(f, asyncDone, c.shutdownDeviceAsync, f.Dev)
	case asyncDone:
		f.PC = del
		if k.Ret() == 0 { // else { needs_put = dev; break; }
			f.Aux, f.PC = int16(f.Dev), unlock
		}
	case del: // list_del_init(&dev->kobj.entry);
		if k.ListDelInit(f.Dev) {
			f.PC = advance
		}
	case advance: // dev = next; loop while dev is not the list head
		f.Dev, f.PC = f.Cur, advanceNext
		if f.Dev == NoDev {
			f.PC = unlock
		}
	case advanceNext: // next = list_prev_entry(next)
		if next, ok := k.ListPrev(f.Dev); ok {
			f.Cur, f.PC = next, wants
		}
	case unlock: // spin_unlock(&devices_kset->list_lock);
		if k.SpinUnlockList() {
			f.PC = put
			if f.Aux >= 0 && c.parentRef {
				f.PC = readParent
			}
		}
	case readParent: // [v11, v12] if (needs_put) { put_device(needs_put->parent);
		if p, ok := k.ReadParent(DevID(f.Aux)); ok {
			f.Dev2, f.PC = p, putParent
			if p == NoDev { // put_device(NULL) does nothing
				f.PC = put
			}
		}
	case putParent:
		if k.PutDevice(f.Dev2) {
			f.PC = put
		}
	case put: // if (needs_put) put_device(needs_put);
		if f.Aux < 0 {
			k.Return(0)
		} else if k.PutDevice(DevID(f.Aux)) {
			k.Return(0)
		}
	}
}

// shutdown_device_async(dev): returns 1 when the entry was queued.
func (c *completions) shutdownDeviceAsyncStep(k *Kernel, f *Frame) {
	// if (async_schedule_dev_nocall(async_shutdown_handler, dev)) return true; return false;
	if queued, ok := k.AsyncScheduleDevNocall(c.asyncShutdownHandler, f.Dev); ok {
		k.Return(boolVal(queued))
	}
}

// wait_for_shutdown_dependencies(dev, async). Frame: Flag = async,
// Aux = position in dev->links.consumers.
func waitForShutdownDependencies(k *Kernel, f *Frame) {
	const (
		children = iota
		readLock
		nextLink
		readUnlock
	)
	switch f.PC {
	case children: // device_for_each_child(dev, &async, wait_for_device_shutdown);
		k.CallDeviceForEachChild(f, readLock, f.Dev, f.Flag, fnWaitForDeviceShutdown)
	case readLock: // idx = device_links_read_lock();
		if k.DeviceLinksReadLock() {
			f.Aux, f.PC = -1, nextLink
		}
	case nextLink: // dev_for_each_link_to_consumer(link, dev)
		if pos, ok := k.NextConsumerLink(f.Dev, f.Aux); ok {
			f.Aux = pos
			if pos < 0 {
				f.PC = readUnlock
				return
			}
			// if (!device_link_flag_is_sync_state_only(link->flags))
			if l := k.ConsumerLink(f.Dev, pos); !l.SyncStateOnly {
				//	wait_for_device_shutdown(link->consumer, &async);
				k.Call(f, nextLink, fnWaitForDeviceShutdown, l.Consumer).Flag = f.Flag
			}
		}
	case readUnlock: // device_links_read_unlock(idx);
		if k.DeviceLinksReadUnlock() {
			k.Return(0)
		}
	}
}

// wait_for_device_shutdown(dev, data = &async).
func waitForDeviceShutdown(k *Kernel, f *Frame) {
	const (
		check = iota
		wants
		wait
	)
	switch f.PC {
	case check: // if (async || wants_async_shutdown(dev))
		f.PC = wants
		if f.Flag {
			f.PC = wait
		}
	case wants:
		if w, ok := k.WantsAsyncShutdown(f.Dev); ok {
			f.PC = wait
			if !w {
				k.Return(0)
			}
		}
	case wait: // wait_for_completion(&dev->p->complete);
		if k.WaitForCompletion(f.Dev) {
			k.Return(0)
		}
	}
}

// shutdown_one_device(dev). Frame: Cur = parent.
func v14ShutdownOneDevice(k *Kernel, f *Frame) {
	const (
		check = iota
		getParent
		lockParent
		lockedShutdown
		unlockParent
		putParent
		plainShutdown
		put
	)
	switch f.PC {
	case check: // if (dev->bus && dev->bus->need_parent_lock &&
		f.PC = plainShutdown
		if k.Topology().Devices[f.Dev].NeedParentLock {
			f.PC = getParent
		}
	case getParent: //     (parent = get_device(dev->parent))) {
		if p, ok := k.GetParent(f.Dev); ok {
			f.Cur, f.PC = p, lockParent
			if p == NoDev {
				f.PC = plainShutdown
			}
		}
	case lockParent: // device_lock(parent);
		if k.DeviceLock(f.Cur) {
			f.PC = lockedShutdown
		}
	case lockedShutdown: // __shutdown_one_device(dev);
		k.Call(f, unlockParent, fnV14ShutdownOneDeviceLocked, f.Dev)
	case unlockParent: // device_unlock(parent);
		if k.DeviceUnlock(f.Cur) {
			f.PC = putParent
		}
	case putParent: // put_device(parent);
		if k.PutDevice(f.Cur) {
			f.PC = put
		}
	case plainShutdown: // } else { __shutdown_one_device(dev); }
		k.Call(f, put, fnV14ShutdownOneDeviceLocked, f.Dev)
	case put: // put_device(dev);
		if k.PutDevice(f.Dev) {
			k.Return(0)
		}
	}
}

// __shutdown_one_device(dev).
func v14ShutdownOneDeviceLocked(k *Kernel, f *Frame) {
	const (
		lock = iota
		shutdown
		shutdownEnd
		complete
		unlock
	)
	switch f.PC {
	case lock: // device_lock(dev);
		if k.DeviceLock(f.Dev) {
			f.PC = shutdown
		}
	case shutdown: // pm_runtime_get_noresume(dev); ...; dev->bus->shutdown(dev) or dev->driver->shutdown(dev);
		if k.ShutdownStart(f.Dev) {
			f.PC = shutdownEnd
		}
	case shutdownEnd:
		if k.ShutdownEnd(f.Dev) {
			f.PC = complete
		}
	case complete: // complete_all(&dev->p->complete);
		if k.CompleteAll(f.Dev) {
			f.PC = unlock
		}
	case unlock: // device_unlock(dev);
		if k.DeviceUnlock(f.Dev) {
			k.Return(0)
		}
	}
}
