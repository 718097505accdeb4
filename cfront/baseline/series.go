package baseline

import (
	"embed"
	"fmt"
	"path"
	"sort"

	"github.com/shutdowncheck/shutdowncheck/cfront/patch"
)

//go:embed patches/*.txt
var patchFS embed.FS

// PatchNames lists the shipped patch emails (the series v4..v18 as posted;
// SOURCES.md), sorted.
func PatchNames() []string {
	ents, err := patchFS.ReadDir("patches")
	if err != nil {
		panic(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// PatchText returns the shipped patch email called name.
func PatchText(name string) (string, error) {
	b, err := patchFS.ReadFile(path.Join("patches", name))
	if err != nil {
		return "", fmt.Errorf("no shipped patch %q", name)
	}
	return string(b), nil
}

// Version is one version of the series as a reviewer applies it to
// upstream: its patch emails in patch order.
type Version struct {
	Name    string
	Patches []string // shipped patch email names, in order
	// Missing says which of its patches were never found, when the
	// version cannot be rebuilt whole.
	Missing string
	// SkipHunks are hunks that do not apply to the baseline, each with why
	// leaving it out changes nothing cfront reads.
	SkipHunks []patch.HunkRef
}

// Versions lists every version of the series with the emails shipped for
// it, oldest first. Patches to other drivers (PCI, SCSI) and to the
// kernel-parameter documentation are in the list: apply them with
// SkipOthers.
var Versions = []Version{
	{Name: "v4", Patches: []string{"v4-async-shutdown.EXCERPT.txt"}, Missing: "an excerpt of the email (its removed lines and base.h/async.h hunks are not quoted)"},
	{Name: "v6", Patches: []string{"v6-3-async-shutdown.EXCERPT.txt"}, Missing: "an excerpt of 3/4; 1/4 and 2/4 not found"},
	{Name: "v7", Patches: []string{"v7-3-async-shutdown.txt"}, Missing: "1/4 and 2/4 not found"},
	{Name: "v8", Patches: []string{"v8-1-lock-parent.txt", "v8-2-separate-function.txt", "v8-3-async-shutdown.txt"},
		SkipHunks: []patch.HunkRef{{Patch: "v8-3-async-shutdown.txt", File: CoreC, Hunk: 1,
			Reason: "adds #include <linux/async.h> to the include list of Aug 2024 (cpufreq.h, device.h, err.h after acpi.h); " +
				"the baseline's list is the later one (blkdev.h, cleanup.h after acpi.h); every #include resolves to the prelude"}}},
	{Name: "v9", Patches: []string{"v9-1-lock-parent.txt", "v9-2-separate-function.txt", "v9-3-async-shutdown.txt"}},
	{Name: "v10", Patches: []string{"v10-1-kernel-async-wake.txt", "v10-2-lock-parent.txt", "v10-3-separate-function.txt", "v10-4-async-shutdown.txt"}},
	{Name: "v11", Patches: []string{"v11-1-lock-parent.txt", "v11-2-separate-function.txt", "v11-3-infrastructure.txt"}},
	{Name: "v12", Patches: []string{"v12-1-separate-function.txt", "v12-2-lock-parent.txt", "v12-3-infrastructure.txt"}},
	{Name: "v13", Patches: []string{"v13-2-lock-parent.txt"}, Missing: "1/5 and 3/5 not found"},
	{Name: "v14", Patches: []string{"v14-1-separate-function.RECONSTRUCTED.txt", "v14-2-lock-parent.txt", "v14-3-infrastructure.txt", "v14-4-pci.txt", "v14-5-scsi.txt"}},
	{Name: "v14-resend", Patches: []string{"v14-1-separate-function.RECONSTRUCTED.txt", "v14-2-lock-parent.txt", "v14-3-infrastructure-resend-20260421.txt"}},
	{Name: "v15", Patches: []string{"v15-1-separate-function.txt", "v15-2-lock-parent.txt", "v15-3-infrastructure.txt"}},
	{Name: "v16", Patches: []string{"v16-1-separate-function.txt", "v16-3-infrastructure.txt"}, Missing: "2/5 not found"},
	{Name: "v17", Patches: []string{"v17-1-separate-function.txt", "v17-2-lock-parent.RECONSTRUCTED.txt", "v17-3-infrastructure.txt"}},
	{Name: "v18", Patches: []string{"v18-1-separate-function.txt", "v18-2-lock-parent.txt"}, Missing: "3/5 not found"},
}

// SkipOthers are the paths outside the baseline and the prelude that the
// series touches: the PCI and SCSI opt-ins (v14 4/5, 5/5), the
// kernel-parameter text (v16, v17) and bus.c's sysfs knob (v7).
var SkipOthers = []string{"drivers/pci/", "drivers/scsi/", "Documentation/", "drivers/base/bus.c"}

// LookupVersion returns the version called name.
func LookupVersion(name string) (Version, bool) {
	for _, v := range Versions {
		if v.Name == name {
			return v, true
		}
	}
	return Version{}, false
}

// ReadPatches parses the shipped emails of v, in order.
func ReadPatches(v Version) ([]*patch.Patch, error) {
	var out []*patch.Patch
	for _, name := range v.Patches {
		text, err := PatchText(name)
		if err != nil {
			return nil, err
		}
		ps, err := patch.Parse(name, text)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

// Options are the patch options the shipped versions are built with:
// patch(1)'s default fuzz, the prelude's headers absorbed, the other
// drivers skipped, and the version's own SkipHunks.
func (v Version) Options() patch.Options {
	return patch.Options{Fuzz: 2, Skip: SkipOthers, Absorb: Absorb, SkipHunks: v.SkipHunks}
}

// Build applies version v's shipped patches to the baseline.
func Build(v Version) (patch.Files, []patch.HunkResult, error) {
	ps, err := ReadPatches(v)
	if err != nil {
		return nil, nil, err
	}
	return patch.Series(Files(), ps, v.Options())
}
