package checker

import (
	"bytes"
	"hash/maphash"
)

// visitedSet is the exhaustive search's set of visited states. It stores
// every key whole, in large chunks, so membership is exact and adding a
// state neither allocates on its own nor copies earlier keys; each state
// gets a stable id for its mark.
// The hash seed is random, which changes only the table's layout, never a
// result.
type visitedSet struct {
	seed   maphash.Seed
	chunks [][]byte // the keys, in chunks that are never copied
	starts []uint64 // starts[id]: chunk<<32 | offset of key id
	lens   []uint32 // lens[id]: its length
	hashes []uint64 // hashes[id]: its hash
	marks  []uint8  // marks[id]
	slots  []uint32 // open addressing, linear probing: id+1, 0 when empty
	mask   uint64

	// The sleep set each state was last explored with (partial-order
	// reduction), as transitions thread<<8|alt: sleepAt[id] indexes sleeps,
	// sleepLen[id] counts them.
	sleepAt  []uint32
	sleepLen []uint8
	sleeps   []uint32
}

const chunkSize = 1 << 20

func newVisitedSet() *visitedSet {
	v := &visitedSet{seed: maphash.MakeSeed()}
	v.resize(1 << 8)
	return v
}

// reset empties the set for another search, keeping its first chunk and,
// unless large, its tables.
func (v *visitedSet) reset() {
	if len(v.chunks) > 1 || len(v.slots) > 1<<16 {
		*v = visitedSet{seed: v.seed, chunks: v.chunks[:min(len(v.chunks), 1)]}
		v.resize(1 << 8)
	} else {
		clear(v.slots)
	}
	if len(v.chunks) > 0 {
		v.chunks[0] = v.chunks[0][:0]
	}
	v.starts, v.lens, v.hashes, v.marks = v.starts[:0], v.lens[:0], v.hashes[:0], v.marks[:0]
	v.sleepAt, v.sleepLen, v.sleeps = v.sleepAt[:0], v.sleepLen[:0], v.sleeps[:0]
}

func (v *visitedSet) len() int { return len(v.lens) }

// bytes is the memory the set holds, for progress reports.
func (v *visitedSet) bytes() int64 {
	n := int64(26*cap(v.lens) + 4*len(v.slots) + 4*cap(v.sleeps))
	for _, c := range v.chunks {
		n += int64(cap(c))
	}
	return n
}

func (v *visitedSet) key(id uint32) []byte {
	st := v.starts[id]
	off := st & (1<<32 - 1)
	return v.chunks[st>>32][off : off+uint64(v.lens[id])]
}

// find returns the id of key, or false.
func (v *visitedSet) find(key []byte, h uint64) (uint32, bool) {
	for i := h & v.mask; ; i = (i + 1) & v.mask {
		s := v.slots[i]
		if s == 0 {
			return 0, false
		}
		if id := s - 1; v.hashes[id] == h && bytes.Equal(v.key(id), key) {
			return id, true
		}
	}
}

// add inserts key, which must not be present, with mark, and returns its id.
func (v *visitedSet) add(key []byte, h uint64, mark uint8) uint32 {
	if uint64(len(v.lens)+1)*2 > uint64(len(v.slots)) {
		v.resize(2 * len(v.slots))
	}
	id := uint32(len(v.lens))
	last := len(v.chunks) - 1
	if last < 0 || len(v.chunks[last])+len(key) > cap(v.chunks[last]) {
		// Chunks grow from 16 KiB to 1 MiB: small searches stay small.
		size := min(chunkSize, 16<<10<<len(v.chunks))
		v.chunks = append(v.chunks, make([]byte, 0, max(size, len(key))))
		last++
	}
	v.starts = append(v.starts, uint64(last)<<32|uint64(len(v.chunks[last])))
	v.chunks[last] = append(v.chunks[last], key...)
	v.lens = append(v.lens, uint32(len(key)))
	v.hashes = append(v.hashes, h)
	v.marks = append(v.marks, mark)
	v.sleepAt = append(v.sleepAt, 0)
	v.sleepLen = append(v.sleepLen, 0)
	v.place(id)
	return id
}

// sleep returns the sleep set state id was explored with.
func (v *visitedSet) sleep(id uint32) []uint32 {
	at := v.sleepAt[id]
	return v.sleeps[at : at+uint32(v.sleepLen[id])]
}

// setSleep records state id's sleep set. A set no larger than the one
// recorded (an intersection) is written in place.
func (v *visitedSet) setSleep(id uint32, trs []uint32) {
	if len(trs) > 255 {
		trs = trs[:0] // an empty sleep set is always sound: re-explore more
	}
	if len(trs) > int(v.sleepLen[id]) {
		v.sleepAt[id] = uint32(len(v.sleeps))
		v.sleeps = append(v.sleeps, trs...)
	} else {
		copy(v.sleeps[v.sleepAt[id]:], trs)
	}
	v.sleepLen[id] = uint8(len(trs))
}

func (v *visitedSet) place(id uint32) {
	for i := v.hashes[id] & v.mask; ; i = (i + 1) & v.mask {
		if v.slots[i] == 0 {
			v.slots[i] = id + 1
			return
		}
	}
}

func (v *visitedSet) resize(n int) {
	v.slots = make([]uint32, n)
	v.mask = uint64(n - 1)
	for id := range v.lens {
		v.place(uint32(id))
	}
}

func (v *visitedSet) hash(key []byte) uint64 { return maphash.Bytes(v.seed, key) }
