/*
 * pit_test.c — 8254 through ports 0x40-0x43 and 0x61 (Intel 82C54
 * datasheet 231244-006; PIIX4 datasheet 290562-001 for port 0x61).
 */
#include <check.h>

#include "devices/devices.h"
#include "devtest.h"

#define HZ 1193182ull

static VM *vm;
static unsigned irq0_rises;

static void count_sink(void *opaque, unsigned line, bool level)
{
    (void)opaque;
    if (line == 0 && level)
        irq0_rises++;
}

static void pit_setup(void)
{
    vm = devtest_vm();
    irq_set_sink(&vm->irq, count_sink, NULL);
    irq0_rises = 0;
    vm->clock.icount = 1000; /* start away from 0 */
    ck_assert_ptr_nonnull(vm_add_device(vm, &pit_device, NULL));
    irq0_rises = 0;
}

static void pit_teardown(void)
{
    devtest_free(vm);
}

/* Advance to exactly `ticks` PIT clocks after time `t0`. */
static void at_tick(int64_t t0, uint64_t ticks)
{
    int64_t target = t0 + clock_ticks_to_ns(ticks, HZ);
    devtest_advance(vm, target - clock_now(&vm->clock));
}

static unsigned read_word(uint16_t port)
{
    unsigned lo = inb(vm, port);
    return lo | (unsigned)inb(vm, port) << 8;
}

START_TEST(test_reset_port_b)
{
    /* Port 0x61 bits 0-3 reset to 0 (PIIX4 NMISC). */
    ck_assert_uint_eq(inb(vm, 0x61) & 0x0F, 0);
    outb(vm, 0x61, 0xFF);
    ck_assert_uint_eq(inb(vm, 0x61) & 0x0F, 0x0F);
}
END_TEST

START_TEST(test_mode0_terminal_count)
{
    /* Mode 0: OUT low after the control word, high once the count
     * reaches 0 (datasheet "Mode 0 interrupt on terminal count"). */
    outb(vm, 0x43, 0x30);
    int64_t t0 = clock_now(&vm->clock);
    outb(vm, 0x40, 100);
    outb(vm, 0x40, 0);
    ck_assert(!irq_level(&vm->irq, 0));
    at_tick(t0, 99);
    ck_assert(!irq_level(&vm->irq, 0));
    outb(vm, 0x43, 0x00); /* counter latch command */
    ck_assert_uint_eq(read_word(0x40), 1);
    at_tick(t0, 100);
    ck_assert(irq_level(&vm->irq, 0));
    ck_assert_uint_eq(irq0_rises, 1);
}
END_TEST

START_TEST(test_mode2_rate)
{
    /* Mode 2: one OUT pulse per N clocks (datasheet "Mode 2 rate
     * generator"): 1193 clocks = 1 ms, so 10 rising edges in ~10 ms. */
    outb(vm, 0x43, 0x34);
    int64_t t0 = clock_now(&vm->clock);
    outb(vm, 0x40, 1193 & 0xFF);
    outb(vm, 0x40, 1193 >> 8);
    unsigned before = irq0_rises;
    at_tick(t0, 1193 * 10);
    ck_assert_uint_eq(irq0_rises - before, 10);
    /* One clock before the reload OUT is low. */
    at_tick(t0, 1193 * 11 - 1);
    ck_assert(!irq_level(&vm->irq, 0));
}
END_TEST

START_TEST(test_late_timer_keeps_pulse)
{
    /* A timer serviced late (host clock mode) must still deliver the mode
     * 2 pulse: the rising edge after the one-clock low phase is what the
     * 8259 latches (datasheet "Mode 2 rate generator"). */
    outb(vm, 0x43, 0x34);
    outb(vm, 0x40, 1193 & 0xFF);
    outb(vm, 0x40, 1193 >> 8);
    unsigned before = irq0_rises;
    vm->clock.icount += 1500000; /* 1.5 ms in one jump */
    clock_run_timers(&vm->clock);
    ck_assert_uint_eq(irq0_rises - before, 1);
    ck_assert(irq_level(&vm->irq, 0));
}
END_TEST

START_TEST(test_late_oneshot_mode4_not_lost)
{
    /* Mode 4 (software triggered strobe, Linux's one-shot clockevent):
     * OUT pulses low for one clock at terminal count and the 8259 latches
     * the rising edge after it (datasheet "Mode 4"). A timer serviced far
     * later than twice the (short) count must still deliver that edge;
     * otherwise the guest waits for its one-shot forever. */
    outb(vm, 0x43, 0x38);
    outb(vm, 0x40, 10);
    outb(vm, 0x40, 0);
    unsigned before = irq0_rises;
    vm->clock.icount += 5000000; /* 5 ms in one jump: >> 2 x 10 clocks */
    clock_run_timers(&vm->clock);
    ck_assert_uint_eq(irq0_rises - before, 1);
    ck_assert(irq_level(&vm->irq, 0));
}
END_TEST

START_TEST(test_mode3_square_wave_out2)
{
    /* Mode 3 on counter 2 with the gate from port 0x61 bit 0: OUT2 (port
     * 0x61 bit 5) is high for N/2 and low for N/2 clocks (datasheet "Mode
     * 3 square wave"). */
    outb(vm, 0x61, 0x01);
    outb(vm, 0x43, 0xB6);
    int64_t t0 = clock_now(&vm->clock);
    outb(vm, 0x42, 0xE8);
    outb(vm, 0x42, 0x03); /* 1000 */
    ck_assert(inb(vm, 0x61) & 0x20);
    at_tick(t0, 499);
    ck_assert(inb(vm, 0x61) & 0x20);
    at_tick(t0, 500);
    ck_assert(!(inb(vm, 0x61) & 0x20));
    at_tick(t0, 1000);
    ck_assert(inb(vm, 0x61) & 0x20);
}
END_TEST

START_TEST(test_gate_low_stops_mode0)
{
    /* Mode 0 with GATE low: counting is suspended (datasheet "Gate pin
     * operations summary"); Linux/SeaBIOS calibrate the TSC this way. */
    outb(vm, 0x61, 0x00);
    outb(vm, 0x43, 0xB0);
    outb(vm, 0x42, 0x10);
    outb(vm, 0x42, 0x00);
    devtest_advance(vm, 100000);
    ck_assert(!(inb(vm, 0x61) & 0x20));
    outb(vm, 0x61, 0x01);
    int64_t t0 = clock_now(&vm->clock);
    at_tick(t0, 15);
    ck_assert(!(inb(vm, 0x61) & 0x20));
    at_tick(t0, 16);
    ck_assert(inb(vm, 0x61) & 0x20);
}
END_TEST

START_TEST(test_bcd)
{
    /* BCD counting: 0x1000 is decimal 1000 and counts down to 0999
     * (datasheet "Control word format", BCD bit). */
    outb(vm, 0x43, 0x31);
    int64_t t0 = clock_now(&vm->clock);
    outb(vm, 0x40, 0x00);
    outb(vm, 0x40, 0x10);
    at_tick(t0, 1);
    outb(vm, 0x43, 0x00);
    ck_assert_uint_eq(read_word(0x40), 0x0999);
}
END_TEST

START_TEST(test_readback_status)
{
    /* Read-back: status byte = OUT, NULL COUNT, RW, mode, BCD (datasheet
     * "Read-back command", "Status byte"). */
    outb(vm, 0x43, 0xB2); /* counter 2, word, mode 1 */
    outb(vm, 0x42, 100);
    outb(vm, 0x42, 0);
    outb(vm, 0x43, 0xE8); /* latch status of counter 2 */
    ck_assert_uint_eq(inb(vm, 0x42), 0x80 | 0x40 | 0x30 | 0x02);
    /* Status and count latched together: status first, then count. */
    outb(vm, 0x61, 0x01); /* gate rising edge triggers mode 1 */
    outb(vm, 0x43, 0xC8);
    ck_assert_uint_eq(inb(vm, 0x42), 0x00 | 0x30 | 0x02);
    ck_assert_uint_eq(read_word(0x42), 100);
}
END_TEST

START_TEST(test_mode1_oneshot)
{
    /* Mode 1: OUT goes low on the trigger and high after N clocks
     * (datasheet "Mode 1 hardware retriggerable one-shot"). */
    outb(vm, 0x43, 0xB2);
    outb(vm, 0x42, 50);
    outb(vm, 0x42, 0);
    ck_assert(inb(vm, 0x61) & 0x20);
    outb(vm, 0x61, 0x01);
    int64_t t0 = clock_now(&vm->clock);
    ck_assert(!(inb(vm, 0x61) & 0x20));
    at_tick(t0, 50);
    ck_assert(inb(vm, 0x61) & 0x20);
}
END_TEST

START_TEST(test_mode4_strobe)
{
    /* Mode 4: OUT high, low for one clock when the count reaches 0 (the
     * rising edge that follows is what IRQ 0 sees; Linux oneshot). */
    outb(vm, 0x43, 0x38);
    int64_t t0 = clock_now(&vm->clock);
    outb(vm, 0x40, 20);
    outb(vm, 0x40, 0);
    unsigned before = irq0_rises;
    at_tick(t0, 20);
    ck_assert(!irq_level(&vm->irq, 0));
    at_tick(t0, 21);
    ck_assert(irq_level(&vm->irq, 0));
    ck_assert_uint_eq(irq0_rises - before, 1);
    at_tick(t0, 70000);
    ck_assert_uint_eq(irq0_rises - before, 1);
}
END_TEST

START_TEST(test_lsb_msb_only)
{
    /* RW=01 writes/reads the LSB only, RW=10 the MSB only (datasheet
     * "Write operations"). */
    outb(vm, 0x43, 0x50); /* counter 1, LSB, mode 0 */
    outb(vm, 0x41, 0x42);
    outb(vm, 0x43, 0x40);
    ck_assert_uint_eq(inb(vm, 0x41), 0x42);
    outb(vm, 0x43, 0x60); /* counter 1, MSB, mode 0 */
    outb(vm, 0x41, 0x12);
    outb(vm, 0x43, 0x40);
    ck_assert_uint_eq(inb(vm, 0x41), 0x12);
}
END_TEST

START_TEST(test_latch_holds)
{
    /* A latched count does not change until read, and a second latch is
     * ignored (datasheet "Counter latch command"). */
    outb(vm, 0x43, 0x34);
    outb(vm, 0x40, 0);
    outb(vm, 0x40, 0); /* 65536 */
    devtest_advance(vm, 10000);
    outb(vm, 0x43, 0x00);
    devtest_advance(vm, 10000);
    outb(vm, 0x43, 0x00);
    unsigned a = read_word(0x40);
    unsigned b = read_word(0x40);
    ck_assert_uint_eq(a, 65536 - 11); /* 10 us = 11.9 clocks */
    ck_assert_uint_lt(b, a);
}
END_TEST

START_TEST(test_refresh_toggle)
{
    /* Port 0x61 bit 4 toggles every 15.085 us (PIIX4 NMISC REF_TOGGLE). */
    devtest_advance(vm, 15085 - (int64_t)(clock_now(&vm->clock) % 15085));
    uint8_t a = inb(vm, 0x61) & 0x10;
    devtest_advance(vm, 15085);
    uint8_t b = inb(vm, 0x61) & 0x10;
    ck_assert_uint_ne(a, b);
}
END_TEST

static Suite *pit_suite(void)
{
    Suite *s = suite_create("pit");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, pit_setup, pit_teardown);
    tcase_add_test(tc, test_reset_port_b);
    tcase_add_test(tc, test_mode0_terminal_count);
    tcase_add_test(tc, test_mode2_rate);
    tcase_add_test(tc, test_late_timer_keeps_pulse);
    tcase_add_test(tc, test_late_oneshot_mode4_not_lost);
    tcase_add_test(tc, test_mode3_square_wave_out2);
    tcase_add_test(tc, test_gate_low_stops_mode0);
    tcase_add_test(tc, test_bcd);
    tcase_add_test(tc, test_readback_status);
    tcase_add_test(tc, test_mode1_oneshot);
    tcase_add_test(tc, test_mode4_strobe);
    tcase_add_test(tc, test_lsb_msb_only);
    tcase_add_test(tc, test_latch_holds);
    tcase_add_test(tc, test_refresh_toggle);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pit_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
