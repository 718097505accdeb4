package report

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/shutdowncheck/shutdowncheck/campaign"
	"github.com/shutdowncheck/shutdowncheck/checker"
	"github.com/shutdowncheck/shutdowncheck/corpus"
	"github.com/shutdowncheck/shutdowncheck/model"
)

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fileBase is the path in dir, without extension, of a counterexample file
// named name.
func fileBase(dir, name string) string {
	return filepath.Join(dir, unsafeName.ReplaceAllString(name, "_"))
}

// FileStem is a topology file's name without its directory and extension:
// check names the counterexample files of my-box.yaml my-box-VARIANT-PROPERTY.
func FileStem(path string) string {
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}

// SaveCounterexamples writes, for each violation of res, into dir, the
// replay file DIR/NAME-VARIANT-PROPERTY.yaml (with every version's verdict
// on the topology) and, with all (--out, not --save), its trace .trace.txt
// (every step), porcupine's view .html and the topology's picture .dot.
// NAME is name, or the topology's name when name is "". It returns each
// property's replay file. The versions' verdicts share what ctx allows (a
// version not done in time is recorded "unknown"), and log is told what is
// being done while it is.
func SaveCounterexamples(ctx context.Context, dir, name string, res *checker.Result, props checker.Properties, maxSteps int, all bool, log io.Writer) (map[checker.Property]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	m := res.Machine
	if name == "" {
		name = m.Top.Name
	}
	replays := map[checker.Property]string{}
	for i, v := range res.Violations {
		base := fileBase(dir, fmt.Sprintf("%s-%s-%s", name, m.Variant.Name, v.Property))
		run := checker.Replay(m, v.Schedule, props, maxSteps)
		f := corpus.FromViolation(m, v, maxSteps)
		// Every version's verdict on this topology, the files sharing
		// what ctx allows.
		fctx, cancel := shareOf(ctx, len(res.Violations)-i)
		if log != nil {
			fmt.Fprintf(log, "%s.yaml: every version's verdict on %s%s... ", base, m.Top.Name, timeLeft(fctx))
		}
		err := f.RecordVersions(fctx)
		cancel()
		if err != nil {
			return nil, err
		}
		if log != nil {
			fmt.Fprintln(log, versionsText(f.Versions))
		}
		yaml, err := f.Marshal(run)
		if err != nil {
			return nil, err
		}
		files := map[string][]byte{".yaml": yaml}
		if all {
			var trace, html, dot bytes.Buffer
			WriteTrace(&trace, run, Full)
			if err := WriteHistoryHTML(&html, run, v); err != nil {
				return nil, err
			}
			WriteDOT(&dot, m, v)
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

// shareOf returns a context ending at an nth of the time ctx has left
// (ctx itself when it has no deadline).
func shareOf(ctx context.Context, n int) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok || n <= 1 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, time.Until(deadline)/time.Duration(n))
}

func timeLeft(ctx context.Context) string {
	if deadline, ok := ctx.Deadline(); ok {
		return fmt.Sprintf(" (at most %.1fs; interrupt to skip)", max(time.Until(deadline).Seconds(), 0))
	}
	return ""
}

func versionsText(versions map[string]string) string {
	var out []string
	for _, v := range model.Variants() {
		out = append(out, v.Name+" "+versions[v.Name])
	}
	return strings.Join(out, ", ")
}

// SaveMatrixCounterexamples writes each violated cell's counterexample
// like check --out does, and returns each cell's replay file.
func SaveMatrixCounterexamples(ctx context.Context, dir string, res *campaign.MatrixResult, props checker.Properties, maxSteps int, log io.Writer) (map[*campaign.Cell]string, error) {
	replays := map[*campaign.Cell]string{}
	left := 0
	for _, row := range res.Cells {
		for _, c := range row {
			if c.Violation != nil {
				left++
			}
		}
	}
	for _, row := range res.Cells {
		for _, c := range row {
			if c.Violation == nil {
				continue
			}
			one := &checker.Result{Machine: c.Machine, Violations: []*checker.Violation{c.Violation}}
			cctx, cancel := shareOf(ctx, left)
			left--
			files, err := SaveCounterexamples(cctx, dir, "", one, props, maxSteps, true, log)
			cancel()
			if err != nil {
				return nil, err
			}
			replays[c] = files[c.Property]
		}
	}
	return replays, nil
}

// SaveVerifyCounterexamples writes each finding's replay file into dir as
// DIR/verify-N-VARIANT-PROPERTY.yaml, and puts its path in its place.
func SaveVerifyCounterexamples(dir string, rep *campaign.VerifyReport) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i, f := range rep.Found {
		path := fileBase(dir, fmt.Sprintf("verify-%d-%s-%s", rep.MaxDevices, rep.Variant, f.Property)) + ".yaml"
		if err := os.WriteFile(path, []byte(f.Replay), 0o644); err != nil {
			return err
		}
		rep.Found[i].Replay = path
	}
	return nil
}
