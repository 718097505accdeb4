package checker

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// WriteTrace writes a run as a kernel-log style trace: one line per step
// (step, thread, kernel function, operation on which device), with each
// violation marked under the step that shows it.
func WriteTrace(w io.Writer, run *Run) {
	m, s := run.Machine, run.Final
	at := map[int][]*Violation{}
	for _, v := range run.Violations {
		at[v.Step] = append(at[v.Step], v)
	}
	fmt.Fprintf(w, "%5s  %-16s %-31s %s\n", "step", "thread", "function", "operation")
	for i, ev := range run.Events {
		fmt.Fprintf(w, "%5d  %-16s %-31s %s\n", i+1, m.ThreadName(s, ev.Thread), ev.Func, m.Describe(s, ev))
		for _, v := range at[i+1] {
			fmt.Fprintf(w, "%5s  ^ %s: %s\n", "", v.Property, v.Message)
			for _, d := range v.Details {
				fmt.Fprintf(w, "%5s    %s\n", "", d)
			}
		}
	}
	if run.Err != nil {
		fmt.Fprintf(w, "replay stopped: %v\n", run.Err)
	}
}

// WriteReport writes a readable summary of a search.
func WriteReport(w io.Writer, res *Result, strategy string, props Properties) {
	m := res.Machine
	fmt.Fprintf(w, "%s, %s: %d devices, %d links\n", m.Top.Name, m.Variant.Name, len(m.Top.Devices), len(m.Top.Links))
	fmt.Fprintf(w, "  devices_kset (head first): %s\n", listText(m.Top))
	coverage := "exhaustive"
	switch {
	case res.Stopped != "":
		coverage = "stopped early (" + res.Stopped + "): not exhaustive"
	case !res.Exhaustive:
		coverage = fmt.Sprintf("%d runs, not exhaustive", res.Stats.Runs)
	}
	if res.Coverage != nil {
		coverage = "not exhaustive: " + res.Coverage.String()
	}
	fmt.Fprintf(w, "  strategy %s, %s: %d states, %d transitions, %.2fs\n", strategy, coverage,
		res.Stats.States, res.Stats.Transitions, res.Stats.Seconds)
	for _, p := range AllProperties() {
		if !props[p] {
			continue
		}
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
		if p == Order && len(res.OrderPairs) > 1 {
			fmt.Fprintf(w, "  %-16s   misordered pairs seen: %s\n", "", pairsText(m.Top, res.OrderPairs))
		}
	}
}

func listText(t *model.Topology) string {
	var names []string
	for _, d := range t.Devices {
		if d.Present {
			names = append(names, d.Name)
		}
	}
	return strings.Join(names, ", ")
}

func pairsText(t *model.Topology, pairs []OrderPair) string {
	var out []string
	for _, p := range pairs {
		how := "new"
		if p.Inherited {
			how = "inherited"
		}
		out = append(out, fmt.Sprintf("%s->%s (%s)", t.DevName(p.Supplier), t.DevName(p.Consumer), how))
	}
	return strings.Join(out, ", ")
}

// JSONReport is the --json output of check (SPEC §5).
type JSONReport struct {
	Variant    string          `json:"variant"`
	Verdict    string          `json:"verdict"` // "pass" or "violation"
	Exhaustive bool            `json:"exhaustive"`
	Violations []JSONViolation `json:"violations"`
	Stats      Stats           `json:"stats"`
	Coverage   *Coverage       `json:"coverage,omitempty"` // lossy memory modes only
}

// JSONViolation is one violation in a JSONReport.
type JSONViolation struct {
	Property  string `json:"property"`
	Message   string `json:"message"`
	Inherited *bool  `json:"inherited,omitempty"`
	Replay    string `json:"replay,omitempty"` // the counterexample file, with --out
}

// JSON builds the --json report; replays maps a property to its
// counterexample file.
func JSON(res *Result, replays map[string]string) JSONReport {
	r := JSONReport{Variant: res.Machine.Variant.Name, Verdict: "pass", Exhaustive: res.Exhaustive,
		Violations: []JSONViolation{}, Stats: res.Stats, Coverage: res.Coverage}
	for _, v := range res.Violations {
		r.Verdict = "violation"
		r.Violations = append(r.Violations, JSONViolation{Property: v.Property, Message: v.Message,
			Inherited: v.Inherited, Replay: replays[v.Property]})
	}
	return r
}

// WriteDOT draws the topology for Graphviz: parent edges solid, device links
// dashed (dotted when sync_state_only), and, for a deadlock, the threads of
// the wait-for cycle in red with edges to the devices they wait on.
func WriteDOT(w io.Writer, m *model.Machine, v *Violation) {
	t := m.Top
	fmt.Fprintf(w, "digraph %q {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n", t.Name)
	hot := map[model.DevID]bool{}
	if v != nil && v.Property == Order {
		hot[v.Pair[0]], hot[v.Pair[1]] = true, true
	}
	for _, e := range cycleOf(v) {
		if e.Dev != model.NoDev {
			hot[e.Dev] = true
		}
	}
	for i, d := range t.Devices {
		attrs := []string{fmt.Sprintf("label=%q", fmt.Sprintf("%d: %s%s", i, d.Name, flagText(d)))}
		if hot[model.DevID(i)] {
			attrs = append(attrs, "color=red", "penwidth=2")
		}
		if !d.Present {
			attrs = append(attrs, "style=dashed")
		}
		fmt.Fprintf(w, "  d%d [%s];\n", i, strings.Join(attrs, ", "))
	}
	for i, d := range t.Devices {
		if d.Parent != model.NoDev {
			fmt.Fprintf(w, "  d%d -> d%d;\n", d.Parent, i)
		}
	}
	for _, l := range t.Links {
		style := "dashed"
		if l.SyncStateOnly {
			style = "dotted"
		}
		fmt.Fprintf(w, "  d%d -> d%d [style=%s, label=\"link\"];\n", l.Supplier, l.Consumer, style)
	}
	cycle := cycleOf(v)
	threads := map[string]bool{}
	for _, e := range cycle {
		threads[e.FromName] = true
	}
	names := make([]string, 0, len(threads))
	for n := range threads {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %q [shape=ellipse, color=red, fontcolor=red];\n", n)
	}
	for _, e := range cycle {
		if e.Dev != model.NoDev {
			fmt.Fprintf(w, "  %q -> d%d [color=red, label=%q];\n", e.FromName, e.Dev, e.Op)
		}
		if e.To != model.NoThread {
			fmt.Fprintf(w, "  %q -> %q [color=red, style=bold, label=\"waits for\"];\n", e.FromName, e.ToName)
		}
	}
	fmt.Fprintln(w, "}")
}

func cycleOf(v *Violation) []WaitEdge {
	if v == nil {
		return nil
	}
	return v.Cycle
}

func flagText(d model.Device) string {
	var f []string
	if d.Async {
		f = append(f, "async")
	}
	if d.NeedParentLock {
		f = append(f, "need_parent_lock")
	}
	if len(f) == 0 {
		return ""
	}
	return "\n" + strings.Join(f, ", ")
}
