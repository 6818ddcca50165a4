/*
 * i8042_test.c — 8042 controller, PS/2 keyboard and mouse through ports
 * 0x60/0x64 (IBM PS/2 Hardware Interface Technical Reference 1990,
 * "Keyboard/auxiliary device controller", "Keyboard", "Auxiliary
 * device").
 */
#include <check.h>

#include "devices/devices.h"
#include "devices/i8042.h"
#include "devtest.h"

static VM *vm;
static I8042State *kbc;

static void kbc_setup(void)
{
    vm = devtest_vm();
    kbc = vm_add_device(vm, &i8042_device, NULL);
    ck_assert_ptr_nonnull(kbc);
}

static void kbc_teardown(void)
{
    devtest_free(vm);
}

/* Read one byte, asserting the output buffer was full. */
static uint8_t rd(void)
{
    ck_assert_msg(inb(vm, 0x64) & 0x01, "output buffer empty");
    return inb(vm, 0x60);
}

static void empty(void)
{
    ck_assert_uint_eq(inb(vm, 0x64) & 0x01, 0);
}

static void set_cmd_byte(uint8_t v)
{
    outb(vm, 0x64, 0x60);
    outb(vm, 0x60, v);
}

START_TEST(test_reset_state)
{
    /* Status: inhibit switch unlocked, buffers empty; command byte read
     * with 0x20 (reference "Command byte"). */
    ck_assert_uint_eq(inb(vm, 0x64) & 0x27, 0x00);
    ck_assert_uint_eq(inb(vm, 0x64) & 0x10, 0x10);
    outb(vm, 0x64, 0x20);
    ck_assert_uint_eq(inb(vm, 0x64) & 0x08, 0x08); /* A2: command */
    ck_assert_uint_eq(rd(), 0x43);
    empty();
}
END_TEST

START_TEST(test_self_test_and_cmd_byte)
{
    /* 0xAA answers 0x55 and sets SYS; 0x60 writes the command byte;
     * 0xA9/0xAB interface tests answer 0. */
    outb(vm, 0x64, 0xAA);
    ck_assert_uint_eq(rd(), 0x55);
    ck_assert_uint_eq(inb(vm, 0x64) & 0x04, 0x04);
    set_cmd_byte(0x25);
    outb(vm, 0x64, 0x20);
    ck_assert_uint_eq(rd(), 0x25);
    outb(vm, 0x64, 0xA9);
    ck_assert_uint_eq(rd(), 0x00);
    outb(vm, 0x64, 0xAB);
    ck_assert_uint_eq(rd(), 0x00);
}
END_TEST

START_TEST(test_kbd_reset_irq1)
{
    /* Keyboard reset: ACK then BAT completion 0xAA; IRQ 1 while the
     * output buffer holds keyboard data (command byte bit 0). */
    outb(vm, 0x60, 0xFF);
    ck_assert(irq_level(&vm->irq, 1));
    ck_assert_uint_eq(rd(), 0xFA);
    ck_assert(irq_level(&vm->irq, 1));
    ck_assert_uint_eq(rd(), 0xAA);
    ck_assert(!irq_level(&vm->irq, 1));
    empty();
}
END_TEST

START_TEST(test_identify_translated)
{
    /* Identify: ACK, 0xAB, 0x83 — the controller translates 0x83 to 0x41
     * when translation is on (reference "Scan code translation"). */
    outb(vm, 0x60, 0xF2);
    ck_assert_uint_eq(rd(), 0xFA);
    ck_assert_uint_eq(rd(), 0xAB);
    ck_assert_uint_eq(rd(), 0x41);
    set_cmd_byte(0x03);
    outb(vm, 0x60, 0xF2);
    ck_assert_uint_eq(rd(), 0xFA);
    ck_assert_uint_eq(rd(), 0xAB);
    ck_assert_uint_eq(rd(), 0x83);
}
END_TEST

START_TEST(test_key_translated_and_raw)
{
    /* 'A': set 2 make 1C, break F0 1C; translated to set 1 1E / 9E. */
    i8042_key_event(kbc, 0x1E, true);
    i8042_key_event(kbc, 0x1E, false);
    ck_assert_uint_eq(rd(), 0x1E);
    ck_assert_uint_eq(rd(), 0x9E);
    empty();
    set_cmd_byte(0x01);
    i8042_key_event(kbc, 0x1E, true);
    i8042_key_event(kbc, 0x1E, false);
    ck_assert_uint_eq(rd(), 0x1C);
    ck_assert_uint_eq(rd(), 0xF0);
    ck_assert_uint_eq(rd(), 0x1C);
}
END_TEST

START_TEST(test_extended_key)
{
    /* Right Ctrl: set 2 E0 14 / E0 F0 14, translated E0 1D / E0 9D. */
    i8042_key_event(kbc, 0xE01D, true);
    i8042_key_event(kbc, 0xE01D, false);
    ck_assert_uint_eq(rd(), 0xE0);
    ck_assert_uint_eq(rd(), 0x1D);
    ck_assert_uint_eq(rd(), 0xE0);
    ck_assert_uint_eq(rd(), 0x9D);
    set_cmd_byte(0x01);
    i8042_key_event(kbc, 0xE048, true); /* Up arrow: E0 75 */
    ck_assert_uint_eq(rd(), 0xE0);
    ck_assert_uint_eq(rd(), 0x75);
}
END_TEST

START_TEST(test_scancode_set1)
{
    /* F0 01 selects set 1; F0 00 reports the current set. */
    set_cmd_byte(0x01);
    outb(vm, 0x60, 0xF0);
    ck_assert_uint_eq(rd(), 0xFA);
    outb(vm, 0x60, 0x01);
    ck_assert_uint_eq(rd(), 0xFA);
    outb(vm, 0x60, 0xF0);
    rd();
    outb(vm, 0x60, 0x00);
    ck_assert_uint_eq(rd(), 0xFA);
    ck_assert_uint_eq(rd(), 0x01);
    i8042_key_event(kbc, 0x10, true);
    i8042_key_event(kbc, 0x10, false);
    ck_assert_uint_eq(rd(), 0x10);
    ck_assert_uint_eq(rd(), 0x90);
}
END_TEST

START_TEST(test_typematic)
{
    /* Default typematic: 500 ms delay, then every 91.74 ms ((8+3)*2^1*
     * 4.17 ms; reference "Set typematic rate/delay"). */
    i8042_key_event(kbc, 0x1E, true);
    ck_assert_uint_eq(rd(), 0x1E);
    devtest_advance(vm, 499000000);
    empty();
    devtest_advance(vm, 1000000);
    ck_assert_uint_eq(rd(), 0x1E);
    devtest_advance(vm, 91740000);
    ck_assert_uint_eq(rd(), 0x1E);
    i8042_key_event(kbc, 0x1E, false);
    ck_assert_uint_eq(rd(), 0x9E);
    devtest_advance(vm, 1000000000);
    empty();
}
END_TEST

START_TEST(test_kbd_disable_holds_data)
{
    /* 0xAD disables the keyboard interface (command byte bit 4): data
     * waits until 0xAE. */
    outb(vm, 0x64, 0xAD);
    i8042_key_event(kbc, 0x1E, true);
    empty();
    outb(vm, 0x64, 0xAE);
    ck_assert_uint_eq(rd(), 0x1E);
}
END_TEST

START_TEST(test_leds_and_echo)
{
    /* ED takes an argument and ACKs both bytes; EE echoes EE. */
    outb(vm, 0x60, 0xED);
    ck_assert_uint_eq(rd(), 0xFA);
    outb(vm, 0x60, 0x07);
    ck_assert_uint_eq(rd(), 0xFA);
    outb(vm, 0x60, 0xEE);
    ck_assert_uint_eq(rd(), 0xEE);
    outb(vm, 0x60, 0x42); /* unknown command: resend */
    ck_assert_uint_eq(rd(), 0xFE);
}
END_TEST

START_TEST(test_mouse_stream)
{
    /* D4 forwards to the mouse; its bytes set AUX OBF and IRQ 12. A move
     * right 5, up 3 with the left button: 09 05 03. */
    outb(vm, 0x64, 0xD4);
    outb(vm, 0x60, 0xF4);
    ck_assert_uint_eq(inb(vm, 0x64) & 0x21, 0x21);
    ck_assert(irq_level(&vm->irq, 12));
    ck_assert(!irq_level(&vm->irq, 1));
    ck_assert_uint_eq(rd(), 0xFA);
    i8042_mouse_event(kbc, 5, -3, 0, 1);
    ck_assert_uint_eq(rd(), 0x09);
    ck_assert_uint_eq(rd(), 0x05);
    ck_assert_uint_eq(rd(), 0x03);
    /* Left 2, down 4: sign bits X (4) and Y (5). */
    i8042_mouse_event(kbc, -2, 4, 0, 0);
    ck_assert_uint_eq(rd(), 0x38);
    ck_assert_uint_eq(rd(), 0xFE);
    ck_assert_uint_eq(rd(), 0xFC);
    empty();
}
END_TEST

static void mouse_cmd(uint8_t b)
{
    outb(vm, 0x64, 0xD4);
    outb(vm, 0x60, b);
}

START_TEST(test_intellimouse_knock)
{
    /* Sample rates 200, 100, 80 turn the ID into 3 and packets get a
     * fourth (wheel) byte. */
    mouse_cmd(0xF2);
    ck_assert_uint_eq(rd(), 0xFA);
    ck_assert_uint_eq(rd(), 0x00);
    static const uint8_t knock[3] = {200, 100, 80};
    for (int i = 0; i < 3; i++) {
        mouse_cmd(0xF3);
        ck_assert_uint_eq(rd(), 0xFA);
        mouse_cmd(knock[i]);
        ck_assert_uint_eq(rd(), 0xFA);
    }
    mouse_cmd(0xF2);
    ck_assert_uint_eq(rd(), 0xFA);
    ck_assert_uint_eq(rd(), 0x03);
    mouse_cmd(0xF4);
    rd();
    i8042_mouse_event(kbc, 0, 0, 1, 0);
    ck_assert_uint_eq(rd(), 0x08);
    ck_assert_uint_eq(rd(), 0x00);
    ck_assert_uint_eq(rd(), 0x00);
    ck_assert_uint_eq(rd(), 0x01);
    /* Reset answers FA AA 00 and drops back to ID 0. */
    mouse_cmd(0xFF);
    ck_assert_uint_eq(rd(), 0xFA);
    ck_assert_uint_eq(rd(), 0xAA);
    ck_assert_uint_eq(rd(), 0x00);
    mouse_cmd(0xF2);
    rd();
    ck_assert_uint_eq(rd(), 0x00);
}
END_TEST

START_TEST(test_mouse_status_remote)
{
    /* E9 status: flags, resolution, rate; remote mode (F0) reports only on
     * EB read-data. */
    mouse_cmd(0xE9);
    ck_assert_uint_eq(rd(), 0xFA);
    ck_assert_uint_eq(rd(), 0x00);
    ck_assert_uint_eq(rd(), 0x02);
    ck_assert_uint_eq(rd(), 100);
    mouse_cmd(0xF0);
    rd();
    mouse_cmd(0xF4);
    rd();
    i8042_mouse_event(kbc, 1, 0, 0, 0);
    empty();
    mouse_cmd(0xEB);
    ck_assert_uint_eq(rd(), 0xFA);
    ck_assert_uint_eq(rd(), 0x08);
    ck_assert_uint_eq(rd(), 0x01);
    ck_assert_uint_eq(rd(), 0x00);
}
END_TEST

START_TEST(test_output_port_a20_reset)
{
    /* D1 writes the output port: bit 1 gates A20, bit 0 low resets the
     * CPU; D0 reads it back; DD/DF switch A20 (reference "Output port"). */
    outb(vm, 0x64, 0xD1);
    outb(vm, 0x60, 0xDD);
    ck_assert_uint_eq(vm->a20_mask, ~(1ull << 20));
    outb(vm, 0x64, 0xD0);
    ck_assert_uint_eq(rd() & 0x03, 0x01);
    ck_assert(!(vm->requests & VM_REQ_RESET));
    outb(vm, 0x64, 0xDF);
    ck_assert_uint_eq(vm->a20_mask, ~0ull);
    outb(vm, 0x64, 0xD1);
    outb(vm, 0x60, 0xDE);
    ck_assert(vm->requests & VM_REQ_RESET);
}
END_TEST

START_TEST(test_pulse_reset)
{
    /* FE pulses output port bit 0: CPU reset. */
    outb(vm, 0x64, 0xFE);
    ck_assert(vm->requests & VM_REQ_RESET);
}
END_TEST

START_TEST(test_write_output_buffers)
{
    /* D2 puts a byte in the buffer as keyboard data (IRQ 1), D3 as aux
     * data (IRQ 12). */
    outb(vm, 0x64, 0xD2);
    outb(vm, 0x60, 0x42);
    ck_assert(irq_level(&vm->irq, 1));
    ck_assert_uint_eq(rd(), 0x42);
    outb(vm, 0x64, 0xD3);
    outb(vm, 0x60, 0x24);
    ck_assert(irq_level(&vm->irq, 12));
    ck_assert_uint_eq(inb(vm, 0x64) & 0x20, 0x20);
    ck_assert_uint_eq(rd(), 0x24);
}
END_TEST

START_TEST(test_irq_disabled_by_cmd_byte)
{
    /* Command byte bit 0 clear: keyboard data without IRQ 1. */
    set_cmd_byte(0x40);
    outb(vm, 0x60, 0xEE);
    ck_assert(!irq_level(&vm->irq, 1));
    ck_assert_uint_eq(rd(), 0xEE);
}
END_TEST

static Suite *i8042_suite(void)
{
    Suite *s = suite_create("i8042");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, kbc_setup, kbc_teardown);
    tcase_add_test(tc, test_reset_state);
    tcase_add_test(tc, test_self_test_and_cmd_byte);
    tcase_add_test(tc, test_kbd_reset_irq1);
    tcase_add_test(tc, test_identify_translated);
    tcase_add_test(tc, test_key_translated_and_raw);
    tcase_add_test(tc, test_extended_key);
    tcase_add_test(tc, test_scancode_set1);
    tcase_add_test(tc, test_typematic);
    tcase_add_test(tc, test_kbd_disable_holds_data);
    tcase_add_test(tc, test_leds_and_echo);
    tcase_add_test(tc, test_mouse_stream);
    tcase_add_test(tc, test_intellimouse_knock);
    tcase_add_test(tc, test_mouse_status_remote);
    tcase_add_test(tc, test_output_port_a20_reset);
    tcase_add_test(tc, test_pulse_reset);
    tcase_add_test(tc, test_write_output_buffers);
    tcase_add_test(tc, test_irq_disabled_by_cmd_byte);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(i8042_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
