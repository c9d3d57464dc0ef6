package main

import (
	"runtime/debug"
	"testing"
)

func TestMemoryBudget(t *testing.T) {
	orig := debug.SetMemoryLimit(-1)
	origGC := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetMemoryLimit(orig); debug.SetGCPercent(origGC) })

	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("GOGC", "")
	b := newMemoryBudget()
	if got := debug.SetMemoryLimit(-1); got != memBase {
		t.Fatalf("limit at start %d, want %d", got, memBase)
	}
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Fatalf("GC percent under the limit %d, want %d", got, gcPercent)
	}
	b.update(1_000_000)
	if got, want := debug.SetMemoryLimit(-1), int64(memBase+32*1_000_000); got != want {
		t.Fatalf("limit after a million events %d, want %d", got, want)
	}

	// A GOGC chosen by the user is left alone.
	t.Setenv("GOGC", "50")
	debug.SetGCPercent(50)
	newMemoryBudget()
	if got := debug.SetGCPercent(100); got != 50 {
		t.Fatalf("GOGC set: GC percent changed to %d", got)
	}

	// A limit chosen by the user is left alone, and so is GOGC: without
	// the limit, nothing bounds a larger heap.
	debug.SetMemoryLimit(orig)
	t.Setenv("GOMEMLIMIT", "off")
	t.Setenv("GOGC", "")
	newMemoryBudget().update(5)
	if got := debug.SetMemoryLimit(-1); got != orig {
		t.Fatalf("GOMEMLIMIT set: limit changed to %d", got)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GOMEMLIMIT set: GC percent changed to %d", got)
	}
}
