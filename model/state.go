package model

import (
	"encoding/binary"
	"math/bits"

	"github.com/shutdowncheck/shutdowncheck/cfront/ir"
)

// TID identifies a thread: its index in State.Threads. Threads are never
// removed, so a TID stays valid for the whole run.
type TID int16

// NoThread is the owner of a free lock.
const NoThread TID = -1

// maxFrames bounds a thread's call depth: async_run_entry_fn ->
// async_shutdown_handler -> wait_for_shutdown_dependencies ->
// device_for_each_child -> wait_for_device_shutdown is the deepest chain.
const maxFrames = 6

// DevFlags are the bits of a device's mutable state.
type DevFlags uint16

const (
	FlagAsync     DevFlags = 1 << iota // dev_async_shutdown(dev)
	FlagDone                           // dev->p->complete has been complete_all()ed
	FlagDead                           // dev->p->dead: kill_device() ran
	FlagFreed                          // the last reference was put: device_release() ran
	FlagInKlist                        // dev->p->knode_parent is on the parent's klist_children
	FlagKnodeDead                      // klist_del() ran while an iterator held the node
	FlagStarted                        // its shutdown callback has started
	FlagEnded                          // its shutdown callback has returned
	FlagTwice                          // its shutdown callback started a second time
	FlagInSysfs                        // device_is_registered(): kobject_add() done, kobject_del() not yet
	FlagInDPMList                      // device_pm_initialized(): device_pm_add() done, device_pm_remove() not yet
	FlagPNull                          // dev->p == NULL: never registered, or freed by a failed device_add()
)

// DevState is the mutable part of one struct device.
type DevState struct {
	Prev, Next DevID    // dev->kobj.entry on devices_kset->list; both == dev when off the list
	Parent     DevID    // dev->parent: device_move() changes it
	Klist      DevID    // the parent whose klist_children holds dev->p->knode_parent, NoDev if none
	Ref        int16    // dev->kobj.kref
	Held       int16    // the part of Ref that shutdown threads took and still hold
	Lock       TID      // owner of device_lock(dev), NoThread when unlocked
	Pins       int8     // klist iterators holding dev->p->knode_parent
	Knode      int16    // the knode's place on its parent's klist_children: iteration goes by increasing Knode
	Flags      DevFlags //
	After      int16    // dev->p->shutdown_after (v8, v9), or v10's union shutdown_private: see v10.go
}

// LinkFlags are the bits of a device link's mutable state.
type LinkFlags uint8

const (
	LinkPresent  LinkFlags = 1 << iota // on the supplier's and the consumer's link lists
	LinkPurged                         // __device_link_del() took it off the lists
	LinkReleased                       // device_link_release_fn() dropped its references
)

// Has reports whether all of f are set.
func (d *DevState) Has(f DevFlags) bool { return d.Flags&f == f }

// ThreadKind says what a thread is.
type ThreadKind uint8

const (
	KindMain   ThreadKind = iota // the thread running device_shutdown()
	KindWorker                   // an async_wq worker running one async entry
	KindActor                    // an environment actor (device_del, device_add, parameter writer)
)

// ThreadStatus is where a thread is in its life.
type ThreadStatus uint8

const (
	Queued  ThreadStatus = iota // an async entry waiting for a worker
	Running                     // running (possibly blocked)
	Done                        // returned
)

// Frame is one activation of a modeled kernel function. Dev is its device
// argument; Cur, Dev2, Aux and Flag are its locals (each function documents
// which).
type Frame struct {
	Fn   FuncID
	PC   uint8
	Flag bool
	Dev  DevID
	Cur  DevID
	Dev2 DevID
	Aux  int16
}

// Thread is one simulated CPU context.
type Thread struct {
	Kind   ThreadKind
	Status ThreadStatus
	Dev    DevID  // the device of a worker's async entry or of an actor
	Cookie int16  // a worker's entry->cookie
	Domain Domain // a worker's entry->domain
	Depth  int8
	Ret    int16 // return value of the last function that returned
	SRCU   int8  // device_links_read_lock() nesting
	Frames [maxFrames]Frame
}

func (t *Thread) top() *Frame { return &t.Frames[t.Depth-1] }

// Oopsed reports whether the thread died in an oops (a NULL pointer
// dereference) instead of returning.
func (t *Thread) Oopsed() bool { return t.Status == Done && t.Depth > 0 }

// Returned reports whether the thread returned from its outermost function.
func (t *Thread) Returned() bool { return t.Status == Done && t.Depth == 0 }

// State is a complete snapshot of the simulated kernel.
type State struct {
	Dev           []DevState
	Head          DevState // devices_kset->list head: only Prev and Next are used
	ListLock      TID      // owner of devices_kset->list_lock
	PMLock        TID      // owner of dpm_list_mtx (device_pm_lock())
	Param         bool     // core.async_shutdown
	AllocFailures int8     // injected allocation failures left
	NextCookie    int16    // kernel/async.c next_cookie
	Links         []LinkFlags
	Threads       []Thread

	// Interp is, for a version interpreted from C (NewProgramVariant),
	// each thread's C call stack and locals, by TID; threads past its end
	// (and every thread of a hand-written version, whose Interp is empty)
	// run no interpreted code. See interp.go.
	Interp []ir.Thread
}

// Clone returns a deep copy of s.
func (s *State) Clone() *State {
	c := &State{}
	c.CopyFrom(s)
	return c
}

// CopyFrom makes s a deep copy of src, reusing s's storage.
func (s *State) CopyFrom(src *State) {
	interp := s.Interp[:0]
	dev, links, threads := s.Dev[:0], s.Links[:0], s.Threads[:0]
	*s = *src
	s.Dev = append(dev, src.Dev...)
	s.Links = append(links, src.Links...)
	s.Threads = append(threads, src.Threads...)
	s.Interp = append(interp, src.Interp...)
}

// AppendKey appends a compact encoding of s to buf. Two states have the same
// key exactly when they are the same state.
func (s *State) AppendKey(buf []byte) []byte {
	// Device and thread numbers fit a byte on the topologies exhaustive
	// search can handle; larger ones take two bytes. A frame of
	// async_schedule_domain() holds a domain where a device goes: a child
	// domain's number is domainChild above its owner's.
	e := keyEncoder{buf: buf, wide: len(s.Dev)+int(domainChild) >= 255 || len(s.Threads) >= 255}
	for i := range s.Dev {
		d := &s.Dev[i]
		e.id(int16(d.Prev))
		e.id(int16(d.Next))
		e.id(int16(d.Parent))
		e.id(int16(d.Klist))
		e.id(int16(d.Lock))
		e.u16(uint16(d.Ref))
		e.u16(uint16(d.Held))
		e.u16(uint16(d.Flags))
		e.u16(uint16(d.After))
		e.byte(byte(d.Pins))
		e.u16(uint16(d.Knode))
	}
	e.id(int16(s.Head.Prev))
	e.id(int16(s.Head.Next))
	e.id(int16(s.ListLock))
	e.id(int16(s.PMLock))
	e.bool(s.Param)
	e.byte(byte(s.AllocFailures))
	e.u16(uint16(s.NextCookie))
	for _, l := range s.Links {
		e.byte(byte(l))
	}
	e.id(int16(len(s.Threads)))
	for i := range s.Threads {
		t := &s.Threads[i]
		e.byte(byte(t.Kind)<<4 | byte(t.Status))
		e.id(int16(t.Dev))
		e.u16(uint16(t.Cookie))
		e.u16(uint16(t.Domain))
		e.byte(byte(t.Depth))
		e.byte(byte(t.SRCU))
		e.u16(uint16(t.Ret))
		for j := 0; j < int(t.Depth); j++ {
			f := &t.Frames[j]
			e.byte(byte(f.Fn))
			e.byte(f.PC)
			e.bool(f.Flag)
			e.id(int16(f.Dev))
			e.id(int16(f.Cur))
			e.id(int16(f.Dev2))
			e.u16(uint16(f.Aux))
		}
	}
	if len(s.Interp) > 0 {
		e.buf = appendInterpKey(e.buf, s.Interp)
	}
	return e.buf
}

// Hash returns a hash of s's key (AppendKey) computed without encoding
// it: states with the same key have the same hash. It reads the same
// fields as AppendKey, in the same conversions, and nothing else (frames
// past a thread's depth are stale and left out by both); TestHashFollowsKey
// checks that every field that changes one changes the other. The cycle
// check of DPOR hashes every state it reaches; only a hash that matches a
// state on the path has the keys compared.
func (s *State) Hash() uint64 {
	if len(s.Interp) > 0 {
		h := keyHash(hashSeed)
		for _, b := range s.AppendKey(nil) {
			h.add(uint64(b))
		}
		return h.sum()
	}
	h := keyHash(hashSeed)
	for i := range s.Dev {
		d := &s.Dev[i]
		h.add(u16s(uint16(d.Prev), uint16(d.Next), uint16(d.Parent), uint16(d.Klist)))
		h.add(u16s(uint16(d.Lock), uint16(d.Ref), uint16(d.Held), uint16(d.Flags)))
		h.add(u16s(uint16(d.After), uint16(byte(d.Pins)), uint16(d.Knode), 0))
	}
	h.add(u16s(uint16(s.Head.Prev), uint16(s.Head.Next), uint16(s.ListLock), uint16(s.PMLock)))
	h.add(u16s(uint16(b2u(s.Param)), uint16(byte(s.AllocFailures)), uint16(s.NextCookie), 0))
	for _, l := range s.Links {
		h.add(uint64(l))
	}
	h.add(uint64(len(s.Threads)))
	for i := range s.Threads {
		t := &s.Threads[i]
		h.add(u16s(uint16(byte(t.Kind)<<4|byte(t.Status)), uint16(t.Dev), uint16(t.Cookie), uint16(t.Domain)))
		h.add(u16s(uint16(byte(t.Depth)), uint16(byte(t.SRCU)), uint16(t.Ret), 0))
		for j := 0; j < int(t.Depth); j++ {
			f := &t.Frames[j]
			h.add(u16s(uint16(f.Fn)|uint16(f.PC)<<8, uint16(b2u(f.Flag)), uint16(f.Dev), uint16(f.Cur)))
			h.add(u16s(uint16(f.Dev2), uint16(f.Aux), 0, 0))
		}
	}
	return h.sum()
}

// keyHash is a multiply-rotate hash of 64-bit words.
type keyHash uint64

const hashSeed = 0x243F6A8885A308D3

func (h *keyHash) add(v uint64) {
	*h = keyHash(bits.RotateLeft64((uint64(*h)^v)*0x9E3779B97F4A7C15, 27))
}

// sum finishes h (murmur3's 64-bit finalizer).
func (h keyHash) sum() uint64 {
	x := uint64(h)
	x ^= x >> 33
	x *= 0xFF51AFD7ED558CCD
	x ^= x >> 33
	x *= 0xC4CEB9FE1A85EC53
	return x ^ x>>33
}

func u16s(a, b, c, d uint16) uint64 {
	return uint64(a) | uint64(b)<<16 | uint64(c)<<32 | uint64(d)<<48
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

type keyEncoder struct {
	buf  []byte
	wide bool
}

func (e *keyEncoder) byte(b byte) { e.buf = append(e.buf, b) }

func (e *keyEncoder) bool(b bool) {
	if b {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

func (e *keyEncoder) u16(v uint16) { e.buf = binary.LittleEndian.AppendUint16(e.buf, v) }

// id encodes a device or thread number, where -1 (NULL, no owner) is common.
func (e *keyEncoder) id(v int16) {
	if e.wide {
		e.u16(uint16(v))
	} else {
		e.byte(byte(v))
	}
}
