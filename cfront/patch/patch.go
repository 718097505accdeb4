// Package patch reads patch emails (one email, or an mbox of several, as
// `git format-patch` and the list archives give them) and applies them to a
// set of source files by hunk context, as patch(1) does: at the place the
// hunk's header names first, then anywhere after the previous hunk, then with
// up to Options.Fuzz lines of outer context ignored. A hunk whose context is
// not found, or is found in more than one place, is refused with the patch,
// the file, the hunk number, its header and the reason; nothing is applied
// silently: every hunk's fate (applied where, with what offset and fuzz,
// skipped, absorbed) is in the Result.
package patch

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Patch is one patch email: its subject and the file diffs it carries.
type Patch struct {
	Name    string // where it was read from, for messages (a file name)
	Subject string
	Files   []FileDiff
}

// FileDiff is the diff of one file: its hunks in file order.
type FileDiff struct {
	Old, New string // paths without the a/ and b/ prefixes; "/dev/null" for a created or deleted file
	Hunks    []Hunk
}

// Path is the file the diff changes.
func (d *FileDiff) Path() string {
	if d.New == "/dev/null" {
		return d.Old
	}
	return d.New
}

// Hunk is one @@ block.
type Hunk struct {
	N                  int    // 1-based number of the hunk in its file diff
	Header             string // the whole "@@ -a,b +c,d @@ function" line
	OldStart, OldLines int
	NewStart, NewLines int
	Lines              []Line
	Line               int // line of the header in the email, for messages
}

// Line is one line of a hunk.
type Line struct {
	Kind byte // ' ' context, '-' removed, '+' added
	Text string
}

// Old returns the lines the hunk expects (context and removed lines).
func (h *Hunk) Old() []string { return h.side('+') }

// New returns the lines the hunk leaves (context and added lines).
func (h *Hunk) New() []string { return h.side('-') }

func (h *Hunk) side(skip byte) []string {
	var out []string
	for _, l := range h.Lines {
		if l.Kind != skip {
			out = append(out, l.Text)
		}
	}
	return out
}

// context returns how many context lines lead and trail the hunk's changes.
func (h *Hunk) context() (lead, trail int) {
	for lead < len(h.Lines) && h.Lines[lead].Kind == ' ' {
		lead++
	}
	for trail < len(h.Lines)-lead && h.Lines[len(h.Lines)-1-trail].Kind == ' ' {
		trail++
	}
	return lead, trail
}

// Parse reads the patch emails in text: a single email, or an mbox whose
// messages start with "From " lines. name is used in messages. An email with
// no diff is returned with no files (a cover letter); a malformed hunk is an
// error naming the email line.
func Parse(name, text string) ([]*Patch, error) {
	var patches []*Patch
	var cur *Patch
	var fd *FileDiff
	lines := splitLines(text)
	inHeaders := true
	newPatch := func() {
		cur = &Patch{Name: name}
		patches = append(patches, cur)
		fd = nil
		inHeaders = true
	}
	newPatch()
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "From ") && (i == 0 || lines[i-1] == "") && isMboxFrom(l):
			if len(cur.Files) > 0 || cur.Subject != "" {
				newPatch()
			}
			continue
		case inHeaders:
			if l == "" {
				inHeaders = false
			} else if s, ok := strings.CutPrefix(l, "Subject: "); ok {
				cur.Subject = s
				for i+1 < len(lines) && (strings.HasPrefix(lines[i+1], " ") || strings.HasPrefix(lines[i+1], "\t")) {
					i++
					cur.Subject += " " + strings.TrimSpace(lines[i])
				}
			}
			continue
		case strings.HasPrefix(l, "diff --git "):
			cur.Files = append(cur.Files, FileDiff{})
			fd = &cur.Files[len(cur.Files)-1]
			if a, b, ok := gitPaths(l); ok {
				fd.Old, fd.New = a, b
			}
		case fd != nil && strings.HasPrefix(l, "--- ") && (i+1 < len(lines) && strings.HasPrefix(lines[i+1], "+++ ")):
			fd.Old = stripPrefix(strings.TrimPrefix(l, "--- "))
			fd.New = stripPrefix(strings.TrimPrefix(lines[i+1], "+++ "))
			i++
		case strings.HasPrefix(l, "@@ "):
			if fd == nil {
				return nil, fmt.Errorf("%s:%d: hunk %q outside a file diff (no \"diff --git\" line before it)", name, i+1, l)
			}
			h, next, err := parseHunk(lines, i)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %s: %v", name, i+1, fd.Path(), err)
			}
			h.N = len(fd.Hunks) + 1
			fd.Hunks = append(fd.Hunks, h)
			i = next - 1
		}
	}
	return patches, nil
}

func isMboxFrom(l string) bool {
	f := strings.Fields(l)
	return len(f) >= 3 // "From <sha or address> <date>"
}

func splitLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.TrimSuffix(text, "\n")
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

func gitPaths(l string) (a, b string, ok bool) {
	rest := strings.TrimPrefix(l, "diff --git ")
	i := strings.Index(rest, " b/")
	if i < 0 || !strings.HasPrefix(rest, "a/") {
		return "", "", false
	}
	return rest[2:i], rest[i+3:], true
}

func stripPrefix(p string) string {
	if i := strings.IndexByte(p, '\t'); i >= 0 { // "--- a/file\t2024-01-01 ..."
		p = p[:i]
	}
	if p == "/dev/null" {
		return p
	}
	if _, rest, ok := strings.Cut(p, "/"); ok {
		return rest
	}
	return p
}

// parseHunk reads the hunk whose header is lines[i], using the header's line
// counts to know where it ends (a context line that lost its leading space in
// transit is read as an empty context line).
func parseHunk(lines []string, i int) (Hunk, int, error) {
	h := Hunk{Header: lines[i], Line: i + 1}
	var err error
	h.OldStart, h.OldLines, h.NewStart, h.NewLines, err = parseHeader(lines[i])
	if err != nil {
		return h, 0, err
	}
	old, nw := 0, 0
	j := i + 1
	for ; j < len(lines) && (old < h.OldLines || nw < h.NewLines); j++ {
		l := lines[j]
		if l == "" {
			l = " "
		}
		switch l[0] {
		case ' ':
			old++
			nw++
		case '-':
			old++
		case '+':
			nw++
		case '\\': // "\ No newline at end of file"
			continue
		default:
			return h, 0, fmt.Errorf("hunk %q: line %d %q is not a context, removed or added line (the hunk has %d of %d old and %d of %d new lines)", h.Header, j+1, l, old, h.OldLines, nw, h.NewLines)
		}
		h.Lines = append(h.Lines, Line{Kind: l[0], Text: l[1:]})
	}
	if old != h.OldLines || nw != h.NewLines {
		return h, 0, fmt.Errorf("hunk %q is cut short: %d of %d old and %d of %d new lines", h.Header, old, h.OldLines, nw, h.NewLines)
	}
	return h, j, nil
}

func parseHeader(l string) (os, ol, ns, nl int, err error) {
	f := strings.Fields(l)
	if len(f) < 4 || f[0] != "@@" || f[3] != "@@" || !strings.HasPrefix(f[1], "-") || !strings.HasPrefix(f[2], "+") {
		return 0, 0, 0, 0, fmt.Errorf("malformed hunk header %q", l)
	}
	if os, ol, err = parseRange(f[1][1:]); err != nil {
		return
	}
	ns, nl, err = parseRange(f[2][1:])
	return
}

func parseRange(s string) (start, n int, err error) {
	a, b, has := strings.Cut(s, ",")
	if start, err = strconv.Atoi(a); err != nil {
		return 0, 0, fmt.Errorf("malformed hunk range %q", s)
	}
	n = 1
	if has {
		if n, err = strconv.Atoi(b); err != nil {
			return 0, 0, fmt.Errorf("malformed hunk range %q", s)
		}
	}
	return start, n, nil
}

// base returns the last element of a patch name, for HunkRef matching.
func base(name string) string { return path.Base(name) }
