// Package topofile reads and writes topology files (docs/FORMAT.md): a device tree
// in devices_kset order, its device links and a scenario, as YAML (JSON is
// accepted as YAML). Every error names the file, the line and the reason.
package topofile

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/model"
	"go.yaml.in/yaml/v3"
)

// Error is a problem in a topology file.
type Error struct {
	File   string
	Line   int // 0 when the problem is not on one line
	Reason string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Reason)
}

// Load reads the topology file at path.
func Load(path string) (*model.Topology, error) { return LoadWith(path, nil) }

// MaxFileSize caps what ReadFile reads: far more than any machine's
// topology (a 454-device one is 19 KB), and a file from /dev/zero or a
// pipe that never ends is refused instead of read until memory runs out.
const MaxFileSize = 64 << 20

// ReadFile reads the input file at path, at most MaxFileSize bytes; errors
// are *Error naming the file.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Reason: err.Error()}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	switch {
	case err != nil:
		return nil, &Error{File: path, Reason: err.Error()}
	case len(data) > MaxFileSize:
		return nil, &Error{File: path, Reason: fmt.Sprintf("larger than %d MiB: too large for an input of shutdowncheck", MaxFileSize>>20)}
	}
	return data, nil
}

// LoadWith reads the topology file at path, letting override change its
// scenario (command-line flags) before the topology is checked, so that an
// error of the scenario that results still names the file and line.
func LoadWith(path string, override func(*model.Scenario)) (*model.Topology, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	root, err := ParseDocument(path, data)
	if err != nil {
		return nil, err
	}
	return fromNode(path, root, override)
}

// Parse reads a topology file's contents; file names it in errors. The
// topology returned has passed model.Topology.Check.
func Parse(file string, data []byte) (*model.Topology, error) {
	root, err := ParseDocument(file, data)
	if err != nil {
		return nil, err
	}
	return FromNode(file, root)
}

type parser struct {
	file       string
	devLines   []int
	linkLines  []int
	fieldLines map[string]int // lines of the scenario's fields and of registered
	topLine    int
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &Error{File: p.file, Line: line, Reason: fmt.Sprintf(format, args...)}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// ParseDocument parses a YAML document and returns its root node; syntax
// errors carry their line.
func ParseDocument(file string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		return nil, yamlError(file, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &Error{File: file, Reason: "empty file"}
	}
	// One document a file: a second one would be ignored silently.
	for {
		var next yaml.Node
		switch err := dec.Decode(&next); {
		case err == io.EOF:
			return doc.Content[0], nil
		case err != nil:
			return nil, yamlError(file, err)
		case len(next.Content) > 0 && next.Content[0].Tag != "!!null": // an empty document carries nothing
			return nil, &Error{File: file, Line: next.Content[0].Line, Reason: "a second YAML document (after ---): a file holds one"}
		}
	}
}

func yamlError(file string, err error) error {
	msg := strings.TrimSpace(err.Error())
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Reason: "malformed YAML: " + m[2]}
	}
	return &Error{File: file, Reason: "malformed YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// FromNode reads a topology from a YAML node of a larger file (a
// counterexample file embeds one); file names it in errors.
func FromNode(file string, n *yaml.Node) (*model.Topology, error) { return fromNode(file, n, nil) }

func fromNode(file string, n *yaml.Node, override func(*model.Scenario)) (*model.Topology, error) {
	p := &parser{file: file, fieldLines: map[string]int{}}
	top, err := p.topology(n)
	if err != nil {
		return nil, err
	}
	if override != nil {
		override(&top.Scenario)
	}
	if top.Name == "" {
		top.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	if err := top.Check(); err != nil {
		return nil, p.topologyError(err)
	}
	return top, nil
}

func (p *parser) topology(root *yaml.Node) (*model.Topology, error) {
	root = resolve(root)
	if root.Kind != yaml.MappingNode {
		return nil, p.errorf(root, "a topology is a mapping with name, devices, links and scenario")
	}
	top := &model.Topology{Scenario: model.DefaultScenario()}
	var devices, links, registered *yaml.Node
	err := p.fields(root, map[string]func(*yaml.Node) error{
		"name":       func(n *yaml.Node) error { return p.str(n, "name", &top.Name) },
		"devices":    func(n *yaml.Node) error { devices = n; return nil },
		"registered": func(n *yaml.Node) error { registered = n; return nil },
		"links":      func(n *yaml.Node) error { links = n; return nil },
		"scenario":   func(n *yaml.Node) error { return p.scenario(n, &top.Scenario) },
	})
	if err != nil {
		return nil, err
	}
	p.topLine = root.Line
	if devices == nil {
		return nil, p.errorf(root, "no devices list")
	}
	if err := p.devices(devices, top); err != nil {
		return nil, err
	}
	if links != nil {
		if err := p.links(links, top); err != nil {
			return nil, err
		}
	}
	if registered != nil {
		if err := p.registered(registered, top); err != nil {
			return nil, err
		}
	}
	return top, nil
}

// registered reads the registration order: device names; Topology.Check
// validates it as a whole.
func (p *parser) registered(n *yaml.Node, top *model.Topology) error {
	p.fieldLines["registered"] = n.Line
	var names []string
	if err := p.strs(n, "registered", &names); err != nil {
		return err
	}
	top.Registered = []model.DevID{}
	for i, name := range names {
		d := top.Index(name)
		if d == model.NoDev {
			return p.errorf(resolve(n.Content[i]), "registered names unknown device %q", name)
		}
		top.Registered = append(top.Registered, d)
	}
	return nil
}

// fields walks a mapping, calling the handler of each key; an unknown or
// repeated key is an error.
func (p *parser) fields(m *yaml.Node, handlers map[string]func(*yaml.Node) error) error {
	if m.Kind != yaml.MappingNode {
		return p.errorf(m, "expected a mapping")
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		key, val := m.Content[i], resolve(m.Content[i+1])
		h, ok := handlers[key.Value]
		if !ok {
			return p.errorf(key, "unknown field %q (known: %s)", key.Value, known(handlers))
		}
		if line, dup := seen[key.Value]; dup {
			return p.errorf(key, "field %q given twice (first at line %d)", key.Value, line)
		}
		seen[key.Value] = key.Line
		if err := h(val); err != nil {
			return err
		}
	}
	return nil
}

func known(h map[string]func(*yaml.Node) error) string {
	var names []string
	for k := range h {
		names = append(names, k)
	}
	sortStrings(names)
	return strings.Join(names, ", ")
}

func (p *parser) devices(n *yaml.Node, top *model.Topology) error {
	if n.Kind != yaml.SequenceNode {
		return p.errorf(n, "devices must be a list")
	}
	parents := make([]string, len(n.Content))
	parentNodes := make([]*yaml.Node, len(n.Content))
	for i, item := range n.Content {
		item = resolve(item)
		d := model.Device{Parent: model.NoDev, Present: true}
		err := p.fields(item, map[string]func(*yaml.Node) error{
			"name":             func(v *yaml.Node) error { return p.str(v, "name", &d.Name) },
			"parent":           func(v *yaml.Node) error { parentNodes[i] = v; return p.str(v, "parent", &parents[i]) },
			"async":            func(v *yaml.Node) error { return p.bool(v, "async", &d.Async) },
			"need_parent_lock": func(v *yaml.Node) error { return p.bool(v, "need_parent_lock", &d.NeedParentLock) },
			"present":          func(v *yaml.Node) error { return p.bool(v, "present", &d.Present) },
			"shutdown_ms":      func(v *yaml.Node) error { return p.int(v, "shutdown_ms", &d.ShutdownMS) },
		})
		if err != nil {
			return err
		}
		if d.Name == "" {
			return p.errorf(item, "device without a name")
		}
		top.Devices = append(top.Devices, d)
		p.devLines = append(p.devLines, item.Line)
	}
	for i, name := range parents {
		if parentNodes[i] == nil {
			continue
		}
		idx := top.Index(name)
		if idx == model.NoDev {
			return p.errorf(parentNodes[i], "device %q has unknown parent %q", top.Devices[i].Name, name)
		}
		top.Devices[i].Parent = idx
	}
	return nil
}

func (p *parser) links(n *yaml.Node, top *model.Topology) error {
	if n.Kind != yaml.SequenceNode {
		return p.errorf(n, "links must be a list")
	}
	for _, item := range n.Content {
		item = resolve(item)
		var sup, con string
		var supNode, conNode *yaml.Node
		l := model.Link{}
		err := p.fields(item, map[string]func(*yaml.Node) error{
			"supplier":        func(v *yaml.Node) error { supNode = v; return p.str(v, "supplier", &sup) },
			"consumer":        func(v *yaml.Node) error { conNode = v; return p.str(v, "consumer", &con) },
			"sync_state_only": func(v *yaml.Node) error { return p.bool(v, "sync_state_only", &l.SyncStateOnly) },
			"before_add":      func(v *yaml.Node) error { return p.bool(v, "before_add", &l.BeforeAdd) },
		})
		if err != nil {
			return err
		}
		if supNode == nil || conNode == nil {
			return p.errorf(item, "a link needs a supplier and a consumer")
		}
		if l.Supplier = top.Index(sup); l.Supplier == model.NoDev {
			return p.errorf(supNode, "link to unknown device %q", sup)
		}
		if l.Consumer = top.Index(con); l.Consumer == model.NoDev {
			return p.errorf(conNode, "link to unknown device %q", con)
		}
		top.Links = append(top.Links, l)
		p.linkLines = append(p.linkLines, item.Line)
	}
	return nil
}

func (p *parser) scenario(n *yaml.Node, s *model.Scenario) error {
	for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
		p.fieldLines[n.Content[i].Value] = n.Content[i].Line
	}
	handlers := map[string]func(*yaml.Node) error{}
	for _, f := range model.ScenarioFields {
		switch f.Kind {
		case model.BoolField:
			handlers[f.Name] = func(v *yaml.Node) error { return p.bool(v, f.Name, f.Bool(s)) }
		case model.IntField:
			handlers[f.Name] = func(v *yaml.Node) error { return p.int(v, f.Name, f.Int(s)) }
		case model.DevicesField:
			handlers[f.Name] = func(v *yaml.Node) error { return p.strs(v, f.Name, f.Devices(s)) }
		case model.MovesField:
			handlers[f.Name] = func(v *yaml.Node) error { return p.moves(v, f.Name, f.Moves(s)) }
		}
	}
	return p.fields(n, handlers)
}

// moves reads a list of {device, parent, order} mappings (parent omitted or
// null: NULL). Topology.Check validates them.
func (p *parser) moves(n *yaml.Node, field string, out *[]model.Move) error {
	if n.Kind != yaml.SequenceNode {
		return p.errorf(n, "%s must be a list of {device, parent, order}", field)
	}
	for _, item := range n.Content {
		item = resolve(item)
		var mv model.Move
		err := p.fields(item, map[string]func(*yaml.Node) error{
			"device": func(v *yaml.Node) error { return p.str(v, "device", &mv.Device) },
			"parent": func(v *yaml.Node) error {
				if v.Tag == "!!null" {
					return nil
				}
				return p.str(v, "parent", &mv.Parent)
			},
			"order": func(v *yaml.Node) error { return p.str(v, "order", &mv.Order) },
		})
		if err != nil {
			return err
		}
		if mv.Device == "" || mv.Order == "" {
			return p.errorf(item, "a move needs a device and an order")
		}
		*out = append(*out, mv)
	}
	return nil
}

func (p *parser) str(n *yaml.Node, field string, out *string) error {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" || n.Value == "" {
		return p.errorf(n, "%s must be a non-empty string", field)
	}
	*out = n.Value
	return nil
}

func (p *parser) strs(n *yaml.Node, field string, out *[]string) error {
	if n.Kind != yaml.SequenceNode {
		return p.errorf(n, "%s must be a list of device names", field)
	}
	for _, item := range n.Content {
		var s string
		if err := p.str(resolve(item), field, &s); err != nil {
			return err
		}
		*out = append(*out, s)
	}
	return nil
}

func (p *parser) bool(n *yaml.Node, field string, out *bool) error {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return p.errorf(n, "%s must be true or false, not %q", field, n.Value)
	}
	return n.Decode(out)
}

func (p *parser) int(n *yaml.Node, field string, out *int) error {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		return p.errorf(n, "%s must be a whole number, not %q", field, n.Value)
	}
	if err := n.Decode(out); err != nil {
		return p.errorf(n, "%s: %q is out of range", field, n.Value)
	}
	return nil
}

// topologyError places a model.TopologyError on its line.
func (p *parser) topologyError(err error) error {
	te, ok := err.(*model.TopologyError)
	if !ok {
		return &Error{File: p.file, Reason: err.Error()}
	}
	line := p.topLine
	switch {
	case te.Device >= 0 && te.Device < len(p.devLines):
		line = p.devLines[te.Device]
	case te.Link >= 0 && te.Link < len(p.linkLines):
		line = p.linkLines[te.Link]
	case te.Field != "":
		line = p.fieldLines[te.Field]
	}
	return &Error{File: p.file, Line: line, Reason: te.Reason}
}

// resolve follows YAML aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}
