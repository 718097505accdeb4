package cfront

import (
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"modernc.org/cc/v4"

	"github.com/shutdowncheck/shutdowncheck/cfront/baseline"
)

// predefined are the macros a C compiler would predefine, fixed for
// x86_64 Linux (LP64) so that no host compiler is needed.
const predefined = `
#define __STDC__ 1
#define __STDC_VERSION__ 201112L
#define __STDC_HOSTED__ 0
#define __GNUC__ 12
#define __GNUC_MINOR__ 2
#define __x86_64__ 1
#define __linux__ 1
#define __LP64__ 1
#define __CHAR_BIT__ 8
#define __SIZEOF_INT__ 4
#define __SIZEOF_LONG__ 8
#define __SIZEOF_LONG_LONG__ 8
#define __SIZEOF_POINTER__ 8
#define __SIZE_TYPE__ unsigned long
#define __PTRDIFF_TYPE__ long
#define __WCHAR_TYPE__ int
#define __INT8_TYPE__ signed char
#define __INT16_TYPE__ short
#define __INT32_TYPE__ int
#define __INT64_TYPE__ long
#define __UINT8_TYPE__ unsigned char
#define __UINT16_TYPE__ unsigned short
#define __UINT32_TYPE__ unsigned int
#define __UINT64_TYPE__ unsigned long
#define __INTPTR_TYPE__ long
#define __UINTPTR_TYPE__ unsigned long
#define __KERNEL__ 1
`

// stubFS serves every header as an empty file: the prelude stands in for
// all of them.
type stubFS struct{}

func (stubFS) Open(name string) (fs.File, error) {
	if strings.HasSuffix(name, ".h") {
		return &emptyFile{name: name}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

type emptyFile struct{ name string }

func (f *emptyFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *emptyFile) Read([]byte) (int, error)   { return 0, io.EOF }
func (f *emptyFile) Close() error               { return nil }
func (f *emptyFile) Name() string               { return f.name }
func (f *emptyFile) Size() int64                { return 0 }
func (f *emptyFile) Mode() fs.FileMode          { return 0o444 }
func (f *emptyFile) ModTime() time.Time         { return time.Time{} }
func (f *emptyFile) IsDir() bool                { return false }
func (f *emptyFile) Sys() any                   { return nil }

func config() (*cc.Config, error) {
	abi, err := cc.NewABI("linux", "amd64")
	if err != nil {
		return nil, err
	}
	cfg := &cc.Config{
		ABI:             abi,
		Predefined:      predefined,
		FS:              stubFS{},
		FSOnly:          true,
		IncludePaths:    []string{"include"},
		SysIncludePaths: []string{"include"},
	}
	if err := cfg.ApplyOptions("-std=gnu11"); err != nil {
		return nil, err
	}
	return cfg, nil
}

// parse preprocesses, parses and type-checks src (named name) after the
// prelude, with the functions roots do not reach blanked out first.
func parse(name, src string, roots []string) (*cc.AST, []string, error) {
	cfg, err := config()
	if err != nil {
		return nil, nil, err
	}
	trimmed, kept := trim(src, roots)
	ast, err := cc.Translate(cfg, []cc.Source{
		{Name: "<predefined>", Value: predefined},
		{Name: "<builtin>", Value: cc.Builtin},
		{Name: baseline.PreludeName, Value: baseline.Prelude()},
		{Name: name, Value: trimmed},
	})
	if err != nil {
		return nil, kept, &ParseError{Err: err}
	}
	return ast, kept, nil
}

// ParseError is an error of the C parser or type checker; its text has
// file:line:column positions.
type ParseError struct{ Err error }

func (e *ParseError) Error() string { return "C: " + firstLines(e.Err.Error(), 10) }
func (e *ParseError) Unwrap() error { return e.Err }

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("... (%d more)", len(lines)-n))
	}
	return strings.Join(lines, "\n")
}
