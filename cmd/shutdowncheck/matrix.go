package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/examples"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/topology"
)

type matrixConfig struct {
	variants, properties listFlag
	maxSteps             int
	out                  string
	json                 bool
	maxDevices, maxLinks int
}

func runMatrix(args []string, stdout, stderr io.Writer) (int, error) {
	var c matrixConfig
	fs := newFlagSet("matrix", "matrix [flags] [DIR|TOPOLOGY ...]   (default: the built-in topologies)", stderr)
	fs.Var(&c.variants, "variant", "version to check (repeatable; default all)")
	fs.Var(&c.properties, "property", "property to check (repeatable; default all)")
	fs.IntVar(&c.maxSteps, "max-steps", 0, "a run longer than this hangs (0: the default bound)")
	fs.StringVar(&c.out, "out", "", "write each cell's smallest counterexample here")
	fs.BoolVar(&c.json, "json", false, "print JSON instead of a Markdown table")
	fs.IntVar(&c.maxDevices, "max-devices", 0, "instead of files: every topology of 1..N devices, as verify enumerates them")
	fs.IntVar(&c.maxLinks, "max-links", 1, "with --max-devices: at most this many device links")
	pos, code, ok := parseCommand(fs, args)
	if !ok {
		return code, nil
	}
	variants, err := lookupVariants(c.variants)
	if err != nil {
		return 0, err
	}
	props, err := checker.ParseProperties(c.properties)
	if err != nil {
		return 0, err
	}
	ctx, stop := (&checkConfig{}).context()
	defer stop()
	var res *checker.MatrixResult
	if c.maxDevices > 0 {
		if len(pos) > 0 {
			return 0, fmt.Errorf("matrix takes topology files or --max-devices, not both")
		}
		space := checker.VerifySpace{MaxDevices: c.maxDevices, MaxLinks: c.maxLinks, Scenario: model.DefaultScenario()}
		res = checker.MatrixOfSpace(space, variants, checker.VerifyOptions{Properties: props, MaxSteps: c.maxSteps,
			Context: ctx, Progress: verifyProgress(stderr)})
	} else {
		tops, err := loadTopologies(pos)
		if err != nil {
			return 0, err
		}
		if res, err = checker.Matrix(ctx, tops, variants, props, c.maxSteps); err != nil {
			return 0, err
		}
	}
	replays := map[*checker.Cell]string{}
	if c.out != "" {
		if replays, err = writeMatrixCounterexamples(c.out, res, props, c.maxSteps); err != nil {
			return 0, err
		}
	}
	if c.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(matrixJSON(res, replays)); err != nil {
			return 0, err
		}
	} else {
		writeMatrixMarkdown(stdout, res)
	}
	for _, row := range res.Cells {
		for _, cell := range row {
			if cell.Violation != nil {
				return exitViolation, nil
			}
		}
	}
	return exitPass, nil
}

// loadTopologies reads topology files and the *.yaml/*.json of directories;
// with no arguments it loads every built-in topology.
func loadTopologies(args []string) ([]*model.Topology, error) {
	var tops []*model.Topology
	if len(args) == 0 {
		for _, name := range examples.All() {
			t, err := examples.Load(name)
			if err != nil {
				return nil, err
			}
			tops = append(tops, t)
		}
		return tops, nil
	}
	for _, arg := range args {
		paths := []string{arg}
		if st, err := os.Stat(arg); err == nil && st.IsDir() {
			yml, _ := filepath.Glob(filepath.Join(arg, "*.yaml"))
			js, _ := filepath.Glob(filepath.Join(arg, "*.json"))
			paths = append(yml, js...)
			sort.Strings(paths)
			if len(paths) == 0 {
				return nil, fmt.Errorf("%s: no *.yaml or *.json topology files", arg)
			}
		}
		for _, p := range paths {
			t, err := topology.Load(p)
			if err != nil {
				return nil, err
			}
			tops = append(tops, t)
		}
	}
	return tops, nil
}

func lookupVariants(names []string) ([]*model.Variant, error) {
	if len(names) == 0 {
		return model.Variants(), nil
	}
	var vs []*model.Variant
	for _, n := range names {
		v, err := model.LookupVariant(n)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, nil
}

// cellText is a cell as the Markdown table shows it.
func cellText(c *checker.Cell) string {
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

func writeMatrixMarkdown(w io.Writer, res *checker.MatrixResult) {
	fmt.Fprintf(w, "| version | %s |\n", strings.Join(res.Properties, " | "))
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

// violatedText lists the properties a result violates ("pass" if none),
// saying of order whether it is new or inherited.
func violatedText(r *checker.Result) string {
	var ps []string
	for _, v := range r.Violations {
		p := v.Property
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

type matrixCellJSON struct {
	Variant    string   `json:"variant"`
	Property   string   `json:"property"`
	Verdict    string   `json:"verdict"`
	Topology   string   `json:"topology,omitempty"`
	Steps      int      `json:"steps,omitempty"`
	Message    string   `json:"message,omitempty"`
	Inherited  *bool    `json:"inherited,omitempty"`
	Replay     string   `json:"replay,omitempty"`
	Topologies []string `json:"topologies,omitempty"`
}

type matrixJSONReport struct {
	Variants   []string         `json:"variants"`
	Properties []string         `json:"properties"`
	Topologies []string         `json:"topologies"`
	Exhaustive bool             `json:"exhaustive"`
	Cells      []matrixCellJSON `json:"cells"`
	Stats      checker.Stats    `json:"stats"`
}

func matrixJSON(res *checker.MatrixResult, replays map[*checker.Cell]string) matrixJSONReport {
	r := matrixJSONReport{Variants: res.Variants, Properties: res.Properties, Topologies: res.Topologies,
		Exhaustive: res.Exhaustive, Stats: res.Stats, Cells: []matrixCellJSON{}}
	for _, row := range res.Cells {
		for _, c := range row {
			j := matrixCellJSON{Variant: c.Variant, Property: c.Property, Verdict: "pass"}
			if v := c.Violation; v != nil {
				j.Verdict, j.Topology, j.Steps, j.Message, j.Inherited = "violation", c.Machine.Top.Name, len(v.Schedule), v.Message, v.Inherited
				j.Replay, j.Topologies = replays[c], c.Topologies
			}
			r.Cells = append(r.Cells, j)
		}
	}
	return r
}

// writeMatrixCounterexamples writes each violated cell's counterexample
// like check --out does.
func writeMatrixCounterexamples(dir string, res *checker.MatrixResult, props checker.Properties, maxSteps int) (map[*checker.Cell]string, error) {
	replays := map[*checker.Cell]string{}
	for _, row := range res.Cells {
		for _, c := range row {
			if c.Violation == nil {
				continue
			}
			one := &checker.Result{Machine: c.Machine, Violations: []*checker.Violation{c.Violation}}
			files, err := writeCounterexamples(dir, one, props, maxSteps)
			if err != nil {
				return nil, err
			}
			replays[c] = files[c.Property]
		}
	}
	return replays, nil
}
