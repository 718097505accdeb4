package model

// v11: "shut down devices asynchronously" v11 (11 March 2026), patches 1-3:
// 1/5 "driver core: do not always lock parent in shutdown", 2/5 "driver
// core: separate function to shutdown one device", 3/5 "driver core: async
// device shutdown infrastructure". The first version of the completion
// design: v14's main loop, early pass, handler and waits (v14.go), with the
// parent handled the way upstream's loop did before the series:
//   - the main loop still takes `parent = get_device(dev->parent);` before
//     get_device(dev) under list_lock (2/5 left the variable unused), and the
//     early pass `get_device(dev->parent); get_device(dev);`; on a failed
//     queueing it drops both after the walk,
//     `put_device(needs_put->parent); put_device(needs_put);`;
//   - shutdown_one_device() tests `dev->parent && dev->bus &&
//     dev->bus->need_parent_lock` twice, once to lock the parent and once,
//     after device_unlock(dev), to unlock it, and ends with
//     `put_device(dev->parent); put_device(dev);`, reading dev->parent a
//     third time.
// Each read of dev->parent after a function call is a step of its own
// (a concurrent device_move() can change the pointer between them); a
// condition and the call that uses the pointer it tested read it once (the
// compiler may not reload it in between: nothing is called there). For a
// device whose bus does not need the parent lock the condition is false
// whatever dev->parent is, and its read is left out. complete_all() comes
// after the callbacks and before device_unlock(dev) and the parent's
// unlock, where it stays in every later version.

var (
	fnV11ShutdownOneDevice = DefineFunc("shutdown_one_device", v11ShutdownOneDevice)

	v11 = newCompletions(func(c *completions) {
		c.parentRef = true
		c.earlyPass = DefineFunc("early_async_shutdown_devices", c.earlyAsyncShutdownDevicesStep)
		c.shutdownDeviceAsync = DefineFunc("shutdown_device_async", c.shutdownDeviceAsyncStep)
		c.shutdownOneDevice = fnV11ShutdownOneDevice
	})
	_ = register(&Variant{
		Name:    "v11",
		Number:  11,
		Summary: "11 Mar 2026: per-device completions; parent references from the main loop and early pass, put_device(dev->parent) at the end, parent condition tested twice",
		Main:    v11.deviceShutdown,
	})
)

// shutdown_one_device(dev) of v11 2/5 and 3/5. Frame: Cur = the dev->parent
// just read.
func v11ShutdownOneDevice(k *Kernel, f *Frame) {
	const (
		check = iota
		readLock
		lockParent
		lockDev
		shutdown
		shutdownEnd
		complete
		unlockDev
		checkAgain
		readUnlock
		unlockParent
		readPut
		putParent
		put
	)
	npl := k.Topology().Devices[f.Dev].NeedParentLock // dev->bus && dev->bus->need_parent_lock
	switch f.PC {
	case check: // if (dev->parent && dev->bus && dev->bus->need_parent_lock)
		f.PC = lockDev
		if npl {
			f.PC = readLock
		}
	case readLock:
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
			f.PC = complete
		}
	case complete: // complete_all(&dev->p->complete);
		if k.CompleteAll(f.Dev) {
			f.PC = unlockDev
		}
	case unlockDev: // device_unlock(dev);
		if k.DeviceUnlock(f.Dev) {
			f.PC = checkAgain
		}
	case checkAgain: // if (dev->parent && dev->bus && dev->bus->need_parent_lock)
		f.PC = readPut
		if npl {
			f.PC = readUnlock
		}
	case readUnlock:
		if p, ok := k.ReadParent(f.Dev); ok {
			f.Cur, f.PC = p, unlockParent
			if p == NoDev {
				f.PC = readPut
			}
		}
	case unlockParent: //	device_unlock(dev->parent);
		if k.DeviceUnlock(f.Cur) {
			f.PC = readPut
		}
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
