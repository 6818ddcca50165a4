/*
 * exec_bit.c — BT BTS BTR BTC (register and memory bit strings), BSF, BSR
 * (SDM vol. 2). With a register bit offset and a memory operand the offset
 * is signed and selects the word/dword at EA + (offset >> 3 rounded to the
 * operand size); an immediate offset is taken modulo the operand size.
 * BSF/BSR with a zero source set ZF and leave the destination unchanged
 * (what P6 hardware does; the SDM says "undefined").
 */
#include "frontend/exec.h"

enum { BT_TEST = 0, BT_SET = 1, BT_RESET = 2, BT_COMP = 3 };

static uint32_t bt_apply(CPUState *cpu, unsigned kind, uint32_t v,
                         unsigned bit)
{
    uint32_t mask = 1u << bit;
    cc_set_eager(cpu, (v & mask) ? EFL_CF : 0, EFL_CF);
    switch (kind) {
    case BT_SET: return v | mask;
    case BT_RESET: return v & ~mask;
    case BT_COMP: return v ^ mask;
    default: return v;
    }
}

static void bt_common(CPUState *cpu, const DecodedInsn *d, unsigned kind,
                      uint32_t off, bool reg_offset)
{
    unsigned size = insn_osize(d), bits = size * 8;
    if (insn_is_reg(d) || !reg_offset) {
        unsigned bit = off & (bits - 1);
        if (kind == BT_TEST) {
            bt_apply(cpu, kind, op_get_e(cpu, d, size), bit);
            return;
        }
        uint32_t lin;
        uint32_t v = op_rmw_begin(cpu, d, size, &lin);
        op_rmw_end(cpu, d, size, lin, bt_apply(cpu, kind, v, bit));
        return;
    }
    /* Memory bit string: signed offset from EA. */
    int32_t soff = (int32_t)sext(off, size);
    int32_t unit = soff >> (size == 4 ? 5 : 4);
    uint32_t ea = insn_ea(cpu, d) + (uint32_t)unit * size;
    if (!d->a32)
        ea &= 0xFFFF;
    unsigned bit = (uint32_t)soff & (bits - 1);
    if (kind == BT_TEST) {
        bt_apply(cpu, kind, cpu_ld(cpu, d->seg, ea, size), bit);
        return;
    }
    uint32_t lin = seg_linear(cpu, d->seg, ea, size, ACC_WRITE);
    uint32_t v = size == 4 ? cpu_ld_linear32(cpu, lin)
                           : cpu_ld_linear16(cpu, lin);
    v = bt_apply(cpu, kind, v, bit);
    if (size == 4)
        cpu_st_linear32(cpu, lin, v);
    else
        cpu_st_linear16(cpu, lin, (uint16_t)v);
}

/* 0F A3/AB/B3/BB: kind from opcode bits 4:3. */
void exec_BT_Ev_Gv(CPUState *cpu, const DecodedInsn *d)
{
    static const uint8_t kinds[4] = {BT_TEST, BT_SET, BT_RESET, BT_COMP};
    unsigned kind = kinds[(d->opcode >> 3) & 3];
    bt_common(cpu, d, kind, reg_get(cpu, d->reg, insn_osize(d)), true);
}

/* 0F BA /4../7 */
void exec_BT_Ev_Ib(CPUState *cpu, const DecodedInsn *d)
{
    bt_common(cpu, d, d->reg - 4, d->imm & 0xFF, false);
}

static void bs_flags(CPUState *cpu, bool zero)
{
    /* ZF from the source; the others (undefined) as the P6: cleared. */
    cc_set_eager(cpu, zero ? EFL_ZF : 0, EFL_ARITH);
}

void exec_BSF_Gv_Ev(CPUState *cpu, const DecodedInsn *d)
{
    unsigned size = insn_osize(d);
    uint32_t v = op_get_e(cpu, d, size);
    bs_flags(cpu, v == 0);
    if (v)
        reg_set(cpu, d->reg, (uint32_t)__builtin_ctz(v), size);
}

void exec_BSR_Gv_Ev(CPUState *cpu, const DecodedInsn *d)
{
    unsigned size = insn_osize(d);
    uint32_t v = op_get_e(cpu, d, size);
    bs_flags(cpu, v == 0);
    if (v)
        reg_set(cpu, d->reg, 31u - (uint32_t)__builtin_clz(v), size);
}
