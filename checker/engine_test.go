package checker

import (
	"reflect"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

// The adaptive engine reaches the cached search's verdicts on the fixed set
// (it runs either DPOR or the cached search to completion), and is
// exhaustive.
func TestAutoKeepsVerdicts(t *testing.T) {
	for _, top := range reductionTopologies(t) {
		for _, v := range model.Variants() {
			m, err := model.NewMachine(top, v, top.Scenario)
			if err != nil {
				t.Fatal(err)
			}
			dfs := Explore(m, scheduler.NewDFS(), Options{})
			auto := Explore(m, scheduler.NewAuto(), Options{})
			a, b := verdictOf(dfs), verdictOf(auto)
			if !auto.Exhaustive || !reflect.DeepEqual(keys(a.Violations), keys(b.Violations)) || !reflect.DeepEqual(pairSet(a.Pairs), pairSet(b.Pairs)) {
				t.Errorf("%s %s: dfs %v, auto %v (exhaustive %v, %q)", top.Name, v.Name, keys(a.Violations), keys(b.Violations), auto.Exhaustive, auto.Stopped)
			}
		}
	}
}
