/*
 * emit_cond.c — guest conditions from the lazy-flag state at run time.
 *
 * When the translator does not know which kind the last flag writer left
 * (it ran in another block, or in a handler), the guest flags are a
 * function of cc_op/cc_res/cc_op1/cc_op2 and eflags (cpu_state.h). The
 * `cond` trampoline, shared by all blocks, turns that state into host
 * EFLAGS whose OF/SF/ZF/PF/CF are the guest's, so that a host jcc/setcc/
 * cmovcc/adc with the guest's condition encoding follows (SDM vol. 1
 * appendix B: same encodings). It replays the operation of the lazy kind
 * on the saved operands with the host instruction of the same size:
 *   ADD/SUB: op1 + op2 + c / op1 - op2 - c with the carry-in c of an
 *            ADC/SBB recovered from res (host adc/sbb set the six flags)
 *   ADDN/SUBN: op1 + op2 / op1 - op2
 *   LOGIC:   cmp res, 0 (CF = OF = AF = 0)
 *   INC/DEC: CF from eflags (shr), then inc/dec op1, which keeps CF
 *   EFLAGS:  SAHF for SF ZF AF PF CF, OF from `add al, 0x7F` on 0/1
 * AF is exact too (no condition reads it, but `arith` does). Clobbers
 * rax only (and host flags); a plain `call`, no spill: guest registers
 * stay pinned. The `arith` trampoline calls it and returns the six flags
 * as EFL_* bits in eax (cc_flags() without C), for instructions that
 * replace only some of them (rotates).
 */
#include "frontend/flags.h"
#include "translator/jit_int.h"

/* Kinds in the order they are tested: the 32-bit compare, logic and
 * EFLAGS states first (most frequent in the Linux boot). */
static const uint8_t cond_order[CC_OP_COUNT] = {
    CC_OP_SUBN8 + 2, CC_OP_LOGIC8 + 2, CC_OP_EFLAGS, CC_OP_ADDN8 + 2,
    CC_OP_SUB8 + 2, CC_OP_ADD8 + 2, CC_OP_DEC8 + 2, CC_OP_INC8 + 2,
    CC_OP_SUB8, CC_OP_LOGIC8, CC_OP_SUBN8, CC_OP_SUB8 + 1,
    CC_OP_SUBN8 + 1, CC_OP_LOGIC8 + 1, CC_OP_ADD8, CC_OP_ADD8 + 1,
    CC_OP_ADDN8, CC_OP_ADDN8 + 1, CC_OP_INC8, CC_OP_INC8 + 1, CC_OP_DEC8,
    CC_OP_DEC8 + 1,
};

/* Host flags = the guest's OF SF ZF AF PF CF in eflags (clobbers rax). */
static void cond_from_eflags(X64Asm *a)
{
    x64_emit_load(a, 4, X64_RAX, x64_mem(JIT_REG_CPU, OFF_EFLAGS));
    /* ah = bits 0-7 (SF ZF AF PF CF where SAHF wants them), al = 8-15 */
    x64_emit_shift_ri(a, X64_ROL, 2, X64_RAX, 8);
    x64_emit_shift_ri(a, X64_SHR, 1, X64_RAX, 3); /* al bit 0 = OF */
    x64_emit_alu_ri(a, X64_AND, 1, X64_RAX, 1);
    x64_emit_alu_ri(a, X64_ADD, 1, X64_RAX, 0x7F); /* OF = (al == 1) */
    x64_emit_sahf(a);
}

/* INC/DEC of size sz on cc_op1 with host CF = eflags.CF (which they keep,
 * SDM vol. 2 "INC"): the replay of a lazy INC8/DEC8 + size state. */
void jit_emit_cond_incdec(X64Asm *a, bool dec, unsigned sz)
{
    x64_emit_load(a, 4, X64_RAX, x64_mem(JIT_REG_CPU, OFF_EFLAGS));
    x64_emit_shift_ri(a, X64_SHR, 4, X64_RAX, 1); /* CF = bit 0 */
    x64_emit_load(a, 4, X64_RAX, x64_mem(JIT_REG_CPU, OFF_CC_OP1));
    x64_emit_unary(a, dec ? X64_DEC : X64_INC, sz, X64_RAX);
}

/* The replay of lazy kind op (cc_op value). */
static void cond_replay(X64Asm *a, unsigned op)
{
    if (op == CC_OP_EFLAGS) {
        cond_from_eflags(a);
        return;
    }
    unsigned szi = (op - 1) % 3, kind = op - szi;
    unsigned sz = 1u << szi;
    switch (kind) {
    case CC_OP_ADD8:
    case CC_OP_SUB8:
        /* ADC/SBB leave these kinds too, res = op1 +- op2 +- carry-in:
         * the carry-in is bit 0 of op1 ^ op2 ^ res. */
        x64_emit_load(a, 4, X64_RAX, x64_mem(JIT_REG_CPU, OFF_CC_OP1));
        x64_emit_alu_rm(a, X64_XOR, 4, X64_RAX,
                        x64_mem(JIT_REG_CPU, OFF_CC_OP2));
        x64_emit_alu_rm(a, X64_XOR, 4, X64_RAX,
                        x64_mem(JIT_REG_CPU, OFF_CC_RES));
        x64_emit_shift_ri(a, X64_SHR, 4, X64_RAX, 1); /* CF = carry-in */
        x64_emit_load(a, 4, X64_RAX, x64_mem(JIT_REG_CPU, OFF_CC_OP1));
        x64_emit_alu_rm(a, kind == CC_OP_ADD8 ? X64_ADC : X64_SBB, sz,
                        X64_RAX, x64_mem(JIT_REG_CPU, OFF_CC_OP2));
        break;
    case CC_OP_ADDN8:
    case CC_OP_SUBN8:
        /* No carry-in: the operation itself. */
        x64_emit_load(a, 4, X64_RAX, x64_mem(JIT_REG_CPU, OFF_CC_OP1));
        x64_emit_alu_rm(a, kind == CC_OP_ADDN8 ? X64_ADD : X64_SUB, sz,
                        X64_RAX, x64_mem(JIT_REG_CPU, OFF_CC_OP2));
        break;
    case CC_OP_LOGIC8:
        /* cmp res, 0 rather than test: AF = 0 as cc_flags() has it. */
        x64_emit_load(a, 4, X64_RAX, x64_mem(JIT_REG_CPU, OFF_CC_RES));
        x64_emit_alu_ri(a, X64_CMP, sz, X64_RAX, 0);
        break;
    default:
        jit_emit_cond_incdec(a, kind == CC_OP_DEC8, sz);
        break;
    }
}

static void jit_emit_cond_trampoline(JitState *js, X64Asm *a)
{
    js->cond = x64_pc(a);
    x64_emit_load(a, 4, X64_RAX, x64_mem(JIT_REG_CPU, OFF_CC_OP));
    for (unsigned i = 0; i < CC_OP_COUNT; i++) {
        unsigned op = cond_order[i];
        size_t next = SIZE_MAX;
        /* The last kind is the default (cc_op is always < CC_OP_COUNT). */
        if (i + 1 < CC_OP_COUNT) {
            x64_emit_alu_ri(a, X64_CMP, 4, X64_RAX, (int32_t)op);
            next = x64_emit_jcc8_site(a, X64_CC_NE);
        }
        cond_replay(a, op);
        x64_emit_ret(a);
        if (next != SIZE_MAX)
            x64_bind8(a, next);
    }
}

/* arith: eax = OF SF ZF AF PF CF of the lazy state (clobbers rax). */
static void jit_emit_arith_trampoline(JitState *js, X64Asm *a)
{
    js->arith = x64_pc(a);
    x64_emit_call(a, js->cond);
    x64_emit_lahf(a);                 /* ah = SF ZF 0 AF 0 PF 1 CF */
    x64_emit_setcc(a, X64_CC_O, X64_RAX);
    x64_emit_shift_ri(a, X64_SHL, 1, X64_RAX, 3); /* OF at bit 3 of al */
    x64_emit_shift_ri(a, X64_ROL, 2, X64_RAX, 8); /* ... at bit 11 */
    x64_emit_movzx_rr(a, 4, 2, X64_RAX, X64_RAX);
    x64_emit_alu_ri(a, X64_AND, 4, X64_RAX, (int32_t)EFL_ARITH);
    x64_emit_ret(a);
}

void jit_emit_cond_trampolines(JitState *js, X64Asm *a)
{
    jit_emit_cond_trampoline(js, a);
    jit_emit_arith_trampoline(js, a);
}

X64Cond jit_emit_cond_lazy(BlockBuilder *b, unsigned cc)
{
    x64_emit_call(&b->a, b->js->cond);
    return (X64Cond)cc;
}
