/*
 * exec_alu.c — ADD OR ADC SBB AND SUB XOR CMP, TEST, INC, DEC, NEG, NOT,
 * XADD (SDM vol. 2), with lazy flags (flags.h), plus the shared operand
 * helpers (read-modify-write, jumps) declared in exec.h.
 */
#include "frontend/exec.h"

#include "frontend/alu.h"

uint32_t op_rmw_begin(CPUState *cpu, const DecodedInsn *d, unsigned size,
                      uint32_t *lin)
{
    if (insn_is_reg(d)) {
        *lin = 0;
        return reg_get(cpu, d->rm, size);
    }
    /* Writability is checked before the read so that a read-only target
     * faults without side effects (SDM: RMW instructions fault as writes). */
    uint32_t off = insn_ea(cpu, d);
    const SegCache *s = &cpu->seg[d->seg];
    *lin = cpu_seg_fast(s, off, size, ACC_WRITE)
               ? s->base + off
               : seg_linear(cpu, d->seg, off, size, ACC_WRITE);
    return cpu_ld_linear(cpu, *lin, size);
}

void op_rmw_end(CPUState *cpu, const DecodedInsn *d, unsigned size,
                uint32_t lin, uint32_t v)
{
    if (insn_is_reg(d)) {
        reg_set(cpu, d->rm, v, size);
        return;
    }
    cpu_st_linear(cpu, lin, v & size_mask(size), size);
}

uint32_t alu_op(CPUState *cpu, unsigned op, uint32_t a, uint32_t b,
                unsigned size)
{
    uint32_t m = size_mask(size), r, c;
    a &= m;
    b &= m;
    switch (op & 7) {
    case ALU_ADD:
        r = (a + b) & m;
        cc_set(cpu, CC_OP_ADD8, size, r, a, b);
        return r;
    case ALU_OR:
        r = a | b;
        cc_set(cpu, CC_OP_LOGIC8, size, r, 0, 0);
        return r;
    case ALU_ADC:
        c = cc_cf(cpu);
        r = (a + b + c) & m;
        cc_set(cpu, CC_OP_ADD8, size, r, a, b);
        return r;
    case ALU_SBB:
        c = cc_cf(cpu);
        r = (a - b - c) & m;
        cc_set(cpu, CC_OP_SUB8, size, r, a, b);
        return r;
    case ALU_AND:
        r = a & b;
        cc_set(cpu, CC_OP_LOGIC8, size, r, 0, 0);
        return r;
    case ALU_SUB:
    case ALU_CMP:
        r = (a - b) & m;
        cc_set(cpu, CC_OP_SUB8, size, r, a, b);
        return r;
    default: /* ALU_XOR */
        r = a ^ b;
        cc_set(cpu, CC_OP_LOGIC8, size, r, 0, 0);
        return r;
    }
}

/* E op= value, CMP only reads. */
static void alu_e(CPUState *cpu, const DecodedInsn *d, unsigned op,
                  uint32_t b, unsigned size)
{
    if (op == ALU_CMP) {
        alu_op(cpu, op, op_get_e(cpu, d, size), b, size);
        return;
    }
    uint32_t lin;
    uint32_t a = op_rmw_begin(cpu, d, size, &lin);
    op_rmw_end(cpu, d, size, lin, alu_op(cpu, op, a, b, size));
}

static void alu_g(CPUState *cpu, const DecodedInsn *d, unsigned op,
                  unsigned size)
{
    uint32_t b = op_get_e(cpu, d, size);
    uint32_t r = alu_op(cpu, op, reg_get(cpu, d->reg, size), b, size);
    if (op != ALU_CMP)
        reg_set(cpu, d->reg, r, size);
}

void exec_ALU_Eb_Gb(CPUState *cpu, const DecodedInsn *d)
{
    alu_e(cpu, d, d->opcode >> 3, reg_get8(cpu, d->reg), 1);
}

void exec_ALU_Ev_Gv(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    alu_e(cpu, d, d->opcode >> 3, reg_get(cpu, d->reg, s), s);
}

void exec_ALU_Gb_Eb(CPUState *cpu, const DecodedInsn *d)
{
    alu_g(cpu, d, d->opcode >> 3, 1);
}

void exec_ALU_Gv_Ev(CPUState *cpu, const DecodedInsn *d)
{
    alu_g(cpu, d, d->opcode >> 3, insn_osize(d));
}

void exec_ALU_AL_Ib(CPUState *cpu, const DecodedInsn *d)
{
    unsigned op = d->opcode >> 3;
    uint32_t r = alu_op(cpu, op, reg_get8(cpu, R_EAX), d->imm, 1);
    if (op != ALU_CMP)
        reg_set8(cpu, R_EAX, (uint8_t)r);
}

void exec_ALU_eAX_Iz(CPUState *cpu, const DecodedInsn *d)
{
    unsigned op = d->opcode >> 3, s = insn_osize(d);
    uint32_t r = alu_op(cpu, op, reg_get(cpu, R_EAX, s), d->imm, s);
    if (op != ALU_CMP)
        reg_set(cpu, R_EAX, r, s);
}

void exec_ALU_Eb_Ib(CPUState *cpu, const DecodedInsn *d)
{
    alu_e(cpu, d, d->reg, d->imm, 1);
}

void exec_ALU_Ev_Iz(CPUState *cpu, const DecodedInsn *d)
{
    alu_e(cpu, d, d->reg, d->imm, insn_osize(d));
}

static void alu_test(CPUState *cpu, uint32_t a, uint32_t b, unsigned size)
{
    cc_set(cpu, CC_OP_LOGIC8, size, a & b & size_mask(size), 0, 0);
}

void exec_TEST_Eb_Gb(CPUState *cpu, const DecodedInsn *d)
{
    alu_test(cpu, op_get_e(cpu, d, 1), reg_get8(cpu, d->reg), 1);
}

void exec_TEST_Ev_Gv(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    alu_test(cpu, op_get_e(cpu, d, s), reg_get(cpu, d->reg, s), s);
}

void exec_TEST_AL_Ib(CPUState *cpu, const DecodedInsn *d)
{
    alu_test(cpu, reg_get8(cpu, R_EAX), d->imm, 1);
}

void exec_TEST_eAX_Iz(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    alu_test(cpu, reg_get(cpu, R_EAX, s), d->imm, s);
}

void exec_TEST_Eb_Ib(CPUState *cpu, const DecodedInsn *d)
{
    alu_test(cpu, op_get_e(cpu, d, 1), d->imm, 1);
}

void exec_TEST_Ev_Iz(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    alu_test(cpu, op_get_e(cpu, d, s), d->imm, s);
}

/* INC/DEC keep CF: fold the old flags first (cc_op INC/DEC read CF from
 * eflags). */
uint32_t alu_incdec(CPUState *cpu, uint32_t a, bool dec, unsigned size)
{
    uint32_t cf = cc_cf(cpu);
    cpu->eflags = (cpu->eflags & ~EFL_CF) | cf;
    uint32_t r = (dec ? a - 1 : a + 1) & size_mask(size);
    cc_set(cpu, dec ? CC_OP_DEC8 : CC_OP_INC8, size, r, a & size_mask(size),
           1);
    return r;
}

static void incdec_e(CPUState *cpu, const DecodedInsn *d, bool dec,
                     unsigned size)
{
    uint32_t lin;
    uint32_t a = op_rmw_begin(cpu, d, size, &lin);
    op_rmw_end(cpu, d, size, lin, alu_incdec(cpu, a, dec, size));
}

void exec_INC_Eb(CPUState *cpu, const DecodedInsn *d)
{
    incdec_e(cpu, d, false, 1);
}

void exec_DEC_Eb(CPUState *cpu, const DecodedInsn *d)
{
    incdec_e(cpu, d, true, 1);
}

void exec_INC_Ev(CPUState *cpu, const DecodedInsn *d)
{
    incdec_e(cpu, d, false, insn_osize(d));
}

void exec_DEC_Ev(CPUState *cpu, const DecodedInsn *d)
{
    incdec_e(cpu, d, true, insn_osize(d));
}

void exec_INC_Zv(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d), n = d->opcode & 7;
    reg_set(cpu, n, alu_incdec(cpu, reg_get(cpu, n, s), false, s), s);
}

void exec_DEC_Zv(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d), n = d->opcode & 7;
    reg_set(cpu, n, alu_incdec(cpu, reg_get(cpu, n, s), true, s), s);
}

static void neg_e(CPUState *cpu, const DecodedInsn *d, unsigned size)
{
    uint32_t lin;
    uint32_t a = op_rmw_begin(cpu, d, size, &lin);
    op_rmw_end(cpu, d, size, lin, alu_op(cpu, ALU_SUB, 0, a, size));
}

static void not_e(CPUState *cpu, const DecodedInsn *d, unsigned size)
{
    uint32_t lin;
    uint32_t a = op_rmw_begin(cpu, d, size, &lin);
    op_rmw_end(cpu, d, size, lin, ~a & size_mask(size));
}

void exec_NEG_Eb(CPUState *cpu, const DecodedInsn *d)
{
    neg_e(cpu, d, 1);
}

void exec_NEG_Ev(CPUState *cpu, const DecodedInsn *d)
{
    neg_e(cpu, d, insn_osize(d));
}

void exec_NOT_Eb(CPUState *cpu, const DecodedInsn *d)
{
    not_e(cpu, d, 1);
}

void exec_NOT_Ev(CPUState *cpu, const DecodedInsn *d)
{
    not_e(cpu, d, insn_osize(d));
}

/* XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP (SDM vol. 2). */
static void xadd(CPUState *cpu, const DecodedInsn *d, unsigned size)
{
    uint32_t lin;
    uint32_t dst = op_rmw_begin(cpu, d, size, &lin);
    uint32_t src = reg_get(cpu, d->reg, size);
    uint32_t sum = alu_op(cpu, ALU_ADD, dst, src, size);
    op_rmw_end(cpu, d, size, lin, sum);
    /* With a register destination equal to the source, DEST wins. */
    if (!(insn_is_reg(d) && d->rm == d->reg))
        reg_set(cpu, d->reg, dst, size);
    else
        reg_set(cpu, d->reg, sum, size);
}

void exec_XADD_Eb_Gb(CPUState *cpu, const DecodedInsn *d)
{
    xadd(cpu, d, 1);
}

void exec_XADD_Ev_Gv(CPUState *cpu, const DecodedInsn *d)
{
    xadd(cpu, d, insn_osize(d));
}

void insn_jump(CPUState *cpu, const DecodedInsn *d, uint32_t target)
{
    if (!d->o32)
        target &= 0xFFFF;
    if (target > cpu->seg[SEG_CS].limit)
        cpu_raise(cpu, EXC_GP, 0);
    cpu->next_eip = target;
}
