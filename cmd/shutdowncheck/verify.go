package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/corpus"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

type verifyConfig struct {
	minDevices, maxDevices, maxLinks, jobs, maxSteps int
	variant, shard, engine, out                      string
	properties                                       listFlag
	scenario                                         scenarioFlags
	timeout                                          time.Duration
	json                                             bool
}

func runVerify(args []string, stdout, stderr io.Writer) (int, error) {
	var c verifyConfig
	fs := newFlagSet("verify", "verify --max-devices N [flags]", stderr)
	fs.IntVar(&c.maxDevices, "max-devices", 0, "check every topology of up to N devices (required)")
	fs.IntVar(&c.minDevices, "min-devices", 1, "and of at least this many")
	fs.IntVar(&c.maxLinks, "max-links", 1, "with at most this many device links (sync_state_only or not)")
	fs.StringVar(&c.variant, "variant", model.DefaultVariant, "version of the algorithm: "+variantNames())
	fs.StringVar(&c.shard, "shard", "1/1", "check shard i of n (1-based), to split a proof across jobs; combine with merge")
	fs.StringVar(&c.engine, "engine", "auto", "exhaustive engine per topology: auto (DPOR, else cached DFS), dfs or dpor")
	fs.IntVar(&c.jobs, "jobs", 0, "topologies checked at once (0: one per CPU)")
	fs.IntVar(&c.maxSteps, "max-steps", 0, "a run longer than this hangs (0: the default bound)")
	fs.DurationVar(&c.timeout, "timeout", 0, "stop after this long, keeping what was found (0: no limit)")
	fs.Var(&c.properties, "property", "property to check (repeatable; default all)")
	fs.StringVar(&c.out, "out", "", "write each property's smallest counterexample here")
	fs.BoolVar(&c.json, "json", false, "print one JSON object (mergeable with `shutdowncheck merge`)")
	c.scenario.register(fs)
	pos, code, ok := parseCommand(fs, args)
	if !ok {
		return code, nil
	}
	if len(pos) > 0 {
		return 0, fmt.Errorf("verify takes no topology file: it enumerates them (got %q)", pos[0])
	}
	space, err := c.space(fs)
	if err != nil {
		return 0, err
	}
	v, err := model.LookupVariant(c.variant)
	if err != nil {
		return 0, err
	}
	props, err := checker.ParseProperties(c.properties)
	if err != nil {
		return 0, err
	}
	strategy, err := engine(c.engine)
	if err != nil {
		return 0, err
	}
	ctx, stop := (&checkConfig{timeout: c.timeout}).context()
	defer stop()
	res := checker.Verify(space, v, checker.VerifyOptions{Properties: props, MaxSteps: c.maxSteps, Workers: c.jobs,
		Context: ctx, Progress: verifyProgress(stderr), Strategy: strategy})
	rep, err := verifyReport(res, props, c.maxSteps)
	if err != nil {
		return 0, err
	}
	return emitVerify(rep, c.json, c.out, stdout)
}

// space checks the flags that define what to enumerate.
func (c *verifyConfig) space(fs *flag.FlagSet) (checker.VerifySpace, error) {
	if c.maxDevices < 1 || c.maxDevices > 8 {
		return checker.VerifySpace{}, fmt.Errorf("--max-devices must be between 1 and 8 (got %d)", c.maxDevices)
	}
	if c.minDevices < 1 || c.minDevices > c.maxDevices {
		return checker.VerifySpace{}, fmt.Errorf("--min-devices must be between 1 and --max-devices (got %d)", c.minDevices)
	}
	if c.maxLinks < 0 || c.maxLinks > 4 {
		return checker.VerifySpace{}, fmt.Errorf("--max-links must be between 0 and 4 (got %d)", c.maxLinks)
	}
	sc := c.scenario.apply(fs, model.DefaultScenario())
	if len(sc.Remove) > 0 || len(sc.HotAdd) > 0 {
		return checker.VerifySpace{}, fmt.Errorf("--remove and --hot-add name devices of one topology; verify enumerates topologies")
	}
	i, n, err := parseShard(c.shard)
	if err != nil {
		return checker.VerifySpace{}, err
	}
	return checker.VerifySpace{MinDevices: c.minDevices, MaxDevices: c.maxDevices, MaxLinks: c.maxLinks, Scenario: sc, Shard: i, Shards: n}, nil
}

// parseShard reads "i/n" (1-based i) and returns the 0-based shard and n.
func parseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("--shard must be i/n with 1 <= i <= n (got %q)", s)
	}
	return i - 1, n, nil
}

func engine(name string) (func() scheduler.Scheduler, error) {
	switch name {
	case "auto":
		return func() scheduler.Scheduler { return scheduler.NewAuto() }, nil
	case "dfs":
		return func() scheduler.Scheduler { return scheduler.NewDFS() }, nil
	case "dpor":
		return func() scheduler.Scheduler { return scheduler.NewDPOR() }, nil
	}
	return nil, fmt.Errorf("unknown engine %q (have auto, dfs, dpor)", name)
}

func verifyProgress(w io.Writer) func(checker.VerifyProgress) {
	return func(p checker.VerifyProgress) {
		secs := p.Elapsed.Seconds()
		line := fmt.Sprintf("verify: %d topologies", p.Checked)
		if p.Total > 0 {
			eta := "?"
			if p.Checked > 0 {
				eta = (time.Duration(float64(p.Total-p.Checked)/float64(p.Checked)*secs) * time.Second).Round(time.Second).String()
			}
			line = fmt.Sprintf("verify: %d/%d topologies (%.1f%%), ETA %s", p.Checked, p.Total, 100*float64(p.Checked)/float64(p.Total), eta)
		}
		fmt.Fprintf(w, "%s, %d states, %.0f states/s, %s elapsed\n", line, p.States, float64(p.States)/secs, p.Elapsed.Round(time.Second))
	}
}

// VerifyReport is the --json output of verify and the input of merge.
type VerifyReport struct {
	Variant    string         `json:"variant"`
	MinDevices int            `json:"min_devices"`
	MaxDevices int            `json:"max_devices"`
	MaxLinks   int            `json:"max_links"`
	Scenario   model.Scenario `json:"scenario"`
	Shard      int            `json:"shard"` // 1-based
	Shards     int            `json:"shards"`
	Properties []string       `json:"properties"`
	Verdict    string         `json:"verdict"` // "pass" or "violation"
	Complete   bool           `json:"complete"`
	Stopped    string         `json:"stopped,omitempty"`
	Topologies int64          `json:"topologies"`
	Stats      checker.Stats  `json:"stats"`
	Found      []FoundReport  `json:"found"`
	Merged     []int          `json:"merged_shards,omitempty"`
}

// FoundReport is one violated property of a VerifyReport.
type FoundReport struct {
	Property   string `json:"property"`
	Topologies int64  `json:"topologies"`
	Index      int64  `json:"index"`
	Topology   string `json:"topology"` // canonical name
	Devices    int    `json:"devices"`
	Steps      int    `json:"steps"`
	Switches   int    `json:"switches"`
	Message    string `json:"message"`
	Replay     string `json:"replay"` // the counterexample file
}

func verifyReport(res *checker.VerifyResult, props checker.Properties, maxSteps int) (*VerifyReport, error) {
	sp := res.Space
	rep := &VerifyReport{Variant: res.Variant, MinDevices: max(sp.MinDevices, 1), MaxDevices: sp.MaxDevices, MaxLinks: sp.MaxLinks, Scenario: sp.Scenario,
		Shard: sp.Shard + 1, Shards: max(sp.Shards, 1), Properties: res.Properties, Verdict: "pass", Complete: res.Complete,
		Stopped: res.Stopped, Topologies: res.Checked, Stats: res.Stats, Found: []FoundReport{}}
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

// emitVerify prints a report (JSON or a table), writes its counterexamples
// with out, and returns the exit status.
func emitVerify(rep *VerifyReport, asJSON bool, out string, stdout io.Writer) (int, error) {
	if out != "" {
		if err := os.MkdirAll(out, 0o755); err != nil {
			return 0, err
		}
		for i, f := range rep.Found {
			path := filepath.Join(out, unsafeName.ReplaceAllString(fmt.Sprintf("verify-%d-%s-%s", rep.MaxDevices, rep.Variant, f.Property), "_")+".yaml")
			if err := os.WriteFile(path, []byte(f.Replay), 0o644); err != nil {
				return 0, err
			}
			rep.Found[i].Replay = path
		}
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			return 0, err
		}
	} else {
		writeVerifyTable(stdout, rep, out != "")
	}
	if rep.Verdict == "violation" {
		return exitViolation, nil
	}
	return exitPass, nil
}

func writeVerifyTable(w io.Writer, rep *VerifyReport, files bool) {
	shard := ""
	if rep.Shards > 1 {
		shard = fmt.Sprintf(", shard %d/%d", rep.Shard, rep.Shards)
	}
	if len(rep.Merged) > 0 {
		shard = fmt.Sprintf(", %d shards merged", len(rep.Merged))
	}
	fmt.Fprintf(w, "verify %s: every topology of %d-%d devices with at most %d link(s)%s\n", rep.Variant, rep.MinDevices, rep.MaxDevices, rep.MaxLinks, shard)
	fmt.Fprintf(w, "  scenario: async_shutdown %t, workers %d, alloc_failures %d, param_toggle %t\n",
		rep.Scenario.AsyncShutdown, rep.Scenario.Workers, rep.Scenario.AllocFailures, rep.Scenario.ParamToggle)
	status := "complete: every topology explored exhaustively"
	if !rep.Complete {
		status = "INCOMPLETE (" + rep.Stopped + "): not a proof"
	}
	fmt.Fprintf(w, "  %d topologies, %d states, %d transitions, %.1fs; %s\n\n", rep.Topologies, rep.Stats.States, rep.Stats.Transitions, rep.Stats.Seconds, status)
	fmt.Fprintf(w, "  %-16s %-9s %11s  %s\n", "property", "verdict", "topologies", "smallest counterexample")
	for _, p := range rowsOf(rep.Properties) {
		f := findReport(rep, p)
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

// rowsOf is the rows of the table: the properties, with "order (new)"
// after order.
func rowsOf(props []string) []string {
	var rows []string
	for _, p := range props {
		rows = append(rows, p)
		if p == checker.Order {
			rows = append(rows, checker.NewOrder)
		}
	}
	return rows
}

func findReport(rep *VerifyReport, p string) *FoundReport {
	for i := range rep.Found {
		if rep.Found[i].Property == p {
			return &rep.Found[i]
		}
	}
	return nil
}
