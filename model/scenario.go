package model

import (
	"fmt"
	"slices"
	"strings"
)

// Scenario selects the environment of a run (docs/FORMAT.md, "scenario"):
// the settings of the kernel shutdown runs in and the environment actors
// that run beside it. Each field is declared once, in ScenarioFields.
type Scenario struct {
	AsyncShutdown bool     // core.async_shutdown at start
	Workers       int      // async_wq concurrency bound, 0 = unbounded
	AllocFailures int      // injected async_schedule_dev_nocall() failures per run
	Remove        []string // devices a concurrent device_del() deletes
	HotAdd        []string // devices (present: false) a concurrent device_add() registers
	ParamToggle   bool     // a writer may flip core.async_shutdown once
	Move          []Move   // concurrent device_move()s
	AddFail       []string // hot-added devices whose device_add() fails after kobject_add()
}

// Move is one concurrent device_move(dev, new_parent, dpm_order).
type Move struct {
	Device string
	Parent string // "" for NULL
	Order  string // one of DPMOrders
}

// DPMOrders are device_move()'s dpm_order values, as scenario files name
// them: DPM_ORDER_NONE, DPM_ORDER_DEV_AFTER_PARENT,
// DPM_ORDER_PARENT_BEFORE_DEV, DPM_ORDER_DEV_LAST.
var DPMOrders = []string{"none", "dev_after_parent", "parent_before_dev", "dev_last"}

// DefaultScenario is what a topology file without a scenario means.
func DefaultScenario() Scenario { return Scenario{AsyncShutdown: true} }

// FieldKind is what a scenario field holds.
type FieldKind uint8

const (
	BoolField    FieldKind = iota // true or false
	IntField                      // a whole number
	DevicesField                  // a list of device names
	MovesField                    // a list of device_move()s
)

// A ScenarioField is one field of Scenario, declared once: its name in
// topology files (the command-line flag is the same with '-' for '_'),
// where it lives, what it means, whether it starts an environment actor and
// how the checks that run other versions or timed runs treat it. Topology
// files, flags, validation, the threads of a run, the upstream baseline and
// simulate all read this table.
type ScenarioField struct {
	Name  string
	Kind  FieldKind
	Usage string // one line, for --help and the docs

	Bool    func(*Scenario) *bool     // BoolField
	Int     func(*Scenario) *int      // IntField
	Devices func(*Scenario) *[]string // DevicesField
	Moves   func(*Scenario) *[]Move   // MovesField

	// check validates the field's value on a topology whose devices and
	// links are checked (device names already resolved to ids).
	check func(t *Topology, ids []DevID) error
	// start appends the threads the field's actor starts (nil: a setting,
	// or an actor of no thread of its own).
	start func(m *Machine, s *State)

	// Baseline: the upstream loop, run to tell inherited misorders from
	// new ones, runs with this field too. An actor that changes the device
	// tree or devices_kset (device_del(), device_add()) is kept: upstream
	// misorders under it as well; one that only upstream ignores
	// (core.async_shutdown, allocation failures) is left out.
	Baseline bool
	// Timed: a timed run (simulate) keeps it. A timed run is one schedule,
	// so nothing that makes runs differ (actors, injected failures) is.
	Timed bool
	// Always: files write it even at its zero value (the settings).
	Always bool
}

// ScenarioFields lists every scenario field, in the order files write them.
var ScenarioFields = []*ScenarioField{
	{Name: "async_shutdown", Kind: BoolField, Usage: "core.async_shutdown at start",
		Bool: func(s *Scenario) *bool { return &s.AsyncShutdown }, Timed: true, Always: true},
	{Name: "workers", Kind: IntField, Usage: "async_wq worker bound (0 = unbounded)",
		Int: func(s *Scenario) *int { return &s.Workers }, Timed: true, Always: true,
		check: func(t *Topology, _ []DevID) error {
			if t.Scenario.Workers < 0 {
				return fmt.Errorf("workers must be 0 (unbounded) or more")
			}
			return nil
		}},
	{Name: "alloc_failures", Kind: IntField, Usage: "injected async_schedule_dev_nocall() failures per run",
		Int: func(s *Scenario) *int { return &s.AllocFailures }, Always: true,
		check: func(t *Topology, _ []DevID) error {
			if n := t.Scenario.AllocFailures; n < 0 || n > 100 {
				return fmt.Errorf("alloc_failures must be between 0 and 100")
			}
			return nil
		}},
	actorRemove,
	actorHotAdd,
	actorParamToggle,
	actorMove,
	actorAddFail,
}

// ScenarioField returns the field called name, or nil.
func LookupScenarioField(name string) *ScenarioField {
	for _, f := range ScenarioFields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Actor reports whether the field starts an environment actor.
func (f *ScenarioField) Actor() bool { return f.start != nil }

// IsZero reports whether the field has its zero value in sc (nothing set).
func (f *ScenarioField) IsZero(sc *Scenario) bool {
	switch f.Kind {
	case BoolField:
		return !*f.Bool(sc)
	case IntField:
		return *f.Int(sc) == 0
	case MovesField:
		return len(*f.Moves(sc)) == 0
	}
	return len(*f.Devices(sc)) == 0
}

// clear sets the field to its zero value in sc.
func (f *ScenarioField) clear(sc *Scenario) {
	switch f.Kind {
	case BoolField:
		*f.Bool(sc) = false
	case IntField:
		*f.Int(sc) = 0
	case MovesField:
		*f.Moves(sc) = nil
	default:
		*f.Devices(sc) = nil
	}
}

// Keep returns sc with every field keep rejects set to its zero value.
func (sc Scenario) Keep(keep func(*ScenarioField) bool) Scenario {
	out := sc
	for _, f := range ScenarioFields {
		if !keep(f) {
			f.clear(&out)
		}
	}
	return out
}

// ForBaseline returns sc as the upstream baseline runs it.
func (sc Scenario) ForBaseline() Scenario {
	return sc.Keep(func(f *ScenarioField) bool { return f.Baseline })
}

// ForTimedRun returns sc as a timed run (simulate) runs it.
func (sc Scenario) ForTimedRun() Scenario {
	return sc.Keep(func(f *ScenarioField) bool { return f.Timed })
}

// String renders sc compactly, field by field, for reports.
func (sc Scenario) String() string {
	var parts []string
	for _, f := range ScenarioFields {
		switch f.Kind {
		case BoolField:
			parts = append(parts, fmt.Sprintf("%s=%t", f.Name, *f.Bool(&sc)))
		case IntField:
			parts = append(parts, fmt.Sprintf("%s=%d", f.Name, *f.Int(&sc)))
		case DevicesField:
			if ds := *f.Devices(&sc); len(ds) > 0 {
				parts = append(parts, fmt.Sprintf("%s=[%s]", f.Name, strings.Join(ds, ",")))
			}
		case MovesField:
			for _, mv := range *f.Moves(&sc) {
				parts = append(parts, fmt.Sprintf("%s=%s", f.Name, mv))
			}
		}
	}
	return strings.Join(parts, " ")
}

// String renders a move as the --move flag takes it: DEV>PARENT@ORDER
// (device names have colons: PCI's 0000:00:01.0).
func (mv Move) String() string { return mv.Device + ">" + mv.Parent + "@" + mv.Order }

// ParseMove reads DEV>PARENT@ORDER (PARENT empty for NULL).
func ParseMove(s string) (Move, error) {
	gt, at := strings.Index(s, ">"), strings.LastIndex(s, "@")
	if gt <= 0 || at < gt {
		return Move{}, fmt.Errorf("a move is DEVICE>PARENT@ORDER (PARENT empty for NULL), not %q", s)
	}
	return Move{Device: s[:gt], Parent: s[gt+1 : at], Order: s[at+1:]}, nil
}

// checkScenario validates the scenario of a topology file: every field, and
// that every absent device is brought in.
func (t *Topology) checkScenario() error {
	if err := t.checkFields(); err != nil {
		return err
	}
	return t.checkAbsent()
}

// checkFields validates every scenario field; a device list names known
// devices, each once.
func (t *Topology) checkFields() error {
	for _, f := range ScenarioFields {
		var ids []DevID
		if f.Kind == DevicesField {
			var err error
			if ids, err = t.scenarioDevices(f.Name, *f.Devices(&t.Scenario)); err != nil {
				return err
			}
		}
		if f.check == nil {
			continue
		}
		if err := f.check(t, ids); err != nil {
			if te, ok := err.(*TopologyError); ok {
				return te
			}
			return &TopologyError{Device: -1, Link: -1, Field: f.Name, Reason: err.Error()}
		}
	}
	return nil
}

// scenarioDevices resolves a scenario list of device names; a name given
// twice is an error (one device_del() or device_add() per device).
func (t *Topology) scenarioDevices(field string, names []string) ([]DevID, error) {
	var out []DevID
	for _, name := range names {
		d := t.Index(name)
		switch {
		case d == NoDev:
			return nil, &TopologyError{Device: -1, Link: -1, Field: field, Reason: fmt.Sprintf("%s names unknown device %q", field, name)}
		case slices.Contains(out, d):
			return nil, &TopologyError{Device: -1, Link: -1, Field: field, Reason: fmt.Sprintf("%s names %q twice: a device is deleted or added once", field, name)}
		}
		out = append(out, d)
	}
	return out, nil
}

// checkAbsent refuses a device absent at the start that nothing brings in:
// it must be hot-added, or be the consumer of a link (device_link_add()
// accepts a consumer that is not registered yet).
func (t *Topology) checkAbsent() error {
	for i, d := range t.Devices {
		if d.Present || slices.Contains(t.Scenario.HotAdd, d.Name) {
			continue
		}
		consumer := false
		for _, l := range t.Links {
			consumer = consumer || l.Consumer == DevID(i)
		}
		if !consumer {
			return &TopologyError{Device: i, Link: -1, Reason: fmt.Sprintf("device %q is not present, not hot-added (scenario hot_add) and the consumer of no link: nothing would ever register or use it", d.Name)}
		}
	}
	return nil
}
