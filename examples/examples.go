// Package examples holds the topologies built into shutdowncheck: what it
// checks when run without arguments, and what tests and benchmarks use.
package examples

import (
	"embed"
	"io/fs"
	"sort"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/topofile"
)

//go:embed *.yaml scenarios/*.yaml timing/*.yaml bench/*.yaml
var files embed.FS

// Names lists the built-in topologies that the default run checks, sorted.
func Names() []string { return names(".", "") }

// Scenarios lists the built-in scenario topologies (examples/scenarios:
// one environment actor each), sorted, as "scenarios/NAME".
func Scenarios() []string { return names("scenarios", "scenarios/") }

// All lists every built-in topology: Names, then Scenarios.
func All() []string { return append(Names(), Scenarios()...) }

func names(dir, prefix string) []string {
	entries, _ := fs.ReadDir(files, dir)
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, prefix+strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	sort.Strings(out)
	return out
}

// Load parses the built-in topology called name (as Names or Scenarios
// list it).
func Load(name string) (*model.Topology, error) {
	data, err := files.ReadFile(name + ".yaml")
	if err != nil {
		return nil, err
	}
	return topofile.Parse("examples/"+name+".yaml", data)
}
