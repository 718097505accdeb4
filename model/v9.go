package model

// v9: "shut down devices asynchronously" v9 (Oct 2024), patch 3
// (docs/VERSIONS.md §6): v8's cookie design with three changes:
//   - sync_state_only links do not set their supplier's shutdown_after;
//   - a sync device's handler waits on its own cookie (every entry queued
//     before it), and the main loop no longer writes shutdown_after for it;
//   - an async device reads shutdown_after once and, if that would make it
//     wait for an entry queued after itself, waits on its own cookie instead
//     ("Unsafe shutdown ordering, forcing sync order").
// shutdown_one_device() is v8's.

var (
	v9 = newCookies(&cookies{skipSyncStateOnly: true}, v9ShutdownOneDeviceAsync)
	_  = register(&Variant{
		Name:    "v9",
		Number:  9,
		Summary: "Oct 2024: v8 plus the sanity check, sync_state_only links ignored, sync devices wait on their own cookie",
		Main:    v9.deviceShutdown,
	})
)

// shutdown_one_device_async(data = dev, cookie). Frame: Aux = cookie,
// Dev2 = wait.
func v9ShutdownOneDeviceAsync(k *Kernel, f *Frame) {
	const (
		check = iota
		readAfter
		wait
		shutdown
		done
	)
	switch f.PC {
	case check: // async_cookie_t wait = cookie; if (device_wants_async_shutdown(dev)) {
		f.Dev2, f.PC = DevID(f.Aux), wait
		if k.Topology().Devices[f.Dev].Async {
			f.PC = readAfter
		}
	case readAfter: // wait = dev->p->shutdown_after + 1; if (wait > cookie) { wait = cookie; dev_warn(...); }
		if after, ok := k.ReadShutdownAfter(f.Dev); ok {
			f.Dev2, f.PC = DevID(min(after+1, f.Aux)), wait
		}
	case wait: // async_synchronize_cookie_domain(wait, &sd_domain);
		if k.AsyncSynchronizeCookieDomain(int16(f.Dev2), DomainSD) {
			f.PC = shutdown
		}
	case shutdown: // shutdown_one_device(dev);
		k.Call(f, done, fnV8ShutdownOneDevice, f.Dev)
	case done:
		k.Return(0)
	}
}
