// Package campaign runs many checks and combines them: the matrix of every
// version x property over a set of topologies, the bounded proof over every
// topology up to a size (verify), its shards and their merge. Checks run in
// parallel on one worker pool; a campaign's result does not depend on how
// many run at once or in which order they finish.
package campaign

import (
	"context"
	"iter"
	"runtime"
	"sync"

	"github.com/shutdowncheck/shutdowncheck/checker"
)

// parallel calls check on every item of items, on workers goroutines (0:
// one per CPU), each with a workspace of its own for its searches, and
// returns when every call has. It stops handing items out when ctx ends.
// Items go out in batches: a check takes some hundred microseconds, and
// handing them out one at a time woke a goroutine for each.
func parallel[K, V any](ctx context.Context, workers int, items iter.Seq2[K, V], check func(ws *checker.Workspace, k K, v V)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type job struct {
		k K
		v V
	}
	const batch = 32
	jobs := make(chan []job, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			ws := checker.NewWorkspace()
			for js := range jobs {
				for _, j := range js {
					if ctx.Err() != nil {
						break
					}
					check(ws, j.k, j.v)
				}
			}
		})
	}
	send := func(js []job) bool {
		select {
		case jobs <- js:
			return true
		case <-ctx.Done():
			return false
		}
	}
	js := make([]job, 0, batch)
	for k, v := range items {
		if js = append(js, job{k, v}); len(js) == batch {
			if !send(js) {
				js = nil
				break
			}
			js = make([]job, 0, batch)
		}
	}
	if len(js) > 0 {
		send(js)
	}
	close(jobs)
	wg.Wait()
}
