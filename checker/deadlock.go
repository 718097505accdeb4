package checker

import (
	"fmt"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// WaitEdge is one edge of a wait-for graph: thread From is blocked until
// thread To does something (To is NoThread when no thread ever will).
type WaitEdge struct {
	From, To         model.TID
	FromName, ToName string
	Op               string      // the operation From is blocked in, and where
	Why              string      // what To has to do with it
	Lock             string      // the lock waited for, for lock waits
	Dev              model.DevID // the device of the lock or completion, or NoDev
}

func (e WaitEdge) String() string {
	return fmt.Sprintf("%s blocks in %s, %s", e.FromName, e.Op, e.Why)
}

type blockedThread struct{ thread, op string }

type waitGraph struct {
	blocked []blockedThread
	edges   map[model.TID][]WaitEdge
	cycle   []WaitEdge // a wait-for cycle, if there is one
	chain   []WaitEdge // otherwise: from main to a wait no thread will end
}

// waitFor builds the wait-for graph of a state in which no thread can run.
func waitFor(m *model.Machine, r *model.Runner, s *model.State) waitGraph {
	g := waitGraph{edges: map[model.TID][]WaitEdge{}}
	for i := range s.Threads {
		tid := model.TID(i)
		if s.Threads[i].Status == model.Done {
			continue
		}
		ev, _, _ := r.Pending(s, tid)
		op := fmt.Sprintf("%s in %s", m.Describe(s, ev), ev.Func)
		if s.Threads[i].Status == model.Queued {
			op = "async_wq, waiting for a worker"
		}
		g.blocked = append(g.blocked, blockedThread{m.ThreadName(s, tid), op})
		g.edges[tid] = edgesOf(m, r, s, tid, ev, op)
	}
	g.cycle = findCycle(s, g.edges)
	if g.cycle == nil {
		g.chain = chainFrom(g.edges, 0)
	}
	return g
}

// edgesOf says whom thread tid, blocked in ev, waits for.
func edgesOf(m *model.Machine, r *model.Runner, s *model.State, tid model.TID, ev model.Event, op string) []WaitEdge {
	base := WaitEdge{From: tid, FromName: m.ThreadName(s, tid), Op: op, Dev: ev.Dev}
	edge := func(to model.TID, why string) WaitEdge {
		e := base
		e.To, e.Why = to, why
		if to != model.NoThread {
			e.ToName = m.ThreadName(s, to)
		}
		return e
	}
	switch ev.Kind {
	case model.OpSpinLock:
		e := edge(s.ListLock, fmt.Sprintf("held by %s", m.ThreadName(s, s.ListLock)))
		e.Lock = "devices_kset->list_lock"
		return []WaitEdge{e}
	case model.OpDeviceLock:
		owner := s.Dev[ev.Dev].Lock
		e := edge(owner, fmt.Sprintf("held by %s", m.ThreadName(s, owner)))
		e.Lock = fmt.Sprintf("device_lock(%s)", m.Top.DevName(ev.Dev))
		return []WaitEdge{e}
	case model.OpWaitCompletion:
		to, why := completer(m, r, s, ev.Dev)
		return []WaitEdge{edge(to, why)}
	case model.OpAsyncSyncCookie:
		var out []WaitEdge
		for i := range s.Threads {
			o := &s.Threads[i]
			if s.Awaits(ev, model.TID(i)) {
				why := fmt.Sprintf("until the entry %s (cookie %d) is done", m.ThreadName(s, model.TID(i)), o.Cookie)
				if model.TID(i) == tid {
					why = fmt.Sprintf("until its own entry (cookie %d) is done: it waits for itself", o.Cookie)
				}
				out = append(out, edge(model.TID(i), why))
			}
		}
		return out
	case model.OpDevicePMLock:
		e := edge(s.PMLock, fmt.Sprintf("held by %s", m.ThreadName(s, s.PMLock)))
		e.Lock = "dpm_list_mtx"
		return []WaitEdge{e}
	case model.OpDevicePMAdd, model.OpDevicePMRemove:
		return []WaitEdge{edge(s.PMLock, fmt.Sprintf("for dpm_list_mtx, held by %s", m.ThreadName(s, s.PMLock)))}
	case model.OpKlistRemoveWait:
		var out []WaitEdge
		for i := range s.Threads {
			if m.Pins(s, model.TID(i), ev.Dev) {
				out = append(out, edge(model.TID(i), fmt.Sprintf("until %s's klist iterator moves on from %s", m.ThreadName(s, model.TID(i)), m.Top.DevName(ev.Dev))))
			}
		}
		return out
	case model.OpLinkRelease:
		var out []WaitEdge
		for i := range s.Threads {
			if s.Threads[i].SRCU > 0 {
				out = append(out, edge(model.TID(i), fmt.Sprintf("until %s leaves device_links_read_lock() (synchronize_srcu())", m.ThreadName(s, model.TID(i)))))
			}
		}
		return out
	case model.OpAsyncSyncFull, model.OpAsyncSyncFullDomain, model.OpWorkerStart:
		var out []WaitEdge
		for i := range s.Threads {
			o := &s.Threads[i]
			if o.Kind != model.KindWorker || model.TID(i) == tid {
				continue
			}
			full := ev.Kind != model.OpWorkerStart
			if full && !s.Awaits(ev, model.TID(i)) {
				continue
			}
			switch {
			case o.Oopsed():
				out = append(out, edge(model.TID(i), fmt.Sprintf("until the entry %s returns, which it never will: it oopsed", m.ThreadName(s, model.TID(i)))))
			case o.Status == model.Running:
				out = append(out, edge(model.TID(i), fmt.Sprintf("until the running entry %s returns", m.ThreadName(s, model.TID(i)))))
			case o.Status == model.Queued && (full || model.TID(i) < tid):
				out = append(out, edge(model.TID(i), fmt.Sprintf("until the entry %s, queued before it, has run", m.ThreadName(s, model.TID(i)))))
			}
		}
		if ev.Kind == model.OpWorkerStart && m.Scenario.Workers > 0 {
			for i := range out {
				out[i].Why += fmt.Sprintf(" (async_wq max_active = %d)", m.Scenario.Workers)
			}
		}
		return out
	}
	return nil
}

// completer returns the thread that would complete_all() dev's completion.
func completer(m *model.Machine, r *model.Runner, s *model.State, dev model.DevID) (model.TID, string) {
	for i := range s.Threads {
		t := &s.Threads[i]
		if t.Dev != dev || t.Returned() {
			continue
		}
		if t.Oopsed() {
			return model.TID(i), fmt.Sprintf("which %s would have completed, but it oopsed", m.ThreadName(s, model.TID(i)))
		}
		switch {
		case t.Kind == model.KindWorker:
			return model.TID(i), fmt.Sprintf("which %s would complete", m.ThreadName(s, model.TID(i)))
		case t.Kind == model.KindActor && t.Frames[0].Fn.String() == "device_add":
			return model.TID(i), fmt.Sprintf("which main would complete once %s registers %s", m.ThreadName(s, model.TID(i)), m.Top.DevName(dev))
		}
	}
	main := &s.Threads[0]
	mainLooping := main.Status != model.Done
	if mainLooping {
		ev, _, _ := r.Pending(s, 0)
		mainLooping = ev.Kind != model.OpAsyncSyncFull && ev.Kind != model.OpAsyncSyncFullDomain
	}
	switch {
	case s.OnList(dev) && mainLooping:
		return 0, fmt.Sprintf("which main would complete after taking %s off devices_kset", m.Top.DevName(dev))
	case s.OnList(dev):
		return model.NoThread, fmt.Sprintf("which no thread will ever complete: %s is on devices_kset, but main has left its loop", m.Top.DevName(dev))
	case mainLooping && m.MainDevice(s) == dev:
		return 0, fmt.Sprintf("which main would complete: it is shutting %s down", m.Top.DevName(dev))
	case s.Dev[dev].Has(model.FlagDead):
		return model.NoThread, fmt.Sprintf("which no thread will ever complete: device_del() took %s off devices_kset before shutdown reached it", m.Top.DevName(dev))
	}
	return model.NoThread, "which no thread will ever complete"
}

// findCycle returns a cycle of the wait-for graph, threads in TID order of
// discovery, or nil.
func findCycle(s *model.State, edges map[model.TID][]WaitEdge) []WaitEdge {
	const (
		white = iota
		grey
		black
	)
	color := make([]uint8, len(s.Threads))
	var stack []WaitEdge
	var found []WaitEdge
	var visit func(t model.TID) bool
	visit = func(t model.TID) bool {
		color[t] = grey
		for _, e := range edges[t] {
			if e.To == model.NoThread {
				continue
			}
			stack = append(stack, e)
			if color[e.To] == grey {
				for i := range stack {
					if stack[i].From == e.To {
						found = append([]WaitEdge(nil), stack[i:]...)
						return true
					}
				}
			}
			if color[e.To] == white && visit(e.To) {
				return true
			}
			stack = stack[:len(stack)-1]
		}
		color[t] = black
		return false
	}
	for i := range s.Threads {
		if _, blocked := edges[model.TID(i)]; blocked && color[i] == white && visit(model.TID(i)) {
			return found
		}
	}
	return nil
}

// chainFrom follows first edges from thread t to a wait no thread will end.
func chainFrom(edges map[model.TID][]WaitEdge, t model.TID) []WaitEdge {
	var chain []WaitEdge
	for len(chain) <= len(edges) {
		es := edges[t]
		if len(es) == 0 {
			break
		}
		chain = append(chain, es[0])
		if es[0].To == model.NoThread {
			break
		}
		t = es[0].To
	}
	return chain
}

func cycleText(cycle []WaitEdge) string {
	var names []string
	for _, e := range cycle {
		names = append(names, e.FromName)
	}
	return strings.Join(append(names, cycle[0].FromName), " -> ")
}
