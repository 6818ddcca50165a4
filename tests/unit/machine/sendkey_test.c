/*
 * sendkey_test.c — -sendkey-at: key names and characters to PC scancodes
 * (set-1 make codes, IBM PS/2 Hardware Interface Technical Reference,
 * "Keyboard", scan code set 1), and timed delivery through the 8042, read
 * back at port 0x60 with the controller's set-2 to set-1 translation on.
 */
#include <check.h>

#include "devices/devices.h"
#include "devices/devtest.h"
#include "machine/sendkey.h"

/* Parse keys and compare with want: pairs {code, down}. */
static void expect_events(const char *keys, const uint32_t (*want)[2],
                          int n)
{
    SendKeyEvent ev[16];
    ck_assert_int_eq(sendkey_parse(keys, NULL, 0, NULL, 0), n);
    ck_assert_int_eq(sendkey_parse(keys, ev, 16, NULL, 0), n);
    for (int i = 0; i < n; i++) {
        ck_assert_msg(ev[i].keycode == want[i][0] &&
                          ev[i].down == (want[i][1] != 0),
                      "%s: event %d is %#x/%d, want %#x/%u", keys, i,
                      ev[i].keycode, ev[i].down, want[i][0], want[i][1]);
    }
}

START_TEST(test_names_and_chars)
{
    /* Named keys and US-layout characters; a capital adds left shift
     * (make code 0x2A) around the key. */
    expect_events("esc", (const uint32_t[][2]){{0x01, 1}, {0x01, 0}}, 2);
    expect_events("f12", (const uint32_t[][2]){{0x58, 1}, {0x58, 0}}, 2);
    expect_events("a,2", (const uint32_t[][2]){{0x1E, 1}, {0x1E, 0},
                                               {0x03, 1}, {0x03, 0}}, 4);
    expect_events("A", (const uint32_t[][2]){{0x2A, 1}, {0x1E, 1},
                                             {0x1E, 0}, {0x2A, 0}}, 4);
    expect_events("|", (const uint32_t[][2]){{0x2A, 1}, {0x2B, 1},
                                             {0x2B, 0}, {0x2A, 0}}, 4);
    expect_events("/,comma,-", (const uint32_t[][2]){{0x35, 1}, {0x35, 0},
                                                     {0x33, 1}, {0x33, 0},
                                                     {0x0C, 1}, {0x0C, 0}},
                  6);
    expect_events("up", (const uint32_t[][2]){{0xE048, 1}, {0xE048, 0}}, 2);
}
END_TEST

START_TEST(test_combos)
{
    /* Keys of a stroke go down in order and up in reverse. */
    expect_events("ctrl-alt-delete",
                  (const uint32_t[][2]){{0x1D, 1}, {0x38, 1}, {0xE053, 1},
                                        {0xE053, 0}, {0x38, 0}, {0x1D, 0}},
                  6);
    expect_events("ctrl--", (const uint32_t[][2]){{0x1D, 1}, {0x0C, 1},
                                                  {0x0C, 0}, {0x1D, 0}}, 4);
    expect_events("alt-X", (const uint32_t[][2]){{0x38, 1}, {0x2A, 1},
                                                 {0x2D, 1}, {0x2D, 0},
                                                 {0x2A, 0}, {0x38, 0}}, 6);
}
END_TEST

START_TEST(test_bad_keys)
{
    /* Unknown names, empty strokes, a trailing '-', more than four keys
     * held, and non-ASCII bytes are refused with the stroke named. */
    char bad[32];
    ck_assert_int_eq(sendkey_parse("a,bogus", NULL, 0, bad, sizeof(bad)),
                     -1);
    ck_assert_str_eq(bad, "bogus");
    ck_assert_int_eq(sendkey_parse("", NULL, 0, bad, sizeof(bad)), -1);
    ck_assert_int_eq(sendkey_parse("a,", NULL, 0, bad, sizeof(bad)), -1);
    ck_assert_int_eq(sendkey_parse("ctrl-", NULL, 0, bad, sizeof(bad)), -1);
    ck_assert_str_eq(bad, "ctrl-");
    ck_assert_int_eq(
        sendkey_parse("ctrl-alt-shift-A", NULL, 0, bad, sizeof(bad)), -1);
    ck_assert_int_eq(sendkey_parse("\xe9", NULL, 0, bad, sizeof(bad)), -1);
    /* ev too small: counted, only max stored. */
    SendKeyEvent ev[1];
    ck_assert_int_eq(sendkey_parse("esc", ev, 1, NULL, 0), 2);
}
END_TEST

static uint8_t kbd_byte(VM *vm)
{
    ck_assert_msg(inb(vm, 0x64) & 0x01, "no key byte");
    return inb(vm, 0x60);
}

START_TEST(test_timed_delivery)
{
    /* Options run in time order, one event per SENDKEY_STEP_NS; a later
     * option that overlaps an earlier one waits for it. */
    VM *vm = devtest_vm();
    ck_assert_ptr_nonnull(vm_add_device(vm, &i8042_device, NULL));
    vm->cfg.sendkey[0] = (VMSendKey){SENDKEY_STEP_NS / 2, "b"};
    vm->cfg.sendkey[1] = (VMSendKey){0, "esc"};
    vm->cfg.nsendkey = 2;
    ck_assert_int_eq(sendkey_start(vm), 0);
    devtest_advance(vm, 0);
    ck_assert_uint_eq(kbd_byte(vm), 0x01); /* esc make at 0 */
    ck_assert_uint_eq(inb(vm, 0x64) & 0x01, 0);
    devtest_advance(vm, SENDKEY_STEP_NS);
    ck_assert_uint_eq(kbd_byte(vm), 0x81); /* esc break */
    devtest_advance(vm, SENDKEY_STEP_NS - 1);
    ck_assert_uint_eq(inb(vm, 0x64) & 0x01, 0);
    devtest_advance(vm, 1);
    ck_assert_uint_eq(kbd_byte(vm), 0x30); /* b make at 2 steps */
    devtest_advance(vm, SENDKEY_STEP_NS);
    ck_assert_uint_eq(kbd_byte(vm), 0xB0);
    devtest_advance(vm, 10 * SENDKEY_STEP_NS);
    ck_assert_uint_eq(inb(vm, 0x64) & 0x01, 0);
    sendkey_stop(vm);
    ck_assert_ptr_null(vm->sendkey);
    devtest_free(vm);
}
END_TEST

START_TEST(test_none_and_stop_early)
{
    /* No options: nothing scheduled. Stopping with events left cancels
     * them (the timer leaves the clock's list). */
    VM *vm = devtest_vm();
    ck_assert_ptr_nonnull(vm_add_device(vm, &i8042_device, NULL));
    ck_assert_int_eq(sendkey_start(vm), 0);
    ck_assert_ptr_null(vm->sendkey);
    vm->cfg.sendkey[0] = (VMSendKey){NS_PER_SEC, "ret"};
    vm->cfg.nsendkey = 1;
    ck_assert_int_eq(sendkey_start(vm), 0);
    ck_assert_int_eq(clock_next_deadline(&vm->clock), NS_PER_SEC);
    sendkey_stop(vm);
    ck_assert_int_eq(clock_next_deadline(&vm->clock), INT64_MAX);
    devtest_free(vm);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sendkey");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_names_and_chars);
    tcase_add_test(tc, test_combos);
    tcase_add_test(tc, test_bad_keys);
    tcase_add_test(tc, test_timed_delivery);
    tcase_add_test(tc, test_none_and_stop_early);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
