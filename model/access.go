package model

// Accesses: which shared objects a step read or wrote, recorded as it runs.
// Two steps of different threads that touch no common object, or only read
// it, commute: running them in either order gives the same state, and
// neither enables or disables the other. The partial-order reduction in
// package checker relies on that, and on one more rule every operation here
// keeps: which objects a step touches depends only on the thread's own
// state and on objects it reads, so a commuting step cannot change it. (A
// put decides whether it frees from the count it writes; the use-after-free
// check reads only whether the device is freed.) What the property monitors
// read after a step counts as read by the step: each declares it (see
// Observer).

// Obj names a piece of shared state.
type Obj uint32

// Access is an Obj read or written.
type Access uint32

// Object kinds; per-device and per-link kinds are followed by the index.
const (
	objList         Obj = iota << 24 // devices_kset->list
	objListLock                      // devices_kset->list_lock
	objParam                         // core.async_shutdown
	objAsync                         // the async subsystem's queue: new entries, cookies, allocation failures
	objEntryQueued                   // whether an async entry still waits for a worker (per thread)
	objEntryRunning                  // whether it runs, or is done (per thread)
	objSrcu                          // whether a thread holds device_links_read_lock() (per thread)
	objDevRef                        // a device's kref count
	objDevFreed                      // whether the device is freed (the last put)
	objDevLock                       // its device_lock
	objDevDone                       // its completion
	objDevShutdown                   // whether its shutdown callback started, returned
	objDevDead                       // dev->p->dead
	objDevAsync                      // dev_async_shutdown(dev)
	objDevAfter                      // dev->p->shutdown_after
	objKlist                         // a parent's klist_children (its children's knodes)
	objDevReg                        // whether the device is registered: in sysfs, on dpm_list
	objThreads                       // the thread table: a new thread takes the next TID
	objDevParent                     // dev->parent
	objPMLock                        // dpm_list_mtx
	objDevP                          // dev->p: NULL or not
	objLink                          // a device link's place on the link lists
)

func devObj(kind Obj, d DevID) Obj { return kind | Obj(uint16(d)) }

// ShutdownObj is whether d's ->shutdown() has started and returned.
func ShutdownObj(d DevID) Obj { return devObj(objDevShutdown, d) }

// DeadObj is d->p->dead.
func DeadObj(d DevID) Obj { return devObj(objDevDead, d) }

// RegisteredObj is whether d is registered (in sysfs, on dpm_list).
func RegisteredObj(d DevID) Obj { return devObj(objDevReg, d) }

func linkObj(l int) Obj { return objLink | Obj(l) }

func srcuObj(t TID) Obj { return objSrcu | Obj(uint16(t)) }

func queuedObj(t TID) Obj { return objEntryQueued | Obj(uint16(t)) }

func runningObj(t TID) Obj { return objEntryRunning | Obj(uint16(t)) }

// An Access is an object, whether it is written, and whether it is the
// enabling read of a monotone wait (see rdEnable).
const (
	accWrite  Access = 1
	accEnable Access = 2
)

// Writes reports whether the access writes.
func (a Access) Writes() bool { return a&accWrite != 0 }

// Obj returns the object accessed.
func (a Access) Obj() Obj { return Obj(a >> 2) }

func (k *Kernel) rd(o Obj) {
	if !k.probing {
		k.acc = append(k.acc, Access(o)<<2)
	}
}

func (k *Kernel) wr(o Obj) {
	if !k.probing {
		k.acc = append(k.acc, Access(o)<<2|accWrite)
	}
}

// rdEnable records a read that decides whether a monotone wait can run: a
// wait that, once it can run, can run until it does (wait_for_completion(),
// async_synchronize_*(), a worker picking up the oldest entry). The step
// that wrote what the wait needed is never enabled together with the wait,
// so the dynamic partial-order reduction need not try the wait first.
func (k *Kernel) rdEnable(o Obj) {
	if !k.probing {
		k.acc = append(k.acc, Access(o)<<2|accEnable)
	}
}

// Summary is a 64-bit fingerprint of a list of accesses: two lists whose
// summaries do not overlap cannot conflict.
type Summary struct{ All, Writes uint64 }

// Summarize fingerprints accesses (leaving out enabling reads when race is set).
func Summarize(accs []Access, race bool) Summary {
	var s Summary
	for _, a := range accs {
		if race && a&accEnable != 0 {
			continue
		}
		bit := uint64(1) << (uint64(a>>2) * 0x9E3779B97F4A7C15 >> 58)
		s.All |= bit
		if a&accWrite != 0 {
			s.Writes |= bit
		}
	}
	return s
}

// MayConflict is a fast test that is false only when the lists cannot conflict.
func (s Summary) MayConflict(o Summary) bool { return s.Writes&o.All|s.All&o.Writes != 0 }

// Conflict reports whether two steps' accesses conflict: a common object
// that at least one of them writes.
func Conflict(a, b []Access) bool {
	for _, x := range a {
		for _, y := range b {
			if x>>2 == y>>2 && (x|y)&accWrite != 0 {
				return true
			}
		}
	}
	return false
}

// RaceConflict is Conflict for a step b that has not run yet: b's enabling
// reads are left out, since the write they conflict with is what lets b run.
func RaceConflict(a, b []Access) bool {
	for _, x := range a {
		for _, y := range b {
			if x>>2 == y>>2 && y&accEnable == 0 && (x|y)&accWrite != 0 {
				return true
			}
		}
	}
	return false
}
