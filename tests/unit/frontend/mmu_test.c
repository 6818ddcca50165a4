/*
 * mmu_test.c — page walker and software TLB (src/frontend/mmu.c).
 * Each check cites the SDM vol. 3 section it follows. Faults are caught by
 * setjmp on cpu->jmp (cpu_raise longjmps there).
 */
#include <check.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/cpu_mem.h"
#include "frontend/except.h"
#include "frontend/mmu.h"
#include "frontend/seg.h"
#include "machine/vm.h"

#define RAM_SIZE (16u << 20)
#define PD 0x10000u
#define PT 0x11000u

typedef struct Env {
    VM *vm;
    CPUState *cpu;
} Env;

static Env env_new(void)
{
    Env e;
    e.vm = calloc(1, sizeof(*e.vm));
    ck_assert_ptr_nonnull(e.vm);
    log_init(&e.vm->log, LOG_ERROR);
    ck_assert_int_eq(mem_init(&e.vm->mem, RAM_SIZE, &e.vm->log), 0);
    for (unsigned i = 0; i < MEM_PAM_CHUNKS; i++)
        mem_set_pam(&e.vm->mem, i, (PamRoute){true, true});
    io_init(&e.vm->io, &e.vm->log);
    clock_init(&e.vm->clock, true, 0);
    e.vm->a20_mask = ~0ull;
    e.cpu = cpu_create(e.vm);
    ck_assert_ptr_nonnull(e.cpu);
    e.vm->cpu = e.cpu;
    cpu_reset(e.cpu);
    return e;
}

static void env_free(Env *e)
{
    cpu_destroy(e->cpu);
    mem_fini(&e->vm->mem);
    free(e->vm);
}

static uint32_t rd32(Env *e, uint32_t pa)
{
    uint32_t v;
    memcpy(&v, e->vm->mem.ram + pa, 4);
    return v;
}

static void wr32(Env *e, uint32_t pa, uint32_t v)
{
    memcpy(e->vm->mem.ram + pa, &v, 4);
}

/* Identity-map 0-4 MB with 4 KB pages (P|W|U) and turn paging on. */
static void paging_on(Env *e, uint32_t cr4)
{
    for (uint32_t i = 0; i < 1024; i++)
        wr32(e, PT + i * 4, (i << 12) | 7);
    wr32(e, PD, PT | 7);
    e->cpu->cr3 = PD;
    e->cpu->cr4 = cr4;
    e->cpu->cr0 |= CR0_PE | CR0_PG;
    cpu_update_mode(e->cpu);
    cpu_tlb_flush(e->cpu);
}

/* Translate and return the #PF error code, or -1 if no fault. */
static int try_translate(Env *e, uint32_t lin, int acc, int user,
                         uint64_t *pa)
{
    CPUState *cpu = e->cpu;
    if (setjmp(cpu->jmp)) {
        ck_assert_int_eq(cpu->exc_vector, EXC_PF);
        return (int)cpu->exc_error;
    }
    *pa = mmu_translate(cpu, lin, acc, user);
    return -1;
}

/* SDM 4.3, 4.8: a read sets A in PDE and PTE, a write sets D. */
START_TEST(test_ad_bits)
{
    Env e = env_new();
    paging_on(&e, 0);
    uint64_t pa;
    ck_assert_int_eq(try_translate(&e, 0x123456, ACC_READ, 0, &pa), -1);
    ck_assert_uint_eq(pa, 0x123456);
    ck_assert_uint_eq(rd32(&e, PT + 0x123 * 4) & 0x60, 0x20);
    ck_assert_uint_eq(rd32(&e, PD) & 0x20, 0x20);
    ck_assert_int_eq(try_translate(&e, 0x123456, ACC_WRITE, 0, &pa), -1);
    ck_assert_uint_eq(rd32(&e, PT + 0x123 * 4) & 0x60, 0x60);
    env_free(&e);
}
END_TEST

/* SDM 4.7: error code bits P, W/R, U/S; CR2 = faulting linear address. */
START_TEST(test_fault_codes)
{
    Env e = env_new();
    paging_on(&e, 0);
    uint64_t pa;
    wr32(&e, PT + 0x200 * 4, 0);
    ck_assert_int_eq(try_translate(&e, 0x200010, ACC_READ, 0, &pa), 0);
    ck_assert_uint_eq(e.cpu->cr2, 0x200010);
    ck_assert_int_eq(try_translate(&e, 0x200010, ACC_WRITE, 1, &pa), 6);
    wr32(&e, PT + 0x201 * 4, 0x201000 | 3); /* supervisor */
    ck_assert_int_eq(try_translate(&e, 0x201000, ACC_READ, 1, &pa), 5);
    ck_assert_int_eq(try_translate(&e, 0x201000, ACC_READ, 0, &pa), -1);
    wr32(&e, PT + 0x202 * 4, 0x202000 | 5); /* user read-only */
    ck_assert_int_eq(try_translate(&e, 0x202000, ACC_WRITE, 1, &pa), 7);
    /* SDM 4.6: supervisor writes to read-only pages only fault with WP. */
    ck_assert_int_eq(try_translate(&e, 0x202000, ACC_WRITE, 0, &pa), -1);
    e.cpu->cr0 |= CR0_WP;
    ck_assert_int_eq(try_translate(&e, 0x202000, ACC_WRITE, 0, &pa), 3);
    env_free(&e);
}
END_TEST

/* SDM 4.3: with CR4.PSE a PDE with PS maps 4 MB; bits 21:13 are reserved
 * on a CPU without PSE-36 (fault with RSVD|P). */
START_TEST(test_pse)
{
    Env e = env_new();
    paging_on(&e, CR4_PSE);
    uint64_t pa;
    wr32(&e, PD + 1 * 4, 0x800000 | 0x87);
    ck_assert_int_eq(try_translate(&e, 0x412345, ACC_WRITE, 1, &pa), -1);
    ck_assert_uint_eq(pa, 0x812345);
    ck_assert_uint_eq(rd32(&e, PD + 4) & 0x60, 0x60);
    wr32(&e, PD + 2 * 4, 0xC00000 | 0x2000 | 0x87);
    ck_assert_int_eq(try_translate(&e, 0x800000, ACC_READ, 0, &pa), 9);
    env_free(&e);
}
END_TEST

/* SDM 4.4: PAE with a 2 MB page and a reserved bit above 36 bits. */
START_TEST(test_pae)
{
    Env e = env_new();
    CPUState *cpu = e.cpu;
    uint32_t pdpt = 0x20000, pd = 0x21000;
    memset(cpu->vm->mem.ram + pdpt, 0, 0x2000);
    wr32(&e, pdpt, pd | 1);
    wr32(&e, pd + 8, 0x600000 | 0x87);        /* 2-4 MB -> 6 MB */
    wr32(&e, pd + 16, 0x800000 | 0x87);
    wr32(&e, pd + 16 + 4, 0x100);             /* bit 40: reserved */
    cpu->cr3 = pdpt;
    cpu->cr4 = CR4_PAE;
    cpu->cr0 |= CR0_PE | CR0_PG;
    cpu_update_mode(cpu);
    cpu_tlb_flush(cpu);
    uint64_t pa;
    ck_assert_int_eq(try_translate(&e, 0x212345, ACC_READ, 0, &pa), -1);
    ck_assert_uint_eq(pa, 0x612345);
    ck_assert_int_eq(try_translate(&e, 0x400000, ACC_READ, 0, &pa), 9);
    ck_assert_int_eq(try_translate(&e, 0x40000000, ACC_READ, 0, &pa), 0);
    ck_assert(mmu_pdpte_valid(cpu, pdpt));
    wr32(&e, pdpt + 8, 0x22000 | 1 | 0x100); /* reserved bit 8 */
    ck_assert(!mmu_pdpte_valid(cpu, pdpt));
    env_free(&e);
}
END_TEST

/* Read through the TLB; returns the value or faults the test. */
static uint32_t ld(Env *e, uint32_t lin)
{
    if (setjmp(e->cpu->jmp))
        ck_abort_msg("unexpected fault at %#x", lin);
    return cpu_ld_linear32(e->cpu, lin);
}

/* SDM 4.10.4: a CR3 load flushes non-global entries only (CR4.PGE);
 * INVLPG removes global entries too. */
START_TEST(test_global_pages)
{
    Env e = env_new();
    paging_on(&e, CR4_PGE);
    wr32(&e, 0x300000, 0xAAAA);
    wr32(&e, 0x301000, 0xBBBB);
    wr32(&e, PT + 0x300 * 4, 0x300000 | 0x107); /* global */
    wr32(&e, PT + 0x302 * 4, 0x300000 | 0x007); /* not global */
    ck_assert_uint_eq(ld(&e, 0x300000), 0xAAAA);
    ck_assert_uint_eq(ld(&e, 0x302000), 0xAAAA);
    wr32(&e, PT + 0x300 * 4, 0x301000 | 0x107);
    wr32(&e, PT + 0x302 * 4, 0x301000 | 0x007);
    mmu_flush_nonglobal(e.cpu);
    ck_assert_uint_eq(ld(&e, 0x300000), 0xAAAA); /* stale global entry */
    ck_assert_uint_eq(ld(&e, 0x302000), 0xBBBB);
    mmu_invlpg(e.cpu, 0x300000);
    ck_assert_uint_eq(ld(&e, 0x300000), 0xBBBB);
    env_free(&e);
}
END_TEST

/* Flushes visit only the entries filled since the last flush (the used
 * lists): a MOV CR3-style flush must still drop every non-global entry
 * and keep the global ones, a full flush drops all, and refills after
 * INVLPG never list an index twice. */
START_TEST(test_tlb_used_lists)
{
    Env e = env_new();
    CPUState *cpu = e.cpu;
    paging_on(&e, CR4_PGE);
    for (uint32_t pg = 0x100; pg < 0x100 + TLB_SIZE + 40; pg++)
        wr32(&e, PT + (pg & 0x3FF) * 4, (pg << 12) | (pg & 1 ? 0x107 : 7));
    wr32(&e, PD + 4, PT | 7); /* 4-8 MB: the same table, so the indices wrap */
    for (uint32_t pg = 0x100; pg < 0x100 + TLB_SIZE + 40; pg++)
        ld(&e, pg << 12);
    ck_assert_uint_le(cpu->tlb.nused[0], TLB_SIZE);
    for (unsigned i = 0; i < 8; i++) {
        mmu_invlpg(cpu, (0x100 + i) << 12);
        ld(&e, (0x100 + i) << 12);
    }
    ck_assert_uint_le(cpu->tlb.nused[0], TLB_SIZE);
    mmu_flush_nonglobal(cpu);
    unsigned kept = 0;
    for (unsigned i = 0; i < TLB_SIZE; i++) {
        const TlbEntry *t = &cpu->tlb.e[0][i];
        bool valid = t->tag_read != TLB_TAG_INVALID;
        if (valid) {
            kept++;
            ck_assert(cpu->tlb.global[0][i]);
            ck_assert(cpu->tlb.listed[0][i]);
        }
    }
    ck_assert_uint_eq(kept, cpu->tlb.nused[0]);
    ck_assert_uint_gt(kept, 0);
    cpu_tlb_flush(cpu);
    ck_assert_uint_eq(cpu->tlb.nused[0], 0);
    for (unsigned i = 0; i < TLB_SIZE; i++) {
        ck_assert_uint_eq(cpu->tlb.e[0][i].tag_read, TLB_TAG_INVALID);
        ck_assert(!cpu->tlb.listed[0][i]);
    }
    env_free(&e);
}
END_TEST

/* The first store to a clean page must walk (and set D) even if reads of
 * that page are already cached (SDM 4.8). */
START_TEST(test_dirty_after_cached_read)
{
    Env e = env_new();
    paging_on(&e, 0);
    ck_assert_uint_eq(ld(&e, 0x305000), 0);
    ck_assert_uint_eq(rd32(&e, PT + 0x305 * 4) & 0x40, 0);
    if (setjmp(e.cpu->jmp))
        ck_abort_msg("unexpected fault");
    cpu_st_linear32(e.cpu, 0x305000, 0x1234);
    ck_assert_uint_eq(rd32(&e, PT + 0x305 * 4) & 0x40, 0x40);
    ck_assert_uint_eq(rd32(&e, 0x305000), 0x1234);
    env_free(&e);
}
END_TEST

/* A page-crossing read whose second page is missing faults with CR2 at
 * the start of that page and has no side effect. */
START_TEST(test_page_crossing)
{
    Env e = env_new();
    paging_on(&e, 0);
    wr32(&e, PT + 0x307 * 4, 0);
    if (setjmp(e.cpu->jmp)) {
        ck_assert_int_eq(e.cpu->exc_vector, EXC_PF);
        ck_assert_uint_eq(e.cpu->cr2, 0x307000);
        ck_assert_uint_eq(rd32(&e, 0x306FFC), 0);
        env_free(&e);
        return;
    }
    cpu_st_linear32(e.cpu, 0x306FFE, 0xFFFFFFFF);
    ck_abort_msg("no fault");
}
END_TEST

/* The A20 mask applies to physical addresses (paging off). */
START_TEST(test_a20)
{
    Env e = env_new();
    wr32(&e, 0x10, 0x5555);
    e.vm->a20_mask = ~(1ull << 20);
    cpu_tlb_flush(e.cpu);
    ck_assert_uint_eq(ld(&e, 0x100010), 0x5555);
    e.vm->a20_mask = ~0ull;
    cpu_tlb_flush(e.cpu);
    ck_assert_uint_eq(ld(&e, 0x100010), 0);
    env_free(&e);
}
END_TEST

/* Code pages lose their fast write path; a memory-map change (PAM,
 * regions) flushes the TLB. */
START_TEST(test_code_page_and_map_gen)
{
    Env e = env_new();
    CPUState *cpu = e.cpu;
    if (setjmp(cpu->jmp))
        ck_abort_msg("unexpected fault");
    cpu_st_linear32(cpu, 0x5000, 1);
    TlbEntry *t = &cpu->tlb.e[0][5];
    ck_assert_uint_eq(t->tag_write, 0x5000);
    /* The memory map noted that a write pointer was handed out ... */
    ck_assert(e.vm->mem.page_flags[5] & MEM_PF_WPTR);
    mmu_protect_code_page(cpu, 0x5000);
    ck_assert_uint_eq(t->tag_write, TLB_TAG_INVALID);
    ck_assert_uint_eq(t->tag_read, 0x5000);
    /* ... and the scan cleared the note: the next call scans nothing. */
    ck_assert(!(e.vm->mem.page_flags[5] & MEM_PF_WPTR));
    t->tag_write = 0x5000; /* (not via mem_page_ptr: must stay) */
    mmu_protect_code_page(cpu, 0x5000);
    ck_assert_uint_eq(t->tag_write, 0x5000);
    t->tag_write = TLB_TAG_INVALID;
    mmu_check_map(cpu);
    ck_assert_uint_eq(t->tag_read, 0x5000);
    e.vm->mem.map_gen++;
    mmu_check_map(cpu);
    ck_assert_uint_eq(t->tag_read, TLB_TAG_INVALID);
    env_free(&e);
}
END_TEST

/* The generation of the site copies (translator/emit_mem.c): every
 * event that removes or narrows a translation advances it, and after
 * 2^32 events it starts over with all copies cleared. */
START_TEST(test_site_generation)
{
    Env e = env_new();
    CPUState *cpu = e.cpu;
    SoftTlb *t = &cpu->tlb;
    if (setjmp(cpu->jmp))
        ck_abort_msg("unexpected fault");
    ck_assert_uint_ne(t->site_gen, 0);
    uint64_t g = t->site_gen;
    cpu_tlb_flush(cpu);
    ck_assert_uint_eq(t->site_gen, g + (1ull << 32));
    mmu_flush_nonglobal(cpu);
    mmu_invlpg(cpu, 0x7000); /* no entry for it: still an event */
    ck_assert_uint_eq(t->site_gen, g + (3ull << 32));
    cpu_st_linear32(cpu, 0x5000, 1); /* a write pointer handed out */
    g = t->site_gen;
    mmu_protect_code_page(cpu, 0x5000);
    ck_assert_uint_eq(t->site_gen, g + (1ull << 32));
    mmu_protect_code_page(cpu, 0x5000); /* nothing to narrow */
    ck_assert_uint_eq(t->site_gen, g + (1ull << 32));
    t->site[5].key = 0x5000 | t->site_gen;
    t->site_gen = 0xFFFFFFFF00000000ull;
    cpu_tlb_flush(cpu);
    ck_assert_uint_eq(t->site_gen, 1ull << 32);
    ck_assert_uint_eq(t->site[5].key, 0);
    env_free(&e);
}
END_TEST

static Suite *mmu_suite(void)
{
    Suite *s = suite_create("mmu");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_ad_bits);
    tcase_add_test(tc, test_fault_codes);
    tcase_add_test(tc, test_pse);
    tcase_add_test(tc, test_pae);
    tcase_add_test(tc, test_global_pages);
    tcase_add_test(tc, test_tlb_used_lists);
    tcase_add_test(tc, test_dirty_after_cached_read);
    tcase_add_test(tc, test_page_crossing);
    tcase_add_test(tc, test_a20);
    tcase_add_test(tc, test_site_generation);
    tcase_add_test(tc, test_code_page_and_map_gen);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(mmu_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
