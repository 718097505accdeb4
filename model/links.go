package model

// Device links: dev->links.consumers, read under the device-links SRCU read
// lock. A link holds a reference on both its supplier and its consumer.

// DeviceLinksReadLock models idx = device_links_read_lock().
func (k *Kernel) DeviceLinksReadLock() bool {
	if k.op(OpLinksReadLock, NoDev, true) {
		return false
	}
	k.t.SRCU++
	return true
}

// DeviceLinksReadUnlock models device_links_read_unlock(idx).
func (k *Kernel) DeviceLinksReadUnlock() bool {
	if k.op(OpLinksReadUnlock, NoDev, true) {
		return false
	}
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
	next := pos + 1
	if int(next) >= len(k.m.Top.Consumers(dev)) {
		next = -1
	}
	k.ev.Val = next
	return next, true
}

// ConsumerLink returns the link at position pos of dev->links.consumers.
func (k *Kernel) ConsumerLink(dev DevID, pos int16) Link {
	return k.m.Top.Links[k.m.Top.Consumers(dev)[pos]]
}
