package model

// v16: "shut down devices asynchronously" v16 (18 May 2026). Its changelog:
// "The async_shutdown bit field is converted to a device flags bit",
// DEV_FLAG_ASYNC_SHUTDOWN in dev->flags with the accessors
// dev_async_shutdown() / dev_set_async_shutdown() (atomic bit operations
// instead of a bool bitfield); wants_async_shutdown() becomes
// `async_shutdown && dev_async_shutdown(dev)`; and core.async_shutdown is
// documented in kernel-parameters.txt. Nothing else in 3/5's
// drivers/base/core.c differs from v15 3/5. 1/5 is v15's. 2/5 is not
// public: 3/5's context shows __shutdown_one_device() starting with
// device_lock(dev) and shutdown_one_device() ending with put_device(dev),
// and every hunk of 3/5 sits exactly 4 lines above v15 3/5's, as 1/5's sit
// 4 lines above v15 1/5's: 2/5 changes the file as v15 2/5 does. The model
// keeps the async flag as a device state bit either way. So v16 runs v14's
// algorithm (v14.go).

var _ = register(&Variant{
	Name:    "v16",
	Number:  16,
	Summary: "18 May 2026 (2/5 not public: v15's, by 3/5's context): async flag as DEV_FLAG_ASYNC_SHUTDOWN in dev->flags",
	SameAs:  "v14",
	Main:    v14.deviceShutdown,
})
