/*
 * emit_stack.c — inline PUSH/POP of general registers and immediates,
 * and LEAVE.
 *
 * Same rules as frontend/stack.h: SS's B bit (stack32, a mode bit of the
 * block) selects ESP or SP arithmetic; the access goes through SS with the
 * inline TLB; ESP is written only after the access succeeded, so a #SS or
 * #PF leaves ESP unchanged (SDM vol. 3 section 6.13: faults are precise).
 */
#include "frontend/exec.h"
#include "translator/jit_int.h"

static bool jit_stack32(const BlockBuilder *b)
{
    return (b->flags & JIT_F_STACK32) != 0;
}

/* r14d = offset of the new top of stack after pushing `size` bytes. */
static void jit_emit_push_offset(BlockBuilder *b, unsigned size)
{
    X64Asm *a = &b->a;
    x64_emit_lea(a, 4, JIT_REG_EA, x64_mem(jit_hreg(R_ESP), -(int32_t)size));
    if (!jit_stack32(b))
        x64_emit_movzx_rr(a, 4, 2, JIT_REG_EA, JIT_REG_EA);
}

/* ESP (or SP) -= size after a successful push (r14 is the host address
 * by then). */
static void jit_emit_commit_esp(BlockBuilder *b, unsigned size)
{
    x64_emit_alu_ri(&b->a, X64_SUB, jit_stack32(b) ? 4 : 2, jit_hreg(R_ESP),
                    (int32_t)size);
}

/* Push r13d (size 2 or 4). A push that ends the block (CALL) needs no
 * SMC check: its exit returns to the dispatcher or to a block that an
 * invalidation would have unchained. */
static void jit_emit_push_r13(BlockBuilder *b, unsigned size, bool ends)
{
    jit_emit_push_offset(b, size);
    b->store_ends = ends;
    jit_emit_store(b, SEG_SS, size, false);
    b->store_ends = false;
    jit_emit_commit_esp(b, size);
}

void jit_emit_push_value(BlockBuilder *b, unsigned size, uint32_t value,
                         bool ends)
{
    x64_emit_mov_ri(&b->a, 4, JIT_REG_VAL, value);
    jit_emit_push_r13(b, size, ends);
}

static void jit_emit_push_reg(BlockBuilder *b, unsigned size, unsigned reg)
{
    jit_get_reg(b, size, JIT_REG_VAL, reg);
    jit_emit_push_r13(b, size, false);
}

/* POP r32/r16 (not ESP: its value rules are left to the handler). */
static void jit_emit_pop_reg(BlockBuilder *b, unsigned size, unsigned reg)
{
    X64Asm *a = &b->a;
    x64_emit_mov_rr(a, 4, JIT_REG_EA, jit_hreg(R_ESP));
    if (!jit_stack32(b))
        x64_emit_movzx_rr(a, 4, 2, JIT_REG_EA, JIT_REG_EA);
    jit_emit_load(b, SEG_SS, size, false);
    x64_emit_alu_ri(a, X64_ADD, jit_stack32(b) ? 4 : 2, jit_hreg(R_ESP),
                    (int32_t)size);
    x64_emit_mov_rr(a, size, jit_hreg(reg), X64_RAX);
}

/* LEAVE, as exec_LEAVE(): pop EBP (or BP) from SS:EBP (SS:BP with a
 * 16-bit stack); ESP (SP) = that offset + size only after the load. */
static void jit_emit_leave(BlockBuilder *b, unsigned size)
{
    X64Asm *a = &b->a;
    unsigned ssize = jit_stack32(b) ? 4 : 2;
    int esp = jit_hreg(R_ESP), ebp = jit_hreg(R_EBP);
    x64_emit_mov_rr(a, 4, JIT_REG_EA, ebp);
    if (ssize == 2)
        x64_emit_movzx_rr(a, 4, 2, JIT_REG_EA, JIT_REG_EA);
    jit_emit_load(b, SEG_SS, size, false);
    x64_emit_mov_rr(a, ssize, esp, ebp);
    x64_emit_alu_ri(a, X64_ADD, ssize, esp, (int32_t)size);
    x64_emit_mov_rr(a, size, ebp, X64_RAX);
}

bool jit_emit_stack(BlockBuilder *b)
{
    const DecodedInsn *d = b->d;
    unsigned size = d->o32 ? 4 : 2;
    switch (d->row) {
    case INSN_PUSH_Zv:
        jit_emit_push_reg(b, size, d->opcode & 7);
        return true;
    case INSN_POP_Zv:
        if ((d->opcode & 7) == R_ESP)
            return false;
        jit_emit_pop_reg(b, size, d->opcode & 7);
        return true;
    case INSN_LEAVE:
        jit_emit_leave(b, size);
        return true;
    case INSN_PUSH_Iz: case INSN_PUSH_Ibs:
        jit_emit_push_value(b, size, size == 4 ? d->imm : d->imm & 0xFFFF,
                            false);
        return true;
    default:
        return false;
    }
}
