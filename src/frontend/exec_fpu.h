/*
 * exec_fpu.h — helpers shared by the x87/MMX instruction handlers
 * (exec_fpu.c, exec_fpu_env.c, exec_mmx.c); not for other modules.
 */
#ifndef X86BT_EXEC_FPU_H
#define X86BT_EXEC_FPU_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "frontend/decode.h"

/* What fpu_begin() checks besides #NM (bit set). */
enum {
    FPU_WAITING = 0,     /* a waiting instruction: pending exception check */
    FPU_NOWAIT = 1 << 0, /* FNINIT, FNCLEX, FNSTSW, FNSTCW, FNSTENV, FNSAVE */
    FPU_CONTROL = 1 << 1 /* control instruction: FIP/FDP/FOP not updated */
};
typedef unsigned FpuCheck;

/* Checks before an x87 instruction: #NM if CR0.EM or CR0.TS; for waiting
 * instructions a pending unmasked exception (#MF, or FERR#/IRQ13 with
 * CR0.NE=0); then records FIP/FOP/FDP. Returns false if the instruction
 * must not run now (frozen waiting for IRQ13: it will be restarted). */
bool fpu_begin(CPUState *cpu, const DecodedInsn *d, FpuCheck chk);
/* The pending-exception part alone (WAIT, MMX). */
bool fpu_check_pending(CPUState *cpu);
/* Deassert FERR# (and IGNNE#) once ES is clear (FNCLEX, FNINIT, ...). */
void fpu_ferr_update(CPUState *cpu);
/* Claim port 0xF0 (write: clear the IRQ13 latch, assert IGNNE#). */
void fpu_ferr_attach(CPUState *cpu);

/* Memory operand access for the ModRM operand of d: n bytes (even). */
void fpu_read_mem(CPUState *cpu, const DecodedInsn *d, uint8_t *buf,
                  unsigned n);
/* Raise now any #GP/#SS/#PF a write of n bytes would raise. */
void fpu_probe_write(CPUState *cpu, const DecodedInsn *d, unsigned n);
void fpu_write_mem(CPUState *cpu, const DecodedInsn *d, const uint8_t *buf,
                   unsigned n);

/* Memory forms of D9 and DD implemented in exec_fpu_env.c. */
void fpu_exec_fldenv(CPUState *cpu, const DecodedInsn *d);
void fpu_exec_fnstenv(CPUState *cpu, const DecodedInsn *d);
void fpu_exec_fldcw(CPUState *cpu, const DecodedInsn *d);
void fpu_exec_fnstcw(CPUState *cpu, const DecodedInsn *d);
void fpu_exec_frstor(CPUState *cpu, const DecodedInsn *d);
void fpu_exec_fnsave(CPUState *cpu, const DecodedInsn *d);
void fpu_exec_fnstsw(CPUState *cpu, const DecodedInsn *d);

#endif
