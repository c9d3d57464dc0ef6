//go:build !purego

#include "textflag.h"

// func prefetch(addr uintptr)
//
// Asks the CPU to start loading the cache line at addr. It never faults,
// whatever addr is.
TEXT ·prefetch(SB), NOSPLIT, $0-8
	MOVQ	addr+0(FP), AX
	PREFETCHT0	(AX)
	RET
