package ir

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// Kernel is what the interpreter runs kernel operations on: a binding to
// the kernel-object layer (model.Kernel). It mirrors model.Kernel's
// contract: each method is one kernel operation and returns ok = false,
// having changed nothing, when the operation is not to run now (the
// machine is probing which operation comes next, or it cannot run), and
// runs it and returns ok = true otherwise.
//
// Loads and arguments are passed, and read values returned, by value (small
// arrays): a call through the interface then costs no allocation.
type Kernel interface {
	// Read reads every load at once (one operation) and returns their
	// values, in order.
	Read(loads Loads) (out [MaxLoads]Value, ok bool)
	// Write stores v into field f of arg (one operation).
	Write(f Field, arg, v Value) (ok bool)
	// Prim runs primitive p on args (one operation) and returns its
	// results. For PrimKlistNext args[0] is the iterator (KIter) and r the
	// next child; for PrimAsyncQueueDomain r is whether the entry was
	// queued and r2 its cookie; for PrimAsyncSchedule r is whether it was.
	Prim(p Prim, args Args) (r, r2 Value, ok bool)
	// Static answers a question about the fixed topology (free).
	Static(s Static, arg Value) Value
}

// MaxLoads and MaxArgs bound the loads of one Read and the arguments of
// a primitive.
const (
	MaxLoads = 4
	MaxArgs  = 6
)

// LoadReq is one field to read.
type LoadReq struct {
	Field Field
	Arg   Value
}

// Loads are the fields one Read reads: Req[:N].
type Loads struct {
	N   int
	Req [MaxLoads]LoadReq
}

// Args are a primitive's arguments: V[:N].
type Args struct {
	N int
	V [MaxArgs]Value
}

func args(vs ...Value) Args {
	var a Args
	a.N = copy(a.V[:], vs)
	return a
}

// MaxFrames and MaxSlots bound a thread's call depth and the frame slots
// of all its activations together (the series needs 5 frames and 22
// slots: a v14 worker's async_shutdown_handler -> ... ->
// wants_async_shutdown). A Thread is copied with every model state, so it
// is kept small; Program.Needs says what a program needs.
const (
	MaxFrames = 8
	MaxSlots  = 32
)

// Frame is one activation of a Function: its slots are
// Thread.Slots[Base:Base+Function.Slots].
type Frame struct {
	Fn   uint8
	Base uint8
	PC   uint16
}

// Thread is a call stack, outermost frame first. It is a value without
// pointers: copying it copies the thread, so a model State can hold one per
// thread and be cloned by assignment. Slots past the top frame's are zero.
type Thread struct {
	Depth  uint8
	Frames [MaxFrames]Frame
	Slots  [MaxSlots]Value
	Ret    Value // what the outermost function returned
}

// Status is what Run did.
type Status uint8

const (
	Stopped Status = iota // the thread stands at a kernel operation that did not run
	Ran                   // one kernel operation ran; the thread stands after it
	Done                  // the outermost function returned
)

func (s Status) String() string { return [...]string{"stopped", "ran", "done"}[s] }

// Start returns a thread about to call function fn with args.
func (p *Program) Start(fn int, args ...Value) Thread {
	var t Thread
	f := p.Funcs[fn]
	if len(args) != f.Params {
		panic(fmt.Sprintf("ir: %s takes %d arguments, given %d", f.Name, f.Params, len(args)))
	}
	if f.Slots > MaxSlots {
		panic(fmt.Sprintf("ir: %s needs %d slots", f.Name, f.Slots))
	}
	t.Depth = 1
	t.Frames[0] = Frame{Fn: uint8(fn)}
	copy(t.Slots[:], args)
	return t
}

// Top returns the frame the thread runs in.
func (t *Thread) Top() *Frame { return &t.Frames[t.Depth-1] }

// FrameSlots returns the slots of frame i.
func (p *Program) FrameSlots(t *Thread, i int) []Value {
	f := &t.Frames[i]
	return t.Slots[f.Base : int(f.Base)+p.Funcs[f.Fn].Slots]
}

// maxFree bounds the free instructions between two kernel operations.
const maxFree = 100000

// Run executes t's free instructions up to its next kernel operation and
// asks k to run it: it returns Stopped when k did not (t stands at the
// operation, its dead slots cleared), Ran when it did (t stands after it),
// Done when t's outermost function returned first.
func (p *Program) Run(t *Thread, k Kernel) Status {
	for n := 0; ; n++ {
		f := t.Top()
		fn := p.Funcs[f.Fn]
		if n > maxFree {
			panic(fmt.Sprintf("ir: %s loops without a kernel operation at %s", fn.Name, fn.Code[f.PC].Pos))
		}
		base := int(f.Base)
		in := &fn.Code[f.PC]
		switch in.Op {
		case OpAssign:
			t.Slots[base+in.Dst] = p.eval(k, t, base, in.X)
			f.PC++
		case OpJump:
			f.PC = uint16(in.Target)
		case OpBranch:
			if p.eval(k, t, base, in.X).True() {
				f.PC = uint16(in.Target)
			} else {
				f.PC++
			}
		case OpRead:
			var loads Loads
			loads.N = len(in.Loads)
			for i, l := range in.Loads {
				loads.Req[i] = LoadReq{Field: l.Field}
				if l.Arg != nil {
					loads.Req[i].Arg = p.eval(k, t, base, l.Arg)
				}
			}
			out, ok := k.Read(loads)
			if !ok {
				p.clearDead(t)
				return Stopped
			}
			for i, l := range in.Loads {
				t.Slots[base+l.Dst] = out[i]
			}
			f.PC++
			return Ran
		case OpWrite:
			if !k.Write(in.Field, p.eval(k, t, base, in.X), p.eval(k, t, base, in.Y)) {
				p.clearDead(t)
				return Stopped
			}
			f.PC++
			return Ran
		case OpPrim:
			var a Args
			a.N = len(in.Args)
			for i, e := range in.Args {
				a.V[i] = p.eval(k, t, base, e)
			}
			switch p.prim(t, base, in, a, k) {
			case Stopped:
				p.clearDead(t)
				return Stopped
			case Ran:
				f.PC++
				return Ran
			default: // free: go on
				f.PC++
			}
		case OpCall:
			callee := in.Fn
			if callee < 0 {
				v := p.eval(k, t, base, in.X)
				if v.Kind() != KFunc || v.Func() < 0 {
					panic(fmt.Sprintf("ir: %s: call through %v, not a function of the program", in.Pos, v))
				}
				callee = v.Func()
			}
			cf := p.Funcs[callee]
			nb := base + fn.Slots
			switch {
			case len(in.Args) != cf.Params:
				panic(fmt.Sprintf("ir: %s: %s takes %d arguments, given %d", in.Pos, cf.Name, cf.Params, len(in.Args)))
			case int(t.Depth) == MaxFrames:
				panic(fmt.Sprintf("ir: %s: calling %s: more than %d frames", in.Pos, cf.Name, MaxFrames))
			case nb+cf.Slots > MaxSlots:
				panic(fmt.Sprintf("ir: %s: calling %s: more than %d slots", in.Pos, cf.Name, MaxSlots))
			}
			for i, e := range in.Args {
				t.Slots[nb+i] = p.eval(k, t, base, e)
			}
			t.Frames[t.Depth] = Frame{Fn: uint8(callee), Base: uint8(nb)}
			t.Depth++
		case OpReturn:
			var r Value
			if in.X != nil {
				r = p.eval(k, t, base, in.X)
			}
			clear(t.Slots[base : base+fn.Slots])
			t.Depth--
			t.Frames[t.Depth] = Frame{}
			if t.Depth == 0 {
				t.Ret = r
				return Done
			}
			c := t.Top()
			if ci := &p.Funcs[c.Fn].Code[c.PC]; ci.Dst >= 0 {
				t.Slots[int(c.Base)+ci.Dst] = r
			}
			c.PC++
		}
	}
}

// prim runs one primitive: Stopped or Ran when it is a kernel operation,
// Done when it is free for these arguments (then its results are set).
func (p *Program) prim(t *Thread, base int, in *Instr, a Args, k Kernel) Status {
	set := func(v Value) {
		if in.Dst >= 0 {
			t.Slots[base+in.Dst] = v
		}
	}
	switch in.Prim {
	case PrimGetDevice, PrimPutDevice:
		if !a.V[0].True() { // get_device(NULL) returns NULL; put_device(NULL) does nothing
			set(a.V[0])
			return Done
		}
	case PrimKlistIterInit: // klist_iter_init(&parent->p->klist_children, &i)
		t.store(a.V[1], Iter(a.V[0].Dev(), NoDev))
		return Done
	case PrimKlistIterExit:
		it := t.load(a.V[0])
		if it.Cur() == NoDev {
			return Done // the iterator holds no node
		}
		if _, _, ok := k.Prim(in.Prim, args(it)); !ok {
			return Stopped
		}
		t.store(a.V[0], Iter(it.Dev(), NoDev))
		return Ran
	case PrimKlistNext: // child = next_device(&i)
		it := t.load(a.V[0])
		r, _, ok := k.Prim(in.Prim, args(it))
		if !ok {
			return Stopped
		}
		t.store(a.V[0], Iter(it.Dev(), r.Dev()))
		set(r)
		return Ran
	case PrimAsyncQueueDomain: // queued = __cf_async_queue_domain(func, data, domain, &cookie)
		r, cookie, ok := k.Prim(in.Prim, args(a.V[:3]...))
		if !ok {
			return Stopped
		}
		t.store(a.V[3], cookie)
		set(r)
		return Ran
	}
	r, r2, ok := k.Prim(in.Prim, a)
	if !ok {
		return Stopped
	}
	set(r)
	if in.Dst2 >= 0 {
		t.Slots[base+in.Dst2] = r2
	}
	return Ran
}

func (t *Thread) load(ptr Value) Value {
	if ptr.Kind() != KLocal {
		panic(fmt.Sprintf("ir: dereference of %v", ptr))
	}
	return t.Slots[ptr.LocalRef()]
}

func (t *Thread) store(ptr, v Value) {
	if ptr.Kind() != KLocal {
		panic(fmt.Sprintf("ir: store through %v", ptr))
	}
	t.Slots[ptr.LocalRef()] = v
}

// clearDead zeroes the slots no instruction will read before writing them.
func (p *Program) clearDead(t *Thread) {
	for i := 0; i < int(t.Depth); i++ {
		f := &t.Frames[i]
		fn := p.Funcs[f.Fn]
		live := fn.Live[f.PC]
		for s := 0; s < fn.Slots; s++ {
			if live&(1<<s) == 0 {
				t.Slots[int(f.Base)+s] = 0
			}
		}
	}
}

func (p *Program) eval(k Kernel, t *Thread, base int, e *Expr) Value {
	switch e.Op {
	case EConst:
		return e.Val
	case ESlot:
		return t.Slots[base+e.Slot]
	case EAddr:
		return Local(base + e.Slot)
	case EDeref:
		return t.load(p.eval(k, t, base, e.X))
	case EObj:
		d := NoDev
		if e.X != nil {
			v := p.eval(k, t, base, e.X)
			if v.Kind() != KInt || v.True() {
				d = v.Dev()
			}
		}
		return Obj(e.Obj, d)
	case EStatic:
		return k.Static(e.Static, p.eval(k, t, base, e.X))
	case EContainer:
		v := p.eval(k, t, base, e.X)
		if v.Kind() == KObj {
			return Dev(v.Dev())
		}
		return v
	case EBool:
		return Bool(p.eval(k, t, base, e.X).True())
	case EUnary:
		v := p.eval(k, t, base, e.X)
		switch e.Tok {
		case "!":
			return Bool(!v.True())
		case "-":
			return Int(-v.Int())
		case "~":
			return Int(^v.Int())
		}
	case ECond:
		if p.eval(k, t, base, e.X).True() {
			return p.eval(k, t, base, e.Y)
		}
		return p.eval(k, t, base, e.Z)
	case EBinary:
		x := p.eval(k, t, base, e.X)
		switch e.Tok {
		case "&&":
			return Bool(x.True() && p.eval(k, t, base, e.Y).True())
		case "||":
			return Bool(x.True() || p.eval(k, t, base, e.Y).True())
		}
		y := p.eval(k, t, base, e.Y)
		switch e.Tok {
		case "==":
			return Bool(Equal(x, y))
		case "!=":
			return Bool(!Equal(x, y))
		}
		a, b := x.Int(), y.Int()
		switch e.Tok {
		case "+":
			return Int(a + b)
		case "-":
			return Int(a - b)
		case "*":
			return Int(a * b)
		case "/":
			return Int(a / b)
		case "%":
			return Int(a % b)
		case "&":
			return Int(a & b)
		case "|":
			return Int(a | b)
		case "^":
			return Int(a ^ b)
		case "<<":
			return Int(a << b)
		case ">>":
			return Int(a >> b)
		case "<":
			return Bool(a < b)
		case ">":
			return Bool(a > b)
		case "<=":
			return Bool(a <= b)
		case ">=":
			return Bool(a >= b)
		}
	}
	panic(fmt.Sprintf("ir: cannot evaluate %v", e))
}

// AppendKey appends a compact encoding of t to buf: two threads with the
// same key are in the same state. A frame is its function and PC (the
// base follows from the frames below), a slot its payload and kind as one
// varint (one byte for NULL, small integers and the first devices).
func (p *Program) AppendKey(buf []byte, t *Thread) []byte {
	buf = append(buf, t.Depth)
	n := 0
	for i := 0; i < int(t.Depth); i++ {
		f := &t.Frames[i]
		buf = append(buf, f.Fn)
		buf = binary.AppendUvarint(buf, uint64(f.PC))
		n = int(f.Base) + p.Funcs[f.Fn].Slots
	}
	for _, v := range t.Slots[:n] {
		buf = binary.AppendUvarint(buf, uint64(v.payload())<<3|uint64(v.Kind()))
	}
	return binary.AppendUvarint(buf, uint64(t.Ret.payload())<<3|uint64(t.Ret.Kind()))
}

// Needs returns the most frames and slots a thread that starts in function
// fn can use at once. A call through a function pointer may reach the
// functions whose address flows into it (pointerTargets). Recursion is an
// error.
func (p *Program) Needs(fn int) (frames, slots int, err error) {
	targets := p.pointerTargets()
	type need struct{ frames, slots int }
	memo := map[int]need{}
	onStack := map[int]bool{}
	var visit func(int) (need, error)
	visit = func(i int) (need, error) {
		if n, ok := memo[i]; ok {
			return n, nil
		}
		if onStack[i] {
			return need{}, fmt.Errorf("%s: %s() may call itself (recursion is not supported)", p.Funcs[i].Pos, p.Funcs[i].Name)
		}
		onStack[i] = true
		defer delete(onStack, i)
		var deepest need
		for pc := range p.Funcs[i].Code {
			in := &p.Funcs[i].Code[pc]
			if in.Op != OpCall {
				continue
			}
			callees := targets[in]
			if in.Fn >= 0 {
				callees = []int{in.Fn}
			}
			for _, c := range callees {
				n, err := visit(c)
				if err != nil {
					return need{}, err
				}
				deepest.frames = max(deepest.frames, n.frames)
				deepest.slots = max(deepest.slots, n.slots)
			}
		}
		n := need{deepest.frames + 1, deepest.slots + p.Funcs[i].Slots}
		memo[i] = n
		return n, nil
	}
	n, err := visit(fn)
	return n.frames, n.slots, err
}

// pointerTargets returns, for each call through a function pointer, the
// functions it may call: those whose address is passed, directly or
// through parameters, to the parameter it calls through
// (device_for_each_child()'s fn, async_schedule_domain()'s func); a
// pointer from anywhere else may be any function whose address is taken.
func (p *Program) pointerTargets() map[*Instr][]int {
	type param struct{ fn, slot int }
	flows := map[param]map[int]bool{}
	var taken []int
	for _, f := range p.Funcs {
		for pc := range f.Code {
			in := &f.Code[pc]
			for _, e := range append([]*Expr{in.X, in.Y}, in.Args...) {
				walk(e, func(e *Expr) {
					if e.Op == EConst && e.Val.Kind() == KFunc && e.Val.True() {
						taken = append(taken, e.Val.Func())
					}
				})
			}
		}
	}
	resolve := func(fn int, e *Expr) []int {
		switch {
		case e == nil:
			return nil
		case e.Op == EConst && e.Val.Kind() == KFunc && e.Val.True():
			return []int{e.Val.Func()}
		case e.Op == EConst:
			return nil
		case e.Op == ESlot && e.Slot < p.Funcs[fn].Params:
			var out []int
			for f := range flows[param{fn, e.Slot}] {
				out = append(out, f)
			}
			sort.Ints(out)
			return out
		}
		return taken
	}
	out := map[*Instr][]int{}
	for changed := true; changed; {
		changed = false
		for fi, f := range p.Funcs {
			for pc := range f.Code {
				in := &f.Code[pc]
				if in.Op != OpCall {
					continue
				}
				callees := []int{in.Fn}
				if in.Fn < 0 {
					callees = resolve(fi, in.X)
					out[in] = callees
				}
				for _, c := range callees {
					for j, a := range in.Args {
						for _, v := range resolve(fi, a) {
							k := param{c, j}
							if flows[k] == nil {
								flows[k] = map[int]bool{}
							}
							if !flows[k][v] {
								flows[k][v], changed = true, true
							}
						}
					}
				}
			}
		}
	}
	return out
}

func walk(e *Expr, fn func(*Expr)) {
	if e == nil {
		return
	}
	fn(e)
	walk(e.X, fn)
	walk(e.Y, fn)
	walk(e.Z, fn)
}
