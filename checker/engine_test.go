package checker

import (
	"context"
	"fmt"
	"reflect"
	"slices"
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
// Each search is timed out (counted, not timed: countdown) at the second
// check of the clock, every 1024 transitions. The phases have budgets B,
// 2B, 4B, ... transitions, DPOR first: the first check comes in the first
// phase of at least 1024 transitions, which then goes over its budget, and
// the timeout at the first check of the next, the last phase. That last
// phase alone is a fresh search of its engine stopped at its first check:
// auto must report everything it finds, and what auto reports beyond that
// comes from earlier phases. Over the built-in topologies and a few first
// budgets, some search must show such findings, or the test shows nothing.
func TestAutoTimeoutKeepsFindings(t *testing.T) {
	carried := ""
	for _, top := range reductionTopologies(t) {
		for _, v := range []string{"v8", "v14"} {
			m := machineOf(t, top, v)
			for _, budget := range []int64{25, 50, 100, 200} {
				res := Explore(m, Options{Engine: Auto, Budget: budget, Context: &countdown{Context: context.Background(), n: 2}})
				if res.Stopped != "timeout" {
					continue // finished within two checks: nothing to see
				}
				phase := 0 // the first phase of at least 1024 transitions
				for b := budget; b < 1024; b *= 2 {
					phase++
				}
				engine := DPOR
				if (phase+1)%2 == 1 {
					engine = DFS
				}
				last := Explore(m, Options{Engine: engine, Context: &countdown{Context: context.Background(), n: 1}})
				got, alone := violated(res), violated(last)
				for _, p := range alone {
					if !slices.Contains(got, p) {
						t.Errorf("%s %s budget %d: the last phase alone finds %s, auto does not", top.Name, v, budget, p)
					}
				}
				for _, p := range got {
					if !slices.Contains(alone, p) && carried == "" {
						carried = fmt.Sprintf("%s %s budget %d: %s", top.Name, v, budget, p)
					}
				}
			}
		}
	}
	if carried == "" {
		t.Error("no search shows findings of an earlier phase kept: the test shows nothing")
	}
	t.Logf("kept from an earlier phase: %s", carried)
}

// A workspace reused over many searches, as verify reuses one per worker
// over millions of topologies, keeps as many states as one search needs at
// once: before its initial state came from the pool, each search added one
// (7 GB after 1.2 billion topologies of 6 devices).
func TestWorkspaceDoesNotGrow(t *testing.T) {
	m := machineOf(t, exampleTopology(t, "bench/misordered5"), "v14")
	for _, engine := range []Engine{DFS, DPOR, Auto} {
		ws := NewWorkspace()
		Explore(m, Options{Engine: engine, Workspace: ws})
		kept := len(ws.free)
		for range 20 {
			Explore(m, Options{Engine: engine, Workspace: ws})
		}
		if len(ws.free) != kept {
			t.Errorf("%s: the workspace kept %d states after one search, %d after 21", engine, kept, len(ws.free))
		}
	}
}
