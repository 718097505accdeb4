package model

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/cfront"
	"github.com/shutdowncheck/shutdowncheck/cfront/baseline"
	"github.com/shutdowncheck/shutdowncheck/cfront/ir"
)

func compileV14(t *testing.T) *Variant {
	t.Helper()
	bv, ok := baseline.LookupVersion("v14")
	if !ok {
		t.Fatal("no v14")
	}
	prog, err := cfront.CompileVersion(bv)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewProgramVariant("v14-C", prog)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A version made of a program is no registered version, and runs the
// program's device_shutdown() and kill_device().
func TestProgramVariant(t *testing.T) {
	before := len(Variants())
	v := compileV14(t)
	if len(Variants()) != before {
		t.Errorf("NewProgramVariant registered a version")
	}
	if _, err := LookupVariant("v14-C"); err == nil {
		t.Errorf("the program's version can be looked up")
	}
	if v.Main.String() != "device_shutdown" || v.KillDevice.String() != "kill_device" || v.Program == nil {
		t.Errorf("main %s, kill_device %s", v.Main, v.KillDevice)
	}
}

// The events of interpreted code name the C function they are in; the
// hand-written versions' states keep no interpreter state.
func TestInterpretedEvents(t *testing.T) {
	top := pairTopology(t)
	m, err := NewMachine(top, compileV14(t), top.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	s := m.Initial()
	r := m.NewRunner()
	var funcs []string
	for i := 0; i < 7; i++ {
		ev := r.Apply(s, Transition{Thread: 0})
		funcs = append(funcs, ev.Func.String())
	}
	want := "early_async_shutdown_devices early_async_shutdown_devices early_async_shutdown_devices early_async_shutdown_devices " +
		"wants_async_shutdown early_async_shutdown_devices shutdown_device_async"
	if got := strings.Join(funcs, " "); got != want {
		t.Errorf("functions:\n got %s\nwant %s", got, want)
	}
	if len(s.Interp) != 1 || s.Interp[0].Depth == 0 {
		t.Errorf("interpreter state %+v", s.Interp)
	}
	// The worker runs async_shutdown_handler under the model's
	// async_run_entry_fn.
	ev, _, _ := r.Pending(s, 1)
	if ev.Kind != OpWorkerStart || ev.Func.String() != "async_run_entry_fn" || m.Describe(s, ev) != "kworker picks up the entry: async_shutdown_handler(b)" {
		t.Errorf("worker: %v in %s: %s", ev.Kind, ev.Func, m.Describe(s, ev))
	}

	hand, _ := LookupVariant("v14")
	mh, err := NewMachine(top, hand, top.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	s = mh.Initial()
	r = mh.NewRunner()
	for !s.Finished() {
		tr := r.Enabled(s, nil)
		if len(tr) == 0 {
			t.Fatal("stuck")
		}
		r.Apply(s, tr[0])
	}
	if len(s.Interp) != 0 {
		t.Errorf("a hand-written version's state has interpreter state: %d threads", len(s.Interp))
	}
}

func pairTopology(t *testing.T) *Topology {
	t.Helper()
	top := &Topology{Name: "pair", Scenario: DefaultScenario(), Devices: []Device{
		{Name: "a", Parent: NoDev, Present: true},
		{Name: "b", Parent: 0, Present: true, Async: true},
	}}
	if err := top.Check(); err != nil {
		t.Fatal(err)
	}
	return top
}

// The key of interpreted state: threads that run no C, at the end or not,
// encode alike whether or not State.Interp reaches them; CopyFrom copies
// the interpreter state.
func TestInterpKey(t *testing.T) {
	s := &State{Threads: make([]Thread, 3)}
	s.Interp = make([]ir.Thread, 1)
	s.Interp[0].Depth = 1
	s.Interp[0].Slots[3] = ir.Dev(2)
	short := s.AppendKey(nil)
	s.Interp = append(s.Interp, ir.Thread{}, ir.Thread{})
	if long := s.AppendKey(nil); !bytes.Equal(short, long) {
		t.Errorf("trailing threads without C change the key:\n%x\n%x", short, long)
	}
	c := s.Clone()
	c.Interp[0].Slots[3] = ir.Dev(1)
	if s.Interp[0].Slots[3] != ir.Dev(2) {
		t.Errorf("CopyFrom shares the interpreter state")
	}
	if bytes.Equal(c.AppendKey(nil), short) {
		t.Errorf("different slots, same key")
	}
	c.Interp[0].Slots[3] = ir.Dev(2)
	c.Interp[0].Frames[0].PC = 1
	if bytes.Equal(c.AppendKey(nil), short) {
		t.Errorf("different PC, same key")
	}
}

// What the kernel-object layer has no operation for is refused, with the
// place and the construct.
func TestProgramRefused(t *testing.T) {
	for src, want := range map[string]string{
		"void device_shutdown(void)\n{\n\tstruct device *dev = NULL;\n\n\tdev_set_async_shutdown(dev);\n}\n": "t.c:5: in device_shutdown(): dev_set_async_shutdown(), which the model has no operation for",
		"void device_shutdown(int x)\n{\n}\n": "t.c:1: device_shutdown() takes 1 parameters, not none",
		"static void f(struct device *dev)\n{\n\tf(dev);\n}\n\nvoid device_shutdown(void)\n{\n\tf(NULL);\n}\n": "t.c:1: f() may call itself (recursion is not supported)",
	} {
		prog, err := cfront.Compile("t.c", src, cfront.Options{})
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if _, err := NewProgramVariant("t", prog); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", src, err, want)
		}
	}
}

// Versions made of programs can be built while others run (matrix builds
// one as checks run on the pool): the function registry is safe for
// concurrent use (go test -race).
func TestProgramVariantConcurrent(t *testing.T) {
	bv, _ := baseline.LookupVersion("v17")
	prog, err := cfront.CompileVersion(bv)
	if err != nil {
		t.Fatal(err)
	}
	top := pairTopology(t)
	done := make(chan error)
	for i := 0; i < 4; i++ {
		go func() {
			v, err := NewProgramVariant("v17-C", prog)
			if err == nil {
				var m *Machine
				if m, err = NewMachine(top, v, top.Scenario); err == nil {
					s, r := m.Initial(), m.NewRunner()
					for n := 0; n < 50 && !s.Finished(); n++ {
						if tr := r.Enabled(s, nil); len(tr) > 0 {
							ev := r.Apply(s, tr[0])
							_ = ev.Func.String()
						}
					}
				}
			}
			done <- err
		}()
	}
	for i := 0; i < 4; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
