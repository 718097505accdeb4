// Package corpus reads and writes counterexample files (SPEC §6) and holds
// the corpus of them that `go test ./...` replays: each file carries the
// topology, the scenario, the version, the schedule and the property it
// violates, as plain YAML.
package corpus

import (
	"bytes"
	"fmt"
	"os"
	"strconv"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/topology"
	"go.yaml.in/yaml/v3"
)

// Expectations recorded in a file.
const (
	ExpectViolation = "violation" // replaying must violate the property
	ExpectPass      = "pass"      // replaying must follow the schedule and not violate it
)

// File is one counterexample file.
type File struct {
	Path     string
	Property string
	Variant  string
	Expect   string
	Message  string
	MaxSteps int // the step bound the run was checked with; 0: the default
	Topology *model.Topology
	Schedule []string
}

// FromViolation makes the file of a counterexample found on m.
func FromViolation(m *model.Machine, v *checker.Violation, maxSteps int) *File {
	top := *m.Top
	top.Scenario = m.Scenario
	return &File{Property: v.Property, Variant: m.Variant.Name, Expect: ExpectViolation, Message: v.Message,
		MaxSteps: maxSteps, Topology: &top, Schedule: v.Schedule}
}

// Machine builds the model the file was recorded on.
func (f *File) Machine() (*model.Machine, error) {
	v, err := model.LookupVariant(f.Variant)
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
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &topology.Error{File: path, Reason: err.Error()}
	}
	return Parse(path, data)
}

// Parse reads a counterexample file's contents; path names it in errors.
func Parse(path string, data []byte) (*File, error) {
	root, err := topology.ParseDocument(path, data)
	if err != nil {
		return nil, err
	}
	bad := func(n *yaml.Node, format string, args ...any) error {
		return &topology.Error{File: path, Line: n.Line, Reason: fmt.Sprintf(format, args...)}
	}
	if root.Kind != yaml.MappingNode {
		return nil, bad(root, "a counterexample file is a mapping")
	}
	f := &File{Path: path, Expect: ExpectViolation}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		if key.Value != "topology" && key.Value != "schedule" && val.Kind != yaml.ScalarNode {
			return nil, bad(val, "%s must be a single value", key.Value)
		}
		switch key.Value {
		case "property":
			f.Property = val.Value
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
			if f.Topology, err = topology.FromNode(path, val); err != nil {
				return nil, err
			}
		case "schedule":
			if err := val.Decode(&f.Schedule); err != nil || val.Kind != yaml.SequenceNode {
				return nil, bad(val, "schedule must be a list of thread names")
			}
		default:
			return nil, bad(key, "unknown field %q (known: property, variant, expect, message, max_steps, topology, schedule)", key.Value)
		}
	}
	switch {
	case f.Topology == nil:
		return nil, bad(root, "no topology")
	case f.Expect != ExpectViolation && f.Expect != ExpectPass:
		return nil, bad(root, "expect must be %q or %q, not %q", ExpectViolation, ExpectPass, f.Expect)
	}
	if _, err := checker.ParseProperties([]string{f.Property}); err != nil {
		return nil, bad(root, "%v", err)
	}
	if _, err := model.LookupVariant(f.Variant); err != nil {
		return nil, bad(root, "%v", err)
	}
	return f, nil
}

// Marshal writes the file. With run (the replay of its schedule), each
// schedule step carries a comment saying what it does.
func (f *File) Marshal(run *checker.Run) ([]byte, error) {
	var topo yaml.Node
	if err := topo.Encode(topology.ToFile(f.Topology, f.Topology.Scenario)); err != nil {
		return nil, err
	}
	sched := &yaml.Node{Kind: yaml.SequenceNode}
	for i, label := range f.Schedule {
		item := &yaml.Node{Kind: yaml.ScalarNode, Value: label}
		if run != nil && i < len(run.Events) {
			ev := run.Events[i]
			item.LineComment = fmt.Sprintf("%d %s: %s", i+1, ev.Func, run.Machine.Describe(run.Final, ev))
		}
		sched.Content = append(sched.Content, item)
	}
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }
	root := &yaml.Node{Kind: yaml.MappingNode, HeadComment: "shutdowncheck counterexample: replay with `shutdowncheck replay FILE`"}
	add := func(k string, v *yaml.Node) { root.Content = append(root.Content, str(k), v) }
	add("property", str(f.Property))
	add("variant", str(f.Variant))
	add("expect", str(f.Expect))
	add("message", str(f.Message))
	if f.MaxSteps > 0 {
		add("max_steps", str(strconv.Itoa(f.MaxSteps)))
	}
	add("topology", &topo)
	add("schedule", sched)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}
