package model

// v17: "shut down devices asynchronously" v17 (16 June 2026), patches 2-3
// (docs/VERSIONS.md §15). What changed from v14:
//   - kill_device() also calls complete_all(&dev->p->complete), so nobody
//     waits forever for a device that device_del() took away;
//   - __shutdown_one_device() skips a dead device, and shutdown_one_device()
//     takes device_lock(dev) first, re-locking parent then child for a
//     need_parent_lock bus;
//   - shutdown_device_async() clears the device's async flag when queueing
//     fails, so nobody waits for it as an async device;
//   - start_async_shutdown_devices() (was early_async_...) drops list_lock
//     around async_schedule_dev_nocall() (GFP_KERNEL is now fine), holds a
//     reference on the next device, restarts the walk when that device died
//     meanwhile, and after one failure clears the flag of every later async
//     device. It takes the device off devices_kset with list_del_init()
//     without list_lock.
// The main loop, the handler and the waits are v14's.

var (
	fnV17ShutdownOneDeviceLocked = DefineFunc("__shutdown_one_device", v17ShutdownOneDeviceLocked)
	fnV17ShutdownOneDevice       = DefineFunc("shutdown_one_device", v17ShutdownOneDevice)
	fnV17KillDevice              = DefineFunc("kill_device", v17KillDevice)

	v17 = newCompletions(func(c *completions) {
		c.earlyPass = DefineFunc("start_async_shutdown_devices", c.startAsyncShutdownDevices(false))
		c.shutdownDeviceAsync = DefineFunc("shutdown_device_async", c.v17ShutdownDeviceAsyncStep)
		c.shutdownOneDevice = fnV17ShutdownOneDevice
	})
	_ = register(&Variant{
		Name:       "v17",
		Number:     17,
		Summary:    "16 Jun 2026: early pass drops list_lock to queue, kill_device() completes, dead devices skipped",
		Main:       v17.deviceShutdown,
		KillDevice: fnV17KillDevice,
	})
)

// kill_device(dev) of v17 3/5, under device_lock(dev) in device_del().
func v17KillDevice(k *Kernel, f *Frame) {
	switch f.PC {
	case 0: // if (dev->p->dead) return false; dev->p->dead = true;
		if k.KillDevice(f.Dev) {
			f.PC = 1
		}
	case 1: // complete_all(&dev->p->complete); return true;
		if k.CompleteAll(f.Dev) {
			k.Return(1)
		}
	}
}

// startAsyncShutdownDevices returns start_async_shutdown_devices() of v17,
// or, with reprotect, of v18 (whose changelog says it re-protects the list
// removal with list_lock and holds a device reference across it; see v18.go).
// Frame: Dev = dev, Cur = next, Dev2 = ndev, Aux = needs_put, Flag = clear_async.
func (c *completions) startAsyncShutdownDevices(reprotect bool) StepFunc {
	const (
		param = iota
		lock
		first
		firstNext
		wants
		clear
		get
		getExtra
		nextIsHead
		getNext
		unlock
		async
		asyncDone
		delLock
		del
		delUnlock
		putFailed
		putExtra
		putNeeds
		relock
		checkDead
		advance
		advanceNext
		unlockEnd
		putEnd
	)
	return func(k *Kernel, f *Frame) {
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
		case first: // restart: list_for_each_entry_safe_reverse(dev, next, &devices_kset->list, kobj.entry)
			if dev, ok := k.ListLast(); ok {
				f.Dev, f.PC = dev, firstNext
				if dev == NoDev {
					f.PC = unlockEnd
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
				case f.Flag: // if (clear_async) {
					f.PC = clear
				default:
					f.PC = get
				}
			}
		case clear: // dev_clear_async_shutdown(dev); continue; }
			if k.ClearAsyncShutdown(f.Dev) {
				f.PC = advance
			}
		case get: // get_device(dev);
			if k.GetDevice(f.Dev) {
				f.PC = nextIsHead
				if reprotect {
					f.PC = getExtra
				}
			}
		case getExtra: // [v18] get_device(dev): held until the list removal is done
			if k.GetDevice(f.Dev) {
				f.PC = nextIsHead
			}
		case nextIsHead: // if (!list_entry_is_head(next, ...)) ndev = get_device(next); else ndev = NULL;
			f.Dev2, f.PC = NoDev, unlock
			if f.Cur != NoDev {
				f.PC = getNext
			}
		case getNext:
			if k.GetDevice(f.Cur) {
				f.Dev2, f.PC = f.Cur, unlock
			}
		case unlock: // spin_unlock(&devices_kset->list_lock);
			if k.SpinUnlockList() {
				f.PC = async
			}
		case async: // if (shutdown_device_async(dev))
			k.Call(f, asyncDone, c.shutdownDeviceAsync, f.Dev)
		case asyncDone:
			switch {
			case k.Ret() == 0: // else { clear_async = true; put_device(dev); }
				f.Flag, f.PC = true, putFailed
			case reprotect:
				f.PC = delLock
			default:
				f.PC = del
			}
		case delLock: // [v18] spin_lock(&devices_kset->list_lock);
			if k.SpinLockList() {
				f.PC = del
			}
		case del: // list_del_init(&dev->kobj.entry);
			if k.ListDelInit(f.Dev) {
				f.PC = putNeeds
				if reprotect {
					f.PC = delUnlock
				}
			}
		case delUnlock: // [v18] spin_unlock(&devices_kset->list_lock);
			if k.SpinUnlockList() {
				f.PC = putExtra
			}
		case putFailed: // put_device(dev): the entry's reference, as nothing was queued
			if k.PutDevice(f.Dev) {
				f.PC = putNeeds
				if reprotect {
					f.PC = putExtra
				}
			}
		case putExtra: // [v18] put_device(dev): the reference held across the removal
			if k.PutDevice(f.Dev) {
				f.PC = putNeeds
			}
		case putNeeds: // if (needs_put) put_device(needs_put); needs_put = ndev;
			if f.Aux < 0 {
				f.Aux, f.PC = int16(f.Dev2), relock
			} else if k.PutDevice(DevID(f.Aux)) {
				f.Aux, f.PC = int16(f.Dev2), relock
			}
		case relock: // spin_lock(&devices_kset->list_lock);
			if k.SpinLockList() {
				f.PC = advance
				if f.Dev2 != NoDev {
					f.PC = checkDead
				}
			}
		case checkDead: // if (ndev && ndev->p->dead) goto restart;
			if dead, ok := k.ReadDead(f.Dev2); ok {
				f.PC = advance
				if dead {
					f.PC = first
				}
			}
		case advance: // dev = next; loop while dev is not the list head
			f.Dev, f.PC = f.Cur, advanceNext
			if f.Dev == NoDev {
				f.PC = unlockEnd
			}
		case advanceNext: // next = list_prev_entry(next)
			if next, ok := k.ListPrev(f.Dev); ok {
				f.Cur, f.PC = next, wants
			}
		case unlockEnd: // spin_unlock(&devices_kset->list_lock);
			if k.SpinUnlockList() {
				f.PC = putEnd
			}
		case putEnd: // if (needs_put) put_device(needs_put);
			if f.Aux < 0 {
				k.Return(0)
			} else if k.PutDevice(DevID(f.Aux)) {
				k.Return(0)
			}
		}
	}
}

// shutdown_device_async(dev): returns 1 when the entry was queued.
func (c *completions) v17ShutdownDeviceAsyncStep(k *Kernel, f *Frame) {
	switch f.PC {
	case 0: // if (async_schedule_dev_nocall(async_shutdown_handler, dev)) return true;
		if queued, ok := k.AsyncScheduleDevNocall(c.asyncShutdownHandler, f.Dev); ok {
			f.PC = 1
			if queued {
				k.Return(1)
			}
		}
	case 1: // dev_clear_async_shutdown(dev); return false;
		if k.ClearAsyncShutdown(f.Dev) {
			k.Return(0)
		}
	}
}

// shutdown_one_device(dev) of v17 2/5 (= v18 2/5). Frame: Cur = parent.
func v17ShutdownOneDevice(k *Kernel, f *Frame) {
	const (
		lock = iota
		check
		dead
		getParent
		unlockDev
		lockParent
		relockDev
		lockedShutdown
		lockedUnlockDev
		unlockParent
		putParent
		plainShutdown
		plainUnlock
		put
	)
	switch f.PC {
	case lock: // device_lock(dev);
		if k.DeviceLock(f.Dev) {
			f.PC = check
		}
	case check: // if (dev->bus && dev->bus->need_parent_lock && !dev->p->dead &&
		f.PC = plainShutdown
		if k.Topology().Devices[f.Dev].NeedParentLock {
			f.PC = dead
		}
	case dead:
		if d, ok := k.ReadDead(f.Dev); ok {
			f.PC = getParent
			if d {
				f.PC = plainShutdown
			}
		}
	case getParent: //     (parent = get_device(dev->parent))) {
		if p, ok := k.GetParent(f.Dev); ok {
			f.Cur, f.PC = p, unlockDev
			if p == NoDev {
				f.PC = plainShutdown
			}
		}
	case unlockDev: // device_unlock(dev): the parent lock needs to be acquired first, so re-lock
		if k.DeviceUnlock(f.Dev) {
			f.PC = lockParent
		}
	case lockParent: // device_lock(parent);
		if k.DeviceLock(f.Cur) {
			f.PC = relockDev
		}
	case relockDev: // device_lock(dev);
		if k.DeviceLock(f.Dev) {
			f.PC = lockedShutdown
		}
	case lockedShutdown: // __shutdown_one_device(dev);
		k.Call(f, lockedUnlockDev, fnV17ShutdownOneDeviceLocked, f.Dev)
	case lockedUnlockDev: // device_unlock(dev);
		if k.DeviceUnlock(f.Dev) {
			f.PC = unlockParent
		}
	case unlockParent: // device_unlock(parent);
		if k.DeviceUnlock(f.Cur) {
			f.PC = putParent
		}
	case putParent: // put_device(parent);
		if k.PutDevice(f.Cur) {
			f.PC = put
		}
	case plainShutdown: // } else { __shutdown_one_device(dev);
		k.Call(f, plainUnlock, fnV17ShutdownOneDeviceLocked, f.Dev)
	case plainUnlock: // device_unlock(dev); }
		if k.DeviceUnlock(f.Dev) {
			f.PC = put
		}
	case put: // put_device(dev);
		if k.PutDevice(f.Dev) {
			k.Return(0)
		}
	}
}

// __shutdown_one_device(dev), called with device_lock(dev) held.
func v17ShutdownOneDeviceLocked(k *Kernel, f *Frame) {
	const (
		dead = iota
		shutdown
		shutdownEnd
		complete
	)
	switch f.PC {
	case dead: // if (dev->p->dead) return;
		if d, ok := k.ReadDead(f.Dev); ok {
			f.PC = shutdown
			if d {
				k.Return(0)
			}
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
			k.Return(0)
		}
	}
}
