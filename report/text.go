// Package report writes what the checker and the campaigns found, in every
// output format: the text summary and traces, JSON, Graphviz DOT,
// porcupine's HTML view, the Markdown and text tables of the campaigns,
// progress lines, and the counterexample files of --out and --save.
package report

import (
	"fmt"
	"io"
	"time"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/corpus"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// WriteSummary writes a readable summary of a search, for props; Brief
// elides the middle of long device lists.
func WriteSummary(w io.Writer, res *checker.Result, props checker.Properties, d Detail) {
	m := res.Machine
	fmt.Fprintf(w, "%s, %s: %d devices, %d links\n", m.Top.Name, m.Variant.Name, len(m.Top.Devices), len(m.Top.Links))
	fmt.Fprintf(w, "  devices_kset (head first): %s\n", listText(m.Top, d))
	coverage := "exhaustive"
	switch {
	case res.Sampled > 0:
		coverage = fmt.Sprintf("INCOMPLETE (%s), then %d PCT runs: not exhaustive, not a proof", res.Stopped, res.Sampled)
	case res.Stopped != "":
		coverage = "INCOMPLETE (" + res.Stopped + "): not exhaustive, not a proof"
	case !res.Exhaustive:
		coverage = fmt.Sprintf("%d runs, not exhaustive", res.Stats.Runs)
	}
	if res.Coverage != nil {
		coverage = "not exhaustive: " + res.Coverage.String()
	}
	fmt.Fprintf(w, "  strategy %s, %s: %d states, %d transitions, %.2fs\n", res.Engine, coverage,
		res.Stats.States, res.Stats.Transitions, res.Stats.Seconds)
	for _, p := range props.List() {
		v := res.Violation(p)
		if v == nil {
			fmt.Fprintf(w, "  %-16s ok\n", p)
			continue
		}
		fmt.Fprintf(w, "  %-16s VIOLATED: %s\n", p, v.Message)
		for _, d := range v.Details {
			fmt.Fprintf(w, "  %-16s   %s\n", "", d)
		}
		fmt.Fprintf(w, "  %-16s   counterexample: %d steps, thread switches: %d\n", "", len(v.Schedule), v.Switches)
		if p == checker.Order && len(res.OrderPairs) > 1 {
			fmt.Fprintf(w, "  %-16s   misordered pairs seen: %s\n", "", pairsText(m.Top, res.OrderPairs, d))
		}
	}
}

func listText(t *model.Topology, d Detail) string {
	var names []string
	for _, dev := range t.Devices {
		if dev.Present {
			names = append(names, dev.Name)
		}
	}
	return elide(names, d)
}

// WriteTraces writes each violation's minimal trace, replayed with props
// and maxSteps, naming its replay file when it has one.
func WriteTraces(w io.Writer, res *checker.Result, props checker.Properties, maxSteps int, replays map[checker.Property]string, d Detail) {
	for _, v := range res.Violations {
		fmt.Fprintf(w, "\n%s: counterexample, %d steps, thread switches: %d", v.Property, len(v.Schedule), v.Switches)
		if f := replays[v.Property]; f != "" {
			fmt.Fprintf(w, ", replay with: shutdowncheck replay %s", f)
		}
		fmt.Fprintln(w)
		WriteTrace(w, checker.Replay(res.Machine, v.Schedule, props, maxSteps), d)
	}
}

// CheckProgress returns a progress printer for a long search.
func CheckProgress(w io.Writer) func(checker.Progress) {
	return func(p checker.Progress) {
		secs := p.Elapsed.Seconds()
		mem := checker.FormatBytes(p.Memory.Held)
		if p.Budget > 0 {
			mem += " of " + checker.FormatBytes(p.Budget)
		}
		runs := ""
		if p.Sampled {
			runs = fmt.Sprintf(", %d runs", p.Runs)
		}
		fmt.Fprintf(w, "progress: %d states, %.0f states/s, depth %d, %d transitions%s, memory %s, %s elapsed\n",
			p.States, float64(p.States)/secs, p.Depth, p.Transitions, runs, mem, p.Elapsed.Round(time.Second))
	}
}

func pairsText(t *model.Topology, pairs []checker.OrderPair, d Detail) string {
	var out []string
	for _, p := range pairs {
		how := "new"
		if p.Inherited {
			how = "inherited"
		}
		out = append(out, fmt.Sprintf("%s->%s (%s)", t.DevName(p.Supplier), t.DevName(p.Consumer), how))
	}
	return elide(out, d)
}

// WriteReplay writes the replay of a counterexample file: what it records,
// the trace, and, when the schedule could be followed, whether the run
// violates the file's property.
func WriteReplay(w io.Writer, f *corpus.File, run *checker.Run, d Detail) {
	fmt.Fprintf(w, "%s: %s on %s, %d steps (recorded: %s, expect %s)\n", f.Path, f.Variant, f.Topology.Name,
		len(f.Schedule), f.Property, f.Expect)
	WriteTrace(w, run, d)
	switch v := run.Violation(f.Property); {
	case run.Err != nil:
	case v != nil:
		fmt.Fprintf(w, "reproduced %s at step %d: %s\n", f.Property, v.Step, v.Message)
	default:
		fmt.Fprintf(w, "not reproduced: the run does not violate %s\n", f.Property)
	}
}
