package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
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
}

func (c *checkConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.variant, "variant", model.DefaultVariant, "version of the algorithm: "+variantNames())
	fs.StringVar(&c.strategy, "strategy", "dfs", "dfs (exhaustive, state caching, sleep sets), dpor (exhaustive, dynamic partial-order reduction), auto (dpor or dfs, whichever finishes first), random or pct")
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
	fs.StringVar(&c.memory, "memory", checker.MemoryExact, "how dfs remembers states: exact, compact (64-bit fingerprints) or bitstate (bit array; see --bitstate-bits)")
	fs.IntVar(&c.bitstateBits, "bitstate-bits", 30, "bitstate: use 2^N bits (2^30 = 128 MiB)")
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
	m, err := c.machine(top)
	if err != nil {
		return 0, err
	}
	sched, err := c.scheduler(m)
	if err != nil {
		return 0, err
	}
	props, err := checker.ParseProperties(c.properties)
	if err != nil {
		return 0, err
	}
	ctx, stop := c.context()
	defer stop()
	if err := c.checkMemory(); err != nil {
		return 0, err
	}
	res := checker.Explore(m, sched, checker.Options{Properties: props, MaxSteps: c.maxSteps, Context: ctx,
		Progress: progressPrinter(stderr), Memory: c.memory, BitstateBits: c.bitstateBits})
	return report(res, props, &c, stdout)
}

// machine builds the model of top (its scenario with the flags applied).
func (c *checkConfig) machine(top *model.Topology) (*model.Machine, error) {
	v, err := model.LookupVariant(c.variant)
	if err != nil {
		return nil, err
	}
	return model.NewMachine(top, v, top.Scenario)
}

func (c *checkConfig) scheduler(m *model.Machine) (scheduler.Scheduler, error) {
	switch c.strategy {
	case "dfs":
		return scheduler.NewDFS(), nil
	case "random":
		return scheduler.NewRandom(c.seed, c.runs), nil
	case "pct":
		return scheduler.NewPCT(c.seed, c.runs, c.depth, 40*len(m.Top.Devices)), nil
	case "dpor":
		return scheduler.NewDPOR(), nil
	case "auto":
		return scheduler.NewAuto(), nil
	}
	return nil, fmt.Errorf("unknown strategy %q (have dfs, dpor, auto, random, pct)", c.strategy)
}

func (c *checkConfig) checkMemory() error {
	switch {
	case c.memory != checker.MemoryExact && c.memory != checker.MemoryCompact && c.memory != checker.MemoryBitstate:
		return fmt.Errorf("unknown --memory %q (have exact, compact, bitstate)", c.memory)
	case c.memory != checker.MemoryExact && c.strategy != "dfs":
		return fmt.Errorf("--memory %s works with --strategy dfs only", c.memory)
	case c.bitstateBits < 10 || c.bitstateBits > 36:
		return fmt.Errorf("--bitstate-bits must be between 10 and 36 (got %d)", c.bitstateBits)
	}
	return nil
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

func progressPrinter(w io.Writer) func(checker.Progress) {
	return func(p checker.Progress) {
		secs := p.Elapsed.Seconds()
		fmt.Fprintf(w, "progress: %d states, %.0f states/s, queue %d, %d transitions, %s elapsed\n",
			p.States, float64(p.States)/secs, p.Depth, p.Transitions, p.Elapsed.Round(time.Second))
	}
}

// report prints the result (report and traces, or JSON), writes the
// counterexamples with --out, and returns the exit status.
func report(res *checker.Result, props checker.Properties, c *checkConfig, stdout io.Writer) (int, error) {
	replays := map[string]string{}
	var err error
	if c.out != "" {
		if replays, err = writeCounterexamples(c.out, res, props, c.maxSteps); err != nil {
			return 0, err
		}
	}
	if c.save != "" {
		if replays, err = writeFiles(c.save, res, props, c.maxSteps, false); err != nil {
			return 0, err
		}
	}
	if c.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(checker.JSON(res, replays)); err != nil {
			return 0, err
		}
	} else {
		checker.WriteReport(stdout, res, c.strategy, props)
		writeTraces(stdout, res, props, c.maxSteps, replays)
	}
	if len(res.Violations) > 0 {
		return exitViolation, nil
	}
	return exitPass, nil
}

// writeTraces prints each violation's minimal trace.
func writeTraces(w io.Writer, res *checker.Result, props checker.Properties, maxSteps int, replays map[string]string) {
	for _, v := range res.Violations {
		fmt.Fprintf(w, "\n%s: counterexample, %d steps, thread switches: %d", v.Property, len(v.Schedule), v.Switches)
		if f := replays[v.Property]; f != "" {
			fmt.Fprintf(w, ", replay with: shutdowncheck replay %s", f)
		}
		fmt.Fprintln(w)
		checker.WriteTrace(w, checker.Replay(res.Machine, v.Schedule, props, maxSteps))
	}
}

func variantNames() string {
	var names []string
	for _, v := range model.Variants() {
		names = append(names, v.Name)
	}
	return strings.Join(names, ", ")
}
