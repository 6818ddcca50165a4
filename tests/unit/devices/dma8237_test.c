/*
 * dma8237_test.c — 8237A pair and page registers through their ports and
 * dma_transfer() (Intel 8237A datasheet 231466-005 "Register description";
 * PIIX4 datasheet 290562-001 "DMA registers").
 */
#include <check.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/dma8237.h"
#include "devtest.h"

static VM *vm;
static DmaState *dma;

static void dma_setup(void)
{
    vm = devtest_vm();
    dma = vm_add_device(vm, &dma8237_device, NULL);
    ck_assert_ptr_nonnull(dma);
}

static void dma_teardown(void)
{
    devtest_free(vm);
}

/* Program channel 2 the way a floppy driver does. */
static void setup_ch2(uint8_t mode, uint8_t page, uint16_t addr,
                      uint16_t count)
{
    outb(vm, 0x0A, 0x06); /* mask channel 2 */
    outb(vm, 0x0C, 0x00); /* clear flip-flop */
    outb(vm, 0x0B, mode);
    outb(vm, 0x04, addr & 0xFF);
    outb(vm, 0x04, addr >> 8);
    outb(vm, 0x81, page);
    outb(vm, 0x05, count & 0xFF);
    outb(vm, 0x05, count >> 8);
    outb(vm, 0x0A, 0x02); /* unmask channel 2 */
}

static uint8_t mem_byte(uint64_t pa)
{
    uint8_t b;
    phys_read(&vm->mem, pa, &b, 1);
    return b;
}

START_TEST(test_reset_masks)
{
    /* Master clear state: all channels masked, status clear (datasheet
     * "Master clear"); PIIX4 reads the mask back at 0x0F/0xDE. */
    ck_assert_uint_eq(inb(vm, 0x0F), 0xFF);
    ck_assert_uint_eq(inb(vm, 0xDE), 0xFF);
    ck_assert_uint_eq(inb(vm, 0x08), 0x00);
    ck_assert(!dma_ready(dma, 2));
}
END_TEST

START_TEST(test_flipflop_readback)
{
    /* Address and count go low byte then high byte through the flip-flop
     * (datasheet "Byte pointer flip-flop"). */
    outb(vm, 0x0C, 0);
    outb(vm, 0x02, 0x34);
    outb(vm, 0x02, 0x12);
    outb(vm, 0x03, 0xCD);
    outb(vm, 0x03, 0xAB);
    outb(vm, 0x0C, 0);
    ck_assert_uint_eq(inb(vm, 0x02), 0x34);
    ck_assert_uint_eq(inb(vm, 0x02), 0x12);
    ck_assert_uint_eq(inb(vm, 0x03), 0xCD);
    ck_assert_uint_eq(inb(vm, 0x03), 0xAB);
}
END_TEST

START_TEST(test_write_transfer_tc)
{
    /* Single-mode write (device to memory) on channel 2: data lands at
     * page:address, TC sets status bit 2 and masks the channel (no
     * auto-init). */
    uint8_t buf[512];
    for (int i = 0; i < 512; i++)
        buf[i] = (uint8_t)i;
    setup_ch2(0x46, 0x01, 0x0000, 511);
    ck_assert(dma_ready(dma, 2));
    ck_assert_uint_eq(dma_transfer(dma, 2, buf, 512, true), 512);
    ck_assert_uint_eq(mem_byte(0x10000), 0);
    ck_assert_uint_eq(mem_byte(0x101FF), 0xFF);
    ck_assert(dma_tc_reached(dma, 2));
    ck_assert(!dma_ready(dma, 2));
    ck_assert_uint_eq(inb(vm, 0x08) & 0x04, 0x04);
    ck_assert_uint_eq(inb(vm, 0x08) & 0x04, 0x00); /* cleared by read */
}
END_TEST

START_TEST(test_partial_then_tc)
{
    /* A transfer shorter than the count leaves the channel running. */
    uint8_t buf[256] = {0};
    setup_ch2(0x46, 0x00, 0x1000, 511);
    ck_assert_uint_eq(dma_transfer(dma, 2, buf, 256, true), 256);
    ck_assert(!dma_tc_reached(dma, 2));
    outb(vm, 0x0C, 0);
    ck_assert_uint_eq(inb(vm, 0x04), 0x00);
    ck_assert_uint_eq(inb(vm, 0x04), 0x11);
    ck_assert_uint_eq(dma_transfer(dma, 2, buf, 1024, true), 256);
    ck_assert(dma_tc_reached(dma, 2));
}
END_TEST

START_TEST(test_read_transfer)
{
    /* Read mode (memory to device). */
    uint8_t src[4] = {0xDE, 0xAD, 0xBE, 0xEF}, dst[4] = {0};
    phys_write(&vm->mem, 0x2000, src, 4);
    setup_ch2(0x4A, 0x00, 0x2000, 3);
    ck_assert_uint_eq(dma_transfer(dma, 2, dst, 4, false), 4);
    ck_assert_int_eq(memcmp(src, dst, 4), 0);
}
END_TEST

START_TEST(test_page_wrap)
{
    /* The address counter is 16 bits: it wraps inside the 64 KB page
     * (the page register does not increment). */
    uint8_t buf[32];
    memset(buf, 0x77, sizeof(buf));
    setup_ch2(0x46, 0x03, 0xFFF0, 31);
    ck_assert_uint_eq(dma_transfer(dma, 2, buf, 32, true), 32);
    ck_assert_uint_eq(mem_byte(0x3FFFF), 0x77);
    ck_assert_uint_eq(mem_byte(0x30000), 0x77);
    ck_assert_uint_eq(mem_byte(0x30010), 0x00);
    ck_assert_uint_eq(mem_byte(0x40000), 0x00);
}
END_TEST

START_TEST(test_autoinit)
{
    /* Auto-init: at TC the current registers reload from the base and the
     * channel stays unmasked (datasheet "Autoinitialize"). */
    uint8_t buf[16] = {0};
    setup_ch2(0x56, 0x00, 0x3000, 15);
    ck_assert_uint_eq(dma_transfer(dma, 2, buf, 16, true), 16);
    ck_assert(dma_tc_reached(dma, 2));
    ck_assert(dma_ready(dma, 2));
    outb(vm, 0x0C, 0);
    ck_assert_uint_eq(inb(vm, 0x04), 0x00);
    ck_assert_uint_eq(inb(vm, 0x04), 0x30);
}
END_TEST

START_TEST(test_decrement)
{
    /* Address decrement mode (mode bit 5). */
    uint8_t buf[3] = {1, 2, 3};
    setup_ch2(0x66, 0x00, 0x0010, 2);
    ck_assert_uint_eq(dma_transfer(dma, 2, buf, 3, true), 3);
    ck_assert_uint_eq(mem_byte(0x10), 1);
    ck_assert_uint_eq(mem_byte(0x0F), 2);
    ck_assert_uint_eq(mem_byte(0x0E), 3);
}
END_TEST

START_TEST(test_16bit_channel)
{
    /* Channel 5: word units, address shifted left by one, page bit 0
     * ignored (128 KB pages; PIIX4 "DMA addressing"). */
    uint8_t buf[4] = {0xA1, 0xA2, 0xA3, 0xA4};
    outb(vm, 0xD4, 0x05);          /* mask ch5 */
    outb(vm, 0xD8, 0x00);          /* clear flip-flop */
    outb(vm, 0xD6, 0x45);          /* ch5 single write */
    outb(vm, 0xC4, 0x00);          /* address 0x8000 words */
    outb(vm, 0xC4, 0x80);
    outb(vm, 0xC6, 1);             /* 2 words */
    outb(vm, 0xC6, 0);
    outb(vm, 0x8B, 0x03);          /* page 3 -> 0x20000 */
    outb(vm, 0xD4, 0x01);          /* unmask ch5 */
    ck_assert_uint_eq(dma_transfer(dma, 5, buf, 4, true), 4);
    ck_assert_uint_eq(mem_byte(0x30000), 0xA1);
    ck_assert_uint_eq(mem_byte(0x30003), 0xA4);
    ck_assert(dma_tc_reached(dma, 5));
}
END_TEST

START_TEST(test_masked_disabled_mismatch)
{
    /* A masked channel, a disabled controller (command bit 2) or a mode
     * of the wrong direction move no data. */
    uint8_t buf[4] = {9, 9, 9, 9};
    ck_assert_uint_eq(dma_transfer(dma, 2, buf, 4, true), 0);
    setup_ch2(0x46, 0x00, 0x4000, 3);
    outb(vm, 0x08, 0x04);
    ck_assert_uint_eq(dma_transfer(dma, 2, buf, 4, true), 0);
    outb(vm, 0x08, 0x00);
    setup_ch2(0x4A, 0x00, 0x4000, 3); /* read mode */
    dma_transfer(dma, 2, buf, 4, true);
    ck_assert_uint_eq(mem_byte(0x4000), 0);
}
END_TEST

START_TEST(test_out_of_ram_is_safe)
{
    /* A page beyond guest RAM (1 MB here) is bounds-checked. */
    uint8_t buf[64];
    memset(buf, 0x55, sizeof(buf));
    setup_ch2(0x46, 0xFF, 0xFFE0, 63);
    ck_assert_uint_eq(dma_transfer(dma, 2, buf, 64, true), 64);
    ck_assert_uint_eq(buf[0], 0x55);
}
END_TEST

START_TEST(test_page_registers)
{
    /* All 16 page register bytes read back (0x80 is the POST port). */
    outb(vm, 0x80, 0x12);
    outb(vm, 0x8F, 0x34);
    ck_assert_uint_eq(inb(vm, 0x80), 0x12);
    ck_assert_uint_eq(inb(vm, 0x8F), 0x34);
}
END_TEST

START_TEST(test_mask_commands)
{
    /* Clear mask (0x0E) unmasks all; write-all-mask (0x0F) sets bits;
     * master clear (0x0D) masks all again. */
    outb(vm, 0x0E, 0);
    ck_assert_uint_eq(inb(vm, 0x0F), 0xF0);
    outb(vm, 0x0F, 0x05);
    ck_assert_uint_eq(inb(vm, 0x0F), 0xF5);
    outb(vm, 0x0D, 0);
    ck_assert_uint_eq(inb(vm, 0x0F), 0xFF);
}
END_TEST

static Suite *dma_suite(void)
{
    Suite *s = suite_create("dma8237");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, dma_setup, dma_teardown);
    tcase_add_test(tc, test_reset_masks);
    tcase_add_test(tc, test_flipflop_readback);
    tcase_add_test(tc, test_write_transfer_tc);
    tcase_add_test(tc, test_partial_then_tc);
    tcase_add_test(tc, test_read_transfer);
    tcase_add_test(tc, test_page_wrap);
    tcase_add_test(tc, test_autoinit);
    tcase_add_test(tc, test_decrement);
    tcase_add_test(tc, test_16bit_channel);
    tcase_add_test(tc, test_masked_disabled_mismatch);
    tcase_add_test(tc, test_out_of_ram_is_safe);
    tcase_add_test(tc, test_page_registers);
    tcase_add_test(tc, test_mask_commands);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(dma_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
