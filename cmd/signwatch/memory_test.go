package main

import (
	"runtime/debug"
	"testing"
)

func TestMemoryBudget(t *testing.T) {
	orig := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(orig) })

	t.Setenv("GOMEMLIMIT", "")
	b := newMemoryBudget()
	if got := debug.SetMemoryLimit(-1); got != memBase {
		t.Fatalf("limit at start %d, want %d", got, memBase)
	}
	b.update(1_000_000)
	if got, want := debug.SetMemoryLimit(-1), int64(memBase+32*1_000_000); got != want {
		t.Fatalf("limit after a million events %d, want %d", got, want)
	}

	// A limit chosen by the user is left alone.
	debug.SetMemoryLimit(orig)
	t.Setenv("GOMEMLIMIT", "off")
	newMemoryBudget().update(5)
	if got := debug.SetMemoryLimit(-1); got != orig {
		t.Fatalf("GOMEMLIMIT set: limit changed to %d", got)
	}
}
