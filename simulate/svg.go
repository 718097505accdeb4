package simulate

import (
	"bytes"
	"fmt"
	"html"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// Layout of the timeline picture, in pixels.
const (
	svgLabelW = 190 // thread names
	svgPlotW  = 960 // the time axis
	svgLaneH  = 14
	svgGap    = 26 // above each panel: its title
	svgAxisH  = 28
)

// SVG draws each version's run as a panel of lanes, one per thread that
// spent time in a callback or waiting, all on one time scale so that the
// panels' lengths compare: callbacks as bars (blue on the shutdown loop,
// green on async workers, outlined red on focus's critical path), waits as
// grey bars. Every bar has a tooltip.
func SVG(c *Comparison, focus string) []byte {
	var end int64 = 1
	for _, tl := range c.Timelines {
		end = max(end, tl.TotalMS)
	}
	scale := float64(svgPlotW) / float64(end)
	x := func(ms int64) float64 { return svgLabelW + float64(ms)*scale }
	var body bytes.Buffer
	y := svgAxisH
	for _, tl := range c.Timelines {
		y = panel(&body, c, tl, tl.Variant == focus, x, int64(1/scale), y)
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n",
		svgLabelW+svgPlotW+20, y+10)
	fmt.Fprintf(&out, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&out, `<text x="4" y="14" font-size="13" font-weight="bold">%s: device_shutdown() in virtual time</text>`+"\n", esc(c.Topology.Name))
	axis(&out, end, x, y)
	out.Write(body.Bytes())
	out.WriteString("</svg>\n")
	return out.Bytes()
}

// axis draws time ticks at a round step, as vertical grid lines.
func axis(w *bytes.Buffer, end int64, x func(int64) float64, bottom int) {
	step := tickStep(end)
	for t := int64(0); t <= end; t += step {
		fmt.Fprintf(w, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e4e4e4"/>`+"\n", x(t), svgAxisH-6, x(t), bottom)
		fmt.Fprintf(w, `<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%s</text>`+"\n", x(t), svgAxisH-9, esc(tickLabel(t)))
	}
}

// tickSteps are the round steps of the time axis, in ms.
var tickSteps = []int64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000,
	60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000}

// tickStep is the smallest round step giving at most 10 ticks.
func tickStep(end int64) int64 {
	for _, s := range tickSteps {
		if end/s <= 10 {
			return s
		}
	}
	return tickSteps[len(tickSteps)-1]
}

// tickLabel writes a round time briefly: 500 ms, 30 s, 2 min, 2 min 30 s.
func tickLabel(ms int64) string {
	switch {
	case ms == 0:
		return "0"
	case ms%60_000 == 0:
		return fmt.Sprintf("%d min", ms/60_000)
	case ms > 60_000 && ms%1000 == 0:
		return fmt.Sprintf("%d min %d s", ms/60_000, ms%60_000/1000)
	case ms%1000 == 0:
		return fmt.Sprintf("%d s", ms/1000)
	}
	return FormatMS(ms)
}

// panel draws one version's lanes from y and returns the y below them.
// Threads whose callbacks take less than minMS (a pixel) get no lane.
func panel(w *bytes.Buffer, c *Comparison, tl *Timeline, focus bool, x func(int64) float64, minMS int64, y int) int {
	title := fmt.Sprintf("%s: %s, %s", tl.Variant, FormatMS(tl.TotalMS), tl.Outcome)
	if s := c.SpeedUp(tl); s > 0 && tl.Variant != "upstream" {
		title += fmt.Sprintf(", %.1fx faster than upstream", s)
	}
	y += svgGap
	fmt.Fprintf(w, `<text x="4" y="%d" font-weight="bold">%s</text>`+"\n", y-8, esc(title))
	lanes, hidden := lanesOf(tl, minMS)
	critical := map[[2]int64]bool{} // (thread, start) of callbacks on the critical path
	if focus {
		for _, seg := range tl.CriticalPath() {
			for _, cb := range seg.Callbacks {
				critical[[2]int64{int64(cb.Thread), cb.Start}] = true
			}
		}
	}
	row := map[model.TID]int{}
	for i, t := range lanes {
		row[t] = y + i*svgLaneH
		fmt.Fprintf(w, `<text x="4" y="%d">%s</text>`+"\n", row[t]+svgLaneH-3, esc(clip(tl.Threads[t], 30)))
	}
	for _, wt := range tl.Waits {
		if ly, ok := row[wt.Thread]; ok {
			tip := fmt.Sprintf("%s waits in %s: %s to %s", tl.Threads[wt.Thread], tl.Describe(wt.Event), FormatMS(wt.From), FormatMS(wt.To))
			bar(w, x(wt.From), x(wt.To), ly+3, svgLaneH-6, "#cfcfcf", "", tip, "")
		}
	}
	for _, cb := range tl.Callbacks() {
		ly, ok := row[cb.Thread]
		if !ok || cb.End == cb.Start {
			continue
		}
		fill := "#5b8fd1"
		if !tl.Main[cb.Thread] {
			fill = "#55b07a"
		}
		stroke := ""
		if critical[[2]int64{int64(cb.Thread), cb.Start}] {
			stroke = "#d62728"
		}
		name := c.Topology.DevName(cb.Dev)
		tip := fmt.Sprintf("%s ->shutdown() on %s: %s to %s (%s)", name, tl.Threads[cb.Thread], FormatMS(cb.Start), FormatMS(cb.End), FormatMS(cb.End-cb.Start))
		bar(w, x(cb.Start), x(cb.End), ly+1, svgLaneH-2, fill, stroke, tip, name)
	}
	y += len(lanes) * svgLaneH
	if hidden > 0 {
		y += svgLaneH
		fmt.Fprintf(w, `<text x="4" y="%d" fill="#777">%d threads whose callbacks take less than a pixel not drawn</text>`+"\n", y-3, hidden)
	}
	return y
}

// lanesOf returns the threads worth a lane (the shutdown loop, and every
// thread whose callbacks take at least minMS, a pixel's worth) and how many
// are left out.
func lanesOf(tl *Timeline, minMS int64) ([]model.TID, int) {
	busyMS := make([]int64, len(tl.Threads))
	for _, cb := range tl.Callbacks() {
		busyMS[cb.Thread] += cb.End - cb.Start
	}
	busy := make([]bool, len(tl.Threads))
	for t, ms := range busyMS {
		busy[t] = ms > 0 && ms >= minMS
	}
	var lanes []model.TID
	for t := range tl.Threads {
		if busy[t] || tl.Main[t] {
			lanes = append(lanes, model.TID(t))
		}
	}
	return lanes, len(tl.Threads) - len(lanes)
}

// bar draws a rectangle with a tooltip, labelled when it is wide enough.
func bar(w *bytes.Buffer, x0, x1 float64, y, h int, fill, stroke, tip, label string) {
	width := max(x1-x0, 0.8)
	st := ""
	if stroke != "" {
		st = fmt.Sprintf(` stroke="%s" stroke-width="1.5"`, stroke)
	}
	fmt.Fprintf(w, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"%s><title>%s</title></rect>`+"\n", x0, y, width, h, fill, st, esc(tip))
	if n := int(width / 6.5); label != "" && n >= 4 {
		fmt.Fprintf(w, `<text x="%.1f" y="%d" fill="white" font-size="10" pointer-events="none">%s</text>`+"\n", x0+2, y+h-2, esc(clip(label, n)))
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func esc(s string) string { return html.EscapeString(s) }
