package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/cfront/baseline"
)

// emails writes shipped patch emails to a directory, as a reviewer saves
// them, and returns --patch flags for them.
func emails(t *testing.T, names ...string) []string {
	t.Helper()
	dir := t.TempDir()
	var args []string
	for _, n := range names {
		text, err := baseline.PatchText(n)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, n)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--patch", path)
	}
	return args
}

var v14Emails = []string{"v14-1-separate-function.RECONSTRUCTED.txt", "v14-2-lock-parent.txt", "v14-3-infrastructure.txt"}

// summary returns a check report's property lines.
func summary(out string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "  devices_kset") && !strings.HasPrefix(l, "  strategy") {
			lines = append(lines, l)
		}
		if l == "" {
			break
		}
	}
	return strings.Join(lines, "\n")
}

// check --patch with v14's emails reports what check --variant v14 does:
// the C's algorithm is the model's.
func TestCheckPatch(t *testing.T) {
	top := file(t, "misordered.yaml", `devices:
  - {name: disk, parent: port}
  - {name: bridge}
  - {name: port, parent: bridge, async: true}
`)
	code, out, errs := shutdowncheck(t, append([]string{"check", top}, emails(t, v14Emails...)...)...)
	if code != exitViolation || !strings.Contains(out, "misordered, patched: 3 devices") {
		t.Fatalf("exit %d:\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(errs, "drivers/base/core.c patched: 14 applied (4 with fuzz), 5 absorbed") {
		t.Errorf("stderr lacks the hunks' summary:\n%s", errs)
	}
	code, want, _ := shutdowncheck(t, "check", "--variant", "v14", top)
	if code != exitViolation || summary(out) != summary(want) {
		t.Errorf("--patch:\n%s\n--variant v14:\n%s", summary(out), summary(want))
	}
}

// Bad input exits 2 and says where: a hunk that does not apply, a file
// the baseline does not have (until --patch-skip leaves it out),
// unsupported C, a parse error, --variant with --patch.
func TestCheckSourceErrors(t *testing.T) {
	top := file(t, "one.yaml", "devices: [{name: a}]\n")
	bad := file(t, "switch.c", "void device_shutdown(void)\n{\n\tswitch (1) { default: break; }\n}\n")
	broken := file(t, "broken.c", "void device_shutdown(void) { int x = ; }\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{emails(t, "v13-2-lock-parent.txt"), "v13-2-lock-parent.txt: drivers/base/core.c: hunk #1 (@@ -4784,13 +4784,8 @@"},
		{emails(t, append(v14Emails, "v14-4-pci.txt")...), "v14-4-pci.txt: drivers/pci/probe.c: the baseline has no drivers/pci/probe.c (2 hunks): leave it out with --patch-skip"},
		{[]string{"--source", bad}, "switch.c:3:2: unsupported: switch statement"},
		{[]string{"--source", broken}, "broken.c:1:38: unexpected ';'"},
		{append([]string{"--variant", "v17"}, emails(t, v14Emails...)...), "--variant and --source/--patch exclude each other"},
		{[]string{"--source", bad, "--patch", bad}, "--source and --patch exclude each other"},
		{[]string{"--patch-skip", "drivers/pci/"}, "--patch-skip needs --patch"},
		{[]string{"--patch", top}, "no diff in it"},
	} {
		code, out, errs := shutdowncheck(t, append([]string{"check", top}, c.args...)...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr lacks %q:\n%s%s", c.args, code, c.want, out, errs)
		}
	}
	args := append([]string{"check", top, "--patch-skip", "drivers/pci/"}, emails(t, append(v14Emails, "v14-4-pci.txt")...)...)
	if code, out, errs := shutdowncheck(t, args...); code != exitPass || !strings.Contains(errs, "skipped: path under drivers/pci/ skipped") {
		t.Errorf("with --patch-skip: exit %d\n%s%s", code, out, errs)
	}
}

// A counterexample file of a patched version replays: it carries the C.
// Edited C is refused.
func TestReplayPatched(t *testing.T) {
	top := file(t, "pair.yaml", "devices:\n  - {name: a}\n  - {name: b, parent: a, async: true}\n")
	dir := t.TempDir()
	args := append([]string{"check", top, "--property", "sleep-in-atomic", "--out", dir}, emails(t, v14Emails...)...)
	if code, out, errs := shutdowncheck(t, args...); code != exitViolation {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	path := filepath.Join(dir, "pair-patched-sleep-in-atomic.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"variant: patched", "source:", "- {name: v14-3-infrastructure.txt, sha256: ", "  c: |", "static void shutdown_one_device(struct device *dev)"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %q", path, want)
		}
	}
	code, out, errs := shutdowncheck(t, "replay", path)
	if code != exitViolation || !strings.Contains(out, "7  main             shutdown_device_async           async_schedule_dev_nocall(b) = true: queued async:b") {
		t.Errorf("replay: exit %d\n%s%s", code, out, errs)
	}
	edited := file(t, "edited.yaml", strings.Replace(string(data), "device_lock(dev);", "device_lock(dev); ", 1))
	if code, _, errs := shutdowncheck(t, "replay", edited); code != exitUsage || !strings.Contains(errs, "the C does not match its sha256") {
		t.Errorf("edited: exit %d: %s", code, errs)
	}
}

// matrix --patch adds the patched algorithm as one more row.
func TestMatrixPatch(t *testing.T) {
	top := file(t, "pair.yaml", "devices:\n  - {name: a}\n  - {name: b, parent: a, async: true}\n")
	args := append([]string{"matrix", "--variant", "v14", top}, emails(t, v14Emails...)...)
	code, out, errs := shutdowncheck(t, args...)
	if code != exitViolation {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "| v14 |") || strings.HasPrefix(l, "| patched |") {
			rows = append(rows, l[strings.Index(l[1:], "|")+1:])
		}
	}
	if len(rows) != 2 || rows[0] != rows[1] {
		t.Errorf("want a patched row equal to v14's:\n%s", out)
	}
}
