// Package corpus reads and writes counterexample files (docs/FORMAT.md) and holds
// the corpus of them that `go test ./...` replays: each file carries the
// topology, the scenario, the version, the schedule and the property it
// violates, as plain YAML.
package corpus

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/shutdowncheck/shutdowncheck/cfront"
	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/topofile"
	"go.yaml.in/yaml/v3"
)

// Expectations recorded in a file.
const (
	ExpectViolation = "violation" // replaying must violate the property
	ExpectPass      = "pass"      // replaying must follow the schedule and not violate it
	// VerdictUnknown marks a version whose exhaustive check did not finish
	// when the verdicts were recorded; it is not checked.
	VerdictUnknown = "unknown"
)

// File is one counterexample file.
type File struct {
	Path     string
	Property checker.Property
	Variant  string
	Expect   string
	Message  string
	MaxSteps int // the step bound the run was checked with; 0: the default
	Topology *model.Topology
	Schedule []string
	// Versions records, for every version, the verdict of an exhaustive
	// check of the property on the file's topology and scenario: "violation",
	// "pass" or "unknown".
	Versions map[string]string
	// Source is the C of a version interpreted from C (check --source,
	// --patch; nil for a modeled version), and variant the version it
	// builds (source.go).
	Source  *cfront.Source
	variant *model.Variant
}

// FromViolation makes the file of a counterexample found on m.
func FromViolation(m *model.Machine, v *checker.Violation, maxSteps int) *File {
	top := *m.Top
	top.Scenario = m.Scenario
	return &File{Property: v.Property, Variant: m.Variant.Name, Expect: ExpectViolation, Message: v.Message,
		MaxSteps: maxSteps, Topology: &top, Schedule: v.Schedule, Source: SourceOf(m.Variant), variant: sourceVariant(m.Variant)}
}

// Machine builds the model the file was recorded on.
func (f *File) Machine() (*model.Machine, error) {
	v, err := f.lookupVariant()
	if err != nil {
		return nil, err
	}
	return model.NewMachine(f.Topology, v, f.Topology.Scenario)
}

// Replay re-runs the file's schedule. It reports whether the run violates
// the file's property.
func (f *File) Replay() (*checker.Run, bool, error) {
	m, err := f.Machine()
	if err != nil {
		return nil, false, err
	}
	props := checker.Properties{f.Property: true}
	run := checker.Replay(m, f.Schedule, props, f.MaxSteps)
	return run, run.Violation(f.Property) != nil, nil
}

// Verdict checks the file's topology and scenario exhaustively under
// variant, for the file's property: "violation", "pass", or "unknown" when
// ctx ends first.
func (f *File) Verdict(ctx context.Context, variant *model.Variant) (string, error) {
	m, err := model.NewMachine(f.Topology, variant, f.Topology.Scenario)
	if err != nil {
		return "", err
	}
	res := checker.Explore(m, checker.Options{Engine: checker.Auto, Properties: checker.Properties{f.Property: true},
		MaxSteps: f.MaxSteps, Context: ctx, FirstViolation: true})
	switch {
	case len(res.Violations) > 0:
		return ExpectViolation, nil
	case !res.Exhaustive:
		return VerdictUnknown, nil
	}
	return ExpectPass, nil
}

// RecordVersions fills Versions with every version's verdict; with a
// deadline, each version gets an equal share of the time left.
func (f *File) RecordVersions(ctx context.Context) error {
	f.Versions = map[string]string{}
	vs := model.Variants()
	for i, v := range vs {
		vctx, cancel := ctx, context.CancelFunc(func() {})
		if deadline, ok := ctx.Deadline(); ok {
			vctx, cancel = context.WithTimeout(ctx, time.Until(deadline)/time.Duration(len(vs)-i))
		}
		verdict, err := f.Verdict(vctx, v)
		cancel()
		if err != nil {
			return err
		}
		f.Versions[v.Name] = verdict
	}
	return nil
}

// VerifyVersions checks every version's recorded verdict; every version
// must have one.
func (f *File) VerifyVersions(ctx context.Context) error {
	for _, v := range model.Variants() {
		want, ok := f.Versions[v.Name]
		if !ok {
			return fmt.Errorf("%s: no verdict recorded for %s (record them: go test ./corpus -args -update)", f.Path, v.Name)
		}
		if want == VerdictUnknown {
			continue
		}
		got, err := f.Verdict(ctx, v)
		if err != nil {
			return err
		}
		if got != want && got != VerdictUnknown {
			return fmt.Errorf("%s: %s on %s is now %q, the file records %q", f.Path, f.Property, v.Name, got, want)
		}
	}
	return nil
}

// Verify replays the file and checks it against its expectation.
func (f *File) Verify() error {
	run, violated, err := f.Replay()
	if err != nil {
		return err
	}
	switch {
	case f.Expect == ExpectViolation && !violated:
		if run.Err != nil {
			return fmt.Errorf("%s: no longer reproduces %s: %v", f.Path, f.Property, run.Err)
		}
		return fmt.Errorf("%s: no longer reproduces %s", f.Path, f.Property)
	case f.Expect == ExpectPass && violated:
		return fmt.Errorf("%s: expected to pass, but violates %s: %s", f.Path, f.Property, run.Violation(f.Property).Message)
	case f.Expect == ExpectPass && !run.Complete:
		return fmt.Errorf("%s: schedule no longer applies: %v", f.Path, run.Err)
	}
	return nil
}

// Read reads a counterexample file.
func Read(path string) (*File, error) {
	data, err := topofile.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse reads a counterexample file's contents; path names it in errors.
func Parse(path string, data []byte) (*File, error) {
	root, err := topofile.ParseDocument(path, data)
	if err != nil {
		return nil, err
	}
	bad := func(n *yaml.Node, format string, args ...any) error {
		return &topofile.Error{File: path, Line: n.Line, Reason: fmt.Sprintf(format, args...)}
	}
	if root.Kind != yaml.MappingNode {
		return nil, bad(root, "a counterexample file is a mapping")
	}
	f := &File{Path: path, Expect: ExpectViolation}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		if key.Value != "topology" && key.Value != "schedule" && key.Value != "versions" && key.Value != "source" && val.Kind != yaml.ScalarNode {
			return nil, bad(val, "%s must be a single value", key.Value)
		}
		switch key.Value {
		case "property":
			f.Property = checker.Property(val.Value)
		case "variant":
			f.Variant = val.Value
		case "expect":
			f.Expect = val.Value
		case "message":
			f.Message = val.Value
		case "max_steps":
			n, err := strconv.Atoi(val.Value)
			if err != nil || n < 0 {
				return nil, bad(val, "max_steps must be a whole number")
			}
			f.MaxSteps = n
		case "topology":
			if f.Topology, err = topofile.FromNode(path, val); err != nil {
				return nil, err
			}
		case "schedule":
			if err := val.Decode(&f.Schedule); err != nil || val.Kind != yaml.SequenceNode {
				return nil, bad(val, "schedule must be a list of thread names")
			}
		case "versions":
			if err := f.parseVersions(val, bad); err != nil {
				return nil, err
			}
		case "source":
			if f.Source, err = parseSource(val, bad); err != nil {
				return nil, err
			}
		default:
			return nil, bad(key, "unknown field %q (known: property, variant, expect, message, max_steps, versions, topology, schedule, source)", key.Value)
		}
	}
	switch {
	case f.Topology == nil:
		return nil, bad(root, "no topology")
	case f.Expect != ExpectViolation && f.Expect != ExpectPass:
		return nil, bad(root, "expect must be %q or %q, not %q", ExpectViolation, ExpectPass, f.Expect)
	}
	if _, err := checker.ParseProperty(string(f.Property)); err != nil {
		return nil, bad(root, "%v", err)
	}
	if f.Source != nil {
		if f.variant, err = BuildVariant(f.Variant, f.Source); err != nil {
			return nil, bad(root, "the recorded source: %v", err)
		}
	} else if _, err := model.LookupVariant(f.Variant); err != nil {
		return nil, bad(root, "%v", err)
	}
	return f, nil
}

func (f *File) parseVersions(n *yaml.Node, bad func(*yaml.Node, string, ...any) error) error {
	if n.Kind != yaml.MappingNode {
		return bad(n, "versions must map each version to violation, pass or unknown")
	}
	f.Versions = map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, err := model.LookupVariant(k.Value); err != nil {
			return bad(k, "%v", err)
		}
		if v.Value != ExpectViolation && v.Value != ExpectPass && v.Value != VerdictUnknown {
			return bad(v, "the verdict of %s must be violation, pass or unknown, not %q", k.Value, v.Value)
		}
		f.Versions[k.Value] = v.Value
	}
	return nil
}

// Marshal writes the file. With run (the replay of its schedule), each
// schedule step carries a comment saying what it does.
func (f *File) Marshal(run *checker.Run) ([]byte, error) {
	var topo yaml.Node
	if err := topo.Encode(topofile.ToFile(f.Topology, f.Topology.Scenario)); err != nil {
		return nil, err
	}
	sched := &yaml.Node{Kind: yaml.SequenceNode}
	for i, label := range f.Schedule {
		item := &yaml.Node{Kind: yaml.ScalarNode, Value: label}
		if run != nil && i < len(run.Events) {
			ev := run.Events[i]
			item.LineComment = fmt.Sprintf("%d %s: %s", i+1, ev.Func, run.Machine.Describe(run.Final, ev))
			if pos := run.Machine.Pos(ev); pos != "" {
				item.LineComment += " [" + pos + "]"
			}
		}
		sched.Content = append(sched.Content, item)
	}
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }
	root := &yaml.Node{Kind: yaml.MappingNode, HeadComment: "shutdowncheck counterexample: replay with `shutdowncheck replay FILE`"}
	add := func(k string, v *yaml.Node) { root.Content = append(root.Content, str(k), v) }
	add("property", str(string(f.Property)))
	add("variant", str(f.Variant))
	add("expect", str(f.Expect))
	add("message", str(f.Message))
	if f.MaxSteps > 0 {
		add("max_steps", str(strconv.Itoa(f.MaxSteps)))
	}
	if len(f.Versions) > 0 {
		vs := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		for _, v := range model.Variants() {
			if verdict, ok := f.Versions[v.Name]; ok {
				vs.Content = append(vs.Content, str(v.Name), str(verdict))
			}
		}
		add("versions", vs)
	}
	add("topology", &topo)
	add("schedule", sched)
	if f.Source != nil {
		add("source", marshalSource(f.Source))
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}
