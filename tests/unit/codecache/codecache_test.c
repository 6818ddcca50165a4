/*
 * codecache_test.c — code memory is executable through the RX view and
 * written through the RW view; blocks are found by their full key;
 * chaining patches direct jumps and invalidation undoes them; writes to
 * code pages invalidate exactly the overlapping blocks; flush empties it.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "codecache/codecache.h"
#include "machine/memmap.h"
#include "translator/x64_asm.h"

typedef int (*TestFn)(void);

/* Emit "mov eax, value; jmp <exit>" where the jmp is exit slot 0 and the
 * stub is "mov eax, -value; ret". Calling the block returns value via the
 * chained successor, or -value when unchained. */
static TBlock *make_block_g(CodeCache *cc, uint64_t phys, uint32_t eip,
                            int value, bool guard)
{
    size_t avail;
    uint8_t *p = cc_code_begin(cc, &avail);
    X64Asm a;
    x64_init(&a, p, avail, cc_exec_delta(cc));
    TBlock *tb = cc_block_alloc(cc);
    ck_assert_ptr_nonnull(tb);
    /* A guarded exit's imm64 (CCExit.guard); here only patched. */
    size_t g = guard ? x64_emit_movabs_site(&a, X64_RDX, 0) : 0;
    x64_emit_mov_ri(&a, 4, X64_RAX, (uint32_t)value);
    size_t site = x64_emit_jmp_site(&a);
    size_t stub = a.len;
    x64_emit_mov_ri(&a, 4, X64_RAX, (uint32_t)-value);
    x64_emit_ret(&a);
    x64_bind_to(&a, site, (uintptr_t)(cc->rx + cc->used + stub));
    ck_assert(!a.overflow);
    size_t off = cc_code_commit(cc, a.len);
    tb->phys = phys;
    tb->eip = eip;
    tb->cs_limit = 0xFFFFFFFF;
    tb->guest_len = 16;
    tb->code = cc->rx + off;
    tb->code_off = (uint32_t)off;
    tb->code_len = (uint32_t)a.len;
    tb->exit[0].site = (uint32_t)(off + site);
    tb->exit[0].stub = (uint32_t)(off + stub);
    tb->exit[0].guard = guard ? (uint32_t)(off + g) : 0;
    cc_insert(cc, tb);
    return tb;
}

static TBlock *make_block(CodeCache *cc, uint64_t phys, uint32_t eip,
                          int value)
{
    return make_block_g(cc, phys, eip, value, false);
}

static uint64_t guard_value(const CodeCache *cc, const TBlock *tb)
{
    uint64_t v;
    memcpy(&v, cc->rw + tb->exit[0].guard, 8);
    return v;
}

/* A block that is just "mov eax, value; ret". */
static int run(TBlock *tb)
{
    TestFn fn;
    void *code = tb->code;
    memcpy(&fn, &code, sizeof fn);
    return fn();
}

START_TEST(test_views_are_wx)
{
    CodeCache *cc = cc_create(1, NULL);
    ck_assert_ptr_nonnull(cc);
    ck_assert_uint_eq(cc->size, 64 * 1024);
    if (cc->dual)
        ck_assert_ptr_ne(cc->rw, cc->rx);
    TBlock *tb = make_block(cc, 0x1000, 0x1000, 7);
    ck_assert_int_eq(run(tb), -7);
    cc_destroy(cc);
}
END_TEST

START_TEST(test_lookup_key)
{
    CodeCache *cc = cc_create(1 << 20, NULL);
    TBlock *tb = make_block(cc, 0x5000, 0x100, 1);
    tb->cs_base = 0;
    ck_assert_ptr_eq(cc_lookup(cc, 0x5000, 0x100, 0, 0xFFFFFFFF, 0), tb);
    ck_assert_ptr_null(cc_lookup(cc, 0x5000, 0x100, 0, 0xFFFFFFFF, 1));
    ck_assert_ptr_null(cc_lookup(cc, 0x5000, 0x101, 0, 0xFFFFFFFF, 0));
    ck_assert_ptr_null(cc_lookup(cc, 0x6000, 0x100, 0, 0xFFFFFFFF, 0));
    ck_assert_ptr_null(cc_lookup(cc, 0x5000, 0x100, 0x10, 0xFFFFFFFF, 0));
    /* The CS limit is part of the key (a block may hold instructions or
     * branch targets beyond a smaller limit). */
    ck_assert_ptr_null(cc_lookup(cc, 0x5000, 0x100, 0, 0xFFFF, 0));
    ck_assert_uint_eq(cc->stats.lookups, 6);
    ck_assert_uint_eq(cc->stats.hits, 1);
    cc_destroy(cc);
}
END_TEST

START_TEST(test_chain_unchain)
{
    CodeCache *cc = cc_create(1 << 20, NULL);
    TBlock *a = make_block(cc, 0x1000, 0x1000, 5);
    TBlock *b = make_block(cc, 0x2000, 0x2000, 9);
    ck_assert_int_eq(run(a), -5);
    cc_chain(cc, a, 0, b);
    /* a jumps into b, which sets 9 and exits through its own stub. */
    ck_assert_int_eq(run(a), -9);
    ck_assert_ptr_eq(b->in_head, a);
    cc_invalidate_block(cc, b);
    ck_assert_int_eq(run(a), -5);
    ck_assert_ptr_null(a->exit[0].target);
    ck_assert_ptr_null(cc_lookup(cc, 0x2000, 0x2000, 0, 0xFFFFFFFF, 0));
    ck_assert_uint_eq(cc->stats.unchains, 1);
    /* Chaining to an invalid block is refused. */
    cc_chain(cc, a, 0, b);
    ck_assert_int_eq(run(a), -5);
    cc_destroy(cc);
}
END_TEST

/* A guarded (cross-page) exit: chaining sets its addend; after a remap
 * the chain moves to the block the dispatcher found; the same block again
 * changes nothing; invalidation undoes it as for any chain. */
START_TEST(test_chain_guarded)
{
    CodeCache *cc = cc_create(1 << 20, NULL);
    TBlock *a = make_block_g(cc, 0x1000, 0x1000, 5, true);
    TBlock *b = make_block(cc, 0x2000, 0x2000, 9);
    TBlock *c = make_block(cc, 0x3000, 0x2000, 11);
    cc_chain_guarded(cc, a, 0, b, 0x1111);
    ck_assert_int_eq(run(a), -9);
    ck_assert_uint_eq(guard_value(cc, a), 0x1111);
    cc_chain_guarded(cc, a, 0, c, 0x2222);
    ck_assert_int_eq(run(a), -11);
    ck_assert_uint_eq(guard_value(cc, a), 0x2222);
    ck_assert_ptr_null(b->in_head);
    ck_assert_ptr_eq(c->in_head, a);
    cc_chain_guarded(cc, a, 0, c, 0x3333);
    ck_assert_uint_eq(guard_value(cc, a), 0x2222);
    ck_assert_uint_eq(cc->stats.chains, 2);
    cc_invalidate_block(cc, c);
    ck_assert_int_eq(run(a), -5);
    ck_assert_ptr_null(a->exit[0].target);
    /* An unguarded exit is never chained this way. */
    TBlock *d = make_block(cc, 0x4000, 0x4000, 3);
    cc_chain_guarded(cc, d, 0, b, 0x1111);
    ck_assert_ptr_null(d->exit[0].target);
    cc_destroy(cc);
}
END_TEST

/* The jump cache keeps the block for its EIP; without RAM (no memory
 * map here) it has no inline key (mode bits ~0); removal clears it. */
START_TEST(test_jmp_cache)
{
    CodeCache *cc = cc_create(1 << 20, NULL);
    TBlock *a = make_block(cc, 0x1000, 0x1234, 1);
    ck_assert_ptr_null(cc_jmp_cache_get(cc, 0x1234));
    cc_jmp_cache_set(cc, a);
    ck_assert_ptr_eq(cc_jmp_cache_get(cc, 0x1234), a);
    const CCJump *j = &cc->jmp_cache[cc_jc_index(0x1234)];
    ck_assert_uint_eq(j->eip, 0x1234);
    ck_assert_uint_eq(j->flags, ~0u);
    ck_assert_ptr_eq(j->code, a->code);
    cc_invalidate_block(cc, a);
    ck_assert_ptr_null(cc_jmp_cache_get(cc, 0x1234));
    ck_assert_uint_eq(j->flags, ~0u);
    cc_destroy(cc);
}
END_TEST

START_TEST(test_invalidate_source_unlinks)
{
    CodeCache *cc = cc_create(1 << 20, NULL);
    TBlock *a = make_block(cc, 0x1000, 0x1000, 1);
    TBlock *b = make_block(cc, 0x1100, 0x1100, 2);
    TBlock *c = make_block(cc, 0x1200, 0x1200, 3);
    cc_chain(cc, a, 0, c);
    cc_chain(cc, b, 0, c);
    cc_invalidate_block(cc, a);
    ck_assert_ptr_eq(c->in_head, b);
    ck_assert_int_eq(run(b), -3);
    cc_invalidate_block(cc, c);
    ck_assert_int_eq(run(b), -2);
    cc_destroy(cc);
}
END_TEST

START_TEST(test_smc_page_tracking)
{
    PhysMem mem;
    memset(&mem, 0, sizeof mem);
    ck_assert_int_eq(mem_init(&mem, 1 << 20, NULL), 0);
    CodeCache *cc = cc_create(1 << 20, &mem);
    TBlock *a = make_block(cc, 0x3000, 0x3000, 1); /* 0x3000-0x300f */
    TBlock *b = make_block(cc, 0x3020, 0x3020, 2); /* 0x3020-0x302f */
    ck_assert(mem.page_flags[3] & MEM_PF_CODE);
    /* A data write on the page that misses both blocks. */
    uint8_t v = 0x90;
    ck_assert_int_eq(phys_write(&mem, 0x3010, &v, 1), 0);
    ck_assert(a->valid && b->valid);
    ck_assert_int_eq(phys_write(&mem, 0x302f, &v, 1), 0);
    ck_assert(a->valid && !b->valid);
    ck_assert(mem.page_flags[3] & MEM_PF_CODE);
    mem_write_slow(&mem, 0x3000, 0x12345678, 4);
    ck_assert(!a->valid);
    ck_assert(!(mem.page_flags[3] & MEM_PF_CODE));
    ck_assert_uint_eq(cc->stats.invalidations, 2);
    ck_assert(cc->smc_flag);
    cc_destroy(cc);
    ck_assert_ptr_null(mem.code_write);
    mem_fini(&mem);
}
END_TEST

/* The newest block's memory is given back when it is invalidated while
 * not running; an older block's, or the running one's, is not. */
START_TEST(test_smc_reuses_newest)
{
    PhysMem mem;
    memset(&mem, 0, sizeof mem);
    ck_assert_int_eq(mem_init(&mem, 1 << 20, NULL), 0);
    CodeCache *cc = cc_create(1 << 20, &mem);
    TBlock *a = make_block(cc, 0x3000, 0x3000, 1);
    size_t after_a = cc->used, data_a = cc->data_used;
    TBlock *b = make_block(cc, 0x3020, 0x3020, 2);
    ck_assert_uint_gt(cc->used, after_a);
    uint8_t v = 0x90;
    /* b is the newest and not running: its memory is reused. */
    ck_assert_int_eq(phys_write(&mem, 0x3020, &v, 1), 0);
    ck_assert(!b->valid);
    ck_assert_uint_eq(cc->used, after_a);
    ck_assert_uint_eq(cc->data_used, data_a);
    TBlock *c = make_block(cc, 0x3020, 0x3020, 3);
    ck_assert_ptr_eq(c->code, b->code);
    ck_assert_int_eq(run(c), -3);
    /* The running block keeps its memory... */
    size_t after_c = cc->used;
    cc->cur_tb = c;
    ck_assert_int_eq(phys_write(&mem, 0x3021, &v, 1), 0);
    ck_assert(!c->valid);
    ck_assert_uint_eq(cc->used, after_c);
    cc->cur_tb = NULL;
    /* ... and so does one that is not the newest. */
    make_block(cc, 0x5000, 0x5000, 4);
    size_t top = cc->used;
    ck_assert_int_eq(phys_write(&mem, 0x3000, &v, 1), 0);
    ck_assert(!a->valid);
    ck_assert_uint_eq(cc->used, top);
    cc_destroy(cc);
    mem_fini(&mem);
}
END_TEST

START_TEST(test_flush_when_full)
{
    PhysMem mem;
    memset(&mem, 0, sizeof mem);
    ck_assert_int_eq(mem_init(&mem, 1 << 20, NULL), 0);
    CodeCache *cc = cc_create(64 * 1024, &mem);
    unsigned made = 0;
    for (;;) {
        size_t avail;
        cc_code_begin(cc, &avail);
        if (avail < 64 || cc->nblocks == cc->max_blocks)
            break;
        make_block(cc, 0x4000 + made * 16, made, (int)made + 1);
        made++;
    }
    ck_assert_uint_gt(made, 100);
    ck_assert(mem.page_flags[4] & MEM_PF_CODE);
    cc_flush(cc);
    ck_assert_uint_eq(cc->nblocks, 0);
    ck_assert_uint_eq(cc->used, 0);
    ck_assert_uint_eq(cc->stats.flushes, 1);
    ck_assert(!(mem.page_flags[4] & MEM_PF_CODE));
    ck_assert_ptr_null(cc_lookup(cc, 0x4000, 0, 0, 0xFFFFFFFF, 0));
    TBlock *tb = make_block(cc, 0x4000, 0, 42);
    ck_assert_int_eq(run(tb), -42);
    cc_destroy(cc);
    mem_fini(&mem);
}
END_TEST

START_TEST(test_stats_print)
{
    CodeCache *cc = cc_create(1 << 20, NULL);
    make_block(cc, 0x1000, 0x1000, 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cc_stats_print(cc, f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "blocks translated 1"));
    free(buf);
    cc_destroy(cc);
}
END_TEST

static Suite *codecache_suite(void)
{
    Suite *s = suite_create("codecache");
    TCase *tc = tcase_create("cache");
    tcase_add_test(tc, test_views_are_wx);
    tcase_add_test(tc, test_lookup_key);
    tcase_add_test(tc, test_chain_unchain);
    tcase_add_test(tc, test_chain_guarded);
    tcase_add_test(tc, test_jmp_cache);
    tcase_add_test(tc, test_invalidate_source_unlinks);
    tcase_add_test(tc, test_smc_page_tracking);
    tcase_add_test(tc, test_smc_reuses_newest);
    tcase_add_test(tc, test_flush_when_full);
    tcase_add_test(tc, test_stats_print);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(codecache_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
