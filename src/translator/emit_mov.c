/*
 * emit_mov.c — inline MOV (register, memory, immediate, moffs), LEA,
 * MOVZX/MOVSX and NOP. No flags are touched (SDM vol. 2 "MOV").
 * A 16-bit register write keeps the upper half and an 8-bit one the rest
 * of the register: partial stores into CPUState do exactly that.
 */
#include "frontend/exec.h"
#include "translator/jit_int.h"

/* eax = E operand (zero-extended). */
static void jit_get_e(BlockBuilder *b, unsigned size)
{
    const DecodedInsn *d = b->d;
    if (d->mod == 3) {
        jit_get_reg(b, size, X64_RAX, d->rm);
        return;
    }
    jit_emit_ea(b);
    jit_emit_load(b, d->seg, size, false);
}

/* E operand = r13 (low `size` bytes). */
static void jit_set_e(BlockBuilder *b, unsigned size)
{
    const DecodedInsn *d = b->d;
    if (d->mod == 3) {
        jit_set_reg(b, size, d->rm, JIT_REG_VAL);
        return;
    }
    jit_emit_ea(b);
    b->store_last = true;
    jit_emit_store(b, d->seg, size, false);
    b->store_last = false;
}

static void jit_mov_e_g(BlockBuilder *b, unsigned size)
{
    const DecodedInsn *d = b->d;
    if (d->mod == 3 && jit_reg_direct(size, d->rm)) {
        x64_emit_mov_rr(&b->a, size, jit_hreg(d->rm), jit_hreg(d->reg));
        return;
    }
    jit_get_reg(b, size, JIT_REG_VAL, d->reg);
    jit_set_e(b, size);
}

static void jit_mov_e_i(BlockBuilder *b, unsigned size)
{
    const DecodedInsn *d = b->d;
    if (d->mod == 3 && jit_reg_direct(size, d->rm)) {
        x64_emit_mov_ri(&b->a, size, jit_hreg(d->rm), d->imm);
        return;
    }
    if (d->mod == 3) {
        x64_emit_mov_ri(&b->a, 4, JIT_REG_VAL, b->d->imm);
        jit_set_e(b, size);
        return;
    }
    b->store_is_imm = true;
    b->store_imm = d->imm;
    jit_set_e(b, size);
    b->store_is_imm = false;
}

static void jit_mov_g_e(BlockBuilder *b, unsigned size)
{
    const DecodedInsn *d = b->d;
    if (d->mod == 3 && jit_reg_direct(size, d->rm)) {
        x64_emit_mov_rr(&b->a, size, jit_hreg(d->reg), jit_hreg(d->rm));
        return;
    }
    if (d->mod != 3 && size == 4) {
        jit_emit_ea(b);
        jit_emit_load_to(b, d->seg, 4, jit_hreg(d->reg), false);
        return;
    }
    jit_get_e(b, size);
    jit_set_reg(b, size, d->reg, X64_RAX);
}

/* moffs: the offset is the immediate, in d->seg. */
static void jit_mov_moffs(BlockBuilder *b, unsigned size, bool store)
{
    X64Asm *a = &b->a;
    x64_emit_mov_ri(a, 4, JIT_REG_EA, b->d->imm);
    if (store) {
        jit_get_reg(b, size, JIT_REG_VAL, R_EAX);
        b->store_last = true;
        jit_emit_store(b, b->d->seg, size, false);
        b->store_last = false;
    } else {
        jit_emit_load(b, b->d->seg, size, false);
        jit_set_reg(b, size, R_EAX, X64_RAX);
    }
}

static void jit_lea(BlockBuilder *b, unsigned osize)
{
    if (osize == 4) {
        jit_emit_ea_to(b, jit_hreg(b->d->reg));
        return;
    }
    jit_emit_ea(b);
    x64_emit_mov_rr(&b->a, osize, jit_hreg(b->d->reg), JIT_REG_EA);
}

static void jit_movx(BlockBuilder *b, unsigned osize, unsigned ssize,
                     bool sign)
{
    const DecodedInsn *d = b->d;
    int hd = jit_hreg(d->reg);
    if (osize == 4 && d->mod != 3) {
        jit_emit_ea(b);
        jit_emit_load_to(b, d->seg, ssize, hd, sign);
        return;
    }
    if (d->mod == 3 && (ssize == 2 || d->rm < 4)) {
        int hs = jit_hreg(d->rm);
        if (osize == 4) {
            if (sign)
                x64_emit_movsx_rr(&b->a, 4, ssize, hd, hs);
            else
                x64_emit_movzx_rr(&b->a, 4, ssize, hd, hs);
            return;
        }
        if (sign)
            x64_emit_movsx_rr(&b->a, 4, ssize, X64_RAX, hs);
        else
            x64_emit_movzx_rr(&b->a, 4, ssize, X64_RAX, hs);
        x64_emit_mov_rr(&b->a, osize, hd, X64_RAX);
        return;
    }
    jit_get_e(b, ssize);
    if (sign)
        x64_emit_movsx_rr(&b->a, 4, ssize, X64_RAX, X64_RAX);
    x64_emit_mov_rr(&b->a, osize, hd, X64_RAX);
}

static bool jit_emit_mov_imm(BlockBuilder *b, unsigned osize)
{
    const DecodedInsn *d = b->d;
    X64Asm *a = &b->a;
    unsigned n = d->opcode & 7;
    if (d->row == INSN_MOV_Zb_Ib) {
        if (n < 4) {
            x64_emit_mov_ri(a, 1, jit_hreg(n), d->imm & 0xFF);
        } else {
            x64_emit_mov_ri(a, 4, JIT_REG_VAL, d->imm & 0xFF);
            jit_set_reg(b, 1, n, JIT_REG_VAL);
        }
        return true;
    }
    x64_emit_mov_ri(a, osize, jit_hreg(n), d->imm);
    return true;
}
bool jit_emit_mov(BlockBuilder *b)
{
    const DecodedInsn *d = b->d;
    unsigned osize = d->o32 ? 4 : 2;
    switch (d->row) {
    case INSN_MOV_Eb_Gb: jit_mov_e_g(b, 1); return true;
    case INSN_MOV_Ev_Gv: jit_mov_e_g(b, osize); return true;
    case INSN_MOV_Gb_Eb: jit_mov_g_e(b, 1); return true;
    case INSN_MOV_Gv_Ev: jit_mov_g_e(b, osize); return true;
    case INSN_MOV_Eb_Ib: jit_mov_e_i(b, 1); return true;
    case INSN_MOV_Ev_Iz: jit_mov_e_i(b, osize); return true;
    case INSN_MOV_Zb_Ib: case INSN_MOV_Zv_Iz:
        return jit_emit_mov_imm(b, osize);
    case INSN_MOV_AL_Ob: jit_mov_moffs(b, 1, false); return true;
    case INSN_MOV_eAX_Ov: jit_mov_moffs(b, osize, false); return true;
    case INSN_MOV_Ob_AL: jit_mov_moffs(b, 1, true); return true;
    case INSN_MOV_Ov_eAX: jit_mov_moffs(b, osize, true); return true;
    case INSN_LEA_Gv_M:
        if (d->mod == 3)
            return false; /* #UD from the handler */
        jit_lea(b, osize);
        return true;
    case INSN_MOVZX_Gv_Eb: jit_movx(b, osize, 1, false); return true;
    case INSN_MOVZX_Gv_Ew: jit_movx(b, osize, 2, false); return true;
    case INSN_MOVSX_Gv_Eb: jit_movx(b, osize, 1, true); return true;
    case INSN_MOVSX_Gv_Ew: jit_movx(b, osize, 2, true); return true;
    case INSN_NOP:
        return d->rep == 0; /* F3 90 is PAUSE: also nothing to do */
    default:
        return false;
    }
}
