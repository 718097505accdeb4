// Command shutdowncheck model-checks the Linux kernel's asynchronous device
// shutdown (device_shutdown() as changed by "shut down devices
// asynchronously"): can a version of the algorithm shut a parent down before
// its child, hang, or break a kernel rule on this device topology, and if so,
// exactly how?
//
// Usage:
//
//	shutdowncheck                      check the built-in example topologies
//	shutdowncheck check [flags] FILE   explore one topology
//	shutdowncheck replay FILE          re-run a counterexample file
//	shutdowncheck matrix [DIR|FILE...] every version x every property
//	shutdowncheck verify --max-devices N  bounded proof over every topology
//	shutdowncheck merge SHARD.json...  combine the shards of a proof
//	shutdowncheck import FORMAT SOURCE write a topology file from a real machine
//	shutdowncheck simulate [TOPOLOGY]  shutdown time of every version in virtual time
//
// Exit status: 0 no violation found and the search was complete
// (exhaustive, or every requested run done), 1 a violation found, 2 bad
// usage or input, 3 no violation found but the search was cut short
// (timeout, memory budget, interrupt, a proof given up): not a proof.
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit statuses (docs/CLI.md).
const (
	exitPass       = 0 // no violation found, and the search was complete
	exitViolation  = 1 // a violation found
	exitUsage      = 2 // bad usage or input
	exitIncomplete = 3 // no violation found, but the search was cut short: not a proof
)

// exitStatuses is the one-line table of the exit statuses, for -h.
const exitStatuses = "Exit status: 0 no violation, search complete | 1 violation found | 2 bad usage or input | 3 no violation, search cut short (timeout, memory budget, interrupt, auto giving a proof up, shards missing): not a proof\n"

// exitStatus is the status of a search or campaign: a violation wins, then
// whether it was complete.
func exitStatus(violation, complete bool) int {
	switch {
	case violation:
		return exitViolation
	case !complete:
		return exitIncomplete
	}
	return exitPass
}

const usage = `usage: shutdowncheck [COMMAND [FLAGS] [ARGS]]

With no command, checks the built-in example topologies with v14 and prints
a report.

Commands:
  check [flags] TOPOLOGY   explore one topology file (YAML or JSON)
  replay FILE              re-run a counterexample file and print its trace
  matrix [DIR|TOPOLOGY...] every version x every property over topologies
                           (default: the built-in ones), Markdown or --json
  verify --max-devices N   bounded proof: every topology of 1..N devices
  merge SHARD.json...      combine the --json reports of verify --shard i/n
  import FORMAT SOURCE     write a topology file from a real machine (sysfs, tsv, bootlog, devlinks)
  simulate [TOPOLOGY]      shutdown time of every version in virtual time: critical path, timeline SVG

Run 'shutdowncheck COMMAND -h' for a command's flags.
` + exitStatuses

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	var code int
	var err error
	switch {
	case len(args) == 0:
		code, err = runDefault(stdout, stderr)
	case args[0] == "check":
		code, err = runCheck(args[1:], stdout, stderr)
	case args[0] == "replay":
		code, err = runReplay(args[1:], stdout, stderr)
	case args[0] == "matrix":
		code, err = runMatrix(args[1:], stdout, stderr)
	case args[0] == "verify":
		code, err = runVerify(args[1:], stdout, stderr)
	case args[0] == "merge":
		code, err = runMerge(args[1:], stdout, stderr)
	case args[0] == "import":
		code, err = runImport(args[1:], stdout, stderr)
	case args[0] == "simulate":
		code, err = runSimulate(args[1:], stdout, stderr)
	case args[0] == "-h" || args[0] == "--help" || args[0] == "help":
		fmt.Fprint(stdout, usage)
		return exitPass
	default:
		fmt.Fprintf(stderr, "shutdowncheck: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	if err != nil {
		// Bad usage, a bad file, or output that cannot be written.
		fmt.Fprintf(stderr, "shutdowncheck: %v\n", err)
		return exitUsage
	}
	return code
}
