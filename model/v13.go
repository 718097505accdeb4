package model

// v13: "shut down devices asynchronously" v13 (7 April 2026). Only its
// cover letter and 2/5 ("driver core: do not always lock parent in
// shutdown") are public; 1/5 ("separate function to shutdown one device")
// and 3/5 ("async device shutdown infrastructure") are not. Derived:
//   - 2/5 is v14 2/5 hunk for hunk (shutdown_one_device() takes
//     `parent = get_device(dev->parent)` only with the parent lock, and the
//     main loop's get_device(dev->parent) goes), on a file one line longer:
//     so 1/5 is v12's (= v14's) separate function;
//   - the cover letter's "Changes from V12" are "Only acquire a parent
//     reference if acquiring the parent's lock" (2/5 above, and in 3/5 the
//     early pass's get_device(dev->parent) and put_device(needs_put->parent)
//     go: v12 3/5 without them is v14 3/5) and "device_enable_async_shutdown
//     should return void" (nothing the model sees);
//   - v14's own changelog ("Remove duplicate flagging of async shutdown on
//     scsi hosts/targets/devices") touches only 5/5.
// So v13 runs v14's algorithm (v14.go).

var _ = register(&Variant{
	Name:    "v13",
	Number:  13,
	Summary: "7 Apr 2026 (1/5 and 3/5 not public: derived from v12, v13 2/5 and v14): parent reference only with the parent lock",
	SameAs:  "v14",
	Main:    v14.deviceShutdown,
})
