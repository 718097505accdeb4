package checker

import (
	"fmt"
	"testing"
)

func TestVisitedSet(t *testing.T) {
	v := newVisitedSet()
	ids := map[string]uint32{}
	for i := 0; i < 20000; i++ {
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
	}
	if v.len() != len(ids) {
		t.Errorf("len %d, want %d", v.len(), len(ids))
	}
	if _, ok := v.find([]byte("state-"), v.hash([]byte("state-"))); ok {
		t.Error("a prefix of a key was found")
	}
}
