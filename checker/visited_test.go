package checker

import (
	"fmt"
	"testing"
)

func TestVisitedSet(t *testing.T) {
	v := newVisitedSet()
	fillVisited(t, v, 20000)
	// A reset set is as good as a new one, whether it grew large or not.
	for _, n := range []int{20000, 100, 100, 5000} {
		v.reset()
		if v.len() != 0 {
			t.Fatalf("len %d after reset", v.len())
		}
		fillVisited(t, v, n)
	}
}

func fillVisited(t *testing.T, v *visitedSet, n int) {
	ids := map[string]uint32{}
	for i := 0; i < n; i++ {
		k := []byte(fmt.Sprintf("state-%d", i*7919%20011))
		h := v.hash(k)
		if _, ok := v.find(k, h); ok {
			if _, seen := ids[string(k)]; !seen {
				t.Fatalf("%s found before it was added", k)
			}
			continue
		}
		ids[string(k)] = v.add(k, h, uint8(i%3))
	}
	for k, id := range ids {
		got, ok := v.find([]byte(k), v.hash([]byte(k)))
		if !ok || got != id || string(v.key(id)) != k {
			t.Fatalf("%s: id %d ok %v, want %d", k, got, ok, id)
		}
		if len(v.sleep(id)) != 0 {
			t.Fatalf("%s: sleep set %v, never set", k, v.sleep(id))
		}
	}
	if v.len() != len(ids) {
		t.Errorf("len %d, want %d", v.len(), len(ids))
	}
	if _, ok := v.find([]byte("state-"), v.hash([]byte("state-"))); ok {
		t.Error("a prefix of a key was found")
	}
}
