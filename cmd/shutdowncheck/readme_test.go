package main

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated block of README.md")

const (
	matrixBegin = "<!-- BEGIN matrix: go run ./cmd/shutdowncheck matrix -->\n"
	matrixEnd   = "<!-- END matrix -->"
)

// The README's matrix is the output of `shutdowncheck matrix`: it must not
// go stale when a model or a topology changes.
func TestREADMEMatrix(t *testing.T) {
	code, out, errs := shutdowncheck(t, "matrix")
	if code != exitViolation {
		t.Fatalf("matrix: exit %d: %s", code, errs)
	}
	const path = "../../README.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	a, b := strings.Index(readme, matrixBegin), strings.Index(readme, matrixEnd)
	if a < 0 || b < a {
		t.Fatal("README.md has no matrix block")
	}
	current := readme[a+len(matrixBegin) : b]
	if current == out {
		return
	}
	if !*update {
		t.Fatalf("README.md's matrix is stale; regenerate it: go test ./cmd/shutdowncheck -run README -args -update\n%s", out)
	}
	if err := os.WriteFile(path, []byte(readme[:a+len(matrixBegin)]+out+readme[b:]), 0o644); err != nil {
		t.Fatal(err)
	}
}
