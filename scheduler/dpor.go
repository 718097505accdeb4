package scheduler

// DPOR is exhaustive search by dynamic partial-order reduction (Flanagan and
// Godefroid, POPL 2005, with sleep sets): it runs one interleaving of each
// class of equivalent runs (runs that differ only in the order of steps
// that commute), adding the other orders of two conflicting steps as it
// finds them. It keeps no visited states, so it counts states with repeats.
// Pick orders the transitions it starts from, like DFS.
type DPOR struct{ DFS }

// NewDPOR returns the dynamic partial-order reduction strategy.
func NewDPOR() *DPOR { return &DPOR{} }
