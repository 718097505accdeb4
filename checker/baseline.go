package checker

import (
	"context"

	"github.com/shutdowncheck/shutdowncheck/model"
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
	opt := Options{Properties: Properties{Order: true}, MaxSteps: DefaultMaxSteps(bm), Context: context.Background()}
	x := newExplorer(bm, opt, newBaseline(nil))
	x.exhaustive()
	pairs := map[[2]model.DevID]bool{}
	for p := range x.pairs {
		pairs[p] = true
	}
	return pairs
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
