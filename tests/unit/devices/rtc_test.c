/*
 * rtc_test.c — MC146818A through ports 0x70-0x73 (Motorola MC146818A
 * datasheet; PIIX4 datasheet 290562-001 for NMI mask and extended bank).
 * The clock starts at a fixed 2000-01-01T00:00:00 (a Saturday).
 */
#include <check.h>

#include "devices/devices.h"
#include "devices/rtc.h"
#include "devtest.h"

#define SEC 1000000000ll

static VM *vm;
static RtcState *rtc;

static void rtc_setup(void)
{
    vm = devtest_vm();
    rtc = vm_add_device(vm, &rtc_device, "fixed=2000-01-01T00:00:00");
    ck_assert_ptr_nonnull(rtc);
}

static void rtc_teardown(void)
{
    devtest_free(vm);
}

static uint8_t rd(uint8_t idx)
{
    outb(vm, 0x70, idx);
    return inb(vm, 0x71);
}

static void wr(uint8_t idx, uint8_t v)
{
    outb(vm, 0x70, idx);
    outb(vm, 0x71, v);
}

START_TEST(test_reset_values)
{
    /* Register A: DV=010 (32.768 kHz), RS=0110; B: 24h BCD; C clear;
     * D: VRT (datasheet "Registers"). */
    ck_assert_uint_eq(rd(0x0A), 0x26);
    ck_assert_uint_eq(rd(0x0B), 0x02);
    ck_assert_uint_eq(rd(0x0C), 0x00);
    ck_assert_uint_eq(rd(0x0D), 0x80);
    ck_assert(!irq_level(&vm->irq, 8));
}
END_TEST

START_TEST(test_fixed_time_bcd)
{
    /* Time, calendar and century bytes in BCD (datasheet "Time, calendar
     * and alarm data modes"); weekday 1 = Sunday so Saturday = 7. */
    ck_assert_uint_eq(rd(0x00), 0x00);
    ck_assert_uint_eq(rd(0x02), 0x00);
    ck_assert_uint_eq(rd(0x04), 0x00);
    ck_assert_uint_eq(rd(0x06), 0x07);
    ck_assert_uint_eq(rd(0x07), 0x01);
    ck_assert_uint_eq(rd(0x08), 0x01);
    ck_assert_uint_eq(rd(0x09), 0x00);
    ck_assert_uint_eq(rd(0x32), 0x20);
    ck_assert_int_eq(rtc_time(rtc), 946684800);
}
END_TEST

START_TEST(test_time_advances)
{
    /* The clock follows virtual time: 3661 s later = 01:01:01. */
    devtest_advance(vm, 3661 * SEC);
    ck_assert_uint_eq(rd(0x00), 0x01);
    ck_assert_uint_eq(rd(0x02), 0x01);
    ck_assert_uint_eq(rd(0x04), 0x01);
}
END_TEST

START_TEST(test_binary_and_12h)
{
    /* DM=1 binary; 24/12=0 gives 12-hour mode with bit 7 = PM (datasheet
     * "Register B", Table 3). 13:00 reads as PM 1. */
    devtest_advance(vm, 13 * 3600 * SEC);
    wr(0x0B, 0x04);
    ck_assert_uint_eq(rd(0x04), 0x81);
    wr(0x0B, 0x06);
    ck_assert_uint_eq(rd(0x04), 13);
    ck_assert_uint_eq(rd(0x32), 20);
}
END_TEST

START_TEST(test_set_halts_and_restarts)
{
    /* SET=1 stops updates so the time can be written; clearing SET
     * restarts from the written values (datasheet "Register B" SET). */
    wr(0x0B, 0x82);
    wr(0x00, 0x30);
    wr(0x02, 0x45);
    wr(0x04, 0x12);
    devtest_advance(vm, 5 * SEC);
    ck_assert_uint_eq(rd(0x00), 0x30);
    wr(0x0B, 0x02);
    devtest_advance(vm, SEC);
    ck_assert_uint_eq(rd(0x00), 0x31);
    ck_assert_uint_eq(rd(0x02), 0x45);
    ck_assert_uint_eq(rd(0x04), 0x12);
}
END_TEST

START_TEST(test_set_clears_uie)
{
    /* Setting SET clears UIE (datasheet "Register B"). */
    wr(0x0B, 0x12);
    ck_assert_uint_eq(rd(0x0B), 0x12);
    wr(0x0B, 0x92);
    ck_assert_uint_eq(rd(0x0B), 0x82);
}
END_TEST

START_TEST(test_uip_window)
{
    /* UIP is set 244 us before the update (datasheet "UIP"). */
    devtest_advance(vm, SEC / 2);
    ck_assert_uint_eq(rd(0x0A) & 0x80, 0);
    devtest_advance(vm, SEC / 2 - 100000);
    ck_assert_uint_eq(rd(0x0A) & 0x80, 0x80);
    ck_assert_uint_eq(rd(0x00), 0x00); /* not yet updated */
    devtest_advance(vm, 100000);
    ck_assert_uint_eq(rd(0x0A) & 0x80, 0);
    ck_assert_uint_eq(rd(0x00), 0x01);
}
END_TEST

START_TEST(test_update_interrupt)
{
    /* UIE: each update sets UF and IRQF and asserts IRQ 8; reading C
     * clears it (datasheet "Register C"). */
    wr(0x0B, 0x12);
    devtest_advance(vm, SEC);
    ck_assert(irq_level(&vm->irq, 8));
    ck_assert_uint_eq(rd(0x0C) & 0xB0, 0x90); /* PF may also be set */
    ck_assert(!irq_level(&vm->irq, 8));
    ck_assert_uint_eq(rd(0x0C), 0x00);
}
END_TEST

START_TEST(test_alarm)
{
    /* Alarm with "don't care" (11xxxxxx) minutes and hours fires when the
     * seconds match (datasheet "Alarm"). */
    wr(0x01, 0x05);
    wr(0x03, 0xC0);
    wr(0x05, 0xFF);
    wr(0x0B, 0x22);
    devtest_advance(vm, 4 * SEC);
    ck_assert(!irq_level(&vm->irq, 8));
    rd(0x0C);
    devtest_advance(vm, SEC);
    ck_assert(irq_level(&vm->irq, 8));
    ck_assert_uint_eq(rd(0x0C) & 0xA0, 0xA0);
}
END_TEST

START_TEST(test_periodic)
{
    /* RS=0110 gives 1024 Hz (datasheet Table 5); PIE asserts IRQ 8 every
     * 976.5625 us; PF is set even with PIE=0 but IRQF is not. */
    wr(0x0B, 0x42);
    devtest_advance(vm, 980000);
    ck_assert(irq_level(&vm->irq, 8));
    ck_assert_uint_eq(rd(0x0C), 0xC0);
    wr(0x0B, 0x02);
    devtest_advance(vm, 2000000);
    ck_assert(!irq_level(&vm->irq, 8));
    ck_assert_uint_eq(rd(0x0C), 0x40);
    /* RS=0 disables the periodic flag. */
    wr(0x0A, 0x20);
    devtest_advance(vm, 2000000);
    ck_assert_uint_eq(rd(0x0C) & 0x40, 0);
}
END_TEST

START_TEST(test_periodic_rate_15)
{
    /* RS=1111 is 2 Hz: no interrupt after 400 ms, one by 500 ms. */
    wr(0x0A, 0x2F);
    wr(0x0B, 0x42);
    rd(0x0C);
    devtest_advance(vm, 400000000);
    ck_assert(!irq_level(&vm->irq, 8));
    devtest_advance(vm, 100000000);
    ck_assert(irq_level(&vm->irq, 8));
}
END_TEST

START_TEST(test_nmi_mask)
{
    /* Port 0x70 bit 7 is the NMI enable (PIIX4 "RTC index"). */
    outb(vm, 0x70, 0x8F);
    ck_assert(rtc_nmi_masked(rtc));
    outb(vm, 0x70, 0x0F);
    ck_assert(!rtc_nmi_masked(rtc));
}
END_TEST

START_TEST(test_cmos_ram)
{
    /* 114 bytes of RAM at 0x0E-0x7F and 128 extended bytes at 0x72/0x73
     * (PIIX4 "Extended RTC RAM"). */
    wr(0x40, 0x5A);
    wr(0x7F, 0xA5);
    ck_assert_uint_eq(rd(0x40), 0x5A);
    ck_assert_uint_eq(rd(0x7F), 0xA5);
    outb(vm, 0x72, 0x10);
    outb(vm, 0x73, 0x77);
    outb(vm, 0x72, 0x10);
    ck_assert_uint_eq(inb(vm, 0x73), 0x77);
    ck_assert_uint_eq(rtc_get_cmos(rtc, 0x90), 0x77);
}
END_TEST

START_TEST(test_board_presets_checksum)
{
    /* The standard CMOS checksum: 16-bit sum of 0x10-0x2D, big-endian at
     * 0x2E/0x2F (IBM AT BIOS convention used by SeaBIOS). */
    rtc_set_cmos(rtc, RTC_CMOS_FLOPPY, 0x40);
    rtc_set_cmos(rtc, RTC_CMOS_BASE_LO, 0x80);
    rtc_set_cmos(rtc, RTC_CMOS_BASE_HI, 0x02);
    rtc_set_cmos(rtc, RTC_CMOS_EXT_LO, 0xFF);
    rtc_set_cmos(rtc, RTC_CMOS_EXT_HI, 0xFF);
    unsigned sum = 0x40 + 0x80 + 0x02 + 0xFF + 0xFF;
    ck_assert_uint_eq(rd(0x2E), sum >> 8);
    ck_assert_uint_eq(rd(0x2F), sum & 0xFF);
    rtc_set_cmos(rtc, RTC_CMOS_NCPUS, 1);
    ck_assert_uint_eq(rd(0x5F), 1);
    ck_assert_uint_eq(rd(0x2F), sum & 0xFF);
}
END_TEST

START_TEST(test_reset_pin)
{
    /* RESET clears PIE/AIE/UIE/SQWE and the flags, keeps time and RAM
     * (datasheet "RESET"). */
    wr(0x50, 0x11);
    wr(0x0B, 0x7A);
    devtest_advance(vm, SEC);
    rtc_device.reset(rtc);
    ck_assert_uint_eq(rd(0x0B), 0x02);
    ck_assert_uint_eq(rd(0x0C), 0x00);
    ck_assert_uint_eq(rd(0x50), 0x11);
    ck_assert_uint_eq(rd(0x00), 0x01);
}
END_TEST

START_TEST(test_write_while_running)
{
    /* Writing a time register while running: counting continues from the
     * new value. */
    wr(0x02, 0x30);
    devtest_advance(vm, 60 * SEC);
    ck_assert_uint_eq(rd(0x02), 0x31);
}
END_TEST

START_TEST(test_divider_reset)
{
    /* DV=110 holds the divider in reset; returning to 010 makes the first
     * update 500 ms later (datasheet "Divider control"). */
    wr(0x0A, 0x66);
    devtest_advance(vm, 10 * SEC);
    ck_assert_uint_eq(rd(0x00), 0x00);
    wr(0x0A, 0x26);
    devtest_advance(vm, SEC / 2 - 1000);
    ck_assert_uint_eq(rd(0x00), 0x00);
    devtest_advance(vm, 1000);
    ck_assert_uint_eq(rd(0x00), 0x01);
}
END_TEST

static Suite *rtc_suite(void)
{
    Suite *s = suite_create("rtc");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, rtc_setup, rtc_teardown);
    tcase_add_test(tc, test_reset_values);
    tcase_add_test(tc, test_fixed_time_bcd);
    tcase_add_test(tc, test_time_advances);
    tcase_add_test(tc, test_binary_and_12h);
    tcase_add_test(tc, test_set_halts_and_restarts);
    tcase_add_test(tc, test_set_clears_uie);
    tcase_add_test(tc, test_uip_window);
    tcase_add_test(tc, test_update_interrupt);
    tcase_add_test(tc, test_alarm);
    tcase_add_test(tc, test_periodic);
    tcase_add_test(tc, test_periodic_rate_15);
    tcase_add_test(tc, test_nmi_mask);
    tcase_add_test(tc, test_cmos_ram);
    tcase_add_test(tc, test_board_presets_checksum);
    tcase_add_test(tc, test_reset_pin);
    tcase_add_test(tc, test_write_while_running);
    tcase_add_test(tc, test_divider_reset);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(rtc_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
