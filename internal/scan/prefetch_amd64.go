//go:build !purego

package scan

// prefetch is in prefetch_amd64.s.
//
//go:noescape
func prefetch(addr uintptr)
