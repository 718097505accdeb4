package main

import (
	"fmt"
	"io"
	"time"

	"github.com/shutdowncheck/shutdowncheck/campaign"
	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/report"
)

type matrixConfig struct {
	variants, properties listFlag
	maxSteps             int
	out                  string
	json                 bool
	maxDevices, maxLinks int
	timeout              time.Duration
	maxMemory            memoryFlag
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
	fs.DurationVar(&c.timeout, "timeout", 0, "stop after this long, keeping what was found (0: no limit)")
	c.maxMemory.register(fs)
	var src sourceFlags // --source, --patch: the C's algorithm as one more version (source.go)
	src.register(fs, false)
	pos, code, ok := parseCommand(fs, args)
	if !ok {
		return code, nil
	}
	if err := checkCounts(map[string]int{"--max-steps": c.maxSteps, "--max-devices": c.maxDevices, "--max-links": c.maxLinks}, 0); err != nil {
		return 0, err
	}
	if err := checkDurations(map[string]time.Duration{"--timeout": c.timeout}); err != nil {
		return 0, err
	}
	if c.maxDevices > 8 || c.maxLinks > 4 {
		return 0, fmt.Errorf("--max-devices must be at most 8 and --max-links at most 4 (got %d and %d)", c.maxDevices, c.maxLinks)
	}
	variants, err := lookupVariants(c.variants)
	if err != nil {
		return 0, err
	}
	if src.set() {
		v, err := src.variant()
		if err != nil {
			return 0, err
		}
		variants = append(variants, v)
	}
	props, err := checker.ParseProperties(c.properties)
	if err != nil {
		return 0, err
	}
	in := watchInterrupts(stderr)
	defer in.stop()
	defer checker.SetMemoryLimit(c.maxMemory.bytes)()
	defer checker.ManySmallSearches()()
	sctx, release := in.stage(c.timeout, "stopping the checks, keeping what they found")
	ctx := checker.WithMaxMemory(sctx, c.maxMemory.bytes)
	var res *campaign.MatrixResult
	if c.maxDevices > 0 {
		if len(pos) > 0 {
			return 0, fmt.Errorf("matrix takes topology files or --max-devices, not both")
		}
		space := campaign.VerifySpace{MaxDevices: c.maxDevices, MaxLinks: c.maxLinks, Scenario: model.DefaultScenario()}
		res = campaign.MatrixOfSpace(space, variants, campaign.VerifyOptions{Engine: checker.Auto, Properties: props, MaxSteps: c.maxSteps,
			Context: ctx, Progress: report.VerifyProgress(stderr)})
	} else {
		tops, err := campaign.LoadTopologies(pos)
		if err != nil {
			return 0, err
		}
		if res, err = campaign.Matrix(ctx, tops, variants, props, c.maxSteps); err != nil {
			return 0, err
		}
	}
	release()
	replays := map[*campaign.Cell]string{}
	if c.out != "" {
		ctx, release := in.stage(versionsBudget, "skipping the other versions' verdicts")
		replays, err = report.SaveMatrixCounterexamples(checker.WithMaxMemory(ctx, c.maxMemory.bytes), c.out, res, props, c.maxSteps, stderr)
		release()
		if err != nil {
			return 0, err
		}
	}
	if c.json {
		if err := report.WriteJSON(stdout, report.MatrixJSON(res, replays)); err != nil {
			return 0, err
		}
	} else {
		report.WriteMatrix(stdout, res)
	}
	violation := false
	for _, row := range res.Cells {
		for _, cell := range row {
			violation = violation || cell.Violation != nil
		}
	}
	return exitStatus(violation, res.Exhaustive), nil
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
