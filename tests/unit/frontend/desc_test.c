/*
 * desc_test.c — descriptor helpers of the system model (desc.c):
 * decoding of base/limit/granularity and types, segment limit checks for
 * expand-up and expand-down segments (SDM vol. 3 sections 3.4.5, 5.3),
 * GDT/LDT reads against the table limits, and the explicit-stack push
 * used by gates (#SS on a limit violation).
 */
#include <check.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/cpu_mem.h"
#include "frontend/desc.h"
#include "frontend/except.h"
#include "machine/vm.h"

#include "frontend/cpuvm.h"


/* SDM 3.4.5: base in bytes 2-4 and 7, limit in 0-1 and 6[3:0], G. */
START_TEST(test_decode)
{
    Desc d = {0x1234FFFF, 0xAB8F9A56}; /* base AB561234, limit FFFFF, G */
    ck_assert_uint_eq(desc_base(&d), 0xAB561234u);
    ck_assert_uint_eq(desc_limit(&d), 0xFFFFFFFFu);
    ck_assert_uint_eq(desc_type(&d), 0x1A);
    ck_assert(desc_is_code(&d));
    ck_assert(desc_readable(&d));
    ck_assert(!desc_conforming(&d));
    ck_assert_uint_eq(desc_dpl(&d), 0);
    Desc g = {0x00081000, 0x0000EC03}; /* call gate DPL3, 3 params */
    ck_assert_uint_eq(desc_type(&g), DT_CALL32);
    ck_assert_uint_eq(gate_sel(&g), 0x0008);
    ck_assert_uint_eq(gate_off(&g), 0x1000);
    ck_assert_uint_eq(desc_dpl(&g), 3);
}
END_TEST

/* SDM 5.3: expand-down segments accept offsets above the limit up to
 * 0xFFFF (B=0) or 0xFFFFFFFF (B=1). */
START_TEST(test_limits)
{
    SegCache up = {0x10, 0, 0xFFF, SEG_ATTR_P | SEG_ATTR_S | 0x3};
    ck_assert(seg_in_limit(&up, 0xFFC, 4));
    ck_assert(!seg_in_limit(&up, 0xFFD, 4));
    ck_assert(!seg_in_limit(&up, 0xFFFFFFFF, 2));
    SegCache down = {0x10, 0, 0xFFF, SEG_ATTR_P | SEG_ATTR_S | 0x7};
    ck_assert(!seg_in_limit(&down, 0xFFF, 1));
    ck_assert(seg_in_limit(&down, 0x1000, 4));
    ck_assert(seg_in_limit(&down, 0xFFFC, 4));
    ck_assert(!seg_in_limit(&down, 0xFFFE, 4));
    down.attr |= SEG_ATTR_DB;
    ck_assert(seg_in_limit(&down, 0xFFFFFFFC, 4));
}
END_TEST

/* Reads beyond the GDT limit or through a null LDT fail. */
START_TEST(test_table_read)
{
    CPUState *cpu;
    VM *vm = make_vm(&cpu);
    uint32_t gdt[4] = {0, 0, 0x0000FFFF, 0x00CF9200};
    memcpy(vm->mem.ram + 0x1000, gdt, sizeof(gdt));
    cpu->gdtr.base = 0x1000;
    cpu->gdtr.limit = 15;
    seg_cache_null(&cpu->ldtr, 0);
    Desc d;
    ck_assert(desc_read(cpu, 0x08, &d));
    ck_assert_uint_eq(d.hi, 0x00CF9200);
    ck_assert(!desc_read(cpu, 0x10, &d));
    ck_assert(!desc_read(cpu, 0x0C, &d));
    free_vm(vm);
}
END_TEST

/* sys_push on a 16-bit stack wraps SP and raises #SS(err) past the
 * limit, leaving ESP unchanged. */
START_TEST(test_sys_push)
{
    CPUState *cpu;
    VM *vm = make_vm(&cpu);
    SegCache ss = {0x18, 0x2000, 0x0FFF, SEG_ATTR_P | SEG_ATTR_S | 0x3};
    uint32_t esp = 0x12340010;
    if (setjmp(cpu->jmp))
        ck_abort_msg("unexpected fault");
    sys_push(cpu, &ss, &esp, 0xBEEF, 2, 0x18, 0);
    ck_assert_uint_eq(esp, 0x1234000E);
    ck_assert_uint_eq(vm->mem.ram[0x200E] | vm->mem.ram[0x200F] << 8, 0xBEEF);
    esp = 0x2000;
    if (setjmp(cpu->jmp)) {
        ck_assert_int_eq(cpu->exc_vector, EXC_SS);
        ck_assert_uint_eq(cpu->exc_error, 0x18);
        ck_assert_uint_eq(esp, 0x2000);
        free_vm(vm);
        return;
    }
    sys_push(cpu, &ss, &esp, 1, 4, 0x18, 0);
    ck_abort_msg("no #SS");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("desc");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_decode);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_table_read);
    tcase_add_test(tc, test_sys_push);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
