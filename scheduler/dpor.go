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

// Auto is exhaustive search that picks its engine: DPOR with a budget of
// Budget transitions, then, if it runs out, the cached DFS with sleep sets
// with twice the budget, then DPOR again with twice that, and so on until
// one finishes. DPOR wins by orders of magnitude where threads mostly
// commute (the completion-based versions); caching wins where many steps
// conflict (the cookie-based versions, concurrent device_del()). The cost is
// within a small factor of the cheaper engine's; both are exact, and the
// budgets count transitions, so the result is deterministic.
type Auto struct {
	DFS
	Budget int64
}

// DefaultBudget is Auto's first DPOR budget in transitions.
const DefaultBudget = 20000

// NewAuto returns the adaptive exhaustive strategy.
func NewAuto() *Auto { return &Auto{Budget: DefaultBudget} }
