package patch

import (
	"errors"
	"strings"
	"testing"
)

const mbox = `From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001
From: A <a@example.org>
Subject: [PATCH 1/2] one
 continued

Body.
---
diff --git a/f.c b/f.c
index 1..2 100644
--- a/f.c
+++ b/f.c
@@ -2,3 +2,4 @@ int f(void)
 b
 c
+c2
 d
@@ -8,2 +9,2 @@ int g(void)
 h
-i
+I
-- 
2.40.0

From 2222222222222222222222222222222222222222 Mon Sep 17 00:00:00 2001
From: A <a@example.org>
Subject: [PATCH 2/2] two

diff --git a/f.c b/f.c
--- a/f.c
+++ b/f.c
@@ -1,2 +1,2 @@
-a
+A
 b
diff --git a/new.h b/new.h
new file mode 100644
--- /dev/null
+++ b/new.h
@@ -0,0 +1,1 @@
+int x;
-- 
2.40.0
`

func TestParseMbox(t *testing.T) {
	ps, err := Parse("series.mbox", mbox)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Subject != "[PATCH 1/2] one continued" || ps[1].Subject != "[PATCH 2/2] two" {
		t.Fatalf("patches %+v", ps)
	}
	if n := len(ps[0].Files[0].Hunks); n != 2 {
		t.Fatalf("patch 1: %d hunks", n)
	}
	h := ps[0].Files[0].Hunks[1]
	if h.N != 2 || h.OldStart != 8 || strings.Join(h.Old(), ",") != "h,i" || strings.Join(h.New(), ",") != "h,I" {
		t.Fatalf("hunk 2: %+v", h)
	}
	if f := ps[1].Files[1]; f.Old != "/dev/null" || f.Path() != "new.h" {
		t.Fatalf("file 2 of patch 2: %+v", f)
	}
}

func TestParseCutShort(t *testing.T) {
	_, err := Parse("x.patch", "Subject: x\n\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n")
	if err == nil || !strings.Contains(err.Error(), "x.patch:6: f: hunk \"@@ -1,3 +1,3 @@\" is cut short") {
		t.Fatalf("err = %v", err)
	}
}

func TestApplySeries(t *testing.T) {
	ps, _ := Parse("series.mbox", mbox)
	files := Files{"f.c": "a\nb\nc\nd\ne\nf\ng\nh\ni\n"}
	out, res, err := Series(files, ps, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := out["f.c"]; got != "A\nb\nc\nc2\nd\ne\nf\ng\nh\nI\n" {
		t.Fatalf("f.c = %q", got)
	}
	if out["new.h"] != "int x;\n" {
		t.Fatalf("new.h = %q", out["new.h"])
	}
	if files["f.c"] != "a\nb\nc\nd\ne\nf\ng\nh\ni\n" {
		t.Fatal("input changed")
	}
	if len(res) != 4 || res[0].At != 2 || res[1].At != 9 || res[1].Offset != 0 {
		t.Fatalf("results %v", res)
	}
}

func hunkPatch(lines ...string) *Patch {
	text := "Subject: t\n\ndiff --git a/f.c b/f.c\n--- a/f.c\n+++ b/f.c\n" + strings.Join(lines, "\n") + "\n"
	ps, err := Parse("t.patch", text)
	if err != nil {
		panic(err)
	}
	return ps[0]
}

func TestApplyOffsetFuzzAndRefusals(t *testing.T) {
	p := hunkPatch("@@ -10,5 +10,6 @@ int f(void)", " x1", " x2", " b", "+new", " c", " y1")
	// At another offset: applies there (offset reported).
	out, res, err := Apply(Files{"f.c": "a\nx1\nx2\nb\nc\ny1\n"}, p, Options{})
	if err != nil || out["f.c"] != "a\nx1\nx2\nb\nnew\nc\ny1\n" || res[0].Offset != -8 {
		t.Fatalf("offset: %v %q %v", err, out["f.c"], res)
	}
	// Outer context differs: refused without fuzz, applied with fuzz 2.
	files := Files{"f.c": "a\nz1\nx2\nb\nc\nz2\n"}
	_, _, err = Apply(files, p, Options{})
	var errs Errors
	if !errors.As(err, &errs) || errs[0].Hunk != 1 || !strings.Contains(errs[0].Reason, "context not found") {
		t.Fatalf("no fuzz: %v", err)
	}
	if want := `t.patch: f.c: hunk #1 (@@ -10,5 +10,6 @@ int f(void)): context not found (first context line "x1")`; err.Error() != want {
		t.Fatalf("message %q, want %q", err, want)
	}
	out, res, err = Apply(files, p, Options{Fuzz: 2})
	if err != nil || out["f.c"] != "a\nz1\nx2\nb\nnew\nc\nz2\n" || res[0].Fuzz != 1 {
		t.Fatalf("fuzz: %v %q %v", err, out["f.c"], res)
	}
	// Context found twice: ambiguous.
	_, _, err = Apply(Files{"f.c": "x1\nx2\nb\nc\ny1\nx1\nx2\nb\nc\ny1\n"}, p, Options{})
	if err == nil || !strings.Contains(err.Error(), "ambiguous: its context (fuzz 0) matches at lines 1, 6") {
		t.Fatalf("ambiguous: %v", err)
	}
	// All context fuzzed away: never applied.
	q := hunkPatch("@@ -1,2 +1,3 @@", " p", "+new", " q")
	if _, _, err := Apply(Files{"f.c": "r\ns\n"}, q, Options{Fuzz: 3}); err == nil {
		t.Fatal("a hunk with no context left was applied")
	}
	// A file the baseline lacks: refused, or skipped by prefix.
	if _, _, err := Apply(Files{}, p, Options{}); err == nil || !strings.Contains(err.Error(), "the baseline has no f.c") {
		t.Fatalf("missing file: %v", err)
	}
	_, res, err = Apply(Files{}, p, Options{Skip: []string{"f.c"}})
	if err != nil || res[0].Outcome != Skipped {
		t.Fatalf("skip: %v %v", err, res)
	}
	_, res, err = Apply(Files{"f.c": "q\n"}, p, Options{SkipHunks: []HunkRef{{Patch: "t.patch", File: "f.c", Hunk: 1, Reason: "why"}}})
	if err != nil || res[0].Outcome != Skipped || res[0].Reason != "why" {
		t.Fatalf("skip hunk: %v %v", err, res)
	}
}

// A patch with one refused hunk changes nothing, and reports every refused hunk.
func TestApplyAllOrNothing(t *testing.T) {
	p := hunkPatch("@@ -1,3 +1,4 @@", " a", "+A", " b", " c", "@@ -8,3 +9,4 @@", " x", "+X", " y", " z", "@@ -20,3 +22,4 @@", " p", "+P", " q", " r")
	files := Files{"f.c": "a\nb\nc\nd\n"}
	out, _, err := Apply(files, p, Options{})
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 2 || errs[0].Hunk != 2 || errs[1].Hunk != 3 {
		t.Fatalf("err = %v", err)
	}
	if out["f.c"] != files["f.c"] {
		t.Fatal("a refused patch changed the file")
	}
}
