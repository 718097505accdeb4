package ir

import (
	"fmt"
	"strings"
)

// Field is a piece of shared kernel state the C code reads or writes as
// plain memory. Reading one is a kernel operation (a Read instruction);
// several reads in one expression with nothing else between them are one
// operation (async_shutdown && dev->async_shutdown: the model's
// wants_async_shutdown step).
type Field uint8

const (
	_             Field = iota
	FieldParam          // the module parameter async_shutdown (core.async_shutdown)
	FieldAsync          // dev->async_shutdown, dev_async_shutdown(dev): device argument
	FieldParent         // dev->parent: device argument
	FieldDead           // dev->p->dead: device argument
	FieldAfter          // dev->p->shutdown_after, dev->p->shutdown.after: device argument
	FieldNext           // dev->p->shutdown.next (v10; a union with FieldAfter): device argument
	FieldListPrev       // entry->prev on devices_kset->list: entry argument (the head's: the tail)
	FieldListNext       // entry->next on devices_kset->list: entry argument
	numFields
)

var fieldNames = [...]string{"?", "async_shutdown", "dev->async_shutdown", "dev->parent", "dev->p->dead", "dev->p->shutdown_after",
	"dev->p->shutdown.next", "entry->prev", "entry->next"}

func (f Field) String() string { return fieldNames[f] }

// Static is a fact of the topology that never changes while the machine
// runs (which bus a device is on, a link's ends): reading it is free.
type Static uint8

const (
	_                      Static = iota
	StaticBus                     // dev->bus: ObjBus value or NULL
	StaticDriver                  // dev->driver: ObjDriver value or NULL
	StaticClass                   // dev->class: ObjClass value or NULL
	StaticNeedParentLock          // dev->bus->need_parent_lock: 0/1
	StaticBusShutdown             // dev->bus->shutdown: ObjBusShutdown value or NULL
	StaticDriverShutdown          // dev->driver->shutdown: ObjDriverShutdown value or NULL
	StaticDriverAsync             // dev->driver->async_shutdown_enable (v5..v10): 0/1
	StaticClassShutdownPre        // dev->class->shutdown_pre: ObjClassShutdownPre value or NULL
	StaticLinkSupplier            // link->supplier: a device
	StaticLinkConsumer            // link->consumer: a device
	StaticLinkFlags               // link->flags: DL_FLAG_* bits
	numStatics
)

var staticNames = [...]string{"?", "dev->bus", "dev->driver", "dev->class", "dev->bus->need_parent_lock", "dev->bus->shutdown",
	"dev->driver->shutdown", "dev->driver->async_shutdown_enable", "dev->class->shutdown_pre", "link->supplier", "link->consumer", "link->flags"}

func (s Static) String() string { return staticNames[s] }

// Prim is a kernel primitive a call stands for.
type Prim uint8

const (
	_                    Prim = iota
	PrimSpinLock              // spin_lock(&devices_kset->list_lock)
	PrimSpinUnlock            // spin_unlock(&devices_kset->list_lock)
	PrimListDelInit           // list_del_init(&dev->kobj.entry)
	PrimGetDevice             // get_device(dev): returns dev; free on NULL
	PrimPutDevice             // put_device(dev): free on NULL
	PrimGetParent             // get_device(dev->parent): reads the parent and takes a reference; returns it
	PrimDeviceLock            // device_lock(dev)
	PrimDeviceUnlock          // device_unlock(dev)
	PrimWaitCompletion        // wait_for_completion(&dev->p->complete)
	PrimCompleteAll           // complete_all(&dev->p->complete)
	PrimAsyncSchedule         // async_schedule_dev_nocall(func, dev): returns 1 when queued
	PrimAsyncQueueDomain      // async_schedule_domain()'s allocation and queueing: (queued, cookie)
	PrimAsyncSyncFull         // async_synchronize_full()
	PrimAsyncSyncDomain       // async_synchronize_full_domain(&domain)
	PrimAsyncSyncCookie       // async_synchronize_cookie_domain(cookie, &domain)
	PrimLinksReadLock         // device_links_read_lock(): returns idx
	PrimLinksReadUnlock       // device_links_read_unlock(idx)
	PrimLinkNext              // the next link of &dev->links.consumers/suppliers after pos (NULL: the first); NULL at the end
	PrimKlistNext             // next_device(&i): the next child of the iterator's parent; NULL at the end
	PrimKlistIterExit         // klist_iter_exit(&i): free when the iterator stands on nothing
	PrimShutdownStart         // a ->shutdown()/->shutdown_pre() callback starts: (callback, dev)
	PrimShutdownEnd           // the callback returns: (callback, dev)
	PrimClearAsync            // dev_clear_async_shutdown(dev)
	PrimSetAsync              // dev_set_async_shutdown(dev)
	PrimInitCompletion        // init_completion(&dev->p->complete)
	PrimKlistIterInit         // klist_iter_init(&parent->p->klist_children, &i): free, sets i
	numPrims
)

var primNames = [...]string{"?", "spin_lock", "spin_unlock", "list_del_init", "get_device", "put_device", "get_device(dev->parent)",
	"device_lock", "device_unlock", "wait_for_completion", "complete_all", "async_schedule_dev_nocall", "async_schedule_domain",
	"async_synchronize_full", "async_synchronize_full_domain", "async_synchronize_cookie_domain", "device_links_read_lock",
	"device_links_read_unlock", "next link", "next_device", "klist_iter_exit", "->shutdown() starts", "->shutdown() returns",
	"dev_clear_async_shutdown", "dev_set_async_shutdown", "init_completion", "klist_iter_init"}

func (p Prim) String() string { return primNames[p] }

// ExprOp is the operator of an Expr node.
type ExprOp uint8

const (
	EConst     ExprOp = iota // Val
	ESlot                    // the frame slot Slot
	EAddr                    // the address of frame slot Slot (a KLocal value)
	EDeref                   // the slot X points to (a KLocal value)
	EObj                     // Obj of the device X (X nil: of no device)
	EStatic                  // Static of X
	EContainer               // container_of(X): the device of an entry, identity otherwise
	EUnary                   // Tok applied to X: "!", "-", "~"
	EBinary                  // X Tok Y: arithmetic, comparisons, && and || (both sides pure)
	ECond                    // X ? Y : Z (all pure)
	EBool                    // (bool)X: 0 or 1
)

// Expr is a pure expression over frame slots: evaluating it reads no
// shared state (the values of loads are in slots already).
type Expr struct {
	Op      ExprOp
	Val     Value
	Slot    int
	Obj     ObjKind
	Static  Static
	Tok     string
	X, Y, Z *Expr
}

func (e *Expr) String() string {
	if e == nil {
		return "_"
	}
	switch e.Op {
	case EConst:
		return e.Val.String()
	case ESlot:
		return fmt.Sprintf("s%d", e.Slot)
	case EAddr:
		return fmt.Sprintf("&s%d", e.Slot)
	case EDeref:
		return fmt.Sprintf("*%v", e.X)
	case EObj:
		return fmt.Sprintf("%v(%v)", e.Obj, e.X)
	case EStatic:
		return fmt.Sprintf("%v(%v)", e.Static, e.X)
	case EContainer:
		return fmt.Sprintf("container_of(%v)", e.X)
	case EUnary:
		return e.Tok + e.X.String()
	case EBinary:
		return fmt.Sprintf("(%v %s %v)", e.X, e.Tok, e.Y)
	case ECond:
		return fmt.Sprintf("(%v ? %v : %v)", e.X, e.Y, e.Z)
	case EBool:
		return fmt.Sprintf("(bool)%v", e.X)
	}
	return "?"
}

// Op is an instruction's opcode.
type Op uint8

const (
	OpAssign Op = iota // Dst = X (free)
	OpRead             // Loads, one kernel operation: each Load's slot gets the field's value
	OpWrite            // Field of X = Y (one kernel operation)
	OpPrim             // Prim(Args...) into Dst (and Dst2), one kernel operation unless free for these arguments
	OpCall             // Dst = Fn(Args...), or through the function pointer X (free)
	OpJump             // goto Target (free)
	OpBranch           // if X != 0 goto Target (free)
	OpReturn           // return X (free; X nil for void)
)

// Load is one field read of a Read instruction.
type Load struct {
	Field Field
	Arg   *Expr // the device or entry whose field it is (nil: a global)
	Dst   int
}

// Instr is one instruction.
type Instr struct {
	Op     Op
	Dst    int // destination slot, -1: none
	Dst2   int // second result (PrimAsyncQueueDomain's cookie is written through Args[3] instead), -1: none
	X, Y   *Expr
	Args   []*Expr
	Loads  []Load
	Field  Field
	Prim   Prim
	Fn     int // OpCall: the callee, -1: through the function pointer X
	Target int
	Pos    string // file:line of the C it comes from
	Text   string // the C, for listings
}

// IsOp reports whether the instruction is a kernel operation (for
// OpPrim: unless the arguments make it free).
func (in *Instr) IsOp() bool {
	return in.Op == OpRead || in.Op == OpWrite || in.Op == OpPrim && !freePrim[in.Prim]
}

// freePrim are primitives that are never a kernel operation.
var freePrim = [numPrims]bool{PrimKlistIterInit: true}

func (in *Instr) String() string {
	var b strings.Builder
	if in.Dst >= 0 && in.Op != OpRead {
		fmt.Fprintf(&b, "s%d = ", in.Dst)
	}
	switch in.Op {
	case OpAssign:
		b.WriteString(in.X.String())
	case OpRead:
		b.WriteString("read")
		for _, l := range in.Loads {
			fmt.Fprintf(&b, " s%d=%v(%v)", l.Dst, l.Field, l.Arg)
		}
	case OpWrite:
		fmt.Fprintf(&b, "write %v(%v) = %v", in.Field, in.X, in.Y)
	case OpPrim:
		fmt.Fprintf(&b, "%v(%s)", in.Prim, exprList(in.Args))
	case OpCall:
		if in.Fn >= 0 {
			fmt.Fprintf(&b, "call f%d(%s)", in.Fn, exprList(in.Args))
		} else {
			fmt.Fprintf(&b, "call *%v(%s)", in.X, exprList(in.Args))
		}
	case OpJump:
		fmt.Fprintf(&b, "goto %d", in.Target)
	case OpBranch:
		fmt.Fprintf(&b, "if %v goto %d", in.X, in.Target)
	case OpReturn:
		fmt.Fprintf(&b, "return %v", in.X)
	}
	return b.String()
}

func exprList(es []*Expr) string {
	var s []string
	for _, e := range es {
		s = append(s, e.String())
	}
	return strings.Join(s, ", ")
}

// Function is one lowered C function.
type Function struct {
	Name      string
	Pos       string // file:line of its definition
	Params    int    // slots 0..Params-1 hold the arguments
	Slots     int    // slots in a frame
	SlotNames []string
	Code      []Instr
	// Live[pc] has bit s set when slot s may be read at or after pc before
	// being written (address-taken slots always): the interpreter clears
	// the others where a thread stops, so that dead values do not tell
	// equal states apart.
	Live []uint64
	// Ops reports whether the function can reach a kernel operation; a
	// call of one that cannot finishes within the step that makes it.
	Ops bool
}

// Program is the functions of one version of device_shutdown().
type Program struct {
	Funcs []*Function
	Index map[string]int
}

// Lookup returns the index of the function called name.
func (p *Program) Lookup(name string) (int, bool) {
	i, ok := p.Index[name]
	return i, ok
}

// Listing returns the program in readable form.
func (p *Program) Listing() string {
	var b strings.Builder
	for i, f := range p.Funcs {
		fmt.Fprintf(&b, "f%d %s (%s): %d params, %d slots %v\n", i, f.Name, f.Pos, f.Params, f.Slots, f.SlotNames)
		for pc := range f.Code {
			in := &f.Code[pc]
			fmt.Fprintf(&b, "  %3d  %-60s // %s %s\n", pc, in.String(), in.Pos, in.Text)
		}
	}
	return b.String()
}

// Reaches reports whether function name, or a function it calls by name,
// runs primitive prim: e.g. whether kill_device() completes
// dev->p->complete (v17 3/5; the model's Variant.KillDeviceCompletes).
func (p *Program) Reaches(name string, prim Prim) bool {
	i, ok := p.Index[name]
	if !ok {
		return false
	}
	seen := map[int]bool{}
	var visit func(int) bool
	visit = func(i int) bool {
		if seen[i] {
			return false
		}
		seen[i] = true
		for _, in := range p.Funcs[i].Code {
			if in.Op == OpPrim && in.Prim == prim || in.Op == OpCall && in.Fn >= 0 && visit(in.Fn) {
				return true
			}
		}
		return false
	}
	return visit(i)
}
