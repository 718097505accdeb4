package checker

import (
	"fmt"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/model"
	"github.com/shutdowncheck/shutdowncheck/scheduler"
)

// Engine is how Explore searches a machine's runs: the one choice of
// search. The command line names it (check --strategy, verify --engine)
// through the table below.
type Engine uint8

const (
	// DFS is exhaustive: a depth-first search caching every visited state,
	// with sleep sets (dfs.go). Options.Memory says how it remembers states.
	DFS Engine = iota
	// DPOR is exhaustive by dynamic partial-order reduction (Flanagan and
	// Godefroid, POPL 2005, with sleep sets; dpor.go): it runs one
	// interleaving of each class of equivalent runs (runs that differ only
	// in the order of steps that commute), adding the other orders of two
	// conflicting steps as it finds them. It keeps no visited states, so it
	// counts states with repeats.
	DPOR
	// Auto is exhaustive and picks its engine: DPOR with a budget of
	// Options.Budget transitions, then, if it runs out, DFS with twice the
	// budget, then DPOR again with twice that, and so on until one
	// finishes. DPOR wins by orders of magnitude where threads mostly
	// commute (the completion-based versions); caching wins where many
	// steps conflict (the cookie-based versions, concurrent device_del()).
	// The cost is within a small factor of the cheaper engine's; both are
	// exact, and the budgets count transitions, so the result is
	// deterministic.
	Auto
	// Random runs Options.Runs runs, each choosing uniformly among the
	// enabled transitions; run n draws from (Options.Seed, n).
	Random
	// PCT runs Options.Runs runs of probabilistic concurrency testing of
	// depth Options.Depth (scheduler.PCT), seeded like Random.
	PCT
	// Scheduled runs what Options.Scheduler chooses: a recorded schedule
	// (Replay), rapid's draws (package properties).
	Scheduled
)

// engines is the table of engines: their names, whether they explore every
// reachable state, and what the command line's help says of them.
var engines = [...]struct {
	name       string
	exhaustive bool
	help       string
}{
	DFS:       {"dfs", true, "exhaustive, state caching, sleep sets"},
	DPOR:      {"dpor", true, "exhaustive, dynamic partial-order reduction"},
	Auto:      {"auto", true, "dpor or dfs, whichever finishes first"},
	Random:    {"random", false, ""},
	PCT:       {"pct", false, ""},
	Scheduled: {"scheduled", false, ""},
}

// DefaultBudget is Auto's first DPOR budget in transitions.
const DefaultBudget = 20000

func (e Engine) String() string {
	if int(e) < len(engines) {
		return engines[e].name
	}
	return fmt.Sprintf("engine(%d)", e)
}

// Exhaustive reports whether the engine explores every reachable state.
func (e Engine) Exhaustive() bool { return int(e) < len(engines) && engines[e].exhaustive }

// ParseEngine looks an engine up by name; with exhaustive, only the
// exhaustive ones. Scheduled has no name to give: it needs a scheduler.
func ParseEngine(name string, exhaustive bool) (Engine, error) {
	for e := range engines {
		if engine := Engine(e); engine != Scheduled && engine.String() == name && (engine.Exhaustive() || !exhaustive) {
			return engine, nil
		}
	}
	what := "strategy"
	if exhaustive {
		what = "engine"
	}
	return 0, fmt.Errorf("unknown %s %q (have %s)", what, name, strings.Join(engineNames(exhaustive), ", "))
}

func engineNames(exhaustive bool) []string {
	var names []string
	for e := range engines {
		if engine := Engine(e); engine != Scheduled && (engine.Exhaustive() || !exhaustive) {
			names = append(names, engine.String())
		}
	}
	return names
}

// EngineUsage describes the engines one can name, for a flag's help:
// "dfs (exhaustive, ...), dpor (...), ..., random or pct".
func EngineUsage(exhaustive bool) string {
	names := engineNames(exhaustive)
	for i, n := range names {
		if e, _ := ParseEngine(n, false); engines[e].help != "" {
			names[i] += " (" + engines[e].help + ")"
		}
	}
	last := len(names) - 1
	return strings.Join(names[:last], ", ") + " or " + names[last]
}

// scheduler returns what orders the engine's choices: for the exhaustive
// engines, the order in which they try the enabled transitions (the running
// thread's first, so that the first schedules found preempt least); for the
// others, what picks each step.
func (e Engine) scheduler(m *model.Machine, opt Options) scheduler.Scheduler {
	switch e {
	case Random:
		return scheduler.NewRandom(opt.Seed, opt.Runs)
	case PCT:
		return scheduler.NewPCT(opt.Seed, opt.Runs, opt.Depth, 40*len(m.Top.Devices))
	case Scheduled:
		return opt.Scheduler
	}
	return scheduler.NewDFS()
}

// Memory is how the DFS engine remembers the states it has visited (an
// option of DFS only: the other engines keep no visited set), for state
// spaces that outgrow memory. The lossy modes are never called exhaustive;
// Result.Coverage estimates what they explored.
type Memory string

const (
	MemoryExact    Memory = "exact"    // store every state's key: exact (also the zero Memory)
	MemoryCompact  Memory = "compact"  // hash compaction: store a 64-bit fingerprint per state
	MemoryBitstate Memory = "bitstate" // supertrace: set 3 bits of a 2^Options.BitstateBits bit array per state
)

// ParseMemory checks a memory mode's name.
func ParseMemory(name string) (Memory, error) {
	switch m := Memory(name); m {
	case MemoryExact, MemoryCompact, MemoryBitstate:
		return m, nil
	}
	return "", fmt.Errorf("unknown --memory %q (have exact, compact, bitstate)", name)
}
