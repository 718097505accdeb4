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
// looks for the smallest counterexample (Verify).
type candidates struct {
	space    VerifySpace
	variant  string
	rules    enumerate.Rules
	rows     []checker.Property
	devices  map[checker.Property]int
	reps     map[checker.Property][]*classRep
	unsound  string
	indexers map[int]*enumerate.Indexer

	// membersDone of membersTotal explored by expand, for the progress line.
	membersDone, membersTotal atomic.Int64
}

// classRep is a checked representative.
type classRep struct {
	top      *model.Topology
	weight   int64
	result   *checker.Result
	verdicts []checker.Property
}

func newCandidates(space VerifySpace, variant string, rules enumerate.Rules, rows []checker.Property) *candidates {
	return &candidates{space: space, variant: variant, rules: rules, rows: rows,
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

// note records representative it's result.
func (c *candidates) note(it classItem, r *checker.Result) {
	var rep *classRep
	n := len(it.top.Devices)
	for _, p := range c.rows {
		if violation(r, p) == nil {
			continue
		}
		if cur, ok := c.devices[p]; ok && cur < n {
			continue
		} else if !ok || n < cur {
			c.devices[p], c.reps[p] = n, nil
		}
		if rep == nil {
			rep = &classRep{top: it.top, weight: it.weight, result: r, verdicts: verdictsOf(r, c.rows)}
		}
		c.reps[p] = append(c.reps[p], rep)
	}
}

// member is one topology of a violating class to explore.
type member struct {
	rep   *classRep
	top   *model.Topology
	index int64 // in the full enumeration of the proof's space
}

// expand explores every member of the candidate classes (without members,
// none but the representatives, already explored) and offers their
// counterexamples to res.Found. It returns false when a search was not
// exhaustive; a member whose verdicts are not its representative's sets
// c.unsound.
func (c *candidates) expand(res *VerifyResult, opt VerifyOptions, members bool, explore func(*checker.Workspace, *model.Topology) *checker.Result) bool {
	props := map[*classRep][]checker.Property{}
	var order []*classRep
	for _, p := range c.rows {
		for _, rep := range c.reps[p] {
			if props[rep] == nil {
				order = append(order, rep)
			}
			props[rep] = append(props[rep], p)
		}
	}
	var todo []member
	for _, rep := range order {
		n := len(rep.top.Devices)
		cl := enumerate.Classes{Space: c.space.space(n), Rules: c.rules, Variant: c.variant}
		ix := c.indexer(n)
		offset := c.offset(n)
		if !members {
			i, err := ix.Index(rep.top)
			if err != nil {
				panic(err)
			}
			todo = append(todo, member{rep: rep, top: rep.top, index: offset + i})
			continue
		}
		cl.Members(rep.top, func(t *model.Topology) bool {
			i, err := ix.Index(t)
			if err != nil {
				panic(err) // a member is a topology of the space
			}
			todo = append(todo, member{rep: rep, top: t, index: offset + i})
			return true
		})
	}
	found := map[checker.Property]*Found{}
	for _, f := range res.Found {
		found[f.Property] = f
	}
	c.membersTotal.Store(int64(len(todo)))
	var mu sync.Mutex
	complete := true
	items := func(yield func(int, member) bool) {
		for i, m := range todo {
			if !yield(i, m) {
				return
			}
		}
	}
	ctx := opt.Context
	if !members {
		ctx = context.Background() // nothing to explore: offer them all
	}
	parallel(ctx, opt.Workers, items, func(ws *checker.Workspace, _ int, m member) {
		r := m.rep.result
		explored := m.top.Name != m.rep.top.Name
		if explored {
			r = explore(ws, m.top)
		}
		c.membersDone.Add(1)
		mu.Lock()
		defer mu.Unlock()
		if explored {
			res.Expanded++
			res.ExpandedStats.Add(r.Stats)
		}
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
	return complete && opt.Context.Err() == nil
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
