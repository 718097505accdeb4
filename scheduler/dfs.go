package scheduler

// DFS is the exhaustive strategy: every enabled transition is explored, the
// running thread's first, so that the first schedules found preempt least.
type DFS struct{ buf []int }

// NewDFS returns the exhaustive strategy.
func NewDFS() *DFS { return &DFS{} }

func (d *DFS) Start(n int) bool { return n == 0 }

func (d *DFS) Pick(p *Point) []int {
	d.buf = preferLast(p, d.buf)
	return d.buf
}

func (d *DFS) Exhaustive() bool { return true }
