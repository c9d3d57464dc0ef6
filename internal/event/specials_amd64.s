//go:build !purego

#include "textflag.h"

// CLASSIFY sets the 16-bit mask in R of the bytes at OFF(SI) that are a
// quote (X1), a backslash (X2) or at most 0x1f (X3: min(b, 0x1f) == b).
#define CLASSIFY(OFF, R) \
	MOVOU	OFF(SI), X0 \
	MOVO	X0, X4 \
	PCMPEQB	X1, X4 \
	MOVO	X0, X5 \
	PCMPEQB	X2, X5 \
	POR	X5, X4 \
	MOVO	X0, X6 \
	PMINUB	X3, X6 \
	PCMPEQB	X0, X6 \
	POR	X6, X4 \
	PMOVMSKB	X4, R

// func specialMasks(dst []uint64, src []byte)
//
// For each 64-byte block of src (len(src) >= 64*len(dst)), sets the
// matching word of dst to the mask of the block's bytes that need
// attention inside a JSON string: bit k for byte k. SSE2, which every
// amd64 CPU has.
TEXT ·specialMasks(SB), NOSPLIT, $0-48
	MOVQ	dst_base+0(FP), DI
	MOVQ	dst_len+8(FP), CX
	MOVQ	src_base+24(FP), SI
	MOVQ	$0x2222222222222222, AX
	MOVQ	AX, X1
	PUNPCKLQDQ	X1, X1
	MOVQ	$0x5c5c5c5c5c5c5c5c, AX
	MOVQ	AX, X2
	PUNPCKLQDQ	X2, X2
	MOVQ	$0x1f1f1f1f1f1f1f1f, AX
	MOVQ	AX, X3
	PUNPCKLQDQ	X3, X3
	TESTQ	CX, CX
	JEQ	done

loop:
	CLASSIFY(0, AX)
	CLASSIFY(16, BX)
	SHLQ	$16, BX
	ORQ	BX, AX
	CLASSIFY(32, BX)
	SHLQ	$32, BX
	ORQ	BX, AX
	CLASSIFY(48, BX)
	SHLQ	$48, BX
	ORQ	BX, AX
	MOVQ	AX, (DI)
	ADDQ	$64, SI
	ADDQ	$8, DI
	DECQ	CX
	JNE	loop

done:
	RET
