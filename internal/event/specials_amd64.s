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

// STORE_AND_NEXT stores the block's mask (AX), steps to the next block and
// goes back to label while blocks are left (CX).
#define STORE_AND_NEXT(label) \
	MOVQ	AX, (DI) \
	ADDQ	$64, SI \
	ADDQ	$8, DI \
	DECQ	CX \
	JNE	label

// func specialMasks(dst []uint64, src []byte)
//
// For each 64-byte block of src (len(src) >= 64*len(dst)), sets the
// matching word of dst to the mask of the block's bytes that need
// attention inside a JSON string: bit k for byte k. With AVX2 when the CPU
// and the OS support it (useAVX2), 32 bytes a step; otherwise with SSE2,
// which every amd64 CPU has, 16 bytes a step.
TEXT ·specialMasks(SB), NOSPLIT, $0-48
	CMPB	·useAVX2(SB), $0
	JNE	avx2
	JMP	·specialMasksSSE2(SB)
avx2:
	JMP	·specialMasksAVX2(SB)

// func specialMasksSSE2(dst []uint64, src []byte)
TEXT ·specialMasksSSE2(SB), NOSPLIT, $0-48
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
	STORE_AND_NEXT(loop)

done:
	RET

// CLASSIFY32 sets the 32-bit mask in R of the bytes at OFF(SI) that are a
// quote (Y1), a backslash (Y2) or at most 0x1f (Y3), as CLASSIFY does.
#define CLASSIFY32(OFF, R) \
	VMOVDQU	OFF(SI), Y0 \
	VPCMPEQB	Y1, Y0, Y4 \
	VPCMPEQB	Y2, Y0, Y5 \
	VPOR	Y5, Y4, Y4 \
	VPMINUB	Y3, Y0, Y6 \
	VPCMPEQB	Y0, Y6, Y6 \
	VPOR	Y6, Y4, Y4 \
	VPMOVMSKB	Y4, R

// func specialMasksAVX2(dst []uint64, src []byte)
//
// Every vector instruction here is VEX-encoded, the constants' VMOVQ
// included: a legacy SSE instruction (MOVQ AX, X2) after the first
// VPBROADCASTB has dirtied the upper halves pays an SSE/AVX transition,
// which cost about 100 ns a time on the machines the benchmarks ran on,
// ten times the work of classifying 512 bytes.
TEXT ·specialMasksAVX2(SB), NOSPLIT, $0-48
	MOVQ	dst_base+0(FP), DI
	MOVQ	dst_len+8(FP), CX
	MOVQ	src_base+24(FP), SI
	TESTQ	CX, CX
	JEQ	done
	MOVL	$0x22, AX
	VMOVQ	AX, X1
	VPBROADCASTB	X1, Y1
	MOVL	$0x5c, AX
	VMOVQ	AX, X2
	VPBROADCASTB	X2, Y2
	MOVL	$0x1f, AX
	VMOVQ	AX, X3
	VPBROADCASTB	X3, Y3

loop:
	CLASSIFY32(0, AX)
	CLASSIFY32(32, BX)
	SHLQ	$32, BX
	ORQ	BX, AX
	STORE_AND_NEXT(loop)
	VZEROUPPER

done:
	RET
