/*
 * fpu_core.h — x87 semantics on FpuState, independent of CPUState.
 *
 * These functions implement the register stack, the tag word, stack
 * overflow/underflow (SDM vol. 1 8.5.1.1), the masked and unmasked
 * responses to the six numeric exceptions (8.5, 4.9), the condition codes,
 * and the memory images of FSTENV/FSAVE (8.1.10) and FXSAVE (vol. 2
 * FXSAVE, table 3-53). The instruction handlers (exec_fpu*.c) fetch and
 * store guest memory and raise #NM/#MF; everything numeric is here, and
 * the arithmetic itself goes through the backend of fpu_host.h.
 *
 * Conventions: functions that produce a memory result return true if it
 * must be written (false: an unmasked exception suppressed the store).
 * ES and B are recomputed after every change of SW or CW.
 */
#ifndef X86BT_FPU_CORE_H
#define X86BT_FPU_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "frontend/fpu_host.h"
#include "frontend/fpu_state.h"

/* The QNaN "real indefinite" (SDM vol. 1 4.8.3.7). */
#define FPU_INDEF_MANT 0xC000000000000000ull
#define FPU_INDEF_SEXP 0xFFFFu

/* Power-on state (SDM vol. 3 table 9-1): CW 0040H, TW 5555H (all zero). */
void fpu_power_on(FpuState *fs);
/* FNINIT (also what FSAVE leaves behind). */
void fpu_init(FpuState *fs);

/* Register stack access. */
unsigned fpu_phys(const FpuState *fs, unsigned i);
FpuReg *fpu_st(FpuState *fs, unsigned i);
bool fpu_st_empty(const FpuState *fs, unsigned i);
FpuReg fpu_indefinite(void);
/* Status word with TOP inserted; full 16-bit tag word computed from tags
 * and contents (SDM vol. 1 8.1.7). */
uint16_t fpu_get_sw(const FpuState *fs);
uint16_t fpu_get_tw(const FpuState *fs);
unsigned fpu_reg_class(const FpuReg *r); /* FPU_TAG_VALID/ZERO/SPECIAL */
void fpu_set_cw(FpuState *fs, uint16_t cw);
void fpu_set_sw(FpuState *fs, uint16_t sw);
/* Apply a full tag word: only "empty" (11) matters, P6 behaviour. */
void fpu_set_tw(FpuState *fs, uint16_t tw);
void fpu_clex(FpuState *fs);
/* An unmasked exception is pending (ES): the next waiting instruction
 * must take #MF or assert FERR#. */
bool fpu_pending(const FpuState *fs);

/* ST(d) = ST(d) op ST(s), then pop if asked (FADDP ...). */
void fpu_arith_reg(FpuState *fs, FpuHostOp op, unsigned d, unsigned s,
                   bool pop);
/* ST(0) = ST(0) op load(mem): FADD m32fp ... FIDIVR m16int. */
void fpu_arith_mem(FpuState *fs, FpuHostOp op, FpuHostOp load,
                   const uint8_t *mem);

/* Compare ST(0) with ST(i) (or with load(mem)), set C3 C2 C0, pop `pops`
 * times (FCOM/FCOMP/FCOMPP/FUCOM...; FICOM with an integer load). */
void fpu_compare_reg(FpuState *fs, FpuHostOp op, unsigned i, unsigned pops);
void fpu_compare_mem(FpuState *fs, FpuHostOp op, FpuHostOp load,
                     const uint8_t *mem, bool pop);
/* FCOMI/FUCOMI(P): returns the ZF/PF/CF value to place in EFLAGS
 * (bit 6, 2, 0); *write false means an unmasked exception left EFLAGS
 * unchanged. C1 is cleared. */
uint32_t fpu_comi(FpuState *fs, FpuHostOp op, unsigned i, bool pop,
                  bool *write);
void fpu_tst(FpuState *fs);
void fpu_xam(FpuState *fs);

/* Push load(mem) (FLD m32/m64, FILD, FBLD) or a raw 80-bit value. */
void fpu_load_mem(FpuState *fs, FpuHostOp load, const uint8_t *mem);
void fpu_load_raw(FpuState *fs, FpuReg v);
void fpu_load_reg(FpuState *fs, unsigned i);       /* FLD ST(i) */
void fpu_load_const(FpuState *fs, FpuHostOp op);   /* FLD1 ... FLDZ */
/* Store ST(0) as `store` (FST/FIST/FBSTP formats) into mem; pop if asked.
 * mem receives 2/4/8/10 bytes. Returns whether memory must be written. */
bool fpu_store_mem(FpuState *fs, FpuHostOp store, uint8_t *mem, bool pop);
/* FSTP m80fp: returns whether to write (ST(0) empty with IE unmasked). */
bool fpu_store_raw(FpuState *fs, FpuReg *out);
void fpu_store_reg(FpuState *fs, unsigned i, bool pop); /* FST(P) ST(i) */

/* One-operand and two-operand specials on ST(0)/ST(1). */
void fpu_unary(FpuState *fs, FpuHostOp op);      /* FSQRT FSIN ... */
void fpu_unary_push(FpuState *fs, FpuHostOp op); /* FSINCOS FPTAN FXTRACT */
void fpu_binary_st1(FpuState *fs, FpuHostOp op); /* FPREM(1) FSCALE */
void fpu_binary_pop(FpuState *fs, FpuHostOp op); /* FPATAN FYL2X(P1) */
void fpu_chs(FpuState *fs);
void fpu_abs(FpuState *fs);
void fpu_xch(FpuState *fs, unsigned i);
void fpu_free(FpuState *fs, unsigned i);
void fpu_incstp(FpuState *fs);
void fpu_decstp(FpuState *fs);
void fpu_pop(FpuState *fs);
/* FCMOVcc: ST(0) = ST(i) if cond. */
void fpu_cmov(FpuState *fs, unsigned i, bool cond);

/* Unmasked overflow/underflow into a register (fpu_wrap.c): the result of
 * a op b with the exponent wrapped by 24576, and in *sw the status of that
 * rounding (PE, C1). false if op has no wrapped form (then the masked
 * result stands). */
bool fpu_wrap_result(FpuHostOp op, uint16_t cw, FpuReg a, FpuReg b,
                     bool overflow, FpuReg *out, uint16_t *sw);

/* FSTENV/FLDENV images: 14 bytes (16-bit) or 28 bytes (32-bit), real or
 * protected layout (SDM vol. 1 figures 8-9 to 8-12). FSAVE/FRSTOR add
 * the eight registers in stack order (10 bytes each). Return the size. */
size_t fpu_env_size(bool op32);
size_t fpu_store_env(const FpuState *fs, uint8_t *buf, bool op32, bool real);
void fpu_load_env(FpuState *fs, const uint8_t *buf, bool op32, bool real);
size_t fpu_save(FpuState *fs, uint8_t *buf, bool op32, bool real);
void fpu_restore(FpuState *fs, const uint8_t *buf, bool op32, bool real);
/* FXSAVE/FXRSTOR 512-byte image (x87/MMX part and MXCSR; the XMM area is
 * left untouched: the P6 has no SSE). */
#define FPU_FXSAVE_SIZE 512
void fpu_fxsave(const FpuState *fs, uint8_t *buf);
/* Register dump (monitor, cpu_dump): control words and ST(0)..ST(7). */
void fpu_dump(const FpuState *fs, FILE *f);
void fpu_fxrstor(FpuState *fs, const uint8_t *buf);

/* Record FIP/FCS/FOP (and FDP/FDS for memory operands) for a non-control
 * instruction (SDM vol. 1 8.1.8, 8.1.9). */
void fpu_note_insn(FpuState *fs, uint16_t cs, uint32_t eip, uint16_t fop);
void fpu_note_data(FpuState *fs, uint16_t ds, uint32_t off);

/* MMX aliasing (SDM vol. 1 9.5): MMi is the significand of physical Ri;
 * every MMX instruction sets TOP = 0 and all tags valid; a write sets the
 * exponent and sign bits to all ones. EMMS empties the tag word. */
void fpu_mmx_enter(FpuState *fs);
uint64_t fpu_mmx_get(const FpuState *fs, unsigned i);
void fpu_mmx_set(FpuState *fs, unsigned i, uint64_t v);
void fpu_emms(FpuState *fs);

#endif
