package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// stopSignals are the signals that stop a search: Ctrl-C, and SIGTERM,
// which timeout(1), CI cancellation and Kubernetes send.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// errInterrupted is the cause of a context a signal ended.
var errInterrupted = errors.New("interrupted")

// interrupts turns stop signals into the end of the current stage of a
// command: the first signal ends the search (which keeps and prints what
// it found), one during the bounded work after it (other versions'
// verdicts for --out and --save) ends that work; a signal with no stage to
// end gets its default action (the process ends).
type interrupts struct {
	stderr  io.Writer
	ch      chan os.Signal
	done    chan struct{}
	mu      sync.Mutex
	current context.CancelCauseFunc
	what    string // what ending the current stage does, for the message
}

// watchInterrupts starts catching the stop signals; stop ends that.
func watchInterrupts(stderr io.Writer) *interrupts {
	in := &interrupts{stderr: stderr, ch: make(chan os.Signal, 1), done: make(chan struct{})}
	signal.Notify(in.ch, stopSignals...)
	go func() {
		for {
			select {
			case <-in.done:
				return
			case sig := <-in.ch:
				in.handle(sig)
			}
		}
	}()
	return in
}

// handle ends the current stage, or, with none, lets sig end the process.
func (in *interrupts) handle(sig os.Signal) {
	in.mu.Lock()
	cancel, what := in.current, in.what
	in.current = nil
	in.mu.Unlock()
	if cancel == nil {
		signal.Stop(in.ch)
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			p.Signal(sig) // the default action now
		}
		return
	}
	fmt.Fprintf(in.stderr, "shutdowncheck: %v: %s\n", sig, what)
	cancel(errInterrupted)
}

// stage returns a context that the next stop signal ends (and, with
// timeout > 0, the timeout), saying what; release ends the stage.
func (in *interrupts) stage(timeout time.Duration, what string) (ctx context.Context, release func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	var stopTimer context.CancelFunc = func() {}
	if timeout > 0 {
		ctx, stopTimer = context.WithTimeout(ctx, timeout)
	}
	in.mu.Lock()
	in.current, in.what = cancel, what
	in.mu.Unlock()
	return ctx, func() {
		in.mu.Lock()
		in.current = nil
		in.mu.Unlock()
		stopTimer()
		cancel(nil)
	}
}

// stop stops catching the signals.
func (in *interrupts) stop() {
	signal.Stop(in.ch)
	close(in.done)
}
