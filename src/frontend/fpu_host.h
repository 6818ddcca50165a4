/*
 * fpu_host.h — the x87 arithmetic backend: one primitive per x87 operation.
 *
 * Every primitive takes raw 80-bit operands and the guest control word
 * (precision and rounding control; the exception masks are ignored: the
 * backend always computes the masked response) and returns the status
 * word the operation produced: exception flags IE DE ZE OE UE PE and the
 * condition codes C0..C3. Deciding what is stored when an exception is
 * unmasked, stack faults, tags and TOP are the caller's job (fpu_core.c).
 *
 * The x86-64 implementation (fpu_host_x86.c) runs the very same x87
 * instruction on the host FPU with the guest's PC/RC, so results, flags,
 * NaN propagation, denormal and unsupported-format handling are those of
 * real hardware bit for bit. A portable soft-float implementation of this
 * same interface is needed for non-x86 hosts (docs/FPU.md).
 */
#ifndef X86BT_FPU_HOST_H
#define X86BT_FPU_HOST_H

#include <stdint.h>

#include "frontend/fpu_state.h"

typedef enum FpuHostOp {
    /* r0 = a op b (FADD ... FDIVR with ST(0) or memory as a). */
    FPH_ADD,
    FPH_MUL,
    FPH_SUB,
    FPH_SUBR,
    FPH_DIV,
    FPH_DIVR,
    /* compare a with b: C3 C2 C0 (FCOM/FUCOM; FCOMI/FUCOMI map them). */
    FPH_COM,
    FPH_UCOM,
    /* a = ST(0), b = ST(1); r0 = new ST(0) (PREM, PREM1, SCALE) or the
     * value left after the pop (PATAN, YL2X, YL2XP1). */
    FPH_PREM,
    FPH_PREM1,
    FPH_SCALE,
    FPH_PATAN,
    FPH_YL2X,
    FPH_YL2XP1,
    /* unary on a: r0 = new ST(0). */
    FPH_SQRT,
    FPH_RNDINT,
    FPH_SIN,
    FPH_COS,
    FPH_2XM1,
    FPH_XAM,
    FPH_TST,
    /* unary with push (unless C2 reports out of range): r0 = new ST(0),
     * r1 = new ST(1). */
    FPH_SINCOS,
    FPH_PTAN,
    FPH_XTRACT,
    /* memory image -> r0 */
    FPH_LD_F32,
    FPH_LD_F64,
    FPH_LD_I16,
    FPH_LD_I32,
    FPH_LD_I64,
    FPH_LD_BCD,
    /* a -> memory image */
    FPH_ST_F32,
    FPH_ST_F64,
    FPH_ST_I16,
    FPH_ST_I32,
    FPH_ST_I64,
    FPH_ST_BCD,
    /* constants -> r0 (rounded per RC, SDM vol. 1 8.3.8) */
    FPH_LD1,
    FPH_LDL2T,
    FPH_LDL2E,
    FPH_LDPI,
    FPH_LDLG2,
    FPH_LDLN2,
    FPH_LDZ,
    FPH_NOPS
} FpuHostOp;

typedef struct FpuHostIo {
    FpuReg a, b;     /* inputs */
    FpuReg r0, r1;   /* outputs */
    uint8_t mem[16]; /* memory operand image (little endian) */
} FpuHostIo;

/* Run one operation; returns the status word it produced: exception flags,
 * condition codes, and FPH_PUSHED in place of the TOP field when the
 * operation pushed a second result (r0 = new ST(0), r1 = new ST(1)). */
uint16_t fpu_host_exec(FpuHostOp op, uint16_t cw, FpuHostIo *io);

/* Set in the value returned by fpu_host_exec when r1 is valid (a push
 * happened: FSINCOS, FPTAN in range, FXTRACT). Uses the TOP bits. */
#define FPH_PUSHED (1u << FPU_SW_TOP_SHIFT)

#endif
