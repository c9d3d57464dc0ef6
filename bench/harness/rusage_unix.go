//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// childRSS returns the peak resident set size of a finished child in KiB.
func childRSS(cmd *exec.Cmd) int64 {
	if cmd.ProcessState == nil {
		return 0
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss)
	}
	return 0
}
