package checker

import (
	"fmt"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

// runs runs the scheduler's runs one after another, each from the
// initial state: the Random, PCT and Scheduled engines.
func (x *explorer) runs() {
	var buf []model.Transition
	var s *model.State
	point := &scheduler.Point{Label: func(i int) string { return Label(x.m, s, buf[i]) }}
	for run := 0; x.stopped == "" && x.sched.Start(run); run++ {
		s = x.m.Initial()
		x.final = s
		x.trs, x.evs = x.trs[:0], x.evs[:0]
		point.Last = model.NoThread
		var seen map[string]bool
		if x.trackCycles {
			seen = map[string]bool{string(s.AppendKey(nil)): true}
		}
		for {
			buf = x.r.Enabled(s, buf[:0])
			if len(buf) == 0 {
				x.end(s)
				break
			}
			if len(x.trs) >= x.opt.MaxSteps {
				x.hang(s, fmt.Sprintf("the run exceeds %d steps without finishing", x.opt.MaxSteps))
				break
			}
			point.Enabled, point.Depth = buf, len(x.trs)
			picks := x.sched.Pick(point)
			if len(picks) == 0 {
				break
			}
			tr := buf[picks[0]]
			x.step(s, tr)
			x.stats.States++
			point.Last = tr.Thread
			if seen != nil {
				key := string(s.AppendKey(nil))
				if seen[key] {
					x.hang(s, cycleMessage)
				}
				seen[key] = true
			}
			if !x.tick() {
				break
			}
		}
	}
}
