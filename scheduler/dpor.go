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

// Auto is exhaustive search that picks its engine: DPOR first, and if that
// runs more than Budget transitions, the cached DFS with sleep sets from the
// start. DPOR wins by orders of magnitude where threads mostly commute (the
// completion-based versions); caching wins where many steps conflict (the
// cookie-based versions, concurrent device_del()). Both are exact, and the
// budget counts transitions, so the choice is deterministic.
type Auto struct {
	DFS
	Budget int64
}

// DefaultBudget is Auto's default DPOR budget in transitions.
const DefaultBudget = 20000

// NewAuto returns the adaptive exhaustive strategy.
func NewAuto() *Auto { return &Auto{Budget: DefaultBudget} }
