package simulate

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/devclass"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// Override sets the duration of every device whose name matches Pattern
// (path.Match syntax), as --ms PATTERN=MS gives it.
type Override struct {
	Pattern string
	MS      int
}

// ParseOverride reads PATTERN=MS.
func ParseOverride(s string) (Override, error) {
	pat, ms, ok := strings.Cut(s, "=")
	if !ok || pat == "" {
		return Override{}, fmt.Errorf("--ms %q: want PATTERN=MS, as in 'nvme*=30000'", s)
	}
	if _, err := path.Match(pat, ""); err != nil {
		return Override{}, fmt.Errorf("--ms %q: bad pattern: %v", s, err)
	}
	n, err := strconv.Atoi(ms)
	if err != nil || n < 0 {
		return Override{}, fmt.Errorf("--ms %q: %q is not a duration in milliseconds", s, ms)
	}
	return Override{pat, n}, nil
}

// Durations are the ->shutdown() durations of a topology's devices, in
// milliseconds, and where each one comes from.
type Durations struct {
	MS        []int
	Source    []string   // "shutdown_ms", "class nvme", "--ms PATTERN"
	Unmatched []Override // overrides that match no device: nothing to set
}

// Resolve takes each device's duration from the last override that matches
// its name, else from its shutdown_ms. A file that gives no shutdown_ms at
// all gets, when classDefaults, each device's class default by name; a file
// that gives some (an imported one gives every device its class's) is taken
// to give them all: its other devices take 0 ms. The report says which rule
// each device's duration came from. An override that matches no device is
// not an error (a machine without NVMe and --ms 'nvme*=30000'): it is
// listed in Unmatched for the caller to warn about.
func Resolve(top *model.Topology, overrides []Override, classDefaults bool) *Durations {
	d := &Durations{MS: make([]int, len(top.Devices)), Source: make([]string, len(top.Devices))}
	used := make([]bool, len(overrides))
	for _, dev := range top.Devices {
		if dev.ShutdownMS > 0 {
			classDefaults = false
		}
	}
	for i, dev := range top.Devices {
		switch class := devclass.Of(dev.Name); {
		case dev.ShutdownMS > 0:
			d.MS[i], d.Source[i] = dev.ShutdownMS, "shutdown_ms"
		case classDefaults && class != devclass.Other:
			d.MS[i], d.Source[i] = class.DefaultMS(), "class "+string(class)
		default:
			d.Source[i] = "none"
		}
		for k, o := range overrides {
			if ok, _ := path.Match(o.Pattern, dev.Name); ok {
				d.MS[i], d.Source[i], used[k] = o.MS, "--ms "+o.Pattern, true
			}
		}
	}
	for k, o := range overrides {
		if !used[k] {
			d.Unmatched = append(d.Unmatched, o)
		}
	}
	return d
}

// Sources counts devices by where their duration comes from, sorted by
// source, for the report's first lines.
func (d *Durations) Sources() []string {
	count := map[string]int{}
	var order []string
	for _, s := range d.Source {
		if count[s] == 0 {
			order = append(order, s)
		}
		count[s]++
	}
	sort.Strings(order)
	out := make([]string, len(order))
	for i, s := range order {
		out[i] = fmt.Sprintf("%d from %s", count[s], s)
		if s == "none" {
			out[i] = fmt.Sprintf("%d without one (0 ms)", count[s])
		}
	}
	return out
}
