package model

// v4: "driver core: shut down devices asynchronously" v4 (21 Sep 2023), a
// single patch (docs/VERSIONS.md §4). Every device is shut down by an async
// entry, whatever its driver: there is no opt-in. The main loop takes each
// device off devices_kset as before and queues it in its parent's
// dev->p->child_domain (a root device in top_domain, on device_shutdown()'s
// stack); a handler first waits for every entry of its own child_domain,
// i.e. for the children queued so far, then shuts the device down under its
// parent's lock. At the end the main thread waits for top_domain only.
// Device links are not looked at (v5 added consumers).
//
// Both domains are exclusive (INIT_ASYNC_DOMAIN_EXCLUSIVE in
// device_private_init(), ASYNC_DOMAIN_EXCLUSIVE(top_domain)): their entries
// are not on async_global_pending, and nothing but the handler of a device
// waits for its children. A child queued after its parent's handler has
// passed that wait (a child after its parent in processing order) is waited
// for by nobody: its parent may go first (a misorder, not a hang: nobody
// waits for anything it holds), and device_shutdown() may return before it
// is shut down.
//
// Choices where the patch is an excerpt (its base.h and async.h hunks and
// the removed lines are not quoted):
//   - The main loop keeps only get_device(dev): the excerpt's removed lines
//     show parent = get_device(dev->parent) going, and nothing takes a
//     reference on the parent, so neither the main loop nor the handler
//     holds one while they use the parent.
//   - dev->parent is read when the loop computes the domain and twice in
//     the handler (around the locks); each read is a step of its own
//     (ReadParent), and `if (dev->parent) device_lock(dev->parent)` is one
//     read for the test and the call.
//   - The handler's list_del_init() under list_lock ("in the event that
//     dev->*->shutdown() doesn't remove it") is modeled, three steps.

var (
	fnV4ShutdownDevice = DefineFunc("shutdown_device", v4ShutdownDevice)

	_ = register(&Variant{
		Name:    "v4",
		Number:  4,
		Summary: "21 Sep 2023 (an excerpt): every device an async entry in its parent's exclusive child_domain",
		Main:    DefineFunc("device_shutdown", v4DeviceShutdown),
	})
)

// device_shutdown(). Frame: Dev = dev.
func v4DeviceShutdown(k *Kernel, f *Frame) {
	const (
		lock = iota
		tail
		get
		del
		unlock
		readParent
		unlockEnd
		syncTop
	)
	switch f.PC {
	case lock: // spin_lock(&devices_kset->list_lock);
		if k.SpinLockList() {
			f.PC = tail
		}
	case tail: // while (!list_empty(&devices_kset->list)) { dev = list_entry(devices_kset->list.prev, ...);
		if dev, ok := k.ListLast(); ok {
			f.Dev, f.PC = dev, get
			if dev == NoDev {
				f.PC = unlockEnd
			}
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
			f.PC = readParent
		}
	case readParent: // async_schedule_domain(shutdown_device, dev,
		//	dev->parent ? &dev->parent->p->child_domain : &top_domain);
		if p, ok := k.ReadParent(f.Dev); ok {
			dom := DomainTop
			if p != NoDev {
				dom = ChildDomain(p)
			}
			k.CallAsyncScheduleDomain(f, lock, fnV4ShutdownDevice, f.Dev, dom) // then spin_lock(&devices_kset->list_lock);
		}
	case unlockEnd: // spin_unlock(&devices_kset->list_lock);
		if k.SpinUnlockList() {
			f.PC = syncTop
		}
	case syncTop: // async_synchronize_full_domain(&top_domain);
		if k.AsyncSynchronizeFullDomain(DomainTop) {
			k.Return(0)
		}
	}
}

// shutdown_device(data = dev, cookie). Frame: Cur = dev->parent as read.
func v4ShutdownDevice(k *Kernel, f *Frame) {
	const (
		wait = iota
		lock
		del
		unlock
		readParent
		lockParent
		lockDev
		shutdown
		shutdownEnd
		unlockDev
		readParentAgain
		unlockParent
		put
	)
	switch f.PC {
	case wait: // async_synchronize_full_domain(&dev->p->child_domain);
		if k.AsyncSynchronizeFullDomain(ChildDomain(f.Dev)) {
			f.PC = lock
		}
	case lock: // spin_lock(&devices_kset->list_lock);
		if k.SpinLockList() {
			f.PC = del
		}
	case del: // list_del_init(&dev->kobj.entry);
		if k.ListDelInit(f.Dev) {
			f.PC = unlock
		}
	case unlock: // spin_unlock(&devices_kset->list_lock);
		if k.SpinUnlockList() {
			f.PC = readParent
		}
	case readParent: // if (dev->parent)
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
			f.PC = readParentAgain
		}
	case readParentAgain: // if (dev->parent)
		if p, ok := k.ReadParent(f.Dev); ok {
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
			k.Return(0)
		}
	}
}
