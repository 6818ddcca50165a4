/* Unit tests for src/machine/boot.c: multiboot v1 loading (Multiboot
 * Specification 0.6.96 sections 3.1-3.3) and hostile images. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "machine/boot.h"

static VM *vm;

static void setup(void)
{
    VMConfig cfg;
    char err[256] = "";
    vm_config_defaults(&cfg);
    cfg.ram_mb = 8;
    cfg.bios = "build/test-bios.bin";
    FILE *f = fopen(cfg.bios, "wb");
    ck_assert_ptr_nonnull(f);
    uint8_t img[4096];
    memset(img, 0xF4, sizeof(img));
    fwrite(img, 1, sizeof(img), f);
    fclose(f);
    vm = vm_create(&cfg, err, sizeof(err));
    ck_assert_msg(vm != NULL, "%s", err);
}

static void teardown(void)
{
    vm_destroy(vm);
}

static void w32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void w16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

/* A minimal ELF32: one PT_LOAD of 16 bytes at 0x100000, memsz 32, with a
 * multiboot header in the loaded bytes. */
static size_t make_elf(uint8_t *buf, uint32_t paddr, uint32_t memsz)
{
    memset(buf, 0, 256);
    memcpy(buf, "\x7f" "ELF", 4);
    buf[4] = 1; /* 32-bit */
    buf[5] = 1; /* little-endian */
    w16(buf + 18, 3);          /* EM_386 */
    w32(buf + 24, paddr + 12); /* entry */
    w32(buf + 28, 52);         /* phoff */
    w16(buf + 42, 32);
    w16(buf + 44, 1);
    uint8_t *ph = buf + 52;
    w32(ph, 1);       /* PT_LOAD */
    w32(ph + 4, 128); /* offset */
    w32(ph + 12, paddr);
    w32(ph + 16, 16);
    w32(ph + 20, memsz);
    uint8_t *hdr = buf + 128;
    w32(hdr, MULTIBOOT_HEADER_MAGIC);
    w32(hdr + 4, 0);
    w32(hdr + 8, -MULTIBOOT_HEADER_MAGIC);
    w32(hdr + 12, 0xDEADBEEF);
    return 144;
}

START_TEST(loads_elf_and_mbi)
{
    uint8_t img[256];
    size_t len = make_elf(img, 0x100000, 32);
    BootImage bi;
    char err[256] = "";
    /* dirty the bss to see it cleared */
    memset(vm->mem.ram + 0x100010, 0xAA, 16);
    ck_assert_int_eq(boot_load_multiboot(vm, img, len, "console=ttyS0", &bi,
                                         err, sizeof(err)),
                     0);
    ck_assert_uint_eq(bi.entry, 0x10000C);
    uint32_t v;
    memcpy(&v, vm->mem.ram + 0x10000C, 4);
    ck_assert_uint_eq(v, 0xDEADBEEF);
    ck_assert_uint_eq(vm->mem.ram[0x10001F], 0);
    uint32_t flags, upper, cmd;
    memcpy(&flags, vm->mem.ram + bi.mbi_addr, 4);
    memcpy(&upper, vm->mem.ram + bi.mbi_addr + 8, 4);
    memcpy(&cmd, vm->mem.ram + bi.mbi_addr + 16, 4);
    ck_assert(flags & 1);
    ck_assert_uint_eq(upper, (8 << 10) - 1024);
    ck_assert_str_eq((char *)vm->mem.ram + cmd, "console=ttyS0");
}
END_TEST

START_TEST(rejects_hostile_images)
{
    uint8_t img[256];
    BootImage bi;
    char err[256];
    /* segment beyond guest RAM */
    size_t len = make_elf(img, 0x7FFFF0, 64);
    ck_assert_int_ne(boot_load_multiboot(vm, img, len, NULL, &bi, err,
                                         sizeof(err)),
                     0);
    ck_assert_ptr_nonnull(strstr(err, "does not fit"));
    /* segment wrapping around 4 GB */
    len = make_elf(img, 0xFFFFFFF0u, 0x100);
    ck_assert_int_ne(boot_load_multiboot(vm, img, len, NULL, &bi, err,
                                         sizeof(err)),
                     0);
    /* program headers past the end of the file */
    len = make_elf(img, 0x100000, 32);
    w16(img + 44, 5000);
    ck_assert_int_ne(boot_load_multiboot(vm, img, len, NULL, &bi, err,
                                         sizeof(err)),
                     0);
    ck_assert_ptr_nonnull(strstr(err, "corrupt"));
    /* no header at all */
    memset(img, 0, sizeof(img));
    ck_assert_int_ne(boot_load_multiboot(vm, img, sizeof(img), NULL, &bi,
                                         err, sizeof(err)),
                     0);
    ck_assert_ptr_nonnull(strstr(err, "no multiboot header"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("boot");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, loads_elf_and_mbi);
    tcase_add_test(tc, rejects_hostile_images);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
