package main

import (
	"fmt"
	"io"

	"github.com/shutdowncheck/shutdowncheck/corpus"
	"github.com/shutdowncheck/shutdowncheck/report"
)

func runReplay(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("replay", "replay [--full-trace] FILE", stderr)
	full := fs.Bool("full-trace", false, "print every step (default: uneventful stretches collapsed)")
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
	if err := run.Strict(f.Property); err != nil {
		// A schedule that is not exactly a counterexample or a whole run
		// is bad input: "not reproduced" would read as "fixed". The trace
		// shows how far it went.
		report.WriteTrace(stdout, run, report.Detail(*full))
		if run.Err != nil && err == run.Err {
			return 0, fmt.Errorf("%s: the schedule does not apply to this model: %v", f.Path, err)
		}
		return 0, fmt.Errorf("%s: not a counterexample of %s: %v", f.Path, f.Property, err)
	}
	report.WriteReplay(stdout, f, run, report.Detail(*full))
	if violated {
		return exitViolation, nil
	}
	return exitPass, nil
}
