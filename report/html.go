package report

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/anishathalye/porcupine"
	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// WriteHistoryHTML writes porcupine's view of the counterexample run of
// violation v, titled with its topology, version and property. A
// counterexample ends where the property breaks, often before any device
// is shut down (sleeping under list_lock in the early pass), so the picture
// goes on from there the way the model's default schedule would (each
// thread runs until it blocks or ends, then the first that can): one lane
// per thread (numbered as the header says) with each device's ->shutdown()
// from start to return (the operations of the history porcupine checks),
// the locks, waits and complete_all()s, and each blocked thread's wait to
// the end; below them the violation and where the counterexample ends.
func WriteHistoryHTML(w io.Writer, run *checker.Run, v *checker.Violation) error {
	m := run.Machine
	events, final := continueRun(run)
	ops, spec := checker.Porcupine(m, events)
	_, info := porcupine.CheckOperationsVerbose(spec, ops, 0)
	info.AddAnnotations(annotations(m, final, events, len(run.Events), v))
	var page bytes.Buffer
	if err := porcupine.Visualize(spec, info, &page); err != nil {
		return err
	}
	title := fmt.Sprintf("shutdowncheck: %s, %s, %s", m.Top.Name, m.Variant.Name, v.Property)
	var lanes []string
	for i := range final.Threads {
		lanes = append(lanes, fmt.Sprintf("%d %s", i, m.ThreadName(final, model.TID(i))))
	}
	head := fmt.Sprintf("<h1 style=\"font: bold 16px sans-serif\">%s</h1>\n<p style=\"font: 13px sans-serif; max-width: 60em\">%s<br>"+
		"The counterexample is steps 1-%d; the picture goes on from there as the default schedule would (each thread runs until it blocks or ends, then the first that can). "+
		"Time is the step number. Lanes: %s. Bars are device shutdowns, from ->shutdown() starting to returning; "+
		"annotations mark locks, waits, complete_all() and blocked threads.</p>\n",
		html.EscapeString(title), html.EscapeString(string(v.Property)+": "+v.Message), len(run.Events), html.EscapeString(strings.Join(lanes, ", ")))
	out := strings.Replace(page.String(), "<title>Porcupine</title>", "<title>"+html.EscapeString(title)+"</title>", 1)
	out = strings.Replace(out, "<body>", "<body>\n"+head, 1)
	_, err := io.WriteString(w, out)
	return err
}

// continueRun runs on from the end of run's schedule, each thread until it
// blocks or ends (then the lowest that can run), without injected failures,
// for at most the default step bound. It returns every event and the last
// state.
func continueRun(run *checker.Run) ([]model.Event, *model.State) {
	m := run.Machine
	events := append([]model.Event(nil), run.Events...)
	if run.Final == nil || run.Err != nil {
		return events, run.Final
	}
	s := run.Final.Clone()
	r := m.NewRunner()
	var buf []model.Transition
	for bound := checker.DefaultMaxSteps(m); len(events) < bound; {
		buf = r.Enabled(s, buf[:0])
		var next *model.Transition
		for i := range buf {
			tr := &buf[i]
			if tr.Alt != model.AltNormal {
				continue
			}
			if next == nil || (len(events) > 0 && tr.Thread == events[len(events)-1].Thread) {
				next = tr
			}
		}
		if next == nil {
			break
		}
		events = append(events, r.Apply(s, *next))
	}
	return events, s
}

// annotations marks, on each thread's lane (beside its device shutdowns),
// its lock, wait and complete_all() steps and, when it is blocked at the
// end, the operation it waits in; on lanes of their own, the violation at
// its step and where the counterexample (cx steps) ends.
func annotations(m *model.Machine, s *model.State, path []model.Event, cx int, v *checker.Violation) []porcupine.Annotation {
	var out []porcupine.Annotation
	for i, ev := range path {
		var color string
		switch ev.Kind {
		case model.OpDeviceLock, model.OpDeviceUnlock, model.OpSpinLock, model.OpSpinUnlock:
			color = "#d0e0ff"
		case model.OpWaitCompletion, model.OpAsyncSyncFull, model.OpAsyncSyncCookie:
			color = "#ffe0b0"
		case model.OpCompleteAll:
			color = "#d0ffd0"
		default:
			continue
		}
		out = append(out, porcupine.Annotation{
			ClientId:        int(ev.Thread), // the thread's own lane, with its shutdowns
			Start:           int64(i),
			End:             int64(i),
			Description:     m.Describe(s, ev),
			Details:         fmt.Sprintf("step %d, in %s", i+1, ev.Func),
			BackgroundColor: color,
		})
	}
	if v != nil && v.Step > 0 {
		out = append(out, porcupine.Annotation{
			Tag:             "violation",
			Start:           int64(v.Step - 1),
			End:             int64(v.Step - 1),
			Description:     fmt.Sprintf("%s: %s", v.Property, v.Message),
			Details:         strings.Join(append([]string{fmt.Sprintf("step %d", v.Step)}, v.Details...), "\n"),
			BackgroundColor: "#ffb0b0",
		})
	}
	out = append(out, porcupine.Annotation{
		Tag:             "schedule",
		Start:           0,
		End:             int64(max(cx-1, 0)),
		Description:     fmt.Sprintf("the counterexample: steps 1-%d", cx),
		BackgroundColor: "#eeeeee",
	})
	if len(path) > cx {
		out = append(out, porcupine.Annotation{
			Tag:             "schedule",
			Start:           int64(cx),
			End:             int64(len(path) - 1),
			Description:     fmt.Sprintf("after it, steps %d-%d: the default schedule", cx+1, len(path)),
			BackgroundColor: "#f8f8f8",
		})
	}
	since := map[model.TID]int{} // each thread's last step, or the step that queued it
	for i, ev := range path {
		since[ev.Thread] = i
		if ev.Spawn != model.NoThread {
			since[ev.Spawn] = i
		}
	}
	for _, b := range blockedIn(m, s) {
		out = append(out, porcupine.Annotation{
			ClientId:        int(b.tid),
			Start:           int64(since[b.tid]),
			End:             int64(len(path)),
			Description:     "blocked: " + b.op,
			Details:         fmt.Sprintf("in %s, until the end: no thread can run", b.fn),
			BackgroundColor: "#ff9090",
		})
	}
	return out
}
