package model

import (
	"encoding/binary"
	"fmt"
	"strings"
	"sync"

	"github.com/shutdowncheck/shutdowncheck/cfront/ir"
)

// Versions interpreted from C. NewProgramVariant makes a Variant of an
// ir.Program (cfront's lowering of a drivers/base/core.c): the program's
// device_shutdown() is the main thread, its kill_device() (if it defines
// one) is what device_del() calls, and the functions it passes to
// async_schedule_dev_nocall() and async_schedule_domain() run on the
// model's async_wq workers. Every kernel operation of the C is one step of
// the kernel-object layer (ir.Kernel bound to Kernel below), so the
// schedulers, engines, properties, actors and reports work unchanged.
//
// Where the interpreter's state lives: a thread running interpreted code
// has one model Frame for it (Fn names the outermost C function: the
// FuncID of device_shutdown, of the async entry's function or of
// kill_device; Dev and Aux its arguments), and its C call stack and locals
// are State.Interp[tid], an ir.Thread (a value, copied with the State). A
// worker keeps the model's own async_run_entry_fn frame below it, so that
// picking up the entry and finishing it are the model's steps, as for the
// hand-written versions.
//
// Event.Func names the C function the operation is in: each C function
// name has a FuncID of its own (interpFunc), whose step is the
// interpreter.

// interpProg is how a Variant made of a program runs it.
type interpProg struct {
	prog *ir.Program
	fid  []FuncID   // per program function: the FuncID that names it
	fn   [256]int16 // per FuncID: the program function, -1: none
	kill int16      // kill_device(), -1: none
	dev  int16      // device_shutdown()'s local dev: its slot, -1: none
	pos  [][]uint16 // per function and PC: 1 + the index of its place in places
	// places are the instructions' places, FILE:LINE (the file's base
	// name), for traces (Event.Pos).
	places []string
}

// interpFuncs gives each C function name one FuncID, shared by every
// program that defines a function of that name.
var interpFuncs = struct {
	sync.Mutex
	ids map[string]FuncID
}{ids: map[string]FuncID{}}

func interpFunc(name string) (FuncID, error) {
	interpFuncs.Lock()
	defer interpFuncs.Unlock()
	if id, ok := interpFuncs.ids[name]; ok {
		return id, nil
	}
	id, ok := defineFunc(name, interpStep)
	if !ok {
		return 0, fmt.Errorf("model: no room for the name of C function %s (at most 255 modeled and interpreted function names)", name)
	}
	interpFuncs.ids[name] = id
	return id, nil
}

// NewProgramVariant returns the version called name that runs prog: its
// device_shutdown() (no parameters), and its kill_device(dev) if it has
// one (else the model's, upstream's). It is not one of Variants(): the
// caller passes it where a *Variant goes. An error says which operation of
// prog the kernel-object layer has no model of, and where it is.
func NewProgramVariant(name string, prog *ir.Program) (*Variant, error) {
	ip := &interpProg{prog: prog}
	for i := range ip.fn {
		ip.fn[i] = -1
	}
	for i, f := range prog.Funcs {
		id, err := interpFunc(f.Name)
		if err != nil {
			return nil, err
		}
		ip.fid = append(ip.fid, id)
		ip.fn[id] = int16(i)
	}
	if err := checkProgram(prog); err != nil {
		return nil, err
	}
	main, _ := prog.Lookup("device_shutdown")
	v := &Variant{Name: name, Number: -1, Summary: "interpreted from C", Program: prog, interp: ip}
	v.Main = ip.fid[main]
	ip.kill, ip.dev = -1, -1
	index := map[string]uint16{}
	for _, f := range prog.Funcs {
		pcs := make([]uint16, len(f.Code))
		for pc := range f.Code {
			place := f.Code[pc].Pos
			if place == "" {
				continue
			}
			if i := strings.LastIndex(place, "/"); i >= 0 {
				place = place[i+1:]
			}
			if _, ok := index[place]; !ok && len(ip.places) < 1<<16-1 {
				ip.places = append(ip.places, place)
				index[place] = uint16(len(ip.places))
			}
			pcs[pc] = index[place]
		}
		ip.pos = append(ip.pos, pcs)
	}
	for i, n := range prog.Funcs[main].SlotNames {
		if n == "dev" {
			ip.dev = int16(i)
		}
	}
	if kd, ok := prog.Lookup("kill_device"); ok {
		v.KillDevice = ip.fid[kd]
		ip.kill = int16(kd)
	}
	return v, nil
}

// checkProgram refuses a program with an operation the binding has no
// model of, or entry points of the wrong shape.
func checkProgram(prog *ir.Program) error {
	main, ok := prog.Lookup("device_shutdown")
	if !ok {
		return fmt.Errorf("the source defines no device_shutdown()")
	}
	if f := prog.Funcs[main]; f.Params != 0 {
		return fmt.Errorf("%s: device_shutdown() takes %d parameters, not none", f.Pos, f.Params)
	}
	if kd, ok := prog.Lookup("kill_device"); ok && prog.Funcs[kd].Params != 1 {
		f := prog.Funcs[kd]
		return fmt.Errorf("%s: kill_device() takes %d parameters, not one (the device)", f.Pos, f.Params)
	}
	for _, f := range prog.Funcs {
		for pc := range f.Code {
			in := &f.Code[pc]
			if err := checkInstr(prog, in); err != nil {
				return fmt.Errorf("%s: in %s(): %v (%s)", in.Pos, f.Name, err, in.Text)
			}
		}
	}
	// A thread's C stack has room for ir.MaxFrames frames and ir.MaxSlots
	// slots: refuse a program that may need more, from any function a
	// thread can start in.
	for i := range prog.Funcs {
		frames, slots, err := prog.Needs(i)
		if err != nil {
			return err
		}
		if f := prog.Funcs[i]; frames > ir.MaxFrames || slots > ir.MaxSlots {
			return fmt.Errorf("%s: %s() may need %d nested calls and %d locals and temporaries at once; the interpreter has room for %d and %d", f.Pos, f.Name, frames, slots, ir.MaxFrames, ir.MaxSlots)
		}
	}
	return nil
}

func checkInstr(prog *ir.Program, in *ir.Instr) error {
	var err error
	visit := func(e *ir.Expr) {
		walkExpr(e, func(e *ir.Expr) {
			if e.Op == ir.EConst && e.Val.Kind() == ir.KFunc && e.Val.True() && err == nil {
				// A function whose address is taken may become an async
				// entry, started with (data, cookie).
				if f := prog.Funcs[e.Val.Func()]; f.Params > 2 {
					err = fmt.Errorf("%s() is passed as a function pointer but takes %d parameters (an async entry takes data and a cookie)", f.Name, f.Params)
				}
			}
		})
	}
	visit(in.X)
	visit(in.Y)
	for _, a := range in.Args {
		visit(a)
	}
	for _, l := range in.Loads {
		visit(l.Arg)
	}
	if err != nil {
		return err
	}
	switch in.Op {
	case ir.OpRead:
		switch {
		case len(in.Loads) == 2 && in.Loads[0].Field == ir.FieldParam && in.Loads[1].Field == ir.FieldAsync:
			return nil // async_shutdown && dev->async_shutdown: wants_async_shutdown()
		case len(in.Loads) != 1:
			return fmt.Errorf("%d shared reads in one operation, which the model has no operation for (it reads async_shutdown && dev->async_shutdown at once, and each other field alone)", len(in.Loads))
		}
		switch f := in.Loads[0].Field; f {
		case ir.FieldParam, ir.FieldParent, ir.FieldDead, ir.FieldAfter, ir.FieldNext, ir.FieldListPrev:
		case ir.FieldAsync:
			return fmt.Errorf("a read of %v without async_shutdown: the model reads the flag only in wants_async_shutdown()", f)
		default:
			return fmt.Errorf("a read of %v, which the model does not have", f)
		}
	case ir.OpWrite:
		switch in.Field {
		case ir.FieldDead, ir.FieldAfter, ir.FieldNext:
		default:
			return fmt.Errorf("a write of %v, which the model does not have", in.Field)
		}
	case ir.OpPrim:
		switch in.Prim {
		case ir.PrimSetAsync, ir.PrimInitCompletion:
			return fmt.Errorf("%v(), which the model has no operation for", in.Prim)
		}
	}
	return nil
}

func walkExpr(e *ir.Expr, fn func(*ir.Expr)) {
	if e == nil {
		return
	}
	fn(e)
	walkExpr(e.X, fn)
	walkExpr(e.Y, fn)
	walkExpr(e.Z, fn)
}

// interpStep is the step function of every interpreted C function: it
// runs the thread's C up to, and including, its next kernel operation.
// The frame is the activation of the outermost C function (Dev, Aux: its
// arguments); State.Interp holds the C call stack.
func interpStep(k *Kernel, f *Frame) {
	ip := k.m.Variant.interp
	if int(k.tid) >= len(k.s.Interp) {
		k.s.Interp = append(k.s.Interp, make([]ir.Thread, int(k.tid)+1-len(k.s.Interp))...)
	}
	t := &k.s.Interp[k.tid]
	if t.Depth == 0 { // entering: device_shutdown(), fn(data, cookie), kill_device(dev)
		fn := int(ip.fn[f.Fn])
		switch ip.prog.Funcs[fn].Params {
		case 0:
			*t = ip.prog.Start(fn)
		case 1:
			*t = ip.prog.Start(fn, ir.Dev(int(f.Dev)))
		default:
			*t = ip.prog.Start(fn, ir.Dev(int(f.Dev)), ir.Int(int64(f.Aux)))
		}
	}
	for {
		st := ip.prog.Run(t, (*interpKernel)(k))
		switch {
		case st == ir.Done:
			ret := t.Ret
			*t = ir.Thread{}
			k.Return(int16(ret.Int()))
			return
		case st == ir.Ran && !k.recorded:
			continue // a free read (freeRead): on to the operation
		case k.recorded:
			top := t.Top()
			pc := int(top.PC)
			if st == ir.Ran {
				pc-- // the thread stands after the operation
			}
			k.ev.Func, k.ev.Pos = ip.fid[top.Fn], ip.pos[top.Fn][pc]
		}
		return
	}
}

// freeRead reports whether a read of dev->p->dead of d is no step of its
// own: kill_device()'s `if (dev->p->dead) return false;` before
// `dev->p->dead = true;`. kill_device() runs under device_lock(dev)
// (device_lock_assert()) and is the only writer of dead, so nothing can
// come between the read and the write that another thread could tell
// apart: the model's kill_device() is one step (OpKillDevice), and so is
// the C's: the read goes with the step before it (device_del()'s
// device_lock(dev)), as a read of that step.
func (b *interpKernel) freeRead(l ir.LoadReq) bool {
	k := (*Kernel)(b)
	f := k.t.top()
	if l.Field != ir.FieldDead || b.m.Variant.interp.fn[f.Fn] != b.m.Variant.interp.kill {
		return false
	}
	d := devOf(l.Arg)
	return d == f.Dev && d != NoDev && k.s.Dev[d].Lock == k.tid
}

// interpKernel is ir.Kernel on the kernel-object layer: each method is the
// Kernel method of the same operation (cfront/README.md's table).
type interpKernel Kernel

func devOf(v ir.Value) DevID { return DevID(v.Dev()) }

func devVal(d DevID) ir.Value { return ir.Dev(int(d)) }

func (b *interpKernel) Read(loads ir.Loads) (out [ir.MaxLoads]ir.Value, ok bool) {
	k := (*Kernel)(b)
	l := loads.Req[0]
	if loads.N == 2 { // async_shutdown && dev->async_shutdown (checkInstr)
		d := devOf(loads.Req[1].Arg)
		if _, ok := k.WantsAsyncShutdown(d); !ok {
			return out, false
		}
		out[0], out[1] = ir.Bool(k.s.Param), ir.Bool(k.s.Dev[d].Has(FlagAsync))
		return out, true
	}
	switch l.Field {
	case ir.FieldParam:
		var on bool
		on, ok = k.ReadAsyncShutdown()
		out[0] = ir.Bool(on)
	case ir.FieldParent:
		var p DevID
		p, ok = k.ReadParent(devOf(l.Arg))
		out[0] = devVal(p)
	case ir.FieldDead:
		if b.freeRead(l) {
			d := devOf(l.Arg)
			k.acc = append(k.acc, Access(DeadObj(d))<<2)
			out[0] = ir.Bool(k.s.Dev[d].Has(FlagDead))
			return out, true
		}
		var dead bool
		dead, ok = k.ReadDead(devOf(l.Arg))
		out[0] = ir.Bool(dead)
	case ir.FieldAfter:
		var after int16
		after, ok = k.ReadShutdownAfter(devOf(l.Arg))
		out[0] = ir.Int(int64(after))
	case ir.FieldNext: // v10: dev->p->shutdown.next, a union with .after
		next, ptr, ok2 := k.ReadShutdownNext(devOf(l.Arg))
		ok = ok2
		out[0] = devVal(next)
		if !ptr { // the word holds a cookie: what C would read as a pointer is that number
			out[0] = ir.Int(int64(k.s.Dev[devOf(l.Arg)].After))
		}
	case ir.FieldListPrev: // entry->prev; of the head: list_last_entry()
		var prev DevID
		if d := devOf(l.Arg); d == NoDev {
			prev, ok = k.ListLast()
		} else {
			prev, ok = k.ListPrev(d)
		}
		out[0] = ir.Obj(ir.ObjEntry, int(prev))
	default:
		panic(fmt.Sprintf("model: interpreted read of %v", l.Field))
	}
	return out, ok
}

func (b *interpKernel) Write(f ir.Field, arg, v ir.Value) bool {
	k := (*Kernel)(b)
	switch f {
	case ir.FieldDead: // dev->p->dead = true: kill_device()
		if !v.True() {
			panic("model: dev->p->dead = false is not modeled")
		}
		return k.KillDevice(devOf(arg))
	case ir.FieldAfter:
		return k.SetShutdownAfter(devOf(arg), int16(v.Int()))
	case ir.FieldNext: // v10: dev->p->shutdown.next = next
		return k.SetShutdownNext(devOf(arg), devOf(v))
	}
	panic(fmt.Sprintf("model: interpreted write of %v", f))
}

func (b *interpKernel) Prim(p ir.Prim, args ir.Args) (r, r2 ir.Value, ok bool) {
	k := (*Kernel)(b)
	a := &args.V
	switch p {
	case ir.PrimSpinLock:
		return 0, 0, k.SpinLockList()
	case ir.PrimSpinUnlock:
		return 0, 0, k.SpinUnlockList()
	case ir.PrimListDelInit:
		return 0, 0, k.ListDelInit(devOf(a[0]))
	case ir.PrimGetDevice:
		return a[0], 0, k.GetDevice(devOf(a[0]))
	case ir.PrimPutDevice:
		return 0, 0, k.PutDevice(devOf(a[0]))
	case ir.PrimGetParent:
		parent, ok := k.GetParent(devOf(a[0]))
		return devVal(parent), 0, ok
	case ir.PrimDeviceLock:
		return 0, 0, k.DeviceLock(devOf(a[0]))
	case ir.PrimDeviceUnlock:
		return 0, 0, k.DeviceUnlock(devOf(a[0]))
	case ir.PrimWaitCompletion:
		return 0, 0, k.WaitForCompletion(devOf(a[0]))
	case ir.PrimCompleteAll:
		return 0, 0, k.CompleteAll(devOf(a[0]))
	case ir.PrimAsyncSchedule: // async_schedule_dev_nocall(fn, dev)
		queued, ok := k.AsyncScheduleDevNocall(b.entry(a[0]), devOf(a[1]))
		return ir.Bool(queued), 0, ok
	case ir.PrimAsyncQueueDomain: // async_schedule_domain(fn, data, &sd_domain)'s allocation and queueing
		cookie, queued, ok := k.AsyncScheduleDomain(b.entry(a[0]), devOf(a[1]), DomainSD)
		return ir.Bool(queued), ir.Int(int64(cookie)), ok
	case ir.PrimAsyncSyncFull:
		return 0, 0, k.AsyncSynchronizeFull()
	case ir.PrimAsyncSyncDomain: // async_synchronize_full_domain(&sd_domain): the one domain object C names
		return 0, 0, k.AsyncSynchronizeFullDomain(DomainSD)
	case ir.PrimAsyncSyncCookie:
		return 0, 0, k.AsyncSynchronizeCookieDomain(int16(a[0].Int()), DomainSD)
	case ir.PrimLinksReadLock:
		return ir.Int(0), 0, k.DeviceLinksReadLock()
	case ir.PrimLinksReadUnlock:
		return 0, 0, k.DeviceLinksReadUnlock()
	case ir.PrimLinkNext: // the link after a[1] (NULL: the first) on &dev->links.consumers or .suppliers
		return b.linkNext(a[0], a[1])
	case ir.PrimKlistNext: // next_device(&i)
		child, ok := k.KlistNext(DevID(a[0].Dev()), DevID(a[0].Cur()))
		return devVal(child), 0, ok
	case ir.PrimKlistIterExit:
		// The iterator still holds a node: device_for_each_child() stopped
		// early (fn returned an error). No version of the series does.
		panic("model: klist_iter_exit() of an iterator standing on a node (device_for_each_child() stopped early) is not modeled")
	case ir.PrimShutdownStart:
		return 0, 0, k.ShutdownStart(devOf(a[1]))
	case ir.PrimShutdownEnd:
		return 0, 0, k.ShutdownEnd(devOf(a[1]))
	case ir.PrimClearAsync:
		return 0, 0, k.ClearAsyncShutdown(devOf(a[0]))
	}
	panic(fmt.Sprintf("model: interpreted primitive %v", p))
}

// entry returns the FuncID of the program function fn points to: what an
// async entry runs.
func (b *interpKernel) entry(fn ir.Value) FuncID {
	if fn.Kind() != ir.KFunc || !fn.True() {
		panic(fmt.Sprintf("model: an async entry of %v, not a function of the program", fn))
	}
	return b.m.Variant.interp.fid[fn.Func()]
}

// linkNext maps the C's link pointers to the model's positions on the
// device's link list.
func (b *interpKernel) linkNext(head, pos ir.Value) (ir.Value, ir.Value, bool) {
	k := (*Kernel)(b)
	d := devOf(head)
	consumers := head.Obj() == ir.ObjConsumers
	list := k.m.Top.Suppliers(d)
	if consumers {
		list = k.m.Top.Consumers(d)
	}
	at := int16(-1)
	if pos.True() {
		for i, l := range list {
			if l == pos.Link() {
				at = int16(i)
			}
		}
	}
	var next int16
	var ok bool
	if consumers {
		next, ok = k.NextConsumerLink(d, at)
	} else {
		next, ok = k.NextSupplierLink(d, at)
	}
	if next < 0 {
		return ir.Link(-1), 0, ok
	}
	return ir.Link(list[next]), 0, ok
}

// DL_FLAG_MANAGED and DL_FLAG_SYNC_STATE_ONLY (include/linux/device.h).
const (
	dlFlagManaged       = 1 << 6
	dlFlagSyncStateOnly = 1 << 7
)

// Static answers from the topology: every device has a bus with a
// ->shutdown() callback, a driver, no class; need_parent_lock and the
// driver's async_shutdown_enable (v5-v10) are the device's flags.
func (b *interpKernel) Static(s ir.Static, arg ir.Value) ir.Value {
	top := b.m.Top
	switch s {
	case ir.StaticLinkSupplier:
		return devVal(top.Links[arg.Link()].Supplier)
	case ir.StaticLinkConsumer:
		return devVal(top.Links[arg.Link()].Consumer)
	case ir.StaticLinkFlags:
		if top.Links[arg.Link()].SyncStateOnly {
			return ir.Int(dlFlagManaged | dlFlagSyncStateOnly)
		}
		return ir.Int(dlFlagManaged)
	}
	d := arg.Dev()
	if d == ir.NoDev { // of NULL: the C would oops; the model reads nothing
		return 0
	}
	switch s {
	case ir.StaticBus:
		return ir.Obj(ir.ObjBus, d)
	case ir.StaticBusShutdown:
		return ir.Obj(ir.ObjBusShutdown, d)
	case ir.StaticDriver:
		return ir.Obj(ir.ObjDriver, d)
	case ir.StaticDriverShutdown:
		return ir.Obj(ir.ObjDriverShutdown, d)
	case ir.StaticClass, ir.StaticClassShutdownPre:
		return 0
	case ir.StaticNeedParentLock:
		return ir.Bool(top.Devices[d].NeedParentLock)
	case ir.StaticDriverAsync:
		return ir.Bool(top.Devices[d].Async)
	}
	panic(fmt.Sprintf("model: interpreted static %v", s))
}

// Pos returns where the operation of ev is in the C of an interpreted
// version (FILE:LINE), or "".
func (m *Machine) Pos(ev Event) string {
	if ip := m.Variant.interp; ip != nil && ev.Pos > 0 && int(ev.Pos) <= len(ip.places) {
		return ip.places[ev.Pos-1]
	}
	return ""
}

// MainDevice returns the device device_shutdown()'s loop is at (its
// local dev), for reports: which device the main thread is shutting down.
func (m *Machine) MainDevice(s *State) DevID {
	ip := m.Variant.interp
	if ip == nil {
		return s.Threads[0].Frames[0].Dev
	}
	if ip.dev < 0 || len(s.Interp) == 0 || s.Interp[0].Depth == 0 {
		return NoDev
	}
	if v := s.Interp[0].Slots[ip.dev]; v.Kind() == ir.KDev {
		return devOf(v)
	}
	return NoDev
}

// interpPins reports whether thread tid's interpreted code holds a klist
// iterator standing on dev (a struct klist_iter local of
// device_for_each_child()).
func interpPins(s *State, tid TID, dev DevID) bool {
	if int(tid) >= len(s.Interp) {
		return false
	}
	for _, v := range s.Interp[tid].Slots {
		if v.Kind() == ir.KIter && DevID(v.Cur()) == dev {
			return true
		}
	}
	return false
}

// appendInterpKey encodes State.Interp: the threads up to the last one
// running C (the others are the zero ir.Thread), each as its depth, each
// frame's function and PC (the bases follow from them), and its slots up
// to the last non-zero one (the slots a thread does not read again are
// zero). The zero thread is its depth alone.
func appendInterpKey(buf []byte, ts []ir.Thread) []byte {
	n := len(ts)
	for n > 0 && ts[n-1].Depth == 0 {
		n--
	}
	buf = binary.AppendUvarint(buf, uint64(n))
	for i := range ts[:n] {
		t := &ts[i]
		buf = append(buf, t.Depth)
		if t.Depth == 0 {
			continue
		}
		for j := 0; j < int(t.Depth); j++ {
			f := &t.Frames[j]
			buf = append(buf, f.Fn)
			buf = binary.AppendUvarint(buf, uint64(f.PC))
		}
		last := len(t.Slots)
		for last > 0 && t.Slots[last-1] == 0 {
			last--
		}
		buf = binary.AppendUvarint(buf, uint64(last))
		for _, v := range t.Slots[:last] {
			// the payload, then the kind in the low bits: one byte for
			// NULL, small integers and the first devices.
			buf = binary.AppendUvarint(buf, uint64(v&(1<<28-1))<<3|uint64(v>>28))
		}
	}
	return buf
}
