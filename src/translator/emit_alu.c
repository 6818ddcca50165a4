/*
 * emit_alu.c — inline ADD/OR/AND/SUB/XOR/CMP/TEST and INC/DEC with lazy
 * flags in the interpreter's representation (cpu_state.h, flags.c):
 *   ADD/SUB/CMP: cc_op = ADD8/SUB8 + size, cc_op1, cc_op2, cc_res
 *   AND/OR/XOR/TEST: cc_op = LOGIC8 + size, cc_res
 *   INC/DEC: eflags.CF = current CF first, then INC8/DEC8 + size with
 *            cc_op2 = 1 (SDM vol. 2: INC/DEC preserve CF)
 *   NEG: SUB8 + size with cc_op1 = 0, cc_op2 = the operand (alu_op)
 *   NOT: no flags
 * ADC/SBB are in emit_carry.c.
 * Operands: r15d = first operand, ebp = second, r13d = result, all
 * zero-extended from the operand size. Guest state (memory, registers,
 * cc_*) is written only after every access that can fault.
 */
#include "frontend/alu.h"
#include "frontend/exec.h"
#include "frontend/flags.h"
#include "translator/jit_int.h"

typedef enum AluForm { FORM_E_G, FORM_G_E, FORM_A_I, FORM_E_I } AluForm;

static unsigned alu_size(const BlockBuilder *b, bool byte)
{
    return byte ? 1 : (b->d->o32 ? 4 : 2);
}

static const X64Alu host_alu[8] = {
    [ALU_ADD] = X64_ADD, [ALU_OR] = X64_OR, [ALU_AND] = X64_AND,
    [ALU_SUB] = X64_SUB, [ALU_XOR] = X64_XOR, [ALU_CMP] = X64_SUB,
};

/* Lazy-flag stores: op1/op2 from host registers (op2 < 0: the
 * immediate imm2), res from a host register (res < 0: none, for the
 * ADDN/SUBN kinds). */
static void jit_set_cc_from(BlockBuilder *b, unsigned kind8, unsigned size,
                            int op1, int op2, uint32_t imm2, int res)
{
    X64Asm *a = &b->a;
    if (b->flags_dead[b->idx])
        return; /* overwritten before any use (flags.c) */
    if (op1 >= 0) {
        x64_emit_store(a, 4, x64_mem(JIT_REG_CPU, OFF_CC_OP1), op1);
        if (op2 >= 0)
            x64_emit_store(a, 4, x64_mem(JIT_REG_CPU, OFF_CC_OP2), op2);
        else
            x64_emit_store_imm(a, 4, x64_mem(JIT_REG_CPU, OFF_CC_OP2),
                               (int32_t)imm2);
    }
    if (res >= 0)
        x64_emit_store(a, 4, x64_mem(JIT_REG_CPU, OFF_CC_RES), res);
    x64_emit_store_imm(a, 4, x64_mem(JIT_REG_CPU, OFF_CC_OP),
                       (int32_t)(kind8 + cc_size_idx(size)));
    b->fk_size = size;
}

static void jit_set_cc(BlockBuilder *b, unsigned kind8, unsigned size,
                       bool operands)
{
    jit_set_cc_from(b, kind8, size, operands ? JIT_REG_OP1 : -1,
                    JIT_REG_OP2, 0, JIT_REG_VAL);
}

/* ADD/SUB/CMP on r15d and ebp (the result, if any, in r13d): the
 * carry-less kinds, whose result is not stored. */
static void jit_set_cc_arith(BlockBuilder *b, bool add, unsigned size)
{
    jit_set_cc_from(b, add ? CC_OP_ADDN8 : CC_OP_SUBN8, size, JIT_REG_OP1,
                    JIT_REG_OP2, 0, -1);
}

/* Load the E operand (register or memory) into r15d; memory operands
 * store back later through the same TLB entry when rmw. */
static void jit_load_e(BlockBuilder *b, unsigned size, bool rmw)
{
    const DecodedInsn *d = b->d;
    if (d->mod == 3) {
        jit_get_reg(b, size, JIT_REG_OP1, d->rm);
        return;
    }
    jit_emit_ea(b);
    jit_emit_load(b, d->seg, size, rmw);
    x64_emit_mov_rr(&b->a, 4, JIT_REG_OP1, X64_RAX);
}

static void jit_store_e(BlockBuilder *b, unsigned size)
{
    const DecodedInsn *d = b->d;
    if (d->mod == 3)
        jit_set_reg(b, size, d->rm, JIT_REG_VAL);
    else
        jit_emit_store(b, d->seg, size, true);
}

static uint32_t imm_masked(const DecodedInsn *d, unsigned size)
{
    return size == 4 ? d->imm : d->imm & ((1u << (8 * size)) - 1);
}

/* 32-bit register-only forms straight on the pinned registers:
 * dst op= src (host register, or the immediate when src < 0). */
static void jit_alu_reg32(BlockBuilder *b, int op, unsigned dst, int src,
                          uint32_t imm)
{
    X64Asm *a = &b->a;
    int hd = jit_hreg(dst);
    bool dead = b->flags_dead[b->idx];
    bool logic = op < 0 || op == ALU_AND || op == ALU_OR || op == ALU_XOR;
    X64Alu hop = op < 0 ? X64_AND : host_alu[op];
    bool writes = op >= 0 && op != ALU_CMP;
    int res = hd;
    if (!logic && !dead) {
        /* ADDN/SUBN: the operands, stored before the operation (which
         * may overwrite the first), and no result. */
        jit_set_cc_from(b, op == ALU_ADD ? CC_OP_ADDN8 : CC_OP_SUBN8, 4, hd,
                        src, imm, -1);
        if (!writes)
            hop = X64_CMP;
    } else if (!writes && dead) {
        goto done;
    } else if (!writes) {
        x64_emit_mov_rr(a, 4, JIT_REG_VAL, hd); /* TEST */
        res = JIT_REG_VAL;
    }
    if (src >= 0)
        x64_emit_alu_rr(a, hop, 4, res, src);
    else
        x64_emit_alu_ri(a, hop, 4, res, (int32_t)imm);
    b->hf_at = b->idx + 1;
    if (logic)
        jit_set_cc_from(b, CC_OP_LOGIC8, 4, -1, -1, 0, res);
done:
    b->fk_size = 4;
    b->fk = logic ? JIT_FK_LOGIC : op == ALU_ADD ? JIT_FK_ADD : JIT_FK_SUB;
    if (dead)
        b->fk = JIT_FK_UNKNOWN;
}

/* CMP/TEST with a 32-bit memory first operand, now in eax: compare it
 * with src (host register, or the immediate when src < 0). */
static void jit_alu_cmp_mem32(BlockBuilder *b, int op, int src, uint32_t imm)
{
    X64Asm *a = &b->a;
    bool logic = op < 0;
    b->fk_size = 4;
    if (b->flags_dead[b->idx]) {
        b->fk = JIT_FK_UNKNOWN;
        return;
    }
    if (!logic) {
        /* SUBN: the operands and a host compare. */
        jit_set_cc_from(b, CC_OP_SUBN8, 4, X64_RAX, src, imm, -1);
        if (src >= 0)
            x64_emit_alu_rr(a, X64_CMP, 4, X64_RAX, src);
        else
            x64_emit_alu_ri(a, X64_CMP, 4, X64_RAX, (int32_t)imm);
        b->hf_at = b->idx + 1;
        b->fk = JIT_FK_SUB;
        return;
    }
    x64_emit_mov_rr(a, 4, JIT_REG_VAL, X64_RAX);
    if (src >= 0)
        x64_emit_alu_rr(a, X64_AND, 4, JIT_REG_VAL, src);
    else
        x64_emit_alu_ri(a, X64_AND, 4, JIT_REG_VAL, (int32_t)imm);
    b->hf_at = b->idx + 1;
    jit_set_cc_from(b, CC_OP_LOGIC8, 4, -1, -1, 0, JIT_REG_VAL);
    b->fk = JIT_FK_LOGIC;
}

/* 32-bit forms whose memory operand (if any) is only read: load it into
 * eax, then operate on the pinned registers. */
static bool jit_alu_try_mem32(BlockBuilder *b, int op, AluForm form)
{
    const DecodedInsn *d = b->d;
    bool writes = op >= 0 && op != ALU_CMP;
    if (form == FORM_A_I || (writes && form != FORM_G_E))
        return false;
    jit_emit_ea(b);
    jit_emit_load(b, d->seg, 4, false);
    if (form == FORM_G_E)
        jit_alu_reg32(b, op, d->reg, X64_RAX, 0);
    else if (form == FORM_E_G)
        jit_alu_cmp_mem32(b, op, jit_hreg(d->reg), 0);
    else
        jit_alu_cmp_mem32(b, op, -1, d->imm);
    return true;
}

/* The register-only 32-bit forms, else false. */
static bool jit_alu_try_reg32(BlockBuilder *b, int op, AluForm form,
                              unsigned size)
{
    const DecodedInsn *d = b->d;
    if (size != 4)
        return false;
    if (form != FORM_A_I && d->mod != 3)
        return jit_alu_try_mem32(b, op, form);
    switch (form) {
    case FORM_A_I:
        jit_alu_reg32(b, op, R_EAX, -1, d->imm);
        return true;
    case FORM_E_I:
        if (d->mod != 3)
            return false;
        jit_alu_reg32(b, op, d->rm, -1, d->imm);
        return true;
    case FORM_E_G:
        if (d->mod != 3)
            return false;
        jit_alu_reg32(b, op, d->rm, jit_hreg(d->reg), 0);
        return true;
    default:
        if (d->mod != 3)
            return false;
        jit_alu_reg32(b, op, d->reg, jit_hreg(d->rm), 0);
        return true;
    }
}

/* op = ALU_* (or -1 for TEST), form and size from the row. */
static void jit_alu_common(BlockBuilder *b, int op, AluForm form,
                           unsigned size)
{
    X64Asm *a = &b->a;
    const DecodedInsn *d = b->d;
    bool test = op < 0;
    bool writes = !test && op != ALU_CMP;
    bool mem_dst = (form == FORM_E_G || form == FORM_E_I) && d->mod != 3;
    if (jit_alu_try_reg32(b, op, form, size))
        return;
    /* First operand. */
    if (form == FORM_G_E) {
        /* r15 = G, ebp = E: load E first (it may fault). */
        jit_load_e(b, size, false);
        x64_emit_mov_rr(a, 4, JIT_REG_OP2, JIT_REG_OP1);
        jit_get_reg(b, size, JIT_REG_OP1, d->reg);
    } else if (form == FORM_A_I) {
        jit_get_reg(b, size, JIT_REG_OP1, R_EAX);
    } else {
        jit_load_e(b, size, writes);
    }
    /* Second operand. */
    if (form == FORM_E_G)
        jit_get_reg(b, size, JIT_REG_OP2, d->reg);
    else if (form == FORM_A_I || form == FORM_E_I)
        x64_emit_mov_ri(a, 4, JIT_REG_OP2, imm_masked(d, size));
    x64_emit_mov_rr(a, 4, JIT_REG_VAL, JIT_REG_OP1);
    x64_emit_alu_rr(a, test ? X64_AND : host_alu[op], size, JIT_REG_VAL,
                    JIT_REG_OP2);
    /* Host flags stay the guest's unless the write-back clobbers them. */
    unsigned dreg = form == FORM_G_E ? d->reg : form == FORM_A_I ? R_EAX
                                                                 : d->rm;
    if (!writes || (!mem_dst && (size != 1 || dreg < 4)))
        b->hf_at = b->idx + 1;
    if (writes) {
        if (form == FORM_G_E)
            jit_set_reg(b, size, d->reg, JIT_REG_VAL);
        else if (form == FORM_A_I)
            jit_set_reg(b, size, R_EAX, JIT_REG_VAL);
        else
            jit_store_e(b, size);
    }
    if (test || op == ALU_AND || op == ALU_OR || op == ALU_XOR) {
        jit_set_cc(b, CC_OP_LOGIC8, size, false);
        b->fk = JIT_FK_LOGIC;
    } else {
        jit_set_cc_arith(b, op == ALU_ADD, size);
        b->fk = op == ALU_ADD ? JIT_FK_ADD : JIT_FK_SUB;
    }
    if (b->flags_dead[b->idx])
        b->fk = JIT_FK_UNKNOWN;
}

/* eflags.CF = CF of the current lazy state, before INC/DEC. Writing it
 * changes no guest flag (a lazy ADD/SUB/LOGIC state ignores eflags.CF),
 * so it may precede the accesses that can fault. */
static void jit_emit_fold_cf(BlockBuilder *b)
{
    X64Asm *a = &b->a;
    if (b->fk == JIT_FK_INC || b->fk == JIT_FK_DEC)
        return;
    if (b->fk == JIT_FK_LOGIC) {
        x64_emit_alu_mi(a, X64_AND, 4, x64_mem(JIT_REG_CPU, OFF_EFLAGS),
                        ~(int32_t)EFL_CF);
        return;
    }
    /* Host CF = guest CF as condition B evaluates it: the host flags the
     * previous instruction left, a replay of the block's last writer, or
     * the `cond` trampoline (emit_cond.c). */
    X64Cond hc = jit_emit_cond(b, X64_CC_B);
    x64_emit_setcc(a, hc, X64_RAX);
    x64_emit_movzx_rr(a, 4, 1, X64_RAX, X64_RAX);
    x64_emit_alu_mi(a, X64_AND, 4, x64_mem(JIT_REG_CPU, OFF_EFLAGS),
                    ~(int32_t)EFL_CF);
    x64_emit_alu_mr(a, X64_OR, 4, x64_mem(JIT_REG_CPU, OFF_EFLAGS), X64_RAX);
}

static void jit_incdec(BlockBuilder *b, bool dec, unsigned size, bool zreg)
{
    X64Asm *a = &b->a;
    const DecodedInsn *d = b->d;
    bool dead = b->flags_dead[b->idx];
    if (zreg && size == 4 && dead) {
        x64_emit_unary(a, dec ? X64_DEC : X64_INC, 4, jit_hreg(d->opcode & 7));
        b->fk = JIT_FK_UNKNOWN;
        return;
    }
    if (!dead)
        jit_emit_fold_cf(b);
    if (zreg)
        jit_get_reg(b, size, JIT_REG_OP1, d->opcode & 7);
    else
        jit_load_e(b, size, true);
    x64_emit_mov_rr(a, 4, JIT_REG_VAL, JIT_REG_OP1);
    x64_emit_unary(a, dec ? X64_DEC : X64_INC, size, JIT_REG_VAL);
    if (zreg)
        jit_set_reg(b, size, d->opcode & 7, JIT_REG_VAL);
    else
        jit_store_e(b, size);
    if (dead) {
        b->fk = JIT_FK_UNKNOWN;
    } else {
        x64_emit_mov_ri(a, 4, JIT_REG_OP2, 1);
        jit_set_cc(b, dec ? CC_OP_DEC8 : CC_OP_INC8, size, true);
        b->fk = dec ? JIT_FK_DEC : JIT_FK_INC;
    }
}

/* NEG: 0 - E with the SUB lazy state of alu_op (cc_op1 = 0, cc_op2 =
 * the operand); the host sub leaves the guest's flags. */
static void jit_neg(BlockBuilder *b, unsigned size)
{
    X64Asm *a = &b->a;
    const DecodedInsn *d = b->d;
    jit_load_e(b, size, true);
    x64_emit_mov_rr(a, 4, JIT_REG_OP2, JIT_REG_OP1);
    x64_emit_alu_rr(a, X64_XOR, 4, JIT_REG_OP1, JIT_REG_OP1);
    x64_emit_mov_rr(a, 4, JIT_REG_VAL, JIT_REG_OP1);
    x64_emit_alu_rr(a, X64_SUB, size, JIT_REG_VAL, JIT_REG_OP2);
    if (d->mod == 3 && (size != 1 || d->rm < 4))
        b->hf_at = b->idx + 1;
    jit_store_e(b, size);
    jit_set_cc(b, CC_OP_SUB8, size, true);
    b->fk = b->flags_dead[b->idx] ? JIT_FK_UNKNOWN : JIT_FK_SUB;
}

/* NOT: no flags. Registers in place (AH..BH: bits 8-15 of the host
 * register of AL..BL), memory through the rmw path. */
static void jit_not(BlockBuilder *b, unsigned size)
{
    X64Asm *a = &b->a;
    const DecodedInsn *d = b->d;
    if (d->mod == 3 && size == 1 && d->rm >= 4) {
        x64_emit_alu_ri(a, X64_XOR, 4, jit_hreg(d->rm & 3), 0xFF00);
        return;
    }
    if (d->mod == 3) {
        x64_emit_unary(a, X64_NOT, size, jit_hreg(d->rm));
        return;
    }
    jit_load_e(b, size, true);
    x64_emit_mov_rr(a, 4, JIT_REG_VAL, JIT_REG_OP1);
    x64_emit_unary(a, X64_NOT, 4, JIT_REG_VAL);
    jit_store_e(b, size);
}

static const AluForm classic_forms[6] = { FORM_E_G, FORM_E_G, FORM_G_E,
                                          FORM_G_E, FORM_A_I, FORM_A_I };

/* Classic 00-3D ALU rows: op in opcode bits 5:3, form in bits 2:0. */
static bool jit_alu_classic(BlockBuilder *b)
{
    const DecodedInsn *d = b->d;
    unsigned op = (d->opcode >> 3) & 7, low = d->opcode & 7;
    if (d->map != 0 || d->opcode >= 0x40 || low > 5 || op == ALU_ADC ||
        op == ALU_SBB)
        return false;
    jit_alu_common(b, (int)op, classic_forms[low], alu_size(b, !(low & 1)));
    return true;
}

bool jit_emit_alu(BlockBuilder *b)
{
    const DecodedInsn *d = b->d;
    if (d->lock)
        return false;
    if (jit_alu_classic(b))
        return true;
    switch (d->row) {
    case INSN_ADD_Eb_Ib: case INSN_OR_Eb_Ib: case INSN_AND_Eb_Ib:
    case INSN_SUB_Eb_Ib: case INSN_XOR_Eb_Ib: case INSN_CMP_Eb_Ib:
    case INSN_ADD_Eb_Ib_82: case INSN_OR_Eb_Ib_82: case INSN_AND_Eb_Ib_82:
    case INSN_SUB_Eb_Ib_82: case INSN_XOR_Eb_Ib_82: case INSN_CMP_Eb_Ib_82:
        jit_alu_common(b, d->reg, FORM_E_I, 1);
        return true;
    case INSN_ADD_Ev_Iz: case INSN_OR_Ev_Iz: case INSN_AND_Ev_Iz:
    case INSN_SUB_Ev_Iz: case INSN_XOR_Ev_Iz: case INSN_CMP_Ev_Iz:
    case INSN_ADD_Ev_Ibs: case INSN_OR_Ev_Ibs: case INSN_AND_Ev_Ibs:
    case INSN_SUB_Ev_Ibs: case INSN_XOR_Ev_Ibs: case INSN_CMP_Ev_Ibs:
        jit_alu_common(b, d->reg, FORM_E_I, alu_size(b, false));
        return true;
    case INSN_TEST_Eb_Gb: case INSN_TEST_Ev_Gv:
        jit_alu_common(b, -1, FORM_E_G, alu_size(b, d->row == INSN_TEST_Eb_Gb));
        return true;
    case INSN_TEST_AL_Ib: case INSN_TEST_eAX_Iz:
        jit_alu_common(b, -1, FORM_A_I, alu_size(b, d->row == INSN_TEST_AL_Ib));
        return true;
    case INSN_TEST_Eb_Ib: case INSN_TEST_Eb_Ib_1:
        jit_alu_common(b, -1, FORM_E_I, 1);
        return true;
    case INSN_TEST_Ev_Iz: case INSN_TEST_Ev_Iz_1:
        jit_alu_common(b, -1, FORM_E_I, alu_size(b, false));
        return true;
    case INSN_INC_Zv: case INSN_DEC_Zv:
        jit_incdec(b, d->row == INSN_DEC_Zv, alu_size(b, false), true);
        return true;
    case INSN_INC_Ev: case INSN_DEC_Ev:
        jit_incdec(b, d->row == INSN_DEC_Ev, alu_size(b, false), false);
        return true;
    case INSN_INC_Eb: case INSN_DEC_Eb:
        jit_incdec(b, d->row == INSN_DEC_Eb, 1, false);
        return true;
    case INSN_NEG_Eb: case INSN_NEG_Ev:
        jit_neg(b, alu_size(b, d->row == INSN_NEG_Eb));
        return true;
    case INSN_NOT_Eb: case INSN_NOT_Ev:
        jit_not(b, alu_size(b, d->row == INSN_NOT_Eb));
        return true;
    default:
        return false;
    }
}
