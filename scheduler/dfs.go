package scheduler

// DFS is the order of the exhaustive engines (package checker): every
// enabled transition is explored, the running thread's first, so that the
// first schedules found preempt least.
type DFS struct{ buf []int }

// NewDFS returns the exhaustive engines' order.
func NewDFS() *DFS { return &DFS{} }

func (d *DFS) Start(n int) bool { return n == 0 }

func (d *DFS) Pick(p *Point) []int {
	d.buf = PreferLast(p, d.buf)
	return d.buf
}
