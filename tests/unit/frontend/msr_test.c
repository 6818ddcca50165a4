/*
 * msr_test.c — MSRs of the modelled Pentium II (src/frontend/msr.c),
 * SDM vol. 4 (P6-family MSR table) and vol. 3 sections 11.11 and 17.17.
 */
#include <check.h>
#include <stdlib.h>

#include "frontend/cpu_state.h"
#include "frontend/msr.h"
#include "machine/vm.h"

#include "frontend/cpuvm.h"


/* SYSENTER MSRs are plain storage (SDM vol. 3 5.8.7.1). */
START_TEST(test_sysenter)
{
    CPUState *cpu;
    VM *vm = make_vm(&cpu);
    uint64_t v = 0;
    ck_assert(msr_write(cpu, 0x174, 0x10));
    ck_assert(msr_write(cpu, 0x175, 0x8000));
    ck_assert(msr_write(cpu, 0x176, 0xC0001000));
    ck_assert(msr_read(cpu, 0x176, &v));
    ck_assert_uint_eq(v, 0xC0001000);
    ck_assert_uint_eq(cpu->msr.sysenter_cs, 0x10);
    free_vm(vm);
}
END_TEST

/* MTRRcap: 8 variable ranges, fixed ranges, WC; variable/fixed/default
 * registers round-trip; reserved bits in the default type are rejected. */
START_TEST(test_mtrr)
{
    CPUState *cpu;
    VM *vm = make_vm(&cpu);
    uint64_t v = 0;
    ck_assert(msr_read(cpu, 0xFE, &v));
    ck_assert_uint_eq(v & 0x5FF, 0x508);
    ck_assert(msr_write(cpu, 0x20F, 0xFFC000800ull));
    ck_assert(msr_read(cpu, 0x20F, &v));
    ck_assert_uint_eq(v, 0xFFC000800ull);
    ck_assert(!msr_write(cpu, 0x200, 1ull << 40));
    ck_assert(msr_write(cpu, 0x26F, 0x0505050505050505ull));
    ck_assert(msr_read(cpu, 0x26F, &v));
    ck_assert_uint_eq(v, 0x0505050505050505ull);
    ck_assert(msr_write(cpu, 0x2FF, 0xC06));
    ck_assert(!msr_write(cpu, 0x2FF, 0x1000));
    free_vm(vm);
}
END_TEST

/* P6: a TSC write sets the low 32 bits and clears the high half. */
START_TEST(test_tsc_write)
{
    CPUState *cpu;
    VM *vm = make_vm(&cpu);
    uint64_t v = 0;
    ck_assert(msr_write(cpu, 0x10, 0x500001000ull));
    ck_assert(msr_read(cpu, 0x10, &v));
    ck_assert_uint_eq(v >> 32, 0);
    ck_assert_uint_ge(v, 0x1000);
    free_vm(vm);
}
END_TEST

/* Machine check: MCG_CAP reports 5 banks and MCG_CTL; MCi_CTL reads all
 * ones; unknown MSRs do not exist (RDMSR/WRMSR then raise #GP). */
START_TEST(test_mca_and_unknown)
{
    CPUState *cpu;
    VM *vm = make_vm(&cpu);
    uint64_t v = 0;
    ck_assert(msr_read(cpu, 0x179, &v));
    ck_assert_uint_eq(v, 0x105);
    ck_assert(msr_read(cpu, 0x400, &v));
    ck_assert_uint_eq(v, ~0ull);
    ck_assert(msr_read(cpu, 0x401, &v));
    ck_assert_uint_eq(v, 0);
    ck_assert(!msr_read(cpu, 0x12345, &v));
    ck_assert(!msr_write(cpu, 0xC0000080, 0)); /* EFER: not on a P6 */
    free_vm(vm);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("msr");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_sysenter);
    tcase_add_test(tc, test_mtrr);
    tcase_add_test(tc, test_tsc_write);
    tcase_add_test(tc, test_mca_and_unknown);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
