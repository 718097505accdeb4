package importer

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ReadSysfs reads a live sysfs mounted at root (usually /sys): every
// directory under devices/ with a uevent file is a device, its nearest such
// ancestor its parent; the subsystem link names its bus or class, the
// driver link its driver, DEVTYPE in uevent its type. Device links come from
// class/devlink/*, with their sync_state_only attribute. Sysfs does not show
// the devices_kset order: parents come before children in directory order,
// then every non-sync_state_only link's consumer moves to the tail as
// device_link_add() moves it.
func ReadSysfs(name, root string) (*Result, error) {
	base := filepath.Join(root, "devices")
	var devs []device
	ids := map[string]bool{}
	err := filepath.WalkDir(base, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() || p == base {
			return nil
		}
		if _, err := os.Stat(filepath.Join(p, "uevent")); err != nil {
			return nil // a plain directory (power/, a glue dir): not a device
		}
		rel := "/" + strings.TrimPrefix(filepath.ToSlash(strings.TrimPrefix(p, root)), "/")
		d := device{id: rel, name: e.Name(), pos: p}
		for q := filepath.Dir(p); q != base && len(q) > len(base); q = filepath.Dir(q) {
			if _, err := os.Stat(filepath.Join(q, "uevent")); err == nil {
				d.parent = "/" + strings.TrimPrefix(filepath.ToSlash(strings.TrimPrefix(q, root)), "/")
				break
			}
		}
		if t, err := os.Readlink(filepath.Join(p, "subsystem")); err == nil {
			d.subsystem = filepath.Base(t)
			d.class = strings.Contains(filepath.ToSlash(t), "/class/")
		}
		if t, err := os.Readlink(filepath.Join(p, "driver")); err == nil {
			d.driver = filepath.Base(t)
		}
		if ev, err := os.ReadFile(filepath.Join(p, "uevent")); err == nil {
			for _, l := range strings.Split(string(ev), "\n") {
				if v, ok := strings.CutPrefix(l, "DEVTYPE="); ok {
					d.devtype = v
				}
			}
		}
		devs = append(devs, d)
		ids[rel] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(devs) == 0 {
		return nil, fmt.Errorf("%s: no devices under devices/", root)
	}
	if d, cycle := parentCycle(devs); d != nil { // cannot happen in a directory tree; checked all the same
		return nil, fmt.Errorf("%s: device %s is its own ancestor (parent cycle: %s)", d.pos, d.id, strings.Join(cycle, " > "))
	}
	links, err := sysfsLinks(root, ids)
	if err != nil {
		return nil, err
	}
	notes := []string{
		"devices_kset order: sysfs does not show it; parents come before children in directory order, then each non-sync_state_only link's consumer moves to the tail (device_reorder_to_tail)",
	}
	registered := parentsFirst(devs)
	return build(name, root, reorderToTail(registered, links), registered, links, notes)
}

// sysfsLinks reads class/devlink: each entry's supplier and consumer links
// and its sync_state_only attribute.
func sysfsLinks(root string, ids map[string]bool) ([]link, error) {
	dir := filepath.Join(root, "class", "devlink")
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var links []link
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		end := func(attr string) (string, error) {
			t, err := filepath.EvalSymlinks(filepath.Join(p, attr))
			if err != nil {
				return "", fmt.Errorf("%s: %v", filepath.Join(p, attr), err)
			}
			real, err := filepath.EvalSymlinks(root)
			if err != nil {
				return "", err
			}
			return "/" + strings.TrimPrefix(filepath.ToSlash(strings.TrimPrefix(t, real)), "/"), nil
		}
		s, err := end("supplier")
		if err != nil {
			return nil, err
		}
		c, err := end("consumer")
		if err != nil {
			return nil, err
		}
		if !ids[s] || !ids[c] {
			return nil, fmt.Errorf("%s: a link end is not a device under devices/", p)
		}
		sso, _ := os.ReadFile(filepath.Join(p, "sync_state_only"))
		links = append(links, link{supplier: s, consumer: c, syncStateOnly: strings.TrimSpace(string(sso)) == "1", pos: p})
	}
	return links, nil
}
