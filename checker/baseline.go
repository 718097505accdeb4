package checker

import (
	"context"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

// baselinePairs explores the upstream loop on m's topology, with the same
// concurrent device_del() and device_add() (upstream allocates nothing and
// never reads core.async_shutdown, so the other scenario options do not
// matter), and returns the parent/supplier -> child/consumer pairs it can
// shut down out of order. An order violation of another version is
// inherited when its pair is here.
func baselinePairs(m *model.Machine) map[[2]model.DevID]bool {
	up, err := model.LookupVariant("upstream")
	if err != nil {
		panic(err)
	}
	sc := m.Scenario
	sc.AllocFailures, sc.ParamToggle = 0, false
	bm, err := model.NewMachine(m.Top, up, sc)
	if err != nil {
		panic(err)
	}
	return misorderedPairs(bm, len(sc.Remove) == 0 && len(sc.HotAdd) == 0)
}

// misorderedPairs explores bm and returns the pairs it misorders. Upstream
// without actors is one thread with one alternative per step: its whole
// search is one run, which a campaign of one run takes in memory linear in
// its length (oneRun), where the cached search keeps a state and a key per
// step (gigabytes on a misordered list of 4096 devices).
func misorderedPairs(bm *model.Machine, oneRun bool) map[[2]model.DevID]bool {
	opt := Options{Properties: Properties{Order: true}, MaxSteps: DefaultMaxSteps(bm), Context: context.Background()}
	var x *explorer
	if oneRun {
		x = newExplorer(bm, scheduler.NewRandom(0, 1), opt, newBaseline(nil))
		x.campaign()
	} else {
		x = newExplorer(bm, scheduler.NewDFS(), opt, newBaseline(nil))
		x.exhaustive()
	}
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
