package model

// v15: "shut down devices asynchronously" v15 (29 April 2026), patches 1-3.
// Its changelog: "Remove unneeded use of '!!' with boolean type":
// device_async_shutdown_enabled() returns dev->async_shutdown instead of
// !!dev->async_shutdown (a bool bitfield either way). 1/5 and 2/5 are v14's
// with other line numbers, and 3/5's drivers/base/core.c is v14 3/5's. So
// v15 runs v14's algorithm (v14.go).

var _ = register(&Variant{
	Name:    "v15",
	Number:  15,
	Summary: "29 Apr 2026: v14 without the '!!' in device_async_shutdown_enabled()",
	SameAs:  "v14",
	Main:    v14.deviceShutdown,
})
