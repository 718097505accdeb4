package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// WriteDOT draws the topology for Graphviz: parent edges solid, device links
// dashed (dotted when sync_state_only), and, for a deadlock, the threads of
// the wait-for cycle in red with edges to the devices they wait on.
func WriteDOT(w io.Writer, m *model.Machine, v *checker.Violation) {
	t := m.Top
	fmt.Fprintf(w, "digraph %q {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n", t.Name)
	hot := map[model.DevID]bool{}
	if v != nil && v.Property == checker.Order {
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

func cycleOf(v *checker.Violation) []checker.WaitEdge {
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
