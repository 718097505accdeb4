// Package examples holds the topologies built into shutdowncheck: what it
// checks when run without arguments, and what tests and benchmarks use.
package examples

import (
	"embed"
	"io/fs"
	"sort"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/topology"
)

//go:embed *.yaml
var files embed.FS

// Names lists the built-in topologies, sorted.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name()[:len(e.Name())-len(".yaml")])
	}
	sort.Strings(names)
	return names
}

// Load parses the built-in topology called name.
func Load(name string) (*model.Topology, error) {
	data, err := files.ReadFile(name + ".yaml")
	if err != nil {
		return nil, err
	}
	return topology.Parse("examples/"+name+".yaml", data)
}
