package baseline

import (
	"strings"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/cfront/patch"
)

// TestSeries applies every version's shipped patches to the baseline, in
// patch order, each version from upstream, and checks which apply whole.
// The versions that do not are the ones with emails missing (v13 1/5 and
// 3/5, v16 2/5 are not found, so the next patch's context is not there) or
// only quoted in part (v4, v6, v7).
func TestSeries(t *testing.T) {
	want := map[string]string{ // version -> "" (applies) or a substring of the error
		"v4":         "outside a file diff",
		"v6":         "no diff",
		"v7":         "v7-3-async-shutdown.txt: drivers/base/core.c: hunk #1 (@@ -9,6 +9,7 @@): context not found",
		"v8":         "",
		"v9":         "",
		"v10":        "",
		"v11":        "",
		"v12":        "",
		"v13":        "v13-2-lock-parent.txt: drivers/base/core.c: hunk #1 (@@ -4784,13 +4784,8 @@ int device_change_owner(struct device *dev, kuid_t kuid, kgid_t kgid)): context not found",
		"v14":        "",
		"v14-resend": "",
		"v15":        "",
		"v16":        "v16-3-infrastructure.txt: drivers/base/core.c: hunk #4 (@@ -4795,6 +4801,37 @@ int device_change_owner(struct device *dev, kuid_t kuid, kgid_t kgid)): context not found",
		"v17":        "",
		"v18":        "",
	}
	for _, v := range Versions {
		files, res, err := Build(v)
		if err == nil && len(res) == 0 {
			err = errNoDiff
		}
		w, ok := want[v.Name]
		switch {
		case !ok:
			t.Errorf("%s: no expectation", v.Name)
		case w == "" && err != nil:
			t.Errorf("%s: does not apply: %v", v.Name, err)
		case w != "" && (err == nil || !strings.Contains(err.Error(), w)):
			t.Errorf("%s: got error %v, want one containing %q", v.Name, err, w)
		}
		if err != nil {
			continue
		}
		if v.Missing == "" && !strings.Contains(files[CoreC], "void device_shutdown(void)") {
			t.Errorf("%s: core.c lost device_shutdown()", v.Name)
		}
		for _, r := range res {
			if r.Outcome == patch.Applied && r.Fuzz > 2 {
				t.Errorf("%s: %s", v.Name, r)
			}
		}
	}
}

var errNoDiff = errorString("no diff in the shipped emails")

type errorString string

func (e errorString) Error() string { return string(e) }

// TestAbsorbRefusesUndeclared: a header hunk adding a field the prelude
// lacks is refused, not absorbed silently.
func TestAbsorbRefusesUndeclared(t *testing.T) {
	h := &patch.Hunk{N: 1, Header: "@@ -1,2 +1,3 @@ struct device_private {", Lines: []patch.Line{
		{Kind: ' ', Text: "struct device_private {"},
		{Kind: '+', Text: "\tstruct completion shutdown_done;"},
		{Kind: ' ', Text: "};"},
	}}
	ok, err := Absorb("drivers/base/base.h", h)
	if !ok || err == nil || !strings.Contains(err.Error(), "shutdown_done") {
		t.Fatalf("Absorb = %v, %v; want absorbed with an error naming shutdown_done", ok, err)
	}
	h.Lines[1].Text = "\tstruct completion complete;"
	if ok, err := Absorb("drivers/base/base.h", h); !ok || err != nil {
		t.Fatalf("Absorb of a declared field = %v, %v", ok, err)
	}
	if ok, _ := Absorb("drivers/pci/probe.c", h); ok {
		t.Fatal("a PCI file absorbed")
	}
}

func TestDeclaredNames(t *testing.T) {
	for line, want := range map[string]string{
		"\tstruct completion complete;":   "complete",
		"\tu8 dead:1;":                    "dead",
		"union shutdown_private {":        "shutdown_private",
		"\tDEV_FLAG_ASYNC_SHUTDOWN = 10,": "DEV_FLAG_ASYNC_SHUTDOWN",
		"static inline void device_enable_async_shutdown(struct device *dev)":   "device_enable_async_shutdown",
		"__create_dev_flag_accessors(async_shutdown, DEV_FLAG_ASYNC_SHUTDOWN);": "dev_async_shutdown",
		" * @complete - completion for device shutdown ordering":                "",
		"\tdev->async_shutdown = true;":                                         "",
		"\treturn !!dev->async_shutdown;":                                       "",
		"#include <linux/async.h>":                                              "",
	} {
		got := declaredNames(line)
		if (want == "") != (len(got) == 0) || want != "" && got[0] != want {
			t.Errorf("declaredNames(%q) = %q, want %q", line, got, want)
		}
	}
}
