package model

import (
	"fmt"
	"slices"
	"strings"
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

// actorAddFail makes the device_add() of hot-added devices fail after
// kobject_add(): the device is on devices_kset for a while, then
// kobject_del(), put_device(parent), kfree(dev->p); dev->p = NULL.
var actorAddFail = &ScenarioField{Name: "add_fail", Kind: DevicesField,
	Usage:   "hot-added devices whose device_add() fails after kobject_add() (dev->p freed and set to NULL)",
	Devices: func(s *Scenario) *[]string { return &s.AddFail }, Baseline: true,
	check: func(t *Topology, ids []DevID) error {
		for _, d := range ids {
			if !slices.Contains(t.Scenario.HotAdd, t.Devices[d].Name) {
				return fmt.Errorf("add_fail names %q, which hot_add does not add", t.Devices[d].Name)
			}
			for i := range t.Devices {
				if t.Devices[i].Parent == d && slices.Contains(t.Scenario.HotAdd, t.Devices[i].Name) {
					return fmt.Errorf("add_fail names %q, whose child %q is hot-added: it would never register", t.Devices[d].Name, t.Devices[i].Name)
				}
			}
		}
		return nil
	}}

// actorMove is a concurrent device_move(dev, new_parent, dpm_order) per
// entry, as upstream's drivers/base/core.c does it.
var actorMove = &ScenarioField{Name: "move", Kind: MovesField,
	Usage: "concurrent device_move(DEV, PARENT, ORDER)s, as DEV>PARENT@ORDER (PARENT empty for NULL; ORDER none, dev_after_parent, parent_before_dev or dev_last)",
	Moves: func(s *Scenario) *[]Move { return &s.Move }, Baseline: true,
	check: func(t *Topology, _ []DevID) error {
		var moved []DevID
		for _, mv := range t.Scenario.Move {
			if err := t.checkMove(mv, moved); err != nil {
				return err
			}
			moved = append(moved, t.Index(mv.Device))
		}
		return nil
	},
	start: func(m *Machine, s *State) {
		for i := range m.moves {
			t := actorThread(fnDeviceMove, m.moves[i].dev)
			t.Frames[0].Aux = int16(i)
			s.Threads = append(s.Threads, t)
		}
	}}

// checkMove validates one move: a registered device (not also deleted: the
// kernel serializes those), moved once, under a registered parent that is
// not its own descendant, with a dpm_order that needs a parent only when
// there is one.
func (t *Topology) checkMove(mv Move, moved []DevID) error {
	d := t.Index(mv.Device)
	switch {
	case d == NoDev:
		return fmt.Errorf("move names unknown device %q", mv.Device)
	case !t.Devices[d].Present:
		return fmt.Errorf("move names %q, which is not present", mv.Device)
	case slices.Contains(t.Scenario.Remove, mv.Device):
		return fmt.Errorf("move names %q, which remove deletes too", mv.Device)
	case slices.Contains(moved, d):
		return fmt.Errorf("move names %q twice", mv.Device)
	case !slices.Contains(DPMOrders, mv.Order):
		return fmt.Errorf("move of %q: order %q is not one of %s", mv.Device, mv.Order, strings.Join(DPMOrders, ", "))
	case mv.Parent == "" && (mv.Order == "dev_after_parent" || mv.Order == "parent_before_dev"):
		return fmt.Errorf("move of %q to NULL: order %s needs a parent", mv.Device, mv.Order)
	case mv.Parent == "":
		return nil
	}
	p := t.Index(mv.Parent)
	switch {
	case p == NoDev:
		return fmt.Errorf("move of %q names unknown parent %q", mv.Device, mv.Parent)
	case !t.Devices[p].Present:
		return fmt.Errorf("move of %q to %q, which is not present", mv.Device, mv.Parent)
	}
	for a := p; a != NoDev; a = t.Devices[a].Parent {
		if a == d {
			return fmt.Errorf("move of %q under %q, its own descendant", mv.Device, mv.Parent)
		}
	}
	return nil
}

// move is a device_move() of the machine's scenario, resolved.
type move struct {
	dev, parent DevID
	order       string
}

// device_move(dev, new_parent, dpm_order), as upstream has it. Frame: Dev =
// dev, Aux = the move, Cur = old_parent.
func deviceMove(k *Kernel, f *Frame) {
	const (
		get = iota
		pmLock
		getParent
		setParent
		klistRemove
		klistRemoveWait
		klistAdd
		order
		putOld
		pmUnlock
		put
	)
	mv := k.m.moves[f.Aux]
	switch f.PC {
	case get: // dev = get_device(dev);
		if k.GetDevice(f.Dev) {
			f.PC = pmLock
		}
	case pmLock: // device_pm_lock();
		if k.DevicePMLock() {
			f.PC = getParent
		}
	case getParent: // new_parent = get_device(new_parent);
		if mv.parent == NoDev {
			f.PC = setParent
		} else if k.GetDevice(mv.parent) {
			f.PC = setParent
		}
	case setParent: // kobject_move(); old_parent = dev->parent; dev->parent = new_parent;
		if old, ok := k.SetParent(f.Dev, mv.parent); ok {
			f.Cur, f.PC = old, klistAdd
			if old != NoDev {
				f.PC = klistRemove
			}
		}
	case klistRemove: // if (old_parent) klist_remove(&dev->p->knode_parent): klist_del(), then
		if k.KlistDel(f.Dev) {
			f.PC = klistRemoveWait
		}
	case klistRemoveWait: // ... wait until no iterator holds the node
		if k.KlistRemoveWait(f.Dev, f.Cur) {
			f.PC = klistAdd
		}
	case klistAdd: // if (new_parent) klist_add_tail(&dev->p->knode_parent, &new_parent->p->klist_children);
		if mv.parent == NoDev {
			f.PC = order
		} else if k.KlistAdd(f.Dev) {
			f.PC = order
		}
	case order: // switch (dpm_order): DPM_ORDER_NONE: break; else devices_kset_move_after/before/last()
		if mv.order == "none" {
			f.PC = putOld
		} else if k.DevicesKsetMove(f.Dev, mv.parent, mv.order) {
			f.PC = putOld
		}
	case putOld: // put_device(old_parent);
		if f.Cur == NoDev {
			f.PC = pmUnlock
		} else if k.PutDevice(f.Cur) {
			f.PC = pmUnlock
		}
	case pmUnlock: // device_pm_unlock();
		if k.DevicePMUnlock() {
			f.PC = put
		}
	case put: // put_device(dev);
		if k.PutDevice(f.Dev) {
			k.Return(0)
		}
	}
}

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
	fnDeviceMove          = DefineFunc("device_move", deviceMove)
	fnDeviceReorderToTail = DefineFunc("device_reorder_to_tail", deviceReorderToTail)
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

// device_unregister(dev) = device_del(dev) + put_device(dev). Frame: Dev =
// dev, Cur = parent.
func deviceDel(k *Kernel, f *Frame) {
	const (
		lock = iota
		kill
		unlock
		klistDel
		pmRemove
		purge
		listLock
		listDel
		listUnlock
		putParent
		put
	)
	switch f.PC {
	case lock: // struct device *parent = dev->parent; device_lock(dev);
		if p, ok := k.DeviceLockReadParent(f.Dev); ok {
			f.Cur, f.PC = p, kill
		}
	case kill: // kill_device(dev);
		k.Call(f, unlock, k.m.Variant.killDevice(), f.Dev)
	case unlock: // device_unlock(dev);
		if k.DeviceUnlock(f.Dev) {
			f.PC = klistDel
		}
	case klistDel: // if (parent) klist_del(&dev->p->knode_parent);
		if f.Cur == NoDev {
			f.PC = pmRemove
		} else if k.KlistDel(f.Dev) {
			f.PC = pmRemove
		}
	case pmRemove: // device_pm_remove(dev);
		if k.DevicePMRemove(f.Dev) {
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
		if f.Cur == NoDev {
			f.PC = put
		} else if k.PutDevice(f.Cur) {
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
// Cur = parent, Aux = the next link fw_devlink tries (an index into the
// device's links).
func deviceAdd(k *Kernel, f *Frame) {
	const (
		getParent = iota
		listLock
		listAdd
		listUnlock
		pmAdd
		linkLock
		link
		linkUnlock
		klistAdd
		failLock
		failDel
		failUnlock
		failPutParent
		failFreeP
	)
	switch f.PC {
	case getParent: // device_private_init(dev); parent = get_device(dev->parent);
		if p, ok := k.DeviceAddStart(f.Dev); ok {
			f.Cur, f.PC = p, listLock
		}
	case listLock: // kobject_add() -> kobj_kset_join(): spin_lock(&kobj->kset->list_lock);
		if k.SpinLockList() {
			f.PC = listAdd
		}
	case listAdd: // list_add_tail(&kobj->entry, &kobj->kset->list);
		if k.KobjectAdd(f.Dev) {
			f.PC = listUnlock
		}
	case listUnlock: // spin_unlock(&kobj->kset->list_lock);
		if k.SpinUnlockList() {
			f.PC = pmAdd
			if k.m.addFail[f.Dev] { // error = device_add_attrs(dev) ... fails: goto attrError;
				f.PC = failLock
			}
		}
	case failLock: // attrError: kobject_del(&dev->kobj): spin_lock(&kobj->kset->list_lock);
		if k.SpinLockList() {
			f.PC = failDel
		}
	case failDel: // list_del_init(&kobj->entry);
		if k.KobjectDel(f.Dev) {
			f.PC = failUnlock
		}
	case failUnlock: // spin_unlock(&kobj->kset->list_lock);
		if k.SpinUnlockList() {
			f.PC = failPutParent
		}
	case failPutParent: // parent_error: put_device(parent);
		if f.Cur == NoDev {
			f.PC = failFreeP
		} else if k.PutDevice(f.Cur) {
			f.PC = failFreeP
		}
	case failFreeP: // name_error: kfree(dev->p); dev->p = NULL; return error;
		if k.FreeDevP(f.Dev) {
			k.Return(-1)
		}
	case pmAdd: // device_pm_add(dev);
		if k.DevicePMAdd(f.Dev) {
			f.Aux, f.PC = 0, linkLock
		}
	case linkLock: // fw_devlink_link_device(dev): for each link: device_link_add(): device_pm_lock();
		switch {
		case int(f.Aux) >= len(k.m.linksOf[f.Dev]):
			f.PC = klistAdd
		case k.DevicePMLock():
			f.PC = link
		}
	case link: // the link joins both lists if the other end is registered
		if added, ok := k.AddLink(f.Dev, k.m.linksOf[f.Dev][f.Aux]); ok {
			f.PC = linkUnlock
			if l := k.Topology().Links[k.m.linksOf[f.Dev][f.Aux]]; added && !l.SyncStateOnly {
				k.Call(f, linkUnlock, fnDeviceReorderToTail, l.Consumer).Aux = 0 // device_reorder_to_tail(consumer, NULL);
			}
		}
	case linkUnlock: // device_pm_unlock();
		if k.DevicePMUnlock() {
			f.Aux, f.PC = f.Aux+1, linkLock
		}
	case klistAdd: // if (parent) klist_add_tail(&dev->p->knode_parent, &parent->p->klist_children);
		if f.Cur == NoDev {
			k.Return(0)
		} else if k.KlistAdd(f.Dev) {
			k.Return(0)
		}
	}
}

// device_reorder_to_tail(consumer) of device_link_add(), one
// devices_kset_move_last() a step. Frame: Dev = consumer, Aux = the walk's
// position.
func deviceReorderToTail(k *Kernel, f *Frame) {
	if next, ok := k.ReorderToTail(f.Dev, int(f.Aux)); ok {
		f.Aux = int16(next)
		if next < 0 {
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
