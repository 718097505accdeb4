// Package checker explores a model (package model) under a strategy (package
// scheduler), watches every run with the property monitors of docs/PROPERTIES.md, and
// reports a minimal counterexample for each property it can violate.
package checker

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// Property is a property of docs/PROPERTIES.md, by its name (part of the interface:
// flags, JSON and counterexample files use it).
type Property string

// The properties of docs/PROPERTIES.md.
const (
	Order           Property = "order"
	Deadlock        Property = "deadlock"
	Hang            Property = "hang"
	Completeness    Property = "completeness"
	SleepInAtomic   Property = "sleep-in-atomic"
	Refcount        Property = "refcount"
	ListLock        Property = "list-lock"
	Lock            Property = "lock"
	NullDeref       Property = "null-deref"
	DeadDevice      Property = "dead-device"
	Linearizability Property = "linearizability"
	// NewOrder is not a property of its own: it marks the order violations
	// the upstream loop does not have on the same topology and scenario.
	// Reports rank it right after Order.
	NewOrder Property = "order (new)"
)

// properties is every property, in report order: the one list that names
// them, counts them and ranks them.
var properties = [...]Property{Order, Deadlock, Hang, Completeness, SleepInAtomic, Refcount, ListLock, Lock, NullDeref, DeadDevice, Linearizability}

// AllProperties lists every property in report order.
func AllProperties() []Property { return slices.Clone(properties[:]) }

// Rank orders properties in reports: report order, NewOrder right after
// Order, anything else last.
func (p Property) Rank() int {
	if p == NewOrder {
		return 2*slices.Index(properties[:], Order) + 1
	}
	if i := slices.Index(properties[:], p); i >= 0 {
		return 2 * i
	}
	return 2 * len(properties)
}

// ParseProperty checks a property's name.
func ParseProperty(name string) (Property, error) {
	if p := Property(name); slices.Contains(properties[:], p) {
		return p, nil
	}
	names := make([]string, len(properties))
	for i, p := range properties {
		names[i] = string(p)
	}
	return "", fmt.Errorf("unknown property %q (have %s)", name, strings.Join(names, ", "))
}

// Properties is a set of properties.
type Properties map[Property]bool

// ParseProperties turns names into a set; no names means all properties.
func ParseProperties(names []string) (Properties, error) {
	set := Properties{}
	if len(names) == 0 {
		for _, p := range properties {
			set[p] = true
		}
		return set, nil
	}
	for _, n := range names {
		p, err := ParseProperty(n)
		if err != nil {
			return nil, err
		}
		set[p] = true
	}
	return set, nil
}

// observer declares, for the runner of a search, what the monitors of the
// properties in ps read after each step (model.Observer): each property's
// reads are declared beside its check, in monitor.go.
func observer(m *model.Machine, ps Properties) model.Observer {
	var reads []stepReads
	for _, p := range ps.List() {
		if r := p.reads(); r != nil {
			reads = append(reads, r)
		}
	}
	return func(s *model.State, ev model.Event, read func(model.Obj)) {
		for _, r := range reads {
			r(m, s, ev, read)
		}
	}
}

// stepReads declares what a property's monitor reads after step ev.
type stepReads func(m *model.Machine, s *model.State, ev model.Event, read func(model.Obj))

// reads returns what p's monitor reads after a step besides what the step
// touched, or nil when nothing: the kernel-rule properties are decided by
// the step itself (model.Fault), deadlock and hang at the end of a run.
func (p Property) reads() stepReads {
	switch p {
	case Order:
		return orderReads
	case Completeness:
		return completenessReads
	case Linearizability:
		return linearizabilityReads
	case DeadDevice:
		return deadDeviceReads
	}
	return nil
}

// List returns the properties of the set in report order.
func (ps Properties) List() []Property {
	var out []Property
	for _, p := range properties {
		if ps[p] {
			out = append(out, p)
		}
	}
	return out
}
