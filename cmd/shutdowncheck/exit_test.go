package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run the command as a process of its own (to send
// it signals): the test binary, run with SHUTDOWNCHECK_RUN_MAIN=1, is
// shutdowncheck.
func TestMain(m *testing.M) {
	if os.Getenv("SHUTDOWNCHECK_RUN_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// eightAsync is a topology whose full search takes long: eight independent
// async devices. v14 never misorders it.
const eightAsync = `name: eight
devices: [{name: a, async: true}, {name: b, async: true}, {name: c, async: true},
  {name: d, async: true}, {name: e, async: true}, {name: f, async: true}, {name: g, async: true}, {name: h, async: true}]
`

// Bad flags are refused with exit status 2, not accepted silently (a
// count of 0 runs used to report every property "ok" and exit 0).
func TestBadFlags(t *testing.T) {
	ok := file(t, "ok.yaml", "devices: [{name: a}]\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--runs", "0", ok}, "--runs must be at least 1 (got 0)"},
		{[]string{"check", "--strategy", "random", "--runs", "-1", ok}, "--runs must be at least 1 (got -1)"},
		{[]string{"check", "--strategy", "pct", "--depth", "0", ok}, "--depth must be at least 1"},
		{[]string{"check", "--timeout", "-5s", ok}, "--timeout must not be negative"},
		{[]string{"check", "--prove-for", "-1s", ok}, "--prove-for must not be negative"},
		{[]string{"check", "--max-steps", "-1", ok}, "--max-steps must be at least 0"},
		{[]string{"check", "--max-memory", "lots", ok}, `bad size "lots"`},
		{[]string{"check", "--max-memory", "1k", ok}, "too small a budget"},
		{[]string{"verify", "--max-devices", "2", "--jobs", "-3"}, "--jobs must be at least 0"},
		{[]string{"verify", "--max-devices", "2", "--max-steps", "-1"}, "--max-steps must be at least 0"},
		{[]string{"verify", "--max-devices", "2", "--timeout", "-1s"}, "--timeout must not be negative"},
		{[]string{"matrix", "--max-steps", "-1"}, "--max-steps must be at least 0"},
		{[]string{"matrix", "--max-devices", "-2"}, "--max-devices must be at least 0"},
		{[]string{"matrix", "--timeout", "-1s"}, "--timeout must not be negative"},
	} {
		code, out, errs := shutdowncheck(t, c.args...)
		if code != exitUsage || !strings.Contains(errs, c.want) || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q", c.args, code, out, errs, c.want)
		}
	}
}

// Every command's -h names the exit statuses, 3 included.
func TestHelpNamesExitStatuses(t *testing.T) {
	for _, cmd := range []string{"check", "verify", "merge", "matrix", "replay"} {
		code, _, errs := shutdowncheck(t, cmd, "-h")
		if code != exitPass || !strings.Contains(errs, "3 no violation, search cut short") {
			t.Errorf("%s -h: exit %d:\n%s", cmd, code, errs)
		}
	}
	if _, out, _ := shutdowncheck(t, "-h"); !strings.Contains(out, "| 3 no violation, search cut short") {
		t.Errorf("usage:\n%s", out)
	}
}

// A file that never ends (/dev/zero) is refused at 64 MiB, with the file
// named, instead of being read until memory runs out.
func TestInputCapped(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	for _, cmd := range [][]string{{"check"}, {"replay"}, {"merge"}, {"simulate"}} {
		code, _, errs := shutdowncheck(t, append(cmd, "/dev/zero")...)
		if code != exitUsage || !strings.Contains(errs, "/dev/zero: larger than 64 MiB") {
			t.Errorf("%s /dev/zero: exit %d %q", cmd[0], code, errs)
		}
	}
}

// A search cut short that found nothing exits 3, in every command: it is
// not a proof. A timeout, and the memory budget, which stops the search
// cleanly instead of letting the OS kill it.
func TestIncompleteExitsThree(t *testing.T) {
	big := file(t, "eight.yaml", eightAsync)
	code, out, _ := shutdowncheck(t, "check", "--strategy", "dfs", "--property", "order", "--timeout", "300ms", big)
	if code != exitIncomplete || !strings.Contains(out, "strategy dfs, INCOMPLETE (timeout): not exhaustive, not a proof") {
		t.Errorf("check --timeout: exit %d\n%s", code, out)
	}
	code, out, _ = shutdowncheck(t, "check", "--strategy", "dfs", "--property", "order", "--max-memory", "64MiB", "--json", big)
	var rep struct {
		Verdict              string
		Exhaustive, Complete bool
		Stopped              string
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if code != exitIncomplete || rep.Verdict != "pass" || rep.Exhaustive || rep.Complete || rep.Stopped != "memory budget" {
		t.Errorf("check --max-memory 64MiB: exit %d, %+v", code, rep)
	}
	// A violation found before the timeout is still a violation.
	code, _, _ = shutdowncheck(t, "check", "--strategy", "dfs", "--timeout", "300ms", big)
	if code != exitViolation {
		t.Errorf("check --timeout with sleep-in-atomic found: exit %d", code)
	}
	// upstream never deadlocks: a cut-short proof of it found nothing.
	code, out, _ = shutdowncheck(t, "verify", "--max-devices", "4", "--variant", "upstream", "--property", "deadlock", "--timeout", "100ms")
	if code != exitIncomplete || !strings.Contains(out, "INCOMPLETE (timeout)") {
		t.Errorf("verify --timeout: exit %d\n%s", code, out)
	}
	code, _, _ = shutdowncheck(t, "matrix", "--variant", "upstream", "--property", "deadlock", "--timeout", "1ns")
	if code != exitIncomplete {
		t.Errorf("matrix --timeout: exit %d", code)
	}
	// One shard of two, nothing found: not a proof either.
	_, shard, _ := shutdowncheck(t, "verify", "--max-devices", "2", "--variant", "upstream", "--property", "deadlock", "--json", "--shard", "1/2")
	code, out, errs := shutdowncheck(t, "merge", file(t, "s1.json", shard))
	if code != exitIncomplete || !strings.Contains(out, "1 of 2 shards given") {
		t.Errorf("merge of one shard of two: exit %d\n%s%s", code, out, errs)
	}
}

// auto (check's default) gives a proof up after --prove-for and samples
// PCT runs instead, saying so: a topology too big to explore gets a
// verdict, labelled not exhaustive, and exit status 3 when it found
// nothing.
func TestAutoSamplesWhenNoProof(t *testing.T) {
	big := file(t, "eight.yaml", eightAsync)
	// v18 does nothing wrong here, but proving it takes 600,000 transitions.
	code, out, _ := shutdowncheck(t, "check", "--variant", "v18", "--prove-for", "1ms", "--runs", "50", big)
	if code != exitIncomplete || !strings.Contains(out, "strategy auto, INCOMPLETE (no proof within 1ms), then 50 PCT runs: not exhaustive, not a proof") {
		t.Errorf("exit %d\n%s", code, out)
	}
	code, out, _ = shutdowncheck(t, "check", "--alloc-failures", "2", "--prove-for", "1ms", "--runs", "50", "--json", big)
	var rep struct {
		Verdict              string
		Exhaustive, Complete bool
		Stopped              string
		Sampled              int64 `json:"sampled_runs"`
		Violations           []struct{ Property string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if code != exitViolation || rep.Verdict != "violation" || rep.Exhaustive || rep.Complete || rep.Sampled != 50 ||
		rep.Stopped != "no proof within 1ms" || len(rep.Violations) == 0 {
		t.Errorf("exit %d, %+v", code, rep)
	}
	// Given time, auto proves it.
	code, out, _ = shutdowncheck(t, "check", "--property", "order", big)
	if code != exitPass || !strings.Contains(out, "strategy auto, exhaustive") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// --out and --save record every version's verdict within a bound, and say
// so while they work (they used to go silent for 20 s a counterexample).
func TestSaveBounded(t *testing.T) {
	defer func(b time.Duration) { versionsBudget = b }(versionsBudget)
	versionsBudget = 2 * time.Second
	src := "name: wide\ndevices:\n"
	for i := range 300 {
		src += fmt.Sprintf("  - {name: d%d, async: %v}\n", i, i%30 == 0)
	}
	big := file(t, "wide.yaml", src)
	dir := t.TempDir()
	begin := time.Now()
	code, _, errs := shutdowncheck(t, "check", "--save", dir, "--property", "sleep-in-atomic", "--prove-for", "1s", "--runs", "5", big)
	took := time.Since(begin)
	if code != exitViolation || !strings.Contains(errs, "every version's verdict on wide (at most ") ||
		!strings.Contains(errs, "s; interrupt to skip)... upstream ") {
		t.Errorf("exit %d\n%s", code, errs)
	}
	if took > 20*time.Second {
		t.Errorf("check --save took %v", took)
	}
	data, err := os.ReadFile(filepath.Join(dir, "wide-v14-sleep-in-atomic.yaml"))
	if err != nil || !bytes.Contains(data, []byte("v14: violation")) {
		t.Errorf("%v\n%.600s", err, data)
	}
}

// SIGTERM (what timeout(1) and CI cancellation send) stops the search like
// Ctrl-C: the report is printed, with what was found, and the exit status
// is 3 when nothing was (it used to lose all output). The first
// counterexample is on stderr as soon as it is found, while the search
// goes on; the progress line shows the run's depth, not "queue 0".
func TestSIGTERMKeepsOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command as a process")
	}
	big := file(t, "eight.yaml", eightAsync)
	for _, c := range []struct {
		args  []string
		code  int
		first string // what stderr shows before the signal
		want  string
	}{
		{[]string{"check", "--strategy", "dfs", "--property", "order", big}, exitIncomplete, "progress: ",
			"strategy dfs, INCOMPLETE (interrupted): not exhaustive, not a proof"},
		{[]string{"check", "--strategy", "dfs", big}, exitViolation, "found after ",
			"sleep-in-atomic  VIOLATED"},
		{[]string{"verify", "--max-devices", "5", "--variant", "upstream", "--property", "deadlock"}, exitIncomplete, "",
			"INCOMPLETE (interrupted)"},
	} {
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(exe, c.args...)
		cmd.Env = append(os.Environ(), "SHUTDOWNCHECK_RUN_MAIN=1")
		var stdout bytes.Buffer
		cmd.Stdout = &stdout
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(stderr)
		var seen []string
		if c.first != "" {
			for lines.Scan() {
				seen = append(seen, lines.Text())
				if strings.HasPrefix(lines.Text(), c.first) {
					break
				}
			}
		} else {
			time.Sleep(time.Second)
		}
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatalf("%v: the process ended before the signal: %v", c.args, err)
		}
		for lines.Scan() {
			seen = append(seen, lines.Text())
		}
		err = cmd.Wait()
		code := cmd.ProcessState.ExitCode()
		errs := strings.Join(seen, "\n")
		if code != c.code || !strings.Contains(stdout.String(), c.want) || !strings.Contains(errs, "terminated: stopping the") {
			t.Errorf("%v: exit %d (%v), want %d and %q\nstdout:\n%s\nstderr:\n%s", c.args, code, err, c.code, c.want, stdout.String(), errs)
		}
		for _, l := range seen {
			if strings.HasPrefix(l, "progress:") && (strings.Contains(l, "queue") || !strings.Contains(l, "depth ")) {
				t.Errorf("progress line %q", l)
			}
		}
	}
}

// replay says "not reproduced" (exit 0) only for a whole run: an empty
// schedule, one cut short before its violation, steps after the violation
// and impossible steps are bad input (exit 2), not "fixed".
func TestReplayRefusesBadSchedules(t *testing.T) {
	dir := t.TempDir()
	path := file(t, "one-worker.yaml", "devices: [{name: c, parent: p, async: true}, {name: p, async: true}]\nscenario: {workers: 1}\n")
	if code, _, errs := shutdowncheck(t, "check", "--save", dir, "--property", "deadlock", path); code != exitViolation {
		t.Fatalf("check: exit %d %s", code, errs)
	}
	data, err := os.ReadFile(filepath.Join(dir, "one-worker-v14-deadlock.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	head, steps, _ := strings.Cut(string(data), "schedule:\n")
	lines := strings.SplitAfter(steps, "\n")
	lines = lines[:len(lines)-1] // after the last newline: nothing
	for _, c := range []struct {
		name, schedule, want string
	}{
		{"empty", "schedule: []\n", "the schedule is empty"},
		{"none", "", "the schedule is empty"},
		{"truncated", "schedule:\n" + strings.Join(lines[:len(lines)-3], ""), "cut short"},
		{"junk", "schedule:\n" + strings.Join(lines, "") + "  - main\n", "goes on for 1 more steps"},
		{"impossible", "schedule:\n" + strings.Join(lines[:3], "") + "  - async:nobody\n", `"async:nobody" cannot run here`},
	} {
		code, _, errs := shutdowncheck(t, "replay", file(t, c.name+".yaml", head+c.schedule))
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d %q, want 2 and %q", c.name, code, errs, c.want)
		}
	}
	if code, _, _ := shutdowncheck(t, "replay", file(t, "whole.yaml", string(data))); code != exitViolation {
		t.Errorf("the counterexample itself: exit %d", code)
	}
}

// merge checks every field of every shard and replays every
// counterexample: a made-up or damaged report is refused (exit 2) instead
// of merging into a "complete proof".
func TestMergeRefusesForgeries(t *testing.T) {
	_, whole, _ := shutdowncheck(t, "verify", "--max-devices", "2", "--json")
	var shards []string
	for i := 1; i <= 2; i++ {
		_, out, _ := shutdowncheck(t, "verify", "--max-devices", "2", "--json", "--shard", fmt.Sprintf("%d/2", i))
		shards = append(shards, out)
	}
	_, otherSteps, _ := shutdowncheck(t, "verify", "--max-devices", "2", "--json", "--shard", "2/2", "--max-steps", "500")
	if code, _, errs := shutdowncheck(t, "merge", file(t, "a.json", shards[0]), file(t, "b.json", shards[1])); code != exitViolation {
		t.Fatalf("the real shards: exit %d %s", code, errs)
	}
	edit := func(src string, edit func(map[string]any)) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(src), &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		out, _ := json.Marshal(m)
		return string(out)
	}
	found := func(m map[string]any) map[string]any { return m["found"].([]any)[0].(map[string]any) }
	for _, c := range []struct {
		name  string
		files []string
		want  string
	}{
		{"empty object", []string{"{}"}, `unknown variant ""`},
		{"shard 5/2", []string{edit(whole, func(m map[string]any) { m["shard"], m["shards"] = 5, 2 })}, "shard 5/2"},
		{"negative count", []string{edit(whole, func(m map[string]any) { m["topologies"] = -4 })}, "negative"},
		{"a pass with findings", []string{edit(whole, func(m map[string]any) { m["verdict"] = "pass" })}, `verdict "pass" with`},
		{"complete with too few topologies", []string{edit(whole, func(m map[string]any) {
			m["topologies"], m["found"], m["verdict"] = 5, []any{}, "pass"
		})}, "the space has 86"},
		{"a forged message", []string{edit(whole, func(m map[string]any) { found(m)["message"] = "all is well" })}, "replayed, it says"},
		{"a forged schedule", []string{edit(whole, func(m map[string]any) {
			f := found(m)
			f["replay"] = strings.Replace(f["replay"].(string), "schedule:", "schedule:\n  - main", 1)
		})}, "steps"},
		{"a forged max-steps", []string{shards[0], edit(shards[1], func(m map[string]any) { m["max_steps"] = 77 })}, "its file has max_steps 0, the proof 77"},
		{"another max-steps", []string{shards[0], otherSteps}, "not a shard of the same proof"},
		{"a shard's count", []string{shards[0], edit(shards[1], func(m map[string]any) { m["topologies"] = 40 })}, "the shards count 83 topologies in all; the space has 86"},
		{"forged rules", []string{edit(whole, func(m map[string]any) { m["rules"] = "none" })}, `rules "none"`},
		{"an unknown space", []string{edit(whole, func(m map[string]any) { m["space"] = "halves" })}, `space "halves"`},
		{"not JSON", []string{"[1, 2"}, "not a verify --json report"},
	} {
		var paths []string
		for i, f := range c.files {
			paths = append(paths, file(t, fmt.Sprintf("f%d.json", i), f))
		}
		code, out, errs := shutdowncheck(t, append([]string{"merge"}, paths...)...)
		if code != exitUsage || !strings.Contains(errs, c.want) || out != "" {
			t.Errorf("%s: exit %d, stderr %q, want 2 and %q", c.name, code, errs, c.want)
		}
	}
}

// import reads its sources through a cap too (a pipe of empty lines would
// otherwise be read until memory runs out).
func TestImportCapped(t *testing.T) {
	f, err := os.Open(file(t, "lines.tsv", strings.Repeat("\n", 100)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = io.ReadAll(&capped{f, 10})
	if err == nil || !strings.Contains(err.Error(), "larger than 64 MiB") {
		t.Errorf("read past the cap: %v", err)
	}
}

// A second SIGTERM, while --out records the other versions' verdicts after
// the search was stopped, skips that work instead of killing the process:
// the files are written, the versions not done recorded "unknown".
func TestSecondSignalSkipsVersions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command as a process")
	}
	src := "name: wide\ndevices:\n"
	for i := range 300 {
		src += fmt.Sprintf("  - {name: d%d, async: %v}\n", i, i%30 == 0)
	}
	big, dir := file(t, "wide.yaml", src), t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "check", "--strategy", "dfs", "--out", dir, big)
	cmd.Env = append(os.Environ(), "SHUTDOWNCHECK_RUN_MAIN=1")
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var seen bytes.Buffer
	buf := make([]byte, 4096)
	await := func(what string) {
		for !bytes.Contains(seen.Bytes(), []byte(what)) {
			n, err := stderr.Read(buf)
			seen.Write(buf[:n])
			if err != nil {
				t.Fatalf("no %q in\n%s", what, seen.String())
			}
		}
	}
	await("found after ")
	cmd.Process.Signal(syscall.SIGTERM)
	await("every version's verdict on wide")
	begin := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	rest, _ := io.ReadAll(stderr)
	seen.Write(rest)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitViolation || time.Since(begin) > 5*time.Second ||
		!strings.Contains(seen.String(), "terminated: skipping the other versions' verdicts") {
		t.Errorf("exit %d after %v\n%s", code, time.Since(begin), seen.String())
	}
	if data, err := os.ReadFile(filepath.Join(dir, "wide-v14-sleep-in-atomic.yaml")); err != nil || !bytes.Contains(data, []byte("unknown")) {
		t.Errorf("%v\n%.400s", err, data)
	}
}
