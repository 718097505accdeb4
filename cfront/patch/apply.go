package patch

import (
	"fmt"
	"sort"
	"strings"
)

// Files is a set of source files by path (as in the diffs: drivers/base/core.c).
type Files map[string]string

// Clone returns a copy of f.
func (f Files) Clone() Files {
	c := make(Files, len(f))
	for k, v := range f {
		c[k] = v
	}
	return c
}

// Options say how hunks that cannot simply be applied are handled.
type Options struct {
	// Fuzz is the most lines of outer context (leading and trailing) a hunk
	// may lose to match, as patch -F: 0 needs all of it; patch(1) uses 2.
	// A hunk is tried with no fuzz first.
	Fuzz int
	// Skip lists path prefixes ("drivers/pci/", "Documentation/") whose
	// hunks are not applied: each is recorded as skipped.
	Skip []string
	// SkipHunks lists single hunks not to apply, each with the reason a
	// reader will see.
	SkipHunks []HunkRef
	// Absorb handles hunks to files that the baseline stands in for rather
	// than holds (a prelude header that declares what every version adds):
	// it returns whether the file is absorbed, and an error when the hunk
	// adds something the stand-in does not cover.
	Absorb func(file string, h *Hunk) (absorbed bool, err error)
}

// HunkRef names one hunk of one patch: the patch's file name (its base
// name), the file the hunk changes, and its number in that file's diff.
type HunkRef struct {
	Patch  string
	File   string
	Hunk   int
	Reason string
}

// Outcome is what became of one hunk.
type Outcome int

const (
	Applied  Outcome = iota // applied to the file
	Skipped                 // not applied, by Options.Skip or SkipHunks
	Absorbed                // not applied: the file is a stand-in that already covers it
)

func (o Outcome) String() string {
	return [...]string{"applied", "skipped", "absorbed"}[o]
}

// HunkResult is the fate of one hunk.
type HunkResult struct {
	Patch   string
	File    string
	Hunk    int
	Header  string
	Outcome Outcome
	At      int // applied: 1-based line of the first line it matched (fuzzed lines not counted)
	Offset  int // applied: lines from where the header (and the hunks before it) put it, as patch(1) reports
	Fuzz    int // applied: outer context lines ignored to match
	Reason  string
}

func (r HunkResult) String() string {
	s := fmt.Sprintf("%s: %s: hunk #%d (%s): %s", r.Patch, r.File, r.Hunk, r.Header, r.Outcome)
	switch {
	case r.Outcome == Applied:
		s += fmt.Sprintf(" at line %d", r.At)
		if r.Fuzz > 0 {
			s += fmt.Sprintf(" with fuzz %d", r.Fuzz)
		}
	case r.Reason != "":
		s += ": " + r.Reason
	}
	return s
}

// Error is a hunk that cannot be applied.
type Error struct {
	Patch  string
	File   string
	Hunk   int
	Header string
	Reason string
}

func (e *Error) Error() string {
	if e.Hunk == 0 {
		return fmt.Sprintf("%s: %s: %s", e.Patch, e.File, e.Reason)
	}
	return fmt.Sprintf("%s: %s: hunk #%d (%s): %s", e.Patch, e.File, e.Hunk, e.Header, e.Reason)
}

// Errors is every hunk of a patch that could not be applied.
type Errors []*Error

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Apply applies p to files and returns the patched files. It applies the
// whole patch or nothing: on any refused hunk it returns the errors of all
// of them (Errors) and files are unchanged.
func Apply(files Files, p *Patch, opt Options) (Files, []HunkResult, error) {
	out := files.Clone()
	var results []HunkResult
	var errs Errors
	for fi := range p.Files {
		fd := &p.Files[fi]
		file := fd.Path()
		fail := func(h *Hunk, reason string) {
			e := &Error{Patch: base(p.Name), File: file, Reason: reason}
			if h != nil {
				e.Hunk, e.Header = h.N, h.Header
			}
			errs = append(errs, e)
		}
		if prefix, ok := skipped(file, opt.Skip); ok {
			for _, h := range fd.Hunks {
				results = append(results, HunkResult{Patch: base(p.Name), File: file, Hunk: h.N, Header: h.Header, Outcome: Skipped, Reason: "path under " + prefix + " skipped"})
			}
			continue
		}
		text, have := out[file]
		if !have && opt.Absorb != nil {
			absorbedAll := true
			for hi := range fd.Hunks {
				h := &fd.Hunks[hi]
				ok, err := opt.Absorb(file, h)
				if !ok {
					absorbedAll = false
					break
				}
				if err != nil {
					fail(h, err.Error())
					continue
				}
				results = append(results, HunkResult{Patch: base(p.Name), File: file, Hunk: h.N, Header: h.Header, Outcome: Absorbed, Reason: "covered by the prelude"})
			}
			if absorbedAll {
				continue
			}
		}
		switch {
		case fd.Old == "/dev/null" && !have:
			text = ""
		case fd.New == "/dev/null":
			fail(nil, "deletes the file: not supported")
			continue
		case !have:
			fail(nil, fmt.Sprintf("the baseline has no %s (%d hunks): name it in a skip option to leave it out", file, len(fd.Hunks)))
			continue
		}
		lines := splitLines(text)
		next := 0  // hunks apply in order: no hunk matches before the end of the previous one
		delta := 0 // lines added minus removed so far, as patch(1) tracks it
		for hi := range fd.Hunks {
			h := &fd.Hunks[hi]
			if ref, ok := skippedHunk(p.Name, file, h.N, opt.SkipHunks); ok {
				results = append(results, HunkResult{Patch: base(p.Name), File: file, Hunk: h.N, Header: h.Header, Outcome: Skipped, Reason: ref.Reason})
				continue
			}
			at, fuzz, reason := locate(lines, h, next, h.OldStart-1+delta, opt.Fuzz)
			if reason != "" {
				fail(h, reason)
				continue
			}
			lead, trail := h.context()
			pre, suf := min(fuzz, lead), min(fuzz, trail)
			old := h.Old()
			nw := h.New()
			// Replace the matched lines (old minus the ignored outer
			// context) with the new lines minus the same context.
			repl := append([]string(nil), nw[pre:len(nw)-suf]...)
			n := len(old) - pre - suf
			lines = append(lines[:at], append(repl, lines[at+n:]...)...)
			next = at + len(repl)
			offset := at - (h.OldStart - 1 + pre + delta)
			delta = at - (h.OldStart - 1 + pre) + len(repl) - n
			results = append(results, HunkResult{Patch: base(p.Name), File: file, Hunk: h.N, Header: h.Header, Outcome: Applied, At: at + 1, Offset: offset, Fuzz: fuzz})
		}
		if text != "" || len(lines) > 0 {
			out[file] = strings.Join(lines, "\n") + "\n"
		}
	}
	if len(errs) > 0 {
		return files, results, errs
	}
	return out, results, nil
}

func skipped(file string, prefixes []string) (string, bool) {
	for _, p := range prefixes {
		if p != "" && (file == p || strings.HasPrefix(file, strings.TrimSuffix(p, "/")+"/")) {
			return p, true
		}
	}
	return "", false
}

func skippedHunk(patch, file string, n int, refs []HunkRef) (HunkRef, bool) {
	for _, r := range refs {
		if (r.Patch == base(patch) || r.Patch == patch) && r.File == file && r.Hunk == n {
			return r, true
		}
	}
	return HunkRef{}, false
}

// locate finds where hunk h applies in lines, at or after line next: with no
// fuzz, at the expected line or else at the only place after next; then with
// 1..maxFuzz outer context lines ignored. It returns the 0-based line where
// the (trimmed) old lines start, the fuzz used, or why it cannot apply.
func locate(lines []string, h *Hunk, next, expected, maxFuzz int) (at, fuzz int, reason string) {
	old := h.Old()
	if len(old) == 0 && len(lines) == 0 {
		return 0, 0, "" // creates the file
	}
	lead, trail := h.context()
	for fuzz = 0; fuzz <= maxFuzz; fuzz++ {
		pre, suf := min(fuzz, lead), min(fuzz, trail)
		if fuzz > 0 && pre == min(fuzz-1, lead) && suf == min(fuzz-1, trail) {
			continue // nothing more to ignore at this fuzz
		}
		if lead+trail > 0 && pre == lead && suf == trail {
			break // never apply a hunk with none of its context left
		}
		want := old[pre : len(old)-suf]
		if len(want) == 0 {
			break
		}
		var found []int
		for i := next; i+len(want) <= len(lines); i++ {
			if equalLines(lines[i:i+len(want)], want) {
				found = append(found, i)
			}
		}
		switch {
		case len(found) == 1:
			return found[0], fuzz, ""
		case len(found) > 1:
			for _, f := range found {
				if f == expected+pre {
					return f, fuzz, ""
				}
			}
			var at []string
			for _, f := range found {
				at = append(at, fmt.Sprint(f+1))
			}
			return 0, fuzz, fmt.Sprintf("ambiguous: its context (fuzz %d) matches at lines %s", fuzz, strings.Join(at, ", "))
		}
	}
	if maxFuzz > 0 {
		return 0, 0, fmt.Sprintf("context not found, even with fuzz %d (first context line %q)", maxFuzz, firstContext(h))
	}
	return 0, 0, fmt.Sprintf("context not found (first context line %q)", firstContext(h))
}

func firstContext(h *Hunk) string {
	for _, l := range h.Lines {
		if l.Kind != '+' {
			return l.Text
		}
	}
	return ""
}

func equalLines(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] && strings.TrimRight(a[i], " \t") != strings.TrimRight(b[i], " \t") {
			return false
		}
	}
	return true
}

// Series applies patches in order, each to the result of the previous one.
// It stops at the first patch that does not apply.
func Series(files Files, patches []*Patch, opt Options) (Files, []HunkResult, error) {
	var all []HunkResult
	for _, p := range patches {
		var res []HunkResult
		var err error
		files, res, err = Apply(files, p, opt)
		all = append(all, res...)
		if err != nil {
			return files, all, err
		}
	}
	return files, all, nil
}

// Summary counts outcomes by kind, for reports.
func Summary(results []HunkResult) string {
	n := map[Outcome]int{}
	fuzzed := 0
	for _, r := range results {
		n[r.Outcome]++
		if r.Outcome == Applied && r.Fuzz > 0 {
			fuzzed++
		}
	}
	var parts []string
	keys := []Outcome{Applied, Skipped, Absorbed}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, k := range keys {
		if n[k] > 0 {
			s := fmt.Sprintf("%d %s", n[k], k)
			if k == Applied && fuzzed > 0 {
				s += fmt.Sprintf(" (%d with fuzz)", fuzzed)
			}
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}
