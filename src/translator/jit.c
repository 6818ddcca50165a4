/*
 * jit.c — the translation tier's dispatcher (jit_run) and exception
 * recovery.
 *
 * Loop: at each boundary the dispatcher applies the same rules as
 * interp_run() (kick, interrupt delivery, HLT), finds or translates the
 * block for (phys(CS:EIP), EIP, CS base, mode bits), chains the previous
 * block's direct exit to it when safe, and enters generated code, which
 * runs chained blocks until an exit. Boundaries needing the reference
 * tier's exact per-instruction rules (deliverable interrupt, interrupt
 * shadow, TF single-step, instruction crossing a page, budget smaller
 * than the block) run interp_run() for as few instructions as needed.
 *
 * Exceptions: cpu_raise() longjmps to the setjmp here. Generated code
 * stored the faulting instruction's EIP and spilled the pinned guest
 * registers, the budget and cc->cur_tb before calling C, so the CPU is
 * already precise; the block's boundary table gives how many of its
 * instructions retired, and the budget is corrected as the interpreter
 * counts (the faulting instruction consumes one unit). A budget parked
 * by a kick (the fill trampoline, block.c) is added back first.
 */
#include "translator/jit.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "frontend/debug.h"
#include "frontend/mmu.h"
#include "frontend/cpu_mem.h"
#include "frontend/except.h"
#include "machine/vm.h"
#include "translator/jit_int.h"

typedef uintptr_t (*JitEnterFn)(CPUState *cpu, CodeCache *cc,
                                const void *code);

/* Instructions of a block charged at its entry but not retired when it
 * stopped at `eip`: the one at eip and those after it. EIP is not in the
 * table only when a control transfer changed it before faulting (task
 * switch): that is always the block's last instruction. */
static uint32_t jit_not_retired(const JitBlockInfo *info, uint32_t eip)
{
    for (uint32_t i = 0; i < info->ninsn; i++)
        if (info->eip[i] == eip)
            return info->ninsn - i;
    return 1;
}

/* cpu->insn_pending: what generated code retired since jit_enter, up to
 * the current instruction (cur_tb and the EIP it stored before any call
 * that can read the count), exactly as jit_recover counts at a fault. */
static uint64_t jit_insn_pending(void *opaque)
{
    JitState *js = opaque;
    if (!js->in_native)
        return 0;
    CodeCache *cc = js->cc;
    /* A kick may have parked part of the budget (fill trampoline). */
    int64_t n = js->run_budget - cc->budget - js->parked_budget;
    TBlock *tb = cc->cur_tb;
    if (tb && tb->data)
        n -= (int64_t)jit_not_retired(tb->data, js->cpu->eip);
    return n > 0 ? (uint64_t)n : 0;
}

static void jit_on_flush(void *opaque)
{
    JitState *js = opaque;
    js->last_exit = 0;
    jit_emit_trampolines(js);
}

__attribute__((noinline)) static JitState *jit_state(CPUState *cpu)
{
    VM *vm = cpu->vm;
    if (vm->cc)
        return vm->cc->owner;
    JitState *js = calloc(1, sizeof *js);
    uint64_t kb = vm->cfg.tcache_kb ? vm->cfg.tcache_kb : 32768;
    CodeCache *cc = js ? cc_create((size_t)kb * 1024, &vm->mem) : NULL;
    if (!cc) {
        free(js);
        return NULL;
    }
    js->cc = cc;
    js->cpu = cpu;
    /* X86BT_JIT_NO_BMI2: portable host code (the golden tests use it). */
    js->bmi2 = __builtin_cpu_supports("bmi2") && !getenv("X86BT_JIT_NO_BMI2");
    js->no_sites = getenv("X86BT_JIT_NO_SITES") != NULL;
    js->a20_mask = cpu->a20_mask;
    if (getenv("X86BT_PERF_MAP")) {
        char path[64];
        snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)getpid());
        js->perf_map = fopen(path, "w");
        if (!js->perf_map)
            fprintf(stderr, "x86bt: X86BT_PERF_MAP: cannot write %s\n", path);
    }
    js->map_gen = vm->mem.map_gen;
    cc->owner = js;
    cc->on_flush = jit_on_flush;
    cc->on_flush_opaque = js;
    jit_emit_trampolines(js);
    vm->cc = cc;
    cpu->insn_pending = jit_insn_pending;
    cpu->insn_pending_opaque = js;
    return js;
}

void jit_destroy(VM *vm)
{
    if (!vm->cc)
        return;
    JitState *js = vm->cc->owner;
    if (js && js->cpu->insn_pending_opaque == js) {
        js->cpu->insn_pending = NULL;
        js->cpu->insn_pending_opaque = NULL;
    }
    if (js && js->cs_ready) {
        cs_close(&js->cs_host);
        cs_close(&js->cs_guest16);
        cs_close(&js->cs_guest32);
    }
    if (js && js->perf_map)
        fclose(js->perf_map);
    cc_destroy(vm->cc);
    free(js);
    vm->cc = NULL;
}

static const char *const jit_exit_names[JIT_EXIT_COUNT] = {
    [JIT_EXIT_STUB] = "stub (privileged, SMC, redirect)",
    [JIT_EXIT_BUDGET] = "budget",
    [JIT_EXIT_DIRECT] = "direct, unchained",
    [JIT_EXIT_DIRECT_PAGE] = "direct, other page",
    [JIT_EXIT_NOTLB] = "lookup: no TLB code entry",
    [JIT_EXIT_MISS] = "lookup: not translated",
    [JIT_EXIT_KICK] = "lookup: kick",
    [JIT_EXIT_MODE_CHECK] = "after INT/IRET/far: boundary checks",
};

void jit_stats_print(VM *vm, FILE *f)
{
    if (!vm->cc) {
        fprintf(f, "translation cache: not in use\n");
        return;
    }
    cc_stats_print(vm->cc, f);
    const JitStats *s = &((JitState *)vm->cc->owner)->stats;
    uint64_t total = 0;
    for (unsigned i = 0; i < JIT_EXIT_COUNT; i++)
        total += s->exits[i];
    fprintf(f, "  exits to the dispatcher %llu; lookups in generated code: "
            "near %llu, after INT/IRET/far %llu (INT/IRET successors recorded "
            "%llu); interpreter steps %llu\n",
            (unsigned long long)total, (unsigned long long)s->lookup_near,
            (unsigned long long)s->lookup_mode,
            (unsigned long long)s->xfer_recs, (unsigned long long)s->interp);
    for (unsigned i = 0; i < JIT_EXIT_COUNT; i++)
        fprintf(f, "    %-40s %llu\n", jit_exit_names[i],
                (unsigned long long)s->exits[i]);
}

/* Run the reference tier for up to n instructions of the budget. */
static CpuExit jit_interp(JitState *js, int64_t n)
{
    CPUState *cpu = js->cpu;
    uint64_t before = cpu->insn_count;
    js->last_exit = 0;
    js->stats.interp++;
    CpuExit e = interp_run(cpu, n);
    int64_t done = (int64_t)(cpu->insn_count - before);
    /* interp_run also counts faulting instructions against its budget:
     * when it used all of it, charge all of it. */
    js->cc->budget -= e == CPU_EXIT_BUDGET ? n : done;
    return e;
}

/* After a longjmp out of generated code or the dispatcher. */
static void jit_recover(JitState *js)
{
    CodeCache *cc = js->cc;
    CPUState *cpu = js->cpu;
    js->last_exit = 0;
    cc->budget += js->parked_budget;
    js->parked_budget = 0;
    if (js->in_native) {
        TBlock *tb = cc->cur_tb;
        if (tb && tb->data)
            cc->budget += jit_not_retired(tb->data, cpu->eip);
        cpu->insn_count += (uint64_t)(js->run_budget - cc->budget);
        js->in_native = false;
    }
    cc->cur_tb = NULL;
    cc->budget--; /* the faulting instruction, as interp_run counts it */
}

/* Is an interrupt or NMI deliverable at this boundary (interp.c rules)? */
static inline bool jit_irq_pending(const CPUState *cpu)
{
    const VM *vm = cpu->vm;
    if (cpu->intr_shadow)
        return false;
    if (vm->nmi_line && !cpu->nmi_blocked)
        return true;
    return vm->intr_line && (cpu->eflags & EFL_IF) && vm->intr_ack;
}

/* Conditions under which the dispatcher hands a boundary to the
 * reference tier (jit_step): pending event, shadow, single-step, debug
 * registers, HLT. */
static inline bool jit_needs_interp(const CPUState *cpu)
{
    return cpu->halted || jit_irq_pending(cpu) || cpu->intr_shadow ||
           (cpu->eflags & EFL_TF) || cpu->exc_exit || dbg_any_enabled(cpu) ||
           cpu->dbg_tf_deferred;
}

/* After INT/IRET/far transfers (block.c): would the dispatcher just look
 * up the next block? Then do it here, with the new mode bits: the block,
 * or NULL to leave to the dispatcher. */
static TBlock *jit_lookup_mode_block(CPUState *cpu, CodeCache *cc)
{
    JitState *js = cc->owner;
    TBlock *prev = cc->cur_tb;
    /* From here a fault is at the target, not inside prev. */
    cc->cur_tb = NULL;
    js->stats.lookup_mode++;
    const PhysMem *mem = &cpu->vm->mem;
    if (!prev || cpu->kick || cpu->tlb.map_gen != mem->map_gen ||
        mem->map_gen != js->map_gen || cpu->a20_mask != js->a20_mask ||
        jit_needs_interp(cpu)) {
        js->exit_why = JIT_EXIT_MODE_CHECK;
        return NULL;
    }
    uint32_t flags = cpu->xfer_fast ? jit_mode_flags_xfer(cpu, prev->flags)
                                    : jit_mode_flags(cpu);
    return jit_lookup_block(cpu, cc, flags);
}

uintptr_t jit_helper_lookup_mode(CPUState *cpu, CodeCache *cc)
{
    TBlock *tb = jit_lookup_mode_block(cpu, cc);
    return tb ? (uintptr_t)tb->code : ((JitState *)cc->owner)->exit0;
}

uintptr_t jit_helper_lookup_xfer(CPUState *cpu, CodeCache *cc,
                                 JitXferRec *rec)
{
    JitState *js = cc->owner;
    uint64_t id = cpu->xfer_id;
    TBlock *tb = jit_lookup_mode_block(cpu, cc);
    if (!tb)
        return js->exit0;
    if (id && cpu->xfer_fast) {
        uint32_t lin = tb->cs_base + tb->eip;
        const TlbEntry *e =
            &cpu->tlb.e[cpu->cpl == 3][(lin >> 12) & (TLB_SIZE - 1)];
        rec->tlb_off = (uint32_t)((const uint8_t *)e - (const uint8_t *)cpu);
        rec->tag = e->tag_code;
        rec->addend = e->addend;
        rec->tb = tb;
        rec->eip = tb->eip;
        rec->id = id;
        js->stats.xfer_recs++;
    }
    return (uintptr_t)tb->code;
}

/* The memory map or A20 changed: physical keys may mean other bytes. */
static void jit_check_env(JitState *js)
{
    CPUState *cpu = js->cpu;
    uint32_t gen = cpu->vm->mem.map_gen;
    if (gen != js->map_gen || cpu->a20_mask != js->a20_mask) {
        js->map_gen = gen;
        js->a20_mask = cpu->a20_mask;
        cc_flush(js->cc);
    }
}

/* Physical address of CS:EIP: the TLB's code entry when it has one (RAM),
 * else a full translation (page walk; may raise #PF) that fills the code
 * entry, so that lookups from generated code (jit_lookup_flags) find the
 * page next time instead of coming back here. */
static uint64_t jit_code_phys(CPUState *cpu, uint32_t lin)
{
    const TlbEntry *e = &cpu->tlb.e[cpu->cpl == 3][(lin >> 12) & (TLB_SIZE - 1)];
    const PhysMem *mem = &cpu->vm->mem;
    if (e->tag_code == (lin & ~0xFFFu)) {
        const uint8_t *host = (const uint8_t *)(e->addend + lin);
        if (host >= mem->ram && host < mem->ram + mem->ram_size)
            return (uint64_t)(host - mem->ram);
    }
    return mmu_translate_code(cpu, lin, cpu->cpl == 3);
}

static TBlock *jit_find(JitState *js, uint32_t flags)
{
    CPUState *cpu = js->cpu;
    CodeCache *cc = js->cc;
    uint32_t eip = cpu->eip;
    const SegCache *cs = &cpu->seg[SEG_CS];
    uint64_t phys = jit_code_phys(cpu, cs->base + eip);
    TBlock *tb = cc_jmp_cache_get(cc, eip);
    if (tb && cc_block_matches(tb, phys, eip, cs->base, cs->limit, flags))
        return tb;
    tb = cc_lookup(cc, phys, eip, cs->base, cs->limit, flags);
    if (!tb)
        tb = jit_translate(js, phys, eip, flags);
    if (tb)
        cc_jmp_cache_set(cc, tb);
    return tb;
}

/* The TLB addend under which the code entry of tb's page maps it (the
 * dispatcher's lookup has just filled that entry), false if it does not
 * (no entry, or not the RAM page tb was translated from). */
static bool jit_code_addend(const CPUState *cpu, const TBlock *tb,
                            uint64_t *addend)
{
    uint32_t lin = tb->cs_base + tb->eip;
    const TlbEntry *e = &cpu->tlb.e[cpu->cpl == 3][(lin >> 12) & (TLB_SIZE - 1)];
    const PhysMem *mem = &cpu->vm->mem;
    if (e->tag_code != (lin & ~0xFFFu) ||
        (const uint8_t *)(e->addend + lin) != mem->ram + tb->phys)
        return false;
    *addend = e->addend;
    return true;
}

/* Chain the previous direct exit to tb: directly within a guest page (or
 * with paging off); across pages through the exit's guard, under the
 * TLB entry that maps tb's page now (CCExit.guard). */
static void jit_try_chain(JitState *js, TBlock *tb)
{
    uintptr_t last = js->last_exit;
    js->last_exit = 0;
    if (!last)
        return;
    TBlock *from = (TBlock *)(last & ~(uintptr_t)7);
    unsigned slot = (unsigned)(last & 7);
    if (!from->valid || !tb->valid || from->flags != tb->flags ||
        from->cs_limit != tb->cs_limit || from->cs_base != tb->cs_base)
        return;
    uint64_t addend;
    if (from->exit[slot].guard) {
        if (jit_code_addend(js->cpu, tb, &addend))
            cc_chain_guarded(js->cc, from, slot, tb, addend);
        return;
    }
    bool same_page = ((from->cs_base + from->eip) >> 12) ==
                     ((tb->cs_base + tb->eip) >> 12);
    if (same_page || !(tb->flags & JIT_F_PAGING))
        cc_chain(js->cc, from, slot, tb);
}

/* Statistics: why generated code returned r. */
static void jit_count_exit(JitState *js, uintptr_t r)
{
    JitExitWhy why = js->exit_why;
    if (r) {
        const TBlock *from = (const TBlock *)(r & ~(uintptr_t)7);
        uint32_t to = from->exit[r & 7].eip;
        bool same = ((from->cs_base + from->eip) >> 12) ==
                    ((from->cs_base + to) >> 12);
        why = same ? JIT_EXIT_DIRECT : JIT_EXIT_DIRECT_PAGE;
    } else if (why == JIT_EXIT_STUB && js->exit_low_budget) {
        why = JIT_EXIT_BUDGET;
    }
    js->stats.exits[why]++;
}

static void jit_enter(JitState *js, TBlock *tb)
{
    CodeCache *cc = js->cc;
    JitEnterFn enter;
    void *p = (void *)js->enter;
    __builtin_memcpy(&enter, &p, sizeof enter);
    cc->smc_flag = 0;
    js->run_budget = cc->budget;
    js->in_native = true;
    js->exit_why = JIT_EXIT_STUB;
    uintptr_t r = enter(js->cpu, cc, tb->code);
    /* A budget stub leaves less than a block's worth (or 0 after a kick
     * parked the rest). */
    js->exit_low_budget = cc->budget < JIT_MAX_INSNS;
    cc->budget += js->parked_budget;
    js->parked_budget = 0;
    js->in_native = false;
    cc->cur_tb = NULL;
    js->cpu->insn_count += (uint64_t)(js->run_budget - cc->budget);
    js->last_exit = r;
    jit_count_exit(js, r);
}

/* One dispatch step; true when jit_run must return *out. */
static bool jit_step(JitState *js, CpuExit *out)
{
    CPUState *cpu = js->cpu;
    CodeCache *cc = js->cc;
    if (cc->budget <= 0) {
        *out = CPU_EXIT_BUDGET;
        return true;
    }
    if (cpu->kick) {
        cpu->kick = 0;
        *out = CPU_EXIT_KICK;
        return true;
    }
    mmu_check_map(cpu);
    if (jit_needs_interp(cpu)) {
        *out = jit_interp(js, 1);
        return *out != CPU_EXIT_BUDGET;
    }
    jit_check_env(js);
    if (cpu_fetch_avail(cpu, cpu->eip, 1) == 0) {
        *out = jit_interp(js, 1); /* #GP: EIP beyond the CS limit */
        return *out != CPU_EXIT_BUDGET;
    }
    TBlock *tb = jit_find(js, jit_mode_flags(cpu));
    if (!tb || (int64_t)tb->ninsn > cc->budget) {
        int64_t n = tb ? cc->budget : 1;
        *out = jit_interp(js, n);
        return *out != CPU_EXIT_BUDGET;
    }
    jit_try_chain(js, tb);
    jit_enter(js, tb);
    return false;
}

CpuExit jit_run(CPUState *cpu, int64_t budget)
{
    JitState *const js = jit_state(cpu);
    if (!js)
        return interp_run(cpu, budget);
    js->cc->budget = budget;
    js->last_exit = 0;
    if (!cpu->tlb.site_gen) /* a CPUState never flushed: keys 0 must miss */
        cpu->tlb.site_gen = 1ull << 32;
    for (;;) {
        if (setjmp(cpu->jmp)) {
            jit_recover(js);
            if (cpu->exc_exit) {
                cpu->cur_exc = -1;
                return CPU_EXIT_KICK;
            }
            if (!cpu_deliver_pending(cpu)) {
                vm_request(cpu->vm, VM_REQ_RESET);
                return CPU_EXIT_SHUTDOWN;
            }
            continue;
        }
        CpuExit e;
        if (jit_step(js, &e))
            return e;
    }
}
