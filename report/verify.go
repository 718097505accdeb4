package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shutdowncheck/shutdowncheck/campaign"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// WriteVerify writes a bounded proof's report as a table, per property:
// proved (or none found), or violated with its smallest counterexample and,
// with files, the counterexample file that replays it.
func WriteVerify(w io.Writer, rep *campaign.VerifyReport, files bool) {
	shard := ""
	if rep.Shards > 1 {
		shard = fmt.Sprintf(", shard %d/%d", rep.Shard, rep.Shards)
	}
	if len(rep.Merged) > 0 {
		shard = fmt.Sprintf(", %d shards merged", len(rep.Merged))
	}
	fmt.Fprintf(w, "verify %s: every topology of %d-%d devices with at most %d link(s)%s\n", rep.Variant, rep.MinDevices, rep.MaxDevices, rep.MaxLinks, shard)
	fmt.Fprintf(w, "  scenario: %s\n", scenarioSettings(rep.Scenario))
	status := "complete: every topology explored exhaustively"
	if !rep.Complete {
		status = "INCOMPLETE (" + rep.Stopped + "): not a proof"
	}
	fmt.Fprintf(w, "  %d topologies, %d states, %d transitions, %.1fs; %s\n\n", rep.Topologies, rep.Stats.States, rep.Stats.Transitions, rep.Stats.Seconds, status)
	fmt.Fprintf(w, "  %-16s %-9s %11s  %s\n", "property", "verdict", "topologies", "smallest counterexample")
	for _, p := range campaign.Rows(rep.Properties) {
		f := rep.Lookup(p)
		if f == nil {
			verdict := "proved"
			if !rep.Complete {
				verdict = "none found"
			}
			fmt.Fprintf(w, "  %-16s %-9s %11d\n", p, verdict, 0)
			continue
		}
		fmt.Fprintf(w, "  %-16s %-9s %11d  [%s] %d devices, %d steps: %s\n", p, "VIOLATED", f.Topologies, f.Topology, f.Devices, f.Steps, f.Message)
		if files {
			fmt.Fprintf(w, "  %-16s %-9s %11s  replay: shutdowncheck replay %s\n", "", "", "", f.Replay)
		}
	}
	fmt.Fprintf(w, "\nTopology names: one entry per device in devices_kset order (d0 first): its parent's number or -, a async, u need_parent_lock; then links s>c (s~c: sync_state_only).\n")
}

// VerifyProgress returns a progress printer for a bounded proof.
func VerifyProgress(w io.Writer) func(campaign.VerifyProgress) {
	return func(p campaign.VerifyProgress) {
		secs := p.Elapsed.Seconds()
		line := fmt.Sprintf("verify: %d topologies", p.Checked)
		if p.Total > 0 {
			eta := "?"
			if p.Checked > 0 {
				eta = (time.Duration(float64(p.Total-p.Checked)/float64(p.Checked)*secs) * time.Second).Round(time.Second).String()
			}
			line = fmt.Sprintf("verify: %d/%d topologies (%.1f%%), ETA %s", p.Checked, p.Total, 100*float64(p.Checked)/float64(p.Total), eta)
		}
		if p.MembersTotal > 0 {
			line = fmt.Sprintf("verify: %d topologies checked; for the smallest counterexamples, %d/%d members of the violating classes", p.Checked, p.Members, p.MembersTotal)
		}
		fmt.Fprintf(w, "%s, %d states, %.0f states/s, %s elapsed\n", line, p.States, float64(p.States)/secs, p.Elapsed.Round(time.Second))
	}
}

// scenarioSettings lists the scenario's true/false and numeric fields, as
// "name value" (verify enumerates topologies: no device names).
func scenarioSettings(sc model.Scenario) string {
	var parts []string
	for _, f := range model.ScenarioFields {
		switch f.Kind {
		case model.BoolField:
			parts = append(parts, fmt.Sprintf("%s %t", f.Name, *f.Bool(&sc)))
		case model.IntField:
			parts = append(parts, fmt.Sprintf("%s %d", f.Name, *f.Int(&sc)))
		}
	}
	return strings.Join(parts, ", ")
}
