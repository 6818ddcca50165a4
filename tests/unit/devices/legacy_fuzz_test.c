/*
 * legacy_fuzz_test.c — robustness of the classic PC devices against
 * arbitrary guest port traffic: a deterministic pseudo-random sequence of
 * port reads and writes (all ports of PIC, PIT, RTC, both UARTs, 8042,
 * DMA, FDC), virtual time steps, interrupt acknowledges, DMA transfers
 * and input events. Guest mistakes must never crash the host (HELPERS.md);
 * run under `make MODE=asan test` this also checks memory safety. Each
 * step re-checks invariants that hold on the real hardware.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices/devices.h"
#include "devices/dma8237.h"
#include "devices/i8042.h"
#include "devices/pic.h"
#include "devtest.h"

static const struct {
    uint16_t base, len;
} fuzz_ports[] = {
    {0x00, 16},  {0x20, 2},  {0x40, 4},  {0x60, 1},  {0x61, 1},
    {0x64, 1},   {0x70, 4},  {0x80, 16}, {0xA0, 2},  {0xC0, 32},
    {0x2F8, 8},  {0x3F0, 6}, {0x3F7, 1}, {0x3F8, 8}, {0x4D0, 2},
};
#define NPORTS (sizeof(fuzz_ports) / sizeof(fuzz_ports[0]))

static uint32_t lcg(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state >> 8;
}

static uint16_t pick_port(uint32_t *st)
{
    unsigned i = lcg(st) % NPORTS;
    return (uint16_t)(fuzz_ports[i].base + lcg(st) % fuzz_ports[i].len);
}

START_TEST(test_random_port_traffic)
{
    static const uint32_t seeds[] = {12345, 777, 4242, 99991};
    char img[] = "/tmp/x86bt-fuzzfd-XXXXXX";
    int fd = mkstemp(img);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, 1474560), 0);
    close(fd);
    char arg[64];
    snprintf(arg, sizeof(arg), "drive0=%s", img);

    VM *vm = devtest_vm();
    PicState *pic = vm_add_device(vm, &pic_device, NULL);
    ck_assert_ptr_nonnull(pic);
    ck_assert_ptr_nonnull(vm_add_device(vm, &pit_device, NULL));
    ck_assert_ptr_nonnull(
        vm_add_device(vm, &rtc_device, "fixed=2020-02-29T23:59:58"));
    ck_assert_ptr_nonnull(
        vm_add_device(vm, &uart16550_device, "index=0,chardev=none"));
    ck_assert_ptr_nonnull(
        vm_add_device(vm, &uart16550_device, "index=1,chardev=none"));
    I8042State *kbc = vm_add_device(vm, &i8042_device, NULL);
    ck_assert_ptr_nonnull(kbc);
    DmaState *dma = vm_add_device(vm, &dma8237_device, NULL);
    ck_assert_ptr_nonnull(dma);
    ck_assert_ptr_nonnull(vm_add_device(vm, &fdc_device, arg));

    uint32_t st = seeds[_i];
    uint8_t buf[700];
    for (unsigned step = 0; step < 60000; step++) {
        unsigned op = lcg(&st) % 100;
        if (op < 45) {
            outb(vm, pick_port(&st), (uint8_t)lcg(&st));
        } else if (op < 85) {
            inb(vm, pick_port(&st));
        } else if (op < 90) {
            devtest_advance(vm, lcg(&st) % 1000000);
        } else if (op < 94) {
            if (vm->intr_line) {
                int v = vm->intr_ack(vm->intr_ack_opaque);
                ck_assert_int_ge(v, 0);
                ck_assert_int_le(v, 0xFF);
            }
        } else if (op < 97) {
            unsigned ch = lcg(&st) % 8;
            size_t len = lcg(&st) % sizeof(buf);
            size_t n = dma_transfer(dma, ch, buf, len, lcg(&st) & 1);
            ck_assert_uint_le(n, len);
        } else if (op < 99) {
            i8042_key_event(kbc, lcg(&st) % 2 ? 0xE000 | (lcg(&st) & 0x7F)
                                               : lcg(&st) & 0x7F,
                            lcg(&st) & 1);
        } else {
            i8042_mouse_event(kbc, (int)(lcg(&st) % 2001) - 1000,
                              (int)(lcg(&st) % 2001) - 1000,
                              (int)(lcg(&st) % 21) - 10, lcg(&st) & 7);
        }
        /* The CPU's INTR pin always equals the 8259 master's INT output,
         * and the FDC never shows DIO without RQM (82077AA MSR). */
        ck_assert(vm->intr_line == pic_intr_pending(pic));
        uint8_t msr = inb(vm, 0x3F4);
        ck_assert(!((msr & 0x40) && !(msr & 0x80)));
    }
    devtest_free(vm);
    unlink(img);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("legacy_fuzz");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_random_port_traffic, 0, 4);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
