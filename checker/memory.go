package checker

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
)

// The memory budget (Options.MaxMemory) is measured, not estimated from
// state sizes: every 1024 transitions a search reads the Go runtime's own
// accounting (runtime/metrics) and stops when the live heap (as of the last
// collection) reaches three quarters of the budget, or when the memory the
// runtime holds from the OS (about the process's resident size) reaches the
// whole budget. Searches that run at once (verify, matrix) share the
// process, so the budget is the process's: when it is reached, each of
// them stops. SetMemoryLimit makes the collector keep garbage under the
// budget, so that it is the live data that reaches it.

// MemoryUse is what the runtime reports of the process's memory.
type MemoryUse struct {
	Live uint64 // live heap as of the last garbage collection
	Held uint64 // memory obtained from the OS and not returned (about RSS)
}

var memSamples = sync.Pool{New: func() any {
	return []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
}}

// ReadMemory reads the runtime's accounting (no stop-the-world).
func ReadMemory() MemoryUse {
	s := memSamples.Get().([]metrics.Sample)
	defer memSamples.Put(s)
	metrics.Read(s)
	u := MemoryUse{}
	if s[0].Value.Kind() == metrics.KindUint64 {
		u.Live = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() == metrics.KindUint64 && s[2].Value.Kind() == metrics.KindUint64 {
		u.Held = s[1].Value.Uint64() - min(s[1].Value.Uint64(), s[2].Value.Uint64())
	}
	return u
}

// Over reports whether u has reached budget (0: no budget).
func (u MemoryUse) Over(budget uint64) bool {
	return budget > 0 && (u.Live >= budget/4*3 || u.Held >= budget)
}

// SetMemoryLimit sets the Go runtime's soft memory limit to seven eighths
// of budget, so that the collector works harder before garbage could make
// a search reach its budget, and returns what restores the previous limit.
// A budget of 0 changes nothing.
func SetMemoryLimit(budget uint64) (restore func()) {
	if budget == 0 {
		return func() {}
	}
	prev := debug.SetMemoryLimit(int64(min(budget/8*7, math.MaxInt64)))
	return func() { debug.SetMemoryLimit(prev) }
}

// ManySmallSearches lets the collector run less often (GOGC=400, unless
// GOGC is set) while a process runs many small searches at once (verify,
// matrix), and returns what restores the previous setting. Their live
// heap is a few megabytes, so the default (GOGC=100) collects every few
// thousand states and spends about a sixth of the time marking; four times
// the heap is still tens of megabytes, and SetMemoryLimit still bounds a
// search that grows.
func ManySmallSearches() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	prev := debug.SetGCPercent(400)
	return func() { debug.SetGCPercent(prev) }
}

// MaxDefaultMemory caps DefaultMaxMemory.
const MaxDefaultMemory = 8 << 30

// DefaultMaxMemory is the default memory budget: half the memory this
// process may use (the physical memory, or its cgroup's limit when that is
// lower), at most MaxDefaultMemory; MaxDefaultMemory when neither can be
// read.
func DefaultMaxMemory() uint64 {
	avail := availableMemory()
	if avail == 0 {
		return MaxDefaultMemory
	}
	return min(avail/2, MaxDefaultMemory)
}

// availableMemory is the physical memory (/proc/meminfo's MemTotal) or the
// cgroup's limit (v2 memory.max, v1 memory.limit_in_bytes), the lower; 0
// when neither can be read.
func availableMemory() uint64 {
	var avail uint64
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				f := strings.Fields(rest)
				if n, err := strconv.ParseUint(f[0], 10, 64); err == nil && len(f) == 2 && f[1] == "kB" {
					avail = n << 10
				}
			}
		}
	}
	for _, path := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		// "max" (v2) or a huge number (v1) when there is no limit.
		if n, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64); err == nil && n > 0 && n < 1<<60 && (avail == 0 || n < avail) {
			avail = n
		}
	}
	return avail
}

// ParseBytes reads a size: a whole or decimal number with an optional unit
// B, K/KB/KiB, M/MB/MiB, G/GB/GiB or T/TB/TiB (all powers of 1024), e.g.
// "4GiB", "512M", "1.5G", "0".
func ParseBytes(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	}
	shift, ok := map[string]int{"": 0, "b": 0, "k": 10, "kb": 10, "kib": 10, "m": 20, "mb": 20, "mib": 20,
		"g": 30, "gb": 30, "gib": 30, "t": 40, "tb": 40, "tib": 40}[unit]
	f, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || f < 0 || f*math.Exp2(float64(shift)) >= math.MaxInt64 {
		return 0, fmt.Errorf("bad size %q: want a number of bytes with an optional unit, such as 4GiB, 512MiB or 0", s)
	}
	return uint64(f * math.Exp2(float64(shift))), nil
}

// FormatBytes writes n in the largest binary unit that keeps it at least 1,
// with one decimal: "8.0 GiB", "512.0 MiB", "100 B".
func FormatBytes(n uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f, u := float64(n), 0
	for f >= 1024 && u < len(units)-1 {
		f /= 1024
		u++
	}
	if u == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f %s", f, units[u])
}

type maxMemoryKey struct{}

// WithMaxMemory returns a context that carries a memory budget: a search
// run with it and no Options.MaxMemory of its own stops at the budget.
// Campaigns (matrix, verify) pass their context to every search, and so
// the budget.
func WithMaxMemory(ctx context.Context, budget uint64) context.Context {
	return context.WithValue(ctx, maxMemoryKey{}, budget)
}

// maxMemoryOf returns the budget ctx carries, or 0.
func maxMemoryOf(ctx context.Context) uint64 {
	b, _ := ctx.Value(maxMemoryKey{}).(uint64)
	return b
}
