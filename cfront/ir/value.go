// Package ir is cfront's intermediate form of the kernel C it reads, and
// the interpreter that runs it against a kernel model.
//
// A Program is the functions device_shutdown() reaches, each a list of
// instructions over the slots of its frame (parameters, locals,
// temporaries). Kernel operations are instructions of their own (Read,
// Write, Prim); everything between them (assignments, branches, calls,
// returns) is free control flow. A Thread is a stack of Frames; Run executes
// it up to, and including, one kernel operation, exactly like a step
// function of package model: the Kernel either reports "not now" (probing:
// the operation is where the thread stands) or runs it.
package ir

import "fmt"

// Kind is what a Value stands for.
type Kind uint8

const (
	KInt   Kind = iota // an integer, bool or cookie
	KDev               // struct device *: payload dev+1, 0 is NULL (and the devices_kset list head's container)
	KLink              // struct device_link *: link+1, 0 is NULL
	KFunc              // a function pointer to a Program function: index+1, 0 is NULL
	KLocal             // a pointer to a local of a frame of the same thread: its index in Thread.Slots
	KObj               // the address of a kernel object: ObjKind<<16 | dev+1
	KIter              // a struct klist_iter: (parent+1)<<14 | (cur+1)
)

var kindNames = [...]string{"int", "dev", "link", "func", "local", "obj", "iter"}

func (k Kind) String() string { return kindNames[k] }

// Value is one C value, 4 bits of kind and 28 of payload. The zero Value is
// the integer 0, and a NULL pointer of any kind is false like 0.
type Value uint32

const payloadBits = 28

// NoDev is the device number of NULL (and of the devices_kset list head).
const NoDev = -1

// Int returns the integer v; it panics when v does not fit 28 bits.
func Int(v int64) Value {
	if v < -(1<<(payloadBits-1)) || v >= 1<<(payloadBits-1) {
		panic(fmt.Sprintf("ir: integer %d does not fit a frame slot", v))
	}
	return Value(uint32(v) & (1<<payloadBits - 1))
}

// Bool returns 1 or 0.
func Bool(b bool) Value {
	if b {
		return 1
	}
	return 0
}

func mk(k Kind, p uint32) Value { return Value(uint32(k)<<payloadBits | p&(1<<payloadBits-1)) }

// Dev returns the device pointer of device d (NoDev: NULL).
func Dev(d int) Value { return mk(KDev, uint32(d+1)) }

// Link returns the pointer to device link l (-1: NULL).
func Link(l int) Value { return mk(KLink, uint32(l+1)) }

// Func returns the pointer to function f of the program (-1: NULL).
func Func(f int) Value { return mk(KFunc, uint32(f+1)) }

// Local returns a pointer to the thread's slot (Thread.Slots index).
func Local(slot int) Value { return mk(KLocal, uint32(slot)) }

// Obj returns the address of object o of device d (NoDev: of no device).
func Obj(o ObjKind, d int) Value { return mk(KObj, uint32(o)<<16|uint32(d+1)) }

// Iter returns a klist iterator on parent's children standing on cur.
func Iter(parent, cur int) Value { return mk(KIter, uint32(parent+1)<<14|uint32(cur+1)) }

// Kind returns the kind of v.
func (v Value) Kind() Kind { return Kind(v >> payloadBits) }

func (v Value) payload() uint32 { return uint32(v) & (1<<payloadBits - 1) }

// Int returns v as an integer (a pointer's payload, sign-extended for ints).
func (v Value) Int() int64 {
	p := v.payload()
	if v.Kind() == KInt && p&(1<<(payloadBits-1)) != 0 {
		return int64(p) - 1<<payloadBits
	}
	return int64(p)
}

// True reports whether v is non-zero (non-NULL).
func (v Value) True() bool { return v.payload() != 0 }

// Dev returns the device of a KDev, KObj or KIter (its parent) value.
func (v Value) Dev() int {
	switch v.Kind() {
	case KDev:
		return int(v.payload()) - 1
	case KObj:
		return int(v.payload()&0xffff) - 1
	case KIter:
		return int(v.payload()>>14) - 1
	}
	panic(fmt.Sprintf("ir: %v is not a device", v))
}

// Cur returns the device a KIter stands on (NoDev: none).
func (v Value) Cur() int { return int(v.payload()&(1<<14-1)) - 1 }

// Link returns the link of a KLink value (-1: NULL).
func (v Value) Link() int { return int(v.payload()) - 1 }

// Func returns the function of a KFunc value (-1: NULL).
func (v Value) Func() int { return int(v.payload()) - 1 }

// Obj returns the object kind of a KObj value.
func (v Value) Obj() ObjKind { return ObjKind(v.payload() >> 16) }

// LocalRef returns the Thread.Slots index a KLocal value points to.
func (v Value) LocalRef() int { return int(v.payload()) }

// Equal compares two values as C compares them: pointers of different
// kinds are equal only when both are NULL.
func Equal(a, b Value) bool {
	if a.Kind() != b.Kind() {
		return !a.True() && !b.True()
	}
	return a == b
}

func (v Value) String() string {
	switch v.Kind() {
	case KInt:
		return fmt.Sprint(v.Int())
	case KDev:
		if !v.True() {
			return "NULL"
		}
		return fmt.Sprintf("dev%d", v.Dev())
	case KLink:
		if !v.True() {
			return "NULL"
		}
		return fmt.Sprintf("link%d", v.Link())
	case KFunc:
		if !v.True() {
			return "NULL"
		}
		return fmt.Sprintf("func%d", v.Func())
	case KLocal:
		return fmt.Sprintf("&slot%d", v.LocalRef())
	case KObj:
		if d := v.Dev(); d != NoDev {
			return fmt.Sprintf("%v(dev%d)", v.Obj(), d)
		}
		return v.Obj().String()
	case KIter:
		return fmt.Sprintf("iter(dev%d@%d)", v.Dev(), v.Cur())
	}
	return fmt.Sprintf("?%x", uint32(v))
}

// ObjKind is a kernel object whose address the C code takes or passes.
type ObjKind uint8

const (
	_                   ObjKind = iota
	ObjKset                     // devices_kset
	ObjEntry                    // &dev->kobj.entry; of NoDev: &devices_kset->list, the list head
	ObjListLock                 // &devices_kset->list_lock
	ObjKobj                     // &dev->kobj
	ObjPrivate                  // dev->p
	ObjCompletion               // &dev->p->complete
	ObjKlist                    // &dev->p->klist_children
	ObjConsumers                // &dev->links.consumers
	ObjSuppliers                // &dev->links.suppliers
	ObjDomain                   // an async_domain (sd_domain)
	ObjBus                      // dev->bus
	ObjDriver                   // dev->driver
	ObjClass                    // dev->class
	ObjBusShutdown              // dev->bus->shutdown
	ObjDriverShutdown           // dev->driver->shutdown
	ObjClassShutdownPre         // dev->class->shutdown_pre
	ObjLinks                    // &dev->links
	ObjShutdown                 // &dev->p->shutdown (v10's union)
	numObjKinds
)

var objNames = [...]string{"?", "devices_kset", "kobj.entry", "devices_kset->list_lock", "kobj", "p", "p->complete", "p->klist_children",
	"links.consumers", "links.suppliers", "async_domain", "bus", "driver", "class", "bus->shutdown", "driver->shutdown", "class->shutdown_pre", "links", "p->shutdown"}

func (o ObjKind) String() string {
	if int(o) < len(objNames) {
		return objNames[o]
	}
	return fmt.Sprintf("obj%d", o)
}
