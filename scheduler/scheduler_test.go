package scheduler

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
)

func point(last model.TID, depth int, threads ...model.TID) *Point {
	p := &Point{Last: last, Depth: depth}
	for _, t := range threads {
		p.Enabled = append(p.Enabled, model.Transition{Thread: t})
	}
	p.Label = func(i int) string { return fmt.Sprintf("t%d", p.Enabled[i].Thread) }
	return p
}

func TestDFSPrefersTheRunningThread(t *testing.T) {
	d := NewDFS()
	if !d.Start(0) || d.Start(1) {
		t.Fatal("DFS is one exhaustive run")
	}
	if got := d.Pick(point(2, 5, 0, 1, 2, 3)); !reflect.DeepEqual(got, []int{2, 0, 1, 3}) {
		t.Errorf("order %v", got)
	}
	if got := d.Pick(point(model.NoThread, 0, 0, 1)); !reflect.DeepEqual(got, []int{0, 1}) {
		t.Errorf("order %v", got)
	}
}

func choices(s Scheduler, run int, steps int) []int {
	s.Start(run)
	var out []int
	for i := 0; i < steps; i++ {
		out = append(out, s.Pick(point(0, i, 0, 1, 2, 3))[0])
	}
	return out
}

func TestRandomIsSeeded(t *testing.T) {
	r := NewRandom(9, 3)
	a, b := choices(r, 1, 50), choices(NewRandom(9, 3), 1, 50)
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed and run, different choices")
	}
	if reflect.DeepEqual(a, choices(r, 2, 50)) {
		t.Error("runs 1 and 2 chose alike")
	}
	if !r.Start(2) || r.Start(3) {
		t.Error("runs bound")
	}
}

// PCT runs the highest-priority thread until a change point lowers it.
func TestPCTFollowsPriorities(t *testing.T) {
	s := NewPCT(5, 10, 1, 100) // depth 1: no change points
	s.Start(0)
	first := s.Pick(point(model.NoThread, 0, 0, 1, 2))[0]
	for i := 1; i < 20; i++ {
		if got := s.Pick(point(0, i, 0, 1, 2))[0]; got != first {
			t.Fatalf("depth-1 PCT switched threads at step %d", i)
		}
	}
	if !reflect.DeepEqual(choices(NewPCT(5, 10, 3, 30), 4, 40), choices(NewPCT(5, 10, 3, 30), 4, 40)) {
		t.Error("same seed, different choices")
	}
	// With change points, the thread first chosen is eventually demoted.
	d := NewPCT(1, 1, 3, 10)
	d.Start(0)
	seen := map[int]bool{}
	for i := 0; i < 10; i++ {
		seen[d.Pick(point(0, i, 0, 1, 2))[0]] = true
	}
	if len(seen) < 2 {
		t.Error("no priority change in 10 steps with change points in [1,10]")
	}
}

func TestReplay(t *testing.T) {
	r := NewReplay([]string{"t1", "t0"})
	r.Start(0)
	if got := r.Pick(point(0, 0, 0, 1)); !reflect.DeepEqual(got, []int{1}) {
		t.Errorf("step 1: %v", got)
	}
	if got := r.Pick(point(1, 1, 1)); got != nil || r.Err() == nil {
		t.Errorf("step 2 should diverge: %v %v", got, r.Err())
	}
	r = NewReplay([]string{"t0"})
	r.Start(0)
	r.Pick(point(0, 0, 0))
	if r.Pick(point(0, 1, 0)) != nil || !r.Done(1) {
		t.Error("a finished schedule ends the run")
	}
}
