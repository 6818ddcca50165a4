/*
 * flags.c — lazy-EFLAGS liveness inside a block.
 *
 * An inline flag writer need not store cc_op/cc_res/cc_op1/cc_op2 when a
 * later instruction of the same block overwrites all six arithmetic flags
 * before anything reads them, and nothing in between (that writer
 * included) can fault: a guest exception must see the flags of the
 * instruction before it (precise state), and helpers may read the flags.
 * Only register-form instructions translated inline qualify.
 */
#include "frontend/exec.h"
#include "translator/jit_int.h"

/* No flags read or written, cannot fault, translated inline. */
static bool jit_neutral(const DecodedInsn *d)
{
    switch (d->row) {
    case INSN_MOV_Eb_Gb: case INSN_MOV_Ev_Gv: case INSN_MOV_Gb_Eb:
    case INSN_MOV_Gv_Ev: case INSN_MOV_Eb_Ib: case INSN_MOV_Ev_Iz:
    case INSN_MOVZX_Gv_Eb: case INSN_MOVZX_Gv_Ew: case INSN_MOVSX_Gv_Eb:
    case INSN_MOVSX_Gv_Ew:
        return d->mod == 3;
    case INSN_MOV_Zb_Ib: case INSN_MOV_Zv_Iz:
        return true;
    case INSN_LEA_Gv_M:
        return d->mod != 3;
    case INSN_NOT_Eb: case INSN_NOT_Ev: /* in place (emit_alu.c) */
        return d->mod == 3 && !d->lock;
    default:
        return false;
    }
}

/* SHL/SHR/SAR by an immediate that emit_shift.c inlines (count 1 to
 * size-1: such a shift writes all six flags). */
static bool jit_shift_imm_inline(const DecodedInsn *d)
{
    unsigned size = 4, count;
    switch (d->row) {
    case INSN_SHL_Eb_1: case INSN_SHR_Eb_1: case INSN_SAL_Eb_1:
    case INSN_SAR_Eb_1:
        size = 1;
        /* fall through */
    case INSN_SHL_Ev_1: case INSN_SHR_Ev_1: case INSN_SAL_Ev_1:
    case INSN_SAR_Ev_1:
        count = 1;
        break;
    case INSN_SHL_Eb_Ib: case INSN_SHR_Eb_Ib: case INSN_SAL_Eb_Ib:
    case INSN_SAR_Eb_Ib:
        size = 1;
        /* fall through */
    case INSN_SHL_Ev_Ib: case INSN_SHR_Ev_Ib: case INSN_SAL_Ev_Ib:
    case INSN_SAR_Ev_Ib:
        count = d->imm & 0x1F;
        break;
    default:
        return false;
    }
    if (size == 4 && !d->o32)
        size = 2;
    return count != 0 && count < size * 8;
}

/* MUL/IMUL rows, all inline (emit_muldiv.c). */
static bool jit_mul_row(unsigned row)
{
    return row == INSN_IMUL_Gv_Ev || row == INSN_IMUL_Gv_Ev_Iz ||
           row == INSN_IMUL_Gv_Ev_Ibs || row == INSN_MUL_Eb ||
           row == INSN_IMUL_Eb || row == INSN_MUL_Ev || row == INSN_IMUL_Ev;
}

/* Writes all six arithmetic flags without reading any, cannot fault,
 * translated inline (emit_alu.c / emit_shift.c). */
static bool jit_full_writer(const DecodedInsn *d)
{
    return jit_flags_full_writer(d);
}

bool jit_flags_full_writer(const DecodedInsn *d)
{
    const InsnRow *r = &insn_rows[d->row];
    if (d->lock || (r->flags_written & EFL_ARITH) != EFL_ARITH ||
        r->flags_read)
        return false;
    bool reg = d->mod == 3 || !d->has_modrm;
    if (!reg)
        return false;
    if (jit_shift_imm_inline(d))
        return true;
    /* IMUL writes all six (exec_muldiv.c), inline or not. */
    if (jit_mul_row(d->row))
        return true;
    if (d->map == 0 && d->opcode < 0x40 && (d->opcode & 7) <= 5) {
        unsigned op = (d->opcode >> 3) & 7;
        return op != 2 && op != 3; /* not ADC/SBB */
    }
    switch (d->row) {
    case INSN_ADD_Ev_Iz: case INSN_OR_Ev_Iz: case INSN_AND_Ev_Iz:
    case INSN_SUB_Ev_Iz: case INSN_XOR_Ev_Iz: case INSN_CMP_Ev_Iz:
    case INSN_ADD_Ev_Ibs: case INSN_OR_Ev_Ibs: case INSN_AND_Ev_Ibs:
    case INSN_SUB_Ev_Ibs: case INSN_XOR_Ev_Ibs: case INSN_CMP_Ev_Ibs:
    case INSN_ADD_Eb_Ib: case INSN_OR_Eb_Ib: case INSN_AND_Eb_Ib:
    case INSN_SUB_Eb_Ib: case INSN_XOR_Eb_Ib: case INSN_CMP_Eb_Ib:
    case INSN_TEST_Eb_Gb: case INSN_TEST_Ev_Gv: case INSN_TEST_AL_Ib:
    case INSN_TEST_eAX_Iz: case INSN_TEST_Ev_Iz: case INSN_TEST_Eb_Ib:
    case INSN_NEG_Eb: case INSN_NEG_Ev:
        return true;
    default:
        return false;
    }
}

/* ALU rows translated by emit_alu.c (also with a memory operand). */
static bool jit_alu_row(const DecodedInsn *d)
{
    if (d->map == 0 && d->opcode < 0x40 && (d->opcode & 7) <= 5) {
        unsigned op = (d->opcode >> 3) & 7;
        return op != 2 && op != 3; /* not ADC/SBB */
    }
    switch (d->row) {
    case INSN_ADD_Ev_Iz: case INSN_OR_Ev_Iz: case INSN_AND_Ev_Iz:
    case INSN_SUB_Ev_Iz: case INSN_XOR_Ev_Iz: case INSN_CMP_Ev_Iz:
    case INSN_ADD_Ev_Ibs: case INSN_OR_Ev_Ibs: case INSN_AND_Ev_Ibs:
    case INSN_SUB_Ev_Ibs: case INSN_XOR_Ev_Ibs: case INSN_CMP_Ev_Ibs:
    case INSN_ADD_Eb_Ib: case INSN_OR_Eb_Ib: case INSN_AND_Eb_Ib:
    case INSN_SUB_Eb_Ib: case INSN_XOR_Eb_Ib: case INSN_CMP_Eb_Ib:
    case INSN_TEST_Eb_Gb: case INSN_TEST_Ev_Gv: case INSN_TEST_Ev_Iz:
    case INSN_TEST_Eb_Ib:
        return true;
    default:
        return false;
    }
}

/* Inline flag writers whose stores may be skipped when dead (shifts by
 * CL and IMUL are inlined only then, emit_shift.c). A writer with a
 * memory operand qualifies too: if it faults, it has not written its
 * flags yet, and the flags before it were not dropped on its account
 * (only a writer that cannot fault ends a dead range, below). */
static bool jit_inline_writer(const DecodedInsn *d)
{
    if (jit_full_writer(d))
        return true;
    if (!d->lock && (jit_alu_row(d) || jit_mul_row(d->row)))
        return true;
    if (d->lock || (d->has_modrm && d->mod != 3))
        return false;
    switch (d->row) {
    case INSN_SHL_Ev_CL: case INSN_SHR_Ev_CL: case INSN_SAL_Ev_CL:
    case INSN_SAR_Ev_CL: case INSN_SHL_Eb_CL: case INSN_SHR_Eb_CL:
    case INSN_SAL_Eb_CL: case INSN_SAR_Eb_CL:
    case INSN_IMUL_Gv_Ev: case INSN_IMUL_Gv_Ev_Iz: case INSN_IMUL_Gv_Ev_Ibs:
        return true;
    case INSN_INC_Zv: case INSN_DEC_Zv:
        return true;
    case INSN_INC_Ev: case INSN_DEC_Ev: case INSN_INC_Eb: case INSN_DEC_Eb:
        return d->mod == 3;
    default:
        return false;
    }
}

/* Inline MOV/MOVZX/MOVSX with a memory operand: touch no flags, can
 * fault only in a TLB slow path, leave r15 alone (emit_mov.c). */
static bool jit_mem_move(const DecodedInsn *d)
{
    switch (d->row) {
    case INSN_MOV_Eb_Gb: case INSN_MOV_Ev_Gv: case INSN_MOV_Gb_Eb:
    case INSN_MOV_Gv_Ev: case INSN_MOV_Eb_Ib: case INSN_MOV_Ev_Iz:
    case INSN_MOVZX_Gv_Eb: case INSN_MOVZX_Gv_Ew: case INSN_MOVSX_Gv_Eb:
    case INSN_MOVSX_Gv_Ew:
        return d->mod != 3;
    case INSN_MOV_AL_Ob: case INSN_MOV_eAX_Ov: case INSN_MOV_Ob_AL:
    case INSN_MOV_Ov_eAX:
        return true;
    default:
        return false;
    }
}

/* Writes all six flags, reads none, and its only possible fault is the
 * TLB slow path of a load made before it touches r15 (emit_alu.c):
 * CMP/TEST with a memory operand, or ALU Gv, Mv. */
static bool jit_mem_killer(const DecodedInsn *d)
{
    if (d->lock || !jit_alu_row(d) || d->mod == 3)
        return false;
    if (d->map == 0 && d->opcode < 0x40) {
        unsigned op = (d->opcode >> 3) & 7, low = d->opcode & 7;
        return op == 7 || low == 2 || low == 3;
    }
    switch (d->row) {
    case INSN_CMP_Ev_Iz: case INSN_CMP_Ev_Ibs: case INSN_CMP_Eb_Ib:
    case INSN_TEST_Eb_Gb: case INSN_TEST_Ev_Gv: case INSN_TEST_Ev_Iz:
    case INSN_TEST_Eb_Ib:
        return true;
    default:
        return false;
    }
}

/* May this move (neutral or memory move) write ECX (or CL/CH)? */
static bool jit_move_writes_ecx(const DecodedInsn *d)
{
    unsigned n;
    switch (d->row) {
    case INSN_MOV_Eb_Gb: case INSN_MOV_Ev_Gv: case INSN_MOV_Eb_Ib:
    case INSN_MOV_Ev_Iz:
        if (d->mod != 3)
            return false;
        n = d->rm;
        break;
    case INSN_MOV_Zb_Ib: case INSN_MOV_Zv_Iz:
        n = d->opcode & 7;
        break;
    case INSN_MOV_AL_Ob: case INSN_MOV_eAX_Ov:
        n = R_EAX;
        break;
    case INSN_MOV_Ob_AL: case INSN_MOV_Ov_eAX:
        return false;
    case INSN_NOT_Eb: case INSN_NOT_Ev:
        n = d->rm;
        break;
    default:
        n = d->reg;
        break;
    }
    return n == R_ECX || (n & 3) == R_ECX;
}

static bool jit_shift_cl_row(unsigned row)
{
    return row == INSN_SHL_Ev_CL || row == INSN_SHR_Ev_CL ||
           row == INSN_SAL_Ev_CL || row == INSN_SAR_Ev_CL;
}

/* A register-form 32-bit shift by an immediate (or by CL) whose flags are computed
 * eagerly (emit_shift.c) may defer them: they are only materialized in
 * the slow paths of the memory moves before the instruction k that
 * overwrites them (and in k's own load slow path), the only places a
 * fault could observe them. Returns k + 1, or 0. */
static unsigned jit_shift_defer(const DecodedInsn *const *insns, unsigned n,
                                unsigned i)
{
    const DecodedInsn *d = insns[i];
    /* By CL: the count must still be in CL where the flags are built
     * (and a zero count leaves them as they were: nothing to build). */
    bool cl = jit_shift_cl_row(d->row) && d->rm != R_ECX;
    if (d->lock || d->mod != 3 || !d->o32)
        return 0;
    if (!cl && (!jit_shift_imm_inline(d) ||
                (d->row != INSN_SHL_Ev_Ib && d->row != INSN_SHR_Ev_Ib &&
                 d->row != INSN_SAL_Ev_Ib && d->row != INSN_SAR_Ev_Ib &&
                 d->row != INSN_SHL_Ev_1 && d->row != INSN_SHR_Ev_1 &&
                 d->row != INSN_SAL_Ev_1 && d->row != INSN_SAR_Ev_1)))
        return 0;
    for (unsigned j = i + 1; j < n; j++) {
        if (jit_full_writer(insns[j]) || jit_mem_killer(insns[j]))
            return j + 1;
        if (!jit_neutral(insns[j]) && !jit_mem_move(insns[j]))
            return 0;
        if (cl && jit_move_writes_ecx(insns[j]))
            return 0;
    }
    return 0;
}

void jit_flags_liveness(const DecodedInsn *const *insns, unsigned n,
                        bool *dead, uint8_t *defer)
{
    for (unsigned i = 0; i < n; i++) {
        dead[i] = false;
        defer[i] = 0;
        if (!jit_inline_writer(insns[i]))
            continue;
        for (unsigned j = i + 1; j < n; j++) {
            if (jit_full_writer(insns[j])) {
                dead[i] = true;
                break;
            }
            if (!jit_neutral(insns[j]))
                break;
        }
        if (!dead[i])
            defer[i] = (uint8_t)jit_shift_defer(insns, n, i);
    }
}
