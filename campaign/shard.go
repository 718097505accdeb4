package campaign

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/corpus"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// VerifyReport is a bounded proof (or a shard of it) as verify --json
// prints it and merge reads it back.
type VerifyReport struct {
	Variant    string         `json:"variant"`
	MinDevices int            `json:"min_devices"`
	MaxDevices int            `json:"max_devices"`
	MaxLinks   int            `json:"max_links"`
	Scenario   model.Scenario `json:"scenario"`
	MaxSteps   int            `json:"max_steps"` // the step bound (0: the default): shards of another bound are another proof
	Shard      int            `json:"shard"`     // 1-based
	Shards     int            `json:"shards"`
	// Space is "classes" when one representative per class was checked
	// (VerifySpace.Classes; Topologies still counts the full space),
	// "full" (or empty, in older reports) otherwise; Rules, Classes and
	// Expanded are VerifyResult's.
	Space    string `json:"space,omitempty"`
	Rules    string `json:"rules,omitempty"`
	Classes  int64  `json:"classes,omitempty"`
	Expanded int64  `json:"expanded,omitempty"`
	// ExpandedStats is the work of exploring those members; like
	// Expanded, it depends on the sharding.
	ExpandedStats *checker.Stats `json:"expanded_stats,omitempty"`
	// RepresentativesOnly: each smallest counterexample is the smallest
	// among the representatives (VerifyOptions.RepresentativesOnly).
	RepresentativesOnly bool               `json:"representatives_only,omitempty"`
	Properties          []checker.Property `json:"properties"`
	Verdict             string             `json:"verdict"` // "pass" or "violation"
	Complete            bool               `json:"complete"`
	Stopped             string             `json:"stopped,omitempty"`
	Topologies          int64              `json:"topologies"`
	Stats               checker.Stats      `json:"stats"`
	Found               []FoundReport      `json:"found"`
	Merged              []int              `json:"merged_shards,omitempty"`
}

// FoundReport is one violated property of a VerifyReport.
type FoundReport struct {
	Property   checker.Property `json:"property"`
	Topologies int64            `json:"topologies"`
	Index      int64            `json:"index"`
	Topology   string           `json:"topology"` // canonical name
	Devices    int              `json:"devices"`
	Steps      int              `json:"steps"`
	Switches   int              `json:"switches"`
	Message    string           `json:"message"`
	Replay     string           `json:"replay"` // the counterexample file: its contents, or once written, its path
}

func (f *FoundReport) size() checker.Size {
	return checker.Size{Devices: f.Devices, Steps: f.Steps, Switches: f.Switches, Index: f.Index}
}

// Report makes the report of a proof; each counterexample's file replays
// it with props and maxSteps.
func (res *VerifyResult) Report(props checker.Properties, maxSteps int) (*VerifyReport, error) {
	sp := res.Space
	rep := &VerifyReport{Variant: res.Variant, MinDevices: max(sp.MinDevices, 1), MaxDevices: sp.MaxDevices, MaxLinks: sp.MaxLinks, Scenario: sp.Scenario, MaxSteps: maxSteps,
		Shard: sp.Shard + 1, Shards: max(sp.Shards, 1), Properties: res.Properties, Verdict: "pass", Complete: res.Complete,
		Stopped: res.Stopped, Topologies: res.Checked, Stats: res.Stats, Found: []FoundReport{}, Space: "full"}
	if sp.Classes {
		rep.Space, rep.Rules, rep.Classes, rep.Expanded = "classes", res.Rules.String(), res.Classes, res.Expanded
		rep.RepresentativesOnly = res.RepresentativesOnly
		if res.Expanded > 0 {
			es := res.ExpandedStats
			rep.ExpandedStats = &es
		}
	}
	for _, f := range res.Found {
		if f.Violation == nil {
			continue
		}
		rep.Verdict = "violation"
		run := checker.Replay(f.Machine, f.Violation.Schedule, props, maxSteps)
		file, err := corpus.FromViolation(f.Machine, f.Violation, maxSteps).Marshal(run)
		if err != nil {
			return nil, err
		}
		rep.Found = append(rep.Found, FoundReport{Property: f.Property, Topologies: f.Topologies, Index: f.Index,
			Topology: f.Machine.Top.Name, Devices: len(f.Machine.Top.Devices), Steps: len(f.Violation.Schedule),
			Switches: f.Violation.Switches, Message: f.Violation.Message, Replay: string(file)})
	}
	return rep, nil
}

// Lookup returns the report's finding for property p, or nil.
func (rep *VerifyReport) Lookup(p checker.Property) *FoundReport {
	for i := range rep.Found {
		if rep.Found[i].Property == p {
			return &rep.Found[i]
		}
	}
	return nil
}

// The largest spaces verify enumerates.
const (
	MaxProofDevices = 8
	MaxProofLinks   = 4
)

// ParseShard reads --shard's "i/n" (1-based i) and returns the 0-based
// shard and n.
func ParseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("--shard must be i/n with 1 <= i <= n (got %q)", s)
	}
	return i - 1, n, nil
}
