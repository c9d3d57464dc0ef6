package main

import (
	"os"
	"runtime/debug"
)

// memBase is the memory a scan may use before its eventID set: SPEC 10's
// 200 MB (decimal: 190.7 MiB), less what the process holds outside the Go
// runtime's limit (program text, mapped but untouched pages) and what the
// runtime overshoots a soft limit by while the collector catches up. At
// 600,000 events, peak RSS measured 195-203 MiB against a budget of 209 MiB.
const memBase = 168 << 20

// bytesPerEvent is SPEC 10's allowance for each unique event (the eventID
// set's share).
const bytesPerEvent = 32

// memoryBudget keeps a scan within SPEC 10's memory budget by giving the Go
// runtime a soft memory limit of memBase plus bytesPerEvent for each event
// read so far. The collector runs as the heap nears the limit, not each
// time it has grown by a proportion of what the last collection left
// (GOGC=off while the limit is set, unless GOGC is set); no allocation ever
// fails because of it. A GOMEMLIMIT set in the environment (GOMEMLIMIT=off
// for none) takes precedence and turns both off.
type memoryBudget struct{ on bool }

func newMemoryBudget() memoryBudget {
	b := memoryBudget{on: os.Getenv("GOMEMLIMIT") == ""}
	b.update(0)
	if b.on && os.Getenv("GOGC") == "" {
		// With the limit in place, the heap need not be collected as it
		// grows: a scan's heap only grows (the eventID set, the groups),
		// and each collection before the limit is reached frees little
		// that the limit would not. Collecting at five times the live
		// heap (GOGC=400) rather than at the limit cost 4% of a one-core
		// scan of 200,000 events.
		debug.SetGCPercent(gcPercent)
	}
	return b
}

// gcPercent is the GOGC a scan runs with under its memory limit: off (-1),
// so that the limit alone starts the collector.
const gcPercent = -1

// update raises the limit with the number of events read.
func (b memoryBudget) update(events int64) {
	if b.on {
		debug.SetMemoryLimit(memBase + bytesPerEvent*events)
	}
}
