package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/importer"
	"github.com/shutdowncheck/shutdowncheck/topofile"
)

const importFormats = `formats:
  sysfs DIR        a live sysfs (usually /sys): devices/ and class/devlink
  tsv FILE         a sysfs walk saved as TSV ("# path	parent	subsystem	kind	driver	devtype" header)
  bootlog DIR      a boot log's devices_kset_final_order.tsv and events.tsv, bare or both
                   named PREFIX.*.tsv (DIR may be DIR/PREFIX; importer/testdata has wrt1900acs)
  devlinks FILE    a device-link list: "bus:a--bus:b" lines or the AM625 links.tsv`

func runImport(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("import", "import [flags] FORMAT SOURCE\n\n"+importFormats, stderr)
	name := fs.String("name", "", "the topology's name (default: after the source file, its directory, or the host)")
	out := fs.String("o", "", "write the topology file here instead of to stdout")
	pos, code, ok := parseCommand(fs, args)
	if !ok {
		return code, nil
	}
	if len(pos) != 2 {
		return 0, fmt.Errorf("import needs FORMAT and SOURCE\n%s", importFormats)
	}
	format, src := pos[0], pos[1]
	if *name == "" {
		*name = defaultName(format, src)
	}
	res, err := readSource(format, src, *name)
	if err != nil {
		return 0, err
	}
	notes := append([]string{fmt.Sprintf("imported by shutdowncheck import %s %s", format, src)}, res.Notes...)
	data, err := topofile.Marshal(res.Topology, res.Topology.Scenario, notes...)
	if err != nil {
		return 0, err
	}
	if *out == "" {
		_, err = stdout.Write(data)
		return exitPass, err
	}
	return exitPass, os.WriteFile(*out, data, 0o644)
}

// defaultName names an imported topology after its source: the file's name
// up to its first dot, or its directory's for the datasets' generic
// devices.tsv and links.tsv, a boot log's prefix (or its directory's name),
// or the host's for a live sysfs.
func defaultName(format, src string) string {
	switch format {
	case "sysfs":
		if h, err := os.Hostname(); err == nil {
			return h
		}
	case "bootlog":
		if order, _, prefix, err := importer.BootlogFiles(src); err == nil {
			if prefix != "" {
				return prefix
			}
			return filepath.Base(filepath.Dir(order))
		}
	}
	src = filepath.Clean(src)
	name, _, _ := strings.Cut(filepath.Base(src), ".")
	if name == "devices" || name == "links" {
		return filepath.Base(filepath.Dir(src))
	}
	return name
}

// capped reads a file, refusing to go past topofile.MaxFileSize: an input
// that never ends (/dev/zero, yes(1) into a pipe) is refused, not read
// until memory runs out.
type capped struct {
	*os.File
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, fmt.Errorf("larger than %d MiB: too large for an input of shutdowncheck", topofile.MaxFileSize>>20)
	}
	n, err := c.File.Read(p[:min(int64(len(p)), c.left)])
	c.left -= int64(n)
	return n, err
}

func readSource(format, src, name string) (*importer.Result, error) {
	open := func(p string) (*capped, error) {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", p, err)
		}
		return &capped{f, topofile.MaxFileSize}, nil
	}
	switch format {
	case "sysfs":
		return importer.ReadSysfs(name, src)
	case "tsv", "devlinks":
		f, err := open(src)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if format == "tsv" {
			return importer.ReadTSV(name, src, f)
		}
		return importer.ReadDevlinks(name, src, f)
	case "bootlog":
		orderPath, eventsPath, _, err := importer.BootlogFiles(src)
		if err != nil {
			return nil, err
		}
		order, err := open(orderPath)
		if err != nil {
			return nil, err
		}
		defer order.Close()
		events, err := open(eventsPath)
		if err != nil {
			return nil, err
		}
		defer events.Close()
		return importer.ReadBootlog(name, orderPath, order, eventsPath, events)
	}
	return nil, fmt.Errorf("unknown import format %q\n%s", format, importFormats)
}
