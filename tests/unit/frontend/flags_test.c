/*
 * flags_test.c — lazy flags of 32-bit subtraction (src/frontend/flags.c):
 * the host LAHF/SETO path for a plain a - b and the portable formula for
 * SBB-style results (a - b - 1), against the definitions of SDM vol. 1
 * appendix A computed bit by bit here; the carry-less kinds that
 * translated code leaves (ADDN/SUBN, no result stored) against ADD/SUB
 * with their result, at all three sizes.
 */
#include <check.h>
#include <stdint.h>

#include "frontend/cpu_state.h"
#include "frontend/flags.h"

/* Reference: flags of a - b - c (c = borrow in), 32 bits. */
static uint32_t ref_sub(uint32_t a, uint32_t b, uint32_t c)
{
    uint64_t wide = (uint64_t)a - b - c;
    uint32_t r = (uint32_t)wide, f = 0;
    if (wide >> 63)
        f |= EFL_CF;
    unsigned ones = 0;
    for (unsigned i = 0; i < 8; i++)
        ones += (r >> i) & 1;
    if (!(ones & 1))
        f |= EFL_PF;
    if (((a & 0xF) - (b & 0xF) - c) & 0x10)
        f |= EFL_AF;
    if (r == 0)
        f |= EFL_ZF;
    if (r >> 31)
        f |= EFL_SF;
    if (((a ^ b) & (a ^ r)) >> 31)
        f |= EFL_OF;
    return f;
}

static uint32_t lazy(uint32_t a, uint32_t b, uint32_t r)
{
    CPUState cpu = {0};
    cpu.cc_op = CC_OP_SUB8 + 2;
    cpu.cc_op1 = a;
    cpu.cc_op2 = b;
    cpu.cc_res = r;
    return cc_flags(&cpu);
}

START_TEST(test_sub32)
{
    static const uint32_t edge[] = {0,          1,          2,
                                    0x7F,       0x80,       0xFF,
                                    0x7FFFFFFF, 0x80000000, 0x80000001,
                                    0xFFFFFFFE, 0xFFFFFFFF, 0x0F0F0F10};
    uint32_t x = 12345;
    for (unsigned i = 0; i < 20000; i++) {
        uint32_t a, b;
        if (i < 144) {
            a = edge[i / 12];
            b = edge[i % 12];
        } else {
            x = x * 1103515245u + 12345u;
            a = x;
            x = x * 1103515245u + 12345u;
            b = (i & 1) ? x : a - (x & 3);
        }
        ck_assert_uint_eq(lazy(a, b, a - b), ref_sub(a, b, 0));
        ck_assert_uint_eq(lazy(a, b, a - b - 1), ref_sub(a, b, 1));
    }
}
END_TEST

/* cc_flags and cc_cf of kind8 + size with the given fields. */
static uint32_t lazy_kind(unsigned kind8, unsigned szi, uint32_t a,
                          uint32_t b, uint32_t r, uint32_t *cf)
{
    CPUState cpu = {0};
    cpu.cc_op = kind8 + szi;
    cpu.cc_op1 = a;
    cpu.cc_op2 = b;
    cpu.cc_res = r;
    cpu.eflags = EFL_CF; /* must not leak into ADDN/SUBN */
    *cf = cc_cf(&cpu);
    return cc_flags(&cpu);
}

START_TEST(test_carryless_kinds)
{
    static const uint32_t mask[3] = {0xFFu, 0xFFFFu, 0xFFFFFFFFu};
    uint32_t x = 777;
    for (unsigned i = 0; i < 30000; i++) {
        unsigned szi = i % 3;
        x = x * 1103515245u + 12345u;
        uint32_t a = (i & 8) ? x : (x >> 7) & 0x81;
        x = x * 1103515245u + 12345u;
        uint32_t b = (i & 16) ? x : a ^ (x & 1);
        a &= mask[szi];
        b &= mask[szi];
        uint32_t cf_ref, cf;
        uint32_t ref = lazy_kind(CC_OP_ADD8, szi, a, b, (a + b) & mask[szi],
                                 &cf_ref);
        /* A stale result must not matter. */
        ck_assert_uint_eq(lazy_kind(CC_OP_ADDN8, szi, a, b, ~a, &cf), ref);
        ck_assert_uint_eq(cf, cf_ref);
        ck_assert_uint_eq(cf, ref & EFL_CF);
        ref = lazy_kind(CC_OP_SUB8, szi, a, b, (a - b) & mask[szi], &cf_ref);
        ck_assert_uint_eq(lazy_kind(CC_OP_SUBN8, szi, a, b, ~b, &cf), ref);
        ck_assert_uint_eq(cf, cf_ref);
        if (szi == 2)
            ck_assert_uint_eq(ref, ref_sub(a, b, 0));
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("flags");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_sub32);
    tcase_add_test(tc, test_carryless_kinds);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
