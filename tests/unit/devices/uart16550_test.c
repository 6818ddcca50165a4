/*
 * uart16550_test.c — 16550A through its ports (National PC16550D
 * datasheet, June 1995: Table II registers, Table III reset, Table IV
 * interrupt priorities).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices/devices.h"
#include "devices/uart16550.h"
#include "devtest.h"

#define COM1 0x3F8

static VM *vm;
static UartState *uart;
static char out_path[64];

static void uart_setup(void)
{
    vm = devtest_vm();
    strcpy(out_path, "/tmp/x86bt-uart-XXXXXX");
    int fd = mkstemp(out_path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char arg[128];
    snprintf(arg, sizeof(arg), "index=0,chardev=file:%s", out_path);
    uart = vm_add_device(vm, &uart16550_device, arg);
    ck_assert_ptr_nonnull(uart);
}

static void uart_teardown(void)
{
    devtest_free(vm);
    unlink(out_path);
}

START_TEST(test_reset_values)
{
    /* Table III: IER=0, IIR=01, LCR=0, MCR=0, LSR=60 (THRE, TEMT). MSR
     * shows CTS/DSR/DCD asserted by our host side. */
    ck_assert_uint_eq(inb(vm, COM1 + 1), 0x00);
    ck_assert_uint_eq(inb(vm, COM1 + 2), 0x01);
    ck_assert_uint_eq(inb(vm, COM1 + 3), 0x00);
    ck_assert_uint_eq(inb(vm, COM1 + 4), 0x00);
    ck_assert_uint_eq(inb(vm, COM1 + 5), 0x60);
    ck_assert_uint_eq(inb(vm, COM1 + 6), 0xB0);
    ck_assert(!irq_level(&vm->irq, 4));
}
END_TEST

START_TEST(test_scratch_and_divisor)
{
    /* SCR is plain storage; DLAB=1 maps DLL/DLM at offsets 0/1 (Table
     * II). */
    outb(vm, COM1 + 7, 0x5A);
    ck_assert_uint_eq(inb(vm, COM1 + 7), 0x5A);
    outb(vm, COM1 + 3, 0x80);
    outb(vm, COM1 + 0, 0x01);
    outb(vm, COM1 + 1, 0x02);
    ck_assert_uint_eq(inb(vm, COM1 + 0), 0x01);
    ck_assert_uint_eq(inb(vm, COM1 + 1), 0x02);
    outb(vm, COM1 + 3, 0x03);
    ck_assert_uint_eq(inb(vm, COM1 + 1), 0x00); /* IER again */
}
END_TEST

START_TEST(test_transmit_to_backend)
{
    /* THR bytes reach the host backend in order; THRE/TEMT stay set. */
    outb(vm, COM1, 'o');
    outb(vm, COM1, 'k');
    ck_assert_uint_eq(inb(vm, COM1 + 5) & 0x60, 0x60);
    FILE *f = fopen(out_path, "r");
    char buf[8] = {0};
    ck_assert_uint_eq(fread(buf, 1, sizeof(buf), f), 2);
    fclose(f);
    ck_assert_str_eq(buf, "ok");
}
END_TEST

START_TEST(test_thre_interrupt)
{
    /* Enabling ETBEI with THR empty raises THRE (IIR=02); reading IIR
     * clears it; a THR write re-raises it once the byte is gone (Table
     * IV). IRQ 4 needs OUT2. */
    outb(vm, COM1 + 4, 0x08);
    outb(vm, COM1 + 1, 0x02);
    ck_assert(irq_level(&vm->irq, 4));
    ck_assert_uint_eq(inb(vm, COM1 + 2), 0x02);
    ck_assert_uint_eq(inb(vm, COM1 + 2), 0x01);
    ck_assert(!irq_level(&vm->irq, 4));
    outb(vm, COM1, 'x');
    ck_assert(irq_level(&vm->irq, 4));
}
END_TEST

START_TEST(test_out2_gates_irq)
{
    /* Without OUT2 the PC's IRQ buffer is disabled. */
    outb(vm, COM1 + 1, 0x02);
    ck_assert(!irq_level(&vm->irq, 4));
    ck_assert_uint_eq(inb(vm, COM1 + 2), 0x02);
}
END_TEST

START_TEST(test_loopback_data)
{
    /* Loopback: THR goes to RBR (datasheet "MCR bit 4"); DR set until
     * read. */
    outb(vm, COM1 + 4, 0x10);
    outb(vm, COM1, 0xA5);
    ck_assert_uint_eq(inb(vm, COM1 + 5) & 0x01, 0x01);
    ck_assert_uint_eq(inb(vm, COM1), 0xA5);
    ck_assert_uint_eq(inb(vm, COM1 + 5) & 0x01, 0x00);
}
END_TEST

START_TEST(test_loopback_modem_lines)
{
    /* Loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD, with deltas. */
    inb(vm, COM1 + 6);
    outb(vm, COM1 + 4, 0x10);
    ck_assert_uint_eq(inb(vm, COM1 + 6), 0x0B); /* all dropped: deltas */
    outb(vm, COM1 + 4, 0x1F);
    ck_assert_uint_eq(inb(vm, COM1 + 6), 0xF0 | 0x0B);
    outb(vm, COM1 + 4, 0x1B); /* OUT1 off: RI trailing edge */
    ck_assert_uint_eq(inb(vm, COM1 + 6), 0xB0 | 0x04);
    ck_assert_uint_eq(inb(vm, COM1 + 6), 0xB0);
}
END_TEST

START_TEST(test_fifo_trigger)
{
    /* FCR trigger 14: RDA only at 14 bytes (Table IV); IIR bits 7:6 = 11
     * with FIFOs enabled. */
    static const uint8_t data[16] = "0123456789abcdef";
    outb(vm, COM1 + 2, 0xC1);
    outb(vm, COM1 + 1, 0x01);
    outb(vm, COM1 + 4, 0x08);
    ck_assert_uint_eq(inb(vm, COM1 + 2), 0xC1);
    ck_assert_uint_eq(uart_receive(uart, data, 13), 13);
    ck_assert_uint_eq(inb(vm, COM1 + 2), 0xC1);
    ck_assert_uint_eq(uart_receive(uart, data + 13, 1), 1);
    ck_assert_uint_eq(inb(vm, COM1 + 2), 0xC4);
    ck_assert(irq_level(&vm->irq, 4));
    ck_assert_uint_eq(inb(vm, COM1), '0');
    ck_assert_uint_eq(inb(vm, COM1 + 2) & 0x0F, 0x01);
}
END_TEST

START_TEST(test_fifo_capacity)
{
    /* 16-byte receive FIFO; uart_receive never overruns it. */
    static const uint8_t data[20] = {0};
    outb(vm, COM1 + 2, 0x01);
    ck_assert_uint_eq(uart_receive(uart, data, 20), 16);
    ck_assert_uint_eq(inb(vm, COM1 + 5) & 0x02, 0);
}
END_TEST

START_TEST(test_char_timeout)
{
    /* Character timeout: data below the trigger level and no activity for
     * 4 character times gives IIR=0C; reading RBR clears it (datasheet
     * "FIFO interrupt mode operation"). 115200 8N1: 86.8 us per char. */
    static const uint8_t data[3] = {1, 2, 3};
    outb(vm, COM1 + 3, 0x80);
    outb(vm, COM1 + 0, 0x01);
    outb(vm, COM1 + 1, 0x00);
    outb(vm, COM1 + 3, 0x03);
    outb(vm, COM1 + 2, 0x81); /* trigger 8 */
    outb(vm, COM1 + 1, 0x01);
    outb(vm, COM1 + 4, 0x08);
    uart_receive(uart, data, 3);
    devtest_advance(vm, 300000);
    ck_assert_uint_eq(inb(vm, COM1 + 2), 0xC1);
    devtest_advance(vm, 50000);
    ck_assert_uint_eq(inb(vm, COM1 + 2), 0xCC);
    ck_assert(irq_level(&vm->irq, 4));
    ck_assert_uint_eq(inb(vm, COM1), 1);
    ck_assert_uint_eq(inb(vm, COM1 + 2), 0xC1);
}
END_TEST

START_TEST(test_overrun_priority)
{
    /* 16450 mode loopback: a second byte overruns (LSR OE); with ELSI the
     * receiver line status interrupt (06) outranks data available (04),
     * and reading LSR clears OE (Table IV, LSR bit 1). */
    outb(vm, COM1 + 4, 0x10);
    outb(vm, COM1 + 1, 0x07);
    outb(vm, COM1, 1);
    outb(vm, COM1, 2);
    ck_assert_uint_eq(inb(vm, COM1 + 2), 0x06);
    ck_assert_uint_eq(inb(vm, COM1 + 5) & 0x03, 0x03);
    ck_assert_uint_eq(inb(vm, COM1 + 2), 0x04);
    ck_assert_uint_eq(inb(vm, COM1), 1);
    ck_assert_uint_eq(inb(vm, COM1 + 2), 0x02);
}
END_TEST

START_TEST(test_com2)
{
    /* index=1 is COM2 at 0x2F8 on IRQ 3. */
    ck_assert_ptr_nonnull(
        vm_add_device(vm, &uart16550_device, "index=1,chardev=none"));
    outb(vm, 0x2FC, 0x08);
    outb(vm, 0x2F9, 0x02);
    ck_assert(irq_level(&vm->irq, 3));
    ck_assert(!irq_level(&vm->irq, 4));
}
END_TEST

static Suite *uart_suite(void)
{
    Suite *s = suite_create("uart16550");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, uart_setup, uart_teardown);
    tcase_add_test(tc, test_reset_values);
    tcase_add_test(tc, test_scratch_and_divisor);
    tcase_add_test(tc, test_transmit_to_backend);
    tcase_add_test(tc, test_thre_interrupt);
    tcase_add_test(tc, test_out2_gates_irq);
    tcase_add_test(tc, test_loopback_data);
    tcase_add_test(tc, test_loopback_modem_lines);
    tcase_add_test(tc, test_fifo_trigger);
    tcase_add_test(tc, test_fifo_capacity);
    tcase_add_test(tc, test_char_timeout);
    tcase_add_test(tc, test_overrun_priority);
    tcase_add_test(tc, test_com2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(uart_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
