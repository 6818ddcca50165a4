/*
 * legacy_state_test.c — save/restore of the classic PC devices: a VM is
 * driven into a busy state (PIT counting, RTC periodic interrupt on, IRQ
 * in service, UART FIFO holding data, keyboard bytes queued, DMA channel
 * half done, FDC after a seek), every device's state_fields are saved and
 * loaded into a fresh VM, and from then on both VMs must answer the same
 * port reads and raise the same IRQ lines at the same virtual times. This
 * checks that each <chip>_state_fields table covers the guest-visible
 * state and that timers and post_load hooks are restored.
 */
#include <check.h>
#include <stdio.h>

#include "devices/devices.h"
#include "devices/i8042.h"
#include "devices/uart16550.h"
#include "devtest.h"

static VM *make_vm(void)
{
    VM *vm = devtest_vm();
    vm->clock.icount = 5000;
    ck_assert_ptr_nonnull(vm_add_device(vm, &pic_device, NULL));
    ck_assert_ptr_nonnull(vm_add_device(vm, &pit_device, NULL));
    ck_assert_ptr_nonnull(
        vm_add_device(vm, &rtc_device, "fixed=2001-02-03T04:05:06"));
    ck_assert_ptr_nonnull(
        vm_add_device(vm, &uart16550_device, "index=0,chardev=none"));
    ck_assert_ptr_nonnull(vm_add_device(vm, &i8042_device, NULL));
    ck_assert_ptr_nonnull(vm_add_device(vm, &dma8237_device, NULL));
    ck_assert_ptr_nonnull(vm_add_device(vm, &fdc_device, NULL));
    return vm;
}

/* Put every device into a state with pending work. */
static void make_busy(VM *vm)
{
    static const uint16_t pic_init[][2] = {
        {0x20, 0x11}, {0x21, 0x08}, {0x21, 0x04}, {0x21, 0x01},
        {0xA0, 0x11}, {0xA1, 0x70}, {0xA1, 0x02}, {0xA1, 0x01},
    };
    for (unsigned i = 0; i < sizeof(pic_init) / sizeof(pic_init[0]); i++)
        outb(vm, pic_init[i][0], (uint8_t)pic_init[i][1]);
    outb(vm, 0x43, 0x34); /* PIT: 1 kHz rate generator */
    outb(vm, 0x40, 0xA9);
    outb(vm, 0x40, 0x04);
    outb(vm, 0x70, 0x0B); /* RTC: periodic interrupt */
    outb(vm, 0x71, 0x42);
    devtest_advance(vm, 1500000);
    vm->intr_ack(vm->intr_ack_opaque); /* IRQ0 in service */
    outb(vm, 0x3FA, 0x81); /* UART: FIFO, trigger 8, data waiting */
    outb(vm, 0x3F9, 0x01);
    outb(vm, 0x3FC, 0x18);
    outb(vm, 0x3F8, 'a');
    outb(vm, 0x3F8, 'b');
    outb(vm, 0x60, 0xF2); /* keyboard: identify reply queued */
    outb(vm, 0x0C, 0); /* DMA: channel 2 programmed */
    outb(vm, 0x04, 0x34);
    outb(vm, 0x04, 0x12);
    outb(vm, 0x0A, 0x02);
    outb(vm, 0x3F2, 0x0C); /* FDC: leave reset, polling pending */
    devtest_advance(vm, 37000);
}

static void transfer(VM *from, VM *to)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(from->ndevices, to->ndevices);
    for (unsigned i = 0; i < from->ndevices; i++)
        ck_assert_int_eq(device_save(&from->devices[i], f), 0);
    rewind(f);
    to->clock.icount = from->clock.icount;
    for (unsigned i = 0; i < to->ndevices; i++)
        ck_assert_int_eq(device_load(&to->devices[i], f), 0);
    fclose(f);
}

static const uint16_t probe_ports[] = {
    0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x40, 0x61, 0x3FD, 0x3FA, 0x3F8,
    0x64, 0x60, 0x08, 0x0F, 0x04, 0x3F4, 0x3F7,
};

/* Both VMs answer alike: port values, IRQ lines and INTR, over time. */
static void compare(VM *a, VM *b)
{
    for (unsigned round = 0; round < 40; round++) {
        outb(a, 0x70, 0x0C);
        outb(b, 0x70, 0x0C);
        ck_assert_uint_eq(inb(a, 0x71), inb(b, 0x71));
        outb(a, 0x70, 0x00);
        outb(b, 0x70, 0x00);
        ck_assert_uint_eq(inb(a, 0x71), inb(b, 0x71));
        for (unsigned i = 0; i < sizeof(probe_ports) / 2; i++)
            ck_assert_msg(inb(a, probe_ports[i]) == inb(b, probe_ports[i]),
                          "port %#x differs in round %u", probe_ports[i],
                          round);
        for (unsigned line = 0; line < 16; line++)
            ck_assert(irq_level(&a->irq, line) == irq_level(&b->irq, line));
        ck_assert(a->intr_line == b->intr_line);
        if (a->intr_line) {
            ck_assert_int_eq(a->intr_ack(a->intr_ack_opaque),
                             b->intr_ack(b->intr_ack_opaque));
            outb(a, 0xA0, 0x20);
            outb(b, 0xA0, 0x20);
            outb(a, 0x20, 0x20);
            outb(b, 0x20, 0x20);
        }
        devtest_advance(a, 250000);
        devtest_advance(b, 250000);
    }
}

START_TEST(test_save_restore_equivalence)
{
    VM *a = make_vm(), *b = make_vm();
    make_busy(a);
    transfer(a, b);
    compare(a, b);
    devtest_free(a);
    devtest_free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("legacy_state");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_save_restore_equivalence);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
