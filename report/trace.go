package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// Detail says how much of a long report to print.
type Detail bool

const (
	// Brief elides long lists of devices and collapses each uneventful
	// stretch of a trace (one thread walking lists, taking references and
	// locks, shutting sync devices down without waiting) into one line.
	Brief Detail = false
	// Full prints every device and every step (--full-trace).
	Full Detail = true
)

// collapseMin is the fewest steps a collapsed stretch replaces: shorter
// ones read better in full (every built-in topology's traces stay whole).
const collapseMin = 16

// WriteTrace writes a run as a kernel-log style trace: one line per step
// (step, thread, kernel function, operation on which device), with each
// violation marked under the step that shows it. When the run ends with
// every unfinished thread blocked (a deadlock), a last line per thread
// names the operation it blocks in, which never runs and so is no step.
// Brief collapses uneventful stretches; Full prints every step.
func WriteTrace(w io.Writer, run *checker.Run, d Detail) {
	m, s := run.Machine, run.Final
	at := map[int][]*checker.Violation{}
	for _, v := range run.Violations {
		at[v.Step] = append(at[v.Step], v)
	}
	line := func(step, thread, fn, op string) {
		fmt.Fprintf(w, "%5s  %-16s %-31s %s\n", step, thread, fn, op)
	}
	line("step", "thread", "function", "operation")
	var stretches []stretch
	if d == Brief {
		stretches = quietStretches(m, run.Events, at)
	}
	collapsed := 0
	for i := 0; i < len(run.Events); i++ {
		ev := run.Events[i]
		if len(stretches) > 0 && stretches[0].from == i {
			st := stretches[0]
			stretches = stretches[1:]
			line("…", m.ThreadName(s, ev.Thread), ev.Func.String(), fmt.Sprintf("steps %d-%d: %s", st.from+1, st.to, st.summary))
			collapsed += st.to - st.from
			i = st.to - 1
			continue
		}
		line(fmt.Sprint(i+1), m.ThreadName(s, ev.Thread), ev.Func.String(), withPos(m, ev, m.Describe(s, ev)))
		for _, v := range at[i+1] {
			fmt.Fprintf(w, "%5s  ^ %s: %s\n", "", v.Property, v.Message)
			for _, dt := range v.Details {
				fmt.Fprintf(w, "%5s    %s\n", "", dt)
			}
		}
	}
	for _, b := range blockedOps(run) {
		line("", b.thread, b.fn, "blocked: "+b.op)
	}
	if run.Err != nil {
		fmt.Fprintf(w, "replay stopped: %v\n", run.Err)
	}
	if collapsed > 0 {
		fmt.Fprintf(w, "%5s  (%d uneventful steps collapsed into the lines marked …; --full-trace shows every step)\n", "", collapsed)
	}
}

// blocked is a thread that cannot run at the end of a run, and the
// operation it stands at.
type blocked struct {
	tid            model.TID
	thread, fn, op string
}

// blockedOps lists, when the run ends with unfinished threads none of which
// can run (a deadlock), each one's pending operation; otherwise nothing.
func blockedOps(run *checker.Run) []blocked {
	if run.Final == nil || run.Err != nil {
		return nil
	}
	return blockedIn(run.Machine, run.Final)
}

// blockedIn lists the pending operations of s's unfinished threads when
// none of them can run, and nothing when one can.
func blockedIn(m *model.Machine, s *model.State) []blocked {
	r := m.NewRunner()
	var out []blocked
	for i := range s.Threads {
		tid := model.TID(i)
		if s.Threads[i].Status == model.Done {
			continue
		}
		ev, enabled, _ := r.Pending(s, tid)
		if enabled {
			return nil
		}
		op := m.Describe(s, ev)
		if s.Threads[i].Status == model.Queued {
			op = "queued; no async_wq worker is free to pick it up (" + op + ")"
		}
		out = append(out, blocked{tid, m.ThreadName(s, tid), ev.Func.String(), withPos(m, ev, op)})
	}
	return out
}

// withPos adds to op where in the C the operation is, for a version
// interpreted from C (check --patch, --source).
func withPos(m *model.Machine, ev model.Event, op string) string {
	if pos := m.Pos(ev); pos != "" {
		return op + "   [" + pos + "]"
	}
	return op
}

// stretch is a run of steps [from, to) collapsed into one summary line.
type stretch struct {
	from, to int
	summary  string
}

// routine are the operations a stretch may collapse: list walks, reference
// counts, locks taken and released, and the callbacks of devices shut down
// without a wait.
var routine = map[model.OpKind]bool{
	model.OpSpinLock: true, model.OpSpinUnlock: true, model.OpListLast: true, model.OpListPrev: true,
	model.OpListDelInit: true, model.OpGetDevice: true, model.OpPutDevice: true, model.OpGetParent: true,
	model.OpDeviceLock: true, model.OpDeviceUnlock: true, model.OpWantsAsync: true, model.OpShutdownStart: true,
	model.OpShutdownEnd: true, model.OpCompleteAll: true, model.OpKlistNext: true, model.OpLinksReadLock: true,
	model.OpLinksReadUnlock: true, model.OpNextConsumerLink: true, model.OpNextSupplierLink: true,
	model.OpReadParent: true, model.OpReadDead: true,
}

// quiet reports whether step i (ev) may be collapsed: a routine operation
// that marks no violation, breaks no rule, creates no thread, injects no
// failure, ends no thread and finds no device async.
func quiet(ev model.Event, marked bool) bool {
	return routine[ev.Kind] && !marked && ev.Fault == 0 && ev.Spawn == model.NoThread && ev.Alt == model.AltNormal &&
		!ev.Exit && !(ev.Kind == model.OpWantsAsync && ev.Val != 0)
}

// earlyPass reports whether fn is the series' first pass over devices_kset,
// which queues the async devices.
func earlyPass(fn model.FuncID) bool {
	n := fn.String()
	return n == "early_async_shutdown_devices" || n == "start_async_shutdown_devices"
}

// quietStretches finds the stretches of a path to collapse: maximal runs of
// quiet steps of one thread in one phase (the early pass, or the rest),
// each ending before the last iteration it began (the device being walked
// when something happens stays visible), of at least collapseMin steps.
func quietStretches(m *model.Machine, path []model.Event, marks map[int][]*checker.Violation) []stretch {
	var out []stretch
	for i := 0; i < len(path); {
		if !quiet(path[i], len(marks[i+1]) > 0) {
			i++
			continue
		}
		if path[i].Kind == model.OpSpinLock {
			i++ // taking list_lock stays visible: it says what is held
			continue
		}
		j := i + 1
		for j < len(path) && path[j].Thread == path[i].Thread && earlyPass(path[j].Func) == earlyPass(path[i].Func) &&
			quiet(path[j], len(marks[j+1]) > 0) {
			j++
		}
		end := j
		for k := j - 1; k > i; k-- {
			if path[k].Kind == model.OpListLast || path[k].Kind == model.OpListPrev {
				end = k
				break
			}
		}
		if end-i >= collapseMin {
			out = append(out, stretch{i, end, summarize(m, path[i:end])})
		}
		i = j
	}
	return out
}

// summarize says what a quiet stretch did, in a line.
func summarize(m *model.Machine, evs []model.Event) string {
	var checked, shut []string
	for _, ev := range evs {
		switch ev.Kind {
		case model.OpWantsAsync:
			checked = append(checked, m.Top.DevName(ev.Dev))
		case model.OpShutdownStart:
			shut = append(shut, m.Top.DevName(ev.Dev))
		}
	}
	switch {
	case earlyPass(evs[0].Func):
		return fmt.Sprintf("the early pass walks %d devices (%s), none async", len(checked), elide(checked, Brief))
	case len(shut) > 0:
		return fmt.Sprintf("%d devices shut down one after another, none async, no wait: %s", len(shut), elide(shut, Brief))
	}
	return fmt.Sprintf("%d list walks, references and locks, no device async, no wait", len(evs))
}

// elideMax is the most names a Brief list shows; a longer one keeps its
// first and last elideEnds.
const (
	elideMax  = 12
	elideEnds = 5
)

// elide joins names, leaving the middle of a long list out unless Full.
func elide(names []string, d Detail) string {
	if d == Full || len(names) <= elideMax {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, … %d more …, %s", strings.Join(names[:elideEnds], ", "), len(names)-2*elideEnds,
		strings.Join(names[len(names)-elideEnds:], ", "))
}
