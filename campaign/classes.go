package campaign

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/enumerate"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// candidates keeps, for each property, the representatives that violate
// it with the fewest devices: the classes in which a proof over classes
// looks for the smallest counterexample (Verify). It keeps no search
// result: a representative's counterexamples are offered when it is
// checked, and its members are enumerated and explored one at a time, so
// that memory does not grow with the violating classes (a shard of the
// 6-device proof has hundreds of thousands, with tens of millions of
// members).
type candidates struct {
	space    VerifySpace
	variant  string
	rules    enumerate.Rules
	rows     []checker.Property
	members  bool // the members will be explored (not VerifyOptions.RepresentativesOnly)
	devices  map[checker.Property]int
	reps     map[checker.Property][]*classRep
	unsound  string
	indexers map[int]*enumerate.Indexer

	// membersDone of membersTotal explored by expand, for the progress line.
	membersDone, membersTotal atomic.Int64
}

// classRep is a checked representative of a violating class.
type classRep struct {
	top      *model.Topology
	weight   int64
	verdicts []checker.Property
}

func newCandidates(space VerifySpace, variant string, rules enumerate.Rules, rows []checker.Property, members bool) *candidates {
	return &candidates{space: space, variant: variant, rules: rules, rows: rows, members: members,
		devices: map[checker.Property]int{}, reps: map[checker.Property][]*classRep{}, indexers: map[int]*enumerate.Indexer{}}
}

// verdictsOf lists the rows r violates.
func verdictsOf(r *checker.Result, rows []checker.Property) []checker.Property {
	var out []checker.Property
	for _, p := range rows {
		if violation(r, p) != nil {
			out = append(out, p)
		}
	}
	return out
}

// note records representative it's result r, offering its counterexamples
// to res (the representative is a member of its class: offered now, it is
// not explored again).
func (c *candidates) note(res *VerifyResult, it classItem, r *checker.Result) {
	var rep *classRep
	n, index := len(it.top.Devices), int64(-1)
	for _, f := range res.Found {
		p := f.Property
		v := violation(r, p)
		if v == nil {
			continue
		}
		if cur, ok := c.devices[p]; ok && cur < n {
			continue
		} else if !ok || n < cur {
			c.devices[p], c.reps[p] = n, nil
		}
		if index < 0 {
			index = c.index(it.top)
		}
		f.offer(index, r.Machine, v)
		if !c.members {
			continue
		}
		if rep == nil {
			rep = &classRep{top: it.top, weight: it.weight, verdicts: verdictsOf(r, c.rows)}
		}
		c.reps[p] = append(c.reps[p], rep)
	}
}

// index returns t's index in the full enumeration of the proof's space.
func (c *candidates) index(t *model.Topology) int64 {
	n := len(t.Devices)
	i, err := c.indexer(n).Index(t)
	if err != nil {
		panic(err) // the enumeration makes only topologies of the space
	}
	return c.offset(n) + i
}

// member is one topology of a violating class to explore.
type member struct {
	rep   *classRep
	top   *model.Topology
	index int64 // in the full enumeration of the proof's space
}

// expand explores every member of the candidate classes but their
// representatives (already offered) and offers their counterexamples to
// res.Found. It returns false when a search was not exhaustive; a member
// whose verdicts are not its representative's sets c.unsound.
// A member's search that reaches the memory budget cancels ctx: the others
// stop too.
func (c *candidates) expand(ctx context.Context, cancel func(), res *VerifyResult, workers int, explore func(*checker.Workspace, *model.Topology) *checker.Result) bool {
	props := map[*classRep][]checker.Property{}
	var order []*classRep
	for _, p := range c.rows {
		for _, rep := range c.reps[p] {
			if props[rep] == nil {
				order = append(order, rep)
				c.membersTotal.Add(rep.weight - 1)
			}
			props[rep] = append(props[rep], p)
		}
	}
	found := map[checker.Property]*Found{}
	for _, f := range res.Found {
		found[f.Property] = f
	}
	var mu sync.Mutex
	complete := true
	items := func(yield func(int64, member) bool) {
		for _, rep := range order {
			cl := enumerate.Classes{Space: c.space.space(len(rep.top.Devices)), Rules: c.rules, Variant: c.variant}
			if !cl.Members(rep.top, func(t *model.Topology) bool {
				return t.Name == rep.top.Name || yield(0, member{rep: rep, top: t, index: c.index(t)})
			}) {
				return
			}
		}
	}
	parallel(ctx, workers, items, func(ws *checker.Workspace, _ int64, m member) {
		r := explore(ws, m.top)
		if r.Stopped == checker.StopMemory {
			cancel()
		}
		c.membersDone.Add(1)
		mu.Lock()
		defer mu.Unlock()
		res.Expanded++
		res.ExpandedStats.Add(r.Stats)
		complete = complete && r.Exhaustive
		if got := verdictsOf(r, c.rows); fmt.Sprint(got) != fmt.Sprint(m.rep.verdicts) && c.unsound == "" {
			c.unsound = fmt.Sprintf("a class mixes verdicts (rules %s): %s violates %s, its representative %s %s",
				c.rules, m.top.Name, names(got), m.rep.top.Name, names(m.rep.verdicts))
		}
		for _, p := range props[m.rep] {
			if v := violation(r, p); v != nil {
				found[p].offer(m.index, r.Machine, v)
			}
		}
	})
	return complete && ctx.Err() == nil
}

func names(ps []checker.Property) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return "{" + strings.Join(s, ", ") + "}"
}

// indexer returns the indexer of the topologies of n devices.
func (c *candidates) indexer(n int) *enumerate.Indexer {
	if c.indexers[n] == nil {
		c.indexers[n] = enumerate.NewIndexer(c.space.space(n))
	}
	return c.indexers[n]
}

// offset returns the index of the first topology of n devices in the
// proof's full enumeration.
func (c *candidates) offset(n int) int64 {
	var off int64
	for m := max(c.space.MinDevices, 1); m < n; m++ {
		off += c.indexer(m).Total()
	}
	return off
}
