package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/shutdowncheck/shutdowncheck/campaign"
	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/report"
)

type verifyConfig struct {
	minDevices, maxDevices, maxLinks, jobs, maxSteps int
	variant, shard, engine, out, spaceMode           string
	properties                                       listFlag
	scenario                                         scenarioFlags
	timeout                                          time.Duration
	maxMemory                                        memoryFlag
	json, representativesOnly                        bool
}

func runVerify(args []string, stdout, stderr io.Writer) (int, error) {
	var c verifyConfig
	fs := newFlagSet("verify", "verify --max-devices N [flags]", stderr)
	fs.IntVar(&c.maxDevices, "max-devices", 0, "check every topology of up to N devices (required)")
	fs.IntVar(&c.minDevices, "min-devices", 1, "and of at least this many")
	fs.IntVar(&c.maxLinks, "max-links", 1, "with at most this many device links (sync_state_only or not)")
	fs.StringVar(&c.variant, "variant", model.DefaultVariant, "version of the algorithm: "+variantNames())
	fs.StringVar(&c.shard, "shard", "1/1", "check shard i of n (1-based), to split a proof across jobs; combine with merge")
	fs.StringVar(&c.spaceMode, "space", "classes", "classes: check one topology per class of topologies with the same verdicts, counting the class's size (the rules sound for the version and scenario; counts and smallest counterexamples are the full space's); full: check every topology")
	fs.BoolVar(&c.representativesOnly, "smallest-among-representatives", false, "with --space classes: take each smallest counterexample among the representatives only, not among every member of the violating classes (same counts, cheaper when violations first come at many devices, as with --min-devices; not always the full space's smallest)")
	fs.StringVar(&c.engine, "engine", checker.Auto.String(), "exhaustive engine per topology: auto (DPOR, else cached DFS), dfs or dpor")
	fs.IntVar(&c.jobs, "jobs", 0, "topologies checked at once (0: one per CPU)")
	fs.IntVar(&c.maxSteps, "max-steps", 0, "a run longer than this hangs (0: the default bound)")
	fs.DurationVar(&c.timeout, "timeout", 0, "stop after this long, keeping what was found (0: no limit)")
	fs.Var(&c.properties, "property", "property to check (repeatable; default all)")
	fs.StringVar(&c.out, "out", "", "write each property's smallest counterexample here")
	fs.BoolVar(&c.json, "json", false, "print one JSON object (mergeable with shutdowncheck merge)")
	c.maxMemory.register(fs)
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
	engine, err := checker.ParseEngine(c.engine, true)
	if err != nil {
		return 0, err
	}
	in := watchInterrupts(stderr)
	defer in.stop()
	defer checker.SetMemoryLimit(c.maxMemory.bytes)()
	defer checker.ManySmallSearches()()
	ctx, release := in.stage(c.timeout, "stopping the proof, keeping what it found")
	res := campaign.Verify(space, v, campaign.VerifyOptions{Engine: engine, Properties: props, MaxSteps: c.maxSteps, Workers: c.jobs,
		Context: checker.WithMaxMemory(ctx, c.maxMemory.bytes), Progress: report.VerifyProgress(stderr), RepresentativesOnly: c.representativesOnly})
	release()
	rep, err := res.Report(props, c.maxSteps)
	if err != nil {
		return 0, err
	}
	return emitVerify(rep, c.json, c.out, stdout)
}

// space checks the flags that define what to enumerate.
func (c *verifyConfig) space(fs *flag.FlagSet) (campaign.VerifySpace, error) {
	if c.maxDevices < 1 || c.maxDevices > campaign.MaxProofDevices {
		return campaign.VerifySpace{}, fmt.Errorf("--max-devices must be between 1 and %d (got %d)", campaign.MaxProofDevices, c.maxDevices)
	}
	if c.minDevices < 1 || c.minDevices > c.maxDevices {
		return campaign.VerifySpace{}, fmt.Errorf("--min-devices must be between 1 and --max-devices (got %d)", c.minDevices)
	}
	if err := checkCounts(map[string]int{"--jobs": c.jobs, "--max-steps": c.maxSteps}, 0); err != nil {
		return campaign.VerifySpace{}, err
	}
	if err := checkDurations(map[string]time.Duration{"--timeout": c.timeout}); err != nil {
		return campaign.VerifySpace{}, err
	}
	if c.maxLinks < 0 || c.maxLinks > campaign.MaxProofLinks {
		return campaign.VerifySpace{}, fmt.Errorf("--max-links must be between 0 and %d (got %d)", campaign.MaxProofLinks, c.maxLinks)
	}
	sc := c.scenario.apply(fs, model.DefaultScenario())
	for _, f := range model.ScenarioFields {
		if (f.Kind == model.DevicesField || f.Kind == model.MovesField) && !f.IsZero(&sc) {
			return campaign.VerifySpace{}, fmt.Errorf("--%s names devices of one topology; verify enumerates topologies", flagName(f))
		}
	}
	i, n, err := campaign.ParseShard(c.shard)
	if err != nil {
		return campaign.VerifySpace{}, err
	}
	if c.spaceMode != "classes" && c.spaceMode != "full" {
		return campaign.VerifySpace{}, fmt.Errorf("--space must be classes or full (got %q)", c.spaceMode)
	}
	return campaign.VerifySpace{MinDevices: c.minDevices, MaxDevices: c.maxDevices, MaxLinks: c.maxLinks, Scenario: sc, Shard: i, Shards: n,
		Classes: c.spaceMode == "classes"}, nil
}

// emitVerify prints a proof's report (JSON or a table), writes its
// counterexamples with out, and returns the exit status.
func emitVerify(rep *campaign.VerifyReport, asJSON bool, out string, stdout io.Writer) (int, error) {
	if out != "" {
		if err := report.SaveVerifyCounterexamples(out, rep); err != nil {
			return 0, err
		}
	}
	if asJSON {
		if err := report.WriteJSON(stdout, rep); err != nil {
			return 0, err
		}
	} else {
		report.WriteVerify(stdout, rep, out != "")
	}
	return exitStatus(rep.Verdict == "violation", rep.Complete), nil
}
