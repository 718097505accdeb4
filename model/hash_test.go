package model

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestHashFollowsKey changes every integer and boolean field of states met
// on random runs, one at a time, and checks that the hash changes exactly
// when the key does: Hash reads what AppendKey encodes and nothing else
// (a field added to one and not the other fails here).
func TestHashFollowsKey(t *testing.T) {
	for _, variant := range []string{"upstream", "v14", "v10"} {
		m := machine(t, server(t), variant, Scenario{AsyncShutdown: true, AllocFailures: 1, Workers: 1})
		rng := rand.New(rand.NewPCG(3, 3))
		keyOnly, both := 0, 0
		for run := 0; run < 5; run++ {
			s, r := m.Initial(), m.NewRunner()
			for {
				for _, leaf := range leaves(reflect.ValueOf(s).Elem(), "State") {
					c := s.Clone()
					v := leaf.in(reflect.ValueOf(c).Elem())
					switch v.Kind() {
					case reflect.Bool:
						v.SetBool(!v.Bool())
					case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
						v.SetInt(v.Int() + 1)
					case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
						v.SetUint(v.Uint() + 1)
					}
					keyChanged := string(c.AppendKey(nil)) != string(s.AppendKey(nil))
					hashChanged := c.Hash() != s.Hash()
					if keyChanged != hashChanged {
						t.Fatalf("%s: changing %s changes the key: %v, the hash: %v", variant, leaf.name, keyChanged, hashChanged)
					}
					if keyChanged {
						both++
					} else {
						keyOnly++
					}
				}
				en := r.Enabled(s, nil)
				if len(en) == 0 {
					break
				}
				r.Apply(s, en[rng.IntN(len(en))])
			}
		}
		if both == 0 || keyOnly == 0 {
			t.Fatalf("%s: %d changes seen by both, %d by neither: the test reaches too little", variant, both, keyOnly)
		}
	}
}

// leaf is a path to an integer or boolean field from a State.
type leaf struct {
	name string
	path []int // field or element indexes
}

// in returns the field leaf names in state value v.
func (l leaf) in(v reflect.Value) reflect.Value {
	for _, i := range l.path {
		if v.Kind() == reflect.Struct {
			v = v.Field(i)
		} else {
			v = v.Index(i)
		}
	}
	return v
}

// leaves lists every integer and boolean field reachable from v through
// structs, arrays and slices (not the interpreter's threads: a
// hand-written version has none).
func leaves(v reflect.Value, name string) []leaf {
	switch v.Kind() {
	case reflect.Bool, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return []leaf{{name: name}}
	case reflect.Struct:
		var out []leaf
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).Name == "Interp" {
				continue
			}
			out = append(out, prefix(i, leaves(v.Field(i), name+"."+v.Type().Field(i).Name))...)
		}
		return out
	case reflect.Array, reflect.Slice:
		var out []leaf
		for i := 0; i < v.Len(); i++ {
			out = append(out, prefix(i, leaves(v.Index(i), fmt.Sprintf("%s[%d]", name, i)))...)
		}
		return out
	}
	return nil
}

func prefix(i int, ls []leaf) []leaf {
	for k := range ls {
		ls[k].path = append([]int{i}, ls[k].path...)
	}
	return ls
}
