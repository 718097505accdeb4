package main

import (
	"fmt"
	"io"

	"github.com/shutdowncheck/shutdowncheck/corpus"
	"github.com/shutdowncheck/shutdowncheck/report"
)

func runReplay(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("replay", "replay FILE", stderr)
	pos, code, ok := parseCommand(fs, args)
	if !ok {
		return code, nil
	}
	if len(pos) != 1 {
		return 0, fmt.Errorf("replay needs exactly one counterexample file (got %d arguments)", len(pos))
	}
	f, err := corpus.Read(pos[0])
	if err != nil {
		return 0, err
	}
	run, violated, err := f.Replay()
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(stdout, "%s: %s on %s, %d steps (recorded: %s, expect %s)\n", f.Path, f.Variant, f.Topology.Name,
		len(f.Schedule), f.Property, f.Expect)
	report.WriteTrace(stdout, run)
	if run.Err != nil {
		return 0, fmt.Errorf("%s: the schedule does not apply to this model: %v", f.Path, run.Err)
	}
	if violated {
		v := run.Violation(f.Property)
		fmt.Fprintf(stdout, "reproduced %s at step %d: %s\n", f.Property, v.Step, v.Message)
		return exitViolation, nil
	}
	fmt.Fprintf(stdout, "not reproduced: the run does not violate %s\n", f.Property)
	return exitPass, nil
}
