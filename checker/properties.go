// Package checker explores a model (package model) under a strategy (package
// scheduler), watches every run with the property monitors of SPEC §3, and
// reports a minimal counterexample for each property it can violate.
package checker

import (
	"fmt"
	"strings"
)

// The property names of SPEC §3. They are part of the interface.
const (
	Order           = "order"
	Deadlock        = "deadlock"
	Hang            = "hang"
	Completeness    = "completeness"
	SleepInAtomic   = "sleep-in-atomic"
	Refcount        = "refcount"
	ListLock        = "list-lock"
	Lock            = "lock"
	Linearizability = "linearizability"
	numProperties   = 9
	// NewOrder is not a property of its own: it marks the order violations
	// the upstream loop does not have on the same topology and scenario.
	NewOrder         = "order (new)"
	allPropertyNames = Order + " " + Deadlock + " " + Hang + " " + Completeness + " " + SleepInAtomic + " " +
		Refcount + " " + ListLock + " " + Lock + " " + Linearizability
)

// AllProperties lists every property in report order.
func AllProperties() []string { return strings.Fields(allPropertyNames) }

// Properties is a set of property names.
type Properties map[string]bool

// ParseProperties turns names into a set; no names means all properties.
func ParseProperties(names []string) (Properties, error) {
	set := Properties{}
	if len(names) == 0 {
		for _, p := range AllProperties() {
			set[p] = true
		}
		return set, nil
	}
	for _, n := range names {
		if !strings.Contains(" "+allPropertyNames+" ", " "+n+" ") {
			return nil, fmt.Errorf("unknown property %q (have %s)", n, strings.Join(AllProperties(), ", "))
		}
		set[n] = true
	}
	return set, nil
}

// rank orders properties for reports.
func rank(p string) int {
	for i, q := range AllProperties() {
		if p == q {
			return i
		}
	}
	return numProperties
}
