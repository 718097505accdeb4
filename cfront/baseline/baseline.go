// Package baseline ships the upstream sources the series' patches apply to
// (excerpts of drivers/base/core.c and kernel/async.c, as before the series)
// and the prelude header cfront parses them with. SOURCES.md says where each
// file comes from.
package baseline

import (
	"embed"
	"fmt"
	"regexp"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/cfront/patch"
)

//go:embed drivers/base/core.c kernel/async.c
var sources embed.FS

//go:embed prelude.h
var prelude string

// CoreC is the path of the file whose device_shutdown() is checked.
const CoreC = "drivers/base/core.c"

// PreludeName is the name the prelude has in messages.
const PreludeName = "cfront/baseline/prelude.h"

// Files returns the baseline: a fresh copy each call.
func Files() patch.Files {
	f := patch.Files{}
	for _, p := range []string{CoreC, "kernel/async.c"} {
		b, err := sources.ReadFile(p)
		if err != nil {
			panic(err)
		}
		f[p] = string(b)
	}
	return f
}

// Prelude returns the prelude header.
func Prelude() string { return prelude }

// Headers are the files the prelude stands in for: hunks to them are
// absorbed, not applied (see Absorb).
var Headers = []string{
	"drivers/base/base.h",
	"include/linux/device.h",
	"include/linux/device/driver.h",
	"include/linux/async.h",
}

// Absorb is a patch.Options.Absorb for the prelude: a hunk to one of Headers
// is absorbed when every name its added lines declare (a struct, union or
// enum tag, a field, an enum constant, a function, a macro, a
// __create_dev_flag_accessors() family) is declared by the prelude too.
// Bodies of added inline functions are not compared: the prelude's own
// definitions are the ones cfront uses.
func Absorb(file string, h *patch.Hunk) (bool, error) {
	covered := false
	for _, hd := range Headers {
		if file == hd {
			covered = true
		}
	}
	if !covered {
		return false, nil
	}
	var missing []string
	for _, l := range h.Lines {
		if l.Kind != '+' {
			continue
		}
		for _, name := range declaredNames(l.Text) {
			if !regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`).MatchString(prelude) {
				missing = append(missing, name)
			}
		}
	}
	if len(missing) > 0 {
		return true, fmt.Errorf("adds %s, which the prelude (%s) does not declare", strings.Join(missing, ", "), PreludeName)
	}
	return true, nil
}

var (
	reComment   = regexp.MustCompile(`/\*.*?\*/|//.*$`)
	reTag       = regexp.MustCompile(`^\s*(?:struct|union|enum)\s+(\w+)\s*\{`)
	reDefine    = regexp.MustCompile(`^\s*#\s*define\s+(\w+)`)
	reAccessors = regexp.MustCompile(`^__create_dev_flag_accessors\((\w+),\s*(\w+)\)`)
	reEnumConst = regexp.MustCompile(`^\s+([A-Z][A-Z0-9_]*)\s*(?:=[^;]*)?,\s*$`)
	reFunc      = regexp.MustCompile(`^\w[\w\s\*]*?\b(\w+)\s*\(`)
	reField     = regexp.MustCompile(`^\s+[\w\s\*]*?\b(\w+)\s*(?::\s*\d+)?\s*;\s*$`)
)

// declaredNames returns the names a line of a header declares.
func declaredNames(line string) []string {
	t := reComment.ReplaceAllString(line, "")
	if strings.HasPrefix(strings.TrimSpace(line), "*") || strings.TrimSpace(t) == "" {
		return nil // kernel-doc or blank
	}
	if m := reAccessors.FindStringSubmatch(t); m != nil {
		return []string{"dev_" + m[1], "dev_set_" + m[1], "dev_clear_" + m[1], m[2]}
	}
	for _, re := range []*regexp.Regexp{reTag, reDefine, reEnumConst, reFunc} {
		if m := re.FindStringSubmatch(t); m != nil {
			return []string{m[1]}
		}
	}
	if m := reField.FindStringSubmatch(t); m != nil && !strings.Contains(t, "return") && !strings.Contains(t, "=") {
		return []string{m[1]}
	}
	return nil
}
