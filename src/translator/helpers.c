/*
 * helpers.c — C slow paths called from generated code: memory accesses
 * that miss the inline TLB (through the reference tier's accessors, so
 * checks and exceptions are identical in both tiers), the carry fold
 * before INC/DEC, and the indirect-branch lookup.
 */
#include "frontend/alu.h"
#include "frontend/cpu_mem.h"
#include "frontend/exec.h"
#include "frontend/flags.h"
#include "machine/vm.h"
#include "translator/jit_int.h"

_Static_assert(sizeof(TlbEntry) == 32, "emit_mem.c indexes TLB entries by (lin >> 7) & 0x1FE0");

uint32_t jit_helper_ld(CPUState *cpu, unsigned seg, uint32_t off,
                       unsigned size)
{
    return cpu_ld(cpu, (int)seg, off, size);
}

void jit_helper_st(CPUState *cpu, unsigned seg, uint32_t off, uint32_t val,
                   unsigned size)
{
    cpu_st(cpu, (int)seg, off, val, size);
}

uint32_t jit_helper_rmw_ld(CPUState *cpu, const DecodedInsn *d,
                           unsigned size, uint32_t *lin)
{
    return op_rmw_begin(cpu, d, size, lin);
}

void jit_helper_rmw_st(CPUState *cpu, const DecodedInsn *d, unsigned size,
                       uint32_t *lin, uint32_t val)
{
    op_rmw_end(cpu, d, size, *lin, val);
}

TBlock *jit_lookup_block(CPUState *cpu, CodeCache *cc, uint32_t flags)
{
    JitState *js = cc->owner;
    const SegCache *cs = &cpu->seg[SEG_CS];
    uint32_t eip = cpu->eip;
    js->exit_why = JIT_EXIT_NOTLB;
    if (eip > cs->limit)
        return NULL;
    uint32_t lin = cs->base + eip;
    const TlbEntry *e = &cpu->tlb.e[cpu->cpl == 3][(lin >> 12) & (TLB_SIZE - 1)];
    if (e->tag_code != (lin & ~0xFFFu))
        return NULL;
    const uint8_t *host = (const uint8_t *)(e->addend + lin);
    const PhysMem *mem = &cpu->vm->mem;
    if (host < mem->ram || host >= mem->ram + mem->ram_size)
        return NULL;
    uint64_t phys = (uint64_t)(host - mem->ram);
    TBlock *tb = cc_jmp_cache_get(cc, eip);
    if (!tb ||
        !cc_block_matches(tb, phys, eip, cs->base, cs->limit, flags)) {
        tb = cc_lookup(cc, phys, eip, cs->base, cs->limit, flags);
        if (!tb) {
            js->exit_why = JIT_EXIT_MISS;
            return NULL;
        }
        cc_jmp_cache_set(cc, tb);
    }
    return tb;
}

uintptr_t jit_lookup_flags(CPUState *cpu, CodeCache *cc, uint32_t flags)
{
    TBlock *tb = jit_lookup_block(cpu, cc, flags);
    return tb ? (uintptr_t)tb->code : ((JitState *)cc->owner)->exit0;
}

/* Near indirect branches: same mode as the block that just ran. */
uintptr_t jit_helper_lookup(CPUState *cpu, CodeCache *cc)
{
    JitState *js = cc->owner;
    TBlock *prev = cc->cur_tb;
    /* From here a fault is at the target, not inside prev (jit.c). */
    cc->cur_tb = NULL;
    js->stats.lookup_near++;
    if (!prev || cpu->kick) {
        js->exit_why = JIT_EXIT_KICK;
        return js->exit0;
    }
    return jit_lookup_flags(cpu, cc, prev->flags);
}
