package campaign

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/corpus"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// Merge checks that reps (read from the files names) are the shards of
// one proof, each once, and combines them: counts add up, and each property
// keeps the smallest counterexample (by proofSize, as Verify keeps it).
// Every report is validated first (Validate: every field, and every
// counterexample replayed); and the topology counts of complete shards must
// be those of one enumeration (counted outright for spaces of up to
// countLimit devices).
func Merge(reps []*VerifyReport, names []string) (*VerifyReport, error) {
	if len(reps) == 0 {
		return nil, errors.New("no shard reports to merge")
	}
	for i, r := range reps {
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %v", names[i], err)
		}
	}
	m, err := combine(reps, names)
	if err != nil {
		return nil, err
	}
	if err := checkCounts(reps, names); err != nil {
		return nil, err
	}
	return m, nil
}

// combine merges reports already validated.
func combine(reps []*VerifyReport, names []string) (*VerifyReport, error) {
	first := reps[0]
	m := *first
	m.Shard, m.Shards, m.Found, m.Merged = 1, 1, []FoundReport{}, nil
	m.Topologies, m.Stats, m.Complete, m.Stopped, m.Verdict = 0, checker.Stats{}, true, "", "pass"
	m.Classes, m.Expanded, m.ExpandedStats = 0, 0, nil
	seen := map[int]string{}
	for i, r := range reps {
		if r.Variant != first.Variant || r.MinDevices != first.MinDevices || r.MaxDevices != first.MaxDevices || r.MaxLinks != first.MaxLinks ||
			r.Shards != first.Shards || r.MaxSteps != first.MaxSteps || !sameScenario(r.Scenario, first.Scenario) || !slices.Equal(r.Properties, first.Properties) ||
			spaceName(r.Space) != spaceName(first.Space) || r.Rules != first.Rules || r.RepresentativesOnly != first.RepresentativesOnly {
			return nil, fmt.Errorf("%s is not a shard of the same proof as %s (variant, devices, links, scenario, properties, --max-steps, space, rules or shard count differ)", names[i], names[0])
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

// countLimit is the largest --max-devices whose space merge enumerates to
// check the shards' counts and counterexample indexes (4 devices: 0.25
// million topologies, a few seconds).
const countLimit = 4

// checkCounts checks the topology counts of the complete shards: shard i
// of n holds the topologies whose index is i-1 modulo n, so with T in all,
// it holds (T - i + n) / n of them. With every shard complete, T is their
// sum; for spaces small enough (countLimit), T is counted, and each
// counterexample's index must name its topology.
func checkCounts(reps []*VerifyReport, names []string) error {
	first := reps[0]
	n := int64(first.Shards)
	all := len(reps) == first.Shards
	var sum int64
	for _, r := range reps {
		all = all && r.Complete
		sum += r.Topologies
	}
	total := int64(-1)
	if all {
		total = sum
	}
	var names2 map[int64]string // index -> canonical name, of the indexes the counterexamples claim
	if first.MaxDevices <= countLimit {
		want := map[int64]bool{}
		for _, r := range reps {
			for _, f := range r.Found {
				want[f.Index] = true
			}
		}
		names2 = map[int64]string{}
		var count int64
		space := first.space()
		space.Classes, space.Shard, space.Shards = false, 0, 1
		space.Each(func(i int64, t *model.Topology) bool {
			count++
			if want[i] {
				names2[i] = t.Name
			}
			return true
		})
		if total >= 0 && total != count {
			return fmt.Errorf("the shards count %d topologies in all; the space has %d", total, count)
		}
		total = count
	}
	for i, r := range reps {
		if total >= 0 && r.Complete {
			want := (total - int64(r.Shard) + n) / n
			if spaceName(r.Space) == "classes" {
				// A shard over classes holds whole classes: the sizes of
				// its own.
				want = -1
				if first.MaxDevices <= countLimit {
					want = r.space().weight(r.Variant, r.MaxSteps)
				}
			}
			if want >= 0 && r.Topologies != want {
				return fmt.Errorf("%s: shard %d/%d is complete with %d topologies; of %d topologies in all, it holds %d", names[i], r.Shard, r.Shards, r.Topologies, total, want)
			}
		}
		for _, f := range r.Found {
			if names2 == nil {
				continue
			}
			if got, ok := names2[f.Index]; !ok || got != f.Topology {
				return fmt.Errorf("%s: %s: topology %d of the enumeration is %q, not %q", names[i], f.Property, f.Index, got, f.Topology)
			}
		}
	}
	return nil
}

// space is the part of the space the report's shard covers.
func (r *VerifyReport) space() VerifySpace {
	return VerifySpace{MinDevices: r.MinDevices, MaxDevices: r.MaxDevices, MaxLinks: r.MaxLinks, Scenario: r.Scenario,
		Classes: spaceName(r.Space) == "classes", Shard: r.Shard - 1, Shards: r.Shards}
}

// sameScenario compares every field of two scenarios (model.ScenarioFields;
// an empty list is no list).
func sameScenario(a, b model.Scenario) bool {
	for _, f := range model.ScenarioFields {
		switch f.Kind {
		case model.BoolField:
			if *f.Bool(&a) != *f.Bool(&b) {
				return false
			}
		case model.IntField:
			if *f.Int(&a) != *f.Int(&b) {
				return false
			}
		case model.DevicesField:
			if !slices.Equal(*f.Devices(&a), *f.Devices(&b)) {
				return false
			}
		case model.MovesField:
			if !slices.Equal(*f.Moves(&a), *f.Moves(&b)) {
				return false
			}
		}
	}
	return true
}

// checkScenario checks a proof's scenario: settings only (verify
// enumerates topologies: no actor names their devices), each valid.
func checkScenario(sc model.Scenario) error {
	for _, f := range model.ScenarioFields {
		if (f.Kind == model.DevicesField || f.Kind == model.MovesField) && !f.IsZero(&sc) {
			return fmt.Errorf("scenario: %s names devices of one topology; verify enumerates topologies", f.Name)
		}
	}
	one := &model.Topology{Name: "d0", Devices: []model.Device{{Name: "d0", Parent: -1, Present: true}}, Scenario: sc}
	if err := one.Check(); err != nil {
		return fmt.Errorf("scenario: %v", err)
	}
	return nil
}

// Validate checks a verify --json report field by field, and replays each
// of its counterexamples: it must be a topology of the report's space,
// under its version, scenario and step bound, and violate its property
// exactly as the report says. A report that fails is not a shard of any
// proof: a forged or damaged one must not merge into a "complete" proof.
func (r *VerifyReport) Validate() error {
	if _, err := model.LookupVariant(r.Variant); err != nil {
		return fmt.Errorf("variant: %v", err)
	}
	switch {
	case r.MaxDevices < 1 || r.MaxDevices > MaxProofDevices:
		return fmt.Errorf("max_devices must be between 1 and %d (got %d)", MaxProofDevices, r.MaxDevices)
	case r.MinDevices < 1 || r.MinDevices > r.MaxDevices:
		return fmt.Errorf("min_devices must be between 1 and max_devices (got %d)", r.MinDevices)
	case r.MaxLinks < 0 || r.MaxLinks > MaxProofLinks:
		return fmt.Errorf("max_links must be between 0 and %d (got %d)", MaxProofLinks, r.MaxLinks)
	case r.Shards < 1 || r.Shard < 1 || r.Shard > r.Shards:
		return fmt.Errorf("shard %d/%d: want 1 <= shard <= shards", r.Shard, r.Shards)
	case r.MaxSteps < 0:
		return fmt.Errorf("max_steps must not be negative (got %d)", r.MaxSteps)
	case len(r.Properties) == 0:
		return fmt.Errorf("properties: none")
	case r.Verdict != "pass" && r.Verdict != "violation":
		return fmt.Errorf("verdict must be pass or violation (got %q)", r.Verdict)
	case (r.Verdict == "violation") != (len(r.Found) > 0):
		return fmt.Errorf("verdict %q with %d counterexamples", r.Verdict, len(r.Found))
	case r.Complete && r.Stopped != "":
		return fmt.Errorf("complete, yet stopped (%s)", r.Stopped)
	case !r.Complete && r.Stopped == "":
		return fmt.Errorf("not complete, and no reason given (stopped)")
	case r.Topologies < 0 || r.Stats.States < 0 || r.Stats.Transitions < 0 || r.Stats.Runs < 0 ||
		r.Stats.Seconds < 0 || math.IsNaN(r.Stats.Seconds) || math.IsInf(r.Stats.Seconds, 0):
		return fmt.Errorf("negative or impossible counts (topologies %d, stats %+v)", r.Topologies, r.Stats)
	case r.Complete && r.Stats.States < r.Topologies:
		return fmt.Errorf("%d topologies checked in %d states: each has one at least", r.Topologies, r.Stats.States)
	}
	if err := checkScenario(r.Scenario); err != nil {
		return err
	}
	for i, p := range r.Properties {
		if _, err := checker.ParseProperty(string(p)); err != nil {
			return fmt.Errorf("properties: %v", err)
		}
		if slices.Contains(r.Properties[:i], p) {
			return fmt.Errorf("properties: %s twice", p)
		}
	}
	rows := Rows(r.Properties)
	for i := range r.Found {
		f := &r.Found[i]
		if !slices.Contains(rows, f.Property) {
			return fmt.Errorf("found: %q is not a property the proof checks", f.Property)
		}
		if slices.ContainsFunc(r.Found[:i], func(g FoundReport) bool { return g.Property == f.Property }) {
			return fmt.Errorf("found: %s twice", f.Property)
		}
		if err := r.validateFound(f); err != nil {
			return fmt.Errorf("found: %s: %v", f.Property, err)
		}
	}
	switch spaceName(r.Space) {
	case "full":
	case "classes":
		if want := r.space().Rules(r.Variant, r.MaxSteps).String(); r.Rules != want {
			return fmt.Errorf("rules %q: a proof of %s over classes uses %q", r.Rules, r.Variant, want)
		}
	default:
		return fmt.Errorf("space %q: must be full or classes", r.Space)
	}
	return nil
}

// validateFound checks one counterexample of the report, replaying it.
func (r *VerifyReport) validateFound(f *FoundReport) error {
	switch {
	case f.Topologies < 1 || f.Topologies > r.Topologies:
		return fmt.Errorf("topologies must be between 1 and the %d checked (got %d)", r.Topologies, f.Topologies)
	case f.Index < 0:
		return fmt.Errorf("negative index %d", f.Index)
	case spaceName(r.Space) == "full" && f.Index%int64(r.Shards) != int64(r.Shard-1):
		// Over classes a shard owns classes, whose members' indexes are
		// anywhere in the full enumeration.
		return fmt.Errorf("index %d is not a topology of shard %d/%d", f.Index, r.Shard, r.Shards)
	case f.Devices < r.MinDevices || f.Devices > r.MaxDevices:
		return fmt.Errorf("%d devices, outside %d..%d", f.Devices, r.MinDevices, r.MaxDevices)
	case f.Steps < 1 || f.Switches < 0 || f.Switches >= f.Steps:
		return fmt.Errorf("%d steps with %d thread switches", f.Steps, f.Switches)
	}
	cx, err := corpus.Parse(fmt.Sprintf("the counterexample of %s", f.Property), []byte(f.Replay))
	if err != nil {
		return err
	}
	want := f.Property
	if want == checker.NewOrder {
		want = checker.Order
	}
	t := cx.Topology
	switch {
	case cx.Property != want || cx.Expect != corpus.ExpectViolation:
		return fmt.Errorf("its file is a counterexample of %s (expect %s)", cx.Property, cx.Expect)
	case cx.Variant != r.Variant:
		return fmt.Errorf("its file is of %s, the proof of %s", cx.Variant, r.Variant)
	case cx.MaxSteps != r.MaxSteps:
		return fmt.Errorf("its file has max_steps %d, the proof %d", cx.MaxSteps, r.MaxSteps)
	case !sameScenario(t.Scenario, r.Scenario):
		return fmt.Errorf("its file's scenario is not the proof's")
	case t.Name != f.Topology || len(t.Devices) != f.Devices || len(t.Links) > r.MaxLinks:
		return fmt.Errorf("its file's topology %q (%d devices, %d links) is not %q of %d devices with at most %d links",
			t.Name, len(t.Devices), len(t.Links), f.Topology, f.Devices, r.MaxLinks)
	case len(cx.Schedule) != f.Steps:
		return fmt.Errorf("its schedule has %d steps, the report says %d", len(cx.Schedule), f.Steps)
	}
	for _, d := range t.Devices {
		if !d.Present {
			return fmt.Errorf("its topology has a device that is not present: verify enumerates none")
		}
	}
	run, violated, err := cx.Replay()
	if err != nil {
		return err
	}
	if err := run.Strict(cx.Property); err != nil {
		return fmt.Errorf("its schedule: %v", err)
	}
	v := run.Violation(cx.Property)
	switch {
	case !violated:
		return fmt.Errorf("its schedule does not violate %s when replayed", cx.Property)
	case f.Property == checker.NewOrder && v.IsInherited():
		return fmt.Errorf("the misorder it replays is inherited from upstream, not new")
	case v.Message != f.Message:
		return fmt.Errorf("replayed, it says %q, the report %q", v.Message, f.Message)
	case v.Switches != f.Switches:
		return fmt.Errorf("replayed, it has %d thread switches, the report %d", v.Switches, f.Switches)
	}
	return nil
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
