package simulate

import (
	"sort"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// Callback is one device's ->shutdown() on a thread.
type Callback struct {
	Thread     model.TID
	Dev        model.DevID
	Start, End int64
}

// callback is the ->shutdown() that step s (OpShutdownStart) starts.
func (tl *Timeline) callback(s Step) Callback {
	return Callback{Thread: s.Thread, Dev: s.Dev, Start: s.At, End: s.At + int64(tl.MS[s.Dev])}
}

// Callbacks returns every ->shutdown() of the run, in start order.
func (tl *Timeline) Callbacks() []Callback {
	var out []Callback
	for _, s := range tl.Steps {
		if s.Kind == model.OpShutdownStart {
			out = append(out, tl.callback(s))
		}
	}
	return out
}

// Segment is a stretch of the critical path on one thread: from From to
// To, running the callbacks listed; it began when WokenBy (if not -1), a
// step of another thread, let it run.
type Segment struct {
	Thread    model.TID
	From, To  int64
	Callbacks []Callback
	WokenBy   int // step index, -1 when the thread just went on
}

// CriticalPath follows, from the end of the run back to its start, the
// steps that decided when the next one ran. Only callbacks take time, so
// the callbacks on it add up to the total: shortening anything else does
// not make shutdown faster.
func (tl *Timeline) CriticalPath() []Segment {
	if len(tl.Steps) == 0 {
		return nil
	}
	end := len(tl.Steps) - 1
	for i, s := range tl.Steps { // the end: the main thread's last step
		if tl.Main[s.Thread] {
			end = i
		}
	}
	var chain []int
	for i := end; i >= 0; i = tl.Steps[i].Cause {
		chain = append(chain, i)
	}
	var segs []Segment
	for k := len(chain) - 1; k >= 0; k-- {
		s := tl.Steps[chain[k]]
		if len(segs) == 0 || segs[len(segs)-1].Thread != s.Thread {
			woken := -1
			if k+1 < len(chain) {
				woken = chain[k+1]
			}
			segs = append(segs, Segment{Thread: s.Thread, From: s.At, WokenBy: woken})
		}
		seg := &segs[len(segs)-1]
		seg.To = s.At
		if s.Kind == model.OpShutdownStart {
			seg.Callbacks = append(seg.Callbacks, tl.callback(s))
		}
	}
	return segs
}

// HoldUp is a callback on the critical path and what the shutdown would
// save if it took no time (the run simulated again without it: another
// path may then be nearly as long).
type HoldUp struct {
	Dev     model.DevID
	Thread  model.TID // where it ran: the shutdown loop or an async worker
	MS      int64
	SavedMS int64
}

// HoldUps returns, for the longest limit callbacks on the critical path of
// version name, what making each take no time saves, most first.
func (c *Comparison) HoldUps(name string, limit int) []HoldUp {
	tl := c.Timeline(name)
	if tl == nil {
		return nil
	}
	var cbs []Callback
	for _, seg := range tl.CriticalPath() {
		for _, cb := range seg.Callbacks {
			if cb.End > cb.Start {
				cbs = append(cbs, cb)
			}
		}
	}
	sortCallbacks(cbs)
	if len(cbs) > limit {
		cbs = cbs[:limit]
	}
	m := c.machine(name)
	out := make([]HoldUp, 0, len(cbs))
	ms := append([]int(nil), tl.MS...)
	for _, cb := range cbs {
		saved := ms[cb.Dev]
		ms[cb.Dev] = 0
		without := Run(m, ms, DefaultMaxSteps)
		ms[cb.Dev] = saved
		h := HoldUp{Dev: cb.Dev, Thread: cb.Thread, MS: cb.End - cb.Start}
		if without.Outcome == Finished {
			h.SavedMS = tl.TotalMS - without.TotalMS
		}
		out = append(out, h)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].SavedMS > out[j].SavedMS })
	return out
}

// sortCallbacks orders callbacks longest first, then by start.
func sortCallbacks(cbs []Callback) {
	sort.SliceStable(cbs, func(i, j int) bool {
		if di, dj := cbs[i].End-cbs[i].Start, cbs[j].End-cbs[j].Start; di != dj {
			return di > dj
		}
		return cbs[i].Start < cbs[j].Start
	})
}
