/*
 * fpu_state.h — x87/MMX register file held inside CPUState (owned by the
 * fpu helper: fpu.c, exec_fpu*.c, exec_mmx.c fill in the semantics).
 *
 * Layout follows the FSAVE/FXSAVE image (SDM vol. 1 section 8.1): eight
 * 80-bit physical registers R0..R7 (MMX registers alias the low 64 bits),
 * control/status/tag words, last-instruction and last-operand pointers.
 * st(i) is regs[(top + i) & 7] with top = (fsw >> 11) & 7.
 */
#ifndef X86BT_FPU_STATE_H
#define X86BT_FPU_STATE_H

#include <stdint.h>

typedef struct FpuReg {
    uint8_t b[10]; /* little-endian 80-bit extended: 64-bit mantissa, exp */
} FpuReg;

typedef struct FpuState {
    FpuReg regs[8];   /* physical R0..R7 */
    uint16_t fcw;     /* control word, reset 0x037F (FINIT) / 0x0040 (RESET) */
    uint16_t fsw;     /* status word incl. TOP in bits 13:11 */
    uint16_t ftw;     /* full 2-bit-per-register tag word (11b = empty) */
    uint16_t fop;     /* last non-control opcode (11 bits) */
    uint32_t fip;     /* last instruction pointer offset */
    uint16_t fcs;     /* last instruction CS selector */
    uint32_t fdp;     /* last data pointer offset */
    uint16_t fds;     /* last data DS selector */
    uint32_t mxcsr;   /* SSE control/status (0x1F80), only if SSE is added */
} FpuState;

#endif
