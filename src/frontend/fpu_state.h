/*
 * fpu_state.h — the x87 FPU / MMX register file embedded in CPUState.
 *
 * Layout follows SDM vol. 1 chapter 8 (x87 FPU execution environment) and
 * 9.2 (MMX registers alias the x87 data registers). The data registers are
 * kept as raw 80-bit values (64-bit significand with explicit integer bit,
 * 15-bit exponent + sign) so that FSAVE/FXSAVE, MMX aliasing and exact
 * round-trips never go through a host conversion. The tag word is kept in
 * its abridged (FXSAVE) form: only "empty" is state, the valid/zero/special
 * tags are computed from the register contents when the full tag word is
 * stored (SDM vol. 1 8.1.7; the P6 does the same on FLDENV/FRSTOR).
 */
#ifndef X86BT_FPU_STATE_H
#define X86BT_FPU_STATE_H

#include <stdbool.h>
#include <stdint.h>

/* One x87 data register: value = (-1)^sign * mant * 2^(exp - 16383 - 63). */
typedef struct FpuReg {
    uint64_t mant; /* bit 63 is the explicit integer (J) bit */
    uint16_t sexp; /* bit 15 sign, bits 14..0 biased exponent */
} FpuReg;

typedef struct FpuState {
    FpuReg r[8];       /* physical R0..R7; ST(i) is r[(top + i) & 7] */
    uint16_t cw;       /* control word (SDM vol. 1 8.1.5) */
    uint16_t sw;       /* status word with the TOP field (bits 13..11) zero */
    uint8_t top;       /* TOP of stack, 0..7 */
    uint8_t empty;     /* bit i set: physical register Ri is empty */
    uint16_t fop;      /* last non-control opcode, 11 bits (8.1.9) */
    uint32_t fip, fdp; /* last instruction / data pointer offsets */
    uint16_t fcs, fds; /* their selectors */
    uint32_t mxcsr;    /* saved and restored by FXSAVE/FXRSTOR */
    bool ferr;         /* FERR# asserted: IRQ13 raised (CR0.NE=0 path) */
    bool ignne;        /* IGNNE# asserted by a write to port 0xF0 */
} FpuState;

/* Control word fields. */
enum {
    FPU_CW_IM = 1 << 0,
    FPU_CW_DM = 1 << 1,
    FPU_CW_ZM = 1 << 2,
    FPU_CW_OM = 1 << 3,
    FPU_CW_UM = 1 << 4,
    FPU_CW_PM = 1 << 5,
    FPU_CW_PC_SHIFT = 8, /* 00 single, 10 double, 11 extended */
    FPU_CW_RC_SHIFT = 10, /* 00 nearest, 01 down, 10 up, 11 zero */
    FPU_CW_X = 1 << 12,  /* infinity control, ignored since the 287 */
    FPU_CW_INIT = 0x037F,
};

/* Status word fields (SDM vol. 1 8.1.3). */
enum {
    FPU_SW_IE = 1 << 0,
    FPU_SW_DE = 1 << 1,
    FPU_SW_ZE = 1 << 2,
    FPU_SW_OE = 1 << 3,
    FPU_SW_UE = 1 << 4,
    FPU_SW_PE = 1 << 5,
    FPU_SW_SF = 1 << 6,
    FPU_SW_ES = 1 << 7,
    FPU_SW_C0 = 1 << 8,
    FPU_SW_C1 = 1 << 9,
    FPU_SW_C2 = 1 << 10,
    FPU_SW_TOP_SHIFT = 11,
    FPU_SW_C3 = 1 << 14,
    FPU_SW_B = 1 << 15,
    FPU_SW_EXC = 0x3F,
    FPU_SW_CC = FPU_SW_C0 | FPU_SW_C1 | FPU_SW_C2 | FPU_SW_C3,
};

/* Full tag word values (2 bits per register). */
enum {
    FPU_TAG_VALID = 0,
    FPU_TAG_ZERO = 1,
    FPU_TAG_SPECIAL = 2,
    FPU_TAG_EMPTY = 3,
};

#endif
