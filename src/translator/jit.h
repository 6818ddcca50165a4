/*
 * jit.h — the translation tier's entry point.
 *
 * jit_run() has the same contract as interp_run() (frontend/cpu.h): run up
 * to `budget` guest instructions and say why it stopped. The code cache
 * (vm->cc) is created on first use with vm->cfg.tcache_kb of code memory.
 * Both tiers retire exactly the same instructions for the same budget:
 * when a block does not fit in what is left of the budget, or at
 * boundaries that need the reference tier's exact rules (interrupt
 * delivery, HLT, interrupt shadow, single-step), jit_run hands a few
 * instructions to interp_run().
 */
#ifndef X86BT_JIT_H
#define X86BT_JIT_H

#include <stdint.h>
#include <stdio.h>

#include "frontend/cpu.h"

struct VM;

CpuExit jit_run(CPUState *cpu, int64_t budget);
/* Free the code cache and translator state of a VM (vm->cc). */
void jit_destroy(struct VM *vm);
/* Instructions retired so far, exact also while generated code runs (a
 * helper mid-block: the block charged all its instructions at entry). */
uint64_t jit_insn_count_now(const CPUState *cpu);
/* Print translation-cache statistics (monitor "info jit", -jit stats). */
void jit_stats_print(struct VM *vm, FILE *f);

#endif
