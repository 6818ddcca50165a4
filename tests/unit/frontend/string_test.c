/*
 * Unit tests for the REP MOVS/STOS runs of exec_string.c (str_bulk): the
 * result of every run must be what the element-by-element definition
 * gives (SDM vol. 2 MOVS/STOS, REP): overlapping forward copies repeat
 * the pattern, runs stop at page ends and segment limits, a fault in the
 * middle leaves ECX/ESI/EDI at the faulting element, DF=1 runs go
 * down (overlap the other way round), 16-bit addresses keep working, and
 * a pending interrupt ends the instruction
 * early with EIP still at it. Real mode with 4 GB data segment limits
 * ("unreal"), paging off.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/cpu_state.h"
#include "frontend/seg.h"
#include "machine/vm.h"

#define CODE 0x7C00u

static VM *V;
static CPUState *C;

static int ack(void *opaque)
{
    (void)opaque;
    V->intr_line = false;
    return 0x40;
}

static void setup(void)
{
    V = calloc(1, sizeof(*V));
    log_init(&V->log, LOG_ERROR);
    ck_assert_int_eq(mem_init(&V->mem, 1 << 20, &V->log), 0);
    io_init(&V->io, &V->log);
    clock_init(&V->clock, true, 0);
    V->a20_mask = ~0ull;
    V->intr_ack = ack;
    C = cpu_create(V);
    V->cpu = C;
    for (int s = 0; s < SEG_COUNT; s++)
        seg_load_real(C, s, 0);
    C->seg[SEG_DS].limit = C->seg[SEG_ES].limit = 0xFFFFFFFFu;
    C->eip = CODE;
    C->regs[R_ESP] = 0x8000;
}

static void teardown(void)
{
    cpu_destroy(C);
    mem_fini(&V->mem);
    free(V);
}

static void code(const uint8_t *b, size_t n)
{
    memcpy(V->mem.ram + CODE, b, n);
}

static void fill_pattern(uint32_t a, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        V->mem.ram[a + i] = (uint8_t)(i * 7 + 3);
}

/* The element-by-element definition of REP MOVS with DF=0 or 1. */
static void ref_movs(uint8_t *m, uint32_t dst, uint32_t src, uint32_t k,
                     unsigned sz, bool down)
{
    for (uint32_t i = 0; i < k; i++) {
        uint8_t t[4];
        memcpy(t, m + src, sz);
        memcpy(m + dst, t, sz);
        src += down ? -sz : sz;
        dst += down ? -sz : sz;
    }
}

static void run_movs(const uint8_t *insn, size_t len, uint32_t dst,
                     uint32_t src, uint32_t k, unsigned sz, bool down)
{
    static uint8_t ref[1 << 20];
    fill_pattern(0x10000, 0x30000);
    memcpy(ref, V->mem.ram, sizeof(ref));
    code(insn, len);
    ref_movs(ref, dst, src, k, sz, down);
    memcpy(ref + CODE, insn, len);
    C->regs[R_ECX] = k;
    C->regs[R_ESI] = src;
    C->regs[R_EDI] = dst;
    C->eip = CODE;
    C->eflags = down ? C->eflags | EFL_DF : C->eflags & ~EFL_DF;
    interp_run(C, 1);
    ck_assert_uint_eq(C->regs[R_ECX], 0);
    uint32_t adv = down ? -(k * sz) : k * sz;
    ck_assert_uint_eq(C->regs[R_ESI], src + adv);
    ck_assert_uint_eq(C->regs[R_EDI], dst + adv);
    ck_assert_uint_eq(C->eip, CODE + len);
    ck_assert(memcmp(ref + 0x10000, V->mem.ram + 0x10000, 0x30000) == 0);
}

static const uint8_t MOVSB32[] = {0x67, 0xF3, 0xA4};
static const uint8_t MOVSW32[] = {0x67, 0xF3, 0xA5};
static const uint8_t MOVSD32[] = {0x66, 0x67, 0xF3, 0xA5};

START_TEST(movs_overlapping_forward_repeats)
{
    /* destination one byte (and one word + 1) above the source */
    run_movs(MOVSB32, 3, 0x12001, 0x12000, 9000, 1, false);
    run_movs(MOVSW32, 3, 0x12FF3, 0x12FF0, 3000, 2, false);
    run_movs(MOVSD32, 4, 0x13002, 0x13000, 2500, 4, false);
    /* DF=1: the destination one element (and a byte) below the source */
    run_movs(MOVSB32, 3, 0x22FFF, 0x23000, 9000, 1, true);
    run_movs(MOVSW32, 3, 0x23FFC, 0x23FFF, 3000, 2, true);
    run_movs(MOVSD32, 4, 0x24FFD, 0x25000, 2500, 4, true);
    /* DF=1, destination above: memmove order */
    run_movs(MOVSD32, 4, 0x25003, 0x25000, 2500, 4, true);
}
END_TEST

START_TEST(movs_across_pages_and_backwards)
{
    run_movs(MOVSD32, 4, 0x20FFD, 0x10FFE, 3000, 4, false);
    run_movs(MOVSB32, 3, 0x12000, 0x12003, 7000, 1, false); /* below */
    run_movs(MOVSW32, 3, 0x25001, 0x24000, 5000, 2, true);  /* DF=1 */
    run_movs(MOVSD32, 4, 0x24FFE, 0x26001, 3000, 4, true);
    static const uint8_t movsw16[] = {0xF3, 0xA5};          /* a16 */
    run_movs(movsw16, 2, 0x3001, 0x2000, 300, 2, false);
}
END_TEST

START_TEST(stos_runs)
{
    static const uint8_t stosw32[] = {0x67, 0xF3, 0xAB};
    memset(V->mem.ram + 0x30000, 0xEE, 0x4000);
    code(stosw32, 3);
    C->regs[R_EAX] = 0x12345678;
    C->regs[R_ECX] = 0x1001;
    C->regs[R_EDI] = 0x30FFF;
    interp_run(C, 1);
    ck_assert_uint_eq(C->regs[R_ECX], 0);
    ck_assert_uint_eq(C->regs[R_EDI], 0x30FFF + 0x2002);
    ck_assert_uint_eq(V->mem.ram[0x30FFE], 0xEE);
    for (uint32_t a = 0x30FFF; a < 0x30FFF + 0x2002; a += 2) {
        ck_assert_uint_eq(V->mem.ram[a], 0x78);
        ck_assert_uint_eq(V->mem.ram[a + 1], 0x56);
    }
    ck_assert_uint_eq(V->mem.ram[0x30FFF + 0x2002], 0xEE);
}
END_TEST

START_TEST(stos_backwards)
{
    static const uint8_t stosd32[] = {0x66, 0x67, 0xF3, 0xAB};
    memset(V->mem.ram + 0x30000, 0xEE, 0x4000);
    code(stosd32, 4);
    C->eflags |= EFL_DF;
    C->regs[R_EAX] = 0x11223344;
    C->regs[R_ECX] = 0x801;
    C->regs[R_EDI] = 0x32FFE; /* the first dword crosses into 0x33000 */
    interp_run(C, 1);
    ck_assert_uint_eq(C->regs[R_ECX], 0);
    ck_assert_uint_eq(C->regs[R_EDI], 0x32FFE - 0x2004);
    ck_assert_uint_eq(V->mem.ram[0x33002], 0xEE);
    ck_assert_uint_eq(V->mem.ram[0x32FFE - 0x2000 - 1], 0xEE);
    for (uint32_t a = 0x32FFE - 0x2000; a <= 0x32FFE; a += 4) {
        uint32_t v;
        memcpy(&v, V->mem.ram + a, 4);
        ck_assert_uint_eq(v, 0x11223344);
    }
}
END_TEST

START_TEST(stos_fault_in_the_middle)
{
    /* rep stosd with the ES limit at 0x1FFFF: the dword at 0x20000 is
     * #GP (real mode: through the IVT) after 0x400 stores. */
    static const uint8_t stosd32[] = {0x66, 0x67, 0xF3, 0xAB};
    code(stosd32, 4);
    V->mem.ram[0x600] = 0xF4;
    uint32_t v = 0x600;
    memcpy(V->mem.ram + EXC_GP * 4, &v, 4);
    C->seg[SEG_ES].limit = 0x1FFFF;
    C->regs[R_EAX] = 0xA5A5A5A5;
    C->regs[R_ECX] = 0x1000;
    C->regs[R_EDI] = 0x1F000;
    interp_run(C, 1);
    ck_assert_uint_eq(C->eip, 0x600);
    ck_assert_uint_eq(C->regs[R_ECX], 0xC00);
    ck_assert_uint_eq(C->regs[R_EDI], 0x20000);
    ck_assert_uint_eq(V->mem.ram[0x1FFFF], 0xA5);
    ck_assert_uint_eq(V->mem.ram[0x20000], 0);
}
END_TEST

START_TEST(pending_interrupt_ends_early)
{
    static const uint8_t stosb32[] = {0x67, 0xF3, 0xAA};
    code(stosb32, 3);
    C->regs[R_ECX] = 0x10000;
    C->regs[R_EDI] = 0x40000;
    C->eflags |= EFL_IF;
    V->intr_line = true;
    C->intr_shadow = true; /* as after STI: not taken before the REP */
    interp_run(C, 1);
    uint32_t done = C->regs[R_EDI] - 0x40000;
    ck_assert_uint_eq(done, 0x1000); /* one run: to the page end */
    ck_assert_uint_eq(C->regs[R_ECX], 0x10000 - done);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("string");
    TCase *tc = tcase_create("rep runs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, movs_overlapping_forward_repeats);
    tcase_add_test(tc, movs_across_pages_and_backwards);
    tcase_add_test(tc, stos_runs);
    tcase_add_test(tc, stos_backwards);
    tcase_add_test(tc, stos_fault_in_the_middle);
    tcase_add_test(tc, pending_interrupt_ends_early);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
