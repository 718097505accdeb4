package model

// v8: "shut down devices asynchronously" v8 (22 Aug 2024), patches 1-3
// (docs/VERSIONS.md §5). Every device is an entry of one async domain
// (sd_domain); the order comes from cookies: as the main loop queues a
// device, it writes the new cookie into its parent's and every supplier's
// dev->p->shutdown_after, and a handler waits with
// async_synchronize_cookie_domain(shutdown_after + 1) until every entry up to
// that cookie is done. A device whose driver did not enable async shutdown
// waits for the device queued before it. Correct only when devices_kset
// lists every child and consumer after its parent and suppliers. sd_domain
// is static ASYNC_DOMAIN(sd_domain), registered, and holds every entry
// there is: its waits see what async_synchronize_full() would.
//
// This file also holds what v9 shares: the main loop (with the two
// differences as flags) and shutdown_one_device().

// cookies is one version of the cookie-based design (v5-v9).
type cookies struct {
	deviceShutdown FuncID
	handler        FuncID // shutdown_one_device_async()
	// syncAfter: a sync device's shutdown_after is the previous device's
	// cookie (v8; v9's handler waits on its own cookie instead).
	syncAfter bool
	// skipSyncStateOnly: sync_state_only links do not order their supplier (v9).
	skipSyncStateOnly bool
}

var (
	fnV8ShutdownOneDevice = DefineFunc("shutdown_one_device", v8ShutdownOneDevice)

	v8 = newCookies(&cookies{syncAfter: true}, v8ShutdownOneDeviceAsync)
	_  = register(&Variant{
		Name:    "v8",
		Number:  8,
		Summary: "22 Aug 2024: every device an async entry, ordered by shutdown_after cookies",
		Main:    v8.deviceShutdown,
	})
)

// newCookies defines the functions of a version of the cookie design c:
// its handler, shutdown_one_device_async(), and the shared main loop.
func newCookies(c *cookies, handler StepFunc) *cookies {
	c.handler = DefineFunc("shutdown_one_device_async", handler)
	c.deviceShutdown = DefineFunc("device_shutdown", c.deviceShutdownStep)
	return c
}

// device_shutdown(). Frame: Dev = dev, Cur = parent, Aux = cookie,
// Dev2 = position in dev->links.suppliers.
func (c *cookies) deviceShutdownStep(k *Kernel, f *Frame) {
	const (
		lock = iota
		tail
		getParent
		get
		del
		unlock
		setSyncAfter
		getDev
		getParentAgain
		schedule
		scheduled
		setParentAfter
		putParent
		linksLock
		nextSupplier
		setSupplierAfter
		linksUnlock
		putDev
		unlockEnd
		syncFull
	)
	switch f.PC {
	case lock: // spin_lock(&devices_kset->list_lock);
		if k.SpinLockList() {
			f.PC = tail
		}
	case tail: // while (!list_empty(&devices_kset->list)) { dev = list_entry(devices_kset->list.prev, ...);
		if dev, ok := k.ListLast(); ok {
			f.Dev, f.PC = dev, getParent
			if dev == NoDev {
				f.PC = unlockEnd
			}
		}
	case getParent: // parent = get_device(dev->parent);
		if p, ok := k.GetParent(f.Dev); ok {
			f.Cur, f.PC = p, get
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
			f.PC = getDev
			if f.Aux < 0 {
				f.Aux = 0 // async_cookie_t cookie = 0;
			}
			// if (!dev->driver || !dev->driver->async_shutdown_enable)
			if c.syncAfter && !k.Topology().Devices[f.Dev].Async {
				f.PC = setSyncAfter
			}
		}
	case setSyncAfter: //	dev->p->shutdown_after = cookie;
		if k.SetShutdownAfter(f.Dev, f.Aux) {
			f.PC = getDev
		}
	case getDev: // get_device(dev);
		if k.GetDevice(f.Dev) {
			f.PC = getParentAgain
		}
	case getParentAgain: // get_device(parent);
		if f.Cur == NoDev {
			f.PC = schedule
		} else if k.GetDevice(f.Cur) {
			f.PC = schedule
		}
	case schedule: // cookie = async_schedule_domain(shutdown_one_device_async, dev, &sd_domain);
		k.CallAsyncScheduleDomain(f, scheduled, c.handler, f.Dev, DomainSD)
	case scheduled:
		f.Aux, f.PC = k.Ret(), linksLock
		if f.Cur != NoDev {
			f.PC = setParentAfter
		}
	case setParentAfter: // if (parent) { parent->p->shutdown_after = cookie;
		if k.SetShutdownAfter(f.Cur, f.Aux) {
			f.PC = putParent
		}
	case putParent: //	put_device(parent); }
		if k.PutDevice(f.Cur) {
			f.PC = linksLock
		}
	case linksLock: // idx = device_links_read_lock();
		if k.DeviceLinksReadLock() {
			f.Dev2, f.PC = -1, nextSupplier
		}
	case nextSupplier: // list_for_each_entry_rcu(link, &dev->links.suppliers, c_node, ...)
		if pos, ok := k.NextSupplierLink(f.Dev, int16(f.Dev2)); ok {
			f.Dev2, f.PC = DevID(pos), setSupplierAfter
			switch {
			case pos < 0:
				f.PC = linksUnlock
			case c.skipSyncStateOnly && k.SupplierLink(f.Dev, pos).SyncStateOnly:
				f.PC = nextSupplier // [v9] if (!device_link_flag_is_sync_state_only(link->flags))
			}
		}
	case setSupplierAfter: // link->supplier->p->shutdown_after = cookie;
		if k.SetShutdownAfter(k.SupplierLink(f.Dev, int16(f.Dev2)).Supplier, f.Aux) {
			f.PC = nextSupplier
		}
	case linksUnlock: // device_links_read_unlock(idx);
		if k.DeviceLinksReadUnlock() {
			f.PC = putDev
		}
	case putDev: // put_device(dev); spin_lock(&devices_kset->list_lock);
		if k.PutDevice(f.Dev) {
			f.PC = lock
		}
	case unlockEnd: // spin_unlock(&devices_kset->list_lock);
		if k.SpinUnlockList() {
			f.PC = syncFull
		}
	case syncFull: // async_synchronize_full_domain(&sd_domain);
		if k.AsyncSynchronizeFullDomain(DomainSD) {
			k.Return(0)
		}
	}
}

// shutdown_one_device_async(data = dev, cookie). Frame: Aux = cookie,
// Dev2 = the cookie waited for.
func v8ShutdownOneDeviceAsync(k *Kernel, f *Frame) {
	const (
		readAfter = iota
		wait
		shutdown
		done
	)
	switch f.PC {
	case readAfter: // async_synchronize_cookie_domain(dev->p->shutdown_after + 1, &sd_domain);
		if after, ok := k.ReadShutdownAfter(f.Dev); ok {
			f.Dev2, f.PC = DevID(after+1), wait
		}
	case wait:
		if k.AsyncSynchronizeCookieDomain(int16(f.Dev2), DomainSD) {
			f.PC = shutdown
		}
	case shutdown: // shutdown_one_device(dev);
		k.Call(f, done, fnV8ShutdownOneDevice, f.Dev)
	case done:
		k.Return(0)
	}
}

// shutdown_one_device(dev) of v8 2/4 (and v9 2/5). The references it drops
// are the ones the main loop took first: get_device(dev->parent) and
// get_device(dev). It loads dev->parent anew for the lock, the unlock and
// the put: a concurrent device_move() can make them differ. (The loads of
// a device without need_parent_lock change nothing, dev being referenced:
// they are left out.) Frame: Cur = the parent just loaded.
func v8ShutdownOneDevice(k *Kernel, f *Frame) {
	const (
		readLockParent = iota
		lockParent
		lockDev
		shutdown
		shutdownEnd
		unlockDev
		readUnlockParent
		unlockParent
		put
		readParent
		putParent
	)
	parentLock := k.Topology().Devices[f.Dev].NeedParentLock // dev->bus && dev->bus->need_parent_lock
	switch f.PC {
	case readLockParent: // if (dev->parent && dev->bus && dev->bus->need_parent_lock)
		if !parentLock {
			f.PC = lockDev
		} else if p, ok := k.ReadParent(f.Dev); ok {
			f.Cur, f.PC = p, lockParent
			if p == NoDev {
				f.PC = lockDev
			}
		}
	case lockParent: //	device_lock(dev->parent);
		if k.DeviceLock(f.Cur) {
			f.PC = lockDev
		}
	case lockDev: // device_lock(dev);
		if k.DeviceLock(f.Dev) {
			f.PC = shutdown
		}
	case shutdown: // pm_runtime_get_noresume(dev); ...; dev->bus->shutdown(dev) or dev->driver->shutdown(dev);
		if k.ShutdownStart(f.Dev) {
			f.PC = shutdownEnd
		}
	case shutdownEnd:
		if k.ShutdownEnd(f.Dev) {
			f.PC = unlockDev
		}
	case unlockDev: // device_unlock(dev);
		if k.DeviceUnlock(f.Dev) {
			f.PC = readUnlockParent
		}
	case readUnlockParent: // if (dev->parent && dev->bus && dev->bus->need_parent_lock)
		if !parentLock {
			f.PC = put
		} else if p, ok := k.ReadParent(f.Dev); ok {
			f.Cur, f.PC = p, unlockParent
			if p == NoDev {
				f.PC = put
			}
		}
	case unlockParent: //	device_unlock(dev->parent);
		if k.DeviceUnlock(f.Cur) {
			f.PC = put
		}
	case put: // put_device(dev);
		if k.PutDevice(f.Dev) {
			f.PC = readParent
		}
	case readParent: // if (dev->parent): dev may be gone by now
		if p, ok := k.ReadParent(f.Dev); ok {
			f.Cur, f.PC = p, putParent
			if p == NoDev {
				k.Return(0)
			}
		}
	case putParent: //	put_device(dev->parent);
		if k.PutDevice(f.Cur) {
			k.Return(0)
		}
	}
}
