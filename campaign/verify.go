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
	Shard      int            // this job checks the topologies (or classes) whose index % Shards == Shard
	Shards     int            // 1 (or 0): one job checks everything
	// Classes checks one representative per class of topologies with the
	// same verdicts (enumerate.Classes, under the rules sound for the
	// version and scenario: enumerate.RulesFor), counting it as many times
	// as its class has members; shards split the classes. The counts and
	// smallest counterexamples are those of the full space (see Verify).
	Classes bool
}

// Rules returns the class rules a proof of variant uses: none without
// Classes, and none with a step bound other than the default (the rules'
// arguments need it).
func (vs VerifySpace) Rules(variant string, maxSteps int) enumerate.Rules {
	if !vs.Classes || maxSteps != 0 {
		return 0
	}
	return enumerate.RulesFor(variant, vs.Scenario)
}

// classItem is one check of a proof: a topology, and how many topologies
// of the full space it stands for (1 without classes).
type classItem struct {
	top    *model.Topology
	weight int64
}

// items yields, with its index in the space's enumeration (of topologies,
// or of classes), every item of the shard.
func (vs VerifySpace) items(variant string, maxSteps int) func(yield func(int64, classItem) bool) {
	if !vs.Classes {
		return func(yield func(int64, classItem) bool) {
			vs.Each(func(i int64, t *model.Topology) bool { return yield(i, classItem{t, 1}) })
		}
	}
	rules := vs.Rules(variant, maxSteps)
	shards := int64(max(vs.Shards, 1))
	return func(yield func(int64, classItem) bool) {
		var index int64
		for n := max(vs.MinDevices, 1); n <= vs.MaxDevices; n++ {
			c := enumerate.Classes{Space: vs.space(n), Rules: rules, Variant: variant}
			if !c.EachLazy(func(rep func() *model.Topology, size func() int64) bool {
				i := index
				index++
				return i%shards != int64(vs.Shard) || yield(i, classItem{rep(), size()})
			}) {
				return
			}
		}
	}
}

func (vs VerifySpace) space(devices int) enumerate.Space {
	return enumerate.Space{Devices: devices, MaxLinks: vs.MaxLinks, Scenario: vs.Scenario}
}

// Each calls fn with the index and topology of every topology of the space
// in this shard, in enumeration order, until fn returns false.
func (vs VerifySpace) Each(fn func(index int64, t *model.Topology) bool) {
	shards := int64(max(vs.Shards, 1))
	var index int64
	for n := max(vs.MinDevices, 1); n <= vs.MaxDevices; n++ {
		if !vs.space(n).Each(func(t *model.Topology) bool {
			i := index
			index++
			return i%shards != int64(vs.Shard) || fn(i, t)
		}) {
			return
		}
	}
}

// Count returns how many topologies the shard holds (without Classes).
func (vs VerifySpace) Count() int64 {
	var n int64
	vs.Each(func(int64, *model.Topology) bool { n++; return true })
	return n
}

// weight returns how many topologies of the full space the shard's items
// stand for.
func (vs VerifySpace) weight(variant string, maxSteps int) int64 {
	var n int64
	if vs.Classes && max(vs.Shards, 1) == 1 {
		for d := max(vs.MinDevices, 1); d <= vs.MaxDevices; d++ {
			n += enumerate.NewIndexer(vs.space(d)).Total() // without enumerating the classes
		}
		return n
	}
	for _, it := range vs.items(variant, maxSteps) {
		n += it.weight
	}
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
	Checked    int64 // topologies checked (with classes: that the representatives checked stand for)
	Total      int64 // topologies in the shard, -1 if not counted
	// With classes: the rules used, how many representatives were checked,
	// and how many members of violating classes were explored for the
	// smallest counterexamples.
	Rules    enumerate.Rules
	Classes  int64
	Expanded int64
	// ExpandedStats is the work of exploring the members (not in Stats:
	// it depends on how the proof is sharded, the rest does not).
	ExpandedStats       checker.Stats
	RepresentativesOnly bool // VerifyOptions.RepresentativesOnly
	Found               []*Found
	Stats               checker.Stats
	Complete            bool   // every topology of the shard was checked exhaustively
	Stopped             string // why it stopped early
}

// VerifyProgress is a snapshot of a running proof (with classes,
// topologies count what the representatives checked stand for).
type VerifyProgress struct {
	Checked, Total, States int64
	Elapsed                time.Duration
	// Members of MembersTotal: with classes, once the representatives
	// are checked, the members of the violating classes explored for the
	// smallest counterexamples (MembersTotal 0 before that phase).
	Members, MembersTotal int64
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
	// RepresentativesOnly, with classes, takes each property's smallest
	// counterexample among the representatives alone (by their index in
	// the full enumeration) instead of among every member of the violating
	// classes with the fewest devices: the counts are the same, the
	// counterexample is not always the full proof's, and no member is
	// explored. For proofs whose first violations come at many devices
	// (--min-devices), where the members are many.
	RepresentativesOnly bool
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
//
// With space.Classes it checks one representative per class and counts it
// once per member. The smallest counterexample is then found among the
// members themselves, as a full proof would: members of one class have the
// same verdicts but not the same schedules, and the engines keep the
// smallest counterexample they come across, not the smallest there is. So
// for each property, at the fewest devices any representative violates it,
// every member of every violating class is explored, and the smallest of
// their counterexamples, by its index in the full enumeration, is kept.
// Each of those members must have its representative's verdicts; one that
// does not makes the proof incomplete ("a class mixes verdicts").
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
	res := &VerifyResult{Space: space, Variant: variant.Name, Total: -1, Properties: opt.Properties.List(), Rules: space.Rules(variant.Name, opt.MaxSteps),
		RepresentativesOnly: space.Classes && opt.RepresentativesOnly}
	for _, p := range Rows(res.Properties) {
		res.Found = append(res.Found, &Found{Property: p})
	}
	var total atomic.Int64
	total.Store(-1)
	cands := &candidates{} // with classes: the violating classes, whose members give the smallest counterexamples
	if space.Classes {
		cands = newCandidates(space, variant.Name, res.Rules, Rows(res.Properties), !opt.RepresentativesOnly)
	}
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
			if space.Classes {
				if max(space.Shards, 1) == 1 {
					total.Store(space.weight(variant.Name, opt.MaxSteps)) // counted, not enumerated
				}
				return // a shard's total is its classes' sizes: unknown until checked
			}
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
					opt.Progress(VerifyProgress{Checked: checked.Load(), Total: total.Load(), States: states.Load(), Elapsed: time.Since(begin),
						Members: cands.membersDone.Load(), MembersTotal: cands.membersTotal.Load()})
				}
			}
		}()
	}
	// A check that reaches the memory budget (which is the process's) ends
	// the others.
	ctx, cancel := context.WithCancel(opt.Context)
	defer cancel()
	explore := func(ws *checker.Workspace, top *model.Topology) *checker.Result {
		m, err := model.NewMachine(top, variant, top.Scenario)
		if err != nil {
			panic(err) // the enumeration makes only checked topologies
		}
		r := checker.Explore(m, checker.Options{Engine: opt.Engine, Properties: opt.Properties, MaxSteps: opt.MaxSteps, Context: ctx, Workspace: ws})
		states.Add(r.Stats.States)
		return r
	}
	parallel(ctx, opt.Workers, space.items(variant.Name, opt.MaxSteps), func(ws *checker.Workspace, index int64, it classItem) {
		r := explore(ws, it.top)
		mu.Lock()
		res.Stats.Add(r.Stats)
		if !space.Classes {
			res.add(index, 1, r)
		} else {
			res.Classes++
			res.count(it.weight, r)
			cands.note(res, it, r)
		}
		complete = complete && r.Exhaustive
		if stopped == "" && r.Stopped != "" {
			stopped = r.Stopped // the memory budget, or what ended ctx
			if r.Stopped == checker.StopMemory {
				cancel()
			}
		}
		mu.Unlock()
		checked.Add(it.weight)
	})
	if space.Classes && !opt.RepresentativesOnly && ctx.Err() == nil {
		// The representatives' counterexamples were offered as they were
		// checked; stopped early, the members are left out (the proof is
		// incomplete anyway).
		complete = cands.expand(ctx, cancel, res, opt.Workers, explore) && complete
	}
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
	if cands.unsound != "" {
		res.Stopped = cands.unsound
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

// add folds in the result of the topology at index, which stands for
// weight topologies.
func (res *VerifyResult) add(index, weight int64, r *checker.Result) {
	res.count(weight, r)
	for _, f := range res.Found {
		if v := violation(r, f.Property); v != nil {
			f.offer(index, r.Machine, v)
		}
	}
}

// count adds weight to the count of every property r violates.
func (res *VerifyResult) count(weight int64, r *checker.Result) {
	for _, f := range res.Found {
		if violation(r, f.Property) != nil {
			f.Topologies += weight
		}
	}
}

// offer makes the counterexample v of the topology at index the
// property's smallest if it is smaller.
func (f *Found) offer(index int64, m *model.Machine, v *checker.Violation) {
	if f.Violation == nil || proofSize(len(m.Top.Devices), v, index).Less(f.size()) {
		f.Machine, f.Violation, f.Index = m, v, index
	}
}

// violation returns r's counterexample of row p (checker.NewOrder: a new
// misorder), or nil.
func violation(r *checker.Result, p checker.Property) *checker.Violation {
	if p != checker.NewOrder {
		return r.Violation(p)
	}
	if v := r.Violation(checker.Order); v != nil && !v.IsInherited() {
		return v
	}
	return nil // the search prefers a new misorder: there is none
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
