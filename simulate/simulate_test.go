package simulate

import (
	"bytes"
	"encoding/xml"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/devclass"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/topofile"
)

func parse(t testing.TB, src string) *model.Topology {
	t.Helper()
	top, err := topofile.Parse(t.Name()+".yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return top
}

func compare(t testing.TB, src string, overrides ...Override) *Comparison {
	t.Helper()
	top := parse(t, src)
	d := Resolve(top, overrides, true)
	c, err := Compare(top, model.Variants(), top.Scenario, d, DefaultMaxSteps)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func total(t *testing.T, c *Comparison, variant string) int64 {
	t.Helper()
	tl := c.Timeline(variant)
	if tl.Outcome != Finished {
		t.Fatalf("%s: %s", variant, tl.Outcome)
	}
	return tl.TotalMS
}

// An async parent with two async children: upstream shuts down one
// device after another (300 + 200 + 100 ms); v14 runs the children at once
// and the parent after the longer one (300 + 100 ms).
const family = `devices:
  - {name: p, async: true, shutdown_ms: 100}
  - {name: a, parent: p, async: true, shutdown_ms: 300}
  - {name: b, parent: p, async: true, shutdown_ms: 200}`

func TestParallelChildren(t *testing.T) {
	c := compare(t, family)
	if got := total(t, c, "upstream"); got != 600 {
		t.Errorf("upstream: %d ms, want 600", got)
	}
	for _, v := range []string{"v14", "v17", "v18"} {
		if got := total(t, c, v); got != 400 {
			t.Errorf("%s: %d ms, want 400", v, got)
		}
	}
	if s := c.SpeedUp(c.Timeline("v14")); s != 1.5 {
		t.Errorf("speed-up %v, want 1.5", s)
	}
}

// The critical path of the family under v14 is a's callback, then p's; b
// runs beside it. Making a take no time leaves b (200 + 100 ms): a saves
// 100 ms; p saves its own 100 ms.
func TestCriticalPathAndHoldUps(t *testing.T) {
	c := compare(t, family)
	tl := c.Timeline("v14")
	var path []string
	var sum int64
	for _, seg := range tl.CriticalPath() {
		for _, cb := range seg.Callbacks {
			path = append(path, c.Topology.DevName(cb.Dev))
			sum += cb.End - cb.Start
		}
	}
	if strings.Join(path, " ") != "a p" || sum != tl.TotalMS {
		t.Errorf("critical path %v (%d ms), want [a p] adding up to %d ms", path, sum, tl.TotalMS)
	}
	got := map[string]int64{}
	for _, h := range c.HoldUps("v14", 10) {
		got[c.Topology.DevName(h.Dev)] = h.SavedMS
	}
	if want := map[string]int64{"a": 100, "p": 100}; !reflect.DeepEqual(got, want) {
		t.Errorf("hold-ups %v, want %v", got, want)
	}
}

// A sync parent of async children holds up the shutdown loop: main waits
// for both children's completions before p's callback (300 + 50 ms), and
// the unrelated sync device listed before p waits behind it (+ 10 ms).
func TestSyncParentBlocksTheLoop(t *testing.T) {
	c := compare(t, `devices:
  - {name: other, shutdown_ms: 10}
  - {name: p, shutdown_ms: 50}
  - {name: a, parent: p, async: true, shutdown_ms: 300}
  - {name: b, parent: p, async: true, shutdown_ms: 200}`)
	if got := total(t, c, "v14"); got != 360 {
		t.Errorf("v14: %d ms, want 360", got)
	}
	var mainWait int64
	tl := c.Timeline("v14")
	for _, w := range tl.Waits {
		if tl.Main[w.Thread] && w.Kind == model.OpWaitCompletion {
			mainWait += w.To - w.From
		}
	}
	if mainWait != 300 {
		t.Errorf("main waited %d ms for completions, want 300", mainWait)
	}
}

// With one worker, async entries run one at a time: the family takes as
// long as upstream under v14 (a, then b, then p: the entries start in
// queueing order, and p's entry, queued last, waits for them).
func TestWorkerBound(t *testing.T) {
	c := compare(t, family+"\nscenario: {workers: 1}")
	if got := total(t, c, "v14"); got != 600 {
		t.Errorf("v14 with one worker: %d ms, want 600", got)
	}
}

// The misordered list (disk, child of the async port, listed before it)
// deadlocks v14 on every schedule: main waits for port, port for disk,
// which main has not shut down yet.
func TestDeadlock(t *testing.T) {
	c := compare(t, `devices:
  - {name: disk, parent: port}
  - {name: bridge}
  - {name: port, parent: bridge, async: true}`)
	tl := c.Timeline("v14")
	if tl.Outcome != Deadlock || len(tl.Stuck) != 2 {
		t.Fatalf("v14: %s, stuck %v", tl.Outcome, tl.Stuck)
	}
	var buf bytes.Buffer
	WriteText(&buf, c, "v14", 10)
	for _, want := range []string{"deadlock: main in wait_for_completion(&port->p->complete), async:port in wait_for_completion(&disk->p->complete)",
		"v14 does not finish on this schedule"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}
}

// Same topology, same durations: the same timeline, step for step.
func TestDeterministic(t *testing.T) {
	a, b := compare(t, family), compare(t, family)
	for i := range a.Timelines {
		if !reflect.DeepEqual(a.Timelines[i].Steps, b.Timelines[i].Steps) || !reflect.DeepEqual(a.Timelines[i].Waits, b.Timelines[i].Waits) {
			t.Errorf("%s: two runs differ", a.Timelines[i].Variant)
		}
	}
	if !bytes.Equal(SVG(a, "v14"), SVG(b, "v14")) {
		t.Error("two pictures differ")
	}
}

func TestResolve(t *testing.T) {
	// No shutdown_ms anywhere: defaults by class from the names.
	top := parse(t, `devices:
  - {name: "0000:00:01.0"}
  - {name: nvme0, parent: "0000:00:01.0"}
  - {name: nvme0n1, parent: nvme0}
  - {name: "2:0:0:0"}
  - {name: usb1}
  - {name: host0}
  - {name: serial8250}`)
	d := Resolve(top, nil, true)
	want := []int{devclass.PCI.DefaultMS(), devclass.NVMe.DefaultMS(), 0, devclass.Disk.DefaultMS(), devclass.USB.DefaultMS(), devclass.SCSI.DefaultMS(), 0}
	if !reflect.DeepEqual(d.MS, want) {
		t.Errorf("class defaults %v, want %v", d.MS, want)
	}
	// Overrides: the last match wins.
	d = Resolve(top, []Override{{"nvme*", 7}, {"nvme0n1", 3}}, false)
	if d.MS[1] != 7 || d.MS[2] != 3 || d.MS[0] != 0 {
		t.Errorf("overrides: %v", d.MS)
	}
	// One shutdown_ms given: the file gives them all, the rest take 0.
	top.Devices[4].ShutdownMS = 40
	d = Resolve(top, nil, true)
	if d.MS[0] != 0 || d.MS[4] != 40 || strings.Join(d.Sources(), ", ") != "6 without one (0 ms), 1 from shutdown_ms" {
		t.Errorf("a file with shutdown_ms: %v %v", d.MS, d.Sources())
	}
	// A pattern that matches nothing is reported, not refused.
	d = Resolve(top, []Override{{"nothing*", 1}, {"usb*", 2}}, true)
	if !reflect.DeepEqual(d.Unmatched, []Override{{"nothing*", 1}}) || d.MS[4] != 2 {
		t.Errorf("an override that matches nothing: %v, %v", d.Unmatched, d.MS)
	}
}

func TestParseOverride(t *testing.T) {
	if o, err := ParseOverride("nvme*=30000"); err != nil || o != (Override{"nvme*", 30000}) {
		t.Errorf("got %v, %v", o, err)
	}
	for _, bad := range []string{"nvme", "=5", "a=-1", "a=x", "[=5"} {
		if _, err := ParseOverride(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The picture is well-formed XML with a panel per version, the critical
// path outlined in the focus version only.
func TestSVG(t *testing.T) {
	c := compare(t, family)
	data := SVG(c, "v14")
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
	}
	s := string(data)
	for _, v := range model.Variants() {
		if !strings.Contains(s, ">"+v.Name+": ") {
			t.Errorf("no panel for %s", v.Name)
		}
	}
	if n := strings.Count(s, `stroke="#d62728"`); n != 2 {
		t.Errorf("%d outlined callbacks, want the 2 on v14's critical path", n)
	}
}

func TestFormatMS(t *testing.T) {
	for ms, want := range map[int64]string{0: "0 ms", 999: "999 ms", 55010: "55.010 s", 662205: "11 min 2.2 s"} {
		if got := FormatMS(ms); got != want {
			t.Errorf("FormatMS(%d) = %q, want %q", ms, got, want)
		}
	}
}
