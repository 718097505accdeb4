package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
)

// runMerge combines the --json reports of the shards of one verify into the
// report of the whole proof.
func runMerge(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("merge", "merge [--json] [--out DIR] SHARD.json ...", stderr)
	asJSON := fs.Bool("json", false, "print the merged report as JSON")
	out := fs.String("out", "", "write each property's smallest counterexample here")
	pos, code, ok := parseCommand(fs, args)
	if !ok {
		return code, nil
	}
	if len(pos) == 0 {
		return 0, fmt.Errorf("merge needs the shards' JSON reports")
	}
	var reps []*VerifyReport
	for _, path := range pos {
		data, err := os.ReadFile(path)
		if err != nil {
			return 0, err
		}
		var r VerifyReport
		if err := json.Unmarshal(data, &r); err != nil {
			return 0, fmt.Errorf("%s: not a verify --json report: %v", path, err)
		}
		reps = append(reps, &r)
	}
	merged, err := mergeReports(reps, pos)
	if err != nil {
		return 0, err
	}
	return emitVerify(merged, *asJSON, *out, stdout)
}

// mergeReports checks that the reports are the shards of one proof, each
// once, and combines them: counts add up, and each property keeps the
// smallest counterexample (fewest devices, steps, switches, lowest index).
func mergeReports(reps []*VerifyReport, names []string) (*VerifyReport, error) {
	first := reps[0]
	m := *first
	m.Shard, m.Shards, m.Found, m.Merged = 1, 1, []FoundReport{}, nil
	m.Topologies, m.Stats, m.Complete, m.Stopped, m.Verdict = 0, first.Stats, true, "", "pass"
	m.Stats.States, m.Stats.Transitions, m.Stats.Runs, m.Stats.Seconds = 0, 0, 0, 0
	seen := map[int]string{}
	for i, r := range reps {
		if r.Variant != first.Variant || r.MinDevices != first.MinDevices || r.MaxDevices != first.MaxDevices || r.MaxLinks != first.MaxLinks ||
			r.Shards != first.Shards || !reflect.DeepEqual(r.Scenario, first.Scenario) || !reflect.DeepEqual(r.Properties, first.Properties) {
			return nil, fmt.Errorf("%s is not a shard of the same proof as %s", names[i], names[0])
		}
		if prev, dup := seen[r.Shard]; dup {
			return nil, fmt.Errorf("shard %d/%d given twice: %s and %s", r.Shard, r.Shards, prev, names[i])
		}
		seen[r.Shard] = names[i]
		m.Merged = append(m.Merged, r.Shard)
		m.Topologies += r.Topologies
		m.Stats.States += r.Stats.States
		m.Stats.Transitions += r.Stats.Transitions
		m.Stats.Runs += r.Stats.Runs
		m.Stats.Seconds += r.Stats.Seconds
		if !r.Complete {
			m.Complete, m.Stopped = false, fmt.Sprintf("shard %d/%d: %s", r.Shard, r.Shards, r.Stopped)
		}
		for _, f := range r.Found {
			m.addFound(f)
		}
	}
	if len(seen) != first.Shards {
		m.Complete = false
		m.Stopped = fmt.Sprintf("%d of %d shards given", len(seen), first.Shards)
	}
	sort.Ints(m.Merged)
	if len(m.Found) > 0 {
		m.Verdict = "violation"
	}
	return &m, nil
}

func (m *VerifyReport) addFound(f FoundReport) {
	for i := range m.Found {
		g := &m.Found[i]
		if g.Property != f.Property {
			continue
		}
		total := g.Topologies + f.Topologies
		if less(f, *g) {
			*g = f
		}
		g.Topologies = total
		return
	}
	m.Found = append(m.Found, f)
	sort.Slice(m.Found, func(i, j int) bool { return propertyRank(m.Found[i].Property) < propertyRank(m.Found[j].Property) })
}

func less(a, b FoundReport) bool {
	switch {
	case a.Devices != b.Devices:
		return a.Devices < b.Devices
	case a.Steps != b.Steps:
		return a.Steps < b.Steps
	case a.Switches != b.Switches:
		return a.Switches < b.Switches
	}
	return a.Index < b.Index
}
