package cfront

import (
	"errors"
	"strings"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/cfront/ir"
)

// C that cfront cannot lower is an error naming file:line:column and the
// construct; C that does not type-check is cc's error with its position.
func TestUnsupported(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"void device_shutdown(void)\n{\n\tint x = 1;\n\tswitch (x) { default: break; }\n}\n", "t.c:4:2: unsupported: switch statement"},
		{"void frob(struct device *dev);\nvoid device_shutdown(void)\n{\n\tfrob(0);\n}\n", "t.c:4:2: unsupported: call of frob(), which the source does not define and the prelude has no primitive for"},
		{"static int counter;\nvoid device_shutdown(void)\n{\n\tcounter++;\n}\n", "t.c:4:2: unsupported: ++/-- of \"counter\" (only locals)"},
		{"static int counter;\nvoid device_shutdown(void)\n{\n\tint x = counter;\n}\n", "t.c:4:10: unsupported: global variable counter (not part of the model)"},
		{"void device_shutdown(void)\n{\n\tstruct device *dev = 0;\n\tdev->kobj.name = 0;\n}\n", "t.c:4:2: unsupported: assignment to \"dev->kobj.name\""},
		{"void device_shutdown(void)\n{\n\tstruct device *dev = 0;\n\tspin_lock(&dev->p->klist_children.k_lock);\n}\n", "unsupported: address of dev->p->klist_children.k_lock"},
		{"void device_shutdown(void)\n{\n\tstruct device *dev = 0;\n\tdev->nosuchfield = 1;\n}\n", "C: t.c:4:"},
		{"void other(void)\n{\n}\n", "the source defines no device_shutdown()"},
	} {
		_, err := Compile("t.c", c.src, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got %v\nwant %q", c.src, err, c.want)
		}
	}
	_, err := Compile("t.c", "void device_shutdown(void)\n{\n\tint x = 1;\n\tswitch (x) { default: break; }\n}\n", Options{})
	var ue *UnsupportedError
	if !errors.As(err, &ue) || ue.Pos != "t.c:4:2" {
		t.Errorf("not an UnsupportedError with its position: %#v", err)
	}
}

// Functions device_shutdown() does not reach are blanked out, line
// numbers kept: an excerpt's "[...]" in them does not matter.
func TestTrim(t *testing.T) {
	src := "int used(void)\n{\n\treturn 1;\n}\n/* doc */\nint unused(void)\n{\n\t[...]\n}\n#define M other()\nvoid device_shutdown(void)\n{\n\tused();\n}\nint other(void) { return 2; }\n"
	got, kept := trim(src, []string{"device_shutdown"})
	if strings.Join(kept, ",") != "device_shutdown,used" {
		t.Errorf("kept %v", kept)
	}
	if strings.Count(got, "\n") != strings.Count(src, "\n") || strings.Contains(got, "unused") || strings.Contains(got, "[...]") || !strings.Contains(got, "#define M other()") {
		t.Errorf("trimmed:\n%s", got)
	}
	// A function named only in a macro a kept function uses is kept.
	src2 := strings.Replace(src, "\tused();", "\tused(); M;", 1)
	if _, kept := trim(src2, []string{"device_shutdown"}); strings.Join(kept, ",") != "device_shutdown,other,used" {
		t.Errorf("kept %v", kept)
	}
}

// Where a thread stops, slots no instruction reads any more are cleared:
// two runs that differ only in a dead value have equal keys.
func TestDeadSlotsCleared(t *testing.T) {
	prog := compileVersion(t, "v14")
	f := prog.Funcs[prog.Index["device_shutdown"]]
	// At the spin_lock of the main loop, only the locals read later are
	// live: the temporaries of the previous iteration are not.
	for pc, in := range f.Code {
		if in.Op == ir.OpPrim && in.Prim == ir.PrimSpinLock {
			for s := range f.Slots {
				if f.SlotNames[s] == "tmp" && f.Live[pc]&(1<<s) != 0 {
					t.Errorf("pc %d: temporary s%d live at spin_lock", pc, s)
				}
			}
		}
	}
	a := prog.Start(prog.Index["device_shutdown"])
	b := a                         // a Thread is a value
	b.Slots[f.Slots-1] = ir.Int(7) // a stale temporary
	if string(prog.AppendKey(nil, &a)) == string(prog.AppendKey(nil, &b)) {
		t.Fatal("keys equal before clearing")
	}
	k := &stopKernel{}
	prog.Run(&a, k)
	prog.Run(&b, k)
	if string(prog.AppendKey(nil, &a)) != string(prog.AppendKey(nil, &b)) || a != b {
		t.Errorf("threads differ after stopping at the same operation:\n%v\n%v", a, b)
	}
}

// stopKernel runs no operation: Run stops at the first one.
type stopKernel struct{}

func (stopKernel) Read(ir.Loads) (out [ir.MaxLoads]ir.Value, ok bool) { return out, false }
func (stopKernel) Write(ir.Field, ir.Value, ir.Value) bool            { return false }
func (stopKernel) Prim(ir.Prim, ir.Args) (ir.Value, ir.Value, bool)   { return 0, 0, false }
func (stopKernel) Static(ir.Static, ir.Value) ir.Value                { return 0 }
