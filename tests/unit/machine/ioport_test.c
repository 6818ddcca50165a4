/* Unit tests for src/machine/ioport.c: widths, splitting, unassigned
 * ports, registration conflicts, moving (PCI I/O BAR remap). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "machine/ioport.h"
#include "machine/log.h"

static Log tlog;
static IoBus bus;
static uint8_t regs[16];
static unsigned last_size, calls;

static uint32_t b_read(void *o, uint32_t off, unsigned size)
{
    uint8_t *r = o;
    last_size = size;
    calls++;
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)r[off + i] << (8 * i);
    return v;
}

static void b_write(void *o, uint32_t off, uint32_t v, unsigned size)
{
    uint8_t *r = o;
    last_size = size;
    calls++;
    for (unsigned i = 0; i < size; i++)
        r[off + i] = (uint8_t)(v >> (8 * i));
}

static const IoOps byte_ops = {b_read, b_write, 1, 1};
static const IoOps any_ops = {b_read, b_write, 1, 4};
static const IoOps dword_ops = {b_read, b_write, 4, 4};

static void setup(void)
{
    log_init(&tlog, 0);
    io_init(&bus, &tlog);
    for (int i = 0; i < 16; i++)
        regs[i] = (uint8_t)(0x10 + i);
    calls = 0;
}

START_TEST(unassigned_reads_ones)
{
    ck_assert_uint_eq(io_read(&bus, 0x300, 1), 0xFF);
    ck_assert_uint_eq(io_read(&bus, 0x300, 2), 0xFFFF);
    ck_assert_uint_eq(io_read(&bus, 0x300, 4), 0xFFFFFFFFu);
    io_write(&bus, 0x300, 0x1234, 2); /* ignored, no crash */
    /* Top of the port space: a dword at 0xFFFE must not wrap badly. */
    ck_assert_uint_eq(io_read(&bus, 0xFFFE, 4), 0xFFFFFFFFu);
}
END_TEST

START_TEST(byte_device_split)
{
    ck_assert_int_ge(io_register(&bus, 0x60, 4, &byte_ops, regs, "b"), 0);
    ck_assert_uint_eq(io_read(&bus, 0x60, 4), 0x13121110u);
    ck_assert_uint_eq(last_size, 1);
    ck_assert_uint_eq(calls, 4);
    io_write(&bus, 0x61, 0xBEEF, 2);
    ck_assert_uint_eq(regs[1], 0xEF);
    ck_assert_uint_eq(regs[2], 0xBE);
    /* straddling the region end: the missing byte floats */
    ck_assert_uint_eq(io_read(&bus, 0x63, 2), 0xFF13);
}
END_TEST

START_TEST(wide_device_whole)
{
    ck_assert_int_ge(io_register(&bus, 0xC000, 16, &any_ops, regs, "w"), 0);
    ck_assert_uint_eq(io_read(&bus, 0xC004, 4), 0x17161514u);
    ck_assert_uint_eq(last_size, 4);
    ck_assert_uint_eq(calls, 1);
    ck_assert_uint_eq(io_read(&bus, 0xC002, 2), 0x1312);
    ck_assert_uint_eq(last_size, 2);
}
END_TEST

START_TEST(dword_only_device_rmw)
{
    ck_assert_int_ge(io_register(&bus, 0xCFC, 4, &dword_ops, regs, "d"), 0);
    ck_assert_uint_eq(io_read(&bus, 0xCFD, 1), 0x11);
    ck_assert_uint_eq(last_size, 4);
    io_write(&bus, 0xCFE, 0xAA, 1);
    ck_assert_uint_eq(regs[2], 0xAA);
    ck_assert_uint_eq(regs[1], 0x11);
    ck_assert_uint_eq(regs[3], 0x13);
}
END_TEST

START_TEST(conflicts_and_move)
{
    int a = io_register(&bus, 0x100, 8, &any_ops, regs, "a");
    ck_assert_int_ge(a, 0);
    ck_assert_int_eq(io_register(&bus, 0x104, 8, &any_ops, regs, "b"),
                     -EBUSY);
    int b = io_register(&bus, 0x200, 8, &any_ops, regs, "b");
    ck_assert_int_eq(io_move(&bus, a, 0x204), -EBUSY);
    ck_assert_int_eq(io_move(&bus, a, 0x300), 0);
    ck_assert_uint_eq(io_read(&bus, 0x100, 1), 0xFF);
    ck_assert_uint_eq(io_read(&bus, 0x300, 1), 0x10);
    /* overlapping move of a region onto itself is fine */
    ck_assert_int_eq(io_move(&bus, a, 0x302), 0);
    ck_assert_uint_eq(io_read(&bus, 0x302, 1), 0x10);
    ck_assert_uint_eq(io_read(&bus, 0x300, 1), 0xFF);
    io_unregister(&bus, b);
    ck_assert_uint_eq(io_read(&bus, 0x200, 1), 0xFF);
    ck_assert_int_eq(io_register(&bus, 0xFFFC, 8, &any_ops, regs, "x"),
                     -EINVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ioport");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, unassigned_reads_ones);
    tcase_add_test(tc, byte_device_split);
    tcase_add_test(tc, wide_device_whole);
    tcase_add_test(tc, dword_only_device_rmw);
    tcase_add_test(tc, conflicts_and_move);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
