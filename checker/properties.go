// Package checker explores a model (package model) under a strategy (package
// scheduler), watches every run with the property monitors of SPEC §3, and
// reports a minimal counterexample for each property it can violate.
package checker

import (
	"fmt"
	"slices"
	"strings"
)

// Property is a property of SPEC §3, by its name (part of the interface:
// flags, JSON and counterexample files use it).
type Property string

// The properties of SPEC §3.
const (
	Order           Property = "order"
	Deadlock        Property = "deadlock"
	Hang            Property = "hang"
	Completeness    Property = "completeness"
	SleepInAtomic   Property = "sleep-in-atomic"
	Refcount        Property = "refcount"
	ListLock        Property = "list-lock"
	Lock            Property = "lock"
	Linearizability Property = "linearizability"
	// NewOrder is not a property of its own: it marks the order violations
	// the upstream loop does not have on the same topology and scenario.
	// Reports rank it right after Order.
	NewOrder Property = "order (new)"
)

// properties is every property, in report order: the one list that names
// them, counts them and ranks them.
var properties = [...]Property{Order, Deadlock, Hang, Completeness, SleepInAtomic, Refcount, ListLock, Lock, Linearizability}

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
