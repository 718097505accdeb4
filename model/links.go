package model

// Device links: dev->links.consumers, read under the device-links SRCU read
// lock. A link holds a reference on both its supplier and its consumer.

// DeviceLinksReadLock models idx = device_links_read_lock().
func (k *Kernel) DeviceLinksReadLock() bool {
	if k.op(OpLinksReadLock, NoDev, true) {
		return false
	}
	k.wr(srcuObj(k.tid))
	k.t.SRCU++
	return true
}

// DeviceLinksReadUnlock models device_links_read_unlock(idx).
func (k *Kernel) DeviceLinksReadUnlock() bool {
	if k.op(OpLinksReadUnlock, NoDev, true) {
		return false
	}
	k.wr(srcuObj(k.tid))
	if k.t.SRCU == 0 {
		k.ev.Fault |= FaultUnlockNotOwner
	} else {
		k.t.SRCU--
	}
	return true
}

// NextConsumerLink models one step of dev_for_each_link_to_consumer(link, dev):
// from position pos in dev->links.consumers (-1: the start) it moves to the
// next link and returns its position, or -1 at the end of the list.
func (k *Kernel) NextConsumerLink(dev DevID, pos int16) (int16, bool) {
	if k.op(OpNextConsumerLink, dev, true) {
		return -1, false
	}
	return k.nextOnList(k.m.Top.Consumers(dev), pos), true
}

// NextSupplierLink models one step of list_for_each_entry_rcu(link,
// &dev->links.suppliers, c_node): like NextConsumerLink, on the suppliers.
func (k *Kernel) NextSupplierLink(dev DevID, pos int16) (int16, bool) {
	if k.op(OpNextSupplierLink, dev, true) {
		return -1, false
	}
	return k.nextOnList(k.m.Top.Suppliers(dev), pos), true
}

// nextOnList returns the position after pos of the next link of links that
// is still on the lists (not list_del_rcu()ed), or -1.
func (k *Kernel) nextOnList(links []int, pos int16) int16 {
	for _, l := range links {
		k.rd(linkObj(l))
	}
	next := pos + 1
	for int(next) < len(links) && k.s.Links[links[next]]&LinkPresent == 0 {
		next++
	}
	if int(next) >= len(links) {
		next = -1
	}
	k.ev.Val = next
	return next
}

// ConsumerLink returns the link at position pos of dev->links.consumers.
func (k *Kernel) ConsumerLink(dev DevID, pos int16) Link {
	return k.m.Top.Links[k.m.Top.Consumers(dev)[pos]]
}

// SupplierLink returns the link at position pos of dev->links.suppliers.
func (k *Kernel) SupplierLink(dev DevID, pos int16) Link {
	return k.m.Top.Links[k.m.Top.Suppliers(dev)[pos]]
}

// PurgeNextLink models one __device_link_del() of device_links_purge(dev):
// the next link of dev still on the link lists leaves them (list_del_rcu);
// SRCU readers already past it may still use it. It returns the link, or -1
// when dev has none left. (device_links_write_lock(), which serializes
// purges, is not modeled.) __device_link_del() also unregisters the link's
// own struct device, whose release, devlink_dev_release(), queues
// device_link_release_fn() on device_link_wq: the link's references go on
// that workqueue, in a thread of its own, not in device_del().
func (k *Kernel) PurgeNextLink(dev DevID) (int, bool) {
	if k.op(OpLinkDel, dev, true) {
		return -1, false
	}
	k.touchLinks(dev)
	l := k.s.linkOf(k.m.Top, dev, LinkPresent, LinkReleased)
	k.ev.Val = int16(l)
	if l >= 0 {
		k.s.Links[l] = k.s.Links[l]&^LinkPresent | LinkPurged
		k.ev.Spawn = k.spawn(linkReleaseThread(l))
	}
	return l, true
}

// LinkReleaseFn models device_link_release_fn() of link l on device_link_wq:
// device_link_synchronize_removal() (synchronize_srcu()), then put_device()
// of the consumer and of the supplier, then kfree(link).
//
// synchronize_srcu() waits for the readers that were inside
// device_links_read_lock() when it began; modeled, it waits until no thread
// is inside. The readers it waits for in addition came later and reach
// devices only through references of their own (their device, a pinned
// klist node, a link still on the lists), so the later puts hide no use
// after free, and since no thread ever waits for this one, the longer wait
// closes no wait-for cycle.
func (k *Kernel) LinkReleaseFn(l int) bool {
	if k.op(OpLinkRelease, NoDev, !k.s.srcuReaders()) {
		k.ev.Val = int16(l)
		return false
	}
	k.ev.Val = int16(l)
	k.wr(linkObj(l))
	for i := range k.s.Threads {
		k.rd(srcuObj(TID(i))) // synchronize_srcu() waits for every reader
	}
	k.s.Links[l] |= LinkReleased
	k.krefEnv(k.m.Top.Links[l].Consumer, -1)
	k.krefEnv(k.m.Top.Links[l].Supplier, -1)
	return true
}

// AddLink models device_link_add() of link l by fw_devlink as dev
// registers (fw_devlink_link_device(), after device_pm_add()), under
// device_pm_lock(): the link joins both link lists and takes a reference on
// both ends if it is not there yet and its other end is registered. It
// reports whether the link was added. Registered is what device_link_add()
// checks of the supplier, device_pm_initialized() (on dpm_list:
// device_pm_add() done, device_pm_remove() not yet); a device that
// shutdown took off devices_kset, or whose entry is queued, is still
// registered. Of a consumer fw_devlink asks the same (its fwnode has a
// device). A managed (not sync_state_only) link then moves the consumer's
// part of devices_kset to the tail: see ReorderToTail.
func (k *Kernel) AddLink(dev DevID, l int) (bool, bool) {
	if k.op(OpLinkAdd, dev, true) {
		k.ev.Val = int16(l)
		return false, false
	}
	link := k.m.Top.Links[l]
	other := link.Supplier
	if other == dev {
		other = link.Consumer
	}
	k.wr(linkObj(l))
	k.rd(devObj(objDevReg, other))
	k.ev.Val = int16(l)
	if k.s.Links[l] != 0 || !k.s.Dev[other].Has(FlagInDPMList) {
		k.ev.Ref = -1 // refused (or there already)
		return false, true
	}
	k.s.Links[l] |= LinkPresent
	k.krefEnv(link.Consumer, +1)
	k.krefEnv(link.Supplier, +1)
	return true, true
}

// touchLinks records a write of every link of dev.
func (k *Kernel) touchLinks(dev DevID) {
	for i, l := range k.m.Top.Links {
		if l.Supplier == dev || l.Consumer == dev {
			k.wr(linkObj(i))
		}
	}
}

// linkOf returns the first link of dev that has flag and lacks not, or -1.
func (s *State) linkOf(t *Topology, dev DevID, flag, not LinkFlags) int {
	for i, l := range t.Links {
		if st := s.Links[i]; (l.Supplier == dev || l.Consumer == dev) && st&flag != 0 && st&not == 0 {
			return i
		}
	}
	return -1
}

// srcuReaders reports whether a thread is inside device_links_read_lock().
func (s *State) srcuReaders() bool {
	for i := range s.Threads {
		if s.Threads[i].SRCU > 0 {
			return true
		}
	}
	return false
}
