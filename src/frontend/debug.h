/*
 * debug.h — debug registers and single-step (debug.c), hooks called by the
 * interpreter around each instruction and by the MMU slow paths.
 */
#ifndef X86BT_DEBUG_H
#define X86BT_DEBUG_H

#include <stdbool.h>
#include <stdint.h>

#include "frontend/cpu_state.h"

struct DecodedInsn;

/* Before an instruction: raise #DB (a fault) if an enabled instruction
 * breakpoint matches CS:EIP and EFLAGS.RF is clear. */
void dbg_before_insn(CPUState *cpu);
/* After an instruction completed: single-step and data-breakpoint traps,
 * delayed by one instruction after MOV SS / POP SS; clears RF. `tf` is
 * EFLAGS.TF as it was when the instruction started. */
void dbg_after_insn(CPUState *cpu, const struct DecodedInsn *d, bool tf);
/* A data access (not a fetch) by the current instruction. */
void dbg_note_access(CPUState *cpu, uint32_t lin, unsigned size, bool write);
/* True if an enabled data breakpoint lies in the 4 KB page of lin (the
 * TLB then leaves the page to the slow path). */
bool dbg_watch_page(const CPUState *cpu, uint32_t lin);

static inline bool dbg_any_enabled(const CPUState *cpu)
{
    return (cpu->dr[7] & 0xFF) != 0;
}

#endif
