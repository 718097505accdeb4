package scheduler

import "math/rand/v2"

// Random picks uniformly among the enabled transitions, for a given number
// of runs. Run n uses its own stream seeded by (seed, n), so a run can be
// reproduced without the ones before it.
type Random struct {
	seed uint64
	runs int
	rng  *rand.Rand
	pick [1]int
}

// NewRandom returns a random strategy of runs runs.
func NewRandom(seed uint64, runs int) *Random { return &Random{seed: seed, runs: runs} }

func (r *Random) Start(n int) bool {
	if n >= r.runs {
		return false
	}
	r.rng = rand.New(rand.NewPCG(r.seed, uint64(n)))
	return true
}

func (r *Random) Pick(p *Point) []int {
	r.pick[0] = r.rng.IntN(len(p.Enabled))
	return r.pick[:]
}
