/*
 * chain.c — block chaining: a block's direct exit `jmp rel32` initially
 * targets the block's own exit stub (which returns to the dispatcher with
 * the next EIP); once the successor is translated, the rel32 is patched
 * to the successor's entry, so hot loops never leave generated code.
 * Each target keeps a list of (source block, exit slot) pairs jumping to
 * it, so invalidating it can patch them all back to their stubs.
 */
#include "codecache/codecache.h"

#include <assert.h>

#include "translator/x64_asm.h"

static void cc_patch_exit(CodeCache *cc, TBlock *tb, unsigned slot,
                          uintptr_t target)
{
    CCExit *e = &tb->exit[slot];
    cc_begin_write(cc);
    x64_patch_rel32(cc->rw + e->site, (uintptr_t)(cc->rx + e->site), target);
    cc_end_write(cc);
}

void cc_chain(CodeCache *cc, TBlock *from, unsigned slot, TBlock *to)
{
    assert(slot < CC_MAX_EXITS);
    CCExit *e = &from->exit[slot];
    if (!e->site || e->target || !to->valid || !from->valid)
        return;
    /* A block's jump to itself may use its dedicated loop entry. */
    uintptr_t entry = (uintptr_t)to->code;
    if (from == to && to->loop_entry)
        entry += to->loop_entry;
    cc_patch_exit(cc, from, slot, entry);
    e->target = to;
    e->next_src = to->in_head;
    e->next_slot = to->in_slot;
    to->in_head = from;
    to->in_slot = (uint8_t)slot;
    cc->stats.chains++;
}

static void cc_unlink_in(TBlock *src, unsigned slot);

void cc_chain_guarded(CodeCache *cc, TBlock *from, unsigned slot, TBlock *to,
                      uint64_t addend)
{
    assert(slot < CC_MAX_EXITS);
    CCExit *e = &from->exit[slot];
    /* Chained to the same block: the same physical page, hence the same
     * addend; the guard missed only because the entry was not filled. */
    if (!e->guard || e->target == to || !to->valid || !from->valid)
        return;
    if (e->target)
        cc_unlink_in(from, slot);
    cc_begin_write(cc);
    x64_patch_imm64(cc->rw + e->guard, addend);
    cc_end_write(cc);
    cc_chain(cc, from, slot, to);
}

/* Remove (src, slot) from the incoming list of its target. */
static void cc_unlink_in(TBlock *src, unsigned slot)
{
    CCExit *e = &src->exit[slot];
    TBlock *to = e->target;
    TBlock **pb = &to->in_head;
    uint8_t *ps = &to->in_slot;
    while (*pb) {
        CCExit *cur = &(*pb)->exit[*ps];
        if (*pb == src && *ps == slot) {
            *pb = cur->next_src;
            *ps = cur->next_slot;
            break;
        }
        pb = &cur->next_src;
        ps = &cur->next_slot;
    }
    e->target = NULL;
    e->next_src = NULL;
}

void cc_unchain(CodeCache *cc, TBlock *tb)
{
    /* Incoming: every source jumps back to its own stub. */
    TBlock *src = tb->in_head;
    unsigned slot = tb->in_slot;
    while (src) {
        CCExit *e = &src->exit[slot];
        TBlock *next = e->next_src;
        unsigned next_slot = e->next_slot;
        cc_patch_exit(cc, src, slot, (uintptr_t)(cc->rx + e->stub));
        e->target = NULL;
        e->next_src = NULL;
        cc->stats.unchains++;
        src = next;
        slot = next_slot;
    }
    tb->in_head = NULL;
    /* Outgoing: leave the targets' lists. */
    for (unsigned i = 0; i < CC_MAX_EXITS; i++)
        if (tb->exit[i].target)
            cc_unlink_in(tb, i);
}
