/*
 * smc.c — invalidation of translations when guest code is written.
 *
 * Pages holding translated code are flagged MEM_PF_CODE in the physical
 * memory map; the CPU never installs a fast-path write TLB entry for such
 * pages, so every store to them reaches mem_write_slow (or phys_write for
 * DMA), which calls mem->code_write -> cc_invalidate_range. Blocks whose
 * guest bytes overlap the write are unlinked from lookup and unchained.
 * Their host code stays in memory until the next flush (but see
 * codecache.h: the newest block's memory is reused when it is not the one
 * running), so a block that invalidates itself can finish the current
 * instruction safely; smc_flag
 * tells generated code to leave at that instruction boundary, after which
 * the dispatcher retranslates from the new bytes (exact SMC, SDM vol. 3
 * section 11.6 — the P6 detects writes to prefetched code).
 */
#include "codecache/codecache.h"

#include "machine/memmap.h"

void cc_invalidate_block(CodeCache *cc, TBlock *tb)
{
    if (!tb->valid)
        return;
    cc_unchain(cc, tb);
    cc_remove(cc, tb);
    tb->valid = false;
    cc->stats.invalidations++;
    cc->smc_flag = 1;
    /* Nothing jumps into tb any more (unchained, unlisted); if it is the
     * newest block and not running, its memory can be reused now. The
     * descriptor stays allocated (and invalid): the dispatcher may still
     * hold it as its last exit. */
    if (tb != cc->cur_tb && tb->code_end && cc->used == tb->code_end &&
        cc->data_used == tb->data_end) {
        cc->used = tb->code_off;
        cc->data_used = tb->data_off;
    }
}

void cc_invalidate_range(CodeCache *cc, uint64_t pa, unsigned len)
{
    uint64_t end = pa + len;
    for (uint64_t p = pa >> MEM_PAGE_SHIFT;
         p < cc->npages && (p << MEM_PAGE_SHIFT) < end; p++) {
        TBlock *tb = cc->page_head[p];
        while (tb) {
            TBlock *next = tb->page_next;
            if (tb->phys < end && pa < tb->phys + tb->guest_len)
                cc_invalidate_block(cc, tb);
            tb = next;
        }
    }
}
