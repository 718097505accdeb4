// Package model simulates the Linux driver core objects that device_shutdown()
// touches, and the versions of the shutdown algorithm on top of them.
//
// The kernel-object layer (devices, devices_kset and its list_lock,
// device_lock, completions, kref, klist child iteration, device links and
// the async subsystem) lives in the files named after those objects. Each
// version of the algorithm is one file (upstream.go, v14.go, ...) written as
// step functions that read like the kernel code they model.
//
// Execution is explicit: a State holds every kernel object and every thread's
// call stack, so it can be copied and hashed cheaply. A step is one kernel
// operation that another CPU could observe or interleave with; control flow
// that reads only thread-local or immutable data is free. Nothing here reads
// the wall clock, iterates a map or starts a goroutine: the same State and the
// same Transition always give the same next State.
package model
