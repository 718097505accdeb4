package checker

import (
	"context"
	"reflect"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// The adaptive engine reaches the cached search's verdicts on the fixed set
// (it runs either DPOR or the cached search to completion), and is
// exhaustive.
func TestAutoKeepsVerdicts(t *testing.T) {
	for _, top := range reductionTopologies(t) {
		for _, v := range model.Variants() {
			m := machineOf(t, top, v.Name)
			dfs := Explore(m, Options{})
			auto := Explore(m, Options{Engine: Auto})
			a, b := verdictOf(dfs), verdictOf(auto)
			if !auto.Exhaustive || !reflect.DeepEqual(keys(a.Violations), keys(b.Violations)) || !reflect.DeepEqual(pairSet(a.Pairs), pairSet(b.Pairs)) {
				t.Errorf("%s %s: dfs %v, auto %v (exhaustive %v, %q)", top.Name, v.Name, keys(a.Violations), keys(b.Violations), auto.Exhaustive, auto.Stopped)
			}
		}
	}
}

// countdown is a context that reports a timeout from its n-th Err call on:
// a deterministic timeout (the explorer checks it every 1024 transitions).
type countdown struct {
	context.Context
	n int
}

func (c *countdown) Err() error {
	if c.n--; c.n <= 0 {
		return context.DeadlineExceeded
	}
	return nil
}

// A timeout in a later phase of auto keeps what the earlier phases found.
// remove-child under v14 with a first budget of 50 transitions: an early
// phase (DPOR 50, DFS 100, ... DFS 1600) finds the new misorder and goes
// over its budget; the last, a DPOR phase, is stopped at its first check
// (transition 1024) before it gets to it (with a first budget of 100 the
// same last phase is all there is to find it, and only sleep-in-atomic is
// found). The timeout is counted, not timed.
func TestAutoTimeoutKeepsFindings(t *testing.T) {
	m := machine(t, `devices: [{name: p, async: true}, {name: c, parent: p}]
scenario: {remove: [c]}`, "v14")
	res := Explore(m, Options{Engine: Auto, Budget: 50, Context: &countdown{Context: context.Background(), n: 2}})
	if res.Stopped != "timeout" {
		t.Fatalf("stopped %q, want a timeout in a later phase", res.Stopped)
	}
	if got, want := violated(res), []Property{Order, SleepInAtomic, Linearizability}; !reflect.DeepEqual(got, want) {
		t.Errorf("violations %v, want the earlier phases' %v", got, want)
	}
}
