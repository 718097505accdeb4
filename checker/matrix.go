package checker

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

// Cell is one version x property entry of a matrix: the smallest
// counterexample over all topologies, or none.
type Cell struct {
	Variant, Property string
	Violation         *Violation     // nil: no topology violates the property
	Machine           *model.Machine // the machine the counterexample runs on
	Topologies        []string       // every topology on which the property is violated
	Count             int64          // how many topologies violate it
}

// MatrixResult is a version x property table over a set of topologies.
type MatrixResult struct {
	Variants   []string
	Properties []string
	Topologies []string
	Cells      [][]*Cell   // [variant][property]
	Results    [][]*Result // [variant][topology]: each check's result
	Stats      Stats       // summed over every check (Seconds: CPU time of the checks)
	Exhaustive bool        // every check explored every reachable state
}

// Matrix explores every topology under every variant (exhaustively, with
// the scenario each topology carries) and keeps, per variant and property,
// the smallest counterexample: fewest devices, then fewest steps, then
// fewest thread switches. Checks run in parallel; the result does not
// depend on how many.
func Matrix(ctx context.Context, tops []*model.Topology, variants []*model.Variant, props Properties, maxSteps int) (*MatrixResult, error) {
	res := &MatrixResult{Exhaustive: true}
	for _, v := range variants {
		res.Variants = append(res.Variants, v.Name)
	}
	for _, p := range AllProperties() {
		if props[p] {
			res.Properties = append(res.Properties, p)
		}
	}
	for _, t := range tops {
		res.Topologies = append(res.Topologies, t.Name)
	}
	type job struct{ v, t int }
	results := make([][]*Result, len(variants))
	var jobs []job
	for vi := range variants {
		results[vi] = make([]*Result, len(tops))
		for ti := range tops {
			jobs = append(jobs, job{vi, ti})
		}
	}
	var firstErr error
	var mu sync.Mutex
	work := make(chan job)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				m, err := model.NewMachine(tops[j.t], variants[j.v], tops[j.t].Scenario)
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					continue
				}
				results[j.v][j.t] = Explore(m, scheduler.NewDFS(), Options{Properties: props, MaxSteps: maxSteps, Context: ctx})
			}
		}()
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	for _, row := range results {
		for _, r := range row {
			res.Stats.States += r.Stats.States
			res.Stats.Transitions += r.Stats.Transitions
			res.Stats.Runs += r.Stats.Runs
			res.Stats.Seconds += r.Stats.Seconds
			res.Exhaustive = res.Exhaustive && r.Exhaustive
		}
	}
	res.Results = results
	res.Cells = make([][]*Cell, len(variants))
	for vi := range variants {
		for _, p := range res.Properties {
			cell := &Cell{Variant: variants[vi].Name, Property: p}
			for ti, r := range results[vi] {
				v := r.Violation(p)
				if v == nil {
					continue
				}
				cell.Topologies = append(cell.Topologies, tops[ti].Name)
				cell.Count++
				if cell.Violation == nil || smaller(r.Machine, v, cell.Machine, cell.Violation) {
					cell.Violation, cell.Machine = v, r.Machine
				}
			}
			res.Cells[vi] = append(res.Cells[vi], cell)
		}
	}
	return res, nil
}

// MatrixOfSpace is Matrix over every topology of a verify space: each
// version is a bounded proof (Verify); cells count violating topologies.
// Results is nil: there are too many topologies to list.
func MatrixOfSpace(space VerifySpace, variants []*model.Variant, opt VerifyOptions) *MatrixResult {
	res := &MatrixResult{Exhaustive: true}
	for _, v := range variants {
		vr := Verify(space, v, opt)
		res.Variants = append(res.Variants, v.Name)
		res.Properties = vr.Properties
		res.Stats.States += vr.Stats.States
		res.Stats.Transitions += vr.Stats.Transitions
		res.Stats.Runs += vr.Stats.Runs
		res.Stats.Seconds += vr.Stats.Seconds
		res.Exhaustive = res.Exhaustive && vr.Complete
		var row []*Cell
		for _, f := range vr.Found {
			if f.Property == NewOrder {
				continue
			}
			row = append(row, &Cell{Variant: v.Name, Property: f.Property, Violation: f.Violation, Machine: f.Machine, Count: f.Topologies})
		}
		res.Cells = append(res.Cells, row)
		if len(res.Topologies) == 0 {
			res.Topologies = []string{fmt.Sprintf("%d topologies of %d-%d devices", vr.Checked, max(space.MinDevices, 1), space.MaxDevices)}
		}
	}
	return res
}

// smaller orders counterexamples across topologies: fewer devices first.
func smaller(m *model.Machine, v *Violation, om *model.Machine, ov *Violation) bool {
	if a, b := len(m.Top.Devices), len(om.Top.Devices); a != b {
		return a < b
	}
	return v.better(ov)
}
