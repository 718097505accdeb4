package corpus

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/topology"
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
			if *update || *regenerate {
				rewrite(t, f)
			}
			if err := f.VerifyVersions(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
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
	top, err := topology.Parse("t.yaml", []byte(`name: t
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
