package corpus

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/topofile"
)

var (
	update     = flag.Bool("update", false, "record every version's verdict in the corpus files")
	regenerate = flag.Bool("regenerate", false, "search again for each file's counterexample (when the model's steps changed) and rewrite its schedule")
)

// TestCorpus replays every counterexample file in this directory: each
// must still violate its property, or, marked expect: pass, still not; and
// every version must still give the verdict the file records for it.
// With -update, the versions' verdicts are recorded instead.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	for _, path := range files {
		t.Run(path, func(t *testing.T) {
			f, err := Read(path)
			if err != nil {
				t.Fatal(err)
			}
			if *regenerate && f.Expect == ExpectViolation {
				research(t, f)
			}
			if err := f.Verify(); err != nil {
				t.Fatal(err)
			}
			if err := strict(f); err != nil {
				t.Fatal(err)
			}
			if *update || *regenerate {
				rewrite(t, f)
			}
			if err := verifyVersions(f, versionsBudget); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// versionsBudget bounds the check of one file's versions' verdicts: a
// version whose check has not finished in time counts as "unknown" (not
// checked), so the test stays bounded whatever a file holds (check --save
// corpus of a 400-device machine, say).
const versionsBudget = 10 * time.Second

func verifyVersions(f *File, budget time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	return f.VerifyVersions(ctx)
}

// strict checks that the file's schedule is exactly a counterexample of its
// property (no step after the violation), or, marked pass, a whole run.
func strict(f *File) error {
	run, _, err := f.Replay()
	if err != nil {
		return err
	}
	if err := run.Strict(f.Property); err != nil {
		return fmt.Errorf("%s: %v", f.Path, err)
	}
	return nil
}

// research replaces f's schedule with the smallest counterexample of its
// property that an exhaustive search of its machine finds now.
func research(t *testing.T, f *File) {
	m, err := f.Machine()
	if err != nil {
		t.Fatal(err)
	}
	res := checker.Explore(m, checker.Options{Properties: checker.Properties{f.Property: true}, MaxSteps: f.MaxSteps})
	v := res.Violation(f.Property)
	if v == nil {
		t.Fatalf("%s: %s is no longer violated on %s", f.Path, f.Property, f.Variant)
	}
	f.Schedule, f.Message = v.Schedule, v.Message
}

func rewrite(t *testing.T, f *File) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := f.RecordVersions(ctx); err != nil {
		t.Fatal(err)
	}
	run, _, err := f.Replay()
	if err != nil {
		t.Fatal(err)
	}
	data, err := f.Marshal(run)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.Path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A counterexample written from a search reads back and reproduces.
func TestWriteReadReplay(t *testing.T) {
	top, err := topofile.Parse("t.yaml", []byte(`name: t
devices: [{name: disk, parent: port}, {name: bridge}, {name: port, parent: bridge, async: true}]
scenario: {workers: 3}`))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := model.LookupVariant("v14")
	m, _ := model.NewMachine(top, v, top.Scenario)
	res := checker.Explore(m, checker.Options{})
	dl := res.Violation(checker.Deadlock)
	if dl == nil {
		t.Fatal("no deadlock")
	}
	data, err := FromViolation(m, dl, 0).Marshal(checker.Replay(m, dl.Schedule, nil, 0))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "# 1 early_async_shutdown_devices: core.async_shutdown == true") {
		t.Errorf("no step comments:\n%s", data)
	}
	f, err := Parse("cx.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if f.Topology.Scenario.Workers != 3 || f.Property != checker.Deadlock || len(f.Schedule) != len(dl.Schedule) {
		t.Errorf("read back %+v", f)
	}
	if err := f.Verify(); err != nil {
		t.Error(err)
	}
	// Marked pass, the same file must fail verification.
	f.Expect = ExpectPass
	if err := f.Verify(); err == nil || !strings.Contains(err.Error(), "expected to pass") {
		t.Errorf("verify = %v", err)
	}
	// A schedule cut short no longer reproduces the deadlock.
	f.Expect, f.Schedule = ExpectViolation, f.Schedule[:len(f.Schedule)-1]
	if err := f.Verify(); err == nil {
		t.Error("a truncated deadlock schedule still reproduces")
	}
}

func TestParseErrors(t *testing.T) {
	const topo = "topology: {devices: [{name: a}]}\n"
	cases := map[string]string{
		"property: order\nvariant: v14\ncolour: red\n" + topo:                        `3: unknown field "colour"`,
		"property: order\nvariant: v99\n" + topo:                                     `unknown variant "v99"`,
		"property: ordre\nvariant: v14\n" + topo:                                     `unknown property "ordre"`,
		"property: order\nvariant: v14\n":                                            "no topology",
		"property: order\nvariant: v14\nexpect: maybe\n" + topo:                      `expect must be`,
		"property: order\nvariant: v14\nschedule: main\n" + topo:                     "schedule must be a list",
		"property: order\nvariant: v14\ntopology: {devices: [{name: a, parent: b}]}": `unknown parent "b"`,
		"property: [order]\nvariant: v14\n" + topo:                                   "property must be a single value",
	}
	for src, want := range cases {
		if _, err := Parse("cx.yaml", []byte(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", src, err, want)
		}
	}
}

// A file check --save wrote for a large machine, with v18's verdict
// recorded as pass (as a machine with more time could have): checking it
// again is bounded by the budget, and a violation is a verdict as soon
// as one is found. Before the bound, an exhaustive search of 400 devices
// ran for as long as memory lasted.
func TestVersionsBounded(t *testing.T) {
	src := "name: big\ndevices:\n"
	for i := range 400 {
		src += fmt.Sprintf("  - {name: d%d, async: %v}\n", i, i%50 == 0)
	}
	top, err := topofile.Parse("big.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	f := &File{Path: "big-v14-sleep-in-atomic.yaml", Property: checker.SleepInAtomic, Variant: "v14", Expect: ExpectViolation,
		Topology: top, Versions: map[string]string{}}
	for _, v := range model.Variants() {
		f.Versions[v.Name] = VerdictUnknown
	}
	f.Versions["v14"], f.Versions["v18"] = ExpectViolation, ExpectPass // v18: a proof of 400 devices
	begin := time.Now()
	if err := verifyVersions(f, time.Second); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(begin); took > 10*time.Second {
		t.Errorf("the versions' check took %v with a budget of 1s", took)
	}
	// A violation recorded for a version that has it comes back at once.
	f.Versions = map[string]string{"v14": ExpectViolation}
	for _, v := range model.Variants() {
		if v.Name != "v14" {
			f.Versions[v.Name] = VerdictUnknown
		}
	}
	begin = time.Now()
	v14, _ := model.LookupVariant("v14")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := f.Verdict(ctx, v14)
	if err != nil || got != ExpectViolation {
		t.Fatalf("v14: %q %v", got, err)
	}
	if took := time.Since(begin); took > 10*time.Second {
		t.Errorf("finding v14's sleep-in-atomic on 400 devices took %v", took)
	}
}
