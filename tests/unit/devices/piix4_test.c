/*
 * piix4_test.c — PIIX4 functions 0 (ISA bridge) and 3 (power management,
 * SMBus). Sections refer to the PIIX4 datasheet 290562-001.
 */
#include <check.h>
#include <stdlib.h>

#include "devices/devices.h"
#include "devices/piix4_pm.h"
#include "testvm.h"

#define ISA PCI_DEVFN(1, 0)
#define PM PCI_DEVFN(1, 3)
#define PMBASE 0xB000

static VM *vm;

static void setup(void)
{
    vm = testvm_create(32);
    ck_assert_ptr_nonnull(testvm_add(vm, &piix4_isa_device, NULL));
}
static void teardown(void) { testvm_destroy(vm); }

START_TEST(test_isa_identity)
{
    /* 3.1: 8086:7110, class 060100, multi-function header. */
    ck_assert_uint_eq(testvm_cfg_read(vm, ISA, 0x00, 4), 0x71108086);
    ck_assert_uint_eq(testvm_cfg_read(vm, ISA, 0x08, 4) >> 8, 0x060100);
    ck_assert_uint_eq(testvm_cfg_read(vm, ISA, 0x0E, 1), 0x80);
    ck_assert_uint_eq(testvm_cfg_read(vm, ISA, 0x04, 2), 0x0007);
    ck_assert_uint_eq(testvm_cfg_read(vm, ISA, 0x4C, 1), 0x4D);
    ck_assert_uint_eq(testvm_cfg_read(vm, ISA, 0x69, 1), 0x02);
    ck_assert_uint_eq(testvm_cfg_read(vm, ISA, 0xCB, 1), 0x21);
}
END_TEST

START_TEST(test_pirq_routing)
{
    /* 3.1.9 PIRQRC: reset 80h (disabled). */
    for (unsigned i = 0; i < 4; i++) {
        ck_assert_uint_eq(testvm_cfg_read(vm, ISA, 0x60 + i, 1), 0x80);
        ck_assert_uint_eq(vm->pci.pirq_route[i], 0x80);
    }
    /* SeaBIOS's routing: 10, 10, 11, 11 (one dword write). */
    testvm_cfg_write(vm, ISA, 0x60, 0x0B0B0A0A, 4);
    ck_assert_uint_eq(vm->pci.pirq_route[0], 10);
    ck_assert_uint_eq(vm->pci.pirq_route[3], 11);
    /* Reserved bits 6:4 read 0. */
    testvm_cfg_write(vm, ISA, 0x61, 0x7B, 1);
    ck_assert_uint_eq(testvm_cfg_read(vm, ISA, 0x61, 1), 0x0B);
    ck_assert_uint_eq(vm->pci.pirq_route[1], 11);
    /* IRQ 2, 8 and 13 are reserved: routing is disabled. */
    testvm_cfg_write(vm, ISA, 0x62, 0x08, 1);
    ck_assert_uint_eq(vm->pci.pirq_route[2], 0x80);
    testvm_cfg_write(vm, ISA, 0x62, 0x8B, 1);
    ck_assert_uint_eq(vm->pci.pirq_route[2], 0x80);
}
END_TEST

START_TEST(test_reset_control_cf9)
{
    /* 4.1.16: SeaBIOS writes 02h then 06h; the RCPU edge resets. */
    io_write(&vm->io, 0xCF9, 0x02, 1);
    ck_assert_uint_eq(vm->requests & VM_REQ_RESET, 0);
    ck_assert_uint_eq(io_read(&vm->io, 0xCF9, 1), 0x02);
    io_write(&vm->io, 0xCF9, 0x06, 1);
    ck_assert_uint_ne(vm->requests & VM_REQ_RESET, 0);
    /* RCPU reads back 0 (self-clearing). */
    ck_assert_uint_eq(io_read(&vm->io, 0xCF9, 1), 0x02);
    /* The 0xCF8 dword is still CONFIG_ADDRESS. */
    io_write(&vm->io, 0xCF8, 0x80000800, 4);
    ck_assert_uint_eq(io_read(&vm->io, 0xCF8, 4), 0x80000800);
}
END_TEST

START_TEST(test_port92)
{
    /* 4.1.17: bit 1 gates A20; bit 0 rising edge resets. */
    io_write(&vm->io, 0x92, 0x00, 1);
    ck_assert_uint_eq(vm->a20_mask & (1ull << 20), 0);
    ck_assert_uint_eq(io_read(&vm->io, 0x92, 1) & 2, 0);
    io_write(&vm->io, 0x92, 0x02, 1);
    ck_assert_uint_ne(vm->a20_mask & (1ull << 20), 0);
    ck_assert_uint_eq(io_read(&vm->io, 0x92, 1) & 2, 2);
    ck_assert_uint_eq(vm->requests & VM_REQ_RESET, 0);
    io_write(&vm->io, 0x92, 0x03, 1);
    ck_assert_uint_ne(vm->requests & VM_REQ_RESET, 0);
}
END_TEST

static Piix4PmState *pm_setup(void)
{
    Piix4PmState *pm = testvm_add(vm, &piix4_pm_device, NULL);
    ck_assert_ptr_nonnull(pm);
    testvm_cfg_write(vm, PM, 0x40, PMBASE | 1, 4);
    testvm_cfg_write(vm, PM, 0x80, 0x01, 1);
    return pm;
}

START_TEST(test_pm_identity)
{
    ck_assert_ptr_nonnull(testvm_add(vm, &piix4_pm_device, NULL));
    /* 3.4: 8086:7113, rev >= 3 (no PM-timer erratum), class 068000. */
    ck_assert_uint_eq(testvm_cfg_read(vm, PM, 0x00, 4), 0x71138086);
    ck_assert_uint_ge(testvm_cfg_read(vm, PM, 0x08, 1), 3);
    ck_assert_uint_eq(testvm_cfg_read(vm, PM, 0x0A, 2), 0x0680);
    /* PMBA/SMBBA: bit 0 hardwired to 1 (I/O space). */
    ck_assert_uint_eq(testvm_cfg_read(vm, PM, 0x40, 4), 1);
    ck_assert_uint_eq(testvm_cfg_read(vm, PM, 0x90, 4), 1);
    /* DEVACTB byte 0x5B bit 1 (APMC_EN) preset: SeaBIOS skips SMM. */
    ck_assert_uint_eq(testvm_cfg_read(vm, PM, 0x5B, 1) & 2, 2);
    /* SMBus disabled at reset (0xD2 bit 0 clear), as on VMware. */
    ck_assert_uint_eq(testvm_cfg_read(vm, PM, 0xD2, 1) & 1, 0);
    /* PM block is not decoded before PMIOSE. */
    testvm_cfg_write(vm, PM, 0x40, PMBASE | 1, 4);
    ck_assert_uint_eq(io_read(&vm->io, PMBASE + 4, 2), 0xFFFF);
    testvm_cfg_write(vm, PM, 0x80, 0x01, 1);
    ck_assert_uint_eq(io_read(&vm->io, PMBASE + 4, 2), 0x0000);
    /* Moving the base moves the block. */
    testvm_cfg_write(vm, PM, 0x40, 0x600 | 1, 4);
    ck_assert_uint_eq(io_read(&vm->io, PMBASE + 4, 2), 0xFFFF);
    ck_assert_uint_eq(io_read(&vm->io, 0x604, 2), 0x0000);
}
END_TEST

START_TEST(test_pm_timer)
{
    pm_setup();
    /* 7.2: 3.579545 MHz, 24 bits. 1 s of virtual time = 3579545 ticks. */
    uint32_t t0 = io_read(&vm->io, PMBASE + 8, 4);
    testvm_advance(vm, NS_PER_SEC);
    uint32_t t1 = io_read(&vm->io, PMBASE + 8, 4);
    ck_assert_uint_eq((t1 - t0) & 0xFFFFFF, 3579545);
    ck_assert_uint_eq(t1 >> 24, 0);
    /* Read-only. */
    io_write(&vm->io, PMBASE + 8, 0, 4);
    ck_assert_uint_eq(io_read(&vm->io, PMBASE + 8, 4), t1);
    /* Wraps at 2^24 ticks (about 4.69 s): still 24 bits. */
    testvm_advance(vm, 5 * NS_PER_SEC);
    ck_assert_uint_eq(io_read(&vm->io, PMBASE + 8, 4) >> 24, 0);
}
END_TEST

START_TEST(test_pm_overflow_sci)
{
    pm_setup();
    /* TMROF_STS sets when bit 23 toggles (every 2^23 ticks, ~2.34 s). */
    ck_assert_uint_eq(io_read(&vm->io, PMBASE, 2) & 1, 0);
    testvm_advance(vm, 2400000000ll);
    ck_assert_uint_eq(io_read(&vm->io, PMBASE, 2) & 1, 1);
    /* No SCI: neither SCI_EN nor TMROF_EN. */
    ck_assert(!irq_level(&vm->irq, 9));
    io_write(&vm->io, PMBASE + 2, 0x0001, 2); /* TMROF_EN */
    ck_assert(!irq_level(&vm->irq, 9));
    /* ACPI enable through the APM port (FADT ACPI_ENABLE = F1h). */
    io_write(&vm->io, 0xB2, 0xF1, 1);
    ck_assert_uint_eq(io_read(&vm->io, PMBASE + 4, 2) & 1, 1);
    ck_assert(irq_level(&vm->irq, 9));
    /* Write-1-to-clear drops the SCI. */
    io_write(&vm->io, PMBASE, 0x0001, 2);
    ck_assert_uint_eq(io_read(&vm->io, PMBASE, 2) & 1, 0);
    ck_assert(!irq_level(&vm->irq, 9));
    /* ACPI disable (F0h) clears SCI_EN. */
    io_write(&vm->io, 0xB2, 0xF0, 1);
    ck_assert_uint_eq(io_read(&vm->io, PMBASE + 4, 2) & 1, 0);
}
END_TEST

START_TEST(test_pm_gpe0)
{
    Piix4PmState *pm = pm_setup();
    io_write(&vm->io, 0xB2, 0xF1, 1);
    io_write(&vm->io, 0xAFE2, 0x0002, 2);
    pm->gpsts |= 0x0002;
    io_write(&vm->io, 0xAFE2, 0x0002, 2); /* recompute through a write */
    ck_assert(irq_level(&vm->irq, 9));
    ck_assert_uint_eq(io_read(&vm->io, 0xAFE0, 2), 0x0002);
    io_write(&vm->io, 0xAFE0, 0x0002, 2);
    ck_assert(!irq_level(&vm->irq, 9));
}
END_TEST

START_TEST(test_pm_power_button)
{
    Piix4PmState *pm = pm_setup();
    io_write(&vm->io, 0xB2, 0xF1, 1);
    piix4_pm_power_button(pm);
    /* PWRBTN_STS (bit 8) set; no SCI until PWRBTN_EN. */
    ck_assert_uint_eq(io_read(&vm->io, PMBASE, 2) & 0x100, 0x100);
    ck_assert(!irq_level(&vm->irq, 9));
    io_write(&vm->io, PMBASE + 2, 0x0100, 2);
    ck_assert(irq_level(&vm->irq, 9));
    io_write(&vm->io, PMBASE, 0x0100, 2);
    ck_assert(!irq_level(&vm->irq, 9));
}
END_TEST

START_TEST(test_pm_soft_off)
{
    pm_setup();
    /* SUS_TYP=001b (S3 in SeaBIOS's DSDT): not modelled, no power-off. */
    io_write(&vm->io, PMBASE + 4, (1 << 10) | (1 << 13), 2);
    ck_assert_uint_eq(vm->requests & VM_REQ_POWEROFF, 0);
    /* SUS_EN reads back 0; SUS_TYP is kept. */
    ck_assert_uint_eq(io_read(&vm->io, PMBASE + 4, 2), 1 << 10);
    /* \_S5 = 0: SLP_TYP 000b + SLP_EN powers off with status 0. */
    io_write(&vm->io, PMBASE + 4, 1 << 13, 2);
    ck_assert_uint_ne(vm->requests & VM_REQ_POWEROFF, 0);
    ck_assert_int_eq(vm->exit_status, 0);
}
END_TEST

START_TEST(test_pm_byte_access)
{
    pm_setup();
    /* Byte write to the high half of PMCNTRL (SUS_EN|SUS_TYP=0). */
    io_write(&vm->io, PMBASE + 4, 0x01, 1);
    io_write(&vm->io, PMBASE + 5, 0x20, 1);
    ck_assert_uint_ne(vm->requests & VM_REQ_POWEROFF, 0);
    ck_assert_uint_eq(io_read(&vm->io, PMBASE + 4, 1), 0x01);
    /* Reserved offsets read 0 and ignore writes. */
    io_write(&vm->io, PMBASE + 6, 0xFFFF, 2);
    ck_assert_uint_eq(io_read(&vm->io, PMBASE + 6, 2), 0);
}
END_TEST

START_TEST(test_smbus_empty)
{
    pm_setup();
    testvm_cfg_write(vm, PM, 0x90, 0xB100 | 1, 4);
    ck_assert_uint_eq(io_read(&vm->io, 0xB100, 1), 0xFF); /* HST_EN=0 */
    testvm_cfg_write(vm, PM, 0xD2, 0x09, 1);
    testvm_cfg_write(vm, PM, 0x04, 0x0001, 2);
    ck_assert_uint_eq(io_read(&vm->io, 0xB100, 1), 0x00);
    /* 7.3: a transaction with no slave ends in DEV_ERR (bit 2). */
    io_write(&vm->io, 0xB104, 0xA1, 1);
    io_write(&vm->io, 0xB102, 0x48, 1); /* START, byte data */
    ck_assert_uint_eq(io_read(&vm->io, 0xB100, 1) & 0x04, 0x04);
    ck_assert_uint_eq(io_read(&vm->io, 0xB102, 1) & 0x40, 0);
    io_write(&vm->io, 0xB100, 0x04, 1);
    ck_assert_uint_eq(io_read(&vm->io, 0xB100, 1), 0);
}
END_TEST

static Suite *piix4_suite(void)
{
    Suite *s = suite_create("piix4");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_isa_identity);
    tcase_add_test(tc, test_pirq_routing);
    tcase_add_test(tc, test_reset_control_cf9);
    tcase_add_test(tc, test_port92);
    tcase_add_test(tc, test_pm_identity);
    tcase_add_test(tc, test_pm_timer);
    tcase_add_test(tc, test_pm_overflow_sci);
    tcase_add_test(tc, test_pm_gpe0);
    tcase_add_test(tc, test_pm_power_button);
    tcase_add_test(tc, test_pm_soft_off);
    tcase_add_test(tc, test_pm_byte_access);
    tcase_add_test(tc, test_smbus_empty);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(piix4_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
