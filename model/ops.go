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
	numOps
)

type opInfo struct {
	name   string // kernel call, for traces
	sleeps bool   // might_sleep(): forbidden under a spinlock
	list   bool   // reads or writes devices_kset->list: needs list_lock
}

var opInfos = [numOps]opInfo{
	OpSpinLock:            {name: "spin_lock(&devices_kset->list_lock)"},
	OpSpinUnlock:          {name: "spin_unlock(&devices_kset->list_lock)"},
	OpListLast:            {name: "list_last_entry(&devices_kset->list)", list: true},
	OpListPrev:            {name: "list_prev_entry", list: true},
	OpListDelInit:         {name: "list_del_init", list: true},
	OpGetDevice:           {name: "get_device"},
	OpPutDevice:           {name: "put_device"},
	OpGetParent:           {name: "get_device(dev->parent)"},
	OpDeviceLock:          {name: "device_lock", sleeps: true},
	OpDeviceUnlock:        {name: "device_unlock"},
	OpReadParam:           {name: "read core.async_shutdown"},
	OpWantsAsync:          {name: "wants_async_shutdown"},
	OpShutdownStart:       {name: "->shutdown() starts", sleeps: true},
	OpShutdownEnd:         {name: "->shutdown() returns"},
	OpCompleteAll:         {name: "complete_all"},
	OpWaitCompletion:      {name: "wait_for_completion", sleeps: true},
	OpKlistNext:           {name: "next_device"},
	OpLinksReadLock:       {name: "device_links_read_lock()"},
	OpLinksReadUnlock:     {name: "device_links_read_unlock()"},
	OpNextConsumerLink:    {name: "next link in links.consumers"},
	OpAsyncSchedule:       {name: "async_schedule_dev_nocall", sleeps: true},
	OpWorkerStart:         {name: "worker picks up async entry"},
	OpAsyncEntryDone:      {name: "async entry done"},
	OpAsyncSyncFull:       {name: "async_synchronize_full()", sleeps: true},
	OpKillDevice:          {name: "kill_device"},
	OpKlistDel:            {name: "klist_del"},
	OpLinkDel:             {name: "__device_link_del"},
	OpLinkRelease:         {name: "device_link_release_fn", sleeps: true},
	OpListAddTail:         {name: "list_add_tail", list: true},
	OpLinkAdd:             {name: "device_link_add"},
	OpKlistAdd:            {name: "klist_add_tail"},
	OpParamWrite:          {name: "param_set_bool(core.async_shutdown)"},
	OpAsyncScheduleDomain: {name: "async_schedule_domain"},
	OpAsyncSyncCookie:     {name: "async_synchronize_cookie_domain", sleeps: true},
	OpSetAfter:            {name: "shutdown_after ="},
	OpReadAfter:           {name: "read shutdown_after"},
	OpReadParent:          {name: "read dev->parent"},
	OpReadDead:            {name: "read dev->p->dead"},
	OpClearAsync:          {name: "dev_clear_async_shutdown"},
	OpNextSupplierLink:    {name: "next link in links.suppliers"},
}

// Sleeps reports whether the operation may sleep.
func (o OpKind) Sleeps() bool { return opInfos[o].sleeps }

// String returns the kernel call the operation models.
func (o OpKind) String() string { return opInfos[o].name }
