/*
 * loop.c — self-loop blocks: the closing compare's flags are not stored
 * on the back edge (they are rebuilt from the compared register).
 *
 * A block ending in `CMP/SUB/ADD r32, imm; Jcc <block start>` stores four
 * lazy-flag fields per iteration, although the next iteration overwrites
 * them at its first flag writer k. They are needed only if something
 * observes them first: a fault or exit before k, or the loop's exits.
 * So, when everything before k is a register move or a memory move (whose
 * only fault is in a TLB slow path) that leaves the compared register
 * alone, the compare stores nothing; the flags are rebuilt from that
 * register and the immediate only where they can be seen:
 *   - the fall-through exit (before its jmp) and the taken exit's stub;
 *   - a second entry E1, which the back edge chains to (cc_chain knows
 *     TBlock.loop_entry): its budget stub, and a copy of instructions
 *     [0, k) whose TLB slow paths materialize first. E1 sits in the
 *     body just before k, into which it falls; the normal entry's path
 *     jumps over it.
 * Entering at the normal entry (from the dispatcher or another block),
 * the flags are in CPUState as usual.
 */
#include "frontend/alu.h"
#include "frontend/exec.h"
#include "frontend/flags.h"
#include "translator/jit_int.h"

/* Register moves and memory moves that leave r15 and the flags alone
 * (emit_mov.c); memory forms can fault only in their slow paths. */
static bool jit_loop_prefix_ok(const DecodedInsn *d)
{
    switch (d->row) {
    case INSN_MOV_Eb_Gb: case INSN_MOV_Ev_Gv: case INSN_MOV_Gb_Eb:
    case INSN_MOV_Gv_Ev: case INSN_MOV_Eb_Ib: case INSN_MOV_Ev_Iz:
    case INSN_MOVZX_Gv_Eb: case INSN_MOVZX_Gv_Ew: case INSN_MOVSX_Gv_Eb:
    case INSN_MOVSX_Gv_Ew: case INSN_MOV_Zb_Ib: case INSN_MOV_Zv_Iz:
        return true;
    case INSN_LEA_Gv_M:
        return d->mod != 3;
    default:
        return false;
    }
}

/* ADD/SUB/CMP r32, imm (81/83 /0 /5 /7, or 05/2D/3D): the ALU op, -1 if
 * the instruction is not such a compare. */
static int jit_loop_producer(const DecodedInsn *d)
{
    if (d->lock || !d->o32)
        return -1;
    unsigned op;
    switch (d->row) {
    case INSN_ADD_Ev_Iz: case INSN_SUB_Ev_Iz: case INSN_CMP_Ev_Iz:
    case INSN_ADD_Ev_Ibs: case INSN_SUB_Ev_Ibs: case INSN_CMP_Ev_Ibs:
        if (d->mod != 3)
            return -1;
        op = d->reg;
        break;
    default:
        if (d->map != 0 || (d->opcode != 0x05 && d->opcode != 0x2D &&
                            d->opcode != 0x3D))
            return -1;
        op = d->opcode >> 3;
        break;
    }
    return op == ALU_ADD || op == ALU_SUB || op == ALU_CMP ? (int)op : -1;
}

/* Guest registers a prefix row may write (both byte-register readings,
 * to be safe), as a bit mask. */
static unsigned jit_loop_writes(const DecodedInsn *d)
{
    unsigned n;
    switch (d->row) {
    case INSN_MOV_Eb_Gb: case INSN_MOV_Ev_Gv: case INSN_MOV_Eb_Ib:
    case INSN_MOV_Ev_Iz:
        if (d->mod != 3)
            return 0;
        n = d->rm;
        break;
    case INSN_MOV_Zb_Ib: case INSN_MOV_Zv_Iz:
        n = d->opcode & 7;
        break;
    default:
        n = d->reg;
        break;
    }
    return (1u << n) | (1u << (n & 3));
}

/* Inline register-only rows that never call C (emit_alu.c, emit_mov.c). */
static bool jit_loop_body_ok(const DecodedInsn *d)
{
    if (d->lock || !d->o32)
        return false;
    switch (d->row) {
    case INSN_ADD_Ev_Gv: case INSN_SUB_Ev_Gv: case INSN_AND_Ev_Gv:
    case INSN_OR_Ev_Gv: case INSN_XOR_Ev_Gv: case INSN_CMP_Ev_Gv:
    case INSN_ADD_Gv_Ev: case INSN_SUB_Gv_Ev: case INSN_AND_Gv_Ev:
    case INSN_OR_Gv_Ev: case INSN_XOR_Gv_Ev: case INSN_CMP_Gv_Ev:
    case INSN_ADD_Ev_Iz: case INSN_SUB_Ev_Iz: case INSN_AND_Ev_Iz:
    case INSN_OR_Ev_Iz: case INSN_XOR_Ev_Iz: case INSN_CMP_Ev_Iz:
    case INSN_ADD_Ev_Ibs: case INSN_SUB_Ev_Ibs: case INSN_AND_Ev_Ibs:
    case INSN_OR_Ev_Ibs: case INSN_XOR_Ev_Ibs: case INSN_CMP_Ev_Ibs:
    case INSN_MOV_Ev_Gv: case INSN_MOV_Gv_Ev:
        return d->mod == 3;
    default:
        return false;
    }
}

/* Whether the loop's only memory access is one instruction of [0, k)
 * and nothing in the block calls C outside that access's slow path: the
 * TLB (changed only by C code) then stays as it was from one iteration
 * to the next, and a copy of the entry the access hit can serve it
 * without computing the index (the induction form below; E0 and every
 * slow path leave the copy empty, so it is never older than the current
 * run of the loop). */
static bool jit_loop_cache_ok(BlockBuilder *b, unsigned n, unsigned k)
{
    unsigned nmem = 0;
    for (unsigned i = 0; i < k; i++) {
        const DecodedInsn *d = b->insns[i];
        if (d->mod != 3 && d->row != INSN_LEA_Gv_M &&
            d->row != INSN_MOV_Zb_Ib && d->row != INSN_MOV_Zv_Iz)
            nmem++;
    }
    for (unsigned i = k; i + 2 < n; i++)
        if (!jit_loop_body_ok(b->insns[i]))
            return false;
    return nmem == 1;
}

/* Guest registers any instruction of a loop_cache loop writes (bit
 * mask; for byte forms both readings, as jit_loop_writes). */
static unsigned jit_loop_dest(const BlockBuilder *b, unsigned i)
{
    const DecodedInsn *d = b->insns[i];
    if (i < b->loop_k)
        return jit_loop_writes(d);
    if (i + 1 == b->ninsn)
        return 0; /* the Jcc */
    if (i + 2 == b->ninsn && !d->has_modrm)
        return b->loop_op == ALU_CMP ? 0 : 1u << R_EAX; /* 05/2D/3D */
    switch (d->row) {
    case INSN_CMP_Ev_Gv: case INSN_CMP_Gv_Ev: case INSN_CMP_Ev_Iz:
    case INSN_CMP_Ev_Ibs:
        return 0;
    case INSN_ADD_Gv_Ev: case INSN_SUB_Gv_Ev: case INSN_AND_Gv_Ev:
    case INSN_OR_Gv_Ev: case INSN_XOR_Gv_Ev: case INSN_MOV_Gv_Ev:
        return 1u << d->reg;
    default:
        return 1u << d->rm;
    }
}

/* Whether instruction i adds a step in [1, 4095] to r: an immediate
 * (checked here) or a register (*sreg, checked by the refill). */
static bool jit_loop_step(const BlockBuilder *b, unsigned i, unsigned r,
                          int *sreg)
{
    const DecodedInsn *d = b->insns[i];
    if (i < b->loop_k || i + 1 >= b->ninsn || d->map != 0)
        return false;
    switch (d->row) {
    case INSN_ADD_Ev_Iz: case INSN_ADD_Ev_Ibs:
        *sreg = -1;
        return d->rm == r && d->imm >= 1 && d->imm <= 4095;
    case INSN_ADD_Ev_Gv:
        *sreg = (int)d->reg;
        return d->rm == r;
    case INSN_ADD_Gv_Ev:
        *sreg = (int)d->rm;
        return d->reg == r;
    default:
        *sreg = -1;
        return !d->has_modrm && d->opcode == 0x05 && r == R_EAX &&
               d->imm >= 1 && d->imm <= 4095;
    }
}

/* Induction form of the loop cache: the access is [r + disp] (base or
 * index with scale 1), and r's only write in the loop adds a positive
 * step below a page. Then, from a checked r0, every r below a bound
 * reaches a linear address on the same page (no wrap on the way), so
 * the back edge compares r with the bound instead of the page with the
 * copied tag; any size fits. The bound and the page's addend stay in
 * host registers (r15, rbp: JIT_REG_LEND, JIT_REG_LADD) from one
 * iteration to the next, which nothing in such a loop uses otherwise;
 * loading them from memory at every iteration cost about a tenth of the
 * time in a host micro-benchmark of the sieve's marking loop. */
static void jit_loop_induction(BlockBuilder *b, unsigned n)
{
    const DecodedInsn *m = NULL;
    for (unsigned i = 0; i < b->loop_k; i++) {
        const DecodedInsn *d = b->insns[i];
        if (d->mod != 3 && d->row != INSN_LEA_Gv_M &&
            d->row != INSN_MOV_Zb_Ib && d->row != INSN_MOV_Zv_Iz)
            m = d;
    }
    if (!m || !m->a32)
        return;
    unsigned r;
    if (m->base != DEC_NOREG && m->index == DEC_NOREG)
        r = m->base;
    else if (m->base == DEC_NOREG && m->index != DEC_NOREG && !m->scale)
        r = m->index;
    else
        return;
    int sreg = -1;
    unsigned nstep = 0, swrites = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned w = jit_loop_dest(b, i);
        int s;
        if (w & (1u << r)) {
            if (!jit_loop_step(b, i, r, &s) || w != (1u << r) || s == (int)r)
                return;
            sreg = s;
            nstep++;
        }
        swrites |= w;
    }
    if (nstep != 1 || (sreg >= 0 && (swrites & (1u << sreg))))
        return;
    /* The copy lives in r15 (bound) and rbp (addend) from one iteration
     * to the next: the body's ALU rows must not need them as temporaries
     * (they do not when their flags are dead, emit_alu.c; moves never). */
    for (unsigned i = b->loop_k; i + 2 < n; i++)
        if (!b->flags_dead[i] && b->insns[i]->row != INSN_MOV_Ev_Gv &&
            b->insns[i]->row != INSN_MOV_Gv_Ev)
            return;
    b->lc_ind = true;
    b->lc_ind_reg = r;
    b->lc_step_reg = sreg;
}

void jit_loop_detect(BlockBuilder *b, unsigned n)
{
    b->loop = false;
    b->loop_cache = false;
    b->lc_ind = false;
    b->lc_refill = 0;
    if (n < 3 || !b->code32)
        return;
    const DecodedInsn *j = b->insns[n - 1], *p = b->insns[n - 2];
    if (!jit_row_jcc(j->row) || b->flags_dead[n - 2] || b->flags_defer[n - 2])
        return;
    uint32_t target = b->insn_next[n - 1] + j->imm;
    if (!j->o32)
        target &= 0xFFFF;
    int op = jit_loop_producer(p);
    if (target != b->insn_eip[0] || op < 0)
        return;
    unsigned reg = p->has_modrm ? p->rm : R_EAX;
    /* k: the first instruction that overwrites all flags. Before it,
     * the compared register must stay as it was (the flags are rebuilt
     * from it). */
    for (unsigned k = 0; k < n - 1; k++) {
        const DecodedInsn *d = b->insns[k];
        if (k == n - 2 || jit_flags_full_writer(d)) {
            b->loop = true;
            b->loop_k = k;
            b->loop_op = (unsigned)op;
            b->loop_imm = p->imm;
            b->loop_reg = reg;
            b->loop_cache = jit_loop_cache_ok(b, n, k);
            if (b->loop_cache)
                jit_loop_induction(b, n);
            return;
        }
        if (!jit_loop_prefix_ok(d) || (jit_loop_writes(d) & (1u << reg)))
            return;
    }
}

/* The register still holds what the compare left: CMP's first operand,
 * or SUB/ADD's result (whose first operand is the result -/+ imm). The
 * carry-less kinds need no result. */
void jit_emit_loop_flags(BlockBuilder *b)
{
    X64Asm *a = &b->a;
    int h = jit_hreg(b->loop_reg);
    int32_t imm = (int32_t)b->loop_imm;
    if (b->loop_op == ALU_CMP) {
        x64_emit_store(a, 4, x64_mem(JIT_REG_CPU, OFF_CC_OP1), h);
    } else {
        x64_emit_mov_rr(a, 4, X64_RAX, h);
        x64_emit_alu_ri(a, b->loop_op == ALU_ADD ? X64_SUB : X64_ADD, 4,
                        X64_RAX, imm);
        x64_emit_store(a, 4, x64_mem(JIT_REG_CPU, OFF_CC_OP1), X64_RAX);
    }
    x64_emit_store_imm(a, 4, x64_mem(JIT_REG_CPU, OFF_CC_OP2), imm);
    x64_emit_store_imm(a, 4, x64_mem(JIT_REG_CPU, OFF_CC_OP),
                       (int32_t)((b->loop_op == ALU_ADD ? CC_OP_ADDN8
                                                        : CC_OP_SUBN8) +
                                 cc_size_idx(4)));
}

/* The compare itself: host flags set, no stores. */
bool jit_emit_loop_producer(BlockBuilder *b)
{
    if (!b->loop || b->idx + 2 != b->ninsn)
        return false;
    X64Asm *a = &b->a;
    int h = jit_hreg(b->loop_reg);
    X64Alu op = b->loop_op == ALU_ADD   ? X64_ADD
                : b->loop_op == ALU_SUB ? X64_SUB
                                        : X64_CMP;
    x64_emit_alu_ri(a, op, 4, h, (int32_t)b->loop_imm);
    b->hf_at = b->idx + 1;
    b->fk = b->loop_op == ALU_ADD ? JIT_FK_ADD : JIT_FK_SUB;
    b->fk_size = 4;
    b->loop_pending = true;
    return true;
}

/* Before instruction k of the body: E0's path jumps over E1, which is
 * a budget check and instructions [0, k) again with the compare pending,
 * falling through into k. Records E1's offset in b->loop_entry. */
void jit_emit_loop_entry(BlockBuilder *b)
{
    X64Asm *a = &b->a;
    unsigned k = b->idx;
    size_t over = x64_emit_jmp_site(a);
    /* In a host micro-benchmark the sieve's marking loop ran 12 % slower
     * when its body crossed a 64-byte line of host code (a smaller loop
     * 1.6x slower): E1 starts a line (the padding is jumped over). */
    x64_emit_nop(a, (unsigned)(-x64_pc(a) & 63));
    b->loop_entry = a->len;
    x64_emit_alu_ri(a, X64_SUB, 8, JIT_REG_BUDGET, (int32_t)b->ninsn);
    b->idx = 0;
    b->eip = b->insn_eip[0];
    b->loop_pending = true;
    jit_emit_stub_jcc(b, X64_CC_L, JIT_STUB_BUDGET);
    /* The copies probe the same TLB slots as E0's (the same accesses in
     * the same order). */
    unsigned slots = b->lslot_next;
    b->lslot_next = 0;
    for (unsigned i = 0; i < k; i++) {
        b->idx = i;
        b->dcopy = b->insns[i];
        b->d = b->dcopy;
        b->eip = b->insn_eip[i];
        b->next_eip = b->insn_next[i];
        if (!jit_emit_mov(b))
            b->a.overflow = true; /* jit_loop_prefix_ok rows are inline */
        jit_emit_smc_tail(b);
    }
    b->lslot_next = slots;
    b->loop_pending = false;
    b->fk = JIT_FK_UNKNOWN;
    b->idx = k;
    x64_bind(a, over);
}

/*
 * TLB slots. In a self-loop block (unless its one access has the
 * induction form of the loop cache), each memory access on a flat
 * segment that the loop cache does not serve (up to TLB_NSLOT) keeps a copy
 * of the TLB entry it hit in its own slot, cpu->tlb.slot[i]: the page of
 * its first byte and the addend. The probe is then
 *     rax = lin - slot.page (64 bits); hit if rax <= 4096 - size
 * which also rejects an access crossing into the next page, and an
 * invalid slot (a page above 4 GB). Its addend load does not depend on
 * the address, so a load whose address comes from another load (a table
 * lookup) waits for one memory access instead of two. A miss refills the
 * slot from the TLB out of line (emit_mem.c), and a TLB miss there takes
 * the usual slow path.
 *
 * The slots hold only while the loop runs without C code in between
 * (C alone changes the TLB): the block's normal entry invalidates them
 * before its budget check, the back edge chains to that check instead
 * (lslot_entry), and every return from C inside the block (slow paths,
 * handler calls) invalidates them again.
 */
bool jit_lslots_detect(const BlockBuilder *b, unsigned n)
{
    if (n < 2 || !b->code32 || b->lc_ind)
        return false; /* the induction form serves its one access */
    const DecodedInsn *j = b->insns[n - 1];
    if (!jit_row_jcc(j->row) && j->row != INSN_JMP_Jb &&
        j->row != INSN_JMP_Jz)
        return false;
    uint32_t target = b->insn_next[n - 1] + j->imm;
    if (!j->o32)
        target &= 0xFFFF;
    if (target != b->insn_eip[0])
        return false;
    for (unsigned i = 0; i + 1 < n; i++) {
        const DecodedInsn *d = b->insns[i];
        if (d->has_modrm && d->mod != 3 && d->row != INSN_LEA_Gv_M)
            return true;
    }
    return false;
}

void jit_emit_lslots_invalidate(BlockBuilder *b)
{
    _Static_assert(TLB_SLOT_INVALID == (uint64_t)(int64_t)INT32_MIN,
                   "the invalid page is the sign-extended imm32");
    for (unsigned i = 0; i < TLB_NSLOT; i++)
        x64_emit_store_imm(&b->a, 8, x64_mem(JIT_REG_CPU, OFF_SLOT_PAGE(i)),
                           INT32_MIN);
}
