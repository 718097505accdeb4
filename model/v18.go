package model

// v18: "shut down devices asynchronously" v18 (1 July 2026). Its patches 1
// and 2 are v17's; patch 3's code is not public (docs/VERSIONS.md §16). Its
// changelog says: "Re-protect the list removal with the spinlock; Hold a
// device reference to ensure the device cannot be freed before attempting
// list removal". Assumed here, and nowhere else different from v17:
//   - start_async_shutdown_devices() takes a second get_device(dev) before
//     dropping list_lock;
//   - after a successful queueing it takes list_lock, does list_del_init(),
//     and drops list_lock;
//   - it then drops the second reference with put_device(dev), outside the
//     lock, on the failure path as well.
// The fragments of v18 3/5 quoted in review show wants_async_shutdown(),
// wait_for_device_shutdown(), the dead check, the restart on a dead next
// device and the main loop unchanged from v17.

var (
	v18 = newCompletions(func(c *completions) {
		c.earlyPass = DefineFunc("start_async_shutdown_devices", c.startAsyncShutdownDevices(true))
		c.shutdownDeviceAsync = DefineFunc("shutdown_device_async", c.v17ShutdownDeviceAsyncStep)
		c.shutdownOneDevice = fnV17ShutdownOneDevice
	})
	_ = register(&Variant{
		Name:       "v18",
		Number:     18,
		Summary:    "1 Jul 2026 (3/5 from its changelog): list removal under list_lock again, extra reference across it",
		Main:       v18.deviceShutdown,
		KillDevice: fnV17KillDevice,
	})
)
