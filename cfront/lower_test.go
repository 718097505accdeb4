package cfront

import (
	"os"
	"strings"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/cfront/baseline"
	"github.com/shutdowncheck/shutdowncheck/cfront/ir"
)

func TestLowerVersions(t *testing.T) {
	for _, v := range baseline.Versions {
		if _, _, err := baseline.Build(v); err != nil {
			continue
		}
		prog, err := CompileVersion(v)
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		if os.Getenv("CFRONT_LISTING") == v.Name {
			t.Log(prog.Listing())
		}
	}
}

// kill_device() completes dev->p->complete from v17 on.
func TestKillDeviceCompletes(t *testing.T) {
	for name, want := range map[string]bool{"upstream": false, "v14": false, "v15": false, "v17": true} {
		if got := compileVersion(t, name).Reaches("kill_device", ir.PrimCompleteAll); got != want {
			t.Errorf("%s: kill_device completes: %v, want %v", name, got, want)
		}
	}
}

// A condition's operands that read no shared state are tested before those
// that do: v8..v12's `dev->parent && dev->bus && dev->bus->need_parent_lock`
// reads dev->parent only on a need_parent_lock bus (as the model does);
// reads together stay one operation.
func TestCondFreeFirst(t *testing.T) {
	prog, err := Compile("t.c", `static bool async_shutdown = true;

void device_shutdown(void)
{
	struct device *dev = NULL;

	if (dev->parent && dev->bus && dev->bus->need_parent_lock)
		device_lock(dev->parent);
	if (async_shutdown && dev->async_shutdown)
		device_lock(dev);
}
`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, in := range prog.Funcs[0].Code {
		switch {
		case in.Op == ir.OpRead:
			s := "read"
			for _, l := range in.Loads {
				s += " " + l.Field.String()
			}
			ops = append(ops, s)
		case in.Op == ir.OpBranch:
			ops = append(ops, "if "+in.X.String())
		case in.Op == ir.OpPrim:
			ops = append(ops, in.Prim.String())
		}
	}
	want := []string{"if !dev->bus(s0)", "if !dev->bus->need_parent_lock(dev->bus(s0))", "read dev->parent", "if !s1", "device_lock",
		"read async_shutdown dev->async_shutdown", "if !(s1 && s2)", "device_lock"}
	if strings.Join(ops, "; ") != strings.Join(want, "; ") {
		t.Errorf("got  %s\nwant %s\n%s", strings.Join(ops, "; "), strings.Join(want, "; "), prog.Listing())
	}
}

// What the shipped versions need of a thread's C stack: the deepest is a
// v14-v17 worker, async_shutdown_handler -> wait_for_shutdown_dependencies
// -> device_for_each_child -> wait_for_device_shutdown (through its fn
// pointer) -> wants_async_shutdown.
func TestNeeds(t *testing.T) {
	for _, name := range []string{"upstream", "v8", "v9", "v10", "v11", "v12", "v14", "v15", "v17"} {
		prog := compileVersion(t, name)
		deepest := [2]int{}
		for i := range prog.Funcs {
			frames, slots, err := prog.Needs(i)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			deepest = [2]int{max(deepest[0], frames), max(deepest[1], slots)}
		}
		if deepest[0] > 5 || deepest[1] > 25 || deepest[0] > ir.MaxFrames || deepest[1] > ir.MaxSlots {
			t.Errorf("%s needs %d frames and %d slots", name, deepest[0], deepest[1])
		}
		t.Logf("%s: %d frames, %d slots", name, deepest[0], deepest[1])
	}
}
