/*
 * i440bx_test.c — 82443BX host bridge: identity, reset values and register
 * semantics. Sections refer to the 82443BX datasheet 290633-001, 3.3.
 */
#include <check.h>
#include <stdlib.h>

#include "devices/devices.h"
#include "devices/i440bx.h"
#include "testvm.h"

#define HB PCI_DEVFN(0, 0)

static VM *vm;

static void setup(void) { vm = testvm_create(64); }
static void teardown(void) { testvm_destroy(vm); }

START_TEST(test_identity_bx)
{
    ck_assert_ptr_nonnull(testvm_add(vm, &i440bx_device, "bx,shadow=off"));
    /* 3.3.1-3.3.6: VID/DID/RID/class; subsystem is VMware's. */
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x00, 4), 0x71908086);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x08, 4), 0x06000001);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x2C, 4), 0x197615AD);
    /* 3.3.3 PCICMD resets to 0006h (memory + bus master, hardwired). */
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x04, 2), 0x0006);
    testvm_cfg_write(vm, HB, 0x04, 0x0000, 2);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x04, 2), 0x0006);
    /* Vendor ID is read-only. */
    testvm_cfg_write(vm, HB, 0x00, 0x12345678, 4);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x00, 4), 0x71908086);
}
END_TEST

START_TEST(test_identity_fx)
{
    ck_assert_ptr_nonnull(testvm_add(vm, &i440bx_device, "fx"));
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x00, 4), 0x12378086);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x08, 1), 0x02);
    /* No DRB on the FX model: reads 0, writes ignored. */
    testvm_cfg_write(vm, HB, 0x60, 0x55, 1);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x60, 1), 0);
    /* FX did not pre-shadow: PAM0 is 0 after reset. */
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x59, 1), 0);
}
END_TEST

START_TEST(test_bad_arg)
{
    ck_assert_ptr_null(vm_add_device(vm, &i440bx_device, "lx"));
}
END_TEST

START_TEST(test_pam_routing)
{
    ck_assert_ptr_nonnull(testvm_add(vm, &i440bx_device, "bx,shadow=off"));
    /* 3.3.15: PAM registers reset to 0, everything goes to ROM/PCI. */
    for (unsigned r = 0x59; r <= 0x5F; r++)
        ck_assert_uint_eq(testvm_cfg_read(vm, HB, r, 1), 0);
    for (unsigned c = 0; c < 16; c++)
        ck_assert(!vm->mem.pam[c].read_ram && !vm->mem.pam[c].write_ram);
    /* PAM0 high nibble: 0xF0000-0xFFFFF (chunks 12-15); low reserved. */
    testvm_cfg_write(vm, HB, 0x59, 0xFF, 1);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x59, 1), 0x30);
    for (unsigned c = 12; c < 16; c++)
        ck_assert(vm->mem.pam[c].read_ram && vm->mem.pam[c].write_ram);
    /* PAM1 low nibble: 0xC0000-0xC3FFF read-only RAM (RE=1, WE=0). */
    testvm_cfg_write(vm, HB, 0x5A, 0x01, 1);
    ck_assert(vm->mem.pam[0].read_ram && !vm->mem.pam[0].write_ram);
    ck_assert(!vm->mem.pam[1].read_ram);
    /* PAM6 high nibble: 0xEC000 (chunk 11) write-only RAM. */
    testvm_cfg_write(vm, HB, 0x5F, 0x20, 1);
    ck_assert(!vm->mem.pam[11].read_ram && vm->mem.pam[11].write_ram);
    /* A dword write to 0x5C-0x5F updates PAM3-PAM6 at once. */
    testvm_cfg_write(vm, HB, 0x5C, 0x33333333, 4);
    for (unsigned c = 4; c < 12; c++)
        ck_assert(vm->mem.pam[c].read_ram && vm->mem.pam[c].write_ram);
    /* Reset restores the power-on routing. */
    testvm_reset(vm);
    ck_assert(!vm->mem.pam[12].read_ram);
}
END_TEST

START_TEST(test_smram_lock)
{
    ck_assert_ptr_nonnull(testvm_add(vm, &i440bx_device, "bx,shadow=off"));
    /* 3.3.27 SMRAMC: reset 02h, C_BASE_SEG read-only. */
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x72, 1), 0x02);
    testvm_cfg_write(vm, HB, 0x72, 0x4F, 1);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x72, 1), 0x4A);
    /* Setting D_LCK clears D_OPEN and freezes G_SMRAME/D_LCK. */
    testvm_cfg_write(vm, HB, 0x72, 0x5A, 1);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x72, 1), 0x1A);
    testvm_cfg_write(vm, HB, 0x72, 0x40, 1);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x72, 1), 0x1A);
    /* D_CLS stays writable while locked. */
    testvm_cfg_write(vm, HB, 0x72, 0x20, 1);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x72, 1), 0x3A);
    /* Only a reset unlocks. */
    testvm_reset(vm);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x72, 1), 0x02);
}
END_TEST

/* A stand-in for the VGA window at 0xA0000: reads 0x5A, counts writes. */
static unsigned vga_writes;
static uint32_t fake_vga_read(void *opaque, uint32_t off, unsigned size)
{
    (void)opaque;
    (void)off;
    return size == 1 ? 0x5A : size == 2 ? 0x5A5A : 0x5A5A5A5A;
}
static void fake_vga_write(void *opaque, uint32_t off, uint32_t v,
                           unsigned size)
{
    (void)opaque;
    (void)off;
    (void)v;
    (void)size;
    vga_writes++;
}
static const IoOps fake_vga_ops = {.read = fake_vga_read,
                                   .write = fake_vga_write};

/* Does a CPU access to pa (outside SMM) reach RAM? Checks reads, writes
 * and the CPU's direct-page path agree. */
static bool sees_ram(uint64_t pa)
{
    vm->mem.ram[pa] = 0x11;
    unsigned w = vga_writes;
    bool ram = mem_read_slow(&vm->mem, pa, 1) == 0x11;
    uint8_t b;
    phys_read(&vm->mem, pa, &b, 1);
    ck_assert_uint_eq(b == 0x11, ram);
    ck_assert_uint_eq(mem_page_ptr(&vm->mem, pa, false) == vm->mem.ram +
                          (pa & ~0xFFFull), ram);
    mem_write_slow(&vm->mem, pa, 0x22, 1);
    ck_assert_uint_eq(vm->mem.ram[pa] == 0x22, ram);
    ck_assert_uint_eq(vga_writes == w, ram);
    return ram;
}

START_TEST(test_smram_routing)
{
    /* 3.3.27 SMRAMC and the SMRAM space transaction table (chapter 4,
     * "System Management Mode (SMM) memory range"), non-SMM rows: 0xA0000-
     * 0xBFFFF is DRAM only with G_SMRAME=1, D_OPEN=1, D_LCK=0; else PCI. */
    ck_assert_ptr_nonnull(testvm_add(vm, &i440bx_device, "bx,shadow=off"));
    ck_assert_int_ge(mem_map_mmio(&vm->mem, 0xA0000, 0x20000, &fake_vga_ops,
                                  NULL, "vga"),
                     0);
    ck_assert(!sees_ram(0xA0000));
    uint32_t gen = vm->mem.map_gen;
    testvm_cfg_write(vm, HB, 0x72, 0x4A, 1); /* D_OPEN | G_SMRAME */
    ck_assert_uint_ne(vm->mem.map_gen, gen); /* the CPU's TLB is flushed */
    ck_assert(sees_ram(0xA0000));
    ck_assert(sees_ram(0xBFFFF));
    ck_assert(sees_ram(0x9FFFF)); /* below the window: RAM anyway */
    /* D_OPEN without G_SMRAME: PCI (first row of the table). */
    testvm_cfg_write(vm, HB, 0x72, 0x42, 1);
    ck_assert(!sees_ram(0xA0000));
    /* Closed again (G_SMRAME only, as SeaBIOS leaves it): PCI. */
    testvm_cfg_write(vm, HB, 0x72, 0x4A, 1);
    testvm_cfg_write(vm, HB, 0x72, 0x0A, 1);
    ck_assert(!sees_ram(0xB8000));
    /* 3.3.28 ESMRAMC.H_SMRAME: SMRAM is the high copy, the low range stays
     * PCI even with D_OPEN. */
    testvm_cfg_write(vm, HB, 0x73, 0x80, 1);
    testvm_cfg_write(vm, HB, 0x72, 0x4A, 1);
    ck_assert(!sees_ram(0xA0000));
    testvm_cfg_write(vm, HB, 0x73, 0x00, 1);
    ck_assert(sees_ram(0xA0000));
    /* D_LCK closes it and locks D_OPEN, G_SMRAME and ESMRAMC's H_SMRAME,
     * TSEG_SZ, T_EN until reset. */
    testvm_cfg_write(vm, HB, 0x72, 0x1A, 1);
    ck_assert(!sees_ram(0xA0000));
    testvm_cfg_write(vm, HB, 0x72, 0x4A, 1);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x72, 1), 0x1A);
    ck_assert(!sees_ram(0xA0000));
    testvm_cfg_write(vm, HB, 0x73, 0x87, 1);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x73, 1), 0x38);
    /* A dword write over 0x70-0x73 changes nothing locked either. */
    testvm_cfg_write(vm, HB, 0x70, 0x87400000, 4);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x72, 2), 0x381A);
    /* Reset: SMRAMC 02h, closed. */
    testvm_reset(vm);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x72, 1), 0x02);
    ck_assert(!vm->mem.smram_open);
    ck_assert(!sees_ram(0xA0000));
}
END_TEST

START_TEST(test_smram_fx_and_restore)
{
    /* The 82441FX identity routes the same way (82441FX datasheet, SMRAM
     * register); save state restores the routing through post_load. */
    I440bxState *s = testvm_add(vm, &i440bx_device, "fx");
    ck_assert_ptr_nonnull(s);
    testvm_cfg_write(vm, HB, 0x72, 0x4A, 1);
    ck_assert(vm->mem.smram_open);
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(device_save(&vm->devices[0], f), 0);
    testvm_reset(vm);
    ck_assert(!vm->mem.smram_open);
    rewind(f);
    ck_assert_int_eq(device_load(&vm->devices[0], f), 0);
    fclose(f);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x72, 1), 0x4A);
    ck_assert(vm->mem.smram_open);
}
END_TEST

START_TEST(test_dram_registers)
{
    ck_assert_ptr_nonnull(testvm_add(vm, &i440bx_device, "bx,shadow=off"));
    /* 3.3.16 DRB: 64 MB in 8 MB units = 8, cumulative over all rows. */
    for (unsigned r = 0; r < 8; r++)
        ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x60 + r, 1), 8);
    /* 3.3.13 DRAMC.DT = 01b SDRAM; NBXCFG integrity bits 8:7 = 00. */
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x57, 1) >> 3 & 3, 1);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x50, 4) >> 7 & 3, 0);
    /* 3.3.30 EAP and 3.3.32 ERRSTS: no errors latched; w1c. */
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x80, 4), 0);
    testvm_cfg_write(vm, HB, 0x80, 0xFFFFFFFF, 4);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x80, 4), 0);
    testvm_cfg_write(vm, HB, 0x91, 0xFFFF, 2);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x91, 2), 0);
    /* ERRCMD is plain read/write. */
    testvm_cfg_write(vm, HB, 0x90, 0x03, 1);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x90, 1), 0x03);
}
END_TEST

START_TEST(test_drb_fill)
{
    uint8_t drb[8];
    i440bx_fill_drb(drb, 384ull << 20); /* 3 rows of 128 MB */
    ck_assert_uint_eq(drb[0], 16);
    ck_assert_uint_eq(drb[1], 32);
    ck_assert_uint_eq(drb[2], 48);
    ck_assert_uint_eq(drb[7], 48);
    i440bx_fill_drb(drb, 4ull << 30); /* beyond the 8-bit range: capped */
    ck_assert_uint_eq(drb[7], 0xFF);
    ck_assert_uint_le(drb[6], drb[7]);
}
END_TEST

START_TEST(test_preshadow)
{
    /* A stock (unpatched) BIOS image: the BX comes up pre-shadowed. */
    static uint8_t bios[256 << 10];
    memset(bios, 0x90, sizeof(bios));
    memcpy(bios + 64, "SeaBIOS (version 1.16.2-debian-1.16.2-1)", 40);
    bios[sizeof(bios) - 16] = 0xEA;
    ck_assert_int_eq(mem_set_bios(&vm->mem, bios, sizeof(bios)), 0);
    ck_assert_ptr_nonnull(testvm_add(vm, &i440bx_device, "bx"));
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x59, 1), 0x30);
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x5A, 1), 0x33);
    ck_assert(vm->mem.pam[15].read_ram && vm->mem.pam[15].write_ram);
    ck_assert_uint_eq(vm->mem.ram[0xFFFF0], 0xEA);
    /* RAM, not ROM: the shadow copy is writable. */
    uint8_t v = 0x11;
    ck_assert_int_eq(phys_write(&vm->mem, 0xFFFF0, &v, 1), 0);
    ck_assert_uint_eq(vm->mem.ram[0xFFFF0], 0x11);
}
END_TEST

START_TEST(test_patched_bios_not_preshadowed)
{
    static uint8_t bios[128 << 10];
    memset(bios, 0, sizeof(bios));
    memcpy(bios + 100, "x86bt-440bx", 11);
    memcpy(bios + 200, "SeaBIOS (version 1.16.2)", 24);
    ck_assert_int_eq(mem_set_bios(&vm->mem, bios, sizeof(bios)), 0);
    ck_assert_ptr_nonnull(testvm_add(vm, &i440bx_device, NULL));
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x59, 1), 0x00);
}
END_TEST

START_TEST(test_other_firmware_not_preshadowed)
{
    /* A bare test image (not SeaBIOS): honest reset state. */
    static uint8_t bios[128 << 10];
    memset(bios, 0xF4, sizeof(bios));
    ck_assert_int_eq(mem_set_bios(&vm->mem, bios, sizeof(bios)), 0);
    ck_assert_ptr_nonnull(testvm_add(vm, &i440bx_device, "bx"));
    ck_assert_uint_eq(testvm_cfg_read(vm, HB, 0x59, 1), 0x00);
    ck_assert(!vm->mem.pam[15].read_ram);
}
END_TEST

static Suite *i440bx_suite(void)
{
    Suite *s = suite_create("i440bx");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_identity_bx);
    tcase_add_test(tc, test_identity_fx);
    tcase_add_test(tc, test_bad_arg);
    tcase_add_test(tc, test_pam_routing);
    tcase_add_test(tc, test_smram_lock);
    tcase_add_test(tc, test_smram_routing);
    tcase_add_test(tc, test_smram_fx_and_restore);
    tcase_add_test(tc, test_dram_registers);
    tcase_add_test(tc, test_drb_fill);
    tcase_add_test(tc, test_preshadow);
    tcase_add_test(tc, test_patched_bios_not_preshadowed);
    tcase_add_test(tc, test_other_firmware_not_preshadowed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(i440bx_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
