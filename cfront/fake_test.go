package cfront

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/cfront/baseline"
	"github.com/shutdowncheck/shutdowncheck/cfront/ir"
)

// fakeDev is one device of a fake machine.
type fakeDev struct {
	name           string
	parent         int
	async          bool // dev->async_shutdown / driver->async_shutdown_enable
	needParentLock bool
	consumers      []int // links by index into fakeKernel.links
}

type fakeLink struct {
	supplier, consumer int
	sso                bool // DL_FLAG_SYNC_STATE_ONLY
}

// fakeKernel runs threads of a Program one operation at a time, always the
// oldest thread that can go on, and records each operation in the
// vocabulary of model.OpKind (ListLast, WantsAsync, ...): this is the
// mapping a binding of ir.Kernel to model.Kernel implements.
type fakeKernel struct {
	t       *testing.T
	prog    *ir.Program
	devs    []fakeDev
	links   []fakeLink
	param   bool
	list    []int // devices_kset->list, head to tail
	ref     []int
	lock    []int // owner thread or -1
	done    []bool
	dead    []bool
	after   []ir.Value
	next    []ir.Value
	listOwn int
	threads []*ir.Thread
	names   []string
	pending []bool // a worker thread not finished
	cur     int
	cookie  int
	log     []string
	quiet   bool
	ops     int
	fail    int // async_schedule_dev_nocall() allocations left to fail
}

func newFake(t *testing.T, prog *ir.Program, devs []fakeDev, links []fakeLink, param bool) *fakeKernel {
	k := &fakeKernel{t: t, prog: prog, devs: devs, links: links, param: param, listOwn: -1, cookie: 1}
	n := len(devs)
	k.ref, k.lock, k.done, k.dead = make([]int, n), make([]int, n), make([]bool, n), make([]bool, n)
	k.after, k.next = make([]ir.Value, n), make([]ir.Value, n)
	for i := range devs {
		k.list = append(k.list, i)
		k.ref[i] = 1
		k.lock[i] = -1
	}
	for i, l := range links {
		k.devs[l.supplier].consumers = append(k.devs[l.supplier].consumers, i)
	}
	return k
}

func (k *fakeKernel) name(d int) string {
	if d < 0 {
		return "NULL"
	}
	return k.devs[d].name
}

func (k *fakeKernel) record(format string, args ...any) {
	if k.quiet {
		return
	}
	k.log = append(k.log, k.names[k.cur]+": "+fmt.Sprintf(format, args...))
}

func (k *fakeKernel) index(d int) int {
	for i, x := range k.list {
		if x == d {
			return i
		}
	}
	return -1
}

// prev returns the entry before e on devices_kset->list (NoDev: the head).
func (k *fakeKernel) prev(e int) int {
	if e == ir.NoDev {
		if len(k.list) == 0 {
			return ir.NoDev
		}
		return k.list[len(k.list)-1]
	}
	i := k.index(e)
	if i < 0 {
		return e // off the list: list_del_init() linked it to itself
	}
	if i == 0 {
		return ir.NoDev
	}
	return k.list[i-1]
}

func (k *fakeKernel) Read(req ir.Loads) (out [ir.MaxLoads]ir.Value, ok bool) {
	loads := req.Req[:req.N]
	var parts []string
	for i, l := range loads {
		switch l.Field {
		case ir.FieldParam:
			out[i] = ir.Bool(k.param)
		case ir.FieldAsync:
			out[i] = ir.Bool(k.devs[l.Arg.Dev()].async)
		case ir.FieldParent:
			out[i] = ir.Dev(k.devs[l.Arg.Dev()].parent)
		case ir.FieldDead:
			out[i] = ir.Bool(k.dead[l.Arg.Dev()])
		case ir.FieldAfter:
			out[i] = k.after[l.Arg.Dev()]
		case ir.FieldNext:
			out[i] = k.next[l.Arg.Dev()]
		case ir.FieldListPrev:
			out[i] = ir.Obj(ir.ObjEntry, k.prev(l.Arg.Dev()))
		default:
			k.t.Fatalf("read of %v", l.Field)
		}
		parts = append(parts, l.Field.String())
	}
	switch {
	case len(loads) == 2 && loads[0].Field == ir.FieldParam && loads[1].Field == ir.FieldAsync:
		k.record("WantsAsync(%s)=%v", k.name(loads[1].Arg.Dev()), out[0].True() && out[1].True())
	case len(loads) == 1 && loads[0].Field == ir.FieldParam:
		k.record("ReadParam=%v", out[0].True())
	case len(loads) == 1 && loads[0].Field == ir.FieldListPrev && loads[0].Arg.Dev() == ir.NoDev:
		k.record("ListLast=%s", k.name(out[0].Dev()))
	case len(loads) == 1 && loads[0].Field == ir.FieldListPrev:
		k.record("ListPrev(%s)=%s", k.name(loads[0].Arg.Dev()), k.name(out[0].Dev()))
	case len(loads) == 1 && loads[0].Field == ir.FieldParent:
		k.record("ReadParent(%s)=%s", k.name(loads[0].Arg.Dev()), k.name(out[0].Dev()))
	case len(loads) == 1 && loads[0].Field == ir.FieldDead:
		k.record("ReadDead(%s)=%v", k.name(loads[0].Arg.Dev()), out[0].True())
	case len(loads) == 1 && loads[0].Field == ir.FieldAfter:
		k.record("ReadAfter(%s)=%v", k.name(loads[0].Arg.Dev()), out[0])
	case len(loads) == 1:
		k.record("Read%v(%s)=%v", strings.ReplaceAll(loads[0].Field.String(), "dev->", ""), k.name(loads[0].Arg.Dev()), out[0])
	default:
		k.record("Read%v", parts)
	}
	return out, true
}

func (k *fakeKernel) Write(f ir.Field, arg, v ir.Value) bool {
	d := arg.Dev()
	switch f {
	case ir.FieldAfter:
		k.after[d] = v
		k.record("SetAfter(%s)=%v", k.name(d), v)
	case ir.FieldNext:
		k.next[d] = v
		k.record("SetNext(%s)", k.name(d))
	case ir.FieldDead:
		k.dead[d] = v.True()
		k.record("KillDevice(%s)", k.name(d))
	default:
		k.t.Fatalf("write of %v", f)
	}
	return true
}

func (k *fakeKernel) spawn(fn ir.Value, data ir.Value) {
	cookie := ir.Int(int64(k.cookie))
	k.cookie++
	th := k.prog.Start(fn.Func(), data, cookie)
	k.threads = append(k.threads, &th)
	k.names = append(k.names, "async:"+k.name(data.Dev()))
	k.pending = append(k.pending, true)
}

func (k *fakeKernel) anyPending() bool {
	for _, p := range k.pending {
		if p {
			return true
		}
	}
	return false
}

func (k *fakeKernel) Prim(p ir.Prim, args ir.Args) (ir.Value, ir.Value, bool) {
	a := args.V[:args.N]
	dev := func(i int) int { return a[i].Dev() }
	switch p {
	case ir.PrimSpinLock:
		if k.listOwn >= 0 {
			return 0, 0, false
		}
		k.listOwn = k.cur
		k.record("SpinLock")
	case ir.PrimSpinUnlock:
		k.listOwn = -1
		k.record("SpinUnlock")
	case ir.PrimListDelInit:
		if i := k.index(dev(0)); i >= 0 {
			k.list = append(k.list[:i], k.list[i+1:]...)
		}
		k.record("ListDelInit(%s)", k.name(dev(0)))
	case ir.PrimGetDevice:
		k.ref[dev(0)]++
		k.record("GetDevice(%s)", k.name(dev(0)))
		return a[0], 0, true
	case ir.PrimPutDevice:
		k.ref[dev(0)]--
		k.record("PutDevice(%s)", k.name(dev(0)))
	case ir.PrimGetParent:
		par := k.devs[dev(0)].parent
		if par >= 0 {
			k.ref[par]++
		}
		k.record("GetParent(%s)=%s", k.name(dev(0)), k.name(par))
		return ir.Dev(par), 0, true
	case ir.PrimDeviceLock:
		if k.lock[dev(0)] >= 0 {
			return 0, 0, false
		}
		k.lock[dev(0)] = k.cur
		k.record("DeviceLock(%s)", k.name(dev(0)))
	case ir.PrimDeviceUnlock:
		k.lock[dev(0)] = -1
		k.record("DeviceUnlock(%s)", k.name(dev(0)))
	case ir.PrimWaitCompletion:
		if !k.done[dev(0)] {
			return 0, 0, false
		}
		k.record("WaitForCompletion(%s)", k.name(dev(0)))
	case ir.PrimCompleteAll:
		k.done[dev(0)] = true
		k.record("CompleteAll(%s)", k.name(dev(0)))
	case ir.PrimAsyncSchedule:
		if k.fail > 0 {
			k.fail--
			k.record("AsyncSchedule(%s)=false", k.name(dev(1)))
			return 0, 0, true
		}
		k.spawn(a[0], a[1])
		k.record("AsyncSchedule(%s)=true", k.name(dev(1)))
		return 1, 0, true
	case ir.PrimAsyncQueueDomain:
		c := k.cookie
		k.spawn(a[0], a[1])
		k.record("AsyncScheduleDomain(%s)=%d", k.name(dev(1)), c)
		return 1, ir.Int(int64(c)), true
	case ir.PrimAsyncSyncFull, ir.PrimAsyncSyncDomain:
		if k.anyPending() {
			return 0, 0, false
		}
		k.record("AsyncSyncFull")
	case ir.PrimAsyncSyncCookie:
		// lowest_in_progress(domain) >= cookie: thread i is entry i, and
		// the waiting entry counts too.
		for i, pend := range k.pending {
			if i > 0 && pend && int64(i) < a[0].Int() {
				return 0, 0, false
			}
		}
		k.record("AsyncSyncCookie(%d)", a[0].Int())
	case ir.PrimLinksReadLock:
		k.record("LinksReadLock")
	case ir.PrimLinksReadUnlock:
		k.record("LinksReadUnlock")
	case ir.PrimLinkNext:
		links := k.devs[dev(0)].consumers
		if a[0].Obj() == ir.ObjSuppliers {
			links = nil
			for i, l := range k.links {
				if l.consumer == dev(0) {
					links = append(links, i)
				}
			}
		}
		next := -1
		if !a[1].True() {
			if len(links) > 0 {
				next = links[0]
			}
		} else {
			for i, l := range links {
				if l == a[1].Link() && i+1 < len(links) {
					next = links[i+1]
				}
			}
		}
		k.record("NextLink(%s)=%d", k.name(dev(0)), next)
		return ir.Link(next), 0, true
	case ir.PrimKlistNext:
		it := a[0]
		var children []int
		for i, d := range k.devs {
			if d.parent == it.Dev() {
				children = append(children, i)
			}
		}
		next := ir.NoDev
		if it.Cur() == ir.NoDev {
			if len(children) > 0 {
				next = children[0]
			}
		} else {
			for i, c := range children {
				if c == it.Cur() && i+1 < len(children) {
					next = children[i+1]
				}
			}
		}
		k.record("KlistNext(%s)=%s", k.name(it.Dev()), k.name(next))
		return ir.Dev(next), 0, true
	case ir.PrimShutdownStart:
		k.record("ShutdownStart(%s)", k.name(dev(1)))
	case ir.PrimShutdownEnd:
		k.record("ShutdownEnd(%s)", k.name(dev(1)))
	case ir.PrimClearAsync:
		k.devs[dev(0)].async = false
		k.record("ClearAsync(%s)", k.name(dev(0)))
	default:
		k.t.Fatalf("primitive %v", p)
	}
	return 0, 0, true
}

func (k *fakeKernel) Static(s ir.Static, arg ir.Value) ir.Value {
	switch s {
	case ir.StaticBus:
		return ir.Obj(ir.ObjBus, arg.Dev())
	case ir.StaticBusShutdown:
		return ir.Obj(ir.ObjBusShutdown, arg.Dev())
	case ir.StaticDriver:
		return ir.Obj(ir.ObjDriver, arg.Dev())
	case ir.StaticDriverShutdown:
		return ir.Obj(ir.ObjDriverShutdown, arg.Dev())
	case ir.StaticClass, ir.StaticClassShutdownPre:
		return 0
	case ir.StaticNeedParentLock:
		return ir.Bool(k.devs[arg.Dev()].needParentLock)
	case ir.StaticDriverAsync:
		return ir.Bool(k.devs[arg.Dev()].async)
	case ir.StaticLinkSupplier:
		return ir.Dev(k.links[arg.Link()].supplier)
	case ir.StaticLinkConsumer:
		return ir.Dev(k.links[arg.Link()].consumer)
	case ir.StaticLinkFlags:
		if k.links[arg.Link()].sso {
			return ir.Int(1<<7 | 1<<6) // DL_FLAG_SYNC_STATE_ONLY | DL_FLAG_MANAGED
		}
		return ir.Int(1 << 6) // DL_FLAG_MANAGED
	}
	k.t.Fatalf("static %v", s)
	return 0
}

// run runs device_shutdown() to its end, the oldest runnable thread first.
func (k *fakeKernel) run() {
	main, ok := k.prog.Lookup("device_shutdown")
	if !ok {
		k.t.Fatal("no device_shutdown")
	}
	th := k.prog.Start(main)
	k.threads = []*ir.Thread{&th}
	k.names = []string{"main"}
	k.pending = []bool{false}
	finished := make([]bool, 1)
	for steps := 0; steps < 10000; steps++ {
		progress := false
		for i := 0; i < len(k.threads); i++ {
			if i >= len(finished) {
				finished = append(finished, false)
			}
			if finished[i] {
				continue
			}
			k.cur = i
			switch k.prog.Run(k.threads[i], k) {
			case ir.Done:
				finished[i] = true
				k.pending[i] = false
				progress = true
			case ir.Ran:
				progress = true
				k.ops++
			}
			if progress {
				break
			}
		}
		if !progress {
			for i, f := range finished {
				if !f {
					k.t.Fatalf("hang: %s stopped", k.names[i])
				}
			}
			return
		}
	}
	k.t.Fatal("too many steps")
}

func compileVersion(t *testing.T, name string) *ir.Program {
	t.Helper()
	v, ok := baseline.LookupVersion(name)
	if !ok {
		if name != "upstream" {
			t.Fatalf("no version %s", name)
		}
		prog, err := Compile(baseline.CoreC, baseline.Files()[baseline.CoreC], Options{})
		if err != nil {
			t.Fatal(err)
		}
		return prog
	}
	prog, err := CompileVersion(v)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

func thread(log []string, name string) []string {
	var out []string
	for _, l := range log {
		if rest, ok := strings.CutPrefix(l, name+": "); ok {
			out = append(out, rest)
		}
	}
	return out
}

func checkSeq(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot  %s\nwant %s", what, strings.Join(got, " "), strings.Join(want, " "))
	}
}

// Upstream on a root a and its child b (devices_kset: a, b): the main
// thread's operations are model/upstream.go's cases in order.
func TestRunUpstream(t *testing.T) {
	k := newFake(t, compileVersion(t, "upstream"), []fakeDev{{name: "a", parent: -1}, {name: "b", parent: 0}}, nil, true)
	k.run()
	checkSeq(t, "main", thread(k.log, "main"), []string{
		"SpinLock", "ListLast=b", "GetParent(b)=a", "GetDevice(b)", "ListDelInit(b)", "SpinUnlock",
		"DeviceLock(a)", "DeviceLock(b)", "ShutdownStart(b)", "ShutdownEnd(b)", "DeviceUnlock(b)", "DeviceUnlock(a)",
		"PutDevice(b)", "PutDevice(a)",
		"SpinLock", "ListLast=a", "GetParent(a)=NULL", "GetDevice(a)", "ListDelInit(a)", "SpinUnlock",
		"DeviceLock(a)", "ShutdownStart(a)", "ShutdownEnd(a)", "DeviceUnlock(a)", "PutDevice(a)",
		"SpinLock", "ListLast=NULL", "SpinUnlock",
	})
}

// v14 on a root a and its async child b: model/v14.go's early pass queues
// b, the main loop shuts a down after waiting for b; the worker runs the
// handler (the binding adds the worker's own start and end steps).
func TestRunV14(t *testing.T) {
	for _, name := range []string{"v14", "v15", "v12", "v11"} {
		k := newFake(t, compileVersion(t, name), []fakeDev{{name: "a", parent: -1}, {name: "b", parent: 0, async: true}}, nil, true)
		k.run()
		main := []string{
			"ReadParam=true", "SpinLock", "ListLast=b", "ListPrev(b)=a", "WantsAsync(b)=true", "GetDevice(b)",
			"AsyncSchedule(b)=true", "ListDelInit(b)", "ListPrev(a)=NULL", "WantsAsync(a)=false", "SpinUnlock",
			"SpinLock", "ListLast=a", "GetDevice(a)", "ListDelInit(a)", "SpinUnlock", "WantsAsync(a)=false",
			"KlistNext(a)=b", "WantsAsync(b)=true", "WaitForCompletion(b)", "KlistNext(a)=NULL",
			"LinksReadLock", "NextLink(a)=-1", "LinksReadUnlock",
			"DeviceLock(a)", "ShutdownStart(a)", "ShutdownEnd(a)", "CompleteAll(a)", "DeviceUnlock(a)", "PutDevice(a)",
			"SpinLock", "ListLast=NULL", "SpinUnlock", "AsyncSyncFull",
		}
		worker := []string{
			"KlistNext(b)=NULL", "LinksReadLock", "NextLink(b)=-1", "LinksReadUnlock",
			"DeviceLock(b)", "ShutdownStart(b)", "ShutdownEnd(b)", "CompleteAll(b)", "DeviceUnlock(b)", "PutDevice(b)",
		}
		if name == "v11" || name == "v12" {
			// model/v11.go, v12.go: the early pass and the main loop also
			// take a parent reference, which shutdown_one_device() drops
			// with put_device(dev->parent), reading dev->parent; b's bus
			// does not need the parent lock, so the tests of
			// `dev->parent && dev->bus && dev->bus->need_parent_lock` read
			// nothing (the free tests go first: condFreeFirst).
			main = nil
			worker = []string{
				"KlistNext(b)=NULL", "LinksReadLock", "NextLink(b)=-1", "LinksReadUnlock",
				"DeviceLock(b)", "ShutdownStart(b)", "ShutdownEnd(b)", "CompleteAll(b)", "DeviceUnlock(b)",
				"ReadParent(b)=a", "PutDevice(a)", "PutDevice(b)",
			}
		}
		if main != nil {
			checkSeq(t, name+" main", thread(k.log, "main"), main)
		}
		checkSeq(t, name+" async:b", thread(k.log, "async:b"), worker)
	}
}

// v17 on a root a and its async child b: model/v17.go's
// start_async_shutdown_devices() (list_lock dropped around the queueing, a
// reference on the next device, the dead check) and shutdown_one_device().
func TestRunV17(t *testing.T) {
	k := newFake(t, compileVersion(t, "v17"), []fakeDev{{name: "a", parent: -1}, {name: "b", parent: 0, async: true}}, nil, true)
	k.run()
	checkSeq(t, "main", thread(k.log, "main"), []string{
		"ReadParam=true", "SpinLock", "ListLast=b", "ListPrev(b)=a", "WantsAsync(b)=true", "GetDevice(b)", "GetDevice(a)",
		"SpinUnlock", "AsyncSchedule(b)=true", "ListDelInit(b)", "SpinLock", "ReadDead(a)=false",
		"ListPrev(a)=NULL", "WantsAsync(a)=false", "SpinUnlock", "PutDevice(a)",
		"SpinLock", "ListLast=a", "GetDevice(a)", "ListDelInit(a)", "SpinUnlock", "WantsAsync(a)=false",
		"KlistNext(a)=b", "WantsAsync(b)=true", "WaitForCompletion(b)", "KlistNext(a)=NULL",
		"LinksReadLock", "NextLink(a)=-1", "LinksReadUnlock",
		"DeviceLock(a)", "ReadDead(a)=false", "ShutdownStart(a)", "ShutdownEnd(a)", "CompleteAll(a)", "DeviceUnlock(a)", "PutDevice(a)",
		"SpinLock", "ListLast=NULL", "SpinUnlock", "AsyncSyncFull",
	})
	checkSeq(t, "async:b", thread(k.log, "async:b"), []string{
		"KlistNext(b)=NULL", "LinksReadLock", "NextLink(b)=-1", "LinksReadUnlock",
		"DeviceLock(b)", "ReadDead(b)=false", "ShutdownStart(b)", "ShutdownEnd(b)", "CompleteAll(b)", "DeviceUnlock(b)", "PutDevice(b)",
	})
}

// v8 and v9 on a root a and its async child b (b's driver enables async
// shutdown): model/v8.go's main loop queues every device with
// async_schedule_domain() and writes the cookies; the handlers wait with
// async_synchronize_cookie_domain(). shutdown_one_device() of v8 2/4 tests
// `dev->parent && dev->bus && dev->bus->need_parent_lock` before locking
// and before unlocking: neither bus needs the parent lock, so neither test
// reads dev->parent (as in the model); the read after put_device(dev) is
// the model's ReadParent.
func TestRunCookies(t *testing.T) {
	for _, name := range []string{"v8", "v9"} {
		k := newFake(t, compileVersion(t, name), []fakeDev{{name: "a", parent: -1}, {name: "b", parent: 0, async: true}}, nil, true)
		k.run()
		main := []string{
			"SpinLock", "ListLast=b", "GetParent(b)=a", "GetDevice(b)", "ListDelInit(b)", "SpinUnlock",
			"GetDevice(b)", "GetDevice(a)", "AsyncScheduleDomain(b)=1", "SetAfter(a)=1", "PutDevice(a)",
			"LinksReadLock", "NextLink(b)=-1", "LinksReadUnlock", "PutDevice(b)",
			"SpinLock", "ListLast=a", "GetParent(a)=NULL", "GetDevice(a)", "ListDelInit(a)", "SpinUnlock",
			"SetAfter(a)=1", // v8 only: a sync device waits for the entry queued before it
			"GetDevice(a)", "AsyncScheduleDomain(a)=2",
			"LinksReadLock", "NextLink(a)=-1", "LinksReadUnlock", "PutDevice(a)",
			"SpinLock", "ListLast=NULL", "SpinUnlock", "AsyncSyncFull",
		}
		waitA := []string{"ReadAfter(a)=1", "AsyncSyncCookie(2)"}
		if name == "v9" {
			main = append(main[:21:21], main[22:]...)
			waitA = []string{"AsyncSyncCookie(2)"} // a sync device waits on its own cookie
		}
		checkSeq(t, name+" main", thread(k.log, "main"), main)
		checkSeq(t, name+" async:b", thread(k.log, "async:b"), []string{
			"ReadAfter(b)=0", "AsyncSyncCookie(1)",
			"DeviceLock(b)", "ShutdownStart(b)", "ShutdownEnd(b)", "DeviceUnlock(b)",
			"PutDevice(b)", "ReadParent(b)=a", "PutDevice(a)",
		})
		checkSeq(t, name+" async:a", thread(k.log, "async:a"), append(waitA,
			"DeviceLock(a)", "ShutdownStart(a)", "ShutdownEnd(a)", "DeviceUnlock(a)",
			"PutDevice(a)", "ReadParent(a)=NULL",
		))
	}
}

// v10 (no hand-written model): the synclist and the union
// shutdown.next/after run to the end on a parent, an async child and a
// sync child.
func TestRunV10(t *testing.T) {
	k := newFake(t, compileVersion(t, "v10"), []fakeDev{{name: "a", parent: -1}, {name: "b", parent: 0, async: true}, {name: "c", parent: 0}}, nil, true)
	k.run()
	var shut []string
	for _, l := range k.log {
		if strings.Contains(l, "ShutdownStart") {
			shut = append(shut, l)
		}
	}
	checkSeq(t, "shutdowns", shut, []string{"async:c: ShutdownStart(c)", "async:b: ShutdownStart(b)", "async:a: ShutdownStart(a)"})
}

// A need_parent_lock child (USB): v11's and v12's shutdown_one_device()
// read dev->parent for each use; v14's takes a
// reference on the parent and locks it around __shutdown_one_device();
// v17's locks the device first, checks dead, and re-locks parent then
// child (model/v14.go, model/v17.go).
func TestRunNeedParentLock(t *testing.T) {
	devs := func() []fakeDev {
		return []fakeDev{{name: "a", parent: -1}, {name: "b", parent: 0, needParentLock: true}}
	}
	one := map[string][]string{
		"v14": {"GetParent(b)=a", "DeviceLock(a)", "DeviceLock(b)", "ShutdownStart(b)", "ShutdownEnd(b)", "CompleteAll(b)",
			"DeviceUnlock(b)", "DeviceUnlock(a)", "PutDevice(a)", "PutDevice(b)"},
		"v17": {"DeviceLock(b)", "ReadDead(b)=false", "GetParent(b)=a", "DeviceUnlock(b)", "DeviceLock(a)", "DeviceLock(b)",
			"ReadDead(b)=false", "ShutdownStart(b)", "ShutdownEnd(b)", "CompleteAll(b)", "DeviceUnlock(b)", "DeviceUnlock(a)",
			"PutDevice(a)", "PutDevice(b)"},
		// v11 and v12 read dev->parent to lock the parent, to unlock it and
		// to put it (model/v11.go, v12.go).
		"v11": {"ReadParent(b)=a", "DeviceLock(a)", "DeviceLock(b)", "ShutdownStart(b)", "ShutdownEnd(b)", "CompleteAll(b)",
			"DeviceUnlock(b)", "ReadParent(b)=a", "DeviceUnlock(a)", "ReadParent(b)=a", "PutDevice(a)", "PutDevice(b)"},
		"v12": {"ReadParent(b)=a", "DeviceLock(a)", "DeviceLock(b)", "ShutdownStart(b)", "ShutdownEnd(b)", "CompleteAll(b)",
			"DeviceUnlock(b)", "ReadParent(b)=a", "DeviceUnlock(a)", "ReadParent(b)=a", "PutDevice(a)", "PutDevice(b)"},
	}
	for name, want := range one {
		k := newFake(t, compileVersion(t, name), devs(), nil, true)
		k.run()
		main := thread(k.log, "main")
		start := -1
		for i, op := range main {
			if op == "LinksReadUnlock" {
				start = i + 1
				break
			}
		}
		if start < 0 || start+len(want) > len(main) {
			t.Fatalf("%s: %v", name, main)
		}
		checkSeq(t, name+" shutdown_one_device(b)", main[start:start+len(want)], want)
	}
}

// BenchmarkRunV14 runs v14's device_shutdown() on a parent with three async
// children, fake kernel included: an upper bound on what interpreting
// costs per kernel operation.
func BenchmarkRunV14(b *testing.B) {
	prog := compileVersion(&testing.T{}, "v14")
	devs := []fakeDev{{name: "a", parent: -1}, {name: "b", parent: 0, async: true}, {name: "c", parent: 0, async: true}, {name: "d", parent: 0, async: true}}
	ops := 0
	for b.Loop() {
		k := newFake(&testing.T{}, prog, append([]fakeDev(nil), devs...), nil, true)
		k.quiet = true
		k.run()
		ops = k.ops
	}
	b.ReportMetric(float64(ops), "ops/run")
}

// A supplier s and its async consumer c: the sync main loop waits for c
// through the link (model/v14.go's waitForShutdownDependencies), unless
// the link is sync_state_only.
func TestRunLinks(t *testing.T) {
	for _, sso := range []bool{false, true} {
		k := newFake(t, compileVersion(t, "v14"), []fakeDev{{name: "s", parent: -1}, {name: "c", parent: -1, async: true}},
			[]fakeLink{{supplier: 0, consumer: 1, sso: sso}}, true)
		k.run()
		wait := []string{"WantsAsync(c)=true", "WaitForCompletion(c)"}
		if sso {
			wait = nil
		}
		want := append([]string{
			"ReadParam=true", "SpinLock", "ListLast=c", "ListPrev(c)=s", "WantsAsync(c)=true", "GetDevice(c)",
			"AsyncSchedule(c)=true", "ListDelInit(c)", "ListPrev(s)=NULL", "WantsAsync(s)=false", "SpinUnlock",
			"SpinLock", "ListLast=s", "GetDevice(s)", "ListDelInit(s)", "SpinUnlock", "WantsAsync(s)=false",
			"KlistNext(s)=NULL", "LinksReadLock", "NextLink(s)=0"}, wait...)
		want = append(want, "NextLink(s)=-1", "LinksReadUnlock",
			"DeviceLock(s)", "ShutdownStart(s)", "ShutdownEnd(s)", "CompleteAll(s)", "DeviceUnlock(s)", "PutDevice(s)",
			"SpinLock", "ListLast=NULL", "SpinUnlock", "AsyncSyncFull")
		checkSeq(t, fmt.Sprintf("sso=%v main", sso), thread(k.log, "main"), want)
	}
}

// A failed allocation in the early pass: v14 stops the pass and puts the
// device (needs_put), the main loop queues it again; v17 clears the
// device's async flag, goes on, and the main loop shuts it down
// synchronously (model/v14.go, model/v17.go).
func TestRunAllocFailure(t *testing.T) {
	devs := func() []fakeDev { return []fakeDev{{name: "a", parent: -1}, {name: "b", parent: 0, async: true}} }
	k := newFake(t, compileVersion(t, "v14"), devs(), nil, true)
	k.fail = 1
	k.run()
	checkSeq(t, "v14 main", thread(k.log, "main")[:18], []string{
		"ReadParam=true", "SpinLock", "ListLast=b", "ListPrev(b)=a", "WantsAsync(b)=true", "GetDevice(b)",
		"AsyncSchedule(b)=false", "SpinUnlock", "PutDevice(b)",
		"SpinLock", "ListLast=b", "GetDevice(b)", "ListDelInit(b)", "SpinUnlock", "WantsAsync(b)=true", "AsyncSchedule(b)=true",
		"SpinLock", "ListLast=a",
	})
	k = newFake(t, compileVersion(t, "v17"), devs(), nil, true)
	k.fail = 1
	k.run()
	checkSeq(t, "v17 main", thread(k.log, "main")[:35], []string{
		"ReadParam=true", "SpinLock", "ListLast=b", "ListPrev(b)=a", "WantsAsync(b)=true", "GetDevice(b)", "GetDevice(a)",
		"SpinUnlock", "AsyncSchedule(b)=false", "ClearAsync(b)", "PutDevice(b)", "SpinLock", "ReadDead(a)=false",
		"ListPrev(a)=NULL", "WantsAsync(a)=false", "SpinUnlock", "PutDevice(a)",
		"SpinLock", "ListLast=b", "GetDevice(b)", "ListDelInit(b)", "SpinUnlock", "WantsAsync(b)=false",
		"KlistNext(b)=NULL", "LinksReadLock", "NextLink(b)=-1", "LinksReadUnlock",
		"DeviceLock(b)", "ReadDead(b)=false", "ShutdownStart(b)", "ShutdownEnd(b)", "CompleteAll(b)", "DeviceUnlock(b)", "PutDevice(b)",
		"SpinLock",
	})
}

// The supplier walk of v8 and v9's main loop: the new cookie goes to every
// supplier (v8) or to every supplier but through a sync_state_only link
// (v9) (model/v8.go's nextSupplier and setSupplierAfter).
func TestRunSupplierCookies(t *testing.T) {
	for _, c := range []struct {
		version string
		sso     bool
		set     bool
	}{{"v8", false, true}, {"v8", true, true}, {"v9", false, true}, {"v9", true, false}} {
		k := newFake(t, compileVersion(t, c.version), []fakeDev{{name: "s", parent: -1}, {name: "c", parent: -1, async: true}},
			[]fakeLink{{supplier: 0, consumer: 1, sso: c.sso}}, true)
		k.run()
		want := []string{"SpinLock", "ListLast=c", "GetParent(c)=NULL", "GetDevice(c)", "ListDelInit(c)", "SpinUnlock",
			"GetDevice(c)", "AsyncScheduleDomain(c)=1", "LinksReadLock", "NextLink(c)=0"}
		if c.set {
			want = append(want, "SetAfter(s)=1")
		}
		want = append(want, "NextLink(c)=-1", "LinksReadUnlock", "PutDevice(c)", "SpinLock", "ListLast=s")
		checkSeq(t, fmt.Sprintf("%s sso=%v", c.version, c.sso), thread(k.log, "main")[:len(want)], want)
	}
}
