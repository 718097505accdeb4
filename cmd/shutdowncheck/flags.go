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

// scenarioFlags are the flags that override a topology's scenario.
type scenarioFlags struct {
	workers, allocFailures int
	remove, hotAdd         listFlag
	paramToggle, async     bool
}

func (f *scenarioFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.workers, "workers", 0, "async_wq worker bound (0 = unbounded)")
	fs.IntVar(&f.allocFailures, "alloc-failures", 0, "injected async_schedule_dev_nocall() failures per run")
	fs.Var(&f.remove, "remove", "devices a concurrent device_del() deletes (repeatable, comma-separated)")
	fs.Var(&f.hotAdd, "hot-add", "absent devices a concurrent device_add() registers (repeatable)")
	fs.BoolVar(&f.paramToggle, "param-toggle", false, "a writer may flip core.async_shutdown once")
	fs.BoolVar(&f.async, "async-shutdown", true, "core.async_shutdown at start")
}

// apply overrides sc with the flags that were set on the command line.
func (f *scenarioFlags) apply(fs *flag.FlagSet, sc model.Scenario) model.Scenario {
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "workers":
			sc.Workers = f.workers
		case "alloc-failures":
			sc.AllocFailures = f.allocFailures
		case "remove":
			sc.Remove = f.remove
		case "hot-add":
			sc.HotAdd = f.hotAdd
		case "param-toggle":
			sc.ParamToggle = f.paramToggle
		case "async-shutdown":
			sc.AsyncShutdown = f.async
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
		fmt.Fprint(stderr, "\n"+exitStatuses)
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

// memoryFlag is --max-memory: a size, by default checker.DefaultMaxMemory.
type memoryFlag struct{ bytes uint64 }

func (m *memoryFlag) register(fs *flag.FlagSet) {
	m.bytes = checker.DefaultMaxMemory()
	fs.Var(m, "max-memory", "memory budget of the search, measured (e.g. 4GiB, 512MiB; 0: none): reaching it stops the search, keeping what it found; default: half the RAM or cgroup limit, at most "+
		checker.FormatBytes(checker.MaxDefaultMemory))
}

func (m *memoryFlag) String() string {
	if m == nil || m.bytes == 0 {
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
	m.bytes = n
	return nil
}
