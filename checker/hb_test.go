package checker

import (
	"context"
	"reflect"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
)

// The happens-before index gives what a rescan of the path gives: at every
// state DPOR pushes, the newest transition's vector clock is the join of the
// clocks of the earlier transitions of its thread, of the one that created
// its thread and of those it conflicts with; and every thread whose
// footprint was recomputed races with the latest transition of another
// thread that conflicts with its footprint (enabling reads left out) and
// does not happen before it. A thread that kept its footprint conflicts
// with no newer transition.
func TestHappensBeforeIndexMatchesRescan(t *testing.T) {
	defer func() { dporCheck = nil }()
	checked := 0
	dporCheck = func(d *dporSearch) {
		checked++
		path, evs := d.path, d.x.evs
		n := len(path) - 1 // transitions on the path
		spawnedAt := func(p model.TID, upto int) int {
			for j := upto; j >= 1; j-- {
				if evs[j-1].Spawn == p {
					return j
				}
			}
			return 0
		}
		threadClock := func(p model.TID, upto int) []int32 {
			for j := upto; j >= 1; j-- {
				if path[j-1].tr.Thread == p {
					return path[j-1].clock
				}
			}
			if at := spawnedAt(p, upto); at > 0 {
				return path[at-1].clock
			}
			return nil
		}
		if i := n; i > 0 { // the newest transition: the others were checked when they were
			t1 := &path[i-1]
			want := make([]int32, len(t1.s.Threads)+1)
			join(want, threadClock(t1.tr.Thread, i-1))
			for j := 1; j < i; j++ {
				if model.Conflict(path[j-1].acc, t1.acc) {
					join(want, path[j-1].clock)
				}
			}
			want[t1.tr.Thread] = int32(i)
			if !reflect.DeepEqual(t1.clock, want) {
				t.Fatalf("depth %d: clock of transition %d is %v, a rescan gives %v", n, i, t1.clock, want)
			}
		}
		f := &path[n]
		for p := range f.s.Threads {
			tid := model.TID(p)
			if f.s.Threads[p].Status == model.Done {
				continue
			}
			if f.kept[p] {
				if n > 0 && model.Conflict(f.fps[p], path[n-1].acc) {
					t.Fatalf("depth %d: thread %d kept a footprint that conflicts with the last transition", n, p)
				}
				continue
			}
			c := threadClock(tid, n)
			want := 0
			for i := n; i >= 1 && want == 0; i-- {
				q := path[i-1].tr.Thread
				if q != tid && model.RaceConflict(path[i-1].acc, f.fps[p]) && !(int(q) < len(c) && c[q] >= int32(i)) {
					want = i
				}
			}
			if got := d.hb.race(path, tid, f.fps[p]); got != want {
				t.Fatalf("depth %d: thread %d races with transition %d, a rescan says %d", n, p, got, want)
			}
		}
	}
	for _, top := range reductionTopologies(t) {
		for _, v := range []string{"v8", "v14", "v18", "upstream"} {
			// At most about 100k transitions each (the largest would take 5M).
			ctx := &countdown{Context: context.Background(), n: 100}
			Explore(machineOf(t, top, v), Options{Engine: DPOR, Context: ctx})
		}
	}
	if checked == 0 {
		t.Fatal("the check never ran")
	}
	t.Logf("%d states checked", checked)
}
