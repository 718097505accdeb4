package checker

import "github.com/shutdowncheck/shutdowncheck/model"

// baselinePairs runs the upstream loop (one thread, so one run) on m's
// topology and returns the parent/supplier -> child/consumer pairs it shuts
// down out of order. An order violation of another version is inherited when
// its pair is here.
func baselinePairs(m *model.Machine) map[[2]model.DevID]bool {
	up, err := model.LookupVariant("upstream")
	if err != nil {
		panic(err)
	}
	sc := m.Scenario
	sc.Remove, sc.HotAdd, sc.ParamToggle = nil, nil, false
	bm, err := model.NewMachine(m.Top, up, sc)
	if err != nil {
		panic(err)
	}
	pairs := map[[2]model.DevID]bool{}
	s, r := bm.Initial(), bm.NewRunner()
	for steps := 0; steps < 1<<24; steps++ {
		en := r.Enabled(s, nil)
		if len(en) == 0 {
			break
		}
		ev := r.Apply(s, en[0])
		if ev.Kind != model.OpShutdownEnd {
			continue
		}
		bm.Top.Dependencies(ev.Dev, func(sup model.DevID) {
			if s.Dev[sup].Has(model.FlagStarted) {
				pairs[[2]model.DevID{sup, ev.Dev}] = true
			}
		})
	}
	return pairs
}
