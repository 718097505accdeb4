package ir

import "testing"

func TestValues(t *testing.T) {
	for _, c := range []struct {
		v    Value
		kind Kind
		str  string
	}{
		{Int(-5), KInt, "-5"},
		{Int(1 << 26), KInt, "67108864"},
		{Dev(NoDev), KDev, "NULL"},
		{Dev(3), KDev, "dev3"},
		{Link(0), KLink, "link0"},
		{Func(2), KFunc, "func2"},
		{Local(9), KLocal, "&slot9"},
		{Obj(ObjEntry, NoDev), KObj, "kobj.entry"},
		{Obj(ObjCompletion, 4), KObj, "p->complete(dev4)"},
		{Iter(2, NoDev), KIter, "iter(dev2@-1)"},
	} {
		if c.v.Kind() != c.kind || c.v.String() != c.str {
			t.Errorf("%v: kind %v, want %v %q", c.v, c.v.Kind(), c.kind, c.str)
		}
	}
	if Int(-5).Int() != -5 || Dev(3).Dev() != 3 || Obj(ObjKlist, 7).Dev() != 7 || Iter(2, 5).Cur() != 5 || Iter(2, 5).Dev() != 2 {
		t.Error("payload round trip")
	}
	if !Equal(Dev(NoDev), 0) || !Equal(Link(-1), Dev(NoDev)) || Equal(Dev(0), Link(0)) || !Equal(Obj(ObjEntry, NoDev), Obj(ObjEntry, NoDev)) {
		t.Error("C equality of pointers")
	}
	if Dev(NoDev).True() || !Obj(ObjKset, NoDev).True() || Int(0).True() {
		t.Error("truth")
	}
}
