package topofile

import (
	"bytes"
	"slices"
	"sort"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/model"
	"go.yaml.in/yaml/v3"
)

// File is the YAML form of a topology (docs/FORMAT.md).
type File struct {
	Name       string       `yaml:"name"`
	Devices    []DeviceYAML `yaml:"devices"`
	Registered []string     `yaml:"registered,flow,omitempty"`
	Links      []LinkYAML   `yaml:"links,omitempty"`
	Scenario   ScenarioYAML `yaml:"scenario"`
}

// DeviceYAML is one entry of devices.
type DeviceYAML struct {
	Name           string `yaml:"name"`
	Parent         string `yaml:"parent,omitempty"`
	Async          bool   `yaml:"async,omitempty"`
	NeedParentLock bool   `yaml:"need_parent_lock,omitempty"`
	Present        *bool  `yaml:"present,omitempty"`
	ShutdownMS     int    `yaml:"shutdown_ms,omitempty"`
}

// LinkYAML is one entry of links.
type LinkYAML struct {
	Supplier      string `yaml:"supplier"`
	Consumer      string `yaml:"consumer"`
	SyncStateOnly bool   `yaml:"sync_state_only"`
	BeforeAdd     bool   `yaml:"before_add,omitempty"`
}

// MoveYAML is one entry of the scenario's move list.
type MoveYAML struct {
	Device string `yaml:"device"`
	Parent string `yaml:"parent,omitempty"`
	Order  string `yaml:"order"`
}

// ScenarioYAML is the scenario mapping: every field of
// model.ScenarioFields in its order, the settings always, an actor only
// when it is set.
type ScenarioYAML model.Scenario

// MarshalYAML writes the mapping field by field.
func (y ScenarioYAML) MarshalYAML() (any, error) {
	sc := model.Scenario(y)
	m := &yaml.Node{Kind: yaml.MappingNode}
	for _, f := range model.ScenarioFields {
		if !f.Always && f.IsZero(&sc) {
			continue
		}
		var v yaml.Node
		var err error
		switch f.Kind {
		case model.BoolField:
			err = v.Encode(*f.Bool(&sc))
		case model.IntField:
			err = v.Encode(*f.Int(&sc))
		case model.DevicesField:
			err = v.Encode(*f.Devices(&sc))
			v.Style = yaml.FlowStyle
		case model.MovesField:
			v = yaml.Node{Kind: yaml.SequenceNode}
			for _, mv := range *f.Moves(&sc) {
				var item yaml.Node
				if err = item.Encode(MoveYAML{Device: mv.Device, Parent: mv.Parent, Order: mv.Order}); err != nil {
					break
				}
				item.Style = yaml.FlowStyle
				v.Content = append(v.Content, &item)
			}
		}
		if err != nil {
			return nil, err
		}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: f.Name}, &v)
	}
	return m, nil
}

// ToFile converts a topology, with scenario sc, to its YAML form.
func ToFile(t *model.Topology, sc model.Scenario) File {
	f := File{Name: t.Name, Scenario: ScenarioYAML(sc)}
	for _, d := range t.Devices {
		y := DeviceYAML{Name: d.Name, Async: d.Async, NeedParentLock: d.NeedParentLock, ShutdownMS: d.ShutdownMS}
		if d.Parent != model.NoDev {
			y.Parent = t.Devices[d.Parent].Name
		}
		if !d.Present {
			y.Present = new(bool)
		}
		f.Devices = append(f.Devices, y)
	}
	if t.Registered != nil && !slices.Equal(t.Registered, (&model.Topology{Devices: t.Devices}).RegistrationOrder()) {
		for _, d := range t.Registered {
			f.Registered = append(f.Registered, t.Devices[d].Name)
		}
	}
	for _, l := range t.Links {
		f.Links = append(f.Links, LinkYAML{Supplier: t.Devices[l.Supplier].Name, Consumer: t.Devices[l.Consumer].Name, SyncStateOnly: l.SyncStateOnly, BeforeAdd: l.BeforeAdd})
	}
	return f
}

// Marshal writes a topology with scenario sc as a topology file, with
// notes as comment lines at its head.
func Marshal(t *model.Topology, sc model.Scenario, notes ...string) ([]byte, error) {
	var doc yaml.Node
	if err := doc.Encode(ToFile(t, sc)); err != nil {
		return nil, err
	}
	doc.HeadComment = strings.Join(notes, "\n")
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

func sortStrings(s []string) { sort.Strings(s) }
