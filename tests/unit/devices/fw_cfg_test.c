/*
 * fw_cfg_test.c — firmware configuration device: traditional ports, file
 * directory, DMA interface and its bad-input handling. The reference is
 * QEMU's docs/specs/fw_cfg.rst (sections cited by name).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "devices/devices.h"
#include "devices/fw_cfg.h"
#include "testvm.h"

static VM *vm;
static FwCfgState *fc;

static void setup(void)
{
    vm = testvm_create(16);
    fc = testvm_add(vm, &fw_cfg_device, NULL);
    ck_assert_ptr_nonnull(fc);
}
static void teardown(void) { testvm_destroy(vm); }

static void read_item(uint16_t key, uint8_t *buf, unsigned len)
{
    io_write(&vm->io, 0x510, key, 2);
    for (unsigned i = 0; i < len; i++)
        buf[i] = (uint8_t)io_read(&vm->io, 0x511, 1);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* Write a DMA descriptor at pa and start it (big-endian address). */
static uint32_t dma(uint64_t pa, uint32_t ctl, uint32_t len, uint64_t addr)
{
    uint8_t d[16];
    for (int i = 0; i < 4; i++) {
        d[i] = (uint8_t)(ctl >> (24 - 8 * i));
        d[4 + i] = (uint8_t)(len >> (24 - 8 * i));
    }
    for (int i = 0; i < 8; i++)
        d[8 + i] = (uint8_t)(addr >> (56 - 8 * i));
    phys_write(&vm->mem, pa, d, sizeof(d));
    io_write(&vm->io, 0x514, __builtin_bswap32((uint32_t)(pa >> 32)), 4);
    io_write(&vm->io, 0x518, __builtin_bswap32((uint32_t)pa), 4);
    uint8_t st[4];
    phys_read(&vm->mem, pa, st, 4);
    return be32(st);
}

START_TEST(test_signature_and_id)
{
    /* "Selector register / data register": key 0 reads "QEMU". */
    uint8_t b[8];
    read_item(FW_CFG_SIGNATURE, b, 4);
    ck_assert_mem_eq(b, "QEMU", 4);
    /* Reading past the end of an item returns 0. */
    ck_assert_uint_eq(io_read(&vm->io, 0x511, 1), 0);
    /* "Interface ID" key 1: traditional + DMA. */
    read_item(FW_CFG_ID, b, 4);
    ck_assert_uint_eq(b[0], 3);
    /* CPU counts, 16-bit little-endian. */
    read_item(FW_CFG_NB_CPUS, b, 2);
    ck_assert_uint_eq(b[0] | b[1] << 8, 1);
    /* Unknown keys read as zeros. */
    read_item(0x1234, b, 4);
    ck_assert_uint_eq(b[0] | b[1] | b[2] | b[3], 0);
    /* DMA address register reads the "QEMU CFG" signature. */
    ck_assert_uint_eq(io_read(&vm->io, 0x514, 1), 'Q');
    ck_assert_uint_eq(io_read(&vm->io, 0x51B, 1), 'G');
}
END_TEST

START_TEST(test_directory_and_e820)
{
    uint8_t hdr[4], ent[64];
    /* "File directory": be32 count then 64-byte big-endian entries. */
    read_item(FW_CFG_FILE_DIR, hdr, 4);
    uint32_t n = be32(hdr);
    ck_assert_uint_ge(n, 2);
    int e820_key = -1;
    uint32_t e820_len = 0;
    for (uint32_t i = 0; i < n; i++) {
        for (int j = 0; j < 64; j++)
            ent[j] = (uint8_t)io_read(&vm->io, 0x511, 1);
        if (strcmp((char *)ent + 8, "etc/e820") == 0) {
            e820_key = ent[4] << 8 | ent[5];
            e820_len = be32(ent);
        }
    }
    ck_assert_int_ge(e820_key, FW_CFG_FILE_FIRST);
    ck_assert_uint_eq(e820_len, 20);
    uint8_t e[20];
    read_item((uint16_t)e820_key, e, 20);
    uint64_t base = 0, len = 0;
    for (int i = 0; i < 8; i++) {
        base |= (uint64_t)e[i] << (8 * i);
        len |= (uint64_t)e[8 + i] << (8 * i);
    }
    ck_assert_uint_eq(base, 0);
    ck_assert_uint_eq(len, 16u << 20);
    ck_assert_uint_eq(e[16], 1);
}
END_TEST

START_TEST(test_add_file_replaces)
{
    ck_assert_int_eq(fw_cfg_add_file(fc, "bootorder", "abc", 3), 0);
    const FwCfgItem *a = fw_cfg_find_file(fc, "bootorder");
    ck_assert_ptr_nonnull(a);
    uint16_t key = a->key;
    ck_assert_int_eq(fw_cfg_add_file(fc, "bootorder", "/x\n", 4), 0);
    a = fw_cfg_find_file(fc, "bootorder");
    ck_assert_uint_eq(a->key, key);
    ck_assert_uint_eq(a->len, 4);
    /* Names must fit the 56-byte field. */
    char longname[80];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[79] = 0;
    ck_assert_int_eq(fw_cfg_add_file(fc, longname, "x", 1), -EINVAL);
    /* The file range is not for numbered items. */
    ck_assert_int_eq(fw_cfg_add_bytes(fc, 0x21, "x", 1), -EINVAL);
}
END_TEST

START_TEST(test_dma_read_select_skip)
{
    /* "DMA interface": select key 0 + read 4 bytes into RAM. */
    uint32_t st = dma(0x1000, (FW_CFG_SIGNATURE << 16) | FW_CFG_DMA_SELECT |
                                  FW_CFG_DMA_READ,
                      4, 0x2000);
    ck_assert_uint_eq(st, 0);
    ck_assert_mem_eq(vm->mem.ram + 0x2000, "QEMU", 4);
    /* Select + skip 2, then read 2: "MU"; then past the end: zeros. */
    dma(0x1000, FW_CFG_DMA_SELECT | FW_CFG_DMA_SKIP, 2, 0);
    memset(vm->mem.ram + 0x3000, 0xAA, 8);
    ck_assert_uint_eq(dma(0x1000, FW_CFG_DMA_READ, 6, 0x3000), 0);
    ck_assert_mem_eq(vm->mem.ram + 0x3000, "MU\0\0\0\0", 6);
    ck_assert_uint_eq(vm->mem.ram[0x3006], 0xAA);
}
END_TEST

START_TEST(test_dma_bad_input)
{
    /* Buffer beyond RAM: ERROR bit, no crash, RAM untouched. */
    uint32_t st = dma(0x1000, FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, 4,
                      0x7FFFFFFF0ull);
    ck_assert_uint_eq(st, FW_CFG_DMA_ERROR);
    /* A buffer straddling the end of RAM. */
    st = dma(0x1000, FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, 0x10000,
             (16u << 20) - 0x100);
    ck_assert_uint_eq(st, FW_CFG_DMA_ERROR);
    /* Absurd length from a valid address: bounded by RAM, ends in error. */
    st = dma(0x1000, FW_CFG_DMA_READ, 0xFFFFFFFF, 0x100000);
    ck_assert_uint_eq(st, FW_CFG_DMA_ERROR);
    /* Writes are refused (no writable items). */
    st = dma(0x1000, FW_CFG_DMA_SELECT | FW_CFG_DMA_WRITE, 4, 0x2000);
    ck_assert_uint_eq(st, FW_CFG_DMA_ERROR);
    /* Descriptor outside RAM: ignored. */
    io_write(&vm->io, 0x514, __builtin_bswap32(0x10), 4);
    io_write(&vm->io, 0x518, 0, 4);
    /* Narrow writes to the address register are ignored. */
    io_write(&vm->io, 0x518, 0x10, 1);
    /* The device still works. */
    st = dma(0x1000, FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, 4, 0x2000);
    ck_assert_uint_eq(st, 0);
}
END_TEST

START_TEST(test_dma_off)
{
    VM *vm2 = testvm_create(16);
    ck_assert_ptr_nonnull(testvm_add(vm2, &fw_cfg_device, "dma=off"));
    io_write(&vm2->io, 0x510, FW_CFG_ID, 2);
    ck_assert_uint_eq(io_read(&vm2->io, 0x511, 1), 1);
    ck_assert_uint_ne(io_read(&vm2->io, 0x514, 1), 'Q');
    testvm_destroy(vm2);
    ck_assert_ptr_null(vm_add_device(vm, &fw_cfg_device, "bogus"));
}
END_TEST


static uint32_t item_u32(uint16_t key)
{
    const FwCfgItem *it = fw_cfg_find(fc, key);
    ck_assert_ptr_nonnull(it);
    ck_assert_uint_eq(it->len, 4);
    return it->data[0] | it->data[1] << 8 | it->data[2] << 16 |
           (uint32_t)it->data[3] << 24;
}

START_TEST(test_linux_boot_keys)
{
    /* A minimal bzImage: protocol 2.15, 1 setup sector + 1 KB kernel. */
    char kpath[] = "/tmp/x86bt-bzimage-XXXXXX";
    char ipath[] = "/tmp/x86bt-initrd-XXXXXX";
    int kfd = mkstemp(kpath), ifd = mkstemp(ipath);
    ck_assert_int_ge(kfd, 0);
    ck_assert_int_ge(ifd, 0);
    uint8_t img[2048];
    memset(img, 0x11, sizeof(img));
    img[0x1F1] = 1;
    memcpy(img + 0x202, "HdrS", 4);
    img[0x206] = 0x0F;
    img[0x207] = 0x02;
    img[0x211] = 0x01; /* LOADED_HIGH */
    img[0x22C] = 0xFF; img[0x22D] = 0xFF; img[0x22E] = 0xFF; img[0x22F] = 0x37;
    ck_assert_int_eq(write(kfd, img, sizeof(img)), (int)sizeof(img));
    ck_assert_int_eq(write(ifd, "INITRD", 6), 6);
    close(kfd);
    close(ifd);
    ck_assert_int_eq(fw_cfg_load_linux(fc, kpath, ipath, "console=ttyS0"), 0);
    /* boot.rst memory layout for protocol >= 2.02. */
    ck_assert_uint_eq(item_u32(FW_CFG_KERNEL_ADDR), 0x100000);
    ck_assert_uint_eq(item_u32(FW_CFG_KERNEL_SIZE), 2048 - 1024);
    ck_assert_uint_eq(item_u32(FW_CFG_SETUP_ADDR), 0x10000);
    ck_assert_uint_eq(item_u32(FW_CFG_SETUP_SIZE), 1024);
    ck_assert_uint_eq(item_u32(FW_CFG_CMDLINE_ADDR), 0x20000);
    ck_assert_uint_eq(item_u32(FW_CFG_CMDLINE_SIZE), 14);
    ck_assert_uint_eq(item_u32(FW_CFG_INITRD_SIZE), 6);
    uint32_t ia = item_u32(FW_CFG_INITRD_ADDR);
    ck_assert_uint_eq(ia & 0xFFF, 0);
    ck_assert_uint_le(ia + 6, 16u << 20);
    /* The setup header is patched: cmd_line_ptr, ramdisk, heap. */
    const FwCfgItem *setup = fw_cfg_find(fc, FW_CFG_SETUP_DATA);
    ck_assert_uint_eq(setup->data[0x228] | setup->data[0x229] << 8 |
                          setup->data[0x22A] << 16, 0x20000);
    ck_assert_uint_eq(setup->data[0x211] & 0x80, 0x80);
    ck_assert_uint_eq(setup->data[0x218] | setup->data[0x219] << 8 |
                          setup->data[0x21A] << 16 |
                          (uint32_t)setup->data[0x21B] << 24, ia);
    if (access("/usr/share/qemu/linuxboot_dma.bin", R_OK) == 0) {
        ck_assert_ptr_nonnull(fw_cfg_find_file(fc, "genroms/linuxboot_dma.bin"));
        const FwCfgItem *bo = fw_cfg_find_file(fc, "bootorder");
        ck_assert_ptr_nonnull(bo);
        ck_assert_str_eq((const char *)bo->data, "/rom@genroms/linuxboot_dma.bin\n");
    }
    /* Not a bzImage: -EINVAL, nothing else happens. */
    ck_assert_int_eq(fw_cfg_load_linux(fc, ipath, NULL, NULL), -EINVAL);
    ck_assert_int_eq(fw_cfg_load_linux(fc, "/nonexistent", NULL, NULL), -EINVAL);
    unlink(kpath);
    unlink(ipath);
}
END_TEST

START_TEST(test_smbios_fields)
{
    /* Key 0x8001 as SeaBIOS's qemu_cfg_legacy() parses it. */
    uint8_t b[128];
    read_item(FW_CFG_SMBIOS_ENTRIES, b, sizeof(b));
    unsigned count = b[0] | b[1] << 8, off = 2;
    ck_assert_uint_eq(count, 2);
    const char *want[] = {"VMware, Inc.", "VMware Virtual Platform"};
    for (unsigned i = 0; i < count; i++) {
        unsigned len = b[off] | b[off + 1] << 8;
        ck_assert_uint_eq(b[off + 2], 0);     /* field entry */
        ck_assert_uint_eq(b[off + 3], 1);     /* type 1 */
        ck_assert_uint_eq(b[off + 4], 4 + i); /* manufacturer, product */
        ck_assert_str_eq((const char *)b + off + 6, want[i]);
        ck_assert_uint_eq(len, 6 + strlen(want[i]) + 1);
        off += len;
    }
}
END_TEST

START_TEST(test_boot_menu)
{
    /* Key 0x0E (FW_CFG_BOOT_MENU, 16-bit) is 0 unless -boot menu=on: it is
     * SeaBIOS's "etc/show-boot-menu"; splash-time adds
     * "etc/boot-menu-wait" (16-bit ms). */
    uint8_t b[2];
    read_item(FW_CFG_BOOT_MENU, b, 2);
    ck_assert_uint_eq(b[0] | b[1] << 8, 0);
    ck_assert_ptr_null(fw_cfg_find_file(fc, "etc/boot-menu-wait"));
    VM *v = testvm_create(16);
    v->cfg.boot_menu = true;
    v->cfg.boot_menu_ms = 5000;
    FwCfgState *f = testvm_add(v, &fw_cfg_device, NULL);
    ck_assert_ptr_nonnull(f);
    const FwCfgItem *it = fw_cfg_find(f, FW_CFG_BOOT_MENU);
    ck_assert_uint_eq(it->len, 2);
    ck_assert_uint_eq(it->data[0] | it->data[1] << 8, 1);
    it = fw_cfg_find_file(f, "etc/boot-menu-wait");
    ck_assert_ptr_nonnull(it);
    ck_assert_uint_eq(it->len, 2);
    ck_assert_uint_eq(it->data[0] | it->data[1] << 8, 5000);
    testvm_destroy(v);
}
END_TEST

static Suite *fw_cfg_suite(void)
{
    Suite *s = suite_create("fw_cfg");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_signature_and_id);
    tcase_add_test(tc, test_directory_and_e820);
    tcase_add_test(tc, test_add_file_replaces);
    tcase_add_test(tc, test_dma_read_select_skip);
    tcase_add_test(tc, test_dma_bad_input);
    tcase_add_test(tc, test_dma_off);
    tcase_add_test(tc, test_linux_boot_keys);
    tcase_add_test(tc, test_smbios_fields);
    tcase_add_test(tc, test_boot_menu);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fw_cfg_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
