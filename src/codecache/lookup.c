/*
 * lookup.c — finding translated blocks.
 *
 * A block is identified by the guest physical address of its first byte
 * plus EIP, CS base, CS limit and the translator's mode bits (CPL,
 * operand and stack size, PE/VM, paging...): the same bytes translated
 * under another mode are another block. The limit is exact, not a range:
 * a block translated under one limit stops before it and had its branch
 * targets checked against it, so it is valid under that limit only. Blocks are also threaded on per-physical-page
 * lists so that a write to a page finds the blocks it may hit (smc.c).
 * Blocks never span a page boundary (the translator stops before a page
 * end), so each block is on exactly one page list.
 */
#include "codecache/codecache.h"

#include "machine/memmap.h"

static unsigned cc_hash(uint64_t phys, uint32_t eip, uint32_t flags)
{
    uint64_t h = phys * 0x9E3779B97F4A7C15ull ^ (uint64_t)eip * 0xC2B2AE35u ^
                 flags;
    return (unsigned)(h >> (64 - CC_HASH_BITS));
}

TBlock *cc_lookup(CodeCache *cc, uint64_t phys, uint32_t eip,
                  uint32_t cs_base, uint32_t cs_limit, uint32_t flags)
{
    cc->stats.lookups++;
    for (TBlock *tb = cc->hash[cc_hash(phys, eip, flags)]; tb;
         tb = tb->hash_next) {
        if (cc_block_matches(tb, phys, eip, cs_base, cs_limit, flags)) {
            cc->stats.hits++;
            return tb;
        }
    }
    return NULL;
}

void cc_insert(CodeCache *cc, TBlock *tb)
{
    unsigned h = cc_hash(tb->phys, tb->eip, tb->flags);
    tb->hash_next = cc->hash[h];
    cc->hash[h] = tb;
    tb->valid = true;
    tb->code_end = (uint32_t)cc->used;
    tb->data_end = cc->data_used;
    cc->stats.blocks++;
    cc->stats.guest_bytes += tb->guest_len;
    uint64_t page = tb->phys >> MEM_PAGE_SHIFT;
    if (cc->mem && page < cc->npages) {
        if (!cc->page_head[page])
            mem_set_code_page(cc->mem, tb->phys, true);
        tb->page_next = cc->page_head[page];
        cc->page_head[page] = tb;
    }
}

_Static_assert(sizeof(CCJump) == 32,
               "generated code indexes the jump cache with a shift by 5");

static const CCJump cc_jc_empty = { 0, ~0u, 0, NULL, NULL };

void cc_jmp_cache_clear(CodeCache *cc)
{
    for (unsigned i = 0; i < (1u << CC_JMP_CACHE_BITS); i++)
        cc->jmp_cache[i] = cc_jc_empty;
}

void cc_jmp_cache_set(CodeCache *cc, TBlock *tb)
{
    CCJump *j = &cc->jmp_cache[cc_jc_index(tb->eip)];
    bool flat = tb->cs_base == 0 && tb->cs_limit == 0xFFFFFFFFu;
    bool ram = cc->mem && tb->phys < cc->mem->ram_size;
    j->eip = tb->eip;
    j->flags = flat && ram ? tb->flags : ~0u;
    j->host = ram ? (uintptr_t)(cc->mem->ram + tb->phys) : 0;
    j->code = tb->code;
    j->tb = tb;
}

void cc_remove(CodeCache *cc, TBlock *tb)
{
    TBlock **pp = &cc->hash[cc_hash(tb->phys, tb->eip, tb->flags)];
    while (*pp && *pp != tb)
        pp = &(*pp)->hash_next;
    if (*pp)
        *pp = tb->hash_next;
    tb->hash_next = NULL;
    uint64_t page = tb->phys >> MEM_PAGE_SHIFT;
    if (cc->mem && page < cc->npages) {
        pp = &cc->page_head[page];
        while (*pp && *pp != tb)
            pp = &(*pp)->page_next;
        if (*pp)
            *pp = tb->page_next;
        if (!cc->page_head[page])
            mem_set_code_page(cc->mem, tb->phys, false);
    }
    tb->page_next = NULL;
    if (cc->jmp_cache[cc_jc_index(tb->eip)].tb == tb)
        cc->jmp_cache[cc_jc_index(tb->eip)] = cc_jc_empty;
}
