package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/report"
	"github.com/shutdowncheck/shutdowncheck/topofile"
)

// checkConfig holds check's flags.
type checkConfig struct {
	variant, strategy string
	seed              uint64
	runs, depth       int
	maxSteps          int
	timeout, proveFor time.Duration
	maxMemory         memoryFlag
	scenario          scenarioFlags
	properties        listFlag
	out, save         string
	json              bool
	memory            string
	bitstateBits      int
	detail            report.Detail // --full-trace
	name              string        // of the topology file, for --out's and --save's files
	src               sourceFlags   // --source, --patch, --patch-skip (source.go)
}

func (c *checkConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.variant, "variant", model.DefaultVariant, "version of the algorithm: "+variantNames())
	fs.StringVar(&c.strategy, "strategy", checker.Auto.String(), checker.EngineUsage(false))
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the random and pct strategies")
	fs.IntVar(&c.runs, "runs", 1000, "runs of the random and pct strategies, and of auto's PCT sample once it gives a proof up (for at most "+sampleFor.String()+")")
	fs.IntVar(&c.depth, "depth", 3, "bug depth d of the pct strategy (d-1 priority change points)")
	fs.IntVar(&c.maxSteps, "max-steps", 0, "a run longer than this hangs (0: 200 per device and link, plus 1000)")
	fs.DurationVar(&c.timeout, "timeout", 0, "stop the search after this long, keeping what it found (0: no limit)")
	fs.DurationVar(&c.proveFor, "prove-for", defaultProveFor, "auto: try an exhaustive proof this long, then sample --runs PCT runs instead, labelled not exhaustive (0: until the proof is done; with --timeout, at most half of it)")
	c.maxMemory.register(fs)
	c.scenario.register(fs)
	fs.Var(&c.properties, "property", "property to check (repeatable; default all): "+fmt.Sprint(checker.AllProperties()))
	fs.StringVar(&c.out, "out", "", "write each counterexample here: replay file, trace, porcupine HTML, DOT")
	fs.StringVar(&c.save, "save", "", "write each counterexample's replay file (only) here: --save corpus adds them to the corpus")
	fs.BoolVar(&c.json, "json", false, "print one JSON object instead of the report")
	fs.StringVar(&c.memory, "memory", string(checker.MemoryExact), "how dfs remembers states: exact, compact (64-bit fingerprints) or bitstate (bit array; see --bitstate-bits)")
	fs.IntVar(&c.bitstateBits, "bitstate-bits", 30, "bitstate: use 2^N bits (2^30 = 128 MiB)")
	fs.BoolVar((*bool)(&c.detail), "full-trace", false, "print every step of each trace and every device of a list (default: long lists elided, uneventful stretches collapsed)")
	c.src.register(fs, true)
}

func runCheck(args []string, stdout, stderr io.Writer) (int, error) {
	var c checkConfig
	fs := newFlagSet("check", "check [flags] TOPOLOGY", stderr)
	c.register(fs)
	pos, code, ok := parseCommand(fs, args)
	if !ok {
		return code, nil
	}
	if len(pos) != 1 {
		return 0, fmt.Errorf("check needs exactly one topology file (got %d arguments)", len(pos))
	}
	opt, err := c.options()
	if err != nil {
		return 0, err
	}
	top, err := topofile.LoadWith(pos[0], func(sc *model.Scenario) { *sc = c.scenario.apply(fs, *sc) })
	if err != nil {
		return 0, err
	}
	c.name = report.FileStem(pos[0])
	m, err := c.machine(top)
	if err != nil {
		return 0, err
	}
	if c.timeout > 0 && !flagSet(fs, "prove-for") {
		c.proveFor = min(c.proveFor, c.timeout/2)
	}
	opt.ProveFor, opt.SampleFor = c.proveFor, sampleFor
	in := watchInterrupts(stderr)
	defer in.stop()
	defer checker.SetMemoryLimit(c.maxMemory.bytes)()
	ctx, release := in.stage(c.timeout, "stopping the search, keeping what it found")
	opt.Context, opt.MaxMemory, opt.Progress, opt.Found = ctx, c.maxMemory.bytes, report.CheckProgress(stderr), foundNow(stderr)
	res := checker.Explore(m, opt)
	release()
	return c.report(res, opt.Properties, stdout, stderr, in)
}

// defaultProveFor is how long check's auto engine tries a proof before it
// samples runs, and sampleFor how long it samples at most: a topology too
// big to explore still gets a verdict in well under a minute.
const defaultProveFor, sampleFor = 20 * time.Second, 20 * time.Second

// foundNow prints each property's first counterexample as soon as the
// search finds it (the report, at the end, has the smallest one).
func foundNow(stderr io.Writer) func(*checker.Violation) {
	begin := time.Now()
	return func(v *checker.Violation) {
		fmt.Fprintf(stderr, "found after %.1fs: %s: %s (%d steps; searching on)\n", time.Since(begin).Seconds(), v.Property, v.Message, len(v.Schedule))
	}
}

// machine builds the model of top (its scenario with the flags applied).
func (c *checkConfig) machine(top *model.Topology) (*model.Machine, error) {
	v, err := model.LookupVariant(c.variant)
	if c.src.set() {
		v, err = c.src.variant()
	}
	if err != nil {
		return nil, err
	}
	return model.NewMachine(top, v, top.Scenario)
}

// options turns the engine, memory and property flags into the search's
// options.
func (c *checkConfig) options() (checker.Options, error) {
	engine, err := checker.ParseEngine(c.strategy, false)
	if err != nil {
		return checker.Options{}, err
	}
	props, err := checker.ParseProperties(c.properties)
	if err != nil {
		return checker.Options{}, err
	}
	memory, err := checker.ParseMemory(c.memory)
	switch {
	case err != nil:
		return checker.Options{}, err
	case memory != checker.MemoryExact && engine != checker.DFS:
		return checker.Options{}, fmt.Errorf("--memory %s works with --strategy dfs only", c.memory)
	case c.bitstateBits < 10 || c.bitstateBits > 36:
		return checker.Options{}, fmt.Errorf("--bitstate-bits must be between 10 and 36 (got %d)", c.bitstateBits)
	}
	if err := checkCounts(map[string]int{"--runs": c.runs, "--depth": c.depth}, 1); err != nil {
		return checker.Options{}, err
	}
	if err := checkCounts(map[string]int{"--max-steps": c.maxSteps}, 0); err != nil {
		return checker.Options{}, err
	}
	if err := checkDurations(map[string]time.Duration{"--timeout": c.timeout, "--prove-for": c.proveFor}); err != nil {
		return checker.Options{}, err
	}
	return checker.Options{Engine: engine, Runs: c.runs, Seed: c.seed, Depth: c.depth, Memory: memory, BitstateBits: c.bitstateBits,
		Properties: props, MaxSteps: c.maxSteps}, nil
}

// versionsBudget bounds the work --out and --save do after a search: every
// version's verdict on the topology, recorded in each counterexample file
// (a version whose check does not finish in time is recorded "unknown").
var versionsBudget = 10 * time.Second

// report prints the result (summary and traces, or JSON), writes the
// counterexamples with --out and --save, and returns the exit status.
func (c *checkConfig) report(res *checker.Result, props checker.Properties, stdout, stderr io.Writer, in *interrupts) (int, error) {
	replays := map[checker.Property]string{}
	var err error
	for _, save := range []struct {
		dir string
		all bool
	}{{c.out, true}, {c.save, false}} {
		if save.dir == "" || len(res.Violations) == 0 {
			continue
		}
		ctx, release := in.stage(versionsBudget, "skipping the other versions' verdicts")
		ctx = checker.WithMaxMemory(ctx, c.maxMemory.bytes)
		replays, err = report.SaveCounterexamples(ctx, save.dir, c.name, res, props, c.maxSteps, save.all, stderr)
		release()
		if err != nil {
			return 0, err
		}
	}
	if c.json {
		if err := report.WriteJSON(stdout, report.JSON(res, replays)); err != nil {
			return 0, err
		}
	} else {
		report.WriteSummary(stdout, res, props, c.detail)
		report.WriteTraces(stdout, res, props, c.maxSteps, replays, c.detail)
	}
	return exitStatus(len(res.Violations) > 0, res.Complete()), nil
}

// variantNames lists the versions for --variant's help, saying which run
// the algorithm of another.
func variantNames() string {
	var names []string
	for _, v := range model.Variants() {
		name := v.Name
		if v.SameAs != "" {
			name += " (the algorithm of " + v.SameAs + ")"
		}
		names = append(names, name)
	}
	return strings.Join(names, ", ")
}
