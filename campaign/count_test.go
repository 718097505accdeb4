package campaign

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/model"
)

// Verify counts its space only for a progress line, and stops counting
// when it returns: it used to count every topology (minutes for 5 devices)
// with or without a progress line, and went on after returning.
func TestVerifyStopsCounting(t *testing.T) {
	v14, _ := model.LookupVariant("v14")
	space := VerifySpace{MaxDevices: 5, MaxLinks: 1, Scenario: model.DefaultScenario()} // 16 million topologies
	for _, progress := range []func(VerifyProgress){nil, func(VerifyProgress) {}} {
		before := runtime.NumGoroutine()
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		res := Verify(space, v14, VerifyOptions{Engine: checker.Auto, Workers: 1, Context: ctx, Progress: progress})
		cancel()
		if res.Complete || res.Stopped != checker.StopTimeout {
			t.Fatalf("complete %v, stopped %q", res.Complete, res.Stopped)
		}
		after := runtime.NumGoroutine()
		for deadline := time.Now().Add(time.Second); after > before && time.Now().Before(deadline); after = runtime.NumGoroutine() {
			time.Sleep(10 * time.Millisecond)
		}
		if after > before {
			t.Errorf("progress %v: %d goroutines before Verify, %d after it returned", progress != nil, before, after)
		}
	}
}

// The memory budget a proof's context carries stops it as a whole, and
// the report says why.
func TestVerifyMemoryBudget(t *testing.T) {
	v14, _ := model.LookupVariant("v14")
	space := VerifySpace{MaxDevices: 4, MaxLinks: 1, Scenario: model.DefaultScenario()}
	res := Verify(space, v14, VerifyOptions{Engine: checker.Auto, Context: checker.WithMaxMemory(context.Background(), 1)})
	if res.Complete || res.Stopped != checker.StopMemory || res.Checked == res.Total {
		t.Errorf("complete %v, stopped %q, %d of %d checked", res.Complete, res.Stopped, res.Checked, res.Total)
	}
}
