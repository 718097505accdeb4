package campaign

import (
	"reflect"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/checker"
)

// Merging shards adds their counts and keeps, per property, the smallest
// counterexample by the proof's ordering; a shard given twice is refused.
// (These reports are made up: combine is Merge without the validation.)
func TestMerge(t *testing.T) {
	shard := func(i int, found ...FoundReport) *VerifyReport {
		return &VerifyReport{Variant: "v14", MaxDevices: 3, Shard: i, Shards: 2, Properties: []checker.Property{checker.Order, checker.Deadlock},
			Complete: true, Topologies: 10, Stats: checker.Stats{States: 5, Runs: 1}, Found: found}
	}
	a := shard(1, FoundReport{Property: checker.Deadlock, Topologies: 2, Devices: 3, Steps: 9, Index: 1},
		FoundReport{Property: checker.NewOrder, Topologies: 1, Devices: 2, Steps: 30, Index: 5})
	b := shard(2, FoundReport{Property: checker.Deadlock, Topologies: 3, Devices: 2, Steps: 20, Index: 8},
		FoundReport{Property: checker.Order, Topologies: 4, Devices: 2, Steps: 7, Index: 2})
	m, err := combine([]*VerifyReport{b, a}, []string{"b", "a"})
	if err != nil {
		t.Fatal(err)
	}
	want := []FoundReport{
		{Property: checker.Order, Topologies: 4, Devices: 2, Steps: 7, Index: 2},
		{Property: checker.NewOrder, Topologies: 1, Devices: 2, Steps: 30, Index: 5},
		{Property: checker.Deadlock, Topologies: 5, Devices: 2, Steps: 20, Index: 8},
	}
	if !reflect.DeepEqual(m.Found, want) || m.Topologies != 20 || m.Stats != (checker.Stats{States: 10, Runs: 2}) ||
		!m.Complete || m.Verdict != "violation" || !reflect.DeepEqual(m.Merged, []int{1, 2}) {
		t.Errorf("merged %+v", m)
	}
	if _, err := combine([]*VerifyReport{a, a}, []string{"a", "a"}); err == nil {
		t.Error("a shard given twice merged")
	}
	if m, _ := combine([]*VerifyReport{a}, []string{"a"}); m.Complete {
		t.Error("one shard of two is complete")
	}
}

// The counts of complete shards must be those of one enumeration: shard i
// of n holds the topologies whose index is i-1 modulo n. Checked without
// enumerating for spaces too large to count (here 5 devices).
func TestCheckCounts(t *testing.T) {
	shards := func(counts ...int64) []*VerifyReport {
		var reps []*VerifyReport
		for i, c := range counts {
			reps = append(reps, &VerifyReport{Variant: "v14", MinDevices: 1, MaxDevices: 5, Shard: i + 1, Shards: len(counts), Complete: true, Topologies: c})
		}
		return reps
	}
	names := []string{"a", "b", "c"}
	if err := checkCounts(shards(34, 33, 33), names); err != nil {
		t.Errorf("100 topologies in 3 shards: %v", err)
	}
	for _, counts := range [][]int64{{33, 34, 33}, {40, 30, 30}, {34, 33, 0}} {
		if err := checkCounts(shards(counts...), names); err == nil {
			t.Errorf("%v merged", counts)
		}
	}
	// An incomplete shard counts what it checked.
	reps := shards(34, 10, 33)
	reps[1].Complete, reps[1].Stopped = false, "timeout"
	if err := checkCounts(reps, names); err != nil {
		t.Errorf("with an incomplete shard: %v", err)
	}
}
