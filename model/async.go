package model

// The async subsystem (kernel/async.c): async_schedule_dev_nocall() queues an
// entry on async_wq, a worker runs it (async_run_entry_fn), and
// async_synchronize_full() waits until no entry is pending. Each entry is one
// thread, created Queued; workers pick entries up in queueing order, at most
// Scenario.Workers at a time (async_wq's max_active; 0 = unbounded).

// MaxWork is kernel/async.c's MAX_WORK: async_schedule_dev_nocall() gives up
// when more entries than this are pending.
const MaxWork = 32768

var (
	fnAsyncRunEntryFn     = DefineFunc("async_run_entry_fn", asyncRunEntryFn)
	fnAsyncScheduleDomain = DefineFunc("async_schedule_domain", asyncScheduleDomain)
)

// queue creates the worker thread of a new entry running fn(dev, cookie).
func (k *Kernel) queue(fn FuncID, dev DevID) TID {
	nt := Thread{Kind: KindWorker, Status: Queued, Dev: dev, Depth: 1, Cookie: k.s.NextCookie}
	nt.Frames[0] = Frame{Fn: fnAsyncRunEntryFn, Dev: dev, Cur: NoDev, Dev2: NoDev, Aux: int16(fn)}
	k.s.NextCookie++
	return k.spawn(nt)
}

// AsyncScheduleDevNocall models async_schedule_dev_nocall(fn, dev): kzalloc
// with GFP_KERNEL (which may sleep, and fails when Scenario.AllocFailures
// injects a failure), the MAX_WORK check, then queueing the entry. It returns
// whether the entry was queued; it never runs fn inline.
func (k *Kernel) AsyncScheduleDevNocall(fn FuncID, dev DevID) (bool, bool) {
	if k.op(OpAsyncSchedule, dev, true) {
		if k.s.AllocFailures > 0 {
			k.alts = 2
		}
		return false, false
	}
	k.wr(objAsync)
	k.ev.Val = 0
	if k.alt == AltFail {
		k.s.AllocFailures--
		return false, true
	}
	// The MAX_WORK test reads how many entries are pending; with at most
	// maxDevices devices it never fails, so that read is left out of the
	// accesses (an entry finishing does not change what this step does).
	if k.s.PendingEntries()+len(k.spawned) > MaxWork {
		return false, true
	}
	k.ev.Spawn = k.queue(fn, dev)
	k.ev.Val = 1
	return true, true
}

// CallAsyncScheduleDomain makes f call async_schedule_domain(fn, dev,
// &sd_domain): the entry is queued, or, when the GFP_ATOMIC allocation fails
// (Scenario.AllocFailures) or MAX_WORK entries are pending, fn(dev, cookie)
// runs right here. Either way the new cookie is returned (Thread.Ret).
func (k *Kernel) CallAsyncScheduleDomain(f *Frame, ret uint8, fn FuncID, dev DevID) {
	k.Call(f, ret, fnAsyncScheduleDomain, dev).Aux = int16(fn)
}

// async_schedule_domain(func, data, domain). Frame: Dev = data, Aux = func,
// then the cookie.
func asyncScheduleDomain(k *Kernel, f *Frame) {
	switch f.PC {
	case 0:
		if cookie, queued, ok := k.AsyncScheduleDomain(FuncID(f.Aux), f.Dev); ok {
			fn := FuncID(f.Aux)
			f.Aux = cookie
			if queued {
				k.Return(cookie)
				return
			}
			k.Call(f, 1, fn, f.Dev).Aux = cookie // low on memory: run synchronously
		}
	case 1:
		k.Return(f.Aux)
	}
}

// AsyncScheduleDomain models the start of async_schedule_node_domain():
// kzalloc(GFP_ATOMIC), then either the entry is queued with cookie
// next_cookie++, or (allocation failed, or more than MAX_WORK pending) the
// cookie is taken and the caller runs the function inline.
func (k *Kernel) AsyncScheduleDomain(fn FuncID, dev DevID) (cookie int16, queued, ok bool) {
	if k.op(OpAsyncScheduleDomain, dev, true) {
		if k.s.AllocFailures > 0 {
			k.alts = 2
		}
		return 0, false, false
	}
	k.wr(objAsync)
	if k.alt == AltFail || k.s.PendingEntries()+len(k.spawned) > MaxWork {
		if k.alt == AltFail {
			k.s.AllocFailures--
		}
		cookie = k.s.NextCookie
		k.s.NextCookie++
		k.ev.Val = cookie
		return cookie, false, true
	}
	k.ev.Spawn = k.queue(fn, dev)
	cookie = k.spawned[len(k.spawned)-1].Cookie
	k.ev.Val = cookie
	return cookie, true, true
}

// AsyncSynchronizeCookieDomain models async_synchronize_cookie_domain(cookie,
// &sd_domain): it blocks until every pending entry has a cookie of at least
// cookie (lowest_in_progress(domain) >= cookie). Its own entry counts: an
// entry waiting for a cookie above its own waits for itself.
func (k *Kernel) AsyncSynchronizeCookieDomain(cookie int16) bool {
	stop := k.op(OpAsyncSyncCookie, NoDev, k.s.LowestInProgress() >= cookie)
	k.ev.Val = cookie // the cookie waited for, also while probing: the wait-for graph needs it
	// Only entries with a smaller cookie matter; every later one gets a
	// larger cookie than any there is now.
	for i := range k.s.Threads {
		if t := &k.s.Threads[i]; t.Kind == KindWorker && t.Cookie < cookie {
			k.rdEnable(queuedObj(TID(i)))
			k.rdEnable(runningObj(TID(i)))
		}
	}
	return !stop
}

// readEntries records the reads of async_synchronize_full(): the queue
// (new entries) and whether every entry is done.
func (k *Kernel) readEntries() {
	k.rd(objAsync)
	for i := range k.s.Threads {
		if k.s.Threads[i].Kind == KindWorker {
			k.rdEnable(queuedObj(TID(i)))
			k.rdEnable(runningObj(TID(i)))
		}
	}
}

// LowestInProgress returns the lowest cookie of a pending entry, or the
// largest cookie when none is pending (ASYNC_COOKIE_MAX).
func (s *State) LowestInProgress() int16 {
	low := int16(1<<15 - 1)
	for i := range s.Threads {
		if t := &s.Threads[i]; t.Kind == KindWorker && !t.Returned() && t.Cookie < low {
			low = t.Cookie
		}
	}
	return low
}

// PendingEntries counts the async entries queued or running.
func (s *State) PendingEntries() int {
	n := 0
	for i := range s.Threads {
		if t := &s.Threads[i]; t.Kind == KindWorker && !t.Returned() { // an entry whose worker oopsed stays pending
			n++
		}
	}
	return n
}

// async_run_entry_fn(work). Frame: Dev = entry->data, Aux = entry->func.
func asyncRunEntryFn(k *Kernel, f *Frame) {
	switch f.PC {
	case 0: // a kworker of async_wq picks the entry up: entry->func(entry->data, entry->cookie);
		if k.WorkerStart() {
			k.Call(f, 1, FuncID(f.Aux), f.Dev).Aux = k.t.Cookie
		}
	case 1: // list_del_init(&entry->domain_list) under async_lock; atomic_dec(&entry_count); wake_up(&async_done);
		if k.AsyncEntryDone() {
			k.Return(0)
		}
	}
}

// WorkerStart models a worker picking up this thread's entry: entries start
// in queueing order, and only while fewer than Scenario.Workers run.
func (k *Kernel) WorkerStart() bool {
	if k.op(OpWorkerStart, k.t.Dev, k.workerFree()) {
		return false
	}
	k.wr(queuedObj(k.tid))
	k.wr(runningObj(k.tid))
	for i := range k.s.Threads { // what workerFree read
		if t := &k.s.Threads[i]; t.Kind == KindWorker && TID(i) != k.tid {
			if TID(i) < k.tid {
				k.rdEnable(queuedObj(TID(i)))
			}
			if k.m.Scenario.Workers > 0 {
				k.rdEnable(runningObj(TID(i)))
			}
		}
	}
	k.t.Status = Running
	return true
}

func (k *Kernel) workerFree() bool {
	running := 0
	for i := range k.s.Threads {
		t := &k.s.Threads[i]
		if t.Kind != KindWorker {
			continue
		}
		if t.Status == Queued && TID(i) < k.tid {
			return false // an older entry starts first
		}
		if t.Status == Running || t.Oopsed() {
			running++
		}
	}
	return k.m.Scenario.Workers == 0 || running < k.m.Scenario.Workers
}

// AsyncEntryDone models the end of async_run_entry_fn(): the entry leaves
// the pending lists and async_synchronize_full() waiters are woken.
func (k *Kernel) AsyncEntryDone() bool {
	if k.op(OpAsyncEntryDone, k.t.Dev, true) {
		return false
	}
	k.wr(runningObj(k.tid))
	return true
}

// AsyncSynchronizeFull models async_synchronize_full(): it blocks until no
// async entry is queued or running, system-wide.
func (k *Kernel) AsyncSynchronizeFull() bool {
	if k.op(OpAsyncSyncFull, NoDev, k.s.PendingEntries() == 0) {
		return false
	}
	k.readEntries()
	return true
}
