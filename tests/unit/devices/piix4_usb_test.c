/*
 * piix4_usb_test.c — the empty PIIX4 UHCI: reset values and register
 * semantics (UHCI Design Guide 1.1 section 2; PIIX4 290562 3.3, 6.3).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "devices/devices.h"
#include "testvm.h"

#define USB PCI_DEVFN(1, 2)
#define IOB 0xC040

static VM *vm;

static void setup(void)
{
    vm = testvm_create(16);
    ck_assert_ptr_nonnull(testvm_add(vm, &piix4_usb_device, NULL));
    testvm_cfg_write(vm, USB, 0x20, IOB | 1, 4);
    testvm_cfg_write(vm, USB, 0x04, 0x0005, 2);
}
static void teardown(void) { testvm_destroy(vm); }

START_TEST(test_identity)
{
    /* 3.3: 8086:7112, class 0C0300, INTD#, BAR4 32 bytes of I/O. */
    ck_assert_uint_eq(testvm_cfg_read(vm, USB, 0, 4), 0x71128086);
    ck_assert_uint_eq(testvm_cfg_read(vm, USB, 0x08, 4) >> 8, 0x0C0300);
    ck_assert_uint_eq(testvm_cfg_read(vm, USB, 0x3D, 1), 4);
    ck_assert_uint_eq(testvm_cfg_read(vm, USB, 0xC0, 2), 0x2000);
    testvm_cfg_write(vm, USB, 0x20, 0xFFFFFFFF, 4);
    ck_assert_uint_eq(testvm_cfg_read(vm, USB, 0x20, 4), 0xFFFFFFE1);
}
END_TEST

START_TEST(test_reset_values)
{
    /* 2.1: halted, SOFMOD 40h, ports with bit 7 set and no device. */
    ck_assert_uint_eq(io_read(&vm->io, IOB + 0x00, 2), 0x0000);
    ck_assert_uint_eq(io_read(&vm->io, IOB + 0x02, 2), 0x0020);
    ck_assert_uint_eq(io_read(&vm->io, IOB + 0x0C, 1), 0x40);
    ck_assert_uint_eq(io_read(&vm->io, IOB + 0x10, 2), 0x0080);
    ck_assert_uint_eq(io_read(&vm->io, IOB + 0x12, 2), 0x0080);
}
END_TEST

START_TEST(test_run_and_frnum)
{
    io_write(&vm->io, IOB + 0x08, 0x00123000, 4);
    ck_assert_uint_eq(io_read(&vm->io, IOB + 0x08, 4), 0x00123000);
    io_write(&vm->io, IOB, 0x0001, 2);
    ck_assert_uint_eq(io_read(&vm->io, IOB + 2, 2) & 0x20, 0);
    /* 1 kHz frame counter, 11 bits. */
    testvm_advance(vm, 5 * 1000000);
    ck_assert_uint_eq(io_read(&vm->io, IOB + 6, 2), 5);
    testvm_advance(vm, 2048 * 1000000ll);
    ck_assert_uint_eq(io_read(&vm->io, IOB + 6, 2), 5);
    /* Stop: halted, frame number frozen. */
    io_write(&vm->io, IOB, 0x0000, 2);
    ck_assert_uint_eq(io_read(&vm->io, IOB + 2, 2) & 0x20, 0x20);
    testvm_advance(vm, 10 * 1000000);
    ck_assert_uint_eq(io_read(&vm->io, IOB + 6, 2), 5);
    /* HCRESET self-clears and resets the registers. */
    io_write(&vm->io, IOB, 0x0002, 2);
    ck_assert_uint_eq(io_read(&vm->io, IOB, 2), 0);
    ck_assert_uint_eq(io_read(&vm->io, IOB + 0x08, 4), 0);
}
END_TEST

START_TEST(test_ports_empty)
{
    /* Port enable cannot be set without a device (2.1.7). */
    io_write(&vm->io, IOB + 0x10, 0x0004, 2);
    ck_assert_uint_eq(io_read(&vm->io, IOB + 0x10, 2) & 0x0005, 0);
    /* Port reset bit is stored; status change bits stay clear. */
    io_write(&vm->io, IOB + 0x10, 0x0200, 2);
    ck_assert_uint_eq(io_read(&vm->io, IOB + 0x10, 2), 0x0280);
    io_write(&vm->io, IOB + 0x10, 0x000A, 2);
    ck_assert_uint_eq(io_read(&vm->io, IOB + 0x10, 2) & 0x000A, 0);
    /* USBSTS bits are write-1-to-clear; HCHalted is read-only. */
    io_write(&vm->io, IOB + 2, 0xFFFF, 2);
    ck_assert_uint_eq(io_read(&vm->io, IOB + 2, 2), 0x0020);
}
END_TEST

START_TEST(test_state_remaps_bar)
{
    /* A saved VM whose BIOS put BAR4 elsewhere: after loading into a
     * fresh VM (BAR at IOB) the registers answer at the saved address
     * only, with the saved contents. */
    VM *a = testvm_create(16);
    ck_assert_ptr_nonnull(testvm_add(a, &piix4_usb_device, NULL));
    testvm_cfg_write(a, USB, 0x20, 0xD000 | 1, 4);
    testvm_cfg_write(a, USB, 0x04, 0x0005, 2);
    io_write(&a->io, 0xD000 + 0x08, 0x00456000, 4);
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(device_save(&a->devices[0], f), 0);
    rewind(f);
    ck_assert_int_eq(device_load(&vm->devices[0], f), 0);
    fclose(f);
    testvm_destroy(a);
    ck_assert_uint_eq(io_read(&vm->io, 0xD000 + 0x08, 4), 0x00456000);
    ck_assert_uint_eq(io_read(&vm->io, IOB + 0x08, 4), 0xFFFFFFFF);
}
END_TEST

static Suite *usb_suite(void)
{
    Suite *s = suite_create("piix4_usb");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_identity);
    tcase_add_test(tc, test_reset_values);
    tcase_add_test(tc, test_run_and_frnum);
    tcase_add_test(tc, test_ports_empty);
    tcase_add_test(tc, test_state_remaps_bar);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(usb_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
