/*
 * emit_muldiv.c — inline MUL/IMUL with their flags, and SETcc.
 *
 * MUL/IMUL (exec_muldiv.c): one-operand forms (AX = AL * Eb, DX:AX or
 * EDX:EAX = eAX * Ev) and IMUL Gv, Ev (, imm), register or memory
 * operand. The host instruction of the same form computes the same
 * product and sets CF = OF = "upper half significant" exactly as the
 * reference tier defines it (SDM vol. 2 "MUL", "IMUL"). The flags the SDM
 * leaves undefined are the reference tier's choice: SF ZF PF from the low
 * half of the product (the low `size` bytes), AF = 0; stored eagerly
 * (cc_op = CC_OP_EFLAGS), as mul_flags() does. When flags.c finds them
 * dead, only the product is computed.
 *
 * SETcc Eb: the condition as Jcc evaluates it (jit_emit_cond), then the
 * byte is written to the register or stored (a store that faults leaves
 * everything unchanged, as op_set_e does).
 */
#include "frontend/exec.h"
#include "frontend/flags.h"
#include "translator/jit_int.h"

/* After a host mul/imul (CF = OF = overflow), with the low half of the
 * product in `res` (not rax): eflags' six flags = the reference tier's,
 * cc_op = CC_OP_EFLAGS. Clobbers rax, rbp and host flags. */
static void jit_emit_mul_flags(X64Asm *a, unsigned size, int res)
{
    x64_emit_alu_rr(a, X64_SBB, 4, JIT_REG_OP2, JIT_REG_OP2);
    x64_emit_alu_ri(a, X64_AND, 4, JIT_REG_OP2, (int32_t)(EFL_CF | EFL_OF));
    x64_emit_test_rr(a, size, res, res);
    x64_emit_lahf(a); /* AH = SF ZF 0 AF 0 PF 1 CF; AF undefined: masked */
    x64_emit_shift_ri(a, X64_SHR, 4, X64_RAX, 8);
    x64_emit_alu_ri(a, X64_AND, 4, X64_RAX,
                    (int32_t)(EFL_SF | EFL_ZF | EFL_PF));
    x64_emit_alu_rr(a, X64_OR, 4, X64_RAX, JIT_REG_OP2);
    x64_emit_alu_mi(a, X64_AND, 4, x64_mem(JIT_REG_CPU, OFF_EFLAGS),
                    ~(int32_t)EFL_ARITH);
    x64_emit_alu_mr(a, X64_OR, 4, x64_mem(JIT_REG_CPU, OFF_EFLAGS), X64_RAX);
    x64_emit_store_imm(a, 4, x64_mem(JIT_REG_CPU, OFF_CC_OP), CC_OP_EFLAGS);
}

/* The E operand of `size` bytes into a host register (returned): the
 * pinned register itself when direct, else r13 (memory: loaded first). */
static int jit_mul_src(BlockBuilder *b, unsigned size)
{
    X64Asm *a = &b->a;
    const DecodedInsn *d = b->d;
    if (d->mod == 3) {
        if (jit_reg_direct(size, d->rm))
            return jit_hreg(d->rm);
        jit_get_reg(b, size, JIT_REG_VAL, d->rm);
        return JIT_REG_VAL;
    }
    jit_emit_ea(b);
    jit_emit_load(b, d->seg, size, false);
    x64_emit_mov_rr(a, 4, JIT_REG_VAL, X64_RAX);
    return JIT_REG_VAL;
}

/* MUL/IMUL Eb or Ev: AX = AL * src, or eDX:eAX = eAX * src. */
static bool jit_mul1(BlockBuilder *b, unsigned size, bool sign)
{
    X64Asm *a = &b->a;
    int eax = jit_hreg(R_EAX);
    if (b->d->lock)
        return false;
    int src = jit_mul_src(b, size);
    x64_emit_mov_rr(a, 4, X64_RAX, eax);
    /* Host rdx is guest EDX: the high half lands in place (16 bits: DX
     * only, the rest kept, as the guest does). */
    x64_emit_unary(a, sign ? X64_IMUL1 : X64_MUL, size, src);
    x64_emit_mov_rr(a, size == 1 ? 2 : size, eax, X64_RAX);
    if (!b->flags_dead[b->idx])
        jit_emit_mul_flags(a, size, eax);
    b->fk = JIT_FK_UNKNOWN;
    return true;
}

/* IMUL Gv, Ev (, imm). */
static bool jit_imul_g(BlockBuilder *b, bool has_imm)
{
    X64Asm *a = &b->a;
    const DecodedInsn *d = b->d;
    unsigned size = d->o32 ? 4 : 2;
    if (d->lock)
        return false;
    int src = jit_mul_src(b, size);
    int hd = jit_hreg(d->reg);
    if (has_imm)
        x64_emit_imul_rri(a, size, hd, src, (int32_t)d->imm);
    else
        x64_emit_imul_rr(a, size, hd, src);
    if (!b->flags_dead[b->idx])
        jit_emit_mul_flags(a, size, hd);
    b->fk = JIT_FK_UNKNOWN;
    return true;
}

/* SETcc Eb: r13 = condition (0/1), then written like MOV Eb. */
static bool jit_setcc(BlockBuilder *b)
{
    X64Asm *a = &b->a;
    const DecodedInsn *d = b->d;
    if (d->lock)
        return false;
    X64Cond hc = jit_emit_cond(b, d->opcode & 15);
    x64_emit_setcc(a, hc, JIT_REG_VAL);
    x64_emit_movzx_rr(a, 4, 1, JIT_REG_VAL, JIT_REG_VAL);
    if (d->mod == 3) {
        jit_set_reg(b, 1, d->rm, JIT_REG_VAL);
        return true;
    }
    jit_emit_ea(b);
    b->store_last = true;
    jit_emit_store(b, d->seg, 1, false);
    b->store_last = false;
    return true;
}

/* DIV r32, as div_u(): EDX:EAX / r32 with the host div (guest EDX is
 * rdx; the divisor is copied first, it may be EAX or EDX). A zero
 * divisor or a quotient above 32 bits (EDX >= divisor) calls the handler
 * instead, which raises #DE with EIP at the DIV and nothing changed.
 * Flags stay as they are (the reference leaves them). */
static bool jit_div32(BlockBuilder *b)
{
    X64Asm *a = &b->a;
    const DecodedInsn *d = b->d;
    if (d->mod != 3 || !d->o32 || jit_hreg(R_EDX) != X64_RDX)
        return false;
    x64_emit_mov_rr(a, 4, JIT_REG_OP2, jit_hreg(d->rm));
    x64_emit_test_rr(a, 4, JIT_REG_OP2, JIT_REG_OP2);
    size_t zero = x64_emit_jcc_site(a, X64_CC_E);
    x64_emit_alu_rr(a, X64_CMP, 4, X64_RDX, JIT_REG_OP2);
    size_t over = x64_emit_jcc_site(a, X64_CC_AE);
    x64_emit_mov_rr(a, 4, X64_RAX, jit_hreg(R_EAX));
    x64_emit_unary(a, X64_DIV, 4, JIT_REG_OP2);
    x64_emit_mov_rr(a, 4, jit_hreg(R_EAX), X64_RAX);
    size_t done = x64_emit_jmp_site(a);
    x64_bind(a, zero);
    x64_bind(a, over);
    jit_emit_row_handler_call(b);
    x64_bind(a, done);
    return true;
}

bool jit_emit_muldiv(BlockBuilder *b)
{
    const DecodedInsn *d = b->d;
    unsigned osize = d->o32 ? 4 : 2;
    switch (d->row) {
    case INSN_MUL_Eb:
        return jit_mul1(b, 1, false);
    case INSN_IMUL_Eb:
        return jit_mul1(b, 1, true);
    case INSN_MUL_Ev:
        return jit_mul1(b, osize, false);
    case INSN_IMUL_Ev:
        return jit_mul1(b, osize, true);
    case INSN_DIV_Ev:
        return jit_div32(b);
    case INSN_IMUL_Gv_Ev:
        return jit_imul_g(b, false);
    case INSN_IMUL_Gv_Ev_Iz: case INSN_IMUL_Gv_Ev_Ibs:
        return jit_imul_g(b, true);
    case INSN_SETO_Eb: case INSN_SETNO_Eb: case INSN_SETB_Eb:
    case INSN_SETAE_Eb: case INSN_SETE_Eb: case INSN_SETNE_Eb:
    case INSN_SETBE_Eb: case INSN_SETA_Eb: case INSN_SETS_Eb:
    case INSN_SETNS_Eb: case INSN_SETP_Eb: case INSN_SETNP_Eb:
    case INSN_SETL_Eb: case INSN_SETGE_Eb: case INSN_SETLE_Eb:
    case INSN_SETG_Eb:
        return jit_setcc(b);
    default:
        return false;
    }
}
