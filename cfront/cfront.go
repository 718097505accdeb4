// Package cfront reads the kernel's C: device_shutdown() of a
// drivers/base/core.c (or an excerpt of one), optionally patched by patch
// emails, and everything it calls that the file defines, lowered to the
// instructions of package ir, one kernel operation each, so that the
// model can run the patch's own code. See README.md.
package cfront

import (
	"github.com/shutdowncheck/shutdowncheck/cfront/baseline"
	"github.com/shutdowncheck/shutdowncheck/cfront/ir"
	"github.com/shutdowncheck/shutdowncheck/cfront/patch"
)

// DefaultRoots are the functions lowered: device_shutdown() and, when the
// file defines it, kill_device() (whether it completes dev->p->complete
// is the model's Variant.KillDeviceCompletes).
var DefaultRoots = []string{"device_shutdown", "kill_device"}

// Compile parses, type-checks and lowers the C source text (named name).
func Compile(name, text string, opt Options) (*ir.Program, error) {
	if len(opt.Roots) == 0 {
		opt.Roots = DefaultRoots
	}
	ast, _, err := parse(name, text, opt.Roots)
	if err != nil {
		return nil, err
	}
	return lower(ast, opt)
}

// CompilePatched applies patches, in order, to the baseline and compiles
// its drivers/base/core.c. It returns what became of every hunk.
func CompilePatched(patches []*patch.Patch, popt patch.Options, opt Options) (*ir.Program, []patch.HunkResult, error) {
	files, res, err := patch.Series(baseline.Files(), patches, popt)
	if err != nil {
		return nil, res, err
	}
	prog, err := Compile(baseline.CoreC, files[baseline.CoreC], opt)
	return prog, res, err
}

// CompileVersion compiles a version of the series from the shipped emails.
func CompileVersion(v baseline.Version) (*ir.Program, error) {
	ps, err := baseline.ReadPatches(v)
	if err != nil {
		return nil, err
	}
	prog, _, err := CompilePatched(ps, v.Options(), Options{})
	return prog, err
}
