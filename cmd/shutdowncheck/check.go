package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/report"
	"github.com/shutdowncheck/shutdowncheck/topology"
)

// checkConfig holds check's flags.
type checkConfig struct {
	variant, strategy string
	seed              uint64
	runs, depth       int
	maxSteps          int
	timeout           time.Duration
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
	fs.StringVar(&c.strategy, "strategy", checker.DFS.String(), checker.EngineUsage(false))
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the random and pct strategies")
	fs.IntVar(&c.runs, "runs", 1000, "runs of the random and pct strategies")
	fs.IntVar(&c.depth, "depth", 3, "bug depth d of the pct strategy (d-1 priority change points)")
	fs.IntVar(&c.maxSteps, "max-steps", 0, "a run longer than this hangs (0: 200 per device and link, plus 1000)")
	fs.DurationVar(&c.timeout, "timeout", 0, "stop the search after this long, keeping what it found (0: no limit)")
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
	top, err := topology.LoadWith(pos[0], func(sc *model.Scenario) { *sc = c.scenario.apply(fs, *sc) })
	if err != nil {
		return 0, err
	}
	c.name = report.FileStem(pos[0])
	m, err := c.machine(top)
	if err != nil {
		return 0, err
	}
	opt, err := c.options()
	if err != nil {
		return 0, err
	}
	ctx, stop := c.context()
	defer stop()
	opt.Context, opt.Progress = ctx, report.CheckProgress(stderr)
	return c.report(checker.Explore(m, opt), opt.Properties, stdout)
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
	return checker.Options{Engine: engine, Runs: c.runs, Seed: c.seed, Depth: c.depth, Memory: memory, BitstateBits: c.bitstateBits,
		Properties: props, MaxSteps: c.maxSteps}, nil
}

// context stops the search on Ctrl-C and after --timeout.
func (c *checkConfig) context() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	if c.timeout <= 0 {
		return ctx, stop
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	return ctx, func() { cancel(); stop() }
}

// report prints the result (summary and traces, or JSON), writes the
// counterexamples with --out and --save, and returns the exit status.
func (c *checkConfig) report(res *checker.Result, props checker.Properties, stdout io.Writer) (int, error) {
	replays := map[checker.Property]string{}
	var err error
	if c.out != "" {
		if replays, err = report.SaveCounterexamples(c.out, c.name, res, props, c.maxSteps, true); err != nil {
			return 0, err
		}
	}
	if c.save != "" {
		if replays, err = report.SaveCounterexamples(c.save, c.name, res, props, c.maxSteps, false); err != nil {
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
	if len(res.Violations) > 0 {
		return exitViolation, nil
	}
	return exitPass, nil
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
