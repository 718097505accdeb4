package properties

import (
	"reflect"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/topofile"
	"pgregory.net/rapid"
)

// FuzzPipeline runs the whole pipeline (generated topology, scenario,
// version and schedule; every monitor; replay; trace) on inputs a fuzzer
// mutates: `go test ./properties -fuzz FuzzPipeline`. Its seed corpus is in
// testdata/fuzz/FuzzPipeline.
func FuzzPipeline(f *testing.F) { f.Fuzz(rapid.MakeFuzz(pipeline)) }

// FuzzTopologyRoundTrip writes generated topologies (and scenarios) as
// topology files and reads them back: the file format loses nothing.
func FuzzTopologyRoundTrip(f *testing.F) { f.Fuzz(rapid.MakeFuzz(roundTrip)) }

func TestTopologyRoundTrip(t *testing.T) { rapid.Check(t, roundTrip) }

func roundTrip(t *rapid.T) {
	top := TopologyGen(6, 3, Misordered).Draw(t, "topology")
	sc := ScenarioGen(top, ScenarioOptions{Actors: true}).Draw(t, "scenario")
	top.Scenario = sc
	data, err := topofile.Marshal(top, sc)
	if err != nil {
		t.Fatal(err)
	}
	again, err := topofile.Parse("roundtrip.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if again.String() != top.String() || !reflect.DeepEqual(normal(again.Scenario), normal(sc)) {
		t.Fatalf("round trip changed\n%v %+v\ninto\n%v %+v", top, sc, again, again.Scenario)
	}
}

// normal makes empty and nil lists alike.
func normal(sc model.Scenario) model.Scenario {
	if len(sc.Remove) == 0 {
		sc.Remove = nil
	}
	if len(sc.HotAdd) == 0 {
		sc.HotAdd = nil
	}
	return sc
}
