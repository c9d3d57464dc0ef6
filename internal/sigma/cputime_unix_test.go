//go:build unix

package sigma

import (
	"syscall"
	"time"
)

// processCPU returns the user+system CPU time used by the process so far;
// benchmarks report it next to wall time, which a loaded machine inflates.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
