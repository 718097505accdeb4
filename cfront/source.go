package cfront

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/cfront/baseline"
	"github.com/shutdowncheck/shutdowncheck/cfront/ir"
	"github.com/shutdowncheck/shutdowncheck/cfront/patch"
)

// Source is the C an interpreted version runs and where it comes from: a
// file as it is (check --source) or the built-in baseline patched by
// emails (check --patch). Counterexample files record it, the C included,
// so that replay rebuilds the version without the files.
type Source struct {
	// File is the name the C is compiled under (positions in messages):
	// the --source file as given, or drivers/base/core.c when patched.
	File string
	// Patches are the emails applied to the baseline, in order (none for
	// a --source file).
	Patches []PatchRef
	// Skip are the path prefixes whose hunks were left out (--patch-skip).
	Skip []string
	// Text is the C compiled: the file, or the patched core.c.
	Text string
}

// PatchRef is one patch email: its file name and the sha256 of its content.
type PatchRef struct {
	Name   string
	SHA256 string
}

// SHA256 returns the hex sha256 of s.Text.
func (s *Source) SHA256() string { return hexHash(s.Text) }

func hexHash(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:])
}

// Describe says in a few words where the C comes from.
func (s *Source) Describe() string {
	if len(s.Patches) == 0 {
		return s.File
	}
	var names []string
	for _, p := range s.Patches {
		names = append(names, p.Name)
	}
	return "upstream's " + baseline.CoreC + " patched by " + strings.Join(names, ", ")
}

// Compile lowers s.Text.
func (s *Source) Compile() (*ir.Program, error) {
	return Compile(s.File, s.Text, Options{})
}

// LoadFile reads a drivers/base/core.c (or an excerpt) to run as it is.
func LoadFile(path string) (*Source, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return &Source{File: path, Text: string(b)}, nil
}

// PatchOptions are how --patch applies emails: patch(1)'s fuzz 2, the
// prelude's headers absorbed, the hunks to paths under skip left out.
func PatchOptions(skip []string) patch.Options {
	return patch.Options{Fuzz: 2, Skip: skip, Absorb: baseline.Absorb}
}

// LoadPatches applies the patch emails (files, each one email or an mbox
// of several), in order, to the built-in baseline and returns the patched
// drivers/base/core.c, and what became of every hunk. A hunk that does not
// apply is an error naming the email, the file, the hunk and why.
func LoadPatches(paths, skip []string) (*Source, []patch.HunkResult, error) {
	src := &Source{File: baseline.CoreC, Skip: skip}
	var patches []*patch.Patch
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		text := string(b)
		name := filepath.Base(path)
		ps, err := patch.Parse(name, text)
		if err != nil {
			return nil, nil, err
		}
		diffs := 0
		for _, p := range ps {
			diffs += len(p.Files)
		}
		if diffs == 0 {
			return nil, nil, fmt.Errorf("%s: no diff in it (a cover letter? leave it out)", path)
		}
		patches = append(patches, ps...)
		src.Patches = append(src.Patches, PatchRef{Name: name, SHA256: hexHash(text)})
	}
	files, res, err := patch.Series(baseline.Files(), patches, PatchOptions(skip))
	if err != nil {
		return nil, res, err
	}
	src.Text = files[baseline.CoreC]
	return src, res, nil
}
