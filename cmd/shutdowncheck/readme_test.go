package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/checker"
)

var update = flag.Bool("update", false, "rewrite the generated blocks of README.md and docs/")

// generated is a block of the documentation that is the output of the
// program, between the lines
//
//	<!-- BEGIN name: go run ./cmd/shutdowncheck ARGS[ (note)] -->
//	<!-- END name -->
//
// so that it cannot go stale when a model, a topology or a report changes:
// go test checks it, and -update rewrites it.
type generated struct {
	file, name string
	args       []string // from the repository's root
	code       int      // the exit status the command must have
	stderr     bool     // the block is what the command prints on stderr (-h)
	fence      bool     // the block is a code block (else Markdown, as the matrix)
	note       string   // what excerpt says it keeps, in the BEGIN line
	excerpt    func(string) string
}

var blocks = []generated{
	{file: "README.md", name: "default", code: exitViolation, fence: true,
		note: "each topology's summary; the traces that follow each are left out", excerpt: summaries},
	{file: "README.md", name: "trace", args: []string{"check", "--property", "deadlock", "examples/misordered.yaml"}, code: exitViolation, fence: true},
	{file: "README.md", name: "simulate", args: []string{"simulate"}, code: exitPass, fence: true},
	{file: "README.md", name: "matrix", args: []string{"matrix"}, code: exitViolation},
	{file: "README.md", name: "patch", args: []string{"check", "--patch", "cfront/baseline/patches/v17-1-separate-function.txt",
		"--patch", "cfront/baseline/patches/v17-2-lock-parent.RECONSTRUCTED.txt", "--patch", "cfront/baseline/patches/v17-3-infrastructure.txt",
		"--patch-skip", "Documentation/", "examples/scenarios/remove-async.yaml"}, code: exitViolation, fence: true,
		note: "the summary; the traces that follow are left out", excerpt: summaries},
	{file: "docs/FORMAT.md", name: "check-json", args: []string{"check", "--json", "--property", "deadlock", "examples/misordered.yaml"}, code: exitViolation, fence: true},
	{file: "docs/CLI.md", name: "usage", args: []string{"-h"}, code: exitPass, fence: true},
	{file: "docs/CLI.md", name: "check", args: []string{"check", "-h"}, code: exitPass, stderr: true, fence: true},
	{file: "docs/CLI.md", name: "replay", args: []string{"replay", "-h"}, code: exitPass, stderr: true, fence: true},
	{file: "docs/CLI.md", name: "matrix-flags", args: []string{"matrix", "-h"}, code: exitPass, stderr: true, fence: true},
	{file: "docs/CLI.md", name: "verify", args: []string{"verify", "-h"}, code: exitPass, stderr: true, fence: true},
	{file: "docs/CLI.md", name: "merge", args: []string{"merge", "-h"}, code: exitPass, stderr: true, fence: true},
	{file: "docs/CLI.md", name: "import", args: []string{"import", "-h"}, code: exitPass, stderr: true, fence: true},
	{file: "docs/CLI.md", name: "simulate-flags", args: []string{"simulate", "-h"}, code: exitPass, stderr: true, fence: true},
}

// summaries keeps the default run's first line and each topology's summary
// (the paragraph that starts "NAME, VERSION: N devices").
func summaries(out string) string {
	paras := strings.Split(out, "\n\n")
	keep := []string{paras[0]}
	for _, p := range paras[1:] {
		if strings.Contains(strings.SplitN(p, "\n", 2)[0], " devices, ") {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "\n\n") + "\n"
}

// seconds are the only figures that change from run to run.
var (
	seconds     = regexp.MustCompile(`(?m)(^  strategy .*, )\d+\.\d+s$`)
	jsonSeconds = regexp.MustCompile(`("seconds": )[0-9.e+-]+`)
)

func unclocked(s string) string {
	return jsonSeconds.ReplaceAllString(seconds.ReplaceAllString(s, "${1}Xs"), "${1}X")
}

// The documentation's output blocks are the program's output: the README's
// default run, trace, simulate table and matrix, and docs/CLI.md's usage
// texts.
func TestREADMEGeneratedBlocks(t *testing.T) {
	t.Chdir("../..")
	files := map[string]string{}
	for _, b := range blocks {
		if _, ok := files[b.file]; !ok {
			data, err := os.ReadFile(b.file)
			if err != nil {
				t.Fatal(err)
			}
			files[b.file] = string(data)
		}
		code, out, errs := shutdowncheck(t, b.args...)
		if code != b.code {
			t.Fatalf("shutdowncheck %s: exit %d, want %d: %s", strings.Join(b.args, " "), code, b.code, errs)
		}
		if b.stderr {
			out = errs
		}
		if b.excerpt != nil {
			out = b.excerpt(out)
		}
		if b.fence {
			out = "```\n" + out + "```\n"
		}
		cmd := strings.TrimSpace("go run ./cmd/shutdowncheck " + strings.Join(b.args, " "))
		if b.note != "" {
			cmd += " (" + b.note + ")"
		}
		begin := fmt.Sprintf("<!-- BEGIN %s: %s -->\n", b.name, cmd)
		end := fmt.Sprintf("<!-- END %s -->", b.name)
		doc := files[b.file]
		i := strings.Index(doc, "<!-- BEGIN "+b.name+":")
		j := strings.Index(doc, end)
		if i < 0 || j < i {
			t.Errorf("%s has no block %q (%s ... %s)", b.file, b.name, strings.TrimSpace(begin), end)
			continue
		}
		k := i + strings.Index(doc[i:], "-->\n") + len("-->\n")
		if doc[i:k] == begin && unclocked(doc[k:j]) == unclocked(out) {
			continue
		}
		if !*update {
			t.Errorf("%s: the block %q is stale; regenerate it: go test ./cmd/shutdowncheck -run README -args -update\n%s%s", b.file, b.name, begin, out)
			continue
		}
		files[b.file] = doc[:i] + begin + out + doc[j:]
		if err := os.WriteFile(b.file, []byte(files[b.file]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The reference documents cover what the program accepts: every topology
// field the reader knows is in docs/FORMAT.md, every property in
// docs/PROPERTIES.md, every command in docs/CLI.md; and README.md links
// the three.
func TestDocsCoverTheProgram(t *testing.T) {
	t.Chdir("../..")
	read := func(name string) string {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	format, props, cli, readme := read("docs/FORMAT.md"), read("docs/PROPERTIES.md"), read("docs/CLI.md"), read("README.md")
	// The reader names the fields it knows when it meets one it does not.
	for _, probe := range []string{"bogus: 1\ndevices: [{name: a}]\n", "devices: [{name: a, bogus: 1}]\n",
		"devices: [{name: a}, {name: b}]\nlinks: [{supplier: a, consumer: b, bogus: 1}]\n", "devices: [{name: a}]\nscenario: {bogus: 1}\n"} {
		_, _, errs := shutdowncheck(t, "check", file(t, "probe.yaml", probe))
		_, known, ok := strings.Cut(errs, "(known: ")
		if !ok {
			t.Fatalf("no list of known fields: %s", errs)
		}
		for _, f := range strings.Split(strings.TrimSuffix(strings.TrimSpace(known), ")"), ", ") {
			if !strings.Contains(format, "`"+f+"`") {
				t.Errorf("docs/FORMAT.md does not document the field %q", f)
			}
		}
	}
	for _, p := range checker.AllProperties() {
		if !strings.Contains(props, "## `"+string(p)+"`") {
			t.Errorf("docs/PROPERTIES.md has no section on %q", p)
		}
	}
	for _, c := range []string{"check", "replay", "matrix", "verify", "merge", "import", "simulate"} {
		if !strings.Contains(cli, "## `"+c) {
			t.Errorf("docs/CLI.md has no section on %q", c)
		}
	}
	for _, d := range []string{"docs/FORMAT.md", "docs/PROPERTIES.md", "docs/CLI.md"} {
		if !strings.Contains(readme, "("+d+")") {
			t.Errorf("README.md does not link %s", d)
		}
	}
	// What surprises a newcomer is said: go run's own last line on a
	// violation, and a fuzz target that runs until stopped.
	for _, say := range []string{"`exit status 1`", "`-fuzztime`", "runs until it finds a failure or is stopped"} {
		if !strings.Contains(readme, say) {
			t.Errorf("README.md does not say %s", say)
		}
	}
	// A clone has nothing beside the repository to point at: no document
	// or comment cites a specification outside it.
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == ".git" || path == filepath.Join("cfront", "baseline", "patches")):
			return filepath.SkipDir
		case d.IsDir() || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".md")):
			return nil
		}
		text := read(path)
		for _, outside := range []string{"../" + "shared", "SPEC" + " §", "SPEC" + ".md"} { // spelt so as not to match here
			if strings.Contains(text, outside) {
				t.Errorf("%s cites %q, which a clone does not have", path, outside)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
