package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/campaign"
	"github.com/shutdowncheck/shutdowncheck/checker"
)

// cellText is a cell as the Markdown table shows it.
func cellText(c *campaign.Cell) string {
	v := c.Violation
	if v == nil {
		return "ok"
	}
	text := fmt.Sprintf("✗ `%s`, %d steps", c.Machine.Top.Name, len(v.Schedule))
	if v.Inherited != nil {
		if *v.Inherited {
			text += ", inherited"
		} else {
			text += ", **new**"
		}
	}
	if c.Count > 1 {
		text += fmt.Sprintf(" (%d topologies)", c.Count)
	}
	return text
}

// WriteMatrix writes a matrix as Markdown: the version x property table,
// the smallest counterexamples, and (for a list of topologies) the
// topology x version table of the properties violated.
func WriteMatrix(w io.Writer, res *campaign.MatrixResult) {
	fmt.Fprintf(w, "| version | %s |\n", strings.Join(names(res.Properties), " | "))
	fmt.Fprintf(w, "|---|%s\n", strings.Repeat("---|", len(res.Properties)))
	for vi, name := range res.Variants {
		var cells []string
		for _, c := range res.Cells[vi] {
			cells = append(cells, cellText(c))
		}
		fmt.Fprintf(w, "| %s | %s |\n", name, strings.Join(cells, " | "))
	}
	coverage := "exhaustive"
	if !res.Exhaustive {
		coverage = "NOT exhaustive (stopped early)"
	}
	what := fmt.Sprintf("%d topologies", len(res.Topologies))
	if res.Results == nil && len(res.Topologies) == 1 {
		what = res.Topologies[0]
	}
	fmt.Fprintf(w, "\n%s x %d versions, %s: %d states, %d transitions.\n\n",
		what, len(res.Variants), coverage, res.Stats.States, res.Stats.Transitions)
	fmt.Fprintln(w, "Smallest counterexamples:")
	fmt.Fprintln(w)
	for vi, name := range res.Variants {
		for _, c := range res.Cells[vi] {
			if c.Violation != nil {
				fmt.Fprintf(w, "- %s %s (%s): %s\n", name, c.Property, c.Machine.Top.Name, c.Violation.Message)
			}
		}
	}
	if res.Results == nil {
		return // an enumerated space: too many topologies to list
	}
	fmt.Fprintf(w, "\nBy topology (the properties each version violates):\n\n")
	fmt.Fprintf(w, "| topology | %s |\n", strings.Join(res.Variants, " | "))
	fmt.Fprintf(w, "|---|%s\n", strings.Repeat("---|", len(res.Variants)))
	for ti, top := range res.Topologies {
		var cells []string
		for vi := range res.Variants {
			cells = append(cells, violatedText(res.Results[vi][ti]))
		}
		fmt.Fprintf(w, "| %s | %s |\n", top, strings.Join(cells, " | "))
	}
}

func names(props []checker.Property) []string {
	out := make([]string, len(props))
	for i, p := range props {
		out[i] = string(p)
	}
	return out
}

// violatedText lists the properties a result violates ("pass" if none),
// saying of order whether it is new or inherited.
func violatedText(r *checker.Result) string {
	var ps []string
	for _, v := range r.Violations {
		p := string(v.Property)
		if v.Inherited != nil && *v.Inherited {
			p += " (inherited)"
		} else if v.Inherited != nil {
			p = "**" + p + " (new)**"
		}
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		return "pass"
	}
	return strings.Join(ps, ", ")
}

// MatrixCell is one cell of a MatrixReport.
type MatrixCell struct {
	Variant    string           `json:"variant"`
	Property   checker.Property `json:"property"`
	Verdict    string           `json:"verdict"`
	Topology   string           `json:"topology,omitempty"`
	Steps      int              `json:"steps,omitempty"`
	Message    string           `json:"message,omitempty"`
	Inherited  *bool            `json:"inherited,omitempty"`
	Replay     string           `json:"replay,omitempty"`
	Topologies []string         `json:"topologies,omitempty"`
}

// MatrixReport is the --json output of matrix.
type MatrixReport struct {
	Variants   []string           `json:"variants"`
	Properties []checker.Property `json:"properties"`
	Topologies []string           `json:"topologies"`
	Exhaustive bool               `json:"exhaustive"`
	Cells      []MatrixCell       `json:"cells"`
	Stats      checker.Stats      `json:"stats"`
}

// MatrixJSON builds matrix's --json report; replays maps a cell to its
// counterexample file.
func MatrixJSON(res *campaign.MatrixResult, replays map[*campaign.Cell]string) MatrixReport {
	r := MatrixReport{Variants: res.Variants, Properties: res.Properties, Topologies: res.Topologies,
		Exhaustive: res.Exhaustive, Stats: res.Stats, Cells: []MatrixCell{}}
	for _, row := range res.Cells {
		for _, c := range row {
			j := MatrixCell{Variant: c.Variant, Property: c.Property, Verdict: "pass"}
			if v := c.Violation; v != nil {
				j.Verdict, j.Topology, j.Steps, j.Message, j.Inherited = "violation", c.Machine.Top.Name, len(v.Schedule), v.Message, v.Inherited
				j.Replay, j.Topologies = replays[c], c.Topologies
			}
			r.Cells = append(r.Cells, j)
		}
	}
	return r
}
