package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/corpus"
)

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// writeCounterexamples writes, for each violation, DIR/TOPOLOGY-VARIANT-PROPERTY
// .yaml (the replay file, with every version's verdict on the topology),
// .trace.txt, .html (porcupine) and .dot. It returns the replay file of
// each property.
func writeCounterexamples(dir string, res *checker.Result, props checker.Properties, maxSteps int) (map[string]string, error) {
	return writeFiles(dir, res, props, maxSteps, true)
}

// writeFiles writes each violation's replay file and, with all, its trace,
// porcupine HTML and DOT too.
func writeFiles(dir string, res *checker.Result, props checker.Properties, maxSteps int, all bool) (map[string]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	m := res.Machine
	replays := map[string]string{}
	for _, v := range res.Violations {
		base := filepath.Join(dir, unsafeName.ReplaceAllString(fmt.Sprintf("%s-%s-%s", m.Top.Name, m.Variant.Name, v.Property), "_"))
		run := checker.Replay(m, v.Schedule, props, maxSteps)
		f := corpus.FromViolation(m, v, maxSteps)
		// Every version's verdict on this topology, as far as 20 s allows.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err := f.RecordVersions(ctx)
		cancel()
		if err != nil {
			return nil, err
		}
		yaml, err := f.Marshal(run)
		if err != nil {
			return nil, err
		}
		files := map[string][]byte{".yaml": yaml}
		if all {
			var trace, html, dot bytes.Buffer
			checker.WriteTrace(&trace, run)
			if err := checker.WriteHistoryHTML(&html, run); err != nil {
				return nil, err
			}
			checker.WriteDOT(&dot, m, v)
			files[".trace.txt"], files[".html"], files[".dot"] = trace.Bytes(), html.Bytes(), dot.Bytes()
		}
		for ext, data := range files {
			if err := os.WriteFile(base+ext, data, 0o644); err != nil {
				return nil, err
			}
		}
		replays[v.Property] = base + ".yaml"
	}
	return replays, nil
}
