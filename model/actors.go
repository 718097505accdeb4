package model

import (
	"fmt"
	"slices"
)

// Environment actors: threads that run beside device_shutdown() when a
// scenario enables them, each declared once as a scenario field (see
// ScenarioFields). device_del() sets dead, leaves the parent's klist,
// purges its links, leaves devices_kset under list_lock and drops its
// references; device_add() joins devices_kset before it appears on its
// parent's klist; a writer flips core.async_shutdown.

var (
	actorRemove = &ScenarioField{Name: "remove", Kind: DevicesField,
		Usage:   "devices a concurrent device_del() deletes",
		Devices: func(s *Scenario) *[]string { return &s.Remove }, Baseline: true,
		check: func(t *Topology, ids []DevID) error {
			for _, d := range ids {
				if !t.Devices[d].Present {
					return fmt.Errorf("remove names %q, which is not present", t.Devices[d].Name)
				}
			}
			return nil
		},
		start: func(m *Machine, s *State) { startEach(m, s, m.Scenario.Remove, fnDeviceDel) }}
	actorHotAdd = &ScenarioField{Name: "hot_add", Kind: DevicesField,
		Usage:   "absent devices a concurrent device_add() registers",
		Devices: func(s *Scenario) *[]string { return &s.HotAdd }, Baseline: true,
		check: func(t *Topology, ids []DevID) error {
			for _, d := range ids {
				dev := t.Devices[d]
				switch {
				case dev.Present:
					return fmt.Errorf("hot_add names %q, which is already present (set present: false)", dev.Name)
				case dev.Parent != NoDev && !t.Devices[dev.Parent].Present && !slices.Contains(ids, dev.Parent):
					return fmt.Errorf("hot_add names %q, whose parent %q is neither present nor hot-added: device_add() of a child needs its parent registered", dev.Name, t.Devices[dev.Parent].Name)
				}
			}
			return nil
		},
		start: func(m *Machine, s *State) { startEach(m, s, m.Scenario.HotAdd, fnDeviceAdd) }}
	actorParamToggle = &ScenarioField{Name: "param_toggle", Kind: BoolField,
		Usage: "a writer may flip core.async_shutdown once",
		Bool:  func(s *Scenario) *bool { return &s.ParamToggle },
		start: func(m *Machine, s *State) {
			if m.Scenario.ParamToggle {
				s.Threads = append(s.Threads, actorThread(fnParamSetAsync, NoDev))
			}
		}}
)

// startEach starts one thread running fn(dev) for each device named.
func startEach(m *Machine, s *State, names []string, fn FuncID) {
	for _, name := range names {
		s.Threads = append(s.Threads, actorThread(fn, m.Top.Index(name)))
	}
}

var (
	fnDeviceDel           = DefineFunc("device_del", deviceDel)
	fnDeviceAdd           = DefineFunc("device_add", deviceAdd)
	fnParamSetAsync       = DefineFunc("param_set_bool", paramSetBool)
	fnDeviceLinkReleaseFn = DefineFunc("device_link_release_fn", deviceLinkReleaseFn)
	fnKillDevice          = DefineFunc("kill_device", killDevice)
)

// actorThread returns a thread that runs fn(dev).
func actorThread(fn FuncID, dev DevID) Thread {
	t := Thread{Kind: KindActor, Status: Running, Dev: dev, Depth: 1}
	t.Frames[0] = Frame{Fn: fn, Dev: dev, Cur: NoDev, Dev2: NoDev, Aux: -1}
	return t
}

// KillDevice models the test and the write of dev->p->dead in
// kill_device(dev): if (dev->p->dead) return false; dev->p->dead = true;
func (k *Kernel) KillDevice(dev DevID) bool {
	if k.op(OpKillDevice, dev, true) {
		return false
	}
	k.wr(devObj(objDevDead, dev))
	k.s.Dev[dev].Flags |= FlagDead
	return true
}

// kill_device(dev) before the series (and up to v16), called under
// device_lock(dev) in device_del(). A version that changed it (v17)
// passes its own in Variant.KillDevice.
func killDevice(k *Kernel, f *Frame) {
	if k.KillDevice(f.Dev) { // if (dev->p->dead) return false; dev->p->dead = true; return true;
		k.Return(1)
	}
}

// device_unregister(dev) = device_del(dev) + put_device(dev). Frame: Dev = dev.
func deviceDel(k *Kernel, f *Frame) {
	const (
		lock = iota
		kill
		unlock
		klistDel
		purge
		listLock
		listDel
		listUnlock
		putParent
		put
	)
	top := k.Topology()
	parent := top.Devices[f.Dev].Parent
	switch f.PC {
	case lock: // device_lock(dev);
		if k.DeviceLock(f.Dev) {
			f.PC = kill
		}
	case kill: // kill_device(dev);
		k.Call(f, unlock, k.m.Variant.killDevice(), f.Dev)
	case unlock: // device_unlock(dev);
		if k.DeviceUnlock(f.Dev) {
			f.PC = klistDel
		}
	case klistDel: // if (parent) klist_del(&dev->p->knode_parent);
		if parent == NoDev {
			f.PC = purge
		} else if k.KlistDel(f.Dev) {
			f.PC = purge
		}
	case purge: // device_links_purge(dev): __device_link_del() on each of its links
		if l, ok := k.PurgeNextLink(f.Dev); ok && l < 0 {
			f.PC = listLock
		}
	case listLock: // kobject_del() -> kobj_kset_leave(): spin_lock(&kobj->kset->list_lock);
		if k.SpinLockList() {
			f.PC = listDel
		}
	case listDel: // list_del_init(&kobj->entry);
		if k.KobjectDel(f.Dev) {
			f.PC = listUnlock
		}
	case listUnlock: // spin_unlock(&kobj->kset->list_lock);
		if k.SpinUnlockList() {
			f.PC = putParent
		}
	case putParent: // put_device(parent);
		if parent == NoDev {
			f.PC = put
		} else if k.PutDevice(parent) {
			f.PC = put
		}
	case put: // put_device(dev); in device_unregister()
		if k.PutDevice(f.Dev) {
			k.Return(0)
		}
	}
}

// linkReleaseThread returns the device_link_wq work item that releases
// link l: device_link_release_fn(&link->rm_work). Frame: Aux = the link.
func linkReleaseThread(l int) Thread {
	t := actorThread(fnDeviceLinkReleaseFn, NoDev)
	t.Frames[0].Aux = int16(l)
	return t
}

// device_link_release_fn(work), queued by devlink_dev_release() when
// __device_link_del() unregisters the link.
func deviceLinkReleaseFn(k *Kernel, f *Frame) {
	if k.LinkReleaseFn(int(f.Aux)) {
		k.Return(0)
	}
}

// device_add(dev) of a device listed with present: false. Frame: Dev = dev,
// Dev2 = the consumer of a link just added, Aux = the position in its
// device_reorder_to_tail() walk.
func deviceAdd(k *Kernel, f *Frame) {
	const (
		getParent = iota
		listLock
		listAdd
		listUnlock
		links
		reorder
		klistAdd
	)
	parent := k.Topology().Devices[f.Dev].Parent
	switch f.PC {
	case getParent: // parent = get_device(dev->parent);
		if parent == NoDev {
			f.PC = listLock
		} else if k.GetRegisteredParent(parent) {
			f.PC = listLock
		}
	case listLock: // kobject_add() -> kobj_kset_join(): spin_lock(&kobj->kset->list_lock);
		if k.SpinLockList() {
			f.PC = listAdd
		}
	case listAdd: // list_add_tail(&kobj->entry, &kobj->kset->list); ... device_pm_add(dev);
		if k.KobjectAdd(f.Dev) {
			f.PC = listUnlock
		}
	case listUnlock: // spin_unlock(&kobj->kset->list_lock);
		if k.SpinUnlockList() {
			f.PC = links
		}
	case links: // fw_devlink_link_device(dev): device_link_add() for each link whose other end is registered
		if l, ok := k.AddNextLink(f.Dev); ok {
			switch {
			case l < 0:
				f.PC = klistAdd
			case !k.Topology().Links[l].SyncStateOnly: // reorder: device_reorder_to_tail(consumer, NULL);
				f.Dev2, f.Aux, f.PC = k.Topology().Links[l].Consumer, 0, reorder
			}
		}
	case reorder:
		if next, ok := k.ReorderToTail(f.Dev2, int(f.Aux)); ok {
			f.Aux = int16(next)
			if next < 0 {
				f.Dev2, f.PC = NoDev, links
			}
		}
	case klistAdd: // if (parent) klist_add_tail(&dev->p->knode_parent, &parent->p->klist_children);
		if parent == NoDev {
			k.Return(0)
		} else if k.KlistAdd(f.Dev) {
			k.Return(0)
		}
	}
}

// A write of the opposite value to /sys/module/core/parameters/async_shutdown
// (module_param(async_shutdown, bool, 0644)).
func paramSetBool(k *Kernel, f *Frame) {
	if k.ParamWrite() {
		k.Return(0)
	}
}

// ParamWrite models param_set_bool() flipping core.async_shutdown.
func (k *Kernel) ParamWrite() bool {
	if k.op(OpParamWrite, NoDev, true) {
		return false
	}
	k.wr(objParam)
	k.s.Param = !k.s.Param
	k.ev.Val = boolVal(k.s.Param)
	return true
}
