package campaign

import (
	"fmt"
	"reflect"
	"sort"

	"github.com/shutdowncheck/shutdowncheck/checker"
)

// Merge checks that reps (read from the files names) are the shards of
// one proof, each once, and combines them: counts add up, and each property
// keeps the smallest counterexample (by proofSize, as Verify keeps it).
func Merge(reps []*VerifyReport, names []string) (*VerifyReport, error) {
	first := reps[0]
	m := *first
	m.Shard, m.Shards, m.Found, m.Merged = 1, 1, []FoundReport{}, nil
	m.Topologies, m.Stats, m.Complete, m.Stopped, m.Verdict = 0, checker.Stats{}, true, "", "pass"
	m.Classes, m.Expanded, m.ExpandedStats = 0, 0, nil
	seen := map[int]string{}
	for i, r := range reps {
		if r.Variant != first.Variant || r.MinDevices != first.MinDevices || r.MaxDevices != first.MaxDevices || r.MaxLinks != first.MaxLinks ||
			r.Shards != first.Shards || !reflect.DeepEqual(r.Scenario, first.Scenario) || !reflect.DeepEqual(r.Properties, first.Properties) ||
			spaceName(r.Space) != spaceName(first.Space) || r.Rules != first.Rules || r.RepresentativesOnly != first.RepresentativesOnly {
			return nil, fmt.Errorf("%s is not a shard of the same proof as %s", names[i], names[0])
		}
		if prev, dup := seen[r.Shard]; dup {
			return nil, fmt.Errorf("shard %d/%d given twice: %s and %s", r.Shard, r.Shards, prev, names[i])
		}
		seen[r.Shard] = names[i]
		m.Merged = append(m.Merged, r.Shard)
		m.Topologies += r.Topologies
		m.Classes += r.Classes
		m.Expanded += r.Expanded
		if r.ExpandedStats != nil {
			if m.ExpandedStats == nil {
				m.ExpandedStats = &checker.Stats{}
			}
			m.ExpandedStats.Add(*r.ExpandedStats)
		}
		m.Stats.Add(r.Stats)
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
	if g := m.Lookup(f.Property); g != nil {
		total := g.Topologies + f.Topologies
		if f.size().Less(g.size()) {
			*g = f
		}
		g.Topologies = total
		return
	}
	m.Found = append(m.Found, f)
	sort.Slice(m.Found, func(i, j int) bool { return m.Found[i].Property.Rank() < m.Found[j].Property.Rank() })
}

// spaceName reads a report's space: older reports have none (full).
func spaceName(s string) string {
	if s == "" {
		return "full"
	}
	return s
}
