package model

// v12: "shut down devices asynchronously" v12 (19 March 2026), patches 1-3:
// 1/5 "driver core: separate function to shutdown one device" (now first),
// 2/5 "driver core: do not always lock parent in shutdown", 3/5 "driver
// core: async device shutdown infrastructure". What changed from v11:
//   - 2/5 splits __shutdown_one_device() (device_lock(dev), the callbacks,
//     complete_all(), device_unlock(dev): v14's) out of
//     shutdown_one_device(), which tests the parent condition once:
//     `if (dev->parent && dev->bus && dev->bus->need_parent_lock) {
//     device_lock(dev->parent); __shutdown_one_device(dev);
//     device_unlock(dev->parent); } else __shutdown_one_device(dev);`
//     But device_unlock(dev->parent) reads dev->parent again, after a call,
//     and without testing it: a step of its own here;
//   - it still ends with `put_device(dev->parent); put_device(dev);`, and
//     the main loop (`get_device(dev->parent);`, the variable gone) and the
//     early pass still take the parent reference that put drops, as in
//     v11.
// Without a concurrent device_move() v12 does what v11 does, step for step;
// they differ only when dev->parent changes between the reads.

var (
	fnV12ShutdownOneDevice = DefineFunc("shutdown_one_device", v12ShutdownOneDevice)

	v12 = newCompletions(func(c *completions) {
		c.parentRef = true
		c.earlyPass = DefineFunc("early_async_shutdown_devices", c.earlyAsyncShutdownDevicesStep)
		c.shutdownDeviceAsync = DefineFunc("shutdown_device_async", c.shutdownDeviceAsyncStep)
		c.shutdownOneDevice = fnV12ShutdownOneDevice
	})
	_ = register(&Variant{
		Name:    "v12",
		Number:  12,
		Summary: "19 Mar 2026: v11 with the parent condition tested once (device_unlock(dev->parent) still reads it again), parent references still from the main loop and early pass",
		Main:    v12.deviceShutdown,
	})
)

// shutdown_one_device(dev) of v12 2/5. Frame: Cur = the dev->parent just
// read.
func v12ShutdownOneDevice(k *Kernel, f *Frame) {
	const (
		check = iota
		readLock
		lockParent
		lockedShutdown
		readUnlock
		unlockParent
		plainShutdown
		readPut
		putParent
		put
	)
	switch f.PC {
	case check: // if (dev->parent && dev->bus && dev->bus->need_parent_lock) {
		f.PC = plainShutdown
		if k.Topology().Devices[f.Dev].NeedParentLock {
			f.PC = readLock
		}
	case readLock:
		if p, ok := k.ReadParent(f.Dev); ok {
			f.Cur, f.PC = p, lockParent
			if p == NoDev {
				f.PC = plainShutdown
			}
		}
	case lockParent: // device_lock(dev->parent);
		if k.DeviceLock(f.Cur) {
			f.PC = lockedShutdown
		}
	case lockedShutdown: // __shutdown_one_device(dev);
		k.Call(f, readUnlock, fnV14ShutdownOneDeviceLocked, f.Dev)
	case readUnlock: // device_unlock(dev->parent);
		// Read again, untested: NULL once a device_move() took the parent
		// away, and device_unlock(NULL) dereferences it.
		if p, ok := k.ReadParent(f.Dev); ok {
			f.Cur, f.PC = p, unlockParent
		}
	case unlockParent:
		if k.DeviceUnlock(f.Cur) {
			f.PC = readPut
		}
	case plainShutdown: // } else { __shutdown_one_device(dev); }
		k.Call(f, readPut, fnV14ShutdownOneDeviceLocked, f.Dev)
	case readPut: // put_device(dev->parent);
		if p, ok := k.ReadParent(f.Dev); ok {
			f.Cur, f.PC = p, putParent
			if p == NoDev { // put_device(NULL) does nothing
				f.PC = put
			}
		}
	case putParent:
		if k.PutDevice(f.Cur) {
			f.PC = put
		}
	case put: // put_device(dev);
		if k.PutDevice(f.Dev) {
			k.Return(0)
		}
	}
}
