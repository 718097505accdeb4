package simulate

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// Entries queued and kworkers taken, derived by hand. The family (p async
// 100 ms with async children a 300 ms and b 200 ms) behind an unrelated
// sync root s (50 ms); devices_kset s, p, a, b.
//   - upstream queues nothing.
//   - v11-v18 queue the async devices only, in the early pass from the
//     tail: b, a, p. Each entry starts at 0 ms: b and a run their
//     callbacks, p's handler waits for them; all three kworkers are taken
//     at once. The main loop shuts s down itself, beside them.
//   - v8 and v9 queue every device, s too: four entries; s's waits for
//     the entries queued before it (v8 through shutdown_after, v9 its own
//     cookie), taking a fourth kworker while it waits.
//   - With one worker (async_wq's bound at 1) v14 still queues three
//     entries, and never runs more than one.
func TestEntriesAndPeakWorkers(t *testing.T) {
	const src = `devices:
  - {name: s, shutdown_ms: 50}
  - {name: p, async: true, shutdown_ms: 100}
  - {name: a, parent: p, async: true, shutdown_ms: 300}
  - {name: b, parent: p, async: true, shutdown_ms: 200}`
	want := map[string][2]int{"upstream": {0, 0}, "v8": {4, 4}, "v9": {4, 4}}
	for _, v := range []string{"v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18"} {
		want[v] = [2]int{3, 3}
	}
	c := compare(t, src)
	for name, w := range want {
		tl := c.Timeline(name)
		if tl == nil {
			t.Errorf("%s not simulated", name)
			continue
		}
		if got := [2]int{tl.Entries, tl.PeakWorkers}; got != w || tl.Outcome != Finished {
			t.Errorf("%s: %d entries, peak %d kworkers (%s), want %d, %d", name, got[0], got[1], tl.Outcome, w[0], w[1])
		}
	}
	if got := total(t, c, "v14"); got != 400 {
		t.Errorf("v14: %d ms, want 400 (s beside the family)", got)
	}
	one := compare(t, src+"\nscenario: {workers: 1}").Timeline("v14")
	if one.Entries != 3 || one.PeakWorkers != 1 {
		t.Errorf("v14 with one worker: %d entries, peak %d", one.Entries, one.PeakWorkers)
	}
}

// Every registered version has a row in the text table and in --json,
// with its entries and kworkers; a peak above async_wq's 256 is called out.
func TestReportHasEveryVersion(t *testing.T) {
	c := compare(t, family)
	var buf bytes.Buffer
	WriteText(&buf, c, "v14", 3)
	r := JSON(c, "v14", 3)
	if len(r.Versions) != len(model.Variants()) {
		t.Fatalf("--json has %d versions, want %d", len(r.Versions), len(model.Variants()))
	}
	for i, v := range model.Variants() {
		tl := c.Timeline(v.Name)
		row := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(v.Name) + ` +\S.*\s` + strconv.Itoa(tl.Entries) + ` +` + strconv.Itoa(tl.PeakWorkers) + `  finished$`)
		if !row.MatchString(buf.String()) {
			t.Errorf("no row for %s:\n%s", v.Name, buf.String())
		}
		if j := r.Versions[i]; j.Variant != v.Name || j.EntriesQueued != tl.Entries || j.PeakKworkers != tl.PeakWorkers {
			t.Errorf("--json %+v for %s", j, v.Name)
		}
	}
	if bytes.Contains(buf.Bytes(), []byte("more than async_wq's")) {
		t.Error("3 entries called out as more than async_wq runs")
	}
	var wide bytes.Buffer
	src := "devices:\n"
	for i := range AsyncWQMaxActive + 1 {
		src += "  - {name: d" + strconv.Itoa(i) + ", async: true, shutdown_ms: 10}\n"
	}
	cw := compare(t, src)
	WriteText(&wide, cw, "v14", 1)
	if tl := cw.Timeline("v14"); tl.PeakWorkers != AsyncWQMaxActive+1 || !bytes.Contains(wide.Bytes(), []byte("more than async_wq's 256 at once")) {
		t.Errorf("257 async roots: peak %d\n%s", tl.PeakWorkers, wide.String())
	}
}
