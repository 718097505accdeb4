package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func shutdowncheck(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func file(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The main job on built-in input: the misordered list deadlocks under v14,
// the ordered server does not misorder or hang.
func TestDefaultRun(t *testing.T) {
	code, out, _ := shutdowncheck(t)
	if code != exitViolation {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{
		"misordered, v14: 3 devices",
		"deadlock         VIOLATED: possible circular wait: main -> async:port -> main",
		"small-server, v14: 6 devices",
		"sso-proxy, v14: 4 devices",
		"BUG: sleeping function called from invalid context",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	server := out[strings.Index(out, "small-server, v14"):]
	server = server[:strings.Index(server, "linearizability")]
	for _, p := range []string{"order            ok", "deadlock         ok", "hang             ok", "completeness     ok"} {
		if !strings.Contains(server, p) {
			t.Errorf("small-server report lacks %q:\n%s", p, server)
		}
	}
}

const orderedTree = `name: ordered
devices:
  - {name: pci, async: true}
  - {name: nvme, parent: pci, async: true}
  - {name: ns, parent: nvme}
  - {name: reg}
  - {name: hub, parent: pci, need_parent_lock: true}
links:
  - {supplier: reg, consumer: hub}
`

// A correctly ordered tree: no order, deadlock, hang or completeness
// violation under v14 (it waits for async dependents; the list orders the rest).
func TestCheckOrderedTree(t *testing.T) {
	path := file(t, "ordered.yaml", orderedTree)
	code, out, _ := shutdowncheck(t, "check", "--property", "order", "--property", "deadlock",
		"--property", "hang", "--property", "completeness", path)
	if code != exitPass || !strings.Contains(out, "strategy auto, exhaustive") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	code, out, _ = shutdowncheck(t, "check", path, "--json")
	var rep struct {
		Variant    string
		Verdict    string
		Exhaustive bool
		Violations []struct{ Property, Message string }
		Stats      struct{ States, Transitions, Runs int64 }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if code != exitViolation || rep.Variant != "v14" || rep.Verdict != "violation" || !rep.Exhaustive ||
		len(rep.Violations) != 1 || rep.Violations[0].Property != "sleep-in-atomic" || rep.Stats.States == 0 {
		t.Errorf("exit %d, %+v", code, rep)
	}
}

// A two-device list in the wrong order: both sync, v14 shuts the parent
// down first, exactly as upstream: inherited.
func TestCheckMisorderedPairJSON(t *testing.T) {
	path := file(t, "pair.yaml", "devices: [{name: c, parent: p}, {name: p}]\n")
	code, out, _ := shutdowncheck(t, "check", "--json", "--property", "order", path)
	var rep struct {
		Violations []struct {
			Property  string
			Inherited *bool
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if code != exitViolation || len(rep.Violations) != 1 || rep.Violations[0].Inherited == nil || !*rep.Violations[0].Inherited {
		t.Errorf("exit %d: %s", code, out)
	}
}

func TestCheckOutAndReplay(t *testing.T) {
	dir := t.TempDir()
	path := file(t, "one-worker.yaml", "devices: [{name: c, parent: p, async: true}, {name: p, async: true}]\nscenario: {workers: 1}\n")
	code, out, _ := shutdowncheck(t, "check", "--out", dir, "--property", "deadlock", path)
	if code != exitViolation || !strings.Contains(out, "replay with: shutdowncheck replay") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	base := filepath.Join(dir, "one-worker-v14-deadlock")
	for _, ext := range []string{".yaml", ".trace.txt", ".html", ".dot"} {
		if st, err := os.Stat(base + ext); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", ext, err)
		}
	}
	code, out, _ = shutdowncheck(t, "replay", base+".yaml")
	if code != exitViolation || !strings.Contains(out, "reproduced deadlock at step 19") {
		t.Errorf("replay exit %d:\n%s", code, out)
	}
	// The same file, flags overriding its scenario: workers unbounded, no deadlock.
	code, _, _ = shutdowncheck(t, "check", "--workers", "0", "--property", "deadlock", path)
	if code != exitPass {
		t.Errorf("--workers 0: exit %d", code)
	}
}

func TestReplayExpectPass(t *testing.T) {
	code, out, errs := shutdowncheck(t, "replay", "../../corpus/in-order-one-worker-v14-deadlock.pass.yaml")
	if code != exitPass || !strings.Contains(out, "not reproduced") {
		t.Errorf("exit %d:\n%s%s", code, out, errs)
	}
}

func TestReplayStaleSchedule(t *testing.T) {
	path := file(t, "stale.yaml", "property: deadlock\nvariant: v14\ntopology: {devices: [{name: a}]}\nschedule: [main, async:a]\n")
	code, _, errs := shutdowncheck(t, "replay", path)
	if code != exitUsage || !strings.Contains(errs, "does not apply") {
		t.Errorf("exit %d: %s", code, errs)
	}
}

func TestCampaignStrategies(t *testing.T) {
	path := file(t, "m.yaml", "devices: [{name: disk, parent: port}, {name: bridge}, {name: port, parent: bridge, async: true}]\n")
	for _, strategy := range []string{"random", "pct"} {
		code, out, _ := shutdowncheck(t, "check", "--strategy", strategy, "--runs", "300", "--seed", "7", "--property", "deadlock", path)
		if code != exitViolation || !strings.Contains(out, "300 runs, not exhaustive") {
			t.Errorf("%s: exit %d\n%s", strategy, code, out)
		}
	}
}

func TestTimeoutStopsCleanly(t *testing.T) {
	path := file(t, "big.yaml", `devices: [{name: a, async: true}, {name: b, async: true}, {name: c, async: true},
  {name: d, async: true}, {name: e, async: true}, {name: f, async: true}, {name: g, async: true}, {name: h, async: true}]`)
	code, out, _ := shutdowncheck(t, "check", "--timeout", "1ms", "--alloc-failures", "2", "--json", path) // more than 1ms to prove
	if code != exitViolation || !strings.Contains(out, `"exhaustive": false`) {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// Bad usage and bad input: exit status 2 with the file, line and reason.
func TestBadInput(t *testing.T) {
	bad := file(t, "bad.yaml", "devices:\n  - name: a\n  - name: b\n    parent: nowhere\n")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"check", bad}, "bad.yaml:4: device \"b\" has unknown parent \"nowhere\""},
		{[]string{"check", file(t, "dup.yaml", "devices:\n  - name: a\n  - name: a\n")}, "dup.yaml:3: duplicate device"},
		{[]string{"check", file(t, "m.yaml", "devices: [\n")}, "m.yaml:1: malformed YAML"},
		{[]string{"check", "/nonexistent.yaml"}, "/nonexistent.yaml: open"},
		{[]string{"check"}, "exactly one topology file"},
		{[]string{"check", "--strategy", "bfs", file(t, "ok.yaml", "devices: [{name: a}]\n")}, "unknown strategy"},
		{[]string{"check", "--variant", "v99", file(t, "ok2.yaml", "devices: [{name: a}]\n")}, "unknown variant"},
		{[]string{"check", "--property", "speed", file(t, "ok3.yaml", "devices: [{name: a}]\n")}, "unknown property"},
		{[]string{"check", "--remove", "ghost", file(t, "ok4.yaml", "devices: [{name: a}]\n")}, "unknown device \"ghost\""},
		{[]string{"check", "--no-such-flag", bad}, "flag provided but not defined"},
		{[]string{"replay", file(t, "cx.yaml", "property: order\n")}, "no topology"},
		{[]string{"frobnicate"}, "unknown command"},
	}
	for _, c := range cases {
		code, _, errs := shutdowncheck(t, c.args...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errs, c.want)
		}
	}
}

// The scenario flags start the environment actors (docs/FORMAT.md, scenario) on a topology
// file that has no scenario: removing the child of an async parent can hang
// v14 (its handler waits on a child device_del() took away), flipping
// core.async_shutdown can misorder, and a hot-added child can hang it too.
func TestActorFlags(t *testing.T) {
	pc := file(t, "pc.yaml", "devices: [{name: p, async: true}, {name: c, parent: p}]\n")
	path := file(t, "ph.yaml", "devices: [{name: p, async: true}, {name: c, parent: p}, {name: h, parent: p, present: false}]\n")
	cases := []struct {
		flags []string
		file  string
		want  string
	}{
		{[]string{"--remove", "c"}, pc, "device_del() took c off devices_kset before shutdown reached it"},
		{[]string{"--hot-add", "h"}, path, "h is on devices_kset, but main has left its loop"},
		{[]string{"--param-toggle", "--property", "order", "--async-shutdown=false"}, pc, ""},
	}
	for _, c := range cases {
		args := append(append([]string{"check"}, c.flags...), c.file)
		code, out, errs := shutdowncheck(t, args...)
		if c.want == "" {
			if code != exitPass {
				t.Errorf("%v: exit %d\n%s%s", c.flags, code, out, errs)
			}
			continue
		}
		if code != exitViolation || !strings.Contains(out, c.want) {
			t.Errorf("%v: exit %d, want %q in\n%s%s", c.flags, code, c.want, out, errs)
		}
	}
	code, _, errs := shutdowncheck(t, "check", "--hot-add", "c", path)
	if code != exitUsage || !strings.Contains(errs, "already present") {
		t.Errorf("--hot-add of a present device: exit %d %s", code, errs)
	}
	// Without --hot-add h, h is absent and nothing registers it: refused,
	// with the file and the line of h.
	code, _, errs = shutdowncheck(t, "check", "--remove", "c", path)
	if code != exitUsage || !strings.Contains(errs, "ph.yaml:1: device \"h\" is not present, not hot-added") {
		t.Errorf("an absent device nothing registers: exit %d %s", code, errs)
	}
}

func TestMatrixJSON(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sso.yaml"), []byte(`devices: [{name: c, async: true}, {name: s, async: true}]
links: [{supplier: s, consumer: c, sync_state_only: true}]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	code, stdout, errs := shutdowncheck(t, "matrix", "--json", "--variant", "v8", "--variant", "v9", "--property", "deadlock", "--out", out, dir)
	var rep struct {
		Variants []string
		Cells    []struct{ Variant, Property, Verdict, Topology, Replay string }
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v: %s %s", err, stdout, errs)
	}
	if code != exitViolation || len(rep.Cells) != 2 || rep.Cells[0].Verdict != "violation" || rep.Cells[1].Verdict != "pass" {
		t.Fatalf("exit %d: %+v", code, rep)
	}
	if code, _, _ := shutdowncheck(t, "replay", rep.Cells[0].Replay); code != exitViolation {
		t.Errorf("the v8 cell's counterexample does not replay: exit %d", code)
	}
	if code, _, errs := shutdowncheck(t, "matrix", filepath.Join(dir, "none")); code != exitUsage {
		t.Errorf("matrix of a missing file: exit %d %s", code, errs)
	}
}

// matrix over an enumerated space: every topology of 1-2 devices: 2 of one
// device and 84 of two (enumerate's TestCounts). By hand: upstream has one
// thread and waits for nothing, so it cannot deadlock, and it misorders
// [child, parent] (walked from the tail, the parent goes first); v8 queues
// the parent first there and, both async, the child's cookie lands in the
// parent's shutdown_after: the parent's entry waits for itself.
func TestMatrixMaxDevices(t *testing.T) {
	code, out, errs := shutdowncheck(t, "matrix", "--max-devices", "2", "--variant", "upstream", "--variant", "v8", "--json")
	var rep struct {
		Topologies []string
		Cells      []struct{ Variant, Property, Verdict, Topology string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s %s", err, out, errs)
	}
	verdict := map[string]string{}
	for _, c := range rep.Cells {
		verdict[c.Variant+" "+c.Property] = c.Verdict
	}
	if code != exitViolation || rep.Topologies[0] != "86 topologies of 1-2 devices" ||
		verdict["upstream order"] != "violation" || verdict["upstream deadlock"] != "pass" || verdict["v8 deadlock"] != "violation" {
		t.Errorf("exit %d: %v %v", code, rep.Topologies, verdict)
	}
}

// --save writes only the replay files, each one replaying.
func TestCheckSave(t *testing.T) {
	dir := t.TempDir()
	path := file(t, "m.yaml", "devices: [{name: disk, parent: port}, {name: bridge}, {name: port, parent: bridge, async: true}]\n")
	if code, _, errs := shutdowncheck(t, "check", "--save", dir, path); code != exitViolation {
		t.Fatalf("exit %d %s", code, errs)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 2 { // deadlock and sleep-in-atomic
		t.Fatalf("files %v", files)
	}
	for _, f := range files {
		if !strings.HasSuffix(f, ".yaml") {
			t.Errorf("%s is not a replay file", f)
		}
		if code, _, _ := shutdowncheck(t, "replay", f); code != exitViolation {
			t.Errorf("%s does not reproduce", f)
		}
	}
}

// import writes a topology file that check reads back: the aacraid box
// (37 devices, 33 of them async SCSI and PCI devices) imported from its
// dataset shows v14's early-pass sleep-in-atomic on a PCT campaign, as on
// every machine with an async device.
func TestImportThenCheck(t *testing.T) {
	out := filepath.Join(t.TempDir(), "aacraid.yaml")
	code, _, stderr := shutdowncheck(t, "import", "-o", out, "tsv", "../../importer/testdata/aacraid.devices.tsv")
	if code != exitPass {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "# imported by shutdowncheck import tsv") {
		t.Errorf("no provenance note at the head:\n%.200s", data)
	}
	code, report, _ := shutdowncheck(t, "check", "--strategy", "pct", "--runs", "20", out)
	if code != exitViolation || !strings.Contains(report, "aacraid, v14: 37 devices") ||
		!strings.Contains(report, "sleep-in-atomic  VIOLATED") {
		t.Errorf("check: exit %d\n%s", code, report)
	}
}

func TestImportBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "xml", "x"}, `unknown import format "xml"`},
		{[]string{"import", "tsv"}, "import needs FORMAT and SOURCE"},
		{[]string{"import", "tsv", "/nonexistent.tsv"}, "/nonexistent.tsv: open"},
		{[]string{"import", "devlinks", file(t, "links.txt", "p:a--p:b\nnonsense\n")}, "links.txt:2: "},
	} {
		code, _, stderr := shutdowncheck(t, c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// simulate without arguments runs the built-in nvme-server. By hand from
// the file: upstream runs every callback on the loop, 12 NVMe controllers
// x 55 s + 2 disks x 1 s + 17 PCI devices x 10 ms + 2 USB devices x 10 ms
// + the SCSI host and 2 targets x 5 ms = 662,205 ms = 11 min 2.2 s. v14
// runs the controllers at once; the longest chain is a controller, its root
// port and its host bridge: 55,000 + 10 + 0 = 55,010 ms. v8 and v9 gain
// nothing: every sync device's entry (the nvmeN class devices between the
// drives) waits for every entry queued before it.
func TestSimulateDefault(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "t.svg")
	code, out, stderr := shutdowncheck(t, "simulate", "--svg", svg)
	if code != exitPass {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"nvme-server: 68 devices",
		"upstream     11 min 2.2 s      1.0x               0              0  finished",
		"v9           11 min 2.2 s      1.0x              68             66  finished",
		"v14              55.010 s     12.0x              36             36  finished",
		"0000:10:00.0 55.000 s",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if data, err := os.ReadFile(svg); err != nil || !bytes.HasPrefix(data, []byte("<svg")) {
		t.Errorf("no picture: %v", err)
	}
}

func TestSimulateJSON(t *testing.T) {
	code, out, _ := shutdowncheck(t, "simulate", "--json", "--versions", "upstream,v14", "--ms", "0000:1?:00.0=1000")
	if code != exitPass {
		t.Fatalf("exit %d", code)
	}
	var r struct {
		Versions []struct {
			Variant string `json:"variant"`
			TotalMS int64  `json:"total_ms"`
		} `json:"versions"`
		CriticalPath []any `json:"critical_path"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	// Socket 0's six controllers now take 1 s: socket 1's six (55 s) are
	// the longest chain under v14; upstream loses 6 x 54 s.
	if len(r.Versions) != 2 || r.Versions[0].TotalMS != 662205-6*54000 || r.Versions[1].TotalMS != 55010 || len(r.CriticalPath) == 0 {
		t.Errorf("%+v", r)
	}
}

func TestSimulateBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"simulate", "--ms", "nvme"}, "want PATTERN=MS"},
		{[]string{"simulate", "--top", "-1"}, "--top must be at least 0 (got -1)"},
		{[]string{"simulate", "--workers", "-5"}, `invalid value "-5" for flag -workers: a worker bound is 0 (unbounded) or more`},
		{[]string{"simulate", "--variant", "v99"}, `unknown variant "v99"`},
		{[]string{"simulate", "a.yaml", "b.yaml"}, "at most one topology"},
		{[]string{"simulate", file(t, "bad.yaml", "devices:\n  - {name: a, shutdown_ms: -5}\n")}, "bad.yaml:2"},
	} {
		code, _, stderr := shutdowncheck(t, c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// verify --shard i/n splits a proof; merge puts the shards' --json reports
// back together into the whole proof's verdicts and smallest
// counterexamples. A shard given twice, or one of another proof, is refused.
func TestVerifyShardsMerge(t *testing.T) {
	dir := t.TempDir()
	code, whole, _ := shutdowncheck(t, "verify", "--max-devices", "3", "--json")
	if code != exitViolation {
		t.Fatalf("verify: exit %d", code)
	}
	var shards []string
	for i := 1; i <= 3; i++ {
		_, out, _ := shutdowncheck(t, "verify", "--max-devices", "3", "--json", "--shard", fmt.Sprintf("%d/3", i))
		path := filepath.Join(dir, fmt.Sprintf("shard%d.json", i))
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		shards = append(shards, path)
	}
	code, merged, stderr := shutdowncheck(t, append([]string{"merge", "--json"}, shards...)...)
	if code != exitViolation {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	type found struct {
		Property   string `json:"property"`
		Topologies int64  `json:"topologies"`
		Index      int64  `json:"index"`
		Steps      int    `json:"steps"`
		Message    string `json:"message"`
	}
	type report struct {
		Topologies int64   `json:"topologies"`
		Complete   bool    `json:"complete"`
		Found      []found `json:"found"`
	}
	var a, b report
	if err := json.Unmarshal([]byte(whole), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(merged), &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) || a.Topologies != 4318 || !a.Complete {
		t.Errorf("whole %+v\nmerged %+v", a, b)
	}
	for _, bad := range [][]string{{shards[0], shards[0]}, {shards[0], file(t, "other.json", strings.Replace(whole, `"max_devices": 3`, `"max_devices": 2`, 1))}} {
		if code, _, _ := shutdowncheck(t, append([]string{"merge"}, bad...)...); code != exitUsage {
			t.Errorf("merge %v: exit %d, want 2", bad, code)
		}
	}
}
