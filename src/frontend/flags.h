/*
 * flags.h — lazy EFLAGS (see the cc_* fields in cpu_state.h).
 *
 * Semantics set cc_op/cc_res/cc_op1/cc_op2 with the cc_set_* helpers and
 * read flags back with cc_flags() / cc_cf() / cc_cond(). Anything that
 * needs the full register (PUSHF, interrupts, LAHF) calls cpu_get_eflags().
 */
#ifndef X86BT_FLAGS_H
#define X86BT_FLAGS_H

#include <stdbool.h>
#include <stdint.h>

#include "frontend/cpu_state.h"

/* Size index for cc_op: 0 (8 bits), 1 (16), 2 (32). */
static inline unsigned cc_size_idx(unsigned bytes)
{
    return bytes >> 1; /* 1 -> 0, 2 -> 1, 4 -> 2 */
}

static inline void cc_set(CPUState *cpu, unsigned kind8, unsigned bytes,
                          uint32_t res, uint32_t op1, uint32_t op2)
{
    cpu->cc_op = kind8 + cc_size_idx(bytes);
    cpu->cc_res = res;
    cpu->cc_op1 = op1;
    cpu->cc_op2 = op2;
}

/* The six arithmetic flags as EFL_* bits. */
uint32_t cc_flags(const CPUState *cpu);
/* CF only (0 or 1). */
uint32_t cc_cf(const CPUState *cpu);
/* Condition code 0..15 as in Jcc/SETcc/CMOVcc (SDM vol. 1 appendix B). */
bool cc_cond(const CPUState *cpu, unsigned cc);
/* Fold the lazy state into eflags (cc_op becomes CC_OP_EFLAGS). */
void cc_materialize(CPUState *cpu);
/* Set arithmetic flags eagerly: bits in `mask` (subset of EFL_ARITH) take
 * their value from `val`, the others keep their current value. */
void cc_set_eager(CPUState *cpu, uint32_t val, uint32_t mask);

/* Whole EFLAGS register (bit 1 always set). */
uint32_t cpu_get_eflags(CPUState *cpu);
/* Replace the bits of EFLAGS in `mask` (privilege rules are the caller's;
 * this also updates the mode cache when VM changes). */
void cpu_set_eflags(CPUState *cpu, uint32_t val, uint32_t mask);

/* Parity of the low byte: true if an even number of bits are set. */
static inline bool cc_parity(uint32_t v)
{
    return !__builtin_parity(v & 0xFF);
}

#endif
