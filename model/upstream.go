package model

// upstream: device_shutdown() before the series (docs/VERSIONS.md §3). One
// thread walks devices_kset->list from the tail and shuts each device down
// under its parent's lock. Only the list order orders the shutdowns.

var _ = register(&Variant{
	Name:    "upstream",
	Number:  0,
	Summary: "device_shutdown() before the series: one synchronous loop",
	Main:    DefineFunc("device_shutdown", upstreamDeviceShutdown),
})

// device_shutdown(). Frame: Dev = dev, Cur = parent.
func upstreamDeviceShutdown(k *Kernel, f *Frame) {
	const (
		lock = iota
		tail
		getParent
		get
		del
		unlock
		lockParent
		lockDev
		shutdown
		shutdownEnd
		unlockDev
		unlockParent
		putDev
		putParent
		unlockEnd
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
			f.PC = lockParent
		}
	case lockParent: // if (parent) device_lock(parent);
		if f.Cur == NoDev {
			f.PC = lockDev
		} else if k.DeviceLock(f.Cur) {
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
			f.PC = unlockParent
		}
	case unlockParent: // if (parent) device_unlock(parent);
		if f.Cur == NoDev {
			f.PC = putDev
		} else if k.DeviceUnlock(f.Cur) {
			f.PC = putDev
		}
	case putDev: // put_device(dev);
		if k.PutDevice(f.Dev) {
			f.PC = putParent
		}
	case putParent: // put_device(parent); spin_lock(&devices_kset->list_lock);
		if f.Cur == NoDev {
			f.PC = lock
		} else if k.PutDevice(f.Cur) {
			f.PC = lock
		}
	case unlockEnd: // spin_unlock(&devices_kset->list_lock);
		if k.SpinUnlockList() {
			k.Return(0)
		}
	}
}
