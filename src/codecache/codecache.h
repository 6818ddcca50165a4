/*
 * codecache.h — the translation cache: executable code memory, block
 * descriptors, lookup, chaining, self-modifying-code invalidation and
 * statistics. It knows nothing about the guest ISA beyond "a block is a
 * range of guest physical bytes translated under some mode bits".
 *
 * Code memory is one memfd mapped twice: an RW view the translator writes
 * and an RX view that runs (W^X: no page is ever writable and executable
 * through the same mapping). Without memfd it falls back to one mapping
 * toggled between RW and RX with mprotect. When code memory, block
 * descriptors or side data run out, the whole cache is flushed.
 */
#ifndef X86BT_CODECACHE_H
#define X86BT_CODECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct PhysMem;

#define CC_HASH_BITS 15
#define CC_JMP_CACHE_BITS 12
#define CC_MAX_EXITS 2

typedef struct TBlock TBlock;

/* One direct exit of a block: a `jmp rel32` whose target is either the
 * block's own exit stub (unchained) or another block's entry (chained).
 * An exit to another guest page with paging on is guarded: before the
 * jmp, generated code compares the target page's TLB code entry with the
 * one the chain was made under (its tag, a constant, and its addend, the
 * imm64 at `guard`, rewritten by cc_chain_guarded) and takes the stub
 * when they differ, so a chain never outlives the mapping it assumed. */
typedef struct CCExit {
    uint32_t site;       /* code offset of the rel32 field, 0 = no exit */
    uint32_t stub;       /* code offset of the unchained target */
    uint32_t guard;      /* code offset of the guard's imm64, 0 = none */
    uint32_t eip;        /* guest EIP this exit continues at */
    TBlock *target;      /* chained to, or NULL */
    TBlock *next_src;    /* next block in target's incoming list */
    uint8_t next_slot;
} CCExit;

struct TBlock {
    uint64_t phys;       /* guest physical address of the first byte */
    uint32_t eip, cs_base, flags; /* lookup key with phys ... */
    uint32_t cs_limit;   /* ... and the CS limit it was translated under */
    uint32_t guest_len;  /* bytes of guest code covered */
    uint32_t ninsn;
    uint8_t *code;       /* RX address of the entry point */
    uint32_t code_off;   /* offset of the entry in code memory */
    uint32_t code_len;
    uint32_t code_end;   /* cc->used after it was published */
    size_t data_off, data_end; /* its side data: [data_off, data_end) */
    uint32_t loop_entry; /* offset of the entry its own back edge chains
                          * to (the translator's self-loops), 0: none */
    bool valid;
    TBlock *hash_next;
    TBlock *page_next;   /* blocks on the same physical page */
    CCExit exit[CC_MAX_EXITS];
    TBlock *in_head;     /* blocks whose exits jump here */
    uint8_t in_slot;
    void *data;          /* translator side data (decoded instructions) */
};

/* A jump-cache entry (direct-mapped by EIP): the block last found for an
 * EIP and, for a block in RAM with a flat CS (base 0, limit 4 GB), the
 * part of its key that generated code compares inline on indirect
 * branches (translator: jit_emit_jc_probe): EIP, mode bits, and the host
 * address of its first guest byte, to which the TLB code entry of the
 * target page must map the EIP. flags ~0 (never a mode): C lookups only. */
typedef struct CCJump {
    uint32_t eip, flags;
    uintptr_t host;
    uint8_t *code;
    TBlock *tb;
} CCJump;

typedef struct CCStats {
    uint64_t blocks, bytes, guest_bytes;
    uint64_t lookups, hits;
    uint64_t chains, unchains;
    uint64_t invalidations, smc_writes, flushes;
} CCStats;

typedef struct CodeCache {
    uint8_t *rw, *rx;     /* the two views (equal in mprotect mode) */
    size_t size, used;
    bool dual;            /* memfd dual mapping, else mprotect toggling */
    bool writable;        /* mprotect mode: currently RW */
    int fd;
    TBlock *blocks;
    size_t max_blocks, nblocks;
    uint8_t *data;
    size_t data_size, data_used;
    TBlock *hash[1u << CC_HASH_BITS];
    CCJump jmp_cache[1u << CC_JMP_CACHE_BITS];
    TBlock **page_head;   /* per RAM page, ram_size >> 12 entries */
    size_t npages;
    struct PhysMem *mem;
    /* Runtime fields addressed by generated code through a fixed host
     * register (the translator's docs/JIT.md): the instruction budget
     * left in this slice, the block being executed, and smc_flag, set
     * when an invalidation happens while translated code may be running
     * (generated code checks it after stores, see smc.c). */
    int64_t budget;
    TBlock *cur_tb;
    uint8_t smc_flag;
    void *owner;          /* the translator's per-cache state */
    /* Code run once after a flush, e.g. the translator's trampolines. */
    void (*on_flush)(void *opaque);
    void *on_flush_opaque;
    CCStats stats;
} CodeCache;

/* Create a cache with `size` bytes of code memory (rounded up to 64 KB,
 * at least 64 KB) tracking code pages in `mem` (may be NULL in tests).
 * Returns NULL on failure. Installs mem->code_write. */
CodeCache *cc_create(size_t size, struct PhysMem *mem);
void cc_destroy(CodeCache *cc);
/* Drop every block; code memory is reused from the start. */
void cc_flush(CodeCache *cc);

/* Code memory (cache.c). cc_code_begin returns the RW pointer to free
 * space and its size; after emitting n bytes, cc_code_commit(n) reserves
 * them and returns their offset. Offsets map to both views. */
uint8_t *cc_code_begin(CodeCache *cc, size_t *avail);
size_t cc_code_commit(CodeCache *cc, size_t n);
/* rx - rw: what X64Asm needs as exec_delta. */
intptr_t cc_exec_delta(const CodeCache *cc);
/* Make code memory writable / executable (no-ops with dual mapping). */
void cc_begin_write(CodeCache *cc);
void cc_end_write(CodeCache *cc);
/* Side data that lives as long as the blocks (NULL when full). */
void *cc_data_alloc(CodeCache *cc, size_t size);
/* A fresh block descriptor (NULL when full). */
TBlock *cc_block_alloc(CodeCache *cc);

/* Lookup (lookup.c). The key is the physical address, EIP, CS base, CS
 * limit (instructions and branch targets were checked against it at
 * translation time) and the translator's mode bits. */
TBlock *cc_lookup(CodeCache *cc, uint64_t phys, uint32_t eip,
                  uint32_t cs_base, uint32_t cs_limit, uint32_t flags);
static inline bool cc_block_matches(const TBlock *tb, uint64_t phys,
                                    uint32_t eip, uint32_t cs_base,
                                    uint32_t cs_limit, uint32_t flags)
{
    return tb->valid && tb->phys == phys && tb->eip == eip &&
           tb->cs_base == cs_base && tb->cs_limit == cs_limit &&
           tb->flags == flags;
}
/* Publish a translated block: hash table and page lists; marks its
 * pages as code pages in mem. */
void cc_insert(CodeCache *cc, TBlock *tb);
/* Unpublish: hash table, page list (clearing the code-page flag when the
 * page has no blocks left) and jump cache. */
void cc_remove(CodeCache *cc, TBlock *tb);
/* Jump cache for indirect branches, keyed by EIP only (verified by the
 * caller against the full key). */
static inline unsigned cc_jc_index(uint32_t eip)
{
    return (eip ^ (eip >> CC_JMP_CACHE_BITS)) & ((1u << CC_JMP_CACHE_BITS) - 1);
}
static inline TBlock *cc_jmp_cache_get(CodeCache *cc, uint32_t eip)
{
    return cc->jmp_cache[cc_jc_index(eip)].tb;
}
/* Remember tb (valid, published) for its EIP, with its inline key. */
void cc_jmp_cache_set(CodeCache *cc, TBlock *tb);
void cc_jmp_cache_clear(CodeCache *cc);

/* Chaining (chain.c): make exit `slot` of `from` jump straight to `to`. */
void cc_chain(CodeCache *cc, TBlock *from, unsigned slot, TBlock *to);
/* The same for a guarded exit (CCExit.guard): the guard is set to
 * `addend`, the target page's TLB addend under which `to` was found; an
 * exit chained to another block (the page was remapped) is moved. */
void cc_chain_guarded(CodeCache *cc, TBlock *from, unsigned slot, TBlock *to,
                      uint64_t addend);
/* Undo every chain into and out of tb. */
void cc_unchain(CodeCache *cc, TBlock *tb);

/* Self-modifying code (smc.c): a guest write hit [pa, pa+len).
 * Invalidated blocks keep their host code until the next flush, except
 * the newest block when it is not the one running (cur_tb): its code and
 * side data are given back at once, so a loop that patches and reruns its
 * own code reuses the same (cache-warm) memory. */
void cc_invalidate_range(CodeCache *cc, uint64_t pa, unsigned len);
void cc_invalidate_block(CodeCache *cc, TBlock *tb);

/* Statistics (cache.c). */
void cc_stats_print(const CodeCache *cc, FILE *f);

#endif
