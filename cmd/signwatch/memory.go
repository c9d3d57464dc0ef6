package main

import (
	"os"
	"runtime/debug"
)

// memBase is the memory a scan may use before its eventID set: SPEC 10's
// 200 MB, less what the process holds outside the Go heap limit (program
// text, runtime metadata).
const memBase = 180 << 20

// bytesPerEvent is SPEC 10's allowance for each unique event (the eventID
// set's share).
const bytesPerEvent = 32

// memoryBudget keeps a scan within SPEC 10's memory budget by giving the Go
// runtime a soft memory limit of memBase plus bytesPerEvent for each event
// read so far. Near the limit the collector runs more often instead of
// letting the heap double; no allocation ever fails because of it. A
// GOMEMLIMIT set in the environment (GOMEMLIMIT=off for none) takes
// precedence and turns this off.
type memoryBudget struct{ on bool }

func newMemoryBudget() memoryBudget {
	b := memoryBudget{on: os.Getenv("GOMEMLIMIT") == ""}
	b.update(0)
	return b
}

// update raises the limit with the number of events read.
func (b memoryBudget) update(events int64) {
	if b.on {
		debug.SetMemoryLimit(memBase + bytesPerEvent*events)
	}
}
