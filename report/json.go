package report

import (
	"encoding/json"
	"io"

	"github.com/shutdowncheck/shutdowncheck/checker"
)

// WriteJSON writes v as indented JSON, leaving <, > and & as they are.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// JSONReport is the --json output of check (docs/CLI.md).
type JSONReport struct {
	Topology   string `json:"topology"` // the topology's name
	Variant    string `json:"variant"`
	Verdict    string `json:"verdict"` // "pass" or "violation"
	Exhaustive bool   `json:"exhaustive"`
	// Complete: the search did all it was asked to (false: cut short by
	// a timeout, the memory budget, an interrupt, or a proof auto gave
	// up, which Stopped names; with no violation, exit status 3).
	Complete   bool              `json:"complete"`
	Stopped    string            `json:"stopped,omitempty"`
	Sampled    int64             `json:"sampled_runs,omitempty"` // auto: PCT runs after the proof was given up
	Violations []JSONViolation   `json:"violations"`
	Stats      checker.Stats     `json:"stats"`
	Coverage   *checker.Coverage `json:"coverage,omitempty"` // lossy memory modes only
}

// JSONViolation is one violation in a JSONReport.
type JSONViolation struct {
	Property  checker.Property `json:"property"`
	Message   string           `json:"message"`
	Inherited *bool            `json:"inherited,omitempty"`
	Replay    string           `json:"replay,omitempty"` // the counterexample file, with --out
	Steps     int              `json:"steps"`            // the counterexample's length
	Schedule  []string         `json:"schedule"`         // its steps' threads, as a counterexample file records them
}

// JSON builds the --json report; replays maps a property to its
// counterexample file.
func JSON(res *checker.Result, replays map[checker.Property]string) JSONReport {
	r := JSONReport{Topology: res.Machine.Top.Name, Variant: res.Machine.Variant.Name, Verdict: "pass", Exhaustive: res.Exhaustive,
		Complete: res.Complete(), Stopped: res.Stopped, Sampled: res.Sampled,
		Violations: []JSONViolation{}, Stats: res.Stats, Coverage: res.Coverage}
	for _, v := range res.Violations {
		r.Verdict = "violation"
		r.Violations = append(r.Violations, JSONViolation{Property: v.Property, Message: v.Message,
			Inherited: v.Inherited, Replay: replays[v.Property], Steps: len(v.Schedule), Schedule: append([]string{}, v.Schedule...)})
	}
	return r
}
