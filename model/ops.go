package model

// OpKind is a kind of kernel operation: the unit of atomicity.
type OpKind uint8

const (
	OpSpinLock            OpKind = iota // spin_lock(&devices_kset->list_lock)
	OpSpinUnlock                        // spin_unlock(&devices_kset->list_lock)
	OpListLast                          // list_empty() / list_last_entry() on devices_kset->list
	OpListPrev                          // list_prev_entry(): the safe reverse walk's next entry
	OpListDelInit                       // list_del_init(&dev->kobj.entry)
	OpGetDevice                         // get_device(dev)
	OpPutDevice                         // put_device(dev)
	OpGetParent                         // parent = get_device(dev->parent)
	OpDeviceLock                        // device_lock(dev)
	OpDeviceUnlock                      // device_unlock(dev)
	OpReadParam                         // if (!async_shutdown)
	OpWantsAsync                        // wants_async_shutdown(dev)
	OpShutdownStart                     // class->shutdown_pre, bus/driver->shutdown begins
	OpShutdownEnd                       // ->shutdown() returns
	OpCompleteAll                       // complete_all(&dev->p->complete)
	OpWaitCompletion                    // wait_for_completion(&dev->p->complete)
	OpKlistNext                         // next_device(&i) in device_for_each_child()
	OpLinksReadLock                     // device_links_read_lock()
	OpLinksReadUnlock                   // device_links_read_unlock()
	OpNextConsumerLink                  // list_for_each_entry_rcu(link, &dev->links.consumers)
	OpAsyncSchedule                     // async_schedule_dev_nocall(): kzalloc(GFP_KERNEL), queue_work_node()
	OpWorkerStart                       // an async_wq worker picks up the entry
	OpAsyncEntryDone                    // async_run_entry_fn(): entry removed, wake_up(&async_done)
	OpAsyncSyncFull                     // async_synchronize_full()
	OpKillDevice                        // kill_device(): dev->p->dead = true
	OpKlistDel                          // klist_del(&dev->p->knode_parent)
	OpLinkDel                           // __device_link_del(): list_del_rcu() from both link lists
	OpLinkRelease                       // device_link_release_fn(): after synchronize_srcu(), put both ends
	OpListAddTail                       // list_add_tail(&dev->kobj.entry, &devices_kset->list)
	OpLinkAdd                           // device_link_add(): the link joins both lists, getting both ends
	OpKlistAdd                          // klist_add_tail(&dev->p->knode_parent, &parent->p->klist_children)
	OpParamWrite                        // a write to /sys/module/core/parameters/async_shutdown
	OpAsyncScheduleDomain               // async_schedule_domain(): kzalloc(GFP_ATOMIC), queue or run inline
	OpAsyncSyncCookie                   // async_synchronize_cookie_domain(cookie, &sd_domain)
	OpSetAfter                          // dev->p->shutdown_after = cookie
	OpReadAfter                         // read dev->p->shutdown_after
	OpReadParent                        // read dev->parent
	OpReadDead                          // read dev->p->dead
	OpClearAsync                        // dev_clear_async_shutdown(dev)
	OpNextSupplierLink                  // list_for_each_entry_rcu(link, &dev->links.suppliers)
	OpKsetMoveLast                      // devices_kset_move_last(dev): list_move_tail() under list_lock
	OpReorderDone                       // device_reorder_to_tail() has nothing more to move
	OpKsetMoveAfter                     // devices_kset_move_after(deva, devb): list_move() under list_lock
	OpKsetMoveBefore                    // devices_kset_move_before(deva, devb): list_move_tail() under list_lock
	OpDevicePMLock                      // device_pm_lock(): mutex_lock(&dpm_list_mtx)
	OpDevicePMUnlock                    // device_pm_unlock()
	OpSetParent                         // old_parent = dev->parent; dev->parent = new_parent
	OpKlistRemoveWait                   // klist_remove(): wait until no iterator holds the node
	OpDevicePMAdd                       // device_pm_add(dev): joins dpm_list under dpm_list_mtx
	OpDevicePMRemove                    // device_pm_remove(dev): leaves dpm_list under dpm_list_mtx
	OpDeviceAddStart                    // device_add(): device_private_init(dev); parent = get_device(dev->parent)
	OpFreeDevP                          // kfree(dev->p); dev->p = NULL (device_add()'s error path)
	OpReturn                            // device_shutdown() returns
	OpAsyncSyncFullDomain               // async_synchronize_full_domain(domain)
	OpSetNext                           // dev->p->shutdown.next = next (v10)
	OpReadNext                          // read dev->p->shutdown.next (v10)
	numOps
)

// memKind is the memory an operation dereferences on its device argument:
// what KASAN (a freed device) and a NULL dev->p can catch.
type memKind uint8

const (
	memNone memKind = iota // the device pointer is only passed along or compared
	memDev                 // struct device itself: kobj, mutex, parent, links, flags, numa_node
	memDevP                // dev->p, the struct device_private freed with it (device_release())
)

type opInfo struct {
	name   string  // kernel call, for traces
	sleeps bool    // might_sleep(): forbidden under a spinlock
	list   bool    // reads or writes devices_kset->list: needs list_lock
	mem    memKind // what the operation dereferences on its device argument
	nullOK bool    // a NULL device argument is allowed (get_device(NULL), put_device(NULL))
}

// opInfos: for each operation, its name, whether it may sleep, whether it
// uses devices_kset->list, and which memory of its device argument it
// dereferences, read off the kernel source (drivers/base/core.c, lib/klist.c,
// kernel/async.c). The use-after-free check applies to exactly the
// operations that dereference; the table is the audit:
//
//	spin_lock/unlock(&devices_kset->list_lock)  none: a global lock
//	list_last_entry(&devices_kset->list)         none: container_of() of head.prev computes the pointer, reads nothing of it
//	list_prev_entry(dev)                         dev: dev->kobj.entry.prev
//	list_del_init / list_add_tail(&dev->kobj.entry) dev: the entry and its neighbours
//	get_device / put_device(dev)                 dev: kobject_get/put(&dev->kobj)
//	get_device(dev->parent)                      dev: reads dev->parent (the parent: checked by GetParent)
//	device_lock / device_unlock(dev)             dev: &dev->mutex
//	wants_async_shutdown(dev), dev_clear_async_shutdown(dev)  dev: the async_shutdown bit (v16: dev->flags)
//	->shutdown() start and return                dev: the callbacks use the device up to their return
//	complete_all / wait_for_completion           dev->p: &dev->p->complete
//	next_device(&parent->p->klist_children)      the parent: device_for_each_child() tests parent->p first and
//	                                              returns when it is NULL; the child nodes are pinned by the klist
//	dev->links.consumers / .suppliers walk       dev: struct dev_links_info is inside struct device
//	async_schedule_dev_nocall(fn, dev)           dev: dev_to_node(dev) reads dev->numa_node
//	async_schedule_domain(fn, dev, domain)       none: NUMA_NO_NODE, dev is only stored in entry->data;
//	                                              in v4's &parent->p->child_domain, the parent's dev->p
//	                                              (read to compute the domain, then its pending list
//	                                              head): checked on the parent, as GetParent does
//	a worker picking up the entry                none: entry->func(entry->data, entry->cookie) passes the pointer
//	end of async_run_entry_fn                    none: list_del_init() of the entry's lists, kfree(entry),
//	                                              atomic_dec(&entry_count), wake_up(&async_done); the head
//	                                              of a child_domain's pending list (its owner's dev->p)
//	                                              when the entry is the first or last pending there
//	async_synchronize_full / _cookie_domain      none: the async lists only (sd_domain and top_domain
//	                                              are static or on device_shutdown()'s stack)
//	async_synchronize_full_domain(domain)        dev->p of the domain's owner (v4: &dev->p->child_domain)
//	kill_device(dev), read dev->p->dead          dev->p: dev->p->dead
//	klist_del / klist_add_tail(&dev->p->knode_parent) dev->p
//	__device_link_del, device_link_add           dev: the link list heads in dev->links
//	device_link_release_fn                       none at the step: its put_device()s are on references the link holds
//	shutdown_after write and read (v5-v9)        dev->p: dev->p->shutdown_after
//	shutdown.after, shutdown.next (v10)          dev->p: the union shutdown_private in it
//	read dev->parent                             dev
//	devices_kset_move_last/after/before          dev: the entries moved (the second device of
//	                                              _after/_before is checked by the step: DevicesKsetMove)
//	device_pm_lock / unlock                      none: a global mutex
//	device_pm_add / device_pm_remove(dev)        dev: dev->power.entry
//	device_add()'s device_private_init; get_device(dev->parent)  dev: sets dev->p
//	old_parent = dev->parent; dev->parent = new  dev
//	klist_remove()'s wait                        dev->p: the knode
//	core.async_shutdown read and write           none
var opInfos = [numOps]opInfo{
	OpSpinLock:            {name: "spin_lock(&devices_kset->list_lock)"},
	OpSpinUnlock:          {name: "spin_unlock(&devices_kset->list_lock)"},
	OpListLast:            {name: "list_last_entry(&devices_kset->list)", list: true},
	OpListPrev:            {name: "list_prev_entry", list: true, mem: memDev},
	OpListDelInit:         {name: "list_del_init", list: true, mem: memDev},
	OpGetDevice:           {name: "get_device", mem: memDev, nullOK: true},
	OpPutDevice:           {name: "put_device", mem: memDev, nullOK: true},
	OpGetParent:           {name: "get_device(dev->parent)", mem: memDev},
	OpDeviceLock:          {name: "device_lock", sleeps: true, mem: memDev},
	OpDeviceUnlock:        {name: "device_unlock", mem: memDev},
	OpReadParam:           {name: "read core.async_shutdown"},
	OpWantsAsync:          {name: "wants_async_shutdown", mem: memDev},
	OpShutdownStart:       {name: "->shutdown() starts", sleeps: true, mem: memDev},
	OpShutdownEnd:         {name: "->shutdown() returns", mem: memDev},
	OpCompleteAll:         {name: "complete_all", mem: memDevP},
	OpWaitCompletion:      {name: "wait_for_completion", sleeps: true, mem: memDevP},
	OpKlistNext:           {name: "next_device", mem: memDev},
	OpLinksReadLock:       {name: "device_links_read_lock()"},
	OpLinksReadUnlock:     {name: "device_links_read_unlock()"},
	OpNextConsumerLink:    {name: "next link in links.consumers", mem: memDev},
	OpAsyncSchedule:       {name: "async_schedule_dev_nocall", sleeps: true, mem: memDev},
	OpWorkerStart:         {name: "worker picks up async entry"},
	OpAsyncEntryDone:      {name: "async entry done"},
	OpAsyncSyncFull:       {name: "async_synchronize_full()", sleeps: true},
	OpKillDevice:          {name: "kill_device", mem: memDevP},
	OpKlistDel:            {name: "klist_del", mem: memDevP},
	OpLinkDel:             {name: "__device_link_del", mem: memDev},
	OpLinkRelease:         {name: "device_link_release_fn", sleeps: true},
	OpListAddTail:         {name: "list_add_tail", list: true, mem: memDev},
	OpLinkAdd:             {name: "device_link_add", mem: memDev},
	OpKlistAdd:            {name: "klist_add_tail", mem: memDevP},
	OpParamWrite:          {name: "param_set_bool(core.async_shutdown)"},
	OpAsyncScheduleDomain: {name: "async_schedule_domain"},
	OpAsyncSyncCookie:     {name: "async_synchronize_cookie_domain", sleeps: true},
	OpSetAfter:            {name: "shutdown_after =", mem: memDevP},
	OpReadAfter:           {name: "read shutdown_after", mem: memDevP},
	OpReadParent:          {name: "read dev->parent", mem: memDev},
	OpReadDead:            {name: "read dev->p->dead", mem: memDevP},
	OpClearAsync:          {name: "dev_clear_async_shutdown", mem: memDev},
	OpNextSupplierLink:    {name: "next link in links.suppliers", mem: memDev},
	OpKsetMoveLast:        {name: "devices_kset_move_last", mem: memDev},
	OpReorderDone:         {name: "device_reorder_to_tail done"},
	OpKsetMoveAfter:       {name: "devices_kset_move_after", mem: memDev},
	OpKsetMoveBefore:      {name: "devices_kset_move_before", mem: memDev},
	OpDevicePMLock:        {name: "device_pm_lock", sleeps: true},
	OpDevicePMUnlock:      {name: "device_pm_unlock"},
	OpSetParent:           {name: "dev->parent = new_parent", mem: memDev},
	OpKlistRemoveWait:     {name: "klist_remove: wait for the node's release", sleeps: true, mem: memDevP},
	OpDevicePMAdd:         {name: "device_pm_add", sleeps: true, mem: memDev},
	OpDevicePMRemove:      {name: "device_pm_remove", sleeps: true, mem: memDev},
	OpDeviceAddStart:      {name: "device_private_init; get_device(dev->parent)", sleeps: true, mem: memDev},
	OpFreeDevP:            {name: "kfree(dev->p); dev->p = NULL", mem: memDev},
	OpReturn:              {name: "device_shutdown() returns"},
	OpAsyncSyncFullDomain: {name: "async_synchronize_full_domain", sleeps: true, mem: memDevP, nullOK: true}, // NULL: a static domain
	OpSetNext:             {name: "shutdown.next =", mem: memDevP},
	OpReadNext:            {name: "read shutdown.next", mem: memDevP},
}

// Sleeps reports whether the operation may sleep.
func (o OpKind) Sleeps() bool { return opInfos[o].sleeps }

// String returns the kernel call the operation models.
func (o OpKind) String() string { return opInfos[o].name }
