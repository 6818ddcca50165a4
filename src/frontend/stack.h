/*
 * stack.h — stack pushes and pops honouring SS's B bit (stack32) and the
 * operand size. Semantics work on a local copy of ESP and commit it with
 * stack_set_esp() only after every access succeeded, so a fault leaves
 * ESP unchanged (precise exceptions).
 */
#ifndef X86BT_STACK_H
#define X86BT_STACK_H

#include <stdint.h>

#include "frontend/cpu_mem.h"

/* Push `size` (2 or 4) bytes: *esp is decremented (16 or 32 bits). */
static inline void stack_push(CPUState *cpu, uint32_t *esp, uint32_t val,
                              unsigned size)
{
    uint32_t sp = *esp - size;
    if (!cpu->stack32)
        sp = (*esp & 0xFFFF0000u) | (sp & 0xFFFF);
    cpu_st(cpu, SEG_SS, cpu->stack32 ? sp : sp & 0xFFFF, val, size);
    *esp = sp;
}

static inline uint32_t stack_pop(CPUState *cpu, uint32_t *esp, unsigned size)
{
    uint32_t sp = *esp;
    uint32_t v = cpu_ld(cpu, SEG_SS, cpu->stack32 ? sp : sp & 0xFFFF, size);
    if (cpu->stack32)
        *esp = sp + size;
    else
        *esp = (sp & 0xFFFF0000u) | ((sp + size) & 0xFFFF);
    return v;
}

static inline void stack_set_esp(CPUState *cpu, uint32_t esp)
{
    cpu->regs[R_ESP] = esp;
}

/* Offset of the top of stack (for ENTER and address computations). */
static inline uint32_t stack_off(const CPUState *cpu, uint32_t esp)
{
    return cpu->stack32 ? esp : esp & 0xFFFF;
}

/* One-shot push/pop committing ESP. */
static inline void cpu_push(CPUState *cpu, uint32_t val, unsigned size)
{
    uint32_t esp = cpu->regs[R_ESP];
    stack_push(cpu, &esp, val, size);
    cpu->regs[R_ESP] = esp;
}

static inline uint32_t cpu_pop(CPUState *cpu, unsigned size)
{
    uint32_t esp = cpu->regs[R_ESP];
    uint32_t v = stack_pop(cpu, &esp, size);
    cpu->regs[R_ESP] = esp;
    return v;
}

#endif
