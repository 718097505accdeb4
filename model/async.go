package model

// The async subsystem (kernel/async.c): async_schedule_dev_nocall() and
// async_schedule_domain() queue an entry on async_wq, a worker runs it
// (async_run_entry_fn), and the async_synchronize_*() calls wait until the
// entries of a domain below a cookie are done. Each entry is one thread,
// created Queued, with its entry->cookie and entry->domain; workers pick
// entries up in queueing order whatever their domain, at most
// Scenario.Workers at a time (async_wq's max_active; 0 = unbounded).

// Domain is the async domain (struct async_domain) an entry is queued in.
// Its pending list holds its entries not done yet, in cookie order. The
// entries of a registered domain (ASYNC_DOMAIN) are also on
// async_global_pending, the list async_synchronize_full() waits on; those of
// an exclusive one (ASYNC_DOMAIN_EXCLUSIVE) are not: only a wait on the
// domain itself sees them.
type Domain int16

const (
	// DomainAll is not a domain: it is the NULL domain of
	// async_synchronize_full() = async_synchronize_full_domain(NULL), which
	// waits on async_global_pending, the entries of every registered domain.
	DomainAll Domain = iota - 1
	DomainDfl        // async_dfl_domain (ASYNC_DOMAIN): async_schedule_dev_nocall()
	DomainSD         // sd_domain (static ASYNC_DOMAIN(sd_domain), v5-v10)
	DomainTop        // top_domain (ASYNC_DOMAIN_EXCLUSIVE on device_shutdown()'s stack, v4)
	// domainChild+d is d->p->child_domain (INIT_ASYNC_DOMAIN_EXCLUSIVE in
	// device_private_init(), v4): see ChildDomain.
	domainChild
)

// ChildDomain is d->p->child_domain (v4).
func ChildDomain(d DevID) Domain { return domainChild + Domain(d) }

// Owner is the device whose struct device_private holds the domain, or NoDev.
func (d Domain) Owner() DevID {
	if d >= domainChild {
		return DevID(d - domainChild)
	}
	return NoDev
}

// Registered reports whether the domain's entries are on async_global_pending.
func (d Domain) Registered() bool { return d == DomainDfl || d == DomainSD }

// holds reports whether a wait on d (DomainAll: async_global_pending) sees
// an entry of domain e.
func (d Domain) holds(e Domain) bool {
	if d == DomainAll {
		return e.Registered()
	}
	return d == e
}

// cookieMax is ASYNC_COOKIE_MAX, the cookie async_synchronize_full_domain()
// waits for: lowest_in_progress() returns it when nothing is pending.
const cookieMax = int16(1<<15 - 1)

// MaxWork is kernel/async.c's MAX_WORK: async_schedule_dev_nocall() gives up
// when more entries than this are pending.
const MaxWork = 32768

var (
	fnAsyncRunEntryFn     = DefineFunc("async_run_entry_fn", asyncRunEntryFn)
	fnAsyncScheduleDomain = DefineFunc("async_schedule_domain", asyncScheduleDomain)
)

// queue creates the worker thread of a new entry of domain dom running
// fn(dev, cookie).
func (k *Kernel) queue(fn FuncID, dev DevID, dom Domain) TID {
	nt := Thread{Kind: KindWorker, Status: Queued, Dev: dev, Depth: 1, Cookie: k.s.NextCookie, Domain: dom}
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
	k.ev.Spawn = k.queue(fn, dev, DomainDfl)
	k.ev.Val = 1
	return true, true
}

// CallAsyncScheduleDomain makes f call async_schedule_domain(fn, dev, dom):
// the entry is queued in dom, or, when the GFP_ATOMIC allocation fails
// (Scenario.AllocFailures) or MAX_WORK entries are pending, fn(dev, cookie)
// runs right here. Either way the new cookie is returned (Thread.Ret).
func (k *Kernel) CallAsyncScheduleDomain(f *Frame, ret uint8, fn FuncID, dev DevID, dom Domain) {
	nf := k.Call(f, ret, fnAsyncScheduleDomain, dev)
	nf.Aux, nf.Dev2 = int16(fn), DevID(dom)
}

// async_schedule_domain(func, data, domain). Frame: Dev = data, Aux = func,
// then the cookie, Dev2 = domain.
func asyncScheduleDomain(k *Kernel, f *Frame) {
	switch f.PC {
	case 0:
		if cookie, queued, ok := k.AsyncScheduleDomain(FuncID(f.Aux), f.Dev, Domain(f.Dev2)); ok {
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

// AsyncScheduleDomain models the start of async_schedule_node_domain(fn,
// dev, NUMA_NO_NODE, dom): kzalloc(GFP_ATOMIC), then either the entry is
// queued in dom with cookie next_cookie++, or (allocation failed, or more
// than MAX_WORK pending) the cookie is taken and the caller runs the
// function inline. A child domain lives in its owner's dev->p: the caller's
// &owner->p->child_domain reads owner->p, and the queueing links the entry
// on owner->p->child_domain.pending, so the owner is checked for use after
// free as GetParent checks the parent (dev itself is only stored).
func (k *Kernel) AsyncScheduleDomain(fn FuncID, dev DevID, dom Domain) (cookie int16, queued, ok bool) {
	stop := k.op(OpAsyncScheduleDomain, dev, true)
	k.ev.Domain = dom
	if stop {
		if k.s.AllocFailures > 0 {
			k.alts = 2
		}
		return 0, false, false
	}
	k.wr(objAsync)
	if dom.Owner() != NoDev {
		k.wr(domainObj(dom))
	}
	k.checkOwner(dom)
	if k.alt == AltFail || k.s.PendingEntries()+len(k.spawned) > MaxWork {
		if k.alt == AltFail {
			k.s.AllocFailures--
		}
		cookie = k.s.NextCookie
		k.s.NextCookie++
		k.ev.Val = cookie
		return cookie, false, true
	}
	k.ev.Spawn = k.queue(fn, dev, dom)
	cookie = k.spawned[len(k.spawned)-1].Cookie
	k.ev.Val = cookie
	return cookie, true, true
}

// domainObj is what a new entry of dom changes: the queue, or for a child
// domain only that domain's pending list (the cookie counter does not
// matter to a wait for the whole domain or to an entry's end).
func domainObj(dom Domain) Obj {
	if owner := dom.Owner(); owner != NoDev {
		return devObj(objDomain, owner)
	}
	return objAsync
}

// checkOwner is the use-after-free check of a step that dereferences the
// owner of domain dom (its dev->p), if dom has one.
func (k *Kernel) checkOwner(dom Domain) {
	if owner := dom.Owner(); owner != NoDev {
		k.rd(devObj(objDevFreed, owner))
		if k.s.Dev[owner].Has(FlagFreed) {
			k.ev.Fault |= FaultUseAfterFree
		}
	}
}

// AsyncSynchronizeCookieDomain models async_synchronize_cookie_domain(cookie,
// dom): it blocks until every pending entry of dom has a cookie of at least
// cookie (lowest_in_progress(dom) >= cookie). Its own entry counts: an
// entry waiting for a cookie above its own waits for itself.
//
// v10 1/5 ("kernel/async: streamline cookie synchronization") replaced the
// wait_event() with a prepare_to_wait()/schedule() loop and a wake function
// that wakes a waiter only when lowest_in_progress(domain) >= cookie. That
// changes how often a waiter wakes, not when it goes on: both test the same
// condition after queueing themselves on async_done, every entry's end
// calls wake_up(&async_done) after taking itself off the lists (so no wake
// is lost), and a waiter woken early tests the condition again and sleeps.
// The model has no spurious wakeups: the wait can run exactly when the
// condition holds, for every version.
func (k *Kernel) AsyncSynchronizeCookieDomain(cookie int16, dom Domain) bool {
	return k.synchronize(OpAsyncSyncCookie, NoDev, cookie, dom)
}

// AsyncSynchronizeFullDomain models async_synchronize_full_domain(dom) =
// async_synchronize_cookie_domain(ASYNC_COOKIE_MAX, dom): it blocks until no
// entry of dom is pending. A child domain is read in its owner's dev->p
// (the step's device).
func (k *Kernel) AsyncSynchronizeFullDomain(dom Domain) bool {
	return k.synchronize(OpAsyncSyncFullDomain, dom.Owner(), cookieMax, dom)
}

// AsyncSynchronizeFull models async_synchronize_full(): it blocks until no
// entry of a registered domain is queued or running, system-wide; the
// entries of exclusive domains are not on async_global_pending.
func (k *Kernel) AsyncSynchronizeFull() bool {
	return k.synchronize(OpAsyncSyncFull, NoDev, cookieMax, DomainAll)
}

// synchronize models wait_event(async_done, lowest_in_progress(dom) >=
// cookie) as operation kind on dev.
func (k *Kernel) synchronize(kind OpKind, dev DevID, cookie int16, dom Domain) bool {
	stop := k.op(kind, dev, k.s.lowestInProgress(dom) >= cookie)
	// The wait, also while probing: the wait-for graph needs it.
	k.ev.Val, k.ev.Domain = cookie, dom
	if cookie == cookieMax {
		k.rd(domainObj(dom)) // an entry queued in dom from now on is waited for too
	}
	// Only entries with a smaller cookie matter; every later one gets a
	// larger cookie than any there is now. Which domain an entry is in is
	// fixed when it is queued.
	for i := range k.s.Threads {
		if t := &k.s.Threads[i]; t.Kind == KindWorker && t.Cookie < cookie && dom.holds(t.Domain) {
			k.rdEnable(queuedObj(TID(i)))
			k.rdEnable(runningObj(TID(i)))
		}
	}
	return !stop
}

// Awaits reports whether the async wait ev (async_synchronize_full(),
// _full_domain() or _cookie_domain(), as Runner.Pending reports it) waits
// for thread tid's entry: one not done yet, in the domain waited on, with a
// cookie below the one waited for.
func (s *State) Awaits(ev Event, tid TID) bool {
	t := &s.Threads[tid]
	return t.Kind == KindWorker && !t.Returned() && t.Cookie < ev.Val && ev.Domain.holds(t.Domain)
}

// lowestInProgress returns lowest_in_progress(dom): the lowest cookie of a
// pending entry of dom, or ASYNC_COOKIE_MAX when none is pending.
func (s *State) lowestInProgress(dom Domain) int16 {
	low := cookieMax
	for i := range s.Threads {
		if t := &s.Threads[i]; t.Kind == KindWorker && !t.Returned() && t.Cookie < low && dom.holds(t.Domain) {
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
// the pending lists and async_synchronize_*() waiters are woken.
// list_del_init(&entry->domain_list) writes the neighbours' links: the
// domain's list head when the entry is the first or the last pending one of
// its domain. A child domain's head is in its owner's dev->p: then the step
// dereferences the owner (entry->data is never touched).
func (k *Kernel) AsyncEntryDone() bool {
	stop := k.op(OpAsyncEntryDone, k.t.Dev, true)
	k.ev.Domain = k.t.Domain
	if stop {
		return false
	}
	k.wr(runningObj(k.tid))
	if dom := k.t.Domain; dom.Owner() != NoDev && k.atDomainEnd() {
		k.checkOwner(dom)
	}
	return true
}

// atDomainEnd reports whether this thread's entry is the first or the last
// pending entry of its domain, recording what it reads: whether the other
// entries of the domain are done, and the queue (an entry queued later
// comes after it).
func (k *Kernel) atDomainEnd() bool {
	k.rd(domainObj(k.t.Domain))
	before, after := false, false
	for i := range k.s.Threads {
		t := &k.s.Threads[i]
		if TID(i) == k.tid || t.Kind != KindWorker || t.Domain != k.t.Domain {
			continue
		}
		k.rd(runningObj(TID(i)))
		if !t.Returned() {
			before = before || t.Cookie < k.t.Cookie
			after = after || t.Cookie > k.t.Cookie
		}
	}
	return !before || !after
}
