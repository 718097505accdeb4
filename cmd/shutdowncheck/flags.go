package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

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
		}
	}
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
	}
	return fs
}
