package cfront

import (
	"sort"
	"strings"
)

// funcSpan is one function definition found in a source text.
type funcSpan struct {
	name       string
	start, end int      // byte range of the definition, declaration to closing brace
	refs       []string // identifiers in its body
}

// scanFuncs finds the top-level function definitions of a C source text and
// the identifiers its preprocessor lines mention. It is no parser: it skips
// comments, string and character literals and preprocessor lines, counts
// braces, and takes a top-level "{" right after a ")" for a function body,
// whose name is the identifier before the matching "(". That is enough to
// choose what cc parses; cc does the parsing.
func scanFuncs(src string) (funcs []funcSpan, macroRefs []string) {
	depth := 0
	declStart := -1 // first byte of the current top-level declaration
	var lastSig byte
	var parens []int // offsets of open parentheses at depth 0
	var lastClose int
	var lastCloseOpen int
	cur := -1 // index in funcs of the function whose body is open
	atLineStart := true
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			atLineStart = true
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case atLineStart && c == '#':
			j := i
			for j < len(src) {
				nl := strings.IndexByte(src[j:], '\n')
				if nl < 0 {
					j = len(src)
					break
				}
				j += nl
				if j > 0 && src[j-1] == '\\' {
					j++
					continue
				}
				break
			}
			macroRefs = append(macroRefs, idents(src[i:j])...)
			i = j
			continue
		case strings.HasPrefix(src[i:], "/*"):
			e := strings.Index(src[i+2:], "*/")
			if e < 0 {
				return funcs, macroRefs
			}
			i += e + 4
			atLineStart = false
			continue
		case strings.HasPrefix(src[i:], "//"):
			e := strings.IndexByte(src[i:], '\n')
			if e < 0 {
				return funcs, macroRefs
			}
			i += e
			continue
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(src) && src[j] != c && src[j] != '\n' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			i = j + 1
			atLineStart = false
			lastSig = c
			continue
		}
		atLineStart = false
		if depth == 0 && declStart < 0 {
			declStart = i
		}
		switch c {
		case '(':
			if depth == 0 {
				parens = append(parens, i)
			}
		case ')':
			if depth == 0 && len(parens) > 0 {
				lastClose, lastCloseOpen = i, parens[len(parens)-1]
				parens = parens[:len(parens)-1]
			}
		case '{':
			if depth == 0 && lastSig == ')' {
				name := lastIdent(src[declStart:lastCloseOpen])
				funcs = append(funcs, funcSpan{name: name, start: declStart})
				cur = len(funcs) - 1
				_ = lastClose
			}
			depth++
		case '}':
			depth--
			if depth == 0 {
				if cur >= 0 {
					funcs[cur].end = i + 1
					body := src[funcs[cur].start : i+1]
					funcs[cur].refs = idents(body)
					cur = -1
					declStart = -1
					parens = parens[:0]
				}
			}
		case ';':
			if depth == 0 {
				declStart = -1
				parens = parens[:0]
			}
		}
		lastSig = c
		i++
	}
	return funcs, macroRefs
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func idents(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		if isIdentByte(s[i]) && !(s[i] >= '0' && s[i] <= '9') {
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			out = append(out, s[i:j])
			i = j
			continue
		}
		i++
	}
	return out
}

func lastIdent(s string) string {
	ids := idents(s)
	if len(ids) == 0 {
		return ""
	}
	return ids[len(ids)-1]
}

// trim blanks out every function definition of src that the roots do not
// reach (directly, through another kept function, or through a macro the
// file defines), keeping every newline so that line numbers stay true. It
// returns the new text and the names of the functions kept, sorted.
// Functions an excerpt shortens with "[...]" are not reached from
// device_shutdown(), and those that are must be whole C.
func trim(src string, roots []string) (string, []string) {
	funcs, macroRefs := scanFuncs(src)
	byName := map[string]int{}
	for i, f := range funcs {
		byName[f.name] = i
	}
	keep := map[string]bool{}
	var visit func(string)
	visit = func(name string) {
		i, ok := byName[name]
		if !ok || keep[name] {
			return
		}
		keep[name] = true
		for _, r := range funcs[i].refs {
			visit(r)
		}
	}
	for _, r := range roots {
		visit(r)
	}
	// A macro of the file may name a function (is_async_shutdown_dependency()
	// in v10): a kept function that uses the macro keeps what it names.
	for _, r := range macroRefs {
		if _, ok := byName[r]; ok && usedByKept(funcs, keep, macroRefs) {
			visit(r)
		}
	}
	b := []byte(src)
	for _, f := range funcs {
		if keep[f.name] {
			continue
		}
		for i := f.start; i < f.end; i++ {
			if b[i] != '\n' {
				b[i] = ' '
			}
		}
	}
	var kept []string
	for k := range keep {
		kept = append(kept, k)
	}
	sort.Strings(kept)
	return string(b), kept
}

// usedByKept reports whether any kept function mentions a macro name of the
// file (conservatively: any identifier of a #define line).
func usedByKept(funcs []funcSpan, keep map[string]bool, macroRefs []string) bool {
	names := map[string]bool{}
	for _, m := range macroRefs {
		names[m] = true
	}
	for _, f := range funcs {
		if !keep[f.name] {
			continue
		}
		for _, r := range f.refs {
			if names[r] {
				return true
			}
		}
	}
	return false
}
