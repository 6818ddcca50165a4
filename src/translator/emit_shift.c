/*
 * emit_shift.c — inline SHL/SAL, SHR and SAR by an immediate count,
 * ROL/ROR by an immediate, 32-bit register shifts by CL, and CMOVcc;
 * other shifts by CL and two/three-operand IMUL when their flags are
 * dead.
 *
 * Shifts: the count is an immediate (D0/D1: 1, C0/C1: Ib), masked to 5
 * bits at translation time; only counts 1..size-1 are inlined (a zero
 * count changes nothing, larger ones leave CF undefined in the SDM and
 * are left to the handler). Flags are eager, as in exec_shift.c: CF = last
 * bit out, SF/ZF/PF from the result (host flags, defined for non-zero
 * counts), AF = 0, OF = MSB(result) xor CF for SHL, MSB(operand) for SHR,
 * 0 for SAR (SDM vol. 2 "SAL/SAR/SHL/SHR", Flags Affected).
 */
#include "frontend/exec.h"
#include "frontend/flags.h"
#include "translator/jit_int.h"

static const X64Shift host_shift[8] = {
    [4] = X64_SHL, [5] = X64_SHR, [6] = X64_SHL, [7] = X64_SAR,
};

/* ebp = the six arithmetic flags after `shift r13` (size bytes; r15 holds
 * the operand before the shift). Clobbers rax. */
static void jit_emit_shift_flags(X64Asm *a, unsigned op, unsigned size)
{
    unsigned msb = size * 8 - 1;
    x64_emit_lahf(a); /* AH = SF ZF 0 AF 0 PF 1 CF */
    x64_emit_mov_rr(a, 4, JIT_REG_OP2, X64_RAX);
    x64_emit_shift_ri(a, X64_SHR, 4, JIT_REG_OP2, 8);
    x64_emit_alu_ri(a, X64_AND, 4, JIT_REG_OP2,
                    (int32_t)(EFL_SF | EFL_ZF | EFL_PF | EFL_CF));
    if (op == 7)
        return; /* SAR: OF = 0 */
    x64_emit_mov_rr(a, 4, X64_RAX, op == 5 ? JIT_REG_OP1 : JIT_REG_VAL);
    x64_emit_shift_ri(a, X64_SHR, 4, X64_RAX, (uint8_t)msb);
    if (op != 5)
        x64_emit_alu_rr(a, X64_XOR, 4, X64_RAX, JIT_REG_OP2); /* ^ CF */
    x64_emit_alu_ri(a, X64_AND, 4, X64_RAX, 1);
    x64_emit_shift_ri(a, X64_SHL, 4, X64_RAX, 11);
    x64_emit_alu_rr(a, X64_OR, 4, JIT_REG_OP2, X64_RAX);
}

/* eflags = (eflags & ~ARITH) | ebp; cc_op = EFLAGS. */
static void jit_store_eager_flags(X64Asm *a)
{
    x64_emit_load(a, 4, X64_RAX, x64_mem(JIT_REG_CPU, OFF_EFLAGS));
    x64_emit_alu_ri(a, X64_AND, 4, X64_RAX, ~(int32_t)EFL_ARITH);
    x64_emit_alu_rr(a, X64_OR, 4, X64_RAX, JIT_REG_OP2);
    x64_emit_store(a, 4, x64_mem(JIT_REG_CPU, OFF_EFLAGS), X64_RAX);
    x64_emit_store_imm(a, 4, x64_mem(JIT_REG_CPU, OFF_CC_OP), CC_OP_EFLAGS);
}

/* The operand, register or memory (loaded for a write back), in OP1
 * and in VAL, which the shift then works on. */
static void jit_shift_operand(BlockBuilder *b, unsigned size)
{
    X64Asm *a = &b->a;
    const DecodedInsn *d = b->d;
    if (d->mod != 3) {
        jit_emit_ea(b);
        jit_emit_load(b, d->seg, size, true);
        x64_emit_mov_rr(a, 4, JIT_REG_OP1, X64_RAX);
    } else {
        jit_get_reg(b, size, JIT_REG_OP1, d->rm);
    }
    x64_emit_mov_rr(a, 4, JIT_REG_VAL, JIT_REG_OP1);
}

/* ROL/ROR by a non-zero immediate, as sh_rotate(): the host rotate gives
 * the result (it takes the count modulo the size as the guest does); CF
 * and OF are computed from the result (ROL: CF = bit 0, OF = MSB ^ CF;
 * ROR: CF = MSB, OF = MSB ^ MSB-1, for every count, as the reference
 * tier has them); the other four flags stay: the `arith` trampoline
 * evaluates them from the lazy state (emit_cond.c). */
static bool jit_rotate(BlockBuilder *b, unsigned size, unsigned count)
{
    X64Asm *a = &b->a;
    const DecodedInsn *d = b->d;
    bool ror = d->reg == 1;
    uint8_t msb = (uint8_t)(size * 8 - 1);
    jit_shift_operand(b, size);
    x64_emit_shift_ri(a, ror ? X64_ROR : X64_ROL, size, JIT_REG_VAL,
                      (uint8_t)count);
    /* ebp = old SF ZF AF PF; r13d is zero above the operand size. */
    x64_emit_call(a, b->js->arith);
    x64_emit_alu_ri(a, X64_AND, 4, X64_RAX, ~(int32_t)(EFL_CF | EFL_OF));
    x64_emit_mov_rr(a, 4, JIT_REG_OP2, X64_RAX);
    /* CF */
    x64_emit_mov_rr(a, 4, X64_RAX, JIT_REG_VAL);
    if (ror)
        x64_emit_shift_ri(a, X64_SHR, 4, X64_RAX, msb);
    x64_emit_alu_ri(a, X64_AND, 4, X64_RAX, 1);
    x64_emit_alu_rr(a, X64_OR, 4, JIT_REG_OP2, X64_RAX);
    /* OF: bit msb of r ^ (r >> msb) (ROL) or of r ^ (r << 1) (ROR) */
    if (ror) {
        x64_emit_lea(a, 4, X64_RAX,
                     x64_mem_idx(JIT_REG_VAL, JIT_REG_VAL, 1, 0));
    } else {
        x64_emit_mov_rr(a, 4, X64_RAX, JIT_REG_VAL);
        x64_emit_shift_ri(a, X64_SHL, 4, X64_RAX, msb);
    }
    x64_emit_alu_rr(a, X64_XOR, 4, X64_RAX, JIT_REG_VAL);
    x64_emit_shift_ri(a, X64_SHR, 4, X64_RAX, msb);
    x64_emit_alu_ri(a, X64_AND, 4, X64_RAX, 1);
    x64_emit_shift_ri(a, X64_SHL, 4, X64_RAX, 11);
    x64_emit_alu_rr(a, X64_OR, 4, JIT_REG_OP2, X64_RAX);
    if (d->mod != 3)
        jit_emit_store(b, d->seg, size, true);
    else
        jit_set_reg(b, size, d->rm, JIT_REG_VAL);
    jit_store_eager_flags(a);
    b->fk = JIT_FK_UNKNOWN;
    return true;
}

static bool jit_shift(BlockBuilder *b, unsigned size, unsigned count)
{
    X64Asm *a = &b->a;
    const DecodedInsn *d = b->d;
    unsigned op = d->reg;
    count &= 0x1F;
    if (op < 2 && count != 0)
        return jit_rotate(b, size, count);
    if (op < 4 || count == 0 || count >= size * 8)
        return false;
    bool mem = d->mod != 3;
    if (b->flags_defer[b->idx]) {
        /* Flags computed only where a fault could see them (flags.c):
         * keep the operand in r15. */
        int h = jit_hreg(d->rm);
        x64_emit_mov_rr(a, 4, JIT_REG_OP1, h);
        x64_emit_shift_ri(a, host_shift[op], 4, h, (uint8_t)count);
        b->pend = true;
        b->pend_op = (uint8_t)op;
        b->pend_count = (uint8_t)count;
        b->pend_end = b->flags_defer[b->idx];
        b->fk = JIT_FK_UNKNOWN;
        return true;
    }
    if (!mem && b->flags_dead[b->idx] && jit_reg_direct(size, d->rm)) {
        /* Flags overwritten before any use (flags.c). */
        x64_emit_shift_ri(a, host_shift[op], size, jit_hreg(d->rm),
                          (uint8_t)count);
        b->fk = JIT_FK_UNKNOWN;
        return true;
    }
    jit_shift_operand(b, size);
    if (op == 7 && size < 4) /* SAR needs the sign of the narrow operand */
        x64_emit_movsx_rr(a, 4, size, JIT_REG_VAL, JIT_REG_VAL);
    x64_emit_shift_ri(a, host_shift[op], size, JIT_REG_VAL, (uint8_t)count);
    /* ebp keeps the flags across the store's slow path (a helper call). */
    jit_emit_shift_flags(a, op, size);
    if (mem)
        jit_emit_store(b, d->seg, size, true);
    else
        jit_set_reg(b, size, d->rm, JIT_REG_VAL);
    jit_store_eager_flags(a);
    b->fk = JIT_FK_UNKNOWN;
    return true;
}

void jit_emit_pending_flags(BlockBuilder *b, unsigned op, unsigned count)
{
    X64Asm *a = &b->a;
    size_t zero = SIZE_MAX;
    x64_emit_mov_rr(a, 4, JIT_REG_OP2, JIT_REG_OP1);
    if (count == JIT_PEND_CL) {
        /* CL still holds the count; zero leaves the flags unchanged. */
        x64_emit_test_ri(a, 1, X64_RCX, 0x1F);
        zero = x64_emit_jcc_site(a, X64_CC_E);
        x64_emit_shift_cl(a, host_shift[op], 4, JIT_REG_OP2);
    } else {
        x64_emit_shift_ri(a, host_shift[op], 4, JIT_REG_OP2, (uint8_t)count);
    }
    x64_emit_lahf(a); /* AH = SF ZF 0 AF 0 PF 1 CF */
    x64_emit_shift_ri(a, X64_SHR, 4, X64_RAX, 8);
    x64_emit_alu_ri(a, X64_AND, 4, X64_RAX,
                    (int32_t)(EFL_SF | EFL_ZF | EFL_PF | EFL_CF));
    if (op != 7) {
        /* OF = MSB(result) ^ CF for SHL, MSB(operand) for SHR. */
        if (op == 5)
            x64_emit_mov_rr(a, 4, JIT_REG_OP2, JIT_REG_OP1);
        x64_emit_shift_ri(a, X64_SHR, 4, JIT_REG_OP2, 31);
        if (op != 5)
            x64_emit_alu_rr(a, X64_XOR, 4, JIT_REG_OP2, X64_RAX);
        x64_emit_alu_ri(a, X64_AND, 4, JIT_REG_OP2, 1);
        x64_emit_shift_ri(a, X64_SHL, 4, JIT_REG_OP2, 11);
        x64_emit_alu_rr(a, X64_OR, 4, X64_RAX, JIT_REG_OP2);
    }
    x64_emit_alu_mi(a, X64_AND, 4, x64_mem(JIT_REG_CPU, OFF_EFLAGS),
                    ~(int32_t)EFL_ARITH);
    x64_emit_alu_mr(a, X64_OR, 4, x64_mem(JIT_REG_CPU, OFF_EFLAGS), X64_RAX);
    x64_emit_store_imm(a, 4, x64_mem(JIT_REG_CPU, OFF_CC_OP), CC_OP_EFLAGS);
    if (zero != SIZE_MAX)
        x64_bind(a, zero);
}

/* SHL/SHR/SAR r32, CL with its flags live, as sh_do(): a masked count
 * of 0 changes nothing, not even the flags (the lazy state stays as it
 * is); counts 1..31 are below the size, so the host shift's SF ZF PF CF
 * are the guest's, as for an immediate count. */
static bool jit_shift_cl_live(BlockBuilder *b, unsigned op)
{
    X64Asm *a = &b->a;
    const DecodedInsn *d = b->d;
    jit_get_reg(b, 4, JIT_REG_OP1, d->rm);
    x64_emit_test_ri(a, 1, X64_RCX, 0x1F);
    size_t zero = x64_emit_jcc_site(a, X64_CC_E);
    x64_emit_mov_rr(a, 4, JIT_REG_VAL, JIT_REG_OP1);
    x64_emit_shift_cl(a, host_shift[op], 4, JIT_REG_VAL);
    jit_emit_shift_flags(a, op, 4);
    jit_set_reg(b, 4, d->rm, JIT_REG_VAL);
    jit_store_eager_flags(a);
    x64_bind(a, zero);
    b->fk = JIT_FK_UNKNOWN;
    return true;
}

/* Shift by CL with its flags dead (flags.c): the host shift masks the
 * count to 5 bits and shifts exactly as the guest does; the flags, which
 * a zero count would leave unchanged, are overwritten before any use.
 * 32-bit ones may also defer their flags, as shifts by an immediate. */
static bool jit_shift_cl(BlockBuilder *b, unsigned size)
{
    const DecodedInsn *d = b->d;
    unsigned op = d->reg;
    if (op >= 4 && b->flags_defer[b->idx]) {
        /* Flags built only where a fault could see them (flags.c). */
        int h = jit_hreg(d->rm);
        x64_emit_mov_rr(&b->a, 4, JIT_REG_OP1, h);
        x64_emit_shift_cl(&b->a, host_shift[op], 4, h);
        b->pend = true;
        b->pend_op = (uint8_t)op;
        b->pend_count = JIT_PEND_CL;
        b->pend_end = b->flags_defer[b->idx];
        b->fk = JIT_FK_UNKNOWN;
        return true;
    }
    if (op >= 4 && d->mod == 3 && size == 4 && !b->flags_dead[b->idx])
        return jit_shift_cl_live(b, op);
    if (op < 4 || d->mod != 3 || !b->flags_dead[b->idx] ||
        !jit_reg_direct(size, d->rm))
        return false;
    x64_emit_shift_cl(&b->a, host_shift[op], size, jit_hreg(d->rm));
    b->fk = JIT_FK_UNKNOWN;
    return true;
}

/* IMUL Gv, Ev (, imm) with its flags dead: the low half of the product
 * is the same signed or unsigned, and that is all the guest can see. */
static bool jit_imul(BlockBuilder *b, bool has_imm)
{
    const DecodedInsn *d = b->d;
    unsigned size = d->o32 ? 4 : 2;
    if (d->mod != 3 || !b->flags_dead[b->idx])
        return false;
    int hd = jit_hreg(d->reg), hs = jit_hreg(d->rm);
    if (has_imm)
        x64_emit_imul_rri(&b->a, size, hd, hs, (int32_t)d->imm);
    else
        x64_emit_imul_rr(&b->a, size, hd, hs);
    b->fk = JIT_FK_UNKNOWN;
    return true;
}

/* CMOVcc: the source is always read (it may fault), the destination is
 * written only if the condition holds. */
static bool jit_cmov(BlockBuilder *b)
{
    X64Asm *a = &b->a;
    const DecodedInsn *d = b->d;
    unsigned size = d->o32 ? 4 : 2;
    int src = jit_hreg(d->rm);
    if (d->mod != 3) {
        jit_emit_ea(b);
        jit_emit_load(b, d->seg, size, false);
        x64_emit_mov_rr(a, 4, JIT_REG_VAL, X64_RAX);
        src = JIT_REG_VAL;
        b->hf_at = 0; /* the TLB probe clobbered host flags */
    }
    X64Cond hc = jit_emit_cond(b, d->opcode & 15);
    x64_emit_cmov(a, hc, size, jit_hreg(d->reg), src);
    return true;
}

bool jit_emit_shift(BlockBuilder *b)
{
    const DecodedInsn *d = b->d;
    unsigned osize = d->o32 ? 4 : 2;
    switch (d->row) {
    case INSN_SHL_Eb_1: case INSN_SHR_Eb_1: case INSN_SAL_Eb_1:
    case INSN_SAR_Eb_1: case INSN_ROL_Eb_1: case INSN_ROR_Eb_1:
        return jit_shift(b, 1, 1);
    case INSN_SHL_Ev_1: case INSN_SHR_Ev_1: case INSN_SAL_Ev_1:
    case INSN_SAR_Ev_1: case INSN_ROL_Ev_1: case INSN_ROR_Ev_1:
        return jit_shift(b, osize, 1);
    case INSN_SHL_Eb_Ib: case INSN_SHR_Eb_Ib: case INSN_SAL_Eb_Ib:
    case INSN_SAR_Eb_Ib: case INSN_ROL_Eb_Ib: case INSN_ROR_Eb_Ib:
        return jit_shift(b, 1, d->imm);
    case INSN_SHL_Ev_Ib: case INSN_SHR_Ev_Ib: case INSN_SAL_Ev_Ib:
    case INSN_SAR_Ev_Ib: case INSN_ROL_Ev_Ib: case INSN_ROR_Ev_Ib:
        return jit_shift(b, osize, d->imm);
    case INSN_CMOVO_Gv_Ev: case INSN_CMOVNO_Gv_Ev: case INSN_CMOVB_Gv_Ev:
    case INSN_CMOVAE_Gv_Ev: case INSN_CMOVE_Gv_Ev: case INSN_CMOVNE_Gv_Ev:
    case INSN_CMOVBE_Gv_Ev: case INSN_CMOVA_Gv_Ev: case INSN_CMOVS_Gv_Ev:
    case INSN_CMOVNS_Gv_Ev: case INSN_CMOVP_Gv_Ev: case INSN_CMOVNP_Gv_Ev:
    case INSN_CMOVL_Gv_Ev: case INSN_CMOVGE_Gv_Ev: case INSN_CMOVLE_Gv_Ev:
    case INSN_CMOVG_Gv_Ev:
        return jit_cmov(b);
    case INSN_SHL_Ev_CL: case INSN_SHR_Ev_CL: case INSN_SAL_Ev_CL:
    case INSN_SAR_Ev_CL:
        return jit_shift_cl(b, osize);
    case INSN_SHL_Eb_CL: case INSN_SHR_Eb_CL: case INSN_SAL_Eb_CL:
    case INSN_SAR_Eb_CL:
        return b->d->rm < 4 && jit_shift_cl(b, 1);
    case INSN_IMUL_Gv_Ev:
        return jit_imul(b, false);
    case INSN_IMUL_Gv_Ev_Iz: case INSN_IMUL_Gv_Ev_Ibs:
        return jit_imul(b, true);
    default:
        return false;
    }
}
