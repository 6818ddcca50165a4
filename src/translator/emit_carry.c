/*
 * emit_carry.c — inline ADC and SBB (32-bit, register destination).
 *
 * The reference tier (alu_op in exec_alu.c) computes res = a + b + CF or
 * a - b - CF and leaves cc_op = ADD/SUB, cc_op1 = a, cc_op2 = b, cc_res =
 * res (the carry-in is implied by the three). Here the guest CF is put
 * into host CF the way Jcc evaluates a condition (jit_emit_cond: the
 * host flags the previous instruction left, a replay of the block's last
 * flag writer, or the `cond` trampoline), then a host adc/sbb computes the result and
 * the same four lazy fields are stored. Forms: ADC/SBB Gv, Ev (register
 * or memory source), Ev, Gv and Ev, imm with a register destination,
 * eAX, imm. Memory destinations, 8/16-bit and LOCK go to the handler.
 */
#include "frontend/exec.h"
#include "frontend/flags.h"
#include "translator/jit_int.h"

enum { CARRY_E_G, CARRY_G_E, CARRY_E_I, CARRY_A_I };

static bool jit_carry(BlockBuilder *b, bool sub, unsigned form)
{
    X64Asm *a = &b->a;
    const DecodedInsn *d = b->d;
    if (!d->o32 || d->lock)
        return false;
    if (form != CARRY_A_I && form != CARRY_G_E && d->mod != 3)
        return false;
    unsigned dst = form == CARRY_G_E ? d->reg
                 : form == CARRY_A_I ? R_EAX : d->rm;
    /* rbp = second operand (a memory source is loaded first: the probe
     * clobbers host flags, and its slow path may fault). */
    if (form == CARRY_G_E && d->mod != 3) {
        jit_emit_ea(b);
        jit_emit_load(b, d->seg, 4, false);
        x64_emit_mov_rr(a, 4, JIT_REG_OP2, X64_RAX);
        b->hf_at = 0;
    } else if (form == CARRY_G_E) {
        x64_emit_mov_rr(a, 4, JIT_REG_OP2, jit_hreg(d->rm));
    } else if (form == CARRY_E_G) {
        x64_emit_mov_rr(a, 4, JIT_REG_OP2, jit_hreg(d->reg));
    } else {
        x64_emit_mov_ri(a, 4, JIT_REG_OP2, d->imm);
    }
    x64_emit_mov_rr(a, 4, JIT_REG_OP1, jit_hreg(dst));
    /* Host CF = guest CF (condition B). */
    jit_emit_cond(b, 2);
    x64_emit_mov_rr(a, 4, JIT_REG_VAL, JIT_REG_OP1);
    x64_emit_alu_rr(a, sub ? X64_SBB : X64_ADC, 4, JIT_REG_VAL, JIT_REG_OP2);
    x64_emit_store_imm(a, 4, x64_mem(JIT_REG_CPU, OFF_CC_OP),
                       (sub ? CC_OP_SUB8 : CC_OP_ADD8) + cc_size_idx(4));
    x64_emit_store(a, 4, x64_mem(JIT_REG_CPU, OFF_CC_RES), JIT_REG_VAL);
    x64_emit_store(a, 4, x64_mem(JIT_REG_CPU, OFF_CC_OP1), JIT_REG_OP1);
    x64_emit_store(a, 4, x64_mem(JIT_REG_CPU, OFF_CC_OP2), JIT_REG_OP2);
    x64_emit_mov_rr(a, 4, jit_hreg(dst), JIT_REG_VAL);
    /* A replay of ADD/SUB would miss the carry-in. */
    b->fk = JIT_FK_UNKNOWN;
    return true;
}

bool jit_emit_carry(BlockBuilder *b)
{
    switch (b->d->row) {
    case INSN_ADC_Ev_Gv: return jit_carry(b, false, CARRY_E_G);
    case INSN_SBB_Ev_Gv: return jit_carry(b, true, CARRY_E_G);
    case INSN_ADC_Gv_Ev: return jit_carry(b, false, CARRY_G_E);
    case INSN_SBB_Gv_Ev: return jit_carry(b, true, CARRY_G_E);
    case INSN_ADC_eAX_Iz: return jit_carry(b, false, CARRY_A_I);
    case INSN_SBB_eAX_Iz: return jit_carry(b, true, CARRY_A_I);
    case INSN_ADC_Ev_Iz: case INSN_ADC_Ev_Ibs:
        return jit_carry(b, false, CARRY_E_I);
    case INSN_SBB_Ev_Iz: case INSN_SBB_Ev_Ibs:
        return jit_carry(b, true, CARRY_E_I);
    default:
        return false;
    }
}
