/*
 * emit_mem.c — effective addresses and guest memory accesses with the
 * inline software-TLB fast path.
 *
 * Fast path (segment marked fast in the block's mode bits, i.e. a present
 * expand-up writable data segment):
 *   limit:  offset + size - 1 <= seg.limit            (SDM vol. 3 5.3)
 *   lin  =  seg.base + offset
 *   e    =  &cpu->tlb.e[user][(lin >> 12) & 255]  (32-byte entries:
 *           byte offset (lin >> 7) & 0x1FE0, no multiply)
 *   hit  if ((lin + size - 1) & ~0xFFF) == e->tag   (also rejects an
 *           access that crosses into the next page)
 *   host =  lin + e->addend
 * On a flat segment the access first tries a copy of the entry it used
 * last (a site copy with its generation, a self-loop's slot, or the
 * induction form's copy: jit_emit_copy_probe, jit_emit_lcache_probe),
 * refilled out of
 * line by the probe above on a miss.
 * Anything else calls the reference tier's accessors (cpu_ld/cpu_st, or
 * op_rmw_begin/op_rmw_end for read-modify-write), which do the complete
 * segment and paging checks and raise the guest exception. Write entries
 * never exist for pages holding translated code, and no copy outlives a
 * page becoming code (the generation advances; a self-loop drops its
 * copies whenever C runs), so stores to code always take the slow path
 * and reach the SMC hook. Only the slow paths call C, so only they store
 * cpu->eip and spill the pinned registers.
 */
#include <stdint.h>

#include "frontend/exec.h"
#include "translator/jit_int.h"

void jit_emit_ea_to(BlockBuilder *b, int dst)
{
    X64Asm *a = &b->a;
    const DecodedInsn *d = b->d;
    int base = d->base != DEC_NOREG ? jit_hreg(d->base) : X64_NOREG;
    int index = d->index != DEC_NOREG ? jit_hreg(d->index) : X64_NOREG;
    if (base == X64_NOREG && index == X64_NOREG)
        x64_emit_mov_ri(a, 4, dst, d->disp);
    else if (index == X64_NOREG && d->disp == 0)
        x64_emit_mov_rr(a, 4, dst, base);
    else
        x64_emit_lea(a, 4, dst,
                     x64_mem_idx(base, index, 1u << d->scale,
                                 (int32_t)d->disp));
    if (!d->a32)
        x64_emit_movzx_rr(a, 4, 2, dst, dst);
}

void jit_emit_ea(BlockBuilder *b)
{
    jit_emit_ea_to(b, JIT_REG_EA);
}

/* ix = ((lin >> 12) & (TLB_SIZE - 1)) * sizeof(TlbEntry), the byte offset
 * of the TLB entry of the linear address in lin: (lin >> 7) & 0x7FE0. */
static void jit_emit_tlb_index(BlockBuilder *b, int ix, int lin)
{
    X64Asm *a = &b->a;
    _Static_assert(sizeof(TlbEntry) == 32,
                   "TLB entry offset is (lin >> 7) & ((TLB_SIZE - 1) * 32)");
    if (b->js->bmi2) {
        x64_emit_rorx(a, 4, ix, lin, 7);
    } else {
        x64_emit_mov_rr(a, 4, ix, lin);
        x64_emit_shift_ri(a, X64_SHR, 4, ix, 7);
    }
    x64_emit_alu_ri(a, X64_AND, 4, ix, (TLB_SIZE - 1) * 32);
}

/* The single memory access of an induction-form self-loop (loop.c), on
 * a flat segment (other self-loops' accesses use TLB slots). */
static bool jit_probe_lcache(const BlockBuilder *b, unsigned seg)
{
    return b->lc_ind && b->idx < b->loop_k && jit_seg_flat(b, seg);
}

/* eax = the page of the access's last byte (lin in r14). */
static void jit_emit_last_page(X64Asm *a, unsigned size)
{
    if (size > 1)
        x64_emit_lea(a, 4, X64_RAX, x64_mem(JIT_REG_EA, (int32_t)size - 1));
    else
        x64_emit_mov_rr(a, 4, X64_RAX, JIT_REG_EA);
    x64_emit_alu_ri(a, X64_AND, 4, X64_RAX, (int32_t)0xFFFFF000u);
}

/* The induction form's bound, after a refill from the TLB (lin in r14,
 * its page's addend in rbp): r15 = r + the bytes from lin to the last
 * start of a size-byte access on the page, so every r in [r, r15) maps
 * to the page. 0 (refill at every access) if the bound would come within
 * a step of 4 GB, or the step's register is not in [1, 4095]: r cannot
 * then pass the bound by wrapping. Clobbers rax and host flags. */
static void jit_emit_lcache_bound(BlockBuilder *b, unsigned size)
{
    X64Asm *a = &b->a;
    int end = JIT_REG_LEND;
    size_t bad[2] = { SIZE_MAX, SIZE_MAX };
    x64_emit_mov_rr(a, 4, X64_RAX, JIT_REG_EA);
    x64_emit_alu_ri(a, X64_AND, 4, X64_RAX, 0xFFF);
    x64_emit_mov_rr(a, 4, end, jit_hreg(b->lc_ind_reg));
    x64_emit_alu_rr(a, X64_SUB, 8, end, X64_RAX);
    x64_emit_alu_ri(a, X64_ADD, 8, end, 4097 - (int32_t)size);
    x64_emit_mov_ri(a, 4, X64_RAX, 0xFFFFF000u);
    x64_emit_alu_rr(a, X64_CMP, 8, end, X64_RAX);
    bad[0] = x64_emit_jcc8_site(a, X64_CC_A);
    if (b->lc_step_reg >= 0) {
        x64_emit_lea(a, 4, X64_RAX, x64_mem(jit_hreg((unsigned)b->lc_step_reg),
                                            -1));
        x64_emit_alu_ri(a, X64_CMP, 4, X64_RAX, 4094);
        bad[1] = x64_emit_jcc8_site(a, X64_CC_A);
    }
    size_t done = x64_emit_jmp8_site(a);
    for (unsigned i = 0; i < 2; i++)
        if (bad[i] != SIZE_MAX)
            x64_bind8(a, bad[i]);
    x64_emit_mov_ri(a, 4, end, 0);
    x64_bind8(a, done);
}

/* The start of a refill (bound at s->refill): does the TLB entry of lin
 * (r14, its byte offset into ix) map the access? Returns the site of
 * the short jump taken when not (to be bound before the slow path). */
static size_t jit_emit_refill_hit(BlockBuilder *b, const JitSlow *s, int ix)
{
    X64Asm *a = &b->a;
    int32_t tlb = OFF_TLB(b->user ? 1 : 0);
    x64_bind(a, s->refill);
    jit_emit_tlb_index(b, ix, JIT_REG_EA);
    jit_emit_last_page(a, s->size);
    x64_emit_alu_rm(a, X64_CMP, 4, X64_RAX,
                    x64_mem_idx(JIT_REG_CPU, ix, 1, tlb + s->tag_off));
    return x64_emit_jcc8_site(a, X64_CC_NE);
}

/* The induction form's refill: the TLB entry of lin (r14) if it maps the
 * access (the usual probe, indexed in r15), its addend into rbp and the
 * bound into r15, back to the probe's addend; else fall into the slow
 * path (which zeroes r15). */
static void jit_emit_lcache_ind_refill(BlockBuilder *b, const JitSlow *s,
                                       uintptr_t base)
{
    X64Asm *a = &b->a;
    int32_t tlb = OFF_TLB(b->user ? 1 : 0);
    int ix = JIT_REG_LEND;
    size_t miss = jit_emit_refill_hit(b, s, ix);
    x64_emit_load(a, 8, JIT_REG_LADD,
                  x64_mem_idx(JIT_REG_CPU, ix, 1,
                              tlb + (int32_t)offsetof(TlbEntry, addend)));
    jit_emit_lcache_bound(b, s->size);
    x64_emit_jmp(a, base + s->refill_resume);
    x64_bind8(a, miss);
}

/* Its probe in E1's copy of [0, k): r below the bound (r15) keeps lin
 * on the page whose addend is in rbp; else refill out of line
 * (jit_emit_lcache_ind_refill). */
static void jit_emit_lcache_probe(BlockBuilder *b, int tag_off,
                                  size_t site[2])
{
    X64Asm *a = &b->a;
    site[0] = site[1] = SIZE_MAX;
    x64_emit_alu_rr(a, X64_CMP, 4, jit_hreg(b->lc_ind_reg), JIT_REG_LEND);
    b->lc_refill = x64_emit_jcc_site(a, X64_CC_AE);
    b->lc_resume = a->len;
    b->lc_tag_off = tag_off;
    x64_emit_alu_rr(a, X64_ADD, 8, JIT_REG_EA, JIT_REG_LADD);
}

/* The probe of a copy of a TLB entry whose key is at key_off and its
 * addend 8 bytes after: a TLB slot of a self-loop (loop.c; key = the
 * page) or a site copy (key = page + the generation, gen):
 *     rax = lin [+ cpu->tlb.site_gen] - key (64 bits);
 *     hit if rax <= 4096 - size,
 * one compare for the page, all size bytes on it (no straddling), and
 * for a site the generation (an older copy is at least 2^32 off; an
 * invalid slot's page is above 4 GB). The addend's load does not depend
 * on the address. A miss refills the copy out of line
 * (jit_emit_copy_refill) and comes back to the addend. */
static void jit_emit_copy_probe(BlockBuilder *b, unsigned size, int tag_off,
                                int32_t key_off, bool gen, size_t site[2])
{
    X64Asm *a = &b->a;
    site[0] = site[1] = SIZE_MAX;
    x64_emit_mov_rr(a, 4, X64_RAX, JIT_REG_EA);
    if (gen)
        x64_emit_alu_rm(a, X64_ADD, 8, X64_RAX,
                        x64_mem(JIT_REG_CPU, OFF_SITE_GEN));
    x64_emit_alu_rm(a, X64_SUB, 8, X64_RAX, x64_mem(JIT_REG_CPU, key_off));
    x64_emit_alu_ri(a, X64_CMP, 8, X64_RAX, 4096 - (int32_t)size);
    b->lc_refill = x64_emit_jcc_site(a, X64_CC_A);
    b->lc_resume = a->len;
    b->lc_tag_off = tag_off;
    b->copy_key = key_off;
    b->copy_gen = gen;
    x64_emit_alu_rm(a, X64_ADD, 8, JIT_REG_EA,
                    x64_mem(JIT_REG_CPU, key_off + 8));
}

/* The next site copy for an access of this block's privilege and of
 * this kind (the parts of cpu->tlb.site), round-robin. */
static int32_t jit_site_key(BlockBuilder *b, int tag_off)
{
    unsigned part = (b->user ? 2u : 0u) +
                    (tag_off == (int)offsetof(TlbEntry, tag_write));
    unsigned i = part * TLB_SITE_PART +
                 b->js->site_next[part]++ % TLB_SITE_PART;
    return OFF_SITE_KEY(i);
}

/* Limit check, linear address and TLB probe (clobbers rax, rbp and host
 * flags). On a hit r14 = host address (never 0); on a miss the returned
 * sites jump to the slow path with r14 = the offset still. */
static void jit_emit_tlb_probe(BlockBuilder *b, unsigned seg, unsigned size,
                               int tag_off, size_t site[2])
{
    X64Asm *a = &b->a;
    int32_t tlb = OFF_TLB(b->user ? 1 : 0);
    int ix = JIT_REG_OP2;
    bool flat = jit_seg_flat(b, seg);
    if (jit_probe_lcache(b, seg)) {
        if (b->loop_pending) {
            jit_emit_lcache_probe(b, tag_off, site);
            return;
        }
        /* Induction form, E0: the usual probe; a zero bound makes E1's
         * first iteration refill the copy. */
        x64_emit_mov_ri(a, 4, JIT_REG_LEND, 0);
    }
    _Static_assert(sizeof b->cpu->tlb.slot[0] == 16 &&
                       sizeof b->cpu->tlb.site[0] == 16,
                   "OFF_SLOT_PAGE, OFF_SITE_KEY: addend at key + 8");
    if (b->lslots && flat && b->lslot_next < TLB_NSLOT) {
        jit_emit_copy_probe(b, size, tag_off,
                            OFF_SLOT_PAGE(b->lslot_next++), false, site);
        return;
    }
    if (flat && !b->js->no_sites) {
        jit_emit_copy_probe(b, size, tag_off, jit_site_key(b, tag_off), true,
                            site);
        return;
    }
    site[0] = site[1] = SIZE_MAX;
    if (!flat) {
        /* Base 0, limit 4 GB needs no check: an access wrapping past
         * 4 GB misses the TLB compare below and takes the slow path.
         * Otherwise a 64-bit compare, so that wrapping fails too. */
        if (size == 1) {
            x64_emit_alu_rm(a, X64_CMP, 4, JIT_REG_EA,
                            x64_mem(JIT_REG_CPU, OFF_SEG_LIMIT(seg)));
        } else {
            x64_emit_lea(a, 8, X64_RAX,
                         x64_mem(JIT_REG_EA, (int32_t)size - 1));
            x64_emit_load(a, 4, ix, x64_mem(JIT_REG_CPU, OFF_SEG_LIMIT(seg)));
            x64_emit_alu_rr(a, X64_CMP, 8, X64_RAX, ix);
        }
        site[0] = x64_emit_jcc_site(a, X64_CC_A);
        x64_emit_load(a, 4, X64_RAX, x64_mem(JIT_REG_CPU, OFF_SEG_BASE(seg)));
        x64_emit_alu_rr(a, X64_ADD, 4, X64_RAX, JIT_REG_EA);
        jit_emit_tlb_index(b, ix, X64_RAX);
        if (size > 1)
            x64_emit_alu_ri(a, X64_ADD, 4, X64_RAX, (int32_t)size - 1);
        x64_emit_alu_ri(a, X64_AND, 4, X64_RAX, (int32_t)0xFFFFF000u);
    } else {
        jit_emit_tlb_index(b, ix, JIT_REG_EA);
        jit_emit_last_page(a, size);
    }
    /* Index by the first byte, compare the page of the last (eax =
     * the page of lin + size - 1; an access crossing a page misses). */
    x64_emit_alu_rm(a, X64_CMP, 4, X64_RAX,
                    x64_mem_idx(JIT_REG_CPU, ix, 1, tlb + tag_off));
    site[1] = x64_emit_jcc_site(a, X64_CC_NE);
    if (!flat)
        x64_emit_alu_rm(a, X64_ADD, 4, JIT_REG_EA,
                        x64_mem(JIT_REG_CPU, OFF_SEG_BASE(seg)));
    x64_emit_alu_rm(a, X64_ADD, 8, JIT_REG_EA,
                    x64_mem_idx(JIT_REG_CPU, ix, 1,
                                tlb + (int32_t)offsetof(TlbEntry, addend)));
}

static void jit_emit_host_load(X64Asm *a, unsigned size, X64Mem m)
{
    if (size == 4)
        x64_emit_load(a, 4, X64_RAX, m);
    else
        x64_emit_movzx_load(a, 4, size, X64_RAX, m);
}

static void jit_emit_slow_load(BlockBuilder *b, unsigned seg, unsigned size,
                               bool rmw)
{
    X64Asm *a = &b->a;
    if (b->pend)
        jit_emit_pending_flags(b, b->pend_op, b->pend_count);
    if (b->loop_pending)
        jit_emit_loop_flags(b);
    jit_emit_call_begin(b);
    x64_emit_mov_rr(a, 8, X64_RDI, JIT_REG_CPU);
    if (rmw) {
        x64_emit_mov_ri(a, 8, X64_RSI, (uintptr_t)b->dcopy);
        x64_emit_mov_ri(a, 4, X64_RDX, size);
        x64_emit_mov_rr(a, 8, X64_RCX, X64_RSP);
        jit_emit_helper_call(b, (uintptr_t)jit_helper_rmw_ld);
        x64_emit_alu_rr(a, X64_XOR, 4, JIT_REG_EA, JIT_REG_EA);
    } else {
        x64_emit_mov_ri(a, 4, X64_RSI, seg);
        x64_emit_mov_rr(a, 4, X64_RDX, JIT_REG_EA);
        x64_emit_mov_ri(a, 4, X64_RCX, size);
        jit_emit_helper_call(b, (uintptr_t)jit_helper_ld);
    }
    jit_emit_call_end(b);
}

/* Record a slow path to be emitted after the body, resuming here. */
static JitSlow *jit_defer_slow(BlockBuilder *b, const size_t site[2],
                               unsigned seg, unsigned size, bool rmw)
{
    if (b->nslows >= JIT_MAX_STUBS) {
        b->a.overflow = true; /* cannot happen with the insn limit */
        return NULL;
    }
    JitSlow *s = &b->slows[b->nslows++];
    *s = (JitSlow){ { site[0], site[1] }, b->a.len, b->dcopy, b->eip,
                    b->next_eip, b->idx, (uint8_t)seg, (uint8_t)size,
                    false, rmw, false, false, false, 0, b->pend, b->pend_op,
                    b->pend_count, b->loop_pending, -1, false,
                    jit_probe_lcache(b, seg), b->lc_refill, b->lc_resume,
                    b->lc_tag_off, b->copy_key, b->copy_gen };
    b->lc_refill = 0;
    b->copy_key = 0;
    return s;
}

/* dst = eax extended from size bytes (after a slow-path load). */
static void jit_emit_extend(X64Asm *a, unsigned size, int dst, bool sign)
{
    if (size == 4)
        x64_emit_mov_rr(a, 4, dst, X64_RAX);
    else if (sign)
        x64_emit_movsx_rr(a, 4, size, dst, X64_RAX);
    else
        x64_emit_movzx_rr(a, 4, size, dst, X64_RAX);
}

void jit_emit_load_to(BlockBuilder *b, unsigned seg, unsigned size, int dst,
                      bool sign)
{
    X64Asm *a = &b->a;
    if (!jit_seg_fast(b, seg)) {
        jit_emit_slow_load(b, seg, size, false);
        jit_emit_extend(a, size, dst, sign);
        return;
    }
    size_t slow[2];
    jit_emit_tlb_probe(b, seg, size, (int)offsetof(TlbEntry, tag_read),
                       slow);
    X64Mem m = x64_mem(JIT_REG_EA, 0);
    if (size == 4)
        x64_emit_load(a, 4, dst, m);
    else if (sign)
        x64_emit_movsx_load(a, 4, size, dst, m);
    else
        x64_emit_movzx_load(a, 4, size, dst, m);
    JitSlow *s = jit_defer_slow(b, slow, seg, size, false);
    if (s) {
        s->dst = (int8_t)dst;
        s->sign = sign;
    }
}

void jit_emit_load(BlockBuilder *b, unsigned seg, unsigned size, bool rmw)
{
    X64Asm *a = &b->a;
    if (!jit_seg_fast(b, seg)) {
        jit_emit_slow_load(b, seg, size, rmw);
        return;
    }
    size_t slow[2];
    int tag = rmw ? (int)offsetof(TlbEntry, tag_write)
                  : (int)offsetof(TlbEntry, tag_read);
    jit_emit_tlb_probe(b, seg, size, tag, slow);
    jit_emit_host_load(a, size, x64_mem(JIT_REG_EA, 0));
    jit_defer_slow(b, slow, seg, size, rmw);
}

/* Only the slow path can write guest code (no write TLB entry exists for
 * a code page): it leaves r14 = 0, and the end of the instruction checks
 * for an invalidation only then (jit_emit_smc_tail). A store that ends
 * the block (CALL's push) needs no check: its exit returns to the
 * dispatcher or to a block that an invalidation would have unchained. */
static void jit_emit_slow_store(BlockBuilder *b, unsigned seg, unsigned size,
                                bool rmw)
{
    X64Asm *a = &b->a;
    if (b->pend)
        jit_emit_pending_flags(b, b->pend_op, b->pend_count);
    if (b->loop_pending)
        jit_emit_loop_flags(b);
    jit_emit_call_begin(b);
    x64_emit_mov_rr(a, 8, X64_RDI, JIT_REG_CPU);
    if (rmw) {
        x64_emit_mov_ri(a, 8, X64_RSI, (uintptr_t)b->dcopy);
        x64_emit_mov_ri(a, 4, X64_RDX, size);
        x64_emit_mov_rr(a, 8, X64_RCX, X64_RSP);
        x64_emit_mov_rr(a, 4, X64_R8, JIT_REG_VAL);
        jit_emit_helper_call(b, (uintptr_t)jit_helper_rmw_st);
    } else {
        x64_emit_mov_ri(a, 4, X64_RSI, seg);
        x64_emit_mov_rr(a, 4, X64_RDX, JIT_REG_EA);
        x64_emit_mov_rr(a, 4, X64_RCX, JIT_REG_VAL);
        x64_emit_mov_ri(a, 4, X64_R8, size);
        jit_emit_helper_call(b, (uintptr_t)jit_helper_st);
    }
    jit_emit_call_end(b);
}

void jit_emit_smc_tail(BlockBuilder *b)
{
    X64Asm *a = &b->a;
    if (!b->smc_tail)
        return;
    b->smc_tail = false;
    x64_emit_test_rr(a, 8, JIT_REG_EA, JIT_REG_EA);
    size_t fast = x64_emit_jcc8_site(a, X64_CC_NE);
    jit_emit_smc_check(b);
    x64_bind8(a, fast);
}

/* After the slow store: leave at the next instruction on SMC when the
 * store ends its instruction, else mark it (r14 = 0) for the tail. */
static void jit_emit_slow_store_smc(BlockBuilder *b, bool here)
{
    if (here)
        jit_emit_smc_check(b);
    else
        x64_emit_alu_rr(&b->a, X64_XOR, 4, JIT_REG_EA, JIT_REG_EA);
}

void jit_emit_store(BlockBuilder *b, unsigned seg, unsigned size, bool rmw)
{
    X64Asm *a = &b->a;
    size_t slow[2] = { SIZE_MAX, SIZE_MAX };
    bool check = !b->store_ends, here = check && b->store_last;
    if (rmw) {
        /* r14 = host address from the fast-path load, 0 after the slow. */
        x64_emit_test_rr(a, 8, JIT_REG_EA, JIT_REG_EA);
        slow[0] = x64_emit_jcc_site(a, X64_CC_E);
        x64_emit_store(a, size, x64_mem(JIT_REG_EA, 0), JIT_REG_VAL);
    } else if (jit_seg_fast(b, seg)) {
        jit_emit_tlb_probe(b, seg, size,
                           (int)offsetof(TlbEntry, tag_write), slow);
        if (b->store_is_imm)
            x64_emit_store_imm(a, size, x64_mem(JIT_REG_EA, 0),
                               (int32_t)b->store_imm);
        else
            x64_emit_store(a, size, x64_mem(JIT_REG_EA, 0), JIT_REG_VAL);
    } else {
        if (b->store_is_imm)
            x64_emit_mov_ri(a, 4, JIT_REG_VAL, b->store_imm);
        jit_emit_slow_store(b, seg, size, rmw);
        if (check)
            jit_emit_slow_store_smc(b, here);
        b->smc_tail |= check && !here;
        return;
    }
    JitSlow *s = jit_defer_slow(b, slow, seg, size, rmw);
    if (s) {
        s->store = true;
        s->check = check;
        s->smc_here = here;
        s->is_imm = b->store_is_imm && !rmw;
        s->imm = b->store_imm;
    }
    b->smc_tail |= check && !here;
}

/* A copy's refill (slot or site, jit_emit_copy_probe): the usual TLB
 * probe of lin (r14); on a hit the copy takes the page (+ the
 * generation for a site) and the addend, and the probe's addend
 * follows; else fall into the slow path (whose return from C
 * invalidates a self-loop's slots). */
static void jit_emit_copy_refill(BlockBuilder *b, const JitSlow *s,
                                 uintptr_t base)
{
    X64Asm *a = &b->a;
    int32_t tlb = OFF_TLB(b->user ? 1 : 0);
    int ix = JIT_REG_OP2;
    size_t miss = jit_emit_refill_hit(b, s, ix);
    x64_emit_mov_rr(a, 4, X64_RAX, JIT_REG_EA);
    x64_emit_alu_ri(a, X64_AND, 4, X64_RAX, (int32_t)0xFFFFF000u);
    if (s->copy_gen)
        x64_emit_alu_rm(a, X64_ADD, 8, X64_RAX,
                        x64_mem(JIT_REG_CPU, OFF_SITE_GEN));
    x64_emit_store(a, 8, x64_mem(JIT_REG_CPU, s->copy_key), X64_RAX);
    x64_emit_load(a, 8, X64_RAX,
                  x64_mem_idx(JIT_REG_CPU, ix, 1,
                              tlb + (int32_t)offsetof(TlbEntry, addend)));
    x64_emit_store(a, 8, x64_mem(JIT_REG_CPU, s->copy_key + 8), X64_RAX);
    x64_emit_jmp(a, base + s->refill_resume);
    x64_bind8(a, miss);
}

void jit_emit_slow_paths(BlockBuilder *b)
{
    X64Asm *a = &b->a;
    uintptr_t base = x64_pc(a) - a->len;
    for (unsigned i = 0; i < b->nslows; i++) {
        const JitSlow *s = &b->slows[i];
        for (int k = 0; k < 2; k++)
            if (s->site[k] != SIZE_MAX)
                x64_bind(a, s->site[k]);
        b->dcopy = s->dcopy;
        b->d = s->dcopy;
        b->eip = s->eip;
        b->next_eip = s->next_eip;
        b->idx = s->idx;
        b->pend = s->pend;
        b->pend_op = s->pend_op;
        b->pend_count = s->pend_count;
        b->loop_pending = s->loopflags;
        if (s->copy_key) {
            jit_emit_copy_refill(b, s, base);
        } else if (s->refill) {
            jit_emit_lcache_ind_refill(b, s, base);
        }
        if (s->lcache)
            x64_emit_mov_ri(a, 4, JIT_REG_LEND, 0); /* refill after C */
        if (s->store) {
            if (s->is_imm)
                x64_emit_mov_ri(a, 4, JIT_REG_VAL, s->imm);
            jit_emit_slow_store(b, s->seg, s->size, s->rmw);
            if (s->check)
                jit_emit_slow_store_smc(b, s->smc_here);
        } else {
            jit_emit_slow_load(b, s->seg, s->size, s->rmw);
            if (s->dst >= 0)
                jit_emit_extend(a, s->size, s->dst, s->sign);
        }
        x64_emit_jmp(a, base + s->resume);
    }
    b->pend = false;
    b->loop_pending = false;
}
