package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/cfront"
	"github.com/shutdowncheck/shutdowncheck/cfront/baseline"
	"github.com/shutdowncheck/shutdowncheck/cfront/patch"
	"github.com/shutdowncheck/shutdowncheck/corpus"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// sourceFlags are --source, --patch and --patch-skip: a version of
// device_shutdown() read from C (cfront) and interpreted operation by
// operation on the model's kernel objects, instead of a modeled version
// (check) or beside them (matrix).
type sourceFlags struct {
	source  string
	patches pathsFlag
	skips   listFlag
	fs      *flag.FlagSet
	instead bool // the C replaces --variant (check), rather than joining the versions (matrix)
}

// pathsFlag is a repeatable flag of file names (commas are part of a name).
type pathsFlag []string

func (p *pathsFlag) String() string { return strings.Join(*p, " ") }

func (p *pathsFlag) Set(v string) error {
	*p = append(*p, v)
	return nil
}

func (s *sourceFlags) register(fs *flag.FlagSet, instead bool) {
	s.fs, s.instead = fs, instead
	what := "check, instead of a modeled version, "
	if !instead {
		what = "add a row: "
	}
	fs.StringVar(&s.source, "source", "", what+"device_shutdown() of this C file (a drivers/base/core.c or an excerpt of one) and what it calls that the file defines, interpreted")
	fs.Var(&s.patches, "patch", what+"the built-in upstream drivers/base/core.c patched by this patch email (or mbox of several), interpreted (repeatable: applied in order)")
	fs.Var(&s.skips, "patch-skip", "leave out --patch's hunks to files under this path prefix, e.g. drivers/pci/ (repeatable)")
}

// set reports whether the algorithm comes from C (or a flag says so by
// mistake: variant() refuses it).
func (s *sourceFlags) set() bool { return s.source != "" || len(s.patches) > 0 || len(s.skips) > 0 }

// variant compiles the C (applying the patches first) into a version
// named "source" or "patched". A hunk that does not apply, C the front end
// does not support and a parse error are errors (bad input); hunks applied
// with fuzz or left out are noted on the flag set's output (stderr).
func (s *sourceFlags) variant() (*model.Variant, error) {
	switch {
	case s.source != "" && len(s.patches) > 0:
		return nil, errors.New("--source and --patch exclude each other: --patch patches the built-in upstream core.c")
	case len(s.skips) > 0 && len(s.patches) == 0:
		return nil, errors.New("--patch-skip needs --patch")
	}
	explicit := false
	s.fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "variant" })
	if explicit && s.instead {
		return nil, errors.New("--variant and --source/--patch exclude each other: the algorithm is the C")
	}
	if s.source != "" {
		src, err := cfront.LoadFile(s.source)
		if err != nil {
			return nil, err
		}
		return corpus.BuildVariant("source", src)
	}
	src, res, err := cfront.LoadPatches(s.patches, s.skips)
	if err != nil {
		var perr patch.Errors
		if errors.As(err, &perr) {
			msg := strings.ReplaceAll(err.Error(), "name it in a skip option to leave it out", "leave it out with --patch-skip")
			return nil, fmt.Errorf("a patch does not apply to the built-in upstream %s (nothing was checked):\n%s", baseline.CoreC, msg)
		}
		return nil, err
	}
	s.note(res)
	return corpus.BuildVariant("patched", src)
}

// note prints what became of the hunks: a count, then each hunk applied
// with fuzz (some of its outer context not found), or left out.
func (s *sourceFlags) note(res []patch.HunkResult) {
	w := s.fs.Output()
	fmt.Fprintf(w, "shutdowncheck: %s patched: %s\n", baseline.CoreC, patch.Summary(res))
	for _, r := range res {
		if r.Outcome == patch.Skipped || r.Outcome == patch.Applied && r.Fuzz > 0 {
			fmt.Fprintf(w, "  %v\n", r)
		}
	}
}
