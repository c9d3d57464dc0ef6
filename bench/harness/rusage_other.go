//go:build !unix

package main

import "os/exec"

// childRSS is unknown on systems without getrusage.
func childRSS(*exec.Cmd) int64 { return 0 }
