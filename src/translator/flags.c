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

/* Writes all six arithmetic flags without reading any, cannot fault,
 * translated inline (emit_alu.c / emit_shift.c). */
static bool jit_full_writer(const DecodedInsn *d)
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
        return true;
    default:
        return false;
    }
}

/* Inline flag writers whose stores may be skipped when dead (shifts by
 * CL and IMUL are inlined only then, emit_shift.c). */
static bool jit_inline_writer(const DecodedInsn *d)
{
    if (jit_full_writer(d))
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

void jit_flags_liveness(const DecodedInsn *const *insns, unsigned n,
                        bool *dead)
{
    for (unsigned i = 0; i < n; i++) {
        dead[i] = false;
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
    }
}
