/*
 * cache.c — code memory of the translation cache (W^X), block and side
 * data pools, flush and statistics.
 *
 * The RX view is placed near the emulator's own text when the kernel
 * honours the hint, so that generated calls to C helpers are plain
 * `call rel32` (the encoder falls back to `mov r11, imm64; call r11`).
 */
#include "codecache/codecache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "machine/memmap.h"

#define CC_MIN_SIZE (64u * 1024)
/* Average host bytes per block used to size the descriptor pool. */
#define CC_BYTES_PER_BLOCK 96
/* Side data (decoded instruction copies) per byte of code. */
#define CC_DATA_RATIO 2

static void cc_write_hook(void *opaque, uint64_t pa, unsigned len)
{
    CodeCache *cc = opaque;
    cc->stats.smc_writes++;
    cc_invalidate_range(cc, pa, len);
}

/* A hint 1 GB below our own text keeps rel32 calls in range. */
static void *cc_near_hint(size_t size)
{
    uintptr_t text = (uintptr_t)&cc_create;
    uintptr_t gap = (uintptr_t)1 << 30;
    if (text < gap + size)
        return NULL;
    return (void *)((text - gap - size) & ~(uintptr_t)0xFFFF);
}

static int cc_map_dual(CodeCache *cc)
{
    int fd = memfd_create("x86bt-jit", MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (ftruncate(fd, (off_t)cc->size) < 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    void *rx = mmap(cc_near_hint(cc->size), cc->size, PROT_READ | PROT_EXEC,
                    MAP_SHARED, fd, 0);
    void *rw = mmap(NULL, cc->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (rx == MAP_FAILED || rw == MAP_FAILED) {
        int e = -errno;
        if (rx != MAP_FAILED)
            munmap(rx, cc->size);
        if (rw != MAP_FAILED)
            munmap(rw, cc->size);
        close(fd);
        return e;
    }
    cc->fd = fd;
    cc->rw = rw;
    cc->rx = rx;
    cc->dual = true;
    return 0;
}

static int cc_map_single(CodeCache *cc)
{
    void *p = mmap(cc_near_hint(cc->size), cc->size, PROT_READ | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    cc->fd = -1;
    cc->rw = cc->rx = p;
    cc->dual = false;
    return 0;
}

static void *cc_map_anon(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

CodeCache *cc_create(size_t size, PhysMem *mem)
{
    CodeCache *cc = calloc(1, sizeof *cc);
    if (!cc)
        return NULL;
    size = (size + CC_MIN_SIZE - 1) & ~(size_t)(CC_MIN_SIZE - 1);
    cc->size = size < CC_MIN_SIZE ? CC_MIN_SIZE : size;
    cc->fd = -1;
    if (cc_map_dual(cc) < 0 && cc_map_single(cc) < 0) {
        free(cc);
        return NULL;
    }
    cc->max_blocks = cc->size / CC_BYTES_PER_BLOCK;
    cc->data_size = cc->size * CC_DATA_RATIO;
    cc->blocks = cc_map_anon(cc->max_blocks * sizeof(TBlock));
    cc->data = cc_map_anon(cc->data_size);
    cc->mem = mem;
    cc_jmp_cache_clear(cc);
    if (mem) {
        cc->npages = mem->ram_size >> MEM_PAGE_SHIFT;
        cc->page_head = calloc(cc->npages ? cc->npages : 1, sizeof(TBlock *));
    }
    if (!cc->blocks || !cc->data || (mem && !cc->page_head)) {
        cc_destroy(cc);
        return NULL;
    }
    if (mem) {
        mem->code_write = cc_write_hook;
        mem->code_opaque = cc;
    }
    return cc;
}

void cc_destroy(CodeCache *cc)
{
    if (!cc)
        return;
    if (cc->mem && cc->mem->code_opaque == cc) {
        for (size_t p = 0; p < cc->npages; p++)
            if (cc->page_head[p])
                mem_set_code_page(cc->mem, (uint64_t)p << MEM_PAGE_SHIFT,
                                  false);
        cc->mem->code_write = NULL;
        cc->mem->code_opaque = NULL;
    }
    if (cc->rx && cc->rx != cc->rw)
        munmap(cc->rx, cc->size);
    if (cc->rw)
        munmap(cc->rw, cc->size);
    if (cc->fd >= 0)
        close(cc->fd);
    if (cc->blocks)
        munmap(cc->blocks, cc->max_blocks * sizeof(TBlock));
    if (cc->data)
        munmap(cc->data, cc->data_size);
    free(cc->page_head);
    free(cc);
}

void cc_flush(CodeCache *cc)
{
    for (size_t p = 0; p < cc->npages; p++) {
        if (cc->page_head[p]) {
            mem_set_code_page(cc->mem, (uint64_t)p << MEM_PAGE_SHIFT, false);
            cc->page_head[p] = NULL;
        }
    }
    memset(cc->hash, 0, sizeof cc->hash);
    cc_jmp_cache_clear(cc);
    cc->nblocks = 0;
    cc->used = 0;
    cc->data_used = 0;
    cc->stats.flushes++;
    /* Running code may have been discarded: make it leave at the next
     * check, as after an invalidation. */
    cc->smc_flag = 1;
    if (cc->on_flush)
        cc->on_flush(cc->on_flush_opaque);
}

uint8_t *cc_code_begin(CodeCache *cc, size_t *avail)
{
    *avail = cc->size - cc->used;
    return cc->rw + cc->used;
}

size_t cc_code_commit(CodeCache *cc, size_t n)
{
    size_t off = cc->used;
    /* Keep block entries 16-byte aligned for the branch predictor. */
    cc->used = (cc->used + n + 15) & ~(size_t)15;
    if (cc->used > cc->size)
        cc->used = cc->size;
    cc->stats.bytes += n;
    return off;
}

intptr_t cc_exec_delta(const CodeCache *cc)
{
    return (intptr_t)(cc->rx - cc->rw);
}

void cc_begin_write(CodeCache *cc)
{
    if (cc->dual || cc->writable)
        return;
    mprotect(cc->rw, cc->size, PROT_READ | PROT_WRITE);
    cc->writable = true;
}

void cc_end_write(CodeCache *cc)
{
    if (cc->dual || !cc->writable)
        return;
    mprotect(cc->rw, cc->size, PROT_READ | PROT_EXEC);
    cc->writable = false;
}

void *cc_data_alloc(CodeCache *cc, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (cc->data_used + size > cc->data_size)
        return NULL;
    void *p = cc->data + cc->data_used;
    cc->data_used += size;
    return p;
}

TBlock *cc_block_alloc(CodeCache *cc)
{
    if (cc->nblocks >= cc->max_blocks)
        return NULL;
    TBlock *tb = &cc->blocks[cc->nblocks++];
    memset(tb, 0, sizeof *tb);
    tb->data_off = cc->data_used;
    return tb;
}

void cc_stats_print(const CodeCache *cc, FILE *f)
{
    const CCStats *s = &cc->stats;
    double hit = s->lookups ? 100.0 * (double)s->hits / (double)s->lookups
                            : 0.0;
    fprintf(f,
            "translation cache: %zu KB (%s), %zu KB used, %zu blocks live\n"
            "  blocks translated %llu, host bytes %llu, guest bytes %llu\n"
            "  lookups %llu, hit rate %.1f%%, chains %llu, unchains %llu\n"
            "  invalidations %llu (code-page writes %llu), flushes %llu\n",
            cc->size / 1024, cc->dual ? "dual-mapped" : "mprotect",
            cc->used / 1024, cc->nblocks, (unsigned long long)s->blocks,
            (unsigned long long)s->bytes,
            (unsigned long long)s->guest_bytes,
            (unsigned long long)s->lookups, hit,
            (unsigned long long)s->chains, (unsigned long long)s->unchains,
            (unsigned long long)s->invalidations,
            (unsigned long long)s->smc_writes,
            (unsigned long long)s->flushes);
}
