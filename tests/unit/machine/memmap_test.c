/* Unit tests for src/machine/memmap.c: RAM, ROM, MMIO, PAM routing,
 * bounds checks, code-page write notification. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "machine/log.h"
#include "machine/memmap.h"

static Log tlog;
static PhysMem mem;
static uint8_t bios[128 * 1024];

static void setup(void)
{
    log_init(&tlog, 0);
    ck_assert_int_eq(mem_init(&mem, 16 << 20, &tlog), 0);
    for (size_t i = 0; i < sizeof(bios); i++)
        bios[i] = (uint8_t)(i * 7 + 1);
    ck_assert_int_eq(mem_set_bios(&mem, bios, sizeof(bios)), 0);
}

static void teardown(void)
{
    mem_fini(&mem);
}

START_TEST(ram_roundtrip)
{
    uint32_t v = 0x12345678, r = 0;
    ck_assert_int_eq(phys_write(&mem, 0x200000, &v, 4), 0);
    ck_assert_int_eq(phys_read(&mem, 0x200000, &r, 4), 0);
    ck_assert_uint_eq(r, v);
    ck_assert_uint_eq(mem_read_slow(&mem, 0x200001, 2), 0x3456);
}
END_TEST

START_TEST(out_of_range_is_error)
{
    uint8_t buf[16];
    memset(buf, 0, sizeof(buf));
    /* Beyond RAM and not in any region: -EFAULT, reads float high. */
    ck_assert_int_eq(phys_read(&mem, 0x40000000, buf, 16), -EFAULT);
    ck_assert_uint_eq(buf[0], 0xFF);
    ck_assert_int_eq(phys_write(&mem, 0x40000000, buf, 16), -EFAULT);
    /* Range wrapping past the physical limit. */
    ck_assert_int_eq(phys_read(&mem, MEM_PHYS_LIMIT - 4, buf, 16), -EFAULT);
    ck_assert_int_eq(phys_write(&mem, UINT64_MAX - 2, buf, 16), -EFAULT);
    /* A range straddling the end of RAM is refused for direct access. */
    ck_assert_ptr_null(mem_ram_ptr(&mem, (16 << 20) - 8, 16));
    ck_assert_ptr_nonnull(mem_ram_ptr(&mem, (16 << 20) - 16, 16));
}
END_TEST

START_TEST(bios_at_top_and_alias)
{
    uint8_t b;
    phys_read(&mem, 0xFFFFFFF0ull, &b, 1);
    ck_assert_uint_eq(b, bios[sizeof(bios) - 16]);
    /* Power-on PAM: reads of 0xE0000-0xFFFFF hit the BIOS alias. */
    phys_read(&mem, 0xFFFF0, &b, 1);
    ck_assert_uint_eq(b, bios[sizeof(bios) - 16]);
    phys_read(&mem, 0xE0000, &b, 1);
    ck_assert_uint_eq(b, bios[0]);
    /* Below the 128 KB alias there is no ROM: floating bus. */
    phys_read(&mem, 0xC0000, &b, 1);
    ck_assert_uint_eq(b, 0xFF);
    /* ROM ignores writes. */
    uint8_t z = 0;
    phys_write(&mem, 0xFFFFFFF0ull, &z, 1);
    phys_read(&mem, 0xFFFFFFF0ull, &b, 1);
    ck_assert_uint_eq(b, bios[sizeof(bios) - 16]);
}
END_TEST

/* 82443BX datasheet 3.3.18 (PAM registers): RE routes reads to DRAM, WE
 * routes writes to DRAM; every combination of the two. */
START_TEST(pam_combinations)
{
    unsigned chunk = (0xF0000 - MEM_PAM_BASE) >> 14; /* F0000-F3FFF */
    uint8_t b, w = 0xAB;
    /* read ROM, write ROM: write discarded, RAM untouched */
    mem_set_pam(&mem, chunk, (PamRoute){false, false});
    phys_write(&mem, 0xF0000, &w, 1);
    ck_assert_uint_eq(mem.ram[0xF0000], 0);
    /* read ROM, write RAM: the shadowing copy pattern */
    mem_set_pam(&mem, chunk, (PamRoute){false, true});
    phys_read(&mem, 0xF0000, &b, 1);
    phys_write(&mem, 0xF0000, &b, 1);
    ck_assert_uint_eq(mem.ram[0xF0000], bios[0x10000]);
    phys_read(&mem, 0xF0000, &b, 1);
    ck_assert_uint_eq(b, bios[0x10000]); /* still reading ROM */
    phys_write(&mem, 0xF0000, &w, 1);
    phys_read(&mem, 0xF0000, &b, 1);
    ck_assert_uint_eq(b, bios[0x10000]);
    ck_assert_uint_eq(mem.ram[0xF0000], 0xAB);
    /* read RAM, write ROM: write-protected shadow */
    mem_set_pam(&mem, chunk, (PamRoute){true, false});
    phys_read(&mem, 0xF0000, &b, 1);
    ck_assert_uint_eq(b, 0xAB);
    w = 0xCD;
    phys_write(&mem, 0xF0000, &w, 1);
    phys_read(&mem, 0xF0000, &b, 1);
    ck_assert_uint_eq(b, 0xAB);
    /* read RAM, write RAM */
    mem_set_pam(&mem, chunk, (PamRoute){true, true});
    phys_write(&mem, 0xF0000, &w, 1);
    phys_read(&mem, 0xF0000, &b, 1);
    ck_assert_uint_eq(b, 0xCD);
    /* Neighbouring chunk unaffected */
    phys_read(&mem, 0xF4000, &b, 1);
    ck_assert_uint_eq(b, bios[0x14000]);
}
END_TEST

START_TEST(pam_page_ptr)
{
    unsigned chunk = (0xC8000 - MEM_PAM_BASE) >> 14;
    uint32_t gen = mem.map_gen;
    ck_assert_ptr_null(mem_page_ptr(&mem, 0xC8000, true));
    mem_set_pam(&mem, chunk, (PamRoute){true, true});
    ck_assert_uint_ne(mem.map_gen, gen);
    ck_assert_ptr_eq(mem_page_ptr(&mem, 0xC8000, true), mem.ram + 0xC8000);
    ck_assert_ptr_eq(mem_page_ptr(&mem, 0xC8123, false), mem.ram + 0xC8000);
    /* Chunk C0000 still routed to the (absent) ROM: no direct read page */
    ck_assert_ptr_null(mem_page_ptr(&mem, 0xC0000, false));
}
END_TEST

static uint32_t mmio_last_off, mmio_last_val;
static unsigned mmio_last_size;
static uint32_t t_read(void *o, uint32_t off, unsigned size)
{
    (void)o;
    mmio_last_off = off;
    mmio_last_size = size;
    return 0xA5A5A500u | off;
}
static void t_write(void *o, uint32_t off, uint32_t v, unsigned size)
{
    (void)o;
    mmio_last_off = off;
    mmio_last_val = v;
    mmio_last_size = size;
}
static const IoOps t_ops = {t_read, t_write, 1, 4};

START_TEST(mmio_dispatch)
{
    int id = mem_map_mmio(&mem, 0xFEB00000ull, 0x1000, &t_ops, NULL, "t");
    ck_assert_int_ge(id, 0);
    ck_assert_uint_eq(mem_read_slow(&mem, 0xFEB00010ull, 4), 0xA5A5A510u);
    ck_assert_uint_eq(mmio_last_size, 4);
    mem_write_slow(&mem, 0xFEB00020ull, 0xDEAD, 2);
    ck_assert_uint_eq(mmio_last_off, 0x20);
    ck_assert_uint_eq(mmio_last_val, 0xDEAD);
    ck_assert_ptr_null(mem_page_ptr(&mem, 0xFEB00000ull, false));
    /* MMIO overlapping low RAM takes priority (VGA window style) */
    int v = mem_map_mmio(&mem, 0xA0000, 0x20000, &t_ops, NULL, "vga");
    ck_assert_uint_eq(mem_read_slow(&mem, 0xA0004, 1), 0x04);
    ck_assert_ptr_null(mem_ram_ptr(&mem, 0x9F000, 0x2000));
    ck_assert_int_eq(mem_move(&mem, id, 0xFEC00000ull), 0);
    ck_assert_uint_eq(mem_read_slow(&mem, 0xFEC00004ull, 4), 0xA5A5A504u);
    mem_unmap(&mem, v);
    mem_unmap(&mem, id);
    ck_assert_uint_eq(mem_read_slow(&mem, 0xFEC00004ull, 4), 0xFFFFFFFFu);
}
END_TEST

static uint64_t code_pa;
static unsigned code_len, code_calls;
static void on_code(void *o, uint64_t pa, unsigned len)
{
    (void)o;
    code_pa = pa;
    code_len = len;
    code_calls++;
}

START_TEST(code_page_tracking)
{
    mem.code_write = on_code;
    mem_set_code_page(&mem, 0x300000, true);
    ck_assert_ptr_null(mem_page_ptr(&mem, 0x300000, true));
    ck_assert_ptr_nonnull(mem_page_ptr(&mem, 0x300000, false));
    uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    /* a DMA write spanning the end of the previous page into the code page */
    phys_write(&mem, 0x2FFFFC, buf, 8);
    ck_assert_uint_eq(code_calls, 1);
    ck_assert_uint_eq(code_pa, 0x300000);
    ck_assert_uint_eq(code_len, 4);
    mem_write_slow(&mem, 0x300010, 0x1234, 2);
    ck_assert_uint_eq(code_calls, 2); /* plain RAM: one call for both */
    ck_assert_uint_eq(code_pa, 0x300010);
    ck_assert_uint_eq(code_len, 2);
    mem_set_code_page(&mem, 0x300000, false);
    ck_assert_ptr_nonnull(mem_page_ptr(&mem, 0x300000, true));
}
END_TEST

START_TEST(smram_window)
{
    /* Open SMRAM: 0xA0000-0xBFFFF is RAM over the region mapped there,
     * code pages there still notify, and only a change bumps map_gen;
     * mem_reset closes it. */
    int v = mem_map_mmio(&mem, 0xA0000, 0x20000, &t_ops, NULL, "vga");
    ck_assert_int_ge(v, 0);
    uint32_t gen = mem.map_gen;
    mem_set_smram_open(&mem, true);
    ck_assert_uint_eq(mem.map_gen, gen + 1);
    mem_set_smram_open(&mem, true);
    ck_assert_uint_eq(mem.map_gen, gen + 1);
    mem.ram[0xB0004] = 0x77;
    ck_assert_uint_eq(mem_read_slow(&mem, 0xB0004, 1), 0x77);
    ck_assert_ptr_eq(mem_page_ptr(&mem, 0xB0004, true), mem.ram + 0xB0000);
    mem.code_write = on_code;
    code_calls = 0;
    mem_set_code_page(&mem, 0xA0000, true);
    ck_assert_ptr_null(mem_page_ptr(&mem, 0xA0000, true));
    mem_write_slow(&mem, 0xA0010, 0x12, 1);
    ck_assert_uint_eq(code_calls, 1);
    ck_assert_uint_eq(mem.ram[0xA0010], 0x12);
    mem_set_code_page(&mem, 0xA0000, false);
    /* 0xC0000 is the PAM window, untouched by SMRAM. */
    ck_assert_ptr_null(mem_page_ptr(&mem, 0xC0000, true));
    mem_reset(&mem);
    ck_assert(!mem.smram_open);
    ck_assert_uint_eq(mem_read_slow(&mem, 0xB0004, 1), 0x04);
    mem_unmap(&mem, v);
}
END_TEST

static Suite *memmap_suite(void)
{
    Suite *s = suite_create("memmap");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, ram_roundtrip);
    tcase_add_test(tc, out_of_range_is_error);
    tcase_add_test(tc, bios_at_top_and_alias);
    tcase_add_test(tc, pam_combinations);
    tcase_add_test(tc, pam_page_ptr);
    tcase_add_test(tc, mmio_dispatch);
    tcase_add_test(tc, code_page_tracking);
    tcase_add_test(tc, smram_window);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(memmap_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
