/*
 * exec_muldiv.c — MUL, IMUL (one-, two- and three-operand), DIV, IDIV
 * (SDM vol. 2). Division by zero or a quotient that does not fit raises
 * #DE before any register changes. MUL/IMUL set CF = OF = "upper half
 * significant"; SF ZF AF PF are undefined (we derive SF ZF PF from the low
 * half, AF = 0); DIV/IDIV leave all flags unchanged (undefined).
 */
#include "frontend/exec.h"

static void mul_flags(CPUState *cpu, uint32_t low, unsigned size, bool ovf)
{
    uint32_t f = ovf ? (EFL_CF | EFL_OF) : 0;
    low &= size_mask(size);
    if (!low)
        f |= EFL_ZF;
    if (low & (1u << (size * 8 - 1)))
        f |= EFL_SF;
    if (cc_parity(low))
        f |= EFL_PF;
    cc_set_eager(cpu, f, EFL_ARITH);
}

/* Store a 2*size-byte product in AX, DX:AX or EDX:EAX. */
static void mul_store(CPUState *cpu, uint64_t p, unsigned size)
{
    if (size == 1) {
        reg_set(cpu, R_EAX, (uint32_t)p, 2);
    } else {
        reg_set(cpu, R_EAX, (uint32_t)p, size);
        reg_set(cpu, R_EDX, (uint32_t)(p >> (size * 8)), size);
    }
}

static void mul(CPUState *cpu, const DecodedInsn *d, unsigned size)
{
    uint64_t a = reg_get(cpu, R_EAX, size);
    uint64_t p = a * op_get_e(cpu, d, size);
    mul_store(cpu, p, size);
    mul_flags(cpu, (uint32_t)p, size, (p >> (size * 8)) != 0);
}

static void imul1(CPUState *cpu, const DecodedInsn *d, unsigned size)
{
    int64_t a = (int32_t)sext(reg_get(cpu, R_EAX, size), size);
    int64_t b = (int32_t)sext(op_get_e(cpu, d, size), size);
    int64_t p = a * b;
    mul_store(cpu, (uint64_t)p, size);
    bool ovf = p != (int64_t)(int32_t)sext((uint32_t)p, size);
    mul_flags(cpu, (uint32_t)p, size, ovf);
}

void exec_MUL_Eb(CPUState *cpu, const DecodedInsn *d)
{
    mul(cpu, d, 1);
}

void exec_MUL_Ev(CPUState *cpu, const DecodedInsn *d)
{
    mul(cpu, d, insn_osize(d));
}

void exec_IMUL_Eb(CPUState *cpu, const DecodedInsn *d)
{
    imul1(cpu, d, 1);
}

void exec_IMUL_Ev(CPUState *cpu, const DecodedInsn *d)
{
    imul1(cpu, d, insn_osize(d));
}

static void imul_g(CPUState *cpu, const DecodedInsn *d, uint32_t b)
{
    unsigned size = insn_osize(d);
    int64_t a = (int32_t)sext(op_get_e(cpu, d, size), size);
    int64_t p = a * (int32_t)sext(b, size);
    reg_set(cpu, d->reg, (uint32_t)p, size);
    bool ovf = p != (int64_t)(int32_t)sext((uint32_t)p, size);
    mul_flags(cpu, (uint32_t)p, size, ovf);
}

void exec_IMUL_Gv_Ev(CPUState *cpu, const DecodedInsn *d)
{
    imul_g(cpu, d, reg_get(cpu, d->reg, insn_osize(d)));
}

void exec_IMUL_Gv_Ev_Iz(CPUState *cpu, const DecodedInsn *d)
{
    imul_g(cpu, d, d->imm);
}

/* Dividend: AX, DX:AX or EDX:EAX. */
static uint64_t div_dividend(const CPUState *cpu, unsigned size)
{
    if (size == 1)
        return cpu->regs[R_EAX] & 0xFFFF;
    return ((uint64_t)reg_get(cpu, R_EDX, size) << (size * 8)) |
           reg_get(cpu, R_EAX, size);
}

static void div_store(CPUState *cpu, uint32_t q, uint32_t r, unsigned size)
{
    if (size == 1) {
        reg_set(cpu, R_EAX, (q & 0xFF) | ((r & 0xFF) << 8), 2);
    } else {
        reg_set(cpu, R_EAX, q, size);
        reg_set(cpu, R_EDX, r, size);
    }
}

static void div_u(CPUState *cpu, const DecodedInsn *d, unsigned size)
{
    uint64_t b = op_get_e(cpu, d, size);
    if (b == 0)
        cpu_raise(cpu, EXC_DE, 0);
    uint64_t a = div_dividend(cpu, size);
    uint64_t q = a / b;
    if (q > size_mask(size))
        cpu_raise(cpu, EXC_DE, 0);
    div_store(cpu, (uint32_t)q, (uint32_t)(a % b), size);
}

static void div_s(CPUState *cpu, const DecodedInsn *d, unsigned size)
{
    int64_t b = (int32_t)sext(op_get_e(cpu, d, size), size);
    if (b == 0)
        cpu_raise(cpu, EXC_DE, 0);
    uint64_t ua = div_dividend(cpu, size);
    unsigned bits = size * 16; /* dividend width */
    int64_t a = bits == 64 ? (int64_t)ua
                           : (int64_t)(ua << (64 - bits)) >> (64 - bits);
    if (a == INT64_MIN && b == -1)
        cpu_raise(cpu, EXC_DE, 0);
    int64_t q = a / b, r = a % b;
    int64_t lim = (int64_t)1 << (size * 8 - 1);
    if (q >= lim || q < -lim)
        cpu_raise(cpu, EXC_DE, 0);
    div_store(cpu, (uint32_t)q, (uint32_t)r, size);
}

void exec_DIV_Eb(CPUState *cpu, const DecodedInsn *d)
{
    div_u(cpu, d, 1);
}

void exec_DIV_Ev(CPUState *cpu, const DecodedInsn *d)
{
    div_u(cpu, d, insn_osize(d));
}

void exec_IDIV_Eb(CPUState *cpu, const DecodedInsn *d)
{
    div_s(cpu, d, 1);
}

void exec_IDIV_Ev(CPUState *cpu, const DecodedInsn *d)
{
    div_s(cpu, d, insn_osize(d));
}
