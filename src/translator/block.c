/*
 * block.c — translates one guest basic block into host code.
 *
 * Block layout (docs/JIT.md):
 *   entry:  r12 (budget) -= ninsn; if negative: refund, leave at EIP
 *           (a kick set by a helper zeroes r12 in the fill trampoline)
 *   body:   per guest instruction, an inline fast path (emit_*.c) or a
 *           direct call to the reference tier's handler exec_*(cpu, d)
 *           with a copy of the DecodedInsn kept in side memory
 *   exits:  `jmp rel32` per direct successor (patched by chaining),
 *           or the indirect-branch lookup, or a return to the dispatcher
 *   stubs:  out-of-line exits for mid-block leaves (mode change, SMC)
 * Guest registers are pinned in host registers (emit_reg.c). Only C
 * code can raise a guest exception, and every call into C first stores
 * cpu->eip, the pinned registers, the budget and cc->cur_tb (spill), so
 * a longjmp from cpu_raise() leaves the guest exactly at the faulting
 * instruction; the per-block boundary table then tells how many
 * instructions retired (jit.c).
 */
#include <string.h>

#include "frontend/cpu_mem.h"
#include "frontend/exec.h"
#include "frontend/mmu.h"
#include "machine/vm.h"
#include "translator/jit_int.h"

/* Mode bits of the current CPU state. A segment may use the inline fast
 * path when present, usable, expand-up writable data (SDM vol. 3 section
 * 3.4.5.1), and is flat with base 0 and a 4 GB limit; anything else goes
 * through cpu_ld/cpu_st, which do the full checks. Branch-free: this runs
 * at every dispatch and after every INT/IRET. */
static inline uint32_t jit_seg_bits(const CPUState *cpu, unsigned s)
{
    /* Scalar loads: INT/IRET have just stored these fields one by one, and
     * a wider load spanning several stores would stall store forwarding. */
    const SegCache *sc = &cpu->seg[s];
    const uint32_t want = SEG_ATTR_P | SEG_ATTR_S | 0x2;
    const uint32_t bits = want | SEG_ATTR_UNUSABLE | 0xC;
    uint32_t fast = (sc->attr & bits) == want;
    uint32_t flat = fast & ((sc->base | ~sc->limit) == 0);
    return fast << (JIT_F_FASTSEG_SHIFT + s) |
           flat << (JIT_F_FLATSEG_SHIFT + s);
}

uint32_t jit_mode_flags(const CPUState *cpu)
{
    uint32_t f = cpu->cpl & JIT_F_CPL;
    f |= cpu->code32 ? JIT_F_CODE32 : 0;
    f |= cpu->stack32 ? JIT_F_STACK32 : 0;
    f |= cpu->pe ? JIT_F_PE : 0;
    f |= cpu->vm86 ? JIT_F_VM86 : 0;
    f |= cpu->paging ? JIT_F_PAGING : 0;
    return f | jit_seg_bits(cpu, SEG_ES) | jit_seg_bits(cpu, SEG_SS) |
           jit_seg_bits(cpu, SEG_DS) | jit_seg_bits(cpu, SEG_FS) |
           jit_seg_bits(cpu, SEG_GS);
}

uint32_t jit_mode_flags_xfer(const CPUState *cpu, uint32_t prev)
{
    /* PE, paging and VM86 (clear before and after a fast path) kept. */
    const uint32_t data = (1u << SEG_ES | 1u << SEG_DS | 1u << SEG_FS |
                           1u << SEG_GS);
    const uint32_t keep = data << JIT_F_FASTSEG_SHIFT |
                          data << JIT_F_FLATSEG_SHIFT | JIT_F_PE |
                          JIT_F_VM86 | JIT_F_PAGING;
    uint32_t f = cpu->cpl & JIT_F_CPL;
    f |= cpu->code32 ? JIT_F_CODE32 : 0;
    f |= cpu->stack32 ? JIT_F_STACK32 : 0;
    return f | jit_seg_bits(cpu, SEG_SS) | (prev & keep);
}

bool jit_seg_flat(const BlockBuilder *b, unsigned seg)
{
    return seg < SEG_COUNT &&
           (b->flags & (1u << (JIT_F_FLATSEG_SHIFT + seg))) != 0;
}

bool jit_seg_fast(const BlockBuilder *b, unsigned seg)
{
    return seg < SEG_COUNT &&
           (b->flags & (1u << (JIT_F_FASTSEG_SHIFT + seg))) != 0;
}

static void jit_emit_spill_regs(X64Asm *a)
{
    for (unsigned n = 0; n < 8; n++)
        x64_emit_store(a, 4, x64_mem(JIT_REG_CPU, OFF_REG(n)), jit_hreg(n));
}

static void jit_emit_fill_regs(X64Asm *a)
{
    for (unsigned n = 0; n < 8; n++)
        x64_emit_load(a, 4, jit_hreg(n), x64_mem(JIT_REG_CPU, OFF_REG(n)));
}

/* The jump-cache probe of near indirect branches in blocks with a flat
 * CS (JitState.jc_probe): eax = target EIP (already in cpu->eip), ebp =
 * the block's mode bits, r13 = the block. The entry for EIP
 * (codecache.h CCJump) must have these mode bits (same CS, same mode:
 * the same key but for the physical address) and the TLB code entry of
 * the target page, in the TLB of `user`, must map EIP to the entry's
 * host address (the page the block was translated from, as
 * jit_lookup_flags checks); then it jumps to the block. Otherwise it
 * spills and calls jit_helper_lookup. Uses r14, r15, rbp (free at an
 * exit) and host flags. */
static void jit_emit_jc_probe(JitState *js, X64Asm *a, unsigned user)
{
    size_t miss[4];
    int ent = JIT_REG_EA, t = JIT_REG_OP1;
    x64_emit_mov_rr(a, 4, ent, X64_RAX);
    x64_emit_shift_ri(a, X64_SHR, 4, ent, CC_JMP_CACHE_BITS);
    x64_emit_alu_rr(a, X64_XOR, 4, ent, X64_RAX);
    x64_emit_alu_ri(a, X64_AND, 4, ent, (1 << CC_JMP_CACHE_BITS) - 1);
    x64_emit_shift_ri(a, X64_SHL, 4, ent, 5);
    x64_emit_mov_ri(a, 8, t, (uintptr_t)js->cc->jmp_cache);
    x64_emit_alu_rr(a, X64_ADD, 8, ent, t);
    x64_emit_alu_rm(a, X64_CMP, 4, X64_RAX,
                    x64_mem(ent, (int32_t)offsetof(CCJump, eip)));
    miss[0] = x64_emit_jcc8_site(a, X64_CC_NE);
    x64_emit_alu_rm(a, X64_CMP, 4, JIT_REG_OP2,
                    x64_mem(ent, (int32_t)offsetof(CCJump, flags)));
    miss[1] = x64_emit_jcc8_site(a, X64_CC_NE);
    /* TLB entry of the target page: (lin >> 12) * 32 (emit_mem.c). */
    int32_t tlb = OFF_TLB(user);
    x64_emit_mov_rr(a, 4, JIT_REG_OP2, X64_RAX);
    x64_emit_shift_ri(a, X64_SHR, 4, JIT_REG_OP2, 7);
    x64_emit_alu_ri(a, X64_AND, 4, JIT_REG_OP2, (TLB_SIZE - 1) << 5);
    x64_emit_mov_rr(a, 4, t, X64_RAX);
    x64_emit_alu_ri(a, X64_AND, 4, t, (int32_t)~0xFFFu);
    x64_emit_alu_rm(a, X64_CMP, 4, t,
                    x64_mem_idx(JIT_REG_CPU, JIT_REG_OP2, 1,
                                tlb + (int32_t)offsetof(TlbEntry, tag_code)));
    miss[2] = x64_emit_jcc8_site(a, X64_CC_NE);
    x64_emit_load(a, 8, t,
                  x64_mem_idx(JIT_REG_CPU, JIT_REG_OP2, 1,
                              tlb + (int32_t)offsetof(TlbEntry, addend)));
    x64_emit_alu_rr(a, X64_ADD, 8, t, X64_RAX);
    x64_emit_alu_rm(a, X64_CMP, 8, t,
                    x64_mem(ent, (int32_t)offsetof(CCJump, host)));
    miss[3] = x64_emit_jcc8_site(a, X64_CC_NE);
    x64_emit_jmp_m(a, x64_mem(ent, (int32_t)offsetof(CCJump, code)));
    for (unsigned i = 0; i < 4; i++)
        x64_bind8(a, miss[i]);
    x64_emit_mov_rr(a, 8, X64_RAX, JIT_REG_VAL);
    x64_emit_call(a, js->spill);
    x64_emit_mov_rr(a, 8, X64_RDI, JIT_REG_CPU);
    x64_emit_mov_ri(a, 8, X64_RSI, (uintptr_t)js->cc);
    x64_emit_call(a, (uintptr_t)jit_helper_lookup);
    x64_emit_call(a, js->fill);
    x64_emit_jmp_r(a, X64_RAX);
}

/* Trampolines: enter(cpu, cc, code) saves the callee-saved registers,
 * keeps rsp 16-byte aligned for helper calls (the 8-byte pad at [rsp] is
 * a scratch slot for helpers' out-parameters), loads the budget and the
 * pinned guest registers and jumps to the block. The exit path stores
 * them back. spill/fill are called around helper calls. */
void jit_emit_trampolines(JitState *js)
{
    CodeCache *cc = js->cc;
    size_t avail;
    uint8_t *p = cc_code_begin(cc, &avail);
    X64Asm a;
    x64_init(&a, p, avail, cc_exec_delta(cc));
    cc_begin_write(cc);
    js->enter = x64_pc(&a);
    x64_emit_push(&a, X64_RBP);
    x64_emit_push(&a, X64_RBX);
    x64_emit_push(&a, X64_R12);
    x64_emit_push(&a, X64_R13);
    x64_emit_push(&a, X64_R14);
    x64_emit_push(&a, X64_R15);
    x64_emit_alu_ri(&a, X64_SUB, 8, X64_RSP, 8);
    x64_emit_mov_rr(&a, 8, JIT_REG_CPU, X64_RDI);
    x64_emit_load(&a, 8, JIT_REG_BUDGET, x64_mem(X64_RSI, OFF_CC_BUDGET));
    x64_emit_mov_rr(&a, 8, X64_RAX, X64_RDX);
    jit_emit_fill_regs(&a);
    x64_emit_jmp_r(&a, X64_RAX);
    js->exit0 = x64_pc(&a);
    x64_emit_alu_rr(&a, X64_XOR, 4, X64_RAX, X64_RAX);
    js->epilogue = x64_pc(&a);
    jit_emit_spill_regs(&a);
    x64_emit_mov_ri(&a, 8, X64_RDX, (uintptr_t)cc);
    x64_emit_store(&a, 8, x64_mem(X64_RDX, OFF_CC_BUDGET), JIT_REG_BUDGET);
    x64_emit_alu_ri(&a, X64_ADD, 8, X64_RSP, 8);
    x64_emit_pop(&a, X64_R15);
    x64_emit_pop(&a, X64_R14);
    x64_emit_pop(&a, X64_R13);
    x64_emit_pop(&a, X64_R12);
    x64_emit_pop(&a, X64_RBX);
    x64_emit_pop(&a, X64_RBP);
    x64_emit_ret(&a);
    /* spill: rax = the running block (for fault recovery, jit.c). */
    js->spill = x64_pc(&a);
    jit_emit_spill_regs(&a);
    x64_emit_mov_ri(&a, 8, X64_RDX, (uintptr_t)cc);
    x64_emit_store(&a, 8, x64_mem(X64_RDX, OFF_CC_BUDGET), JIT_REG_BUDGET);
    x64_emit_store(&a, 8, x64_mem(X64_RDX, OFF_CC_CUR_TB), X64_RAX);
    x64_emit_ret(&a);
    /* fill: cpu->kick can only be set by C code (devices run inside
     * helpers; nothing is asynchronous), so it is checked here rather
     * than at every block entry. A kick parks the budget: r12 is added to
     * js->parked_budget and zeroed, so the next block entry leaves
     * through its budget stub; the dispatcher adds it back (jit.c). */
    js->fill = x64_pc(&a);
    x64_emit_alu_mi(&a, X64_CMP, 4, x64_mem(JIT_REG_CPU, OFF_KICK), 0);
    size_t park = x64_emit_jcc8_site(&a, X64_CC_NE);
    size_t load = a.len;
    jit_emit_fill_regs(&a);
    x64_emit_ret(&a);
    x64_bind8(&a, park);
    x64_emit_mov_ri(&a, 8, X64_RDX, (uintptr_t)&js->parked_budget);
    x64_emit_alu_mr(&a, X64_ADD, 8, x64_mem(X64_RDX, 0), JIT_REG_BUDGET);
    x64_emit_alu_rr(&a, X64_XOR, 4, JIT_REG_BUDGET, JIT_REG_BUDGET);
    x64_emit_jmp(&a, x64_pc(&a) - a.len + load);
    jit_emit_cond_trampolines(js, &a);
    for (unsigned user = 0; user < 2; user++) {
        js->jc_probe[user] = x64_pc(&a);
        jit_emit_jc_probe(js, &a, user);
    }
    cc_end_write(cc);
    cc_code_commit(cc, a.len);
    if (js->perf_map) {
        fprintf(js->perf_map, "%" PRIxPTR " %zx x86bt_trampolines\n",
                js->enter, a.len);
        fflush(js->perf_map);
    }
}

void jit_emit_store_eip(BlockBuilder *b)
{
    x64_emit_store_imm(&b->a, 4, x64_mem(JIT_REG_CPU, OFF_EIP),
                       (int32_t)b->eip);
}

void jit_emit_call_begin(BlockBuilder *b)
{
    jit_emit_store_eip(b);
    x64_emit_mov_ri(&b->a, 8, X64_RAX, (uintptr_t)b->tb);
    x64_emit_call(&b->a, b->js->spill);
}

void jit_emit_helper_call(BlockBuilder *b, uintptr_t fn)
{
    x64_emit_call(&b->a, fn);
}

void jit_emit_call_end(BlockBuilder *b)
{
    x64_emit_call(&b->a, b->js->fill);
    if (b->lslots)
        jit_emit_lslots_invalidate(b); /* C may have changed the TLB */
}

/* The reference handler of the current row, called in full as the
 * interpreter would: next EIP set, exec_*(cpu, d), registers reloaded. */
void jit_emit_row_handler_call(BlockBuilder *b)
{
    X64Asm *a = &b->a;
    x64_emit_store_imm(a, 4, x64_mem(JIT_REG_CPU, OFF_NEXT_EIP),
                       (int32_t)b->next_eip);
    jit_emit_call_begin(b);
    x64_emit_mov_rr(a, 8, X64_RDI, JIT_REG_CPU);
    x64_emit_mov_ri(a, 8, X64_RSI, (uintptr_t)b->dcopy);
    jit_emit_helper_call(b, (uintptr_t)insn_rows[b->d->row].handler);
    jit_emit_call_end(b);
}

/* A conditional jump to an out-of-line exit; the stub itself is emitted
 * after the body, when the block's instruction count is known. */
void jit_emit_stub_jcc(BlockBuilder *b, X64Cond cc, JitStubKind kind)
{
    size_t site = x64_emit_jcc_site(&b->a, cc);
    if (b->nstubs >= JIT_MAX_STUBS) {
        b->a.overflow = true; /* cannot happen with the insn limit */
        return;
    }
    uint32_t eip = kind == JIT_STUB_AFTER ? b->next_eip : b->eip;
    b->stubs[b->nstubs++] = (JitStub){ site, kind, eip, b->idx,
                                       b->loop_pending };
}

/* Does a direct exit to `target` need a page guard (CCExit.guard): with
 * paging on, a target on another linear page than the block may be
 * remapped while the chain exists. */
static bool jit_exit_guarded(const BlockBuilder *b, uint32_t target)
{
    uint32_t base = b->cpu->seg[SEG_CS].base;
    return (b->flags & JIT_F_PAGING) &&
           ((base + target) >> 12) != ((base + b->insn_eip[0]) >> 12);
}

/* The guard of a cross-page exit: the TLB code entry of the target page
 * (a constant index in the array of the block's privilege) must have the
 * page's tag and the addend the chain was made under (the imm64, patched
 * by cc_chain_guarded). Both mismatches jump to miss[0..1]; returns the
 * offset of the imm64. Clobbers rax and host flags (dead at an exit). */
static size_t jit_emit_page_guard(BlockBuilder *b, uint32_t target,
                                  size_t miss[2])
{
    X64Asm *a = &b->a;
    uint32_t lin = b->cpu->seg[SEG_CS].base + target;
    int32_t ent = OFF_TLB(b->user) +
                  (int32_t)(((lin >> 12) & (TLB_SIZE - 1)) * sizeof(TlbEntry));
    x64_emit_alu_mi(a, X64_CMP, 4,
                    x64_mem(JIT_REG_CPU,
                            ent + (int32_t)offsetof(TlbEntry, tag_code)),
                    (int32_t)(lin & ~0xFFFu));
    miss[0] = x64_emit_jcc_site(a, X64_CC_NE);
    size_t guard = x64_emit_movabs_site(a, X64_RAX, 0);
    x64_emit_alu_rm(a, X64_CMP, 8, X64_RAX,
                    x64_mem(JIT_REG_CPU,
                            ent + (int32_t)offsetof(TlbEntry, addend)));
    miss[1] = x64_emit_jcc_site(a, X64_CC_NE);
    return guard;
}

/* The stub of a chainable exit whose rel32 field is at `site`: it stores
 * EIP and returns (tb | slot) to the dispatcher, which may patch the
 * rel32 to the successor block (chain.c). A cross-page exit first goes
 * through its guard (jit_emit_page_guard), whose jmp rel32 is then the
 * patched site; site SIZE_MAX: the guard is emitted here, inline. */
void jit_emit_exit_stub(BlockBuilder *b, unsigned slot, uint32_t target,
                        size_t site)
{
    X64Asm *a = &b->a;
    CCExit *e = &b->tb->exit[slot];
    size_t miss[2] = { SIZE_MAX, SIZE_MAX };
    e->guard = 0;
    if (jit_exit_guarded(b, target)) {
        if (site != SIZE_MAX)
            x64_bind(a, site);
        e->guard = (uint32_t)jit_emit_page_guard(b, target, miss);
        site = x64_emit_jmp_site(a);
    }
    size_t stub = a->len;
    x64_bind(a, site);
    for (unsigned i = 0; i < 2; i++)
        if (miss[i] != SIZE_MAX)
            x64_bind(a, miss[i]);
    if (b->loop_pending)
        jit_emit_loop_flags(b);
    x64_emit_store_imm(a, 4, x64_mem(JIT_REG_CPU, OFF_EIP), (int32_t)target);
    x64_emit_mov_ri(a, 8, X64_RAX, (uintptr_t)b->tb | slot);
    x64_emit_jmp(a, b->js->epilogue);
    e->site = (uint32_t)site;  /* relative; fixed at commit */
    e->stub = (uint32_t)stub;
    e->eip = target;
}

/* A chainable exit: jmp rel32, initially to its stub (after the guard of
 * a cross-page exit). */
void jit_emit_direct_exit(BlockBuilder *b, unsigned slot, uint32_t target)
{
    size_t site = jit_exit_guarded(b, target) ? SIZE_MAX
                                              : x64_emit_jmp_site(&b->a);
    jit_emit_exit_stub(b, slot, target, site);
}

/* EIP = next_eip, then find the next block without leaving generated
 * code when possible (near indirect branches: RET, JMP/CALL Ev).
 * spilled: right after a handler call (no fill), CPUState and cur_tb
 * are current. */
static void jit_emit_indirect_exit_from(BlockBuilder *b, bool spilled)
{
    X64Asm *a = &b->a;
    x64_emit_load(a, 4, X64_RAX, x64_mem(JIT_REG_CPU, OFF_NEXT_EIP));
    x64_emit_store(a, 4, x64_mem(JIT_REG_CPU, OFF_EIP), X64_RAX);
    const SegCache *cs = &b->cpu->seg[SEG_CS];
    if (cs->base == 0 && cs->limit == 0xFFFFFFFFu) {
        /* Flat CS: the shared jump-cache probe, which falls back to the
         * C lookup itself. */
        if (spilled)
            jit_emit_call_end(b);
        x64_emit_mov_ri(a, 4, JIT_REG_OP2, b->flags);
        x64_emit_mov_ri(a, 8, JIT_REG_VAL, (uintptr_t)b->tb);
        x64_emit_jmp(a, b->js->jc_probe[b->user]);
        return;
    }
    if (!spilled) {
        x64_emit_mov_ri(a, 8, X64_RAX, (uintptr_t)b->tb);
        x64_emit_call(a, b->js->spill);
    }
    x64_emit_mov_rr(a, 8, X64_RDI, JIT_REG_CPU);
    x64_emit_mov_ri(a, 8, X64_RSI, (uintptr_t)b->cc);
    jit_emit_helper_call(b, (uintptr_t)jit_helper_lookup);
    jit_emit_call_end(b);
    x64_emit_jmp_r(a, X64_RAX);
}

void jit_emit_indirect_exit(BlockBuilder *b)
{
    jit_emit_indirect_exit_from(b, false);
}

/* After a block-ending handler other than a near indirect branch (INT,
 * IRET, far transfers, segment loads, privileged and I/O instructions),
 * right after the call (CPUState and cur_tb are current): EIP =
 * next_eip, then the next block for the new mode, unless the dispatcher
 * must decide (jit_helper_lookup_mode). */
static void jit_emit_mode_exit_via(BlockBuilder *b, uintptr_t lookup)
{
    X64Asm *a = &b->a;
    x64_emit_load(a, 4, X64_RAX, x64_mem(JIT_REG_CPU, OFF_NEXT_EIP));
    x64_emit_store(a, 4, x64_mem(JIT_REG_CPU, OFF_EIP), X64_RAX);
    x64_emit_mov_rr(a, 8, X64_RDI, JIT_REG_CPU);
    x64_emit_mov_ri(a, 8, X64_RSI, (uintptr_t)b->cc);
    jit_emit_helper_call(b, lookup);
    jit_emit_call_end(b);
    x64_emit_jmp_r(a, X64_RAX);
}

static void jit_emit_mode_exit(BlockBuilder *b)
{
    jit_emit_mode_exit_via(b, (uintptr_t)jit_helper_lookup_mode);
}

/* INT n and IRET in protected mode (not V86): their handlers' fast paths
 * name the IntCache or IretCache fill they went through (cpu->xfer_id);
 * the block keeps the successor found after the last such transfer
 * (JitXferRec) and jumps to it without a lookup when the fill, EIP, the
 * TLB code entry of its page and its validity are unchanged. Otherwise:
 * the mode exit, recording. Of the dispatcher's boundary checks, only
 * those IRET can make apply are repeated: TF set, an interrupt line up
 * (IF may be set, NMIs unblocked). INT clears TF and never sets IF; the
 * memory map, A20, the debug registers and the interrupt lines change
 * only in C code that kicks (the fill parks the budget) or flushes the
 * TLB (the tag check fails). */
static JitXferRec *jit_xfer_rec(BlockBuilder *b)
{
    if ((b->d->row != INSN_INT_Ib && b->d->row != INSN_IRET) ||
        !(b->flags & JIT_F_PE) || (b->flags & JIT_F_VM86))
        return NULL;
    JitXferRec *rec = cc_data_alloc(b->cc, sizeof *rec);
    if (rec) {
        memset(rec, 0, sizeof *rec);
        rec->id = ~(uint64_t)0;
    }
    return rec;
}

/* rax = the sz-byte value at cur; compare it with the record's field at
 * rec_off (rdx = the record); returns the site of the jump taken when
 * they differ. */
static size_t jit_emit_rec_cmp(X64Asm *a, unsigned sz, X64Mem cur,
                               size_t rec_off)
{
    x64_emit_load(a, sz, X64_RAX, cur);
    x64_emit_alu_rm(a, X64_CMP, sz, X64_RAX,
                    x64_mem(X64_RDX, (int32_t)rec_off));
    return x64_emit_jcc_site(a, X64_CC_NE);
}

static void jit_emit_xfer_exit(BlockBuilder *b, JitXferRec *rec)
{
    X64Asm *a = &b->a;
    size_t miss[8];
    unsigned nmiss = 0;
    x64_emit_mov_ri(a, 8, X64_RDX, (uintptr_t)rec);
    miss[nmiss++] = jit_emit_rec_cmp(a, 8, x64_mem(JIT_REG_CPU, OFF_XFER_ID),
                                     offsetof(JitXferRec, id));
    miss[nmiss++] = jit_emit_rec_cmp(a, 4, x64_mem(JIT_REG_CPU, OFF_NEXT_EIP),
                                     offsetof(JitXferRec, eip));
    if (b->d->row == INSN_IRET) {
        const VM *vm = b->cpu->vm;
        const bool *line[2] = { &vm->intr_line, &vm->nmi_line };
        x64_emit_test_mi(a, 4, x64_mem(JIT_REG_CPU, OFF_EFLAGS), EFL_TF);
        miss[nmiss++] = x64_emit_jcc_site(a, X64_CC_NE);
        for (unsigned i = 0; i < 2; i++) {
            x64_emit_mov_ri(a, 8, X64_RAX, (uintptr_t)line[i]);
            x64_emit_alu_mi(a, X64_CMP, 1, x64_mem(X64_RAX, 0), 0);
            miss[nmiss++] = x64_emit_jcc_site(a, X64_CC_NE);
        }
    }
    /* rcx (guest ECX, spilled): the TLB entry's offset in CPUState */
    x64_emit_load(a, 4, X64_RCX,
                  x64_mem(X64_RDX, (int32_t)offsetof(JitXferRec, tlb_off)));
    miss[nmiss++] = jit_emit_rec_cmp(
        a, 4, x64_mem_idx(JIT_REG_CPU, X64_RCX, 1,
                          (int32_t)offsetof(TlbEntry, tag_code)),
        offsetof(JitXferRec, tag));
    miss[nmiss++] = jit_emit_rec_cmp(
        a, 8, x64_mem_idx(JIT_REG_CPU, X64_RCX, 1,
                          (int32_t)offsetof(TlbEntry, addend)),
        offsetof(JitXferRec, addend));
    x64_emit_load(a, 8, X64_RAX,
                  x64_mem(X64_RDX, (int32_t)offsetof(JitXferRec, tb)));
    x64_emit_alu_mi(a, X64_CMP, 1,
                    x64_mem(X64_RAX, (int32_t)offsetof(TBlock, valid)), 0);
    miss[nmiss++] = x64_emit_jcc_site(a, X64_CC_E);
    x64_emit_load(a, 8, X64_RAX,
                  x64_mem(X64_RAX, (int32_t)offsetof(TBlock, code)));
    x64_emit_load(a, 4, X64_RBP, x64_mem(JIT_REG_CPU, OFF_NEXT_EIP));
    x64_emit_store(a, 4, x64_mem(JIT_REG_CPU, OFF_EIP), X64_RBP);
    jit_emit_call_end(b);
    x64_emit_jmp_r(a, X64_RAX);
    for (unsigned i = 0; i < nmiss; i++)
        x64_bind(a, miss[i]);
    /* rdx = rec still: jit_helper_lookup_xfer's third argument */
    jit_emit_mode_exit_via(b, (uintptr_t)jit_helper_lookup_xfer);
}

/* Leave to the dispatcher with EIP = next_eip (a handler redirected). */
static void jit_emit_dynamic_exit(BlockBuilder *b)
{
    X64Asm *a = &b->a;
    x64_emit_load(a, 4, X64_RAX, x64_mem(JIT_REG_CPU, OFF_NEXT_EIP));
    x64_emit_store(a, 4, x64_mem(JIT_REG_CPU, OFF_EIP), X64_RAX);
    x64_emit_jmp(a, b->js->exit0);
}

/* After an instruction that may have written guest code, leave at the
 * next instruction if an invalidation happened (smc.c). */
void jit_emit_smc_check(BlockBuilder *b)
{
    x64_emit_mov_ri(&b->a, 8, X64_RAX, (uintptr_t)&b->cc->smc_flag);
    x64_emit_alu_mi(&b->a, X64_CMP, 1, x64_mem(X64_RAX, 0), 0);
    jit_emit_stub_jcc(b, X64_CC_NE, JIT_STUB_AFTER);
}

/* Rows after which the block must end because they may change what the
 * translation assumed (mode bits, segment bases, interrupt flag), or must
 * be seen by the dispatcher (HLT, STI shadow). */
static bool jit_row_ends_block(const InsnRow *r, unsigned row)
{
    if (r->attr & (A_BRANCH | A_PRIV))
        return true;
    switch (row) {
    case INSN_POP_ES: case INSN_POP_SS: case INSN_POP_DS: case INSN_POP_FS:
    case INSN_POP_GS: case INSN_MOV_Sw_Ew: case INSN_LES_Gv_Mp:
    case INSN_LDS_Gv_Mp: case INSN_LSS_Gv_Mp: case INSN_LFS_Gv_Mp:
    case INSN_LGS_Gv_Mp: case INSN_CPUID:
        return true;
    default:
        return false;
    }
}

/* Near indirect branches continue through the lookup helper; every other
 * block-ending helper returns to the dispatcher. */
static bool jit_row_near_indirect(unsigned row)
{
    return row == INSN_RET || row == INSN_RET_Iw || row == INSN_JMP_Ev ||
           row == INSN_CALL_Ev;
}

/* Reference-tier call: EIP and next EIP set as the interpreter does, then
 * exec_*(cpu, d). */
static void jit_emit_call_handler(BlockBuilder *b)
{
    X64Asm *a = &b->a;
    const InsnRow *r = &insn_rows[b->d->row];
    bool ends = jit_row_ends_block(r, b->d->row);
    bool near = jit_row_near_indirect(b->d->row);
    x64_emit_store_imm(a, 4, x64_mem(JIT_REG_CPU, OFF_NEXT_EIP),
                       (int32_t)b->next_eip);
    /* The mode lookup after it must not take the INT/IRET fast path's
     * shortcut (jit_mode_flags_xfer) unless this handler sets it. */
    if (ends && !near)
        x64_emit_store_imm(a, 1, x64_mem(JIT_REG_CPU, OFF_XFER_FAST), 0);
    JitXferRec *rec = ends && !near ? jit_xfer_rec(b) : NULL;
    if (rec)
        x64_emit_store_imm(a, 8, x64_mem(JIT_REG_CPU, OFF_XFER_ID), 0);
    jit_emit_call_begin(b);
    x64_emit_mov_rr(a, 8, X64_RDI, JIT_REG_CPU);
    x64_emit_mov_ri(a, 8, X64_RSI, (uintptr_t)b->dcopy);
    jit_emit_helper_call(b, (uintptr_t)r->handler);
    b->fk = JIT_FK_UNKNOWN;
    if (ends) {
        /* Leaving: no fill (and no spill again) is needed. Every other
         * block-ending handler (mode or segment changes, privileged and
         * I/O instructions) continues like INT/IRET: the mode bits are
         * recomputed and the dispatcher's boundary checks applied. */
        b->ended = true;
        if (near)
            jit_emit_indirect_exit_from(b, true);
        else if (rec)
            jit_emit_xfer_exit(b, rec);
        else
            jit_emit_mode_exit(b);
        return;
    }
    jit_emit_call_end(b);
    /* A handler may redirect (REP iterations, faults delivered as
     * control transfers): follow next_eip if it is not the fall-through. */
    x64_emit_alu_mi(a, X64_CMP, 4, x64_mem(JIT_REG_CPU, OFF_NEXT_EIP),
                    (int32_t)b->next_eip);
    jit_emit_stub_jcc(b, X64_CC_NE, JIT_STUB_NEXT);
    jit_emit_smc_check(b);
}

static void jit_emit_insn(BlockBuilder *b)
{
    b->insn_code[b->idx] = (uint32_t)b->a.len;
    b->insn_eip[b->idx] = b->eip;
    b->insn_inline[b->idx] = true;
    if (jit_emit_loop_producer(b))
        return;
    if (jit_emit_branch(b) || jit_emit_alu(b) || jit_emit_mov(b) ||
        jit_emit_stack(b) || jit_emit_shift(b) || jit_emit_muldiv(b) ||
        jit_emit_carry(b)) {
        jit_emit_smc_tail(b);
        return;
    }
    b->insn_inline[b->idx] = false;
    jit_emit_call_handler(b);
}

static void jit_emit_prologue(BlockBuilder *b)
{
    X64Asm *a = &b->a;
    /* sub r12, imm32 — the immediate is patched once the instruction
     * count is known (REX.W 81 /5 id, imm at the end). */
    x64_emit_alu_ri(a, X64_SUB, 8, JIT_REG_BUDGET, 0x7fffffff);
    b->budget_imm = a->len - 4;
    jit_emit_stub_jcc(b, X64_CC_L, JIT_STUB_BUDGET);
}

/* Out-of-line stubs: refund unexecuted instructions, set EIP, leave. */
static void jit_emit_stubs(BlockBuilder *b, uint32_t ninsn)
{
    X64Asm *a = &b->a;
    for (unsigned i = 0; i < b->nstubs; i++) {
        JitStub *s = &b->stubs[i];
        x64_bind(a, s->site);
        uint32_t refund = s->kind == JIT_STUB_BUDGET ? ninsn
                                                     : ninsn - s->idx - 1;
        if (refund)
            x64_emit_alu_ri(a, X64_ADD, 8, JIT_REG_BUDGET, (int32_t)refund);
        if (s->loopflags)
            jit_emit_loop_flags(b);
        if (s->kind != JIT_STUB_NEXT) {
            x64_emit_store_imm(a, 4, x64_mem(JIT_REG_CPU, OFF_EIP),
                               (int32_t)s->eip);
            x64_emit_jmp(a, b->js->exit0);
        } else {
            jit_emit_dynamic_exit(b);
        }
    }
}

/* Fetch and decode the instruction at eip; false if the block must stop
 * before it (page or limit end, undecodable: left to the interpreter). */
static bool jit_decode(BlockBuilder *b, DecodedInsn *d)
{
    uint8_t buf[INSN_MAX_LEN];
    unsigned avail = cpu_fetch_avail(b->cpu, b->eip, INSN_MAX_LEN);
    if (avail == 0)
        return false;
    cpu_fetch_code(b->cpu, b->eip, buf, avail);
    int n = decode_insn(b->cpu->dtab, d, buf, avail, b->code32);
    if (n <= 0)
        return false;
    b->next_eip = b->eip + (uint32_t)n;
    if (!b->code32)
        b->next_eip &= 0xFFFF;
    return true;
}

static void jit_builder_init(BlockBuilder *b, JitState *js, TBlock *tb,
                             uint32_t eip, uint32_t flags)
{
    memset(b, 0, offsetof(BlockBuilder, stubs));
    b->nstubs = 0;
    b->nslows = 0;
    b->pend = false;
    b->loop = false;
    b->loop_pending = false;
    b->loop_entry = 0;
    b->js = js;
    b->cpu = js->cpu;
    b->cc = js->cc;
    b->tb = tb;
    b->flags = flags;
    b->code32 = (flags & JIT_F_CODE32) != 0;
    b->user = (flags & JIT_F_CPL) == 3;
    b->eip = eip;
    size_t avail;
    uint8_t *p = cc_code_begin(js->cc, &avail);
    x64_init(&b->a, p, avail, cc_exec_delta(js->cc));
}

/* Decode the block's instructions (up to one that ends it). A block
 * covers one guest page: it stops at the end of its first page (its
 * fall-through exit continues on the next one), so that it is on exactly
 * one page list (smc.c) and one TLB entry maps all of it. */
static unsigned jit_predecode(BlockBuilder *b)
{
    DecodedInsn d;
    unsigned n = 0;
    uint32_t start = b->eip, eip = start;
    uint32_t base = b->cpu->seg[SEG_CS].base;
    while (n < JIT_MAX_INSNS) {
        b->eip = eip;
        if (((base + eip) ^ (base + start)) >> 12)
            break;
        if (!jit_decode(b, &d))
            break;
        DecodedInsn *copy = cc_data_alloc(b->cc, sizeof d);
        if (!copy) {
            b->a.overflow = true;
            break;
        }
        *copy = d;
        b->insns[n] = copy;
        b->insn_eip[n] = eip;
        b->insn_next[n] = b->next_eip;
        n++;
        eip = b->next_eip;
        if (jit_row_ends_block(&insn_rows[d.row], d.row))
            break;
    }
    b->eip = start;
    return n;
}

/* Emit the body; returns the number of instructions translated. */
static unsigned jit_emit_body(BlockBuilder *b)
{
    unsigned n = jit_predecode(b);
    jit_flags_liveness((const DecodedInsn *const *)b->insns, n,
                       b->flags_dead, b->flags_defer);
    b->ninsn = n;
    jit_loop_detect(b, n);
    b->lslots = jit_lslots_detect(b, n);
    b->lslot_next = 0;
    b->copy_key = 0;
    if (b->lslots)
        jit_emit_lslots_invalidate(b);
    b->lslot_entry = b->a.len;
    jit_emit_prologue(b);
    while (b->idx < n && !b->ended) {
        if (b->a.len + 1024 > b->a.cap) {
            b->a.overflow = true;
            break;
        }
        b->dcopy = b->insns[b->idx];
        b->d = b->dcopy;
        b->eip = b->insn_eip[b->idx];
        b->next_eip = b->insn_next[b->idx];
        if (b->loop && b->idx == b->loop_k) {
            jit_emit_loop_entry(b);
            b->d = b->dcopy = b->insns[b->idx];
            b->eip = b->insn_eip[b->idx];
            b->next_eip = b->insn_next[b->idx];
        }
        jit_emit_insn(b);
        if (b->pend && b->idx + 1 >= b->pend_end)
            b->pend = false;
        b->idx++;
        b->eip = b->next_eip;
    }
    b->insn_code[b->idx] = (uint32_t)b->a.len;
    return b->idx;
}

static TBlock *jit_finish(BlockBuilder *b, uint64_t phys, uint32_t ninsn)
{
    TBlock *tb = b->tb;
    CodeCache *cc = b->cc;
    if (!b->ended)
        jit_emit_direct_exit(b, 0, b->eip);
    uint32_t end_eip = b->eip;
    /* E1 is valid only if the whole block, with its closing compare and
     * Jcc, was translated; so is the entry after the TLB slots'
     * invalidation (loop.c). */
    size_t loop_entry = 0;
    if (b->ended && b->idx == b->ninsn)
        loop_entry = b->loop     ? b->loop_entry
                     : b->lslots ? b->lslot_entry
                                 : 0;
    jit_emit_slow_paths(b);
    b->eip = end_eip;
    jit_emit_stubs(b, ninsn);
    JitBlockInfo *info = cc_data_alloc(cc, sizeof *info);
    if (b->a.overflow || !info)
        return NULL;
    uint32_t n32 = ninsn;
    memcpy(b->a.buf + b->budget_imm, &n32, 4);
    info->ninsn = ninsn;
    memcpy(info->eip, b->insn_eip, sizeof info->eip);
    size_t off = cc_code_commit(cc, b->a.len);
    tb->phys = phys;
    tb->eip = b->insn_eip[0];
    tb->cs_base = b->cpu->seg[SEG_CS].base;
    tb->cs_limit = b->cpu->seg[SEG_CS].limit;
    tb->flags = b->flags;
    tb->ninsn = ninsn;
    tb->guest_len = b->eip - tb->eip;
    if (!b->code32)
        tb->guest_len = (b->eip - tb->eip) & 0xFFFF;
    tb->code = cc->rx + off;
    tb->code_off = (uint32_t)off;
    tb->code_len = (uint32_t)b->a.len;
    tb->data = info;
    tb->loop_entry = (uint32_t)loop_entry;
    for (unsigned i = 0; i < CC_MAX_EXITS; i++) {
        if (tb->exit[i].site) {
            tb->exit[i].site += (uint32_t)off;
            tb->exit[i].stub += (uint32_t)off;
            if (tb->exit[i].guard)
                tb->exit[i].guard += (uint32_t)off;
        }
    }
    return tb;
}

TBlock *jit_translate(JitState *js, uint64_t phys, uint32_t eip,
                      uint32_t flags)
{
    CodeCache *cc = js->cc;
    size_t avail;
    cc_code_begin(cc, &avail);
    if (avail < JIT_BLOCK_RESERVE || cc->nblocks + 1 >= cc->max_blocks ||
        cc->data_used + 64 * 1024 > cc->data_size)
        cc_flush(cc);
    TBlock *tb = cc_block_alloc(cc);
    BlockBuilder *b = &js->builder;
    if (!tb)
        return NULL;
    jit_builder_init(b, js, tb, eip, flags);
    cc_begin_write(cc);
    unsigned n = jit_emit_body(b);
    TBlock *done = n ? jit_finish(b, phys, n) : NULL;
    cc_end_write(cc);
    if (!done) {
        cc->nblocks--;
        return NULL;
    }
    PhysMem *mem = &js->cpu->vm->mem;
    bool was_code = phys < mem->ram_size &&
                    (mem->page_flags[phys >> MEM_PAGE_SHIFT] & MEM_PF_CODE);
    cc_insert(cc, done);
    if (!was_code)
        mmu_protect_code_page(js->cpu, phys);
    if (log_enabled(&js->cpu->vm->log, LOG_TRACE_TRANSLATE))
        jit_explain_block(js, b);
    if (js->perf_map) {
        fprintf(js->perf_map, "%" PRIxPTR " %x guest_%08x_%s\n",
                (uintptr_t)done->code, done->code_len, eip,
                b->user ? "user" : "sys");
        fflush(js->perf_map);
    }
    return done;
}
