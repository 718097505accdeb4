package model

// v10: "shut down devices asynchronously" v10 (25 June 2025), patches 1-4
// (docs/VERSIONS.md §7). v9's cookies in sd_domain, but only an async device
// gets an entry of its own: the main loop strings the sync devices between
// two async ones on a list (synclist) through dev->p->shutdown.next, and
// queues the list as one entry when an async device comes, when the last
// sync device is a child or consumer of an async one, i.e. has an async
// parent or non-sync_state_only supplier that must wait for it
// (is_async_shutdown_dependency()), or after the loop. That entry waits on
// its own cookie, then shuts its devices down in list order.
// device_set_async_cookie() writes the new cookie into shutdown.after of the
// async parent and async non-sync_state_only suppliers only; an async
// handler waits on min(after + 1, its own cookie), as in v9.
//
//   - 1/5 gives async_synchronize_cookie_domain() a custom wake function:
//     it changes which waiters are woken, not which go on (see
//     AsyncSynchronizeCookieDomain), so the model's wait is v9's.
//   - 2/5 and 3/5: shutdown_one_device() locks the parent only for a
//     need_parent_lock bus, and drops the references the main loop took at
//     the top (parent = get_device(dev->parent); get_device(dev);, kept
//     from upstream) with put_device(dev->parent) before put_device(dev).
//   - 4/5: union shutdown_private { struct device *next; async_cookie_t
//     after; } in dev->p: .next links a synclist, .after holds the cookie.
//     They share storage (DevState.After holds both, see nextWord). Only a
//     sync device's .next is written (syncend->p->shutdown.next) and read
//     to walk on, only an async device's .after is written (the test
//     device_wants_async_shutdown(parent or supplier)) and read: a device's
//     driver, hence its kind, does not change during shutdown in the model,
//     so neither member clobbers the other. Two things the model does show:
//     the handler reads .next of an async device too (the do/while reads it
//     before testing async) and drops the cookie it finds there; and the
//     last device of a synclist gets no .next write: the walk stops on the
//     NULL kzalloc() left in dev->p, or, on a device shut down once already
//     and put back on devices_kset (device_reorder_to_tail() of a hot-added
//     device's consumer), on the .next of its first synclist, and walks on
//     into devices of that older list.
//
// Choices where the code leaves a model choice:
//   - device_wants_async_shutdown() reads dev->driver->async_shutdown_enable,
//     the topology's async flag (as v8 and v9), with no step: the driver is
//     not unbound during shutdown in the model (device_del()'s
//     bus_remove_device() is not modeled).
//   - shutdown_one_device() reads dev->parent for the parent lock and
//     unlock only on a need_parent_lock bus (on another bus the test's
//     value changes nothing), one step for the test and the call, and once
//     more for `if (dev->parent) put_device(dev->parent)`.

var (
	fnV10DeviceSetAsyncCookie = DefineFunc("device_set_async_cookie", v10DeviceSetAsyncCookie)
	fnV10ShutdownDevicesAsync = DefineFunc("shutdown_devices_async", v10ShutdownDevicesAsync)
	fnV10ShutdownOneDevice    = DefineFunc("shutdown_one_device", v10ShutdownOneDevice)

	_ = register(&Variant{
		Name:    "v10",
		Number:  10,
		Summary: "25 Jun 2025: v9's cookies, sync devices batched into one entry per run (synclist), custom async wake",
		Main:    DefineFunc("device_shutdown", v10DeviceShutdown),
	})
)

// device_shutdown(). Frame: Dev = dev, Cur = parent, Aux = synclist (-1:
// NULL, as a frame starts), Dev2 = syncend.
func v10DeviceShutdown(k *Kernel, f *Frame) {
	const (
		lock = iota
		tail
		getParent
		get
		del
		unlock
		getDev
		getParentAgain
		wants
		flushAsync
		flushedAsync
		scheduleAsync
		setAsyncCookie
		appendSync
		setNext
		isDependency
		isDependencyDone
		flushSync
		setSyncCookie
		putParent
		putDev
		unlockEnd
		flushEnd
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
		}
	case getDev: // get_device(dev);
		if k.GetDevice(f.Dev) {
			f.PC = getParentAgain
		}
	case getParentAgain: // get_device(parent);
		if f.Cur == NoDev {
			f.PC = wants
		} else if k.GetDevice(f.Cur) {
			f.PC = wants
		}
	case wants: // if (device_wants_async_shutdown(dev)) {
		f.PC = appendSync
		if k.Topology().Devices[f.Dev].Async {
			f.PC = flushAsync
		}
	case flushAsync: //	if (synclist) { async_schedule_domain(shutdown_devices_async, synclist, &sd_domain);
		f.PC = scheduleAsync
		if f.Aux >= 0 {
			k.CallAsyncScheduleDomain(f, flushedAsync, fnV10ShutdownDevicesAsync, DevID(f.Aux), DomainSD)
		}
	case flushedAsync: //		synclist = syncend = NULL; }
		f.Aux, f.Dev2, f.PC = -1, NoDev, scheduleAsync
	case scheduleAsync: //	cookie = async_schedule_domain(shutdown_devices_async, dev, &sd_domain);
		k.CallAsyncScheduleDomain(f, setAsyncCookie, fnV10ShutdownDevicesAsync, f.Dev, DomainSD)
	case setAsyncCookie: //	device_set_async_cookie(dev, cookie);
		k.Call(f, putParent, fnV10DeviceSetAsyncCookie, f.Dev).Aux = k.Ret()
	case appendSync: // } else { if (!synclist) { synclist = syncend = dev; }
		if f.Aux < 0 {
			f.Aux, f.Dev2, f.PC = int16(f.Dev), f.Dev, isDependency
		} else {
			f.PC = setNext
		}
	case setNext: // else { syncend->p->shutdown.next = dev; syncend = dev; }
		if k.SetShutdownNext(f.Dev2, f.Dev) {
			f.Dev2, f.PC = f.Dev, isDependency
		}
	case isDependency: // if (is_async_shutdown_dependency(dev)) {  (device_set_async_cookie(dev, 0))
		k.Call(f, isDependencyDone, fnV10DeviceSetAsyncCookie, f.Dev).Aux = 0
	case isDependencyDone:
		f.PC = putParent
		if k.Ret() != 0 {
			f.PC = flushSync
		}
	case flushSync: //	cookie = async_schedule_domain(shutdown_devices_async, synclist, &sd_domain);
		k.CallAsyncScheduleDomain(f, setSyncCookie, fnV10ShutdownDevicesAsync, DevID(f.Aux), DomainSD)
	case setSyncCookie: //	device_set_async_cookie(dev, cookie); synclist = syncend = NULL; } }
		f.Aux, f.Dev2 = -1, NoDev
		k.Call(f, putParent, fnV10DeviceSetAsyncCookie, f.Dev).Aux = k.Ret()
	case putParent: // put_device(parent);
		if f.Cur == NoDev {
			f.PC = putDev
		} else if k.PutDevice(f.Cur) {
			f.PC = putDev
		}
	case putDev: // put_device(dev); spin_lock(&devices_kset->list_lock);
		if k.PutDevice(f.Dev) {
			f.PC = lock
		}
	case unlockEnd: // spin_unlock(&devices_kset->list_lock);
		if k.SpinUnlockList() {
			f.PC = flushEnd
		}
	case flushEnd: // if (synclist) async_schedule_domain(shutdown_devices_async, synclist, &sd_domain);
		f.PC = syncFull
		if f.Aux >= 0 {
			k.CallAsyncScheduleDomain(f, syncFull, fnV10ShutdownDevicesAsync, DevID(f.Aux), DomainSD)
		}
	case syncFull: // async_synchronize_full_domain(&sd_domain);
		if k.AsyncSynchronizeFullDomain(DomainSD) {
			k.Return(0)
		}
	}
}

// device_set_async_cookie(dev, cookie), and is_async_shutdown_dependency(dev)
// with cookie 0: it returns whether dev has an async parent or async
// non-sync_state_only supplier, and writes cookie into their shutdown.after
// unless cookie is 0. Frame: Aux = cookie, Cur = parent, Dev2 = position in
// dev->links.suppliers, Flag = ret.
func v10DeviceSetAsyncCookie(k *Kernel, f *Frame) {
	const (
		readParent = iota
		setParent
		linksLock
		nextSupplier
		setSupplier
		linksUnlock
	)
	switch f.PC {
	case readParent: // struct device *parent = dev->parent;
		if p, ok := k.ReadParent(f.Dev); ok {
			f.Cur, f.PC = p, linksLock
			// if (parent && device_wants_async_shutdown(parent)) { ret = true;
			if p != NoDev && k.Topology().Devices[p].Async {
				f.Flag, f.PC = true, setParent
				if f.Aux == 0 { // else goto done;
					k.Return(1)
				}
			}
		}
	case setParent: //	if (cookie) parent->p->shutdown.after = cookie;
		if k.SetShutdownAfter(f.Cur, f.Aux) {
			f.PC = linksLock
		}
	case linksLock: // idx = device_links_read_lock();
		if k.DeviceLinksReadLock() {
			f.Dev2, f.PC = -1, nextSupplier
		}
	case nextSupplier: // list_for_each_entry_rcu(link, &dev->links.suppliers, c_node, ...)
		if pos, ok := k.NextSupplierLink(f.Dev, int16(f.Dev2)); ok {
			f.Dev2 = DevID(pos)
			if pos < 0 {
				f.PC = linksUnlock
				return
			}
			// if (!device_link_flag_is_sync_state_only(link->flags)
			//     && device_wants_async_shutdown(link->supplier)) { ret = true;
			if l := k.SupplierLink(f.Dev, pos); !l.SyncStateOnly && k.Topology().Devices[l.Supplier].Async {
				f.Flag, f.PC = true, setSupplier
				if f.Aux == 0 { // else break;
					f.PC = linksUnlock
				}
			}
		}
	case setSupplier: //	if (cookie) link->supplier->p->shutdown.after = cookie;
		if k.SetShutdownAfter(k.SupplierLink(f.Dev, int16(f.Dev2)).Supplier, f.Aux) {
			f.PC = nextSupplier
		}
	case linksUnlock: // device_links_read_unlock(idx); done: return ret;
		if k.DeviceLinksReadUnlock() {
			k.Return(boolVal(f.Flag))
		}
	}
}

// shutdown_devices_async(data = dev or synclist, cookie). Frame: Dev = dev
// (the walk's position), Aux = cookie, Dev2 = wait, Cur = next,
// Flag = async.
func v10ShutdownDevicesAsync(k *Kernel, f *Frame) {
	const (
		check = iota
		readAfter
		wait
		readNext
		shutdown
		advance
	)
	switch f.PC {
	case check: // async_cookie_t wait = cookie; bool async = device_wants_async_shutdown(dev); if (async) {
		f.Flag = k.Topology().Devices[f.Dev].Async
		f.Dev2, f.PC = DevID(f.Aux), wait
		if f.Flag {
			f.PC = readAfter
		}
	case readAfter: // wait = dev->p->shutdown.after + 1; if (wait > cookie) { wait = cookie; dev_warn(...); } }
		if after, ok := k.ReadShutdownAfter(f.Dev); ok {
			f.Dev2, f.PC = DevID(min(after+1, f.Aux)), wait
		}
	case wait: // async_synchronize_cookie_domain(wait, &sd_domain);
		if k.AsyncSynchronizeCookieDomain(int16(f.Dev2), DomainSD) {
			f.PC = readNext
		}
	case readNext: // do { next = dev->p->shutdown.next;
		if next, ptr, ok := k.ReadShutdownNext(f.Dev); ok {
			if !ptr && !f.Flag {
				// Unreachable (see the file's comment): a sync device's
				// word is only ever written through .next.
				panic("model: v10 would walk a synclist through a cookie")
			}
			f.Cur, f.PC = next, shutdown
		}
	case shutdown: //	shutdown_one_device(dev);
		k.Call(f, advance, fnV10ShutdownOneDevice, f.Dev)
	case advance: //	dev = next; } while (!async && dev);
		f.Dev, f.PC = f.Cur, readNext
		if f.Flag || f.Dev == NoDev {
			k.Return(0)
		}
	}
}

// shutdown_one_device(dev) of v10 3/5. Frame: Cur = dev->parent as read.
func v10ShutdownOneDevice(k *Kernel, f *Frame) {
	const (
		check = iota
		readParentLock
		lockParent
		lockDev
		shutdown
		shutdownEnd
		unlockDev
		readParentUnlock
		unlockParent
		readParentPut
		putParent
		put
	)
	parentLock := k.Topology().Devices[f.Dev].NeedParentLock
	switch f.PC {
	case check: // if (dev->parent && dev->bus && dev->bus->need_parent_lock)
		f.PC = lockDev
		if parentLock {
			f.PC = readParentLock
		}
	case readParentLock:
		if p, ok := k.ReadParent(f.Dev); ok {
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
			f.PC = readParentPut
			if parentLock {
				f.PC = readParentUnlock
			}
		}
	case readParentUnlock: // if (dev->parent && dev->bus && dev->bus->need_parent_lock)
		if p, ok := k.ReadParent(f.Dev); ok {
			f.Cur, f.PC = p, unlockParent
			if p == NoDev {
				f.PC = readParentPut
			}
		}
	case unlockParent: //	device_unlock(dev->parent);
		if k.DeviceUnlock(f.Cur) {
			f.PC = readParentPut
		}
	case readParentPut: // if (dev->parent)
		if p, ok := k.ReadParent(f.Dev); ok {
			f.Cur, f.PC = p, putParent
			if p == NoDev {
				f.PC = put
			}
		}
	case putParent: //	put_device(dev->parent);
		if k.PutDevice(f.Cur) {
			f.PC = put
		}
	case put: // put_device(dev);
		if k.PutDevice(f.Dev) {
			k.Return(0)
		}
	}
}
