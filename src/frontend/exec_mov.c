/*
 * exec_mov.c — data movement: MOV (all forms incl. moffs and segment
 * registers), MOVZX/MOVSX, LEA, XCHG, CMPXCHG, CMPXCHG8B, BSWAP, CBW/CWDE,
 * CWD/CDQ, XLAT, CMOVcc, SETcc, LDS/LES/LSS/LFS/LGS (SDM vol. 2).
 */
#include "frontend/exec.h"

#include "frontend/alu.h"
#include "frontend/seg.h"

void exec_MOV_Eb_Gb(CPUState *cpu, const DecodedInsn *d)
{
    op_set_e(cpu, d, reg_get8(cpu, d->reg), 1);
}

void exec_MOV_Ev_Gv(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    op_set_e(cpu, d, reg_get(cpu, d->reg, s), s);
}

void exec_MOV_Gb_Eb(CPUState *cpu, const DecodedInsn *d)
{
    reg_set8(cpu, d->reg, (uint8_t)op_get_e(cpu, d, 1));
}

void exec_MOV_Gv_Ev(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    reg_set(cpu, d->reg, op_get_e(cpu, d, s), s);
}

void exec_MOV_Eb_Ib(CPUState *cpu, const DecodedInsn *d)
{
    op_set_e(cpu, d, d->imm, 1);
}

void exec_MOV_Ev_Iz(CPUState *cpu, const DecodedInsn *d)
{
    op_set_e(cpu, d, d->imm, insn_osize(d));
}

void exec_MOV_Zb_Ib(CPUState *cpu, const DecodedInsn *d)
{
    reg_set8(cpu, d->opcode & 7, (uint8_t)d->imm);
}

void exec_MOV_Zv_Iz(CPUState *cpu, const DecodedInsn *d)
{
    reg_set(cpu, d->opcode & 7, d->imm, insn_osize(d));
}

/* moffs forms: the immediate is the offset in d->seg. */
void exec_MOV_AL_Ob(CPUState *cpu, const DecodedInsn *d)
{
    reg_set8(cpu, R_EAX, cpu_ld8(cpu, d->seg, d->imm));
}

void exec_MOV_eAX_Ov(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    reg_set(cpu, R_EAX, cpu_ld(cpu, d->seg, d->imm, s), s);
}

void exec_MOV_Ob_AL(CPUState *cpu, const DecodedInsn *d)
{
    cpu_st8(cpu, d->seg, d->imm, reg_get8(cpu, R_EAX));
}

void exec_MOV_Ov_eAX(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    cpu_st(cpu, d->seg, d->imm, reg_get(cpu, R_EAX, s), s);
}

void exec_MOV_Ev_Sw(CPUState *cpu, const DecodedInsn *d)
{
    if (d->reg >= SEG_COUNT)
        cpu_raise_ud(cpu);
    uint16_t sel = cpu->seg[d->reg].sel;
    /* Register destination with 32-bit operand size: zero-extended (P6);
     * memory destination: always a 16-bit store. */
    if (insn_is_reg(d))
        reg_set(cpu, d->rm, sel, insn_osize(d));
    else
        cpu_st16(cpu, d->seg, insn_ea(cpu, d), sel);
}

void exec_MOV_Sw_Ew(CPUState *cpu, const DecodedInsn *d)
{
    if (d->reg >= SEG_COUNT || d->reg == SEG_CS)
        cpu_raise_ud(cpu);
    seg_load(cpu, d->reg, (uint16_t)op_get_e(cpu, d, 2));
    if (d->reg == SEG_SS)
        cpu->intr_shadow = true;
}

void exec_MOVZX_Gv_Eb(CPUState *cpu, const DecodedInsn *d)
{
    reg_set(cpu, d->reg, op_get_e(cpu, d, 1), insn_osize(d));
}

void exec_MOVZX_Gv_Ew(CPUState *cpu, const DecodedInsn *d)
{
    reg_set(cpu, d->reg, op_get_e(cpu, d, 2), insn_osize(d));
}

void exec_MOVSX_Gv_Eb(CPUState *cpu, const DecodedInsn *d)
{
    reg_set(cpu, d->reg, sext(op_get_e(cpu, d, 1), 1), insn_osize(d));
}

void exec_MOVSX_Gv_Ew(CPUState *cpu, const DecodedInsn *d)
{
    reg_set(cpu, d->reg, sext(op_get_e(cpu, d, 2), 2), insn_osize(d));
}

void exec_LEA_Gv_M(CPUState *cpu, const DecodedInsn *d)
{
    reg_set(cpu, d->reg, insn_ea(cpu, d), insn_osize(d));
}

static void xchg(CPUState *cpu, const DecodedInsn *d, unsigned s)
{
    uint32_t lin;
    uint32_t a = op_rmw_begin(cpu, d, s, &lin);
    uint32_t b = reg_get(cpu, d->reg, s);
    op_rmw_end(cpu, d, s, lin, b);
    reg_set(cpu, d->reg, a, s);
}

void exec_XCHG_Eb_Gb(CPUState *cpu, const DecodedInsn *d)
{
    xchg(cpu, d, 1);
}

void exec_XCHG_Ev_Gv(CPUState *cpu, const DecodedInsn *d)
{
    xchg(cpu, d, insn_osize(d));
}

void exec_XCHG_Zv_eAX(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d), n = d->opcode & 7;
    uint32_t a = reg_get(cpu, R_EAX, s);
    reg_set(cpu, R_EAX, reg_get(cpu, n, s), s);
    reg_set(cpu, n, a, s);
}

static void cmpxchg(CPUState *cpu, const DecodedInsn *d, unsigned s)
{
    uint32_t lin;
    uint32_t dst = op_rmw_begin(cpu, d, s, &lin);
    uint32_t acc = reg_get(cpu, R_EAX, s);
    alu_op(cpu, ALU_CMP, acc, dst, s);
    if (acc == dst) {
        op_rmw_end(cpu, d, s, lin, reg_get(cpu, d->reg, s));
    } else {
        /* The destination is written back unchanged (locked cycle). */
        op_rmw_end(cpu, d, s, lin, dst);
        reg_set(cpu, R_EAX, dst, s);
    }
}

void exec_CMPXCHG_Eb_Gb(CPUState *cpu, const DecodedInsn *d)
{
    cmpxchg(cpu, d, 1);
}

void exec_CMPXCHG_Ev_Gv(CPUState *cpu, const DecodedInsn *d)
{
    cmpxchg(cpu, d, insn_osize(d));
}

void exec_CMPXCHG8B_Mq(CPUState *cpu, const DecodedInsn *d)
{
    uint32_t ea = insn_ea(cpu, d), ea4 = ea + 4;
    if (!d->a32)
        ea4 &= 0xFFFF;
    uint32_t lo_lin = seg_linear(cpu, d->seg, ea, 4, ACC_WRITE);
    uint32_t hi_lin = seg_linear(cpu, d->seg, ea4, 4, ACC_WRITE);
    uint32_t lo = cpu_ld_linear32(cpu, lo_lin);
    uint32_t hi = cpu_ld_linear32(cpu, hi_lin);
    bool eq = lo == cpu->regs[R_EAX] && hi == cpu->regs[R_EDX];
    if (eq) {
        lo = cpu->regs[R_EBX];
        hi = cpu->regs[R_ECX];
    }
    cpu_st_linear32(cpu, lo_lin, lo);
    cpu_st_linear32(cpu, hi_lin, hi);
    if (!eq) {
        cpu->regs[R_EAX] = lo;
        cpu->regs[R_EDX] = hi;
    }
    cc_set_eager(cpu, eq ? EFL_ZF : 0, EFL_ZF);
}

void exec_BSWAP_Zv(CPUState *cpu, const DecodedInsn *d)
{
    unsigned n = d->opcode & 7;
    if (d->o32)
        cpu->regs[n] = __builtin_bswap32(cpu->regs[n]);
    else
        /* 16-bit BSWAP is undefined; the P6 clears the low word. */
        cpu->regs[n] &= 0xFFFF0000u;
}

void exec_CBW(CPUState *cpu, const DecodedInsn *d)
{
    if (d->o32)
        cpu->regs[R_EAX] = sext(cpu->regs[R_EAX], 2);
    else
        reg_set(cpu, R_EAX, sext(cpu->regs[R_EAX], 1), 2);
}

void exec_CWD(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    uint32_t sign = reg_get(cpu, R_EAX, s) >> (s * 8 - 1);
    reg_set(cpu, R_EDX, sign ? 0xFFFFFFFFu : 0, s);
}

void exec_XLAT(CPUState *cpu, const DecodedInsn *d)
{
    uint32_t off = cpu->regs[R_EBX] + (cpu->regs[R_EAX] & 0xFF);
    if (!d->a32)
        off &= 0xFFFF;
    reg_set8(cpu, R_EAX, cpu_ld8(cpu, d->seg, off));
}

void exec_CMOVcc_Gv_Ev(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    uint32_t v = op_get_e(cpu, d, s); /* the source is always read */
    if (cc_cond(cpu, d->opcode & 15))
        reg_set(cpu, d->reg, v, s);
}

void exec_SETcc_Eb(CPUState *cpu, const DecodedInsn *d)
{
    op_set_e(cpu, d, cc_cond(cpu, d->opcode & 15), 1);
}

/* LES C4, LDS C5, LSS 0F B2, LFS 0F B4, LGS 0F B5. */
static void load_far(CPUState *cpu, const DecodedInsn *d, int seg)
{
    unsigned s = insn_osize(d);
    uint32_t ea = insn_ea(cpu, d), ea2 = ea + s;
    uint32_t off = cpu_ld(cpu, d->seg, ea, s);
    uint16_t sel = cpu_ld16(cpu, d->seg, d->a32 ? ea2 : ea2 & 0xFFFF);
    seg_load(cpu, seg, sel);
    reg_set(cpu, d->reg, off, s);
}

void exec_LES_Gv_Mp(CPUState *cpu, const DecodedInsn *d)
{
    load_far(cpu, d, SEG_ES);
}

void exec_LDS_Gv_Mp(CPUState *cpu, const DecodedInsn *d)
{
    load_far(cpu, d, SEG_DS);
}

void exec_LSS_Gv_Mp(CPUState *cpu, const DecodedInsn *d)
{
    load_far(cpu, d, SEG_SS);
}

void exec_LFS_Gv_Mp(CPUState *cpu, const DecodedInsn *d)
{
    load_far(cpu, d, SEG_FS);
}

void exec_LGS_Gv_Mp(CPUState *cpu, const DecodedInsn *d)
{
    load_far(cpu, d, SEG_GS);
}
