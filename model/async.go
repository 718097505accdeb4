package model

// The async subsystem (kernel/async.c): async_schedule_dev_nocall() queues an
// entry on async_wq, a worker runs it (async_run_entry_fn), and
// async_synchronize_full() waits until no entry is pending. Each entry is one
// thread, created Queued; workers pick entries up in queueing order, at most
// Scenario.Workers at a time (async_wq's max_active; 0 = unbounded).

// MaxWork is kernel/async.c's MAX_WORK: async_schedule_dev_nocall() gives up
// when more entries than this are pending.
const MaxWork = 32768

var fnAsyncRunEntryFn FuncID

func init() {
	fnAsyncRunEntryFn = DefineFunc("async_run_entry_fn", asyncRunEntryFn)
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
	k.ev.Val = 0
	if k.alt == AltFail {
		k.s.AllocFailures--
		return false, true
	}
	if k.s.PendingEntries()+len(k.spawned) > MaxWork {
		return false, true
	}
	nt := Thread{Kind: KindWorker, Status: Queued, Dev: dev, Depth: 1}
	nt.Frames[0] = Frame{Fn: fnAsyncRunEntryFn, Dev: dev, Cur: NoDev, Aux: int16(fn)}
	k.ev.Spawn = k.spawn(nt)
	k.ev.Val = 1
	return true, true
}

// PendingEntries counts the async entries queued or running.
func (s *State) PendingEntries() int {
	n := 0
	for i := range s.Threads {
		if t := &s.Threads[i]; t.Kind == KindWorker && t.Status != Done {
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
			k.Call(f, 1, FuncID(f.Aux), f.Dev)
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
		if t.Status == Running {
			running++
		}
	}
	return k.m.Scenario.Workers == 0 || running < k.m.Scenario.Workers
}

// AsyncEntryDone models the end of async_run_entry_fn(): the entry leaves
// the pending lists and async_synchronize_full() waiters are woken.
func (k *Kernel) AsyncEntryDone() bool {
	return !k.op(OpAsyncEntryDone, k.t.Dev, true)
}

// AsyncSynchronizeFull models async_synchronize_full(): it blocks until no
// async entry is queued or running, system-wide.
func (k *Kernel) AsyncSynchronizeFull() bool {
	return !k.op(OpAsyncSyncFull, NoDev, k.s.PendingEntries() == 0)
}
