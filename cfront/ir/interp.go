package ir

import (
	"encoding/binary"
	"fmt"
)

// Kernel is what the interpreter runs kernel operations on: a binding to
// the kernel-object layer (model.Kernel). It mirrors model.Kernel's
// contract: each method is one kernel operation and returns ok = false,
// having changed nothing, when the operation is not to run now (the
// machine is probing which operation comes next, or it cannot run), and
// runs it and returns ok = true otherwise.
type Kernel interface {
	// Read reads every load at once, into out (one operation).
	Read(loads []LoadReq, out []Value) (ok bool)
	// Write stores v into field f of arg (one operation).
	Write(f Field, arg, v Value) (ok bool)
	// Prim runs primitive p on args (one operation) and returns its
	// results. For PrimKlistNext args[0] is the iterator (KIter) and r the
	// next child; for PrimAsyncQueueDomain r is whether the entry was
	// queued and r2 its cookie; for PrimAsyncSchedule r is whether it was.
	Prim(p Prim, args []Value) (r, r2 Value, ok bool)
	// Static answers a question about the fixed topology (free).
	Static(s Static, arg Value) Value
}

// LoadReq is one field to read.
type LoadReq struct {
	Field Field
	Arg   Value
}

// Frame is one activation of a Function.
type Frame struct {
	Fn    int
	PC    int
	Slots []Value
}

// Thread is a call stack, outermost frame first.
type Thread struct {
	Frames []Frame
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

// NewFrame returns a frame calling function fn with args.
func (p *Program) NewFrame(fn int, args ...Value) Frame {
	f := p.Funcs[fn]
	if len(args) != f.Params {
		panic(fmt.Sprintf("ir: %s takes %d arguments, given %d", f.Name, f.Params, len(args)))
	}
	fr := Frame{Fn: fn, Slots: make([]Value, f.Slots)}
	copy(fr.Slots, args)
	return fr
}

// maxFree bounds the free instructions between two kernel operations.
const maxFree = 100000

// Run executes t's free instructions up to its next kernel operation and
// asks k to run it: it returns Stopped when k did not (t stands at the
// operation, its dead slots cleared), Ran when it did (t stands after it),
// Done when t's outermost function returned first.
func (p *Program) Run(t *Thread, k Kernel) Status {
	var args [6]Value
	for n := 0; ; n++ {
		if n > maxFree {
			f := &t.Frames[len(t.Frames)-1]
			panic(fmt.Sprintf("ir: %s loops without a kernel operation at %s", p.Funcs[f.Fn].Name, p.Funcs[f.Fn].Code[f.PC].Pos))
		}
		depth := len(t.Frames) - 1
		f := &t.Frames[depth]
		fn := p.Funcs[f.Fn]
		in := &fn.Code[f.PC]
		switch in.Op {
		case OpAssign:
			f.Slots[in.Dst] = p.eval(k, t, depth, in.X)
			f.PC++
		case OpJump:
			f.PC = in.Target
		case OpBranch:
			if p.eval(k, t, depth, in.X).True() {
				f.PC = in.Target
			} else {
				f.PC++
			}
		case OpRead:
			var reqs [4]LoadReq
			var out [4]Value
			for i, l := range in.Loads {
				reqs[i] = LoadReq{Field: l.Field}
				if l.Arg != nil {
					reqs[i].Arg = p.eval(k, t, depth, l.Arg)
				}
			}
			if !k.Read(reqs[:len(in.Loads)], out[:len(in.Loads)]) {
				p.clearDead(t)
				return Stopped
			}
			for i, l := range in.Loads {
				f.Slots[l.Dst] = out[i]
			}
			f.PC++
			return Ran
		case OpWrite:
			if !k.Write(in.Field, p.eval(k, t, depth, in.X), p.eval(k, t, depth, in.Y)) {
				p.clearDead(t)
				return Stopped
			}
			f.PC++
			return Ran
		case OpPrim:
			a := args[:len(in.Args)]
			for i, e := range in.Args {
				a[i] = p.eval(k, t, depth, e)
			}
			switch st := p.prim(t, depth, in, a, k); st {
			case Stopped:
				p.clearDead(t)
				return Stopped
			case Ran:
				t.Frames[depth].PC++
				return Ran
			default: // free: go on
				t.Frames[depth].PC++
			}
		case OpCall:
			callee := in.Fn
			if callee < 0 {
				v := p.eval(k, t, depth, in.X)
				if v.Kind() != KFunc || v.Func() < 0 {
					panic(fmt.Sprintf("ir: %s: call through %v, not a function of the program", in.Pos, v))
				}
				callee = v.Func()
			}
			nf := p.NewFrame(callee, p.evalArgs(k, t, depth, in.Args)...)
			t.Frames = append(t.Frames, nf)
		case OpReturn:
			var r Value
			if in.X != nil {
				r = p.eval(k, t, depth, in.X)
			}
			t.Frames = t.Frames[:depth]
			if depth == 0 {
				t.Ret = r
				return Done
			}
			c := &t.Frames[depth-1]
			if ci := &p.Funcs[c.Fn].Code[c.PC]; ci.Dst >= 0 {
				c.Slots[ci.Dst] = r
			}
			c.PC++
		}
	}
}

// prim runs one primitive: Stopped or Ran when it is a kernel operation,
// Done when it is free for these arguments (then its results are set).
func (p *Program) prim(t *Thread, depth int, in *Instr, a []Value, k Kernel) Status {
	f := &t.Frames[depth]
	set := func(v Value) {
		if in.Dst >= 0 {
			f.Slots[in.Dst] = v
		}
	}
	switch in.Prim {
	case PrimGetDevice, PrimPutDevice:
		if !a[0].True() { // get_device(NULL) returns NULL; put_device(NULL) does nothing
			set(a[0])
			return Done
		}
	case PrimKlistIterInit: // klist_iter_init(&parent->p->klist_children, &i)
		p.store(t, a[1], Iter(a[0].Dev(), NoDev))
		return Done
	case PrimKlistIterExit:
		if p.load(t, a[0]).Cur() == NoDev {
			return Done // the iterator holds no node
		}
		it := p.load(t, a[0])
		if _, _, ok := k.Prim(in.Prim, []Value{it}); !ok {
			return Stopped
		}
		p.store(t, a[0], Iter(it.Dev(), NoDev))
		return Ran
	case PrimKlistNext: // child = next_device(&i)
		it := p.load(t, a[0])
		r, _, ok := k.Prim(in.Prim, []Value{it})
		if !ok {
			return Stopped
		}
		p.store(t, a[0], Iter(it.Dev(), r.Dev()))
		set(r)
		return Ran
	case PrimAsyncQueueDomain: // queued = __cf_async_queue_domain(func, data, domain, &cookie)
		r, cookie, ok := k.Prim(in.Prim, a[:3])
		if !ok {
			return Stopped
		}
		p.store(t, a[3], cookie)
		set(r)
		return Ran
	}
	r, r2, ok := k.Prim(in.Prim, a)
	if !ok {
		return Stopped
	}
	set(r)
	if in.Dst2 >= 0 {
		f.Slots[in.Dst2] = r2
	}
	return Ran
}

func (p *Program) evalArgs(k Kernel, t *Thread, depth int, es []*Expr) []Value {
	vs := make([]Value, len(es))
	for i, e := range es {
		vs[i] = p.eval(k, t, depth, e)
	}
	return vs
}

func (p *Program) load(t *Thread, ptr Value) Value {
	if ptr.Kind() != KLocal {
		panic(fmt.Sprintf("ir: dereference of %v", ptr))
	}
	d, s := ptr.LocalRef()
	return t.Frames[d].Slots[s]
}

func (p *Program) store(t *Thread, ptr, v Value) {
	if ptr.Kind() != KLocal {
		panic(fmt.Sprintf("ir: store through %v", ptr))
	}
	d, s := ptr.LocalRef()
	t.Frames[d].Slots[s] = v
}

// clearDead zeroes the slots no instruction will read before writing them.
func (p *Program) clearDead(t *Thread) {
	for i := range t.Frames {
		f := &t.Frames[i]
		live := p.Funcs[f.Fn].Live[f.PC]
		for s := range f.Slots {
			if s < 64 && live&(1<<s) == 0 {
				f.Slots[s] = 0
			}
		}
	}
}

func (p *Program) eval(k Kernel, t *Thread, depth int, e *Expr) Value {
	switch e.Op {
	case EConst:
		return e.Val
	case ESlot:
		return t.Frames[depth].Slots[e.Slot]
	case EAddr:
		return Local(depth, e.Slot)
	case EDeref:
		return p.load(t, p.eval(k, t, depth, e.X))
	case EObj:
		d := NoDev
		if e.X != nil {
			v := p.eval(k, t, depth, e.X)
			if v.Kind() != KInt || v.True() {
				d = v.Dev()
			}
		}
		return Obj(e.Obj, d)
	case EStatic:
		return k.Static(e.Static, p.eval(k, t, depth, e.X))
	case EContainer:
		v := p.eval(k, t, depth, e.X)
		if v.Kind() == KObj {
			return Dev(v.Dev())
		}
		return v
	case EBool:
		return Bool(p.eval(k, t, depth, e.X).True())
	case EUnary:
		v := p.eval(k, t, depth, e.X)
		switch e.Tok {
		case "!":
			return Bool(!v.True())
		case "-":
			return Int(-v.Int())
		case "~":
			return Int(^v.Int())
		}
	case ECond:
		if p.eval(k, t, depth, e.X).True() {
			return p.eval(k, t, depth, e.Y)
		}
		return p.eval(k, t, depth, e.Z)
	case EBinary:
		x := p.eval(k, t, depth, e.X)
		switch e.Tok {
		case "&&":
			return Bool(x.True() && p.eval(k, t, depth, e.Y).True())
		case "||":
			return Bool(x.True() || p.eval(k, t, depth, e.Y).True())
		}
		y := p.eval(k, t, depth, e.Y)
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
// same key are in the same state.
func (t *Thread) AppendKey(buf []byte) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(t.Frames)))
	for i := range t.Frames {
		f := &t.Frames[i]
		buf = binary.AppendUvarint(buf, uint64(f.Fn))
		buf = binary.AppendUvarint(buf, uint64(f.PC))
		for _, v := range f.Slots {
			buf = binary.AppendUvarint(buf, uint64(v))
		}
	}
	return binary.AppendUvarint(buf, uint64(t.Ret))
}

// Clone returns a deep copy of t.
func (t *Thread) Clone() Thread {
	c := Thread{Ret: t.Ret, Frames: make([]Frame, len(t.Frames))}
	for i, f := range t.Frames {
		c.Frames[i] = Frame{Fn: f.Fn, PC: f.PC, Slots: append([]Value(nil), f.Slots...)}
	}
	return c
}
