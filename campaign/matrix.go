package campaign

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/examples"
	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/topofile"
)

// Cell is one version x property entry of a matrix: the smallest
// counterexample over all topologies, or none.
type Cell struct {
	Variant   string
	Property  checker.Property
	Violation *checker.Violation // nil: no topology violates the property
	Machine   *model.Machine     // the machine the counterexample runs on
	// Topologies lists every topology on which the property is violated
	// (nil for an enumerated space: too many to list).
	Topologies []string
	Count      int64 // how many topologies violate it
}

// MatrixResult is a version x property table over a set of topologies.
type MatrixResult struct {
	Variants   []string
	Properties []checker.Property
	Topologies []string
	Cells      [][]*Cell           // [variant][property]
	Results    [][]*checker.Result // [variant][topology]: each check's result
	Stats      checker.Stats       // summed over every check (Seconds: CPU time of the checks)
	Exhaustive bool                // every check explored every reachable state
}

// Matrix explores every topology under every variant (exhaustively, with
// the scenario each topology carries, by the DFS engine) and keeps, per
// variant and property, the smallest counterexample (checker.Size: fewest
// devices, then a new misorder before an inherited one, then fewest steps,
// then fewest thread switches, then the first topology). Checks run in
// parallel; the result does not depend on how many.
func Matrix(ctx context.Context, tops []*model.Topology, variants []*model.Variant, props checker.Properties, maxSteps int) (*MatrixResult, error) {
	res := &MatrixResult{Exhaustive: true, Properties: props.List()}
	for _, v := range variants {
		res.Variants = append(res.Variants, v.Name)
	}
	for _, t := range tops {
		res.Topologies = append(res.Topologies, t.Name)
	}
	results := make([][]*checker.Result, len(variants))
	for vi := range variants {
		results[vi] = make([]*checker.Result, len(tops))
	}
	jobs := func(yield func(vi, ti int) bool) {
		for vi := range variants {
			for ti := range tops {
				if !yield(vi, ti) {
					return
				}
			}
		}
	}
	var firstErr error
	var mu sync.Mutex
	// Every check is handed out, ctx ended or not: each stops at once, and
	// every cell has its results.
	parallel(context.Background(), 0, jobs, func(ws *checker.Workspace, vi, ti int) {
		m, err := model.NewMachine(tops[ti], variants[vi], tops[ti].Scenario)
		if err != nil {
			mu.Lock()
			firstErr = err
			mu.Unlock()
			return
		}
		results[vi][ti] = checker.Explore(m, checker.Options{Properties: props, MaxSteps: maxSteps, Context: ctx, Workspace: ws})
	})
	if firstErr != nil {
		return nil, firstErr
	}
	for _, row := range results {
		for _, r := range row {
			res.Stats.Add(r.Stats)
			res.Exhaustive = res.Exhaustive && r.Exhaustive
		}
	}
	res.Results = results
	res.Cells = make([][]*Cell, len(variants))
	for vi := range variants {
		for _, p := range res.Properties {
			cell := &Cell{Variant: variants[vi].Name, Property: p}
			var best checker.Size
			for ti, r := range results[vi] {
				v := r.Violation(p)
				if v == nil {
					continue
				}
				cell.Topologies = append(cell.Topologies, tops[ti].Name)
				cell.Count++
				size := v.Size()
				size.Devices, size.Index = len(r.Machine.Top.Devices), int64(ti)
				if cell.Violation == nil || size.Less(best) {
					cell.Violation, cell.Machine, best = v, r.Machine, size
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
		res.Stats.Add(vr.Stats)
		res.Exhaustive = res.Exhaustive && vr.Complete
		var row []*Cell
		for _, f := range vr.Found {
			if f.Property == checker.NewOrder {
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

// LoadTopologies reads the topologies of a matrix: topology files and the
// *.yaml/*.json of directories; with no arguments, every built-in topology.
func LoadTopologies(args []string) ([]*model.Topology, error) {
	var tops []*model.Topology
	if len(args) == 0 {
		for _, name := range examples.All() {
			t, err := examples.Load(name)
			if err != nil {
				return nil, err
			}
			tops = append(tops, t)
		}
		return tops, nil
	}
	for _, arg := range args {
		paths := []string{arg}
		if st, err := os.Stat(arg); err == nil && st.IsDir() {
			yml, _ := filepath.Glob(filepath.Join(arg, "*.yaml"))
			js, _ := filepath.Glob(filepath.Join(arg, "*.json"))
			paths = append(yml, js...)
			sort.Strings(paths)
			if len(paths) == 0 {
				return nil, fmt.Errorf("%s: no *.yaml or *.json topology files", arg)
			}
		}
		for _, p := range paths {
			t, err := topofile.Load(p)
			if err != nil {
				return nil, err
			}
			tops = append(tops, t)
		}
	}
	return tops, nil
}
