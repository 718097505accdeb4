package checker

import (
	"context"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

// baselinePairs explores the upstream loop on m's topology, with the
// scenario fields the baseline keeps (model.ScenarioField.Baseline: the
// actors that change the tree or the list), and returns the
// parent/supplier -> child/consumer pairs it can shut down out of order. An order violation of another version is
// inherited when its pair is here.
func baselinePairs(m *model.Machine) map[[2]model.DevID]bool {
	up, err := model.LookupVariant("upstream")
	if err != nil {
		panic(err)
	}
	bm, err := model.NewMachine(m.Top, up, m.Scenario.ForBaseline())
	if err != nil {
		panic(err)
	}
	if pairs, ok := oneRunPairs(bm); ok {
		return pairs
	}
	return searchPairs(bm)
}

// oneRunPairs returns the pairs bm misorders when no state of bm has more
// than one enabled transition (upstream without actors): its whole search
// is then one run, taken in memory linear in its length, where the cached
// search keeps a state and a key per step (gigabytes on a misordered list
// of 4096 devices). It reports false at the first state with a choice.
func oneRunPairs(bm *model.Machine) (map[[2]model.DevID]bool, bool) {
	only := &onlyRun{}
	opt := baselineOptions(bm)
	opt.Engine, opt.Scheduler = Scheduled, only
	x := newExplorer(bm, opt, newBaseline(nil))
	x.runs()
	return pairsOf(x), !only.branched && x.stopped == ""
}

// searchPairs returns the pairs bm misorders, by the cached search.
func searchPairs(bm *model.Machine) map[[2]model.DevID]bool {
	x := newExplorer(bm, baselineOptions(bm), newBaseline(nil))
	x.exhaustive()
	return pairsOf(x)
}

func baselineOptions(bm *model.Machine) Options {
	return Options{Properties: Properties{Order: true}, MaxSteps: DefaultMaxSteps(bm), Context: context.Background()}
}

func pairsOf(x *explorer) map[[2]model.DevID]bool {
	pairs := map[[2]model.DevID]bool{}
	for p := range x.pairs {
		pairs[p] = true
	}
	return pairs
}

// onlyRun schedules the one run of a machine without choices: it takes
// the only enabled transition, and ends the run, noting it, where there
// is more than one.
type onlyRun struct{ branched bool }

var firstOnly = []int{0}

func (o *onlyRun) Start(n int) bool { return n == 0 }

func (o *onlyRun) Pick(p *scheduler.Point) []int {
	if len(p.Enabled) > 1 {
		o.branched = true
		return nil
	}
	return firstOnly
}

// baseline is the set of pairs upstream misorders on a machine's topology,
// explored the first time an order violation needs it: most searches never
// find one. The zero baseline of a nil machine is empty.
type baseline struct {
	m     *model.Machine
	pairs map[[2]model.DevID]bool
}

func newBaseline(m *model.Machine) *baseline { return &baseline{m: m} }

func (b *baseline) has(sup, dev model.DevID) bool {
	if b.pairs == nil {
		b.pairs = map[[2]model.DevID]bool{}
		if b.m != nil {
			b.pairs = baselinePairs(b.m)
		}
	}
	return b.pairs[[2]model.DevID{sup, dev}]
}
