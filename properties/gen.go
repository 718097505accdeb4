// Package properties holds rapid generators of device topologies and
// scenarios, a scheduler that draws every scheduling decision through
// rapid, and the property tests and fuzz targets built on them. Because the
// topology and the schedule are both rapid draws, rapid shrinks them
// together: a counterexample comes out with the fewest devices and the
// fewest preemptions.
package properties

import (
	"fmt"

	"github.com/shutdowncheck/shutdowncheck/model"
	"pgregory.net/rapid"
)

// Order says how a generated devices_kset list relates to the dependencies.
type Order int

const (
	// Consistent lists put every parent before its children and every
	// supplier of a non-sync_state_only link before its consumer, as
	// device_add() and device_link_add() keep them.
	Consistent Order = iota
	// Misordered lists start consistent and then move devices, as
	// device_move(..., DPM_ORDER_NONE) does, so parents or suppliers can end
	// up after their children or consumers; sync_state_only links are drawn
	// in either direction, as fw_devlink's proxy links are.
	Misordered
)

// deviceDraw is one device as drawn. Relations name devices by label, and
// the list order comes from priorities, so that deleting a device from the
// drawn list leaves every other device and relation as it was: what rapid
// needs to shrink a topology device by device.
type deviceDraw struct {
	label, parent, priority int // parent: a label; no parent if no earlier device has it
	async, needParentLock   bool
}

type linkDraw struct {
	supplier, consumer int // labels
	syncStateOnly      bool
}

// TopologyGen draws topologies of 1..maxDevices devices with at most
// maxLinks links. Devices are created in the order drawn; a parent is an
// earlier device, and a non-sync_state_only supplier an earlier device than
// its consumer. Consistent lists order the devices by priority among those
// whose parent and suppliers are placed; Misordered lists by priority alone,
// so a parent or supplier can come after its child or consumer.
func TopologyGen(maxDevices, maxLinks int, order Order) *rapid.Generator[*model.Topology] {
	labels := 2 * maxDevices
	device := rapid.Custom(func(t *rapid.T) deviceDraw {
		return deviceDraw{
			label:          rapid.IntRange(0, labels).Draw(t, "label"),
			parent:         rapid.IntRange(0, labels).Draw(t, "parent"),
			priority:       rapid.IntRange(0, 15).Draw(t, "priority"),
			async:          rapid.Bool().Draw(t, "async"),
			needParentLock: rapid.IntRange(0, 3).Draw(t, "need_parent_lock") == 0,
		}
	})
	link := rapid.Custom(func(t *rapid.T) linkDraw {
		return linkDraw{rapid.IntRange(0, labels).Draw(t, "supplier"), rapid.IntRange(0, labels).Draw(t, "consumer"),
			rapid.Bool().Draw(t, "sync_state_only")}
	})
	return rapid.Custom(func(t *rapid.T) *model.Topology {
		draws := rapid.SliceOfN(device, 1, maxDevices).Draw(t, "devices")
		byLabel := map[int]int{} // label -> first device with it
		for i, d := range draws {
			if _, dup := byLabel[d.label]; !dup {
				byLabel[d.label] = i
			}
		}
		created := make([]model.Device, len(draws))
		for i, dd := range draws {
			d := model.Device{Name: fmt.Sprintf("dev%d", i), Parent: model.NoDev, Present: true, Async: dd.async}
			if p, ok := byLabel[dd.parent]; ok && p < i {
				d.Parent, d.NeedParentLock = model.DevID(p), dd.needParentLock
			}
			created[i] = d
		}
		var links []model.Link
		for _, ld := range rapid.SliceOfN(link, 0, maxLinks).Draw(t, "links") {
			s, ok1 := byLabel[ld.supplier]
			c, ok2 := byLabel[ld.consumer]
			if !ok1 || !ok2 || s == c || linked(links, s, c) || !ld.syncStateOnly && s > c {
				continue // a real dependency goes from an older device to a newer one
			}
			links = append(links, model.Link{Supplier: model.DevID(s), Consumer: model.DevID(c), SyncStateOnly: ld.syncStateOnly})
		}
		prio := make([]int, len(draws))
		for i, d := range draws {
			prio[i] = d.priority
		}
		return build(created, links, listOrder(created, links, prio, order == Consistent))
	})
}

func linked(links []model.Link, s, c int) bool {
	for _, l := range links {
		if int(l.Supplier) == s && int(l.Consumer) == c || int(l.Supplier) == c && int(l.Consumer) == s {
			return true
		}
	}
	return false
}

// listOrder returns a devices_kset order (device numbers, head first): by
// priority (then creation), and, when consistent, only once a device's
// parent and non-sync_state_only suppliers are placed.
func listOrder(devs []model.Device, links []model.Link, prio []int, consistent bool) []int {
	placed := make([]bool, len(devs))
	ready := func(i int) bool {
		if !consistent {
			return true
		}
		if p := devs[i].Parent; p != model.NoDev && !placed[p] {
			return false
		}
		for _, l := range links {
			if !l.SyncStateOnly && int(l.Consumer) == i && !placed[l.Supplier] {
				return false
			}
		}
		return true
	}
	var order []int
	for len(order) < len(devs) {
		best := -1
		for i := range devs {
			if !placed[i] && ready(i) && (best < 0 || prio[i] < prio[best]) {
				best = i
			}
		}
		placed[best] = true
		order = append(order, best)
	}
	return order
}

// build renumbers devices into list order.
func build(created []model.Device, links []model.Link, order []int) *model.Topology {
	at := make([]model.DevID, len(created))
	for p, i := range order {
		at[i] = model.DevID(p)
	}
	t := &model.Topology{Name: "generated", Scenario: model.DefaultScenario()}
	for _, i := range order {
		d := created[i]
		if d.Parent != model.NoDev {
			d.Parent = at[d.Parent]
		}
		t.Devices = append(t.Devices, d)
	}
	for _, l := range links {
		t.Links = append(t.Links, model.Link{Supplier: at[l.Supplier], Consumer: at[l.Consumer], SyncStateOnly: l.SyncStateOnly})
	}
	if err := t.Check(); err != nil {
		panic(fmt.Sprintf("generated topology %v: %v", t, err))
	}
	return t
}

// ScenarioOptions says which scenario options a ScenarioGen may draw.
type ScenarioOptions struct {
	Actors bool // concurrent device_del(), device_add() and parameter writes
}

// ScenarioGen draws a scenario for top: core.async_shutdown, an async_wq
// bound, allocation failures and, with Actors, devices to remove, a device
// to hot-add with its subtree (made absent; device_add() of each child
// follows its parent's) and a parameter writer. It may change top.
func ScenarioGen(top *model.Topology, opt ScenarioOptions) *rapid.Generator[model.Scenario] {
	return rapid.Custom(func(t *rapid.T) model.Scenario {
		sc := model.Scenario{
			AsyncShutdown: rapid.IntRange(0, 3).Draw(t, "async_shutdown_off") != 0,
			Workers:       rapid.IntRange(0, 3).Draw(t, "workers"),
			AllocFailures: rapid.IntRange(0, 2).Draw(t, "alloc_failures"),
		}
		if !opt.Actors {
			return sc
		}
		sc.ParamToggle = rapid.IntRange(0, 3).Draw(t, "param_toggle") == 0
		n := len(top.Devices)
		if rapid.IntRange(0, 2).Draw(t, "hot_add") == 0 {
			h := model.DevID(rapid.IntRange(0, n-1).Draw(t, "hot_added"))
			sc.HotAdd = absent(top, h, nil)
		}
		for r := rapid.IntRange(0, 2).Draw(t, "removes"); r > 0; r-- {
			d := rapid.IntRange(0, n-1).Draw(t, "removed")
			name := top.Devices[d].Name
			if top.Devices[d].Present && !contains(sc.Remove, name) {
				sc.Remove = append(sc.Remove, name)
			}
		}
		return sc
	})
}

// absent makes d and its descendants not registered at the start, and
// appends their names to names.
func absent(top *model.Topology, d model.DevID, names []string) []string {
	top.Devices[d].Present = false
	names = append(names, top.Devices[d].Name)
	for _, c := range top.Children(d) {
		names = absent(top, c, names)
	}
	return names
}

func contains(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}
