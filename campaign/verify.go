package campaign

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/enumerate"
	"github.com/shutdowncheck/shutdowncheck/model"
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
// Property "order" counts every misorder, checker.NewOrder (a
// pseudo-property) the topologies where the version misorders a pair
// upstream keeps in order.
type Found struct {
	Property   checker.Property
	Topologies int64 // how many topologies violate it
	Index      int64 // the smallest one's index in the enumeration
	Machine    *model.Machine
	Violation  *checker.Violation
}

// proofSize is the size of a bounded proof's counterexample (checker.Size):
// fewest devices, then steps, then thread switches, then the lowest index.
func proofSize(devices int, v *checker.Violation, index int64) checker.Size {
	return checker.Size{Devices: devices, Steps: v.Step, Switches: v.Switches, Index: index}
}

func (f *Found) size() checker.Size {
	return proofSize(len(f.Machine.Top.Devices), f.Violation, f.Index)
}

// VerifyResult is the outcome of a bounded proof (or of one shard of it).
type VerifyResult struct {
	Space      VerifySpace
	Variant    string
	Properties []checker.Property
	Checked    int64 // topologies checked
	Total      int64 // topologies in the shard, -1 if not counted
	Found      []*Found
	Stats      checker.Stats
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
	// Engine checks each topology; it must be exhaustive (the command
	// line's default is checker.Auto).
	Engine     checker.Engine
	Properties checker.Properties
	MaxSteps   int
	Workers    int // goroutines; 0: one per CPU
	Context    context.Context
	Progress   func(VerifyProgress)
}

// Rows lists props with checker.NewOrder right after checker.Order: the
// rows of a bounded proof's report.
func Rows(props []checker.Property) []checker.Property {
	var rows []checker.Property
	for _, p := range props {
		rows = append(rows, p)
		if p == checker.Order {
			rows = append(rows, checker.NewOrder)
		}
	}
	return rows
}

// Verify checks every topology of space under variant exhaustively. Checks
// run in parallel; the result does not depend on how many run at once or in
// which order they finish: counts are sums, and each property's smallest
// counterexample is the smallest by proofSize.
func Verify(space VerifySpace, variant *model.Variant, opt VerifyOptions) *VerifyResult {
	if !opt.Engine.Exhaustive() {
		panic("campaign.Verify: engine " + opt.Engine.String() + " is not exhaustive")
	}
	if opt.Properties == nil {
		opt.Properties, _ = checker.ParseProperties(nil)
	}
	if opt.Context == nil {
		opt.Context = context.Background()
	}
	res := &VerifyResult{Space: space, Variant: variant.Name, Total: -1, Properties: opt.Properties.List()}
	for _, p := range Rows(res.Properties) {
		res.Found = append(res.Found, &Found{Property: p})
	}
	var total atomic.Int64
	total.Store(-1)
	var mu sync.Mutex
	var checked, states atomic.Int64
	complete := true
	stopped := ""
	begin := time.Now()
	done := make(chan struct{})
	var counting sync.WaitGroup
	defer counting.Wait()
	if opt.Progress != nil {
		// The total, for the progress line only: counted beside the
		// checks, and given up when Verify returns.
		counting.Go(func() {
			var n int64
			over := false
			space.Each(func(int64, *model.Topology) bool {
				n++
				if n&1023 == 0 {
					select {
					case <-done:
						over = true
						return false
					default:
					}
				}
				return true
			})
			if !over {
				total.Store(n)
			}
		})
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
	// A check that reaches the memory budget (which is the process's) ends
	// the others.
	ctx, cancel := context.WithCancel(opt.Context)
	defer cancel()
	parallel(ctx, opt.Workers, space.Each, func(ws *checker.Workspace, index int64, top *model.Topology) {
		m, err := model.NewMachine(top, variant, top.Scenario)
		if err != nil {
			panic(err) // the enumeration makes only checked topologies
		}
		r := checker.Explore(m, checker.Options{Engine: opt.Engine, Properties: opt.Properties, MaxSteps: opt.MaxSteps, Context: ctx, Workspace: ws})
		mu.Lock()
		res.add(index, r)
		complete = complete && r.Exhaustive
		if stopped == "" && r.Stopped != "" {
			stopped = r.Stopped // the memory budget, or what ended ctx
			if r.Stopped == checker.StopMemory {
				cancel()
			}
		}
		mu.Unlock()
		checked.Add(1)
		states.Add(r.Stats.States)
	})
	close(done)
	res.Checked = checked.Load()
	if err := opt.Context.Err(); err != nil {
		res.Stopped = checker.StopInterrupted
		if err == context.DeadlineExceeded {
			res.Stopped = checker.StopTimeout
		}
	} else if !complete {
		res.Stopped = stopped
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
func (res *VerifyResult) add(index int64, r *checker.Result) {
	res.Stats.Add(r.Stats)
	for _, f := range res.Found {
		v := r.Violation(f.Property)
		if f.Property == checker.NewOrder {
			if v = r.Violation(checker.Order); v != nil && v.IsInherited() {
				v = nil // the search prefers a new misorder: there is none
			}
		}
		if v == nil {
			continue
		}
		f.Topologies++
		if f.Violation == nil || proofSize(len(r.Machine.Top.Devices), v, index).Less(f.size()) {
			f.Machine, f.Violation, f.Index = r.Machine, v, index
		}
	}
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
