package corpus

import (
	"fmt"
	"sync"

	"github.com/shutdowncheck/shutdowncheck/cfront"
	"github.com/shutdowncheck/shutdowncheck/model"
	"go.yaml.in/yaml/v3"
)

// Versions interpreted from C (check --source, --patch) are no registered
// version: a counterexample file of one records its source, the C itself
// included (docs/FORMAT.md), and replay compiles it again.

// sources maps each version built by BuildVariant to its source.
var sources sync.Map // *model.Variant -> *cfront.Source

// BuildVariant compiles src and returns the version called name that runs
// it; counterexample files of it record src.
func BuildVariant(name string, src *cfront.Source) (*model.Variant, error) {
	prog, err := src.Compile()
	if err != nil {
		return nil, err
	}
	v, err := model.NewProgramVariant(name, prog)
	if err != nil {
		return nil, err
	}
	v.Summary = "interpreted from C: " + src.Describe()
	sources.Store(v, src)
	return v, nil
}

// SourceOf returns the source of a version BuildVariant built, or nil.
func SourceOf(v *model.Variant) *cfront.Source {
	if s, ok := sources.Load(v); ok {
		return s.(*cfront.Source)
	}
	return nil
}

// sourceVariant returns v if BuildVariant built it, else nil.
func sourceVariant(v *model.Variant) *model.Variant {
	if SourceOf(v) != nil {
		return v
	}
	return nil
}

// lookupVariant returns the version the file was recorded with.
func (f *File) lookupVariant() (*model.Variant, error) {
	switch {
	case f.variant != nil:
		return f.variant, nil
	case f.Source != nil:
		v, err := BuildVariant(f.Variant, f.Source)
		if err != nil {
			return nil, fmt.Errorf("%s: the recorded source: %v", f.Path, err)
		}
		f.variant = v
		return v, nil
	}
	return model.LookupVariant(f.Variant)
}

// sourceFile is the YAML of a source.
type sourceFile struct {
	File      string         `yaml:"file"`
	Patches   []sourcePatch  `yaml:"patches,omitempty"`
	PatchSkip []string       `yaml:"patch_skip,omitempty,flow"`
	SHA256    string         `yaml:"sha256"`
	C         string         `yaml:"c"`
	Extra     map[string]any `yaml:",inline"`
}

type sourcePatch struct {
	Name   string `yaml:"name"`
	SHA256 string `yaml:"sha256"`
}

func parseSource(n *yaml.Node, bad func(*yaml.Node, string, ...any) error) (*cfront.Source, error) {
	var sf sourceFile
	if n.Kind != yaml.MappingNode {
		return nil, bad(n, "source must be a mapping (file, patches, patch_skip, sha256, c)")
	}
	if err := n.Decode(&sf); err != nil {
		return nil, bad(n, "source: %v", err)
	}
	for k := range sf.Extra {
		return nil, bad(n, "source: unknown field %q (known: file, patches, patch_skip, sha256, c)", k)
	}
	src := &cfront.Source{File: sf.File, Skip: sf.PatchSkip, Text: sf.C}
	for _, p := range sf.Patches {
		src.Patches = append(src.Patches, cfront.PatchRef{Name: p.Name, SHA256: p.SHA256})
	}
	switch {
	case sf.File == "" || sf.C == "":
		return nil, bad(n, "source needs file and c (the C the version ran)")
	case src.SHA256() != sf.SHA256:
		return nil, bad(n, "source: the C does not match its sha256 %s (it has %s): edited since it was recorded?", sf.SHA256, src.SHA256())
	}
	return src, nil
}

func marshalSource(src *cfront.Source) *yaml.Node {
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }
	n := &yaml.Node{Kind: yaml.MappingNode, HeadComment: "the C this version ran: " + src.Describe()}
	add := func(k string, v *yaml.Node) { n.Content = append(n.Content, str(k), v) }
	add("file", str(src.File))
	if len(src.Patches) > 0 {
		ps := &yaml.Node{Kind: yaml.SequenceNode}
		for _, p := range src.Patches {
			ps.Content = append(ps.Content, &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle,
				Content: []*yaml.Node{str("name"), str(p.Name), str("sha256"), str(p.SHA256)}})
		}
		add("patches", ps)
	}
	if len(src.Skip) > 0 {
		sk := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, p := range src.Skip {
			sk.Content = append(sk.Content, str(p))
		}
		add("patch_skip", sk)
	}
	add("sha256", str(src.SHA256()))
	add("c", &yaml.Node{Kind: yaml.ScalarNode, Value: src.Text, Style: yaml.LiteralStyle})
	return n
}
