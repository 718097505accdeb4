package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// listFlag is a repeatable flag that also accepts comma-separated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// scenarioFlags are the flags that override a topology's scenario: one per
// scenario field (model.ScenarioFields), named like it with '-' for '_'.
type scenarioFlags struct {
	values model.Scenario // what the flags set
}

// flagName is the command-line name of a scenario field.
func flagName(f *model.ScenarioField) string { return strings.ReplaceAll(f.Name, "_", "-") }

func (f *scenarioFlags) register(fs *flag.FlagSet) {
	f.values = model.DefaultScenario()
	for _, field := range model.ScenarioFields {
		switch field.Kind {
		case model.BoolField:
			p := field.Bool(&f.values)
			fs.BoolVar(p, flagName(field), *p, field.Usage)
		case model.IntField:
			p := field.Int(&f.values)
			fs.IntVar(p, flagName(field), *p, field.Usage)
		case model.DevicesField:
			fs.Var((*listFlag)(field.Devices(&f.values)), flagName(field), field.Usage+" (repeatable, comma-separated)")
		case model.MovesField:
			fs.Var((*movesFlag)(field.Moves(&f.values)), flagName(field), field.Usage+" (repeatable)")
		}
	}
}

// movesFlag is a repeatable DEV>PARENT@ORDER flag.
type movesFlag []model.Move

func (m *movesFlag) String() string {
	var s []string
	for _, mv := range *m {
		s = append(s, mv.String())
	}
	return strings.Join(s, " ")
}

func (m *movesFlag) Set(v string) error {
	mv, err := model.ParseMove(v)
	if err != nil {
		return err
	}
	*m = append(*m, mv)
	return nil
}

// apply overrides sc with the flags that were set on the command line.
func (f *scenarioFlags) apply(fs *flag.FlagSet, sc model.Scenario) model.Scenario {
	fs.Visit(func(fl *flag.Flag) {
		for _, field := range model.ScenarioFields {
			if flagName(field) != fl.Name {
				continue
			}
			switch field.Kind {
			case model.BoolField:
				*field.Bool(&sc) = *field.Bool(&f.values)
			case model.IntField:
				*field.Int(&sc) = *field.Int(&f.values)
			case model.DevicesField:
				*field.Devices(&sc) = *field.Devices(&f.values)
			case model.MovesField:
				*field.Moves(&sc) = *field.Moves(&f.values)
			}
		}
	})
	return sc
}

// parseCommand parses a command's flags. When ok is false the command is
// over with code: help was asked for (0), or a flag is wrong and the flag
// package has said why (2).
func parseCommand(fs *flag.FlagSet, args []string) (pos []string, code int, ok bool) {
	pos, err := parseArgs(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return nil, exitPass, false
	case err != nil:
		return nil, exitUsage, false
	}
	return pos, 0, true
}

// parseArgs parses flags that may come before or after the positional
// arguments, and returns the positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: shutdowncheck %s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
		if name != "import" && name != "simulate" { // they search nothing
			fmt.Fprint(stderr, "\n"+exitStatuses)
		}
	}
	return fs
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// checkCounts refuses a count flag below least.
func checkCounts(flags map[string]int, least int) error {
	for _, name := range slices.Sorted(maps.Keys(flags)) {
		if n := flags[name]; n < least {
			return fmt.Errorf("%s must be at least %d (got %d)", name, least, n)
		}
	}
	return nil
}

// checkDurations refuses a negative duration flag.
func checkDurations(flags map[string]time.Duration) error {
	for _, name := range slices.Sorted(maps.Keys(flags)) {
		if d := flags[name]; d < 0 {
			return fmt.Errorf("%s must not be negative (got %v; 0 means no limit)", name, d)
		}
	}
	return nil
}

// memoryFlag is --max-memory: a size, by default checker.DefaultMaxMemory
// (which -h describes rather than prints: it depends on the machine).
type memoryFlag struct {
	bytes uint64
	set   bool
}

func (m *memoryFlag) register(fs *flag.FlagSet) {
	m.bytes = checker.DefaultMaxMemory()
	fs.Var(m, "max-memory", "the memory budget, a size such as 4GiB or 512MiB (0: none), measured: reaching it stops the search, keeping what it found; default: half the RAM or cgroup limit, at most "+
		checker.FormatBytes(checker.MaxDefaultMemory))
}

func (m *memoryFlag) String() string {
	switch {
	case m == nil || !m.set:
		return ""
	case m.bytes == 0:
		return "0"
	}
	return strings.ReplaceAll(checker.FormatBytes(m.bytes), " ", "")
}

func (m *memoryFlag) Set(s string) error {
	n, err := checker.ParseBytes(s)
	if err != nil {
		return err
	}
	if n > 0 && n < 16<<20 {
		return fmt.Errorf("%s is too small a budget: at least 16MiB, or 0 for none", s)
	}
	m.bytes, m.set = n, true
	return nil
}
