package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/shutdowncheck/shutdowncheck/examples"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/simulate"
	"github.com/shutdowncheck/shutdowncheck/topofile"
)

// defaultTiming is what simulate runs without a topology: a server shaped
// like the one in the series' cover letter.
const defaultTiming = "timing/nvme-server"

func runSimulate(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("simulate", "simulate [flags] [TOPOLOGY]\n\nWithout TOPOLOGY, simulates the built-in "+defaultTiming+".", stderr)
	focus := fs.String("variant", model.DefaultVariant, "the version whose critical path, hold-ups and timeline are shown")
	var versions, ms listFlag
	fs.Var(&versions, "versions", "versions to compare (repeatable, comma-separated; default all)")
	fs.Var(&ms, "ms", "PATTERN=MS: ->shutdown() takes MS milliseconds on devices whose name matches PATTERN (path.Match; repeatable, the last match wins)")
	noDefaults := fs.Bool("no-class-defaults", false, "devices without shutdown_ms take 0 ms instead of their class's default")
	var workers optionalCount
	fs.Var(&workers, "workers", "async worker bound, 0 = unbounded (default: the topology's)")
	svg := fs.String("svg", "", "write the timelines (one panel per version, same time scale) to this SVG file")
	asJSON := fs.Bool("json", false, "print one JSON object instead of the report")
	top := fs.Int("top", 10, "how many hold-up devices to list")
	pos, code, ok := parseCommand(fs, args)
	if !ok {
		return code, nil
	}
	if len(pos) > 1 {
		return 0, fmt.Errorf("simulate takes at most one topology file (got %d arguments)", len(pos))
	}
	if *top < 0 {
		return 0, fmt.Errorf("--top must be at least 0 (got %d)", *top)
	}
	t, err := loadTiming(pos)
	if err != nil {
		return 0, err
	}
	var overrides []simulate.Override
	for _, s := range ms {
		o, err := simulate.ParseOverride(s)
		if err != nil {
			return 0, err
		}
		overrides = append(overrides, o)
	}
	d := simulate.Resolve(t, overrides, !*noDefaults)
	for _, o := range d.Unmatched {
		fmt.Fprintf(stderr, "shutdowncheck: warning: --ms %s=%d: no device of %s matches %q\n", o.Pattern, o.MS, t.Name, o.Pattern)
	}
	vs, err := lookupVariants(versions)
	if err != nil {
		return 0, err
	}
	if _, err := model.LookupVariant(*focus); err != nil {
		return 0, err
	}
	sc := t.Scenario
	if workers.set {
		sc.Workers = workers.n
	}
	c, err := simulate.Compare(t, vs, sc, d, simulate.DefaultMaxSteps)
	if err != nil {
		return 0, err
	}
	if *svg != "" {
		if err := os.WriteFile(*svg, simulate.SVG(c, *focus), 0o644); err != nil {
			return 0, err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return exitPass, enc.Encode(simulate.JSON(c, *focus, *top))
	}
	simulate.WriteText(stdout, c, *focus, *top)
	if *svg != "" {
		fmt.Fprintf(stdout, "\ntimeline: %s\n", *svg)
	}
	return exitPass, nil
}

// loadTiming loads the topology file named, or the built-in default.
func loadTiming(pos []string) (*model.Topology, error) {
	if len(pos) == 0 {
		return examples.Load(defaultTiming)
	}
	return topofile.Load(pos[0])
}

// optionalCount is an int flag that is either unset (its default is
// someone else's, not a number to print) or 0 or more.
type optionalCount struct {
	n   int
	set bool
}

func (c *optionalCount) String() string {
	if c == nil || !c.set {
		return ""
	}
	return strconv.Itoa(c.n)
}

func (c *optionalCount) Set(v string) error {
	n, err := strconv.Atoi(v)
	switch {
	case err != nil:
		return fmt.Errorf("not a number")
	case n < 0:
		return fmt.Errorf("a worker bound is 0 (unbounded) or more")
	}
	c.n, c.set = n, true
	return nil
}
