package checker

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shutdowncheck/shutdowncheck/enumerate"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

// VerifySpace is the family of topologies a bounded proof covers, and how
// it is split.
type VerifySpace struct {
	MinDevices int // every topology of MinDevices (at least 1)..MaxDevices devices
	MaxDevices int
	MaxLinks   int            // with at most this many device links
	Scenario   model.Scenario // under this scenario
	Shard      int            // this job checks the topologies whose index % Shards == Shard
	Shards     int            // 1 (or 0): one job checks everything
}

// Each calls fn with the index and topology of every topology of the space
// in this shard, in enumeration order, until fn returns false.
func (vs VerifySpace) Each(fn func(index int64, t *model.Topology) bool) {
	shards := int64(max(vs.Shards, 1))
	var index int64
	for n := max(vs.MinDevices, 1); n <= vs.MaxDevices; n++ {
		sp := enumerate.Space{Devices: n, MaxLinks: vs.MaxLinks, Scenario: vs.Scenario}
		if !sp.Each(func(t *model.Topology) bool {
			i := index
			index++
			return i%shards != int64(vs.Shard) || fn(i, t)
		}) {
			return
		}
	}
}

// Count returns how many topologies the shard holds.
func (vs VerifySpace) Count() int64 {
	var n int64
	vs.Each(func(int64, *model.Topology) bool { n++; return true })
	return n
}

// Found is the smallest counterexample of one property over a space.
// Order violations that upstream shares are told apart from new ones:
// Property "order" counts every misorder, NewOrder (a pseudo-property) the
// topologies where the version misorders a pair upstream keeps in order.
type Found struct {
	Property   string
	Topologies int64 // how many topologies violate it
	Index      int64 // the smallest one's index in the enumeration
	Machine    *model.Machine
	Violation  *Violation
}

// VerifyResult is the outcome of a bounded proof (or of one shard of it).
type VerifyResult struct {
	Space      VerifySpace
	Variant    string
	Properties []string
	Checked    int64 // topologies checked
	Total      int64 // topologies in the shard, -1 if not counted
	Found      []*Found
	Stats      Stats
	Complete   bool   // every topology of the shard was checked exhaustively
	Stopped    string // why it stopped early
}

// VerifyProgress is a snapshot of a running proof.
type VerifyProgress struct {
	Checked, Total, States int64
	Elapsed                time.Duration
}

// VerifyOptions tune a bounded proof.
type VerifyOptions struct {
	Properties Properties
	MaxSteps   int
	Workers    int // goroutines; 0: one per CPU
	Context    context.Context
	Progress   func(VerifyProgress)
	// Strategy makes each check's exhaustive strategy; nil: scheduler.NewAuto.
	Strategy func() scheduler.Scheduler
}

// Verify checks every topology of space under variant exhaustively. Checks
// run in parallel; the result does not depend on how many run at once or in
// which order they finish: counts are sums, and each property's smallest
// counterexample is the one with the fewest devices, then steps, then thread
// switches, then the lowest enumeration index.
func Verify(space VerifySpace, variant *model.Variant, opt VerifyOptions) *VerifyResult {
	if opt.Properties == nil {
		opt.Properties, _ = ParseProperties(nil)
	}
	if opt.Context == nil {
		opt.Context = context.Background()
	}
	if opt.Strategy == nil {
		opt.Strategy = func() scheduler.Scheduler { return scheduler.NewAuto() }
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	res := &VerifyResult{Space: space, Variant: variant.Name, Total: -1}
	for _, p := range AllProperties() {
		if opt.Properties[p] {
			res.Properties = append(res.Properties, p)
			res.Found = append(res.Found, &Found{Property: p})
			if p == Order {
				res.Found = append(res.Found, &Found{Property: NewOrder})
			}
		}
	}
	var total atomic.Int64
	total.Store(-1)
	go func() { total.Store(space.Count()) }() // for the progress line only

	type job struct {
		index int64
		top   *model.Topology
	}
	jobs := make(chan job, 4*workers)
	var mu sync.Mutex
	var checked, states atomic.Int64
	complete := true
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws := NewWorkspace()
			for j := range jobs {
				m, err := model.NewMachine(j.top, variant, j.top.Scenario)
				if err != nil {
					panic(err) // the enumeration makes only checked topologies
				}
				r := Explore(m, opt.Strategy(), Options{Properties: opt.Properties, MaxSteps: opt.MaxSteps, Context: opt.Context, Workspace: ws})
				mu.Lock()
				res.add(j.index, r)
				complete = complete && r.Exhaustive
				mu.Unlock()
				checked.Add(1)
				states.Add(r.Stats.States)
			}
		}()
	}
	begin := time.Now()
	done := make(chan struct{})
	if opt.Progress != nil {
		go func() {
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-tick.C:
					opt.Progress(VerifyProgress{Checked: checked.Load(), Total: total.Load(), States: states.Load(), Elapsed: time.Since(begin)})
				}
			}
		}()
	}
	space.Each(func(i int64, t *model.Topology) bool {
		select {
		case jobs <- job{i, t}:
			return true
		case <-opt.Context.Done():
			return false
		}
	})
	close(jobs)
	wg.Wait()
	close(done)
	res.Checked = checked.Load()
	if err := opt.Context.Err(); err != nil {
		res.Stopped = "interrupted"
		if err == context.DeadlineExceeded {
			res.Stopped = "timeout"
		}
	}
	res.Complete = complete && res.Stopped == ""
	if res.Complete {
		res.Total = res.Checked
	} else {
		res.Total = total.Load()
	}
	res.Stats.Seconds = time.Since(begin).Seconds()
	return res
}

// add folds one topology's result in.
func (res *VerifyResult) add(index int64, r *Result) {
	res.Stats.States += r.Stats.States
	res.Stats.Transitions += r.Stats.Transitions
	res.Stats.Runs += r.Stats.Runs
	for _, f := range res.Found {
		v := r.Violation(f.Property)
		if f.Property == NewOrder {
			if v = r.Violation(Order); v != nil && v.inherited() {
				v = nil // the search prefers a new misorder: there is none
			}
		}
		if v == nil {
			continue
		}
		f.Topologies++
		if f.Violation == nil || smallerFound(r.Machine, v, index, f) {
			f.Machine, f.Violation, f.Index = r.Machine, v, index
		}
	}
}

// smallerFound orders counterexamples of a bounded proof.
func smallerFound(m *model.Machine, v *Violation, index int64, f *Found) bool {
	a, b := len(m.Top.Devices), len(f.Machine.Top.Devices)
	switch {
	case a != b:
		return a < b
	case v.Step != f.Violation.Step:
		return v.Step < f.Violation.Step
	case v.Switches != f.Violation.Switches:
		return v.Switches < f.Violation.Switches
	}
	return index < f.Index
}

// Violations reports whether any property is violated.
func (res *VerifyResult) Violations() bool {
	for _, f := range res.Found {
		if f.Violation != nil {
			return true
		}
	}
	return false
}
