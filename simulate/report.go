package simulate

import (
	"fmt"
	"io"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// Comparison is one topology simulated under several versions.
type Comparison struct {
	Topology  *model.Topology
	Scenario  model.Scenario
	Durations *Durations
	Timelines []*Timeline // in the order of the versions given
	machines  []*model.Machine
}

// machine returns the model of the version called name.
func (c *Comparison) machine(name string) *model.Machine {
	for _, m := range c.machines {
		if m.Variant.Name == name {
			return m
		}
	}
	return nil
}

// Compare simulates top under each version with the given durations.
func Compare(top *model.Topology, versions []*model.Variant, sc model.Scenario, d *Durations, maxSteps int) (*Comparison, error) {
	c := &Comparison{Topology: top, Scenario: Scenario(sc), Durations: d}
	for _, v := range versions {
		m, err := model.NewMachine(top, v, c.Scenario)
		if err != nil {
			return nil, err
		}
		c.machines = append(c.machines, m)
		c.Timelines = append(c.Timelines, Run(m, d.MS, maxSteps))
	}
	return c, nil
}

// Timeline returns the run of the version called name, or nil.
func (c *Comparison) Timeline(name string) *Timeline {
	for _, tl := range c.Timelines {
		if tl.Variant == name {
			return tl
		}
	}
	return nil
}

// SpeedUp is how many times faster tl is than the upstream loop (0 when
// either did not finish or upstream was not simulated).
func (c *Comparison) SpeedUp(tl *Timeline) float64 {
	base := c.Timeline("upstream")
	if base == nil || base.Outcome != Finished || tl.Outcome != Finished || tl.TotalMS == 0 {
		return 0
	}
	return float64(base.TotalMS) / float64(tl.TotalMS)
}

// AsyncWQMaxActive is how many work items async_wq runs at once:
// alloc_workqueue("async", WQ_UNBOUND, 0) gets WQ_DFL_ACTIVE (256). An
// entry blocked in wait_for_completion() keeps its kworker.
const AsyncWQMaxActive = 256

// FormatMS writes a duration as a person reads it: 40 ms, 1.250 s,
// 11 min 2.5 s.
func FormatMS(ms int64) string {
	switch {
	case ms < 1000:
		return fmt.Sprintf("%d ms", ms)
	case ms < 60_000:
		return fmt.Sprintf("%.3f s", float64(ms)/1000)
	}
	return fmt.Sprintf("%d min %.1f s", ms/60_000, float64(ms%60_000)/1000)
}

// WriteText writes the comparison: each version's total shutdown time and
// speed-up, then for version focus the critical path and the devices that
// held the shutdown up most (top of them).
func WriteText(w io.Writer, c *Comparison, focus string, top int) {
	t := c.Topology
	fmt.Fprintf(w, "%s: %d devices, %d links; durations: %s\n", t.Name, len(t.Devices), len(t.Links), strings.Join(c.Durations.Sources(), ", "))
	workers := "unbounded"
	if c.Scenario.Workers > 0 {
		workers = fmt.Sprint(c.Scenario.Workers)
	}
	fmt.Fprintf(w, "scenario: core.async_shutdown=%t, workers %s (environment actors and injected failures left out)\n\n", c.Scenario.AsyncShutdown, workers)
	fmt.Fprintf(w, "  %-9s %15s %9s %15s %14s  %s\n", "version", "shutdown time", "speed-up", "entries queued", "peak kworkers", "outcome")
	over := false
	for _, tl := range c.Timelines {
		speed := "-"
		if s := c.SpeedUp(tl); s > 0 {
			speed = fmt.Sprintf("%.1fx", s)
		}
		fmt.Fprintf(w, "  %-9s %15s %9s %15d %14d  %s\n", tl.Variant, FormatMS(tl.TotalMS), speed, tl.Entries, tl.PeakWorkers, outcomeText(c, tl))
		over = over || tl.PeakWorkers > AsyncWQMaxActive
	}
	fmt.Fprintf(w, "  (peak kworkers: the most async entries running at once, blocked ones included)\n")
	if over && c.Scenario.Workers == 0 {
		fmt.Fprintf(w, "  more than async_wq's %d at once: the kernel runs the rest later (--workers %d simulates the bound)\n", AsyncWQMaxActive, AsyncWQMaxActive)
	}
	tl := c.Timeline(focus)
	if tl == nil {
		return
	}
	if tl.Outcome != Finished {
		fmt.Fprintf(w, "\n%s does not finish on this schedule (%s): 'shutdowncheck check --variant %s' explains it with a counterexample\n", focus, tl.Outcome, focus)
		return
	}
	fmt.Fprintf(w, "\ncritical path (%s, %s): only ->shutdown() callbacks take time; these add up to the total\n", focus, FormatMS(tl.TotalMS))
	hops := 0
	for _, seg := range tl.CriticalPath() {
		if seg.To == seg.From && len(seg.Callbacks) == 0 {
			hops++ // a hand-off that takes no time: a thread started or woken at once
			continue
		}
		writeSegment(w, c, tl, seg)
	}
	if hops > 0 {
		fmt.Fprintf(w, "  (and %d hand-off(s) between threads that take no time)\n", hops)
	}
	fmt.Fprintf(w, "\ndevices that serialize the shutdown most (%s): the longest callbacks on the critical path,\nand what the total would lose if each took no time (simulated again; 0 when devices in parallel take as long)\n", focus)
	fmt.Fprintf(w, "  %-28s %-24s %14s %14s\n", "device", "runs on", "->shutdown()", "saves")
	for _, h := range c.HoldUps(focus, top) {
		fmt.Fprintf(w, "  %-28s %-24s %14s %14s\n", t.DevName(h.Dev), tl.Threads[h.Thread], FormatMS(h.MS), FormatMS(h.SavedMS))
	}
}

// outcomeText says how a run ended; for a deadlock, who waits for what.
func outcomeText(c *Comparison, tl *Timeline) string {
	if tl.Outcome != Deadlock {
		return string(tl.Outcome)
	}
	var stuck []string
	for _, s := range tl.Stuck {
		stuck = append(stuck, fmt.Sprintf("%s in %s", tl.Threads[s.Thread], tl.Describe(s.Event)))
	}
	return "deadlock: " + strings.Join(stuck, ", ")
}

// writeSegment writes one stretch of the critical path: when it starts,
// on which thread, what woke it, and its callbacks (the longest ones, when
// there are many).
func writeSegment(w io.Writer, c *Comparison, tl *Timeline, seg Segment) {
	var what []string
	if seg.WokenBy >= 0 {
		s := tl.Steps[seg.WokenBy]
		what = append(what, fmt.Sprintf("after %s: %s;", tl.Threads[s.Thread], tl.Describe(s.Event)))
	}
	cbs := append([]Callback(nil), seg.Callbacks...)
	sortCallbacks(cbs)
	var shown []string
	var rest int64
	for i, cb := range cbs {
		if i >= 4 {
			rest += cb.End - cb.Start
			continue
		}
		shown = append(shown, fmt.Sprintf("%s %s", c.Topology.DevName(cb.Dev), FormatMS(cb.End-cb.Start)))
	}
	switch {
	case len(cbs) == 0:
		what = append(what, "no callbacks")
	case len(cbs) > 4:
		what = append(what, fmt.Sprintf("%d callbacks: %s, and %d more (%s)", len(cbs), strings.Join(shown, ", "), len(cbs)-4, FormatMS(rest)))
	default:
		what = append(what, strings.Join(shown, ", "))
	}
	fmt.Fprintf(w, "  %12s  %-24s %s\n", FormatMS(seg.From), tl.Threads[seg.Thread], strings.Join(what, " "))
}

// JSONReport is simulate --json: every version's total, and for the focus
// version its critical path and hold-ups.
type JSONReport struct {
	Topology     string        `json:"topology"`
	Devices      int           `json:"devices"`
	Durations    []string      `json:"durations"`
	Versions     []JSONVersion `json:"versions"`
	Focus        string        `json:"focus"`
	CriticalPath []JSONSegment `json:"critical_path"`
	HeldUpBy     []JSONHoldUp  `json:"held_up_by"`
}

// JSONVersion is one version's run.
type JSONVersion struct {
	Variant string  `json:"variant"`
	TotalMS int64   `json:"total_ms"`
	SpeedUp float64 `json:"speed_up,omitempty"`
	Outcome Outcome `json:"outcome"`
	Steps   int     `json:"steps"`
	// EntriesQueued and PeakKworkers are Timeline.Entries and PeakWorkers.
	EntriesQueued int `json:"entries_queued"`
	PeakKworkers  int `json:"peak_kworkers"`
}

// JSONSegment is a stretch of the critical path.
type JSONSegment struct {
	Thread    string         `json:"thread"`
	FromMS    int64          `json:"from_ms"`
	ToMS      int64          `json:"to_ms"`
	Callbacks []JSONCallback `json:"callbacks"`
}

// JSONCallback is one ->shutdown().
type JSONCallback struct {
	Device  string `json:"device"`
	StartMS int64  `json:"start_ms"`
	EndMS   int64  `json:"end_ms"`
}

// JSONHoldUp is a HoldUp.
type JSONHoldUp struct {
	Device  string `json:"device"`
	Thread  string `json:"thread"`
	MS      int64  `json:"shutdown_ms"`
	SavesMS int64  `json:"saves_ms"`
}

// JSON builds the --json report.
func JSON(c *Comparison, focus string, top int) JSONReport {
	name := c.Topology.DevName
	r := JSONReport{Topology: c.Topology.Name, Devices: len(c.Topology.Devices), Durations: c.Durations.Sources(), Focus: focus,
		Versions: []JSONVersion{}, CriticalPath: []JSONSegment{}, HeldUpBy: []JSONHoldUp{}}
	for _, tl := range c.Timelines {
		r.Versions = append(r.Versions, JSONVersion{Variant: tl.Variant, TotalMS: tl.TotalMS, SpeedUp: c.SpeedUp(tl), Outcome: tl.Outcome, Steps: len(tl.Steps),
			EntriesQueued: tl.Entries, PeakKworkers: tl.PeakWorkers})
	}
	tl := c.Timeline(focus)
	if tl == nil {
		return r
	}
	for _, seg := range tl.CriticalPath() {
		js := JSONSegment{Thread: tl.Threads[seg.Thread], FromMS: seg.From, ToMS: seg.To, Callbacks: []JSONCallback{}}
		for _, cb := range seg.Callbacks {
			js.Callbacks = append(js.Callbacks, JSONCallback{Device: name(cb.Dev), StartMS: cb.Start, EndMS: cb.End})
		}
		r.CriticalPath = append(r.CriticalPath, js)
	}
	for _, h := range c.HoldUps(focus, top) {
		r.HeldUpBy = append(r.HeldUpBy, JSONHoldUp{Device: name(h.Dev), Thread: tl.Threads[h.Thread], MS: h.MS, SavesMS: h.SavedMS})
	}
	return r
}
