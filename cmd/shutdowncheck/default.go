package main

import (
	"fmt"
	"io"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/examples"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/report"
)

// runDefault is the main job on built-in input: every example topology,
// explored exhaustively under the default version, all properties.
func runDefault(stdout, stderr io.Writer) (int, error) {
	v, err := model.LookupVariant(model.DefaultVariant)
	if err != nil {
		return 0, err
	}
	props, _ := checker.ParseProperties(nil)
	in := watchInterrupts(stderr)
	defer in.stop()
	budget := checker.DefaultMaxMemory()
	defer checker.SetMemoryLimit(budget)()
	ctx, release := in.stage(0, "stopping the search, keeping what it found")
	defer release()
	var violation, incomplete bool
	fmt.Fprintf(stdout, "shutdowncheck: checking the built-in topologies with %s (%s)\n", v.Name, v.Summary)
	for _, name := range examples.Names() {
		top, err := examples.Load(name)
		if err != nil {
			return 0, err
		}
		m, err := model.NewMachine(top, v, top.Scenario)
		if err != nil {
			return 0, err
		}
		fmt.Fprintln(stdout)
		res := checker.Explore(m, checker.Options{Properties: props, Progress: report.CheckProgress(stderr), Context: ctx, MaxMemory: budget})
		if _, err := (&checkConfig{}).report(res, props, stdout, stderr, in); err != nil {
			return 0, err
		}
		violation = violation || len(res.Violations) > 0
		incomplete = incomplete || !res.Complete()
	}
	return exitStatus(violation, !incomplete), nil
}
