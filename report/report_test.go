package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/shutdowncheck/shutdowncheck/campaign"
	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/topofile"
)

func TestReportsAndOutputs(t *testing.T) {
	const src = `devices: [{name: disk, parent: port}, {name: bridge}, {name: port, parent: bridge, async: true}]`
	top, err := topofile.Parse("outputs.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	v14, err := model.LookupVariant("v14")
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.NewMachine(top, v14, top.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	res := checker.Explore(m, checker.Options{})
	props, _ := checker.ParseProperties(nil)
	var rep bytes.Buffer
	WriteSummary(&rep, res, props, Brief)
	for _, want := range []string{"strategy dfs, exhaustive", "deadlock         VIOLATED: possible circular wait", "order            ok", "INFO: task main blocked"} {
		if !strings.Contains(rep.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, rep.String())
		}
	}
	v := res.Violation(checker.Deadlock)
	run := checker.Replay(m, v.Schedule, props, 0)
	var trace, dot, html bytes.Buffer
	WriteTrace(&trace, run, Brief)
	if !strings.Contains(trace.String(), "   23  async:port       device_for_each_child") || !strings.Contains(trace.String(), "^ deadlock:") {
		t.Errorf("trace:\n%s", trace.String())
	}
	WriteDOT(&dot, m, v)
	if !strings.Contains(dot.String(), `"main" -> "async:port" [color=red`) || !strings.Contains(dot.String(), "d1 -> d2;") {
		t.Errorf("dot:\n%s", dot.String())
	}
	if err := WriteHistoryHTML(&html, run, v); err != nil || !strings.Contains(html.String(), "<html") {
		t.Errorf("html: %v", err)
	}
	j := JSON(res, map[checker.Property]string{checker.Deadlock: "x.yaml"})
	if j.Verdict != "violation" || !j.Exhaustive || j.Violations[0].Replay != "x.yaml" || j.Variant != "v14" {
		t.Errorf("json %+v", j)
	}
}

// Brief keeps the ends of a long list and says how many it left out.
func TestElide(t *testing.T) {
	var names []string
	for i := range 20 {
		names = append(names, string(rune('a'+i)))
	}
	if got := elide(names, Brief); got != "a, b, c, d, e, … 10 more …, p, q, r, s, t" {
		t.Errorf("brief: %s", got)
	}
	if got := elide(names, Full); got != strings.Join(names, ", ") {
		t.Errorf("full: %s", got)
	}
	if got := elide(names[:12], Brief); got != strings.Join(names[:12], ", ") {
		t.Errorf("short: %s", got)
	}
}

// The progress line of a proof over classes says when it has moved on from
// the representatives to the members of the violating classes, rather than
// sitting at 100% with an ETA of 0s.
func TestVerifyProgressMembers(t *testing.T) {
	var buf bytes.Buffer
	progress := VerifyProgress(&buf)
	progress(campaign.VerifyProgress{Checked: 50, Total: 200, States: 1000, Elapsed: time.Second})
	progress(campaign.VerifyProgress{Checked: 200, Total: 200, States: 5000, Elapsed: 2 * time.Second, Members: 3, MembersTotal: 40})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "verify: 50/200 topologies (25.0%), ETA 3s") ||
		!strings.HasPrefix(lines[1], "verify: 200 topologies checked; for the smallest counterexamples, 3/40 members of the violating classes") {
		t.Errorf("progress lines:\n%s", buf.String())
	}
}
