package report

import (
	"fmt"
	"io"

	"github.com/anishathalye/porcupine"
	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// WriteHistoryHTML writes porcupine's visualization of a run's device
// shutdowns, one lane per thread, annotated with lock, wait and complete events.
func WriteHistoryHTML(w io.Writer, run *checker.Run) error {
	ops, spec := checker.Porcupine(run.Machine, run.Events)
	_, info := porcupine.CheckOperationsVerbose(spec, ops, 0)
	info.AddAnnotations(annotations(run.Machine, run.Final, run.Events))
	return porcupine.Visualize(spec, info, w)
}

// annotations marks lock, wait and complete events on their thread's lane.
func annotations(m *model.Machine, s *model.State, path []model.Event) []porcupine.Annotation {
	var out []porcupine.Annotation
	for i, ev := range path {
		var color string
		switch ev.Kind {
		case model.OpDeviceLock, model.OpDeviceUnlock, model.OpSpinLock, model.OpSpinUnlock:
			color = "#d0e0ff"
		case model.OpWaitCompletion, model.OpAsyncSyncFull, model.OpAsyncSyncFullDomain, model.OpAsyncSyncCookie:
			color = "#ffe0b0"
		case model.OpCompleteAll:
			color = "#d0ffd0"
		default:
			continue
		}
		out = append(out, porcupine.Annotation{
			ClientId:        int(ev.Thread),
			Tag:             m.ThreadName(s, ev.Thread),
			Start:           int64(i),
			End:             int64(i),
			Description:     m.Describe(s, ev),
			Details:         fmt.Sprintf("step %d, in %s", i+1, ev.Func),
			BackgroundColor: color,
		})
	}
	return out
}
