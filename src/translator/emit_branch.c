/*
 * emit_branch.c — control transfers: Jcc, JMP rel, CALL rel, near RET,
 * and LOOP/LOOPcc/JCXZ (semantics by the handler, exits chainable).
 *
 * Jcc evaluates the guest condition with host flags when the block knows
 * which lazy kind the last flag writer left (CMP/SUB/ADD/logic/INC/DEC
 * translated inline in the same block): replaying the operation on the
 * saved operands sets the host flags exactly as the guest's (SDM vol. 1
 * appendix B: same condition encodings). Otherwise the shared `cond`
 * trampoline replays the lazy state at run time (emit_cond.c).
 * Targets beyond the CS limit (#GP, SDM vol. 2 "JMP") are left to the
 * handler, which raises the exception.
 */
#include "frontend/exec.h"
#include "frontend/flags.h"
#include "translator/jit_int.h"

static uint32_t jit_branch_target(const BlockBuilder *b)
{
    uint32_t t = b->next_eip + b->d->imm;
    return b->d->o32 ? t : t & 0xFFFF;
}

static bool jit_target_ok(const BlockBuilder *b, uint32_t target)
{
    return target <= b->cpu->seg[SEG_CS].limit;
}

/* Host register of the given size holding the lazy operand at off. */
static void jit_load_cc_field(X64Asm *a, unsigned size, int32_t off)
{
    x64_emit_load(a, 4, X64_RAX, x64_mem(JIT_REG_CPU, off));
    (void)size;
}

/* Is the kind of the block's last flag writer known (replayable)? */
static bool jit_cond_fusable(const BlockBuilder *b)
{
    return b->fk != JIT_FK_UNKNOWN;
}

/* Leave host flags such that `jcc cc` is the guest condition; returns the
 * host condition to test. */
X64Cond jit_emit_cond(BlockBuilder *b, unsigned cc)
{
    X64Asm *a = &b->a;
    unsigned sz = b->fk_size;
    if (!jit_cond_fusable(b))
        return jit_emit_cond_lazy(b, cc);
    /* The previous instruction left its flags in host EFLAGS. */
    if (b->hf_at != 0 && b->hf_at == b->idx)
        return (X64Cond)cc;
    switch (b->fk) {
    case JIT_FK_LOGIC:
        jit_load_cc_field(a, sz, OFF_CC_RES);
        x64_emit_test_rr(a, sz, X64_RAX, X64_RAX);
        break;
    case JIT_FK_SUB:
        jit_load_cc_field(a, sz, OFF_CC_OP1);
        x64_emit_alu_rm(a, X64_CMP, sz, X64_RAX,
                        x64_mem(JIT_REG_CPU, OFF_CC_OP2));
        break;
    case JIT_FK_ADD:
        jit_load_cc_field(a, sz, OFF_CC_OP1);
        x64_emit_alu_rm(a, X64_ADD, sz, X64_RAX,
                        x64_mem(JIT_REG_CPU, OFF_CC_OP2));
        break;
    default:
        /* INC/DEC: CF from eflags, kept by the host inc/dec. */
        jit_emit_cond_incdec(a, b->fk == JIT_FK_DEC, sz);
        break;
    }
    return (X64Cond)cc;
}

static bool jit_emit_jcc(BlockBuilder *b)
{
    uint32_t target = jit_branch_target(b);
    if (!jit_target_ok(b, target))
        return false;
    X64Cond hc = jit_emit_cond(b, b->d->opcode & 15);
    /* Both exits chainable: the jcc's own rel32 is patched. */
    size_t taken = x64_emit_jcc_site(&b->a, hc);
    if (b->loop_pending) {
        /* Self-loop (loop.c): the fall-through leaves with the flags
         * stored; the taken stub stores them too. */
        jit_emit_loop_flags(b);
        b->loop_pending = false;
        jit_emit_direct_exit(b, 0, b->next_eip);
        b->loop_pending = true;
    } else {
        jit_emit_direct_exit(b, 0, b->next_eip);
    }
    jit_emit_exit_stub(b, 1, target, taken);
    b->loop_pending = false;
    b->ended = true;
    return true;
}

static bool jit_emit_jmp(BlockBuilder *b)
{
    uint32_t target = jit_branch_target(b);
    if (!jit_target_ok(b, target))
        return false;
    jit_emit_direct_exit(b, 0, target);
    b->ended = true;
    return true;
}

/* CALL rel: push the return address (as stack_push), then jump. */
static bool jit_emit_call(BlockBuilder *b)
{
    uint32_t target = jit_branch_target(b);
    if (!jit_target_ok(b, target))
        return false;
    jit_emit_push_value(b, b->d->o32 ? 4 : 2, b->next_eip, true);
    jit_emit_direct_exit(b, 0, target);
    b->ended = true;
    return true;
}

/* LOOP/LOOPcc/JCXZ: the handler decides; both outcomes chain. */
static bool jit_emit_loop(BlockBuilder *b)
{
    X64Asm *a = &b->a;
    uint32_t target = jit_branch_target(b);
    jit_emit_row_handler_call(b);
    x64_emit_alu_mi(a, X64_CMP, 4, x64_mem(JIT_REG_CPU, OFF_NEXT_EIP),
                    (int32_t)target);
    size_t taken = x64_emit_jcc_site(a, X64_CC_E);
    jit_emit_direct_exit(b, 0, b->next_eip);
    jit_emit_exit_stub(b, 1, target, taken);
    b->ended = true;
    b->fk = JIT_FK_UNKNOWN;
    return true;
}

/* RET / RET Iw (near), as ctrl_ret(): pop the target, #GP(0) if beyond
 * the CS limit (left to the handler, nothing committed yet), release
 * imm16 more bytes, continue through the indirect-branch lookup. */
static bool jit_emit_ret(BlockBuilder *b)
{
    X64Asm *a = &b->a;
    const DecodedInsn *d = b->d;
    unsigned size = d->o32 ? 4 : 2;
    bool stack32 = (b->flags & JIT_F_STACK32) != 0;
    uint32_t pop = d->row == INSN_RET_Iw ? d->imm & 0xFFFF : 0;
    int esp = jit_hreg(R_ESP);
    x64_emit_mov_rr(a, 4, JIT_REG_EA, esp);
    if (!stack32)
        x64_emit_movzx_rr(a, 4, 2, JIT_REG_EA, JIT_REG_EA);
    jit_emit_load(b, SEG_SS, size, false);
    x64_emit_alu_rm(a, X64_CMP, 4, X64_RAX,
                    x64_mem(JIT_REG_CPU, OFF_SEG_LIMIT(SEG_CS)));
    size_t beyond = x64_emit_jcc_site(a, X64_CC_A);
    x64_emit_alu_ri(a, X64_ADD, stack32 ? 4 : 2, esp, (int32_t)(size + pop));
    x64_emit_store(a, 4, x64_mem(JIT_REG_CPU, OFF_NEXT_EIP), X64_RAX);
    jit_emit_indirect_exit(b);
    x64_bind(a, beyond);
    /* The handler raises #GP(0) with EIP and ESP unchanged. */
    jit_emit_row_handler_call(b);
    jit_emit_indirect_exit(b);
    b->ended = true;
    b->fk = JIT_FK_UNKNOWN;
    return true;
}

/* Jcc rel8 / rel32 (loop.c recognises self-loops ending in one). */
bool jit_row_jcc(unsigned row)
{
    switch (row) {
    case INSN_JO_Jb: case INSN_JNO_Jb: case INSN_JB_Jb: case INSN_JAE_Jb:
    case INSN_JE_Jb: case INSN_JNE_Jb: case INSN_JBE_Jb: case INSN_JA_Jb:
    case INSN_JS_Jb: case INSN_JNS_Jb: case INSN_JP_Jb: case INSN_JNP_Jb:
    case INSN_JL_Jb: case INSN_JGE_Jb: case INSN_JLE_Jb: case INSN_JG_Jb:
    case INSN_JO_Jz: case INSN_JNO_Jz: case INSN_JB_Jz: case INSN_JAE_Jz:
    case INSN_JE_Jz: case INSN_JNE_Jz: case INSN_JBE_Jz: case INSN_JA_Jz:
    case INSN_JS_Jz: case INSN_JNS_Jz: case INSN_JP_Jz: case INSN_JNP_Jz:
    case INSN_JL_Jz: case INSN_JGE_Jz: case INSN_JLE_Jz: case INSN_JG_Jz:
        return true;
    default:
        return false;
    }
}

bool jit_emit_branch(BlockBuilder *b)
{
    if (jit_row_jcc(b->d->row))
        return jit_emit_jcc(b);
    switch (b->d->row) {
    case INSN_JMP_Jb: case INSN_JMP_Jz:
        return jit_emit_jmp(b);
    case INSN_CALL_Jz:
        return jit_emit_call(b);
    case INSN_RET: case INSN_RET_Iw:
        return jit_emit_ret(b);
    case INSN_LOOPNE_Jb: case INSN_LOOPE_Jb: case INSN_LOOP_Jb:
    case INSN_JCXZ_Jb:
        return jit_emit_loop(b);
    default:
        return false;
    }
}
