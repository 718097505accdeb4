package model

import "fmt"

// Describe renders an executed step the way a kernel developer would write
// it: the call with its device, and its result. s is the state after the
// step (it names spawned threads).
func (m *Machine) Describe(s *State, ev Event) string {
	name := m.Top.DevName
	dev := name(ev.Dev)
	if ev.Fault&FaultNullDeref != 0 {
		return fmt.Sprintf("%s on %s: %s->p is NULL", ev.Kind, dev, dev)
	}
	switch ev.Kind {
	case OpListLast:
		if DevID(ev.Val) == NoDev {
			return "list_empty(&devices_kset->list)"
		}
		return fmt.Sprintf("dev = list_last_entry(&devices_kset->list) = %s", name(DevID(ev.Val)))
	case OpListPrev:
		if DevID(ev.Val) == NoDev {
			return fmt.Sprintf("list_prev_entry(%s) = the list head", dev)
		}
		return fmt.Sprintf("list_prev_entry(%s) = %s", dev, name(DevID(ev.Val)))
	case OpListDelInit:
		return fmt.Sprintf("list_del_init(&%s->kobj.entry)", dev)
	case OpGetDevice, OpPutDevice:
		return fmt.Sprintf("%s(%s): refcount %d%s", ev.Kind, dev, ev.Ref, freed(ev))
	case OpGetParent:
		if DevID(ev.Val) == NoDev {
			return fmt.Sprintf("get_device(%s->parent) = NULL", dev)
		}
		return fmt.Sprintf("parent = get_device(%s->parent) = %s: refcount %d", dev, name(DevID(ev.Val)), ev.Ref)
	case OpDeviceLock, OpDeviceUnlock:
		return fmt.Sprintf("%s(%s)", ev.Kind, dev)
	case OpReadParam:
		return fmt.Sprintf("core.async_shutdown == %t", ev.Val != 0)
	case OpWantsAsync:
		return fmt.Sprintf("wants_async_shutdown(%s) = %t", dev, ev.Val != 0)
	case OpShutdownStart, OpShutdownEnd:
		return fmt.Sprintf("%s: %s", dev, ev.Kind)
	case OpCompleteAll, OpWaitCompletion:
		return fmt.Sprintf("%s(&%s->p->complete)", ev.Kind, dev)
	case OpKlistNext:
		return fmt.Sprintf("next_device(&%s->p->klist_children) = %s", dev, name(DevID(ev.Val)))
	case OpNextConsumerLink:
		if ev.Val < 0 {
			return fmt.Sprintf("end of %s->links.consumers", dev)
		}
		l := m.Top.Links[m.Top.Consumers(ev.Dev)[ev.Val]]
		sso := ""
		if l.SyncStateOnly {
			sso = " (sync_state_only: skipped)"
		}
		return fmt.Sprintf("link %s -> consumer %s%s", dev, name(l.Consumer), sso)
	case OpAsyncSchedule:
		switch {
		case ev.Alt == AltFail:
			return fmt.Sprintf("async_schedule_dev_nocall(%s) = false: kzalloc(GFP_KERNEL) failed (injected)", dev)
		case ev.Val == 0:
			return fmt.Sprintf("async_schedule_dev_nocall(%s) = false: more than MAX_WORK entries", dev)
		}
		return fmt.Sprintf("async_schedule_dev_nocall(%s) = true: queued %s", dev, m.ThreadName(s, ev.Spawn))
	case OpWorkerStart:
		fn := FuncID(s.Threads[ev.Thread].Frames[0].Aux)
		return fmt.Sprintf("kworker picks up the entry: %s(%s)", fn, dev)
	case OpAsyncEntryDone:
		return fmt.Sprintf("entry for %s done: wake_up(&async_done)", dev)
	case OpKillDevice:
		return fmt.Sprintf("%s->p->dead = true", dev)
	case OpKlistDel:
		return fmt.Sprintf("klist_del(&%s->p->knode_parent)", dev)
	case OpKlistAdd:
		return fmt.Sprintf("klist_add_tail(&%s->p->knode_parent, &%s->p->klist_children)", dev, name(DevID(ev.Val)))
	case OpListAddTail:
		return fmt.Sprintf("list_add_tail(&%s->kobj.entry, &devices_kset->list)", dev)
	case OpLinkDel, OpLinkRelease, OpLinkAdd:
		if ev.Val < 0 {
			return fmt.Sprintf("%s: no link of %s left", ev.Kind, dev)
		}
		l := m.Top.Links[ev.Val]
		link := fmt.Sprintf("link %s -> %s", name(l.Supplier), name(l.Consumer))
		switch ev.Kind {
		case OpLinkDel:
			return "__device_link_del(" + link + "): list_del_rcu() from both lists; device_link_release_fn() queued on device_link_wq"
		case OpLinkRelease:
			return "device_link_release_fn(" + link + "): synchronize_srcu(); put_device() both ends"
		}
		return "device_link_add(" + link + "): get_device() both ends"
	case OpKsetMoveLast:
		return fmt.Sprintf("device_reorder_to_tail: devices_kset_move_last(%s): list_move_tail() to the tail of devices_kset", dev)
	case OpReorderDone:
		return fmt.Sprintf("device_reorder_to_tail(%s): nothing more to move", dev)
	case OpKsetMoveAfter:
		return fmt.Sprintf("devices_kset_move_after(%s, %s): list_move()", dev, name(DevID(ev.Val)))
	case OpKsetMoveBefore:
		return fmt.Sprintf("devices_kset_move_before(%s, %s): list_move_tail()", dev, name(DevID(ev.Val)))
	case OpSetParent:
		return fmt.Sprintf("%s->parent = %s", dev, name(DevID(ev.Val)))
	case OpKlistRemoveWait:
		return fmt.Sprintf("klist_remove(&%s->p->knode_parent): the node is released", dev)
	case OpDevicePMLock, OpDevicePMUnlock:
		return ev.Kind.String() + "()"
	case OpDevicePMAdd, OpDevicePMRemove, OpFreeDevP:
		return fmt.Sprintf("%s(%s)", ev.Kind, dev)
	case OpDeviceAddStart:
		return fmt.Sprintf("device_private_init(%s); get_device(%s->parent) = %s", dev, dev, name(DevID(ev.Val)))
	case OpParamWrite:
		return fmt.Sprintf("core.async_shutdown = %t", ev.Val != 0)
	case OpAsyncScheduleDomain:
		if ev.Spawn == NoThread {
			return fmt.Sprintf("async_schedule_domain(%s) = %d: kzalloc(GFP_ATOMIC) failed, run synchronously", dev, ev.Val)
		}
		return fmt.Sprintf("async_schedule_domain(%s) = cookie %d: queued %s", dev, ev.Val, m.ThreadName(s, ev.Spawn))
	case OpAsyncSyncCookie:
		return fmt.Sprintf("async_synchronize_cookie_domain(%d, &sd_domain)", ev.Val)
	case OpSetAfter:
		return fmt.Sprintf("%s->p->shutdown_after = %d", dev, ev.Val)
	case OpReadAfter:
		return fmt.Sprintf("%s->p->shutdown_after == %d", dev, ev.Val)
	case OpReadParent:
		return fmt.Sprintf("%s->parent == %s", dev, name(DevID(ev.Val)))
	case OpReadDead:
		return fmt.Sprintf("%s->p->dead == %t", dev, ev.Val != 0)
	case OpClearAsync:
		return fmt.Sprintf("dev_clear_async_shutdown(%s)", dev)
	case OpNextSupplierLink:
		if ev.Val < 0 {
			return fmt.Sprintf("end of %s->links.suppliers", dev)
		}
		l := m.Top.Links[m.Top.Suppliers(ev.Dev)[ev.Val]]
		sso := ""
		if l.SyncStateOnly {
			sso = " (sync_state_only)"
		}
		return fmt.Sprintf("link %s -> supplier %s%s", dev, name(l.Supplier), sso)
	}
	return ev.Kind.String()
}

func freed(ev Event) string {
	if ev.Kind == OpPutDevice && ev.Ref == 0 {
		return " (device_release: freed)"
	}
	return ""
}

// FaultText names each kernel rule in f that a step broke, in the kernel's words.
func FaultText(f Fault) []string {
	var out []string
	for _, x := range []struct {
		f    Fault
		text string
	}{
		{FaultSleepInAtomic, "BUG: sleeping function called from invalid context"},
		{FaultUseAfterFree, "BUG: KASAN: use-after-free"},
		{FaultRefUnderflow, "refcount_t: underflow; use-after-free"},
		{FaultListUnlocked, "devices_kset->list used without list_lock"},
		{FaultUnlockNotOwner, "WARNING: bad unlock balance detected"},
		{FaultLockHeldAtExit, "BUG: lock held when returning to user space / thread exit"},
		{FaultNullDeref, "BUG: kernel NULL pointer dereference"},
	} {
		if f&x.f != 0 {
			out = append(out, x.text)
		}
	}
	return out
}
