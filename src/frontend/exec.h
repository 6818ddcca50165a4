/*
 * exec.h — prototypes of every semantic handler named in insn.def, and the
 * operand helpers the exec_*.c files share (register and ModRM operand
 * access, effective addresses).
 */
#ifndef X86BT_EXEC_H
#define X86BT_EXEC_H

#include <stdint.h>

#include "frontend/cpu_mem.h"
#include "frontend/decode.h"
#include "frontend/except.h"
#include "frontend/flags.h"

#define X(id, map, op, reg, mod, mnem, o1, o2, o3, feat, fr, fw, fu, h, cls, \
          attr)                                                             \
    void exec_##h(CPUState *cpu, const DecodedInsn *d);
#include "frontend/insn.def"
#undef X

/* Operand size in bytes for v-sized operands. */
static inline unsigned insn_osize(const DecodedInsn *d)
{
    return d->o32 ? 4 : 2;
}

/* 8-bit register n: AL CL DL BL AH CH DH BH. */
static inline uint8_t reg_get8(const CPUState *cpu, unsigned n)
{
    return (uint8_t)(cpu->regs[n & 3] >> ((n & 4) << 1));
}

static inline void reg_set8(CPUState *cpu, unsigned n, uint8_t v)
{
    unsigned sh = (n & 4) << 1;
    uint32_t *r = &cpu->regs[n & 3];
    *r = (*r & ~(0xFFu << sh)) | ((uint32_t)v << sh);
}

/* Register of size 1, 2 or 4 bytes (16-bit writes keep the high half). */
static inline uint32_t reg_get(const CPUState *cpu, unsigned n, unsigned size)
{
    if (size == 1)
        return reg_get8(cpu, n);
    return size == 2 ? cpu->regs[n] & 0xFFFF : cpu->regs[n];
}

static inline void reg_set(CPUState *cpu, unsigned n, uint32_t v,
                           unsigned size)
{
    if (size == 1)
        reg_set8(cpu, n, (uint8_t)v);
    else if (size == 2)
        cpu->regs[n] = (cpu->regs[n] & 0xFFFF0000u) | (v & 0xFFFF);
    else
        cpu->regs[n] = v;
}

/* Effective address (offset in d->seg) of the ModRM memory operand. */
static inline uint32_t insn_ea(const CPUState *cpu, const DecodedInsn *d)
{
    uint32_t ea = d->disp;
    if (d->base != DEC_NOREG)
        ea += cpu->regs[d->base];
    if (d->index != DEC_NOREG)
        ea += cpu->regs[d->index] << d->scale;
    return d->a32 ? ea : ea & 0xFFFF;
}

static inline bool insn_is_reg(const DecodedInsn *d)
{
    return d->mod == 3;
}

/* Read/write the E operand (register rm or memory) of the given size. */
static inline uint32_t op_get_e(CPUState *cpu, const DecodedInsn *d,
                                unsigned size)
{
    if (insn_is_reg(d))
        return reg_get(cpu, d->rm, size);
    return cpu_ld(cpu, d->seg, insn_ea(cpu, d), size);
}

static inline void op_set_e(CPUState *cpu, const DecodedInsn *d, uint32_t v,
                            unsigned size)
{
    if (insn_is_reg(d))
        reg_set(cpu, d->rm, v, size);
    else
        cpu_st(cpu, d->seg, insn_ea(cpu, d), v, size);
}

/* Read-modify-write of the E operand: op_rmw_begin checks write access
 * once and returns the current value; op_rmw_end stores the result to
 * the same place (*lin is only meaningful for memory operands). */
uint32_t op_rmw_begin(CPUState *cpu, const DecodedInsn *d, unsigned size,
                      uint32_t *lin);
void op_rmw_end(CPUState *cpu, const DecodedInsn *d, unsigned size,
                uint32_t lin, uint32_t v);

/* Mask of an operand size in bytes. */
static inline uint32_t size_mask(unsigned size)
{
    return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

/* Sign-extend the low `size` bytes of v. */
static inline uint32_t sext(uint32_t v, unsigned size)
{
    if (size == 1)
        return (uint32_t)(int32_t)(int8_t)v;
    if (size == 2)
        return (uint32_t)(int32_t)(int16_t)v;
    return v;
}

/* Time-stamp counter value now (exec_misc.c). */
uint64_t cpu_read_tsc(CPUState *cpu);

/* Control transfer to offset `target` in CS (16-bit wrap in o16, #GP if
 * beyond the CS limit). */
void insn_jump(CPUState *cpu, const DecodedInsn *d, uint32_t target);

#endif
