package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/shutdowncheck/shutdowncheck/campaign"
	"github.com/shutdowncheck/shutdowncheck/topofile"
)

// runMerge combines the --json reports of the shards of one verify into the
// report of the whole proof.
func runMerge(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("merge", "merge [--json] [--out DIR] SHARD.json ...", stderr)
	asJSON := fs.Bool("json", false, "print the merged report as JSON")
	out := fs.String("out", "", "write each property's smallest counterexample here")
	pos, code, ok := parseCommand(fs, args)
	if !ok {
		return code, nil
	}
	if len(pos) == 0 {
		return 0, fmt.Errorf("merge needs the shards' JSON reports")
	}
	var reps []*campaign.VerifyReport
	for _, path := range pos {
		data, err := topofile.ReadFile(path)
		if err != nil {
			return 0, err
		}
		var r campaign.VerifyReport
		if err := json.Unmarshal(data, &r); err != nil {
			return 0, fmt.Errorf("%s: not a verify --json report: %v", path, err)
		}
		reps = append(reps, &r)
	}
	merged, err := campaign.Merge(reps, pos)
	if err != nil {
		return 0, err
	}
	return emitVerify(merged, *asJSON, *out, stdout)
}
