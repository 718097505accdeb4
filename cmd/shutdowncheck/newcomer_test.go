package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The newcomer's first hour: what a clone's README says works, without a
// crash or a silent wrong answer.

// import bootlog reads the repository's own boot log, whose files carry a
// prefix (wrt1900acs.devices_kset_final_order.tsv): by its directory, by the
// prefix's path, or by one of the files; the topology is named after the prefix.
func TestImportBootlogPrefixed(t *testing.T) {
	for _, src := range []string{"../../importer/testdata", "../../importer/testdata/wrt1900acs",
		"../../importer/testdata/wrt1900acs.events.tsv"} {
		code, out, stderr := shutdowncheck(t, "import", "bootlog", src)
		if code != exitPass || !strings.Contains(out, "\nname: wrt1900acs\n") || strings.Count(out, "- name: ") != 294 {
			t.Errorf("import bootlog %s: exit %d, %s\n%.300s", src, code, stderr, out)
		}
	}
}

// A --ms pattern that matches no device of this topology (no NVMe on this
// machine) is a warning, not an error: the simulation runs.
func TestSimulateUnmatchedPattern(t *testing.T) {
	code, out, stderr := shutdowncheck(t, "simulate", "--ms", "nothing*=5", "--ms", "nvme*=30000", "../../examples/misordered.yaml")
	if code != exitPass || !strings.Contains(out, "misordered: 3 devices") ||
		!strings.Contains(stderr, `warning: --ms nothing*=5: no device of misordered matches "nothing*"`) ||
		!strings.Contains(stderr, `--ms nvme*=30000: no device`) {
		t.Errorf("exit %d, stderr %q\n%s", code, stderr, out)
	}
}

// Every flag of simulate -h states one default, its own.
func TestSimulateHelp(t *testing.T) {
	code, _, stderr := shutdowncheck(t, "simulate", "-h")
	if code != exitPass {
		t.Fatalf("exit %d", code)
	}
	for _, l := range strings.Split(stderr, "\n  -")[1:] {
		if _, usage, _ := strings.Cut(l, "\n"); strings.Count(usage, "default") > 1 {
			t.Errorf("two defaults: -%s", l)
		}
	}
}

// longList is a topology of n sync devices behind a head device: with
// misordered, a child before its parent at the head (upstream shuts the
// parent down first after walking the n others); else an async device
// there (v14's early pass walks the n others before queueing it under
// list_lock).
func longList(t *testing.T, n int, misordered bool) string {
	var b strings.Builder
	b.WriteString("name: long\ndevices:\n")
	if misordered {
		b.WriteString("  - {name: c, parent: p}\n  - {name: p}\n")
	} else {
		b.WriteString("  - {name: a, async: true}\n")
	}
	for i := range n {
		fmt.Fprintf(&b, "  - {name: d%d}\n", i)
	}
	return file(t, "long.yaml", b.String())
}

// A report on a machine of many devices elides the middle of the device
// list and collapses the uneventful stretches of a trace into a line that
// says what they did; --full-trace prints everything.
func TestLongReportsCollapse(t *testing.T) {
	for _, c := range []struct {
		args      []string
		collapsed string
	}{
		{[]string{"check", "--variant", "upstream", "--property", "order", longList(t, 40, true)},
			"…  main             device_shutdown                 steps 2-441: 40 devices shut down one after another, none async, no wait: d39, d38, d37, d36, d35, … 30 more …, d4, d3, d2, d1, d0"},
		{[]string{"check", "--property", "sleep-in-atomic", longList(t, 40, false)},
			"…  main             early_async_shutdown_devices    steps 3-83: the early pass walks 40 devices (d39, d38, d37, d36, d35, … 30 more …, d4, d3, d2, d1, d0), none async"},
	} {
		code, out, _ := shutdowncheck(t, c.args...)
		if code != exitViolation || !strings.Contains(out, c.collapsed) ||
			!strings.Contains(out, "devices_kset (head first): ") || !strings.Contains(out, " more …, d35, d36, d37, d38, d39\n") ||
			!strings.Contains(out, "uneventful steps collapsed into the lines marked …; --full-trace shows every step") {
			t.Errorf("%v: exit %d, want %q in\n%s", c.args, code, c.collapsed, out)
		}
		if n := strings.Count(out, "\n"); n > 40 {
			t.Errorf("%v: %d lines", c.args, n)
		}
		code, out, _ = shutdowncheck(t, append([]string{c.args[0], "--full-trace"}, c.args[1:]...)...)
		if code != exitViolation || strings.Contains(out, "…") || !strings.Contains(out, "d19, d20, d21") || !strings.Contains(out, "\n   42  main ") {
			t.Errorf("%v --full-trace: exit %d\n%s", c.args, code, out)
		}
	}
}

// After a deadlock's last step, each blocked thread's pending operation:
// the wait it blocks in is no step, so the trace would not show it.
func TestDeadlockTraceShowsBlockedWaits(t *testing.T) {
	code, out, _ := shutdowncheck(t, "check", "--property", "deadlock", "../../examples/misordered.yaml")
	want := "\n       main             wait_for_device_shutdown        blocked: wait_for_completion(&port->p->complete)\n" +
		"       async:port       wait_for_device_shutdown        blocked: wait_for_completion(&disk->p->complete)\n"
	if code != exitViolation || !strings.HasSuffix(out, want) {
		t.Errorf("exit %d, want the trace to end with\n%s\n%s", code, want, out)
	}
	// A run that merely stops at its violation lists nothing.
	_, out, _ = shutdowncheck(t, "check", "--property", "sleep-in-atomic", "../../examples/misordered.yaml")
	if strings.Contains(out, "blocked:") {
		t.Errorf("blocked threads after a sleep-in-atomic counterexample:\n%s", out)
	}
}

// check --json names the topology and gives each violation's step count
// and schedule, besides every field it had.
func TestCheckJSONNamesTopologyAndSchedule(t *testing.T) {
	code, out, _ := shutdowncheck(t, "check", "--json", "../../examples/misorder-behind-deadlock.yaml")
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitViolation {
		t.Fatalf("exit %d: %v\n%s", code, err, out)
	}
	for _, k := range []string{"topology", "variant", "verdict", "exhaustive", "violations", "stats"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("no %q", k)
		}
	}
	if rep["topology"] != "misorder-behind-deadlock" {
		t.Errorf("topology %v", rep["topology"])
	}
	for _, v := range rep["violations"].([]any) {
		v := v.(map[string]any)
		sched, _ := v["schedule"].([]any)
		if v["property"] == nil || v["message"] == nil || len(sched) == 0 || v["steps"] != float64(len(sched)) || sched[0] != "main" {
			t.Errorf("violation %v", v)
		}
		if v["property"] == "order" && v["inherited"] != true {
			t.Errorf("order: inherited %v", v["inherited"])
		}
	}
}

// porcupine's page of a counterexample is titled with the topology, the
// version and the property; it shows the device shutdowns (the run goes on
// past a sleep-in-atomic in the early pass) and a deadlock's blocked waits.
func TestCounterexampleHTML(t *testing.T) {
	dir := t.TempDir()
	for _, top := range []string{"small-server", "misordered"} {
		if code, out, errs := shutdowncheck(t, "check", "--out", dir, "../../examples/"+top+".yaml"); code != exitViolation {
			t.Fatalf("exit %d: %s%s", code, out, errs)
		}
	}
	for name, want := range map[string][]string{
		"small-server-v14-sleep-in-atomic": {"<title>shutdowncheck: small-server, v14, sleep-in-atomic</title>",
			`"Description":"shutdown(nvme0)"`, `"Description":"shutdown(pci0000:00)"`, "Lanes: 0 main, 1 async:0000:01:00.0"},
		"misordered-v14-deadlock": {"<title>shutdowncheck: misordered, v14, deadlock</title>",
			`"Description":"blocked: wait_for_completion(\u0026port-\u003ep-\u003ecomplete)"`,
			`"Description":"blocked: wait_for_completion(\u0026disk-\u003ep-\u003ecomplete)"`,
			`"Description":"deadlock: possible circular wait: main -\u003e async:port -\u003e main"`},
	} {
		data, err := os.ReadFile(filepath.Join(dir, name+".html"))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(string(data), w) {
				t.Errorf("%s.html lacks %s", name, w)
			}
		}
	}
}

// check --out names the files after the topology file, so that
// "check --out cx/ my-box.yaml" gives cx/my-box-v14-deadlock.yaml whatever
// the topology's name: says; replay takes it, and --full-trace.
func TestOutFilesNamedAfterTheFile(t *testing.T) {
	dir := t.TempDir()
	box := file(t, "my-box.yaml", "name: somehost\ndevices: [{name: disk, parent: port}, {name: bridge}, {name: port, parent: bridge, async: true}]\n")
	if code, out, errs := shutdowncheck(t, "check", "--out", dir, "--property", "deadlock", box); code != exitViolation {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	cx := filepath.Join(dir, "my-box-v14-deadlock.yaml")
	code, out, errs := shutdowncheck(t, "replay", "--full-trace", cx)
	if code != exitViolation || !strings.Contains(out, "on somehost") || !strings.Contains(out, "reproduced deadlock") {
		t.Errorf("replay %s: exit %d: %s%s", cx, code, out, errs)
	}
}

// Every command's -h lists its flags under their own names (a `quoted`
// word in a usage is not an argument name) and no empty flag list.
func TestHelpOfEveryCommand(t *testing.T) {
	for _, cmd := range []string{"check", "replay", "matrix", "verify", "merge", "import", "simulate"} {
		code, _, help := shutdowncheck(t, cmd, "-h")
		if code != exitPass {
			t.Errorf("%s -h: exit %d", cmd, code)
		}
		if strings.HasSuffix(help, "flags:\n") {
			t.Errorf("%s -h: an empty flag list:\n%s", cmd, help)
		}
		for _, l := range strings.Split(help, "\n") {
			name, arg, _ := strings.Cut(strings.TrimPrefix(l, "  -"), " ")
			if !strings.HasPrefix(l, "  -") || name == "" {
				continue
			}
			switch arg {
			case "", "int", "string", "value", "duration", "uint", "uint64", "float":
			default:
				t.Errorf("%s -h: flag -%s shows argument %q", cmd, name, arg)
			}
		}
	}
}
