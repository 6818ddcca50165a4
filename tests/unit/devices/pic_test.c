/*
 * pic_test.c — 8259A pair through its ports (Intel 8259A datasheet
 * 231468-003; PIIX4 datasheet 290562-001 for the ELCR).
 */
#include <check.h>

#include "devices/devices.h"
#include "devices/pic.h"
#include "devtest.h"

static VM *vm;
static PicState *pic;

/* The PC initialisation every BIOS performs (datasheet "Initialization
 * command words"): ICW1 edge+ICW4, ICW2 base, ICW3 cascade, ICW4 8086. */
static void pic_setup(void)
{
    vm = devtest_vm();
    pic = vm_add_device(vm, &pic_device, NULL);
    outb(vm, 0x20, 0x11);
    outb(vm, 0x21, 0x08);
    outb(vm, 0x21, 0x04);
    outb(vm, 0x21, 0x01);
    outb(vm, 0xA0, 0x11);
    outb(vm, 0xA1, 0x70);
    outb(vm, 0xA1, 0x02);
    outb(vm, 0xA1, 0x01);
}

static void pic_teardown(void)
{
    devtest_free(vm);
}

static void pulse(unsigned line)
{
    irq_pulse(&vm->irq, line);
}

START_TEST(test_reset_state)
{
    /* ICW1 clears IMR; status read defaults to IRR (datasheet ICW1). */
    ck_assert_uint_eq(inb(vm, 0x21), 0x00);
    ck_assert_uint_eq(inb(vm, 0xA1), 0x00);
    ck_assert_uint_eq(inb(vm, 0x20), 0x00);
    ck_assert_uint_eq(inb(vm, 0x4D0), 0x00);
    ck_assert(!vm->intr_line);
    ck_assert_ptr_eq(vm->intr_ack_opaque, pic);
}
END_TEST

START_TEST(test_imr_readback)
{
    /* OCW1 is read back at A0=1 (datasheet "Operation command words"). */
    outb(vm, 0x21, 0xB8);
    ck_assert_uint_eq(inb(vm, 0x21), 0xB8);
    outb(vm, 0xA1, 0x5A);
    ck_assert_uint_eq(inb(vm, 0xA1), 0x5A);
}
END_TEST

START_TEST(test_edge_ack_eoi)
{
    /* Rising edge sets IRR, INTA moves it to ISR and returns ICW2|IR
     * (datasheet "Interrupt sequence"). */
    pulse(1);
    ck_assert_uint_eq(inb(vm, 0x20), 0x02);
    ck_assert(vm->intr_line);
    ck_assert_int_eq(vm->intr_ack(vm->intr_ack_opaque), 0x09);
    ck_assert(!vm->intr_line);
    outb(vm, 0x20, 0x0B); /* OCW3: read ISR */
    ck_assert_uint_eq(inb(vm, 0x20), 0x02);
    outb(vm, 0x20, 0x20); /* non-specific EOI */
    ck_assert_uint_eq(inb(vm, 0x20), 0x00);
}
END_TEST

START_TEST(test_priority_nesting)
{
    /* Fully nested mode: IR0 highest; an in-service level blocks equal and
     * lower levels, higher ones nest (datasheet "Fully nested mode"). */
    pulse(3);
    ck_assert_int_eq(vm->intr_ack(vm->intr_ack_opaque), 0x0B);
    pulse(5);
    ck_assert(!vm->intr_line);
    pulse(0);
    ck_assert(vm->intr_line);
    ck_assert_int_eq(vm->intr_ack(vm->intr_ack_opaque), 0x08);
    outb(vm, 0x20, 0x20); /* EOI clears the highest ISR bit: IR0 */
    outb(vm, 0x20, 0x0B);
    ck_assert_uint_eq(inb(vm, 0x20), 0x08);
    ck_assert(!vm->intr_line);
    outb(vm, 0x20, 0x63); /* specific EOI for IR3 */
    ck_assert(vm->intr_line);
    ck_assert_int_eq(vm->intr_ack(vm->intr_ack_opaque), 0x0D);
}
END_TEST

START_TEST(test_mask_blocks)
{
    /* A masked request stays in IRR but does not raise INT (OCW1). */
    outb(vm, 0x21, 0x10);
    pulse(4);
    ck_assert(!vm->intr_line);
    ck_assert_uint_eq(inb(vm, 0x20), 0x10);
    outb(vm, 0x21, 0x00);
    ck_assert(vm->intr_line);
}
END_TEST

START_TEST(test_cascade)
{
    /* A slave request appears on master IR2; INTA returns the slave's
     * vector and both ISRs hold a bit (datasheet "Cascade mode"). */
    pulse(14);
    ck_assert(vm->intr_line);
    ck_assert_int_eq(vm->intr_ack(vm->intr_ack_opaque), 0x76);
    outb(vm, 0x20, 0x0B);
    outb(vm, 0xA0, 0x0B);
    ck_assert_uint_eq(inb(vm, 0x20), 0x04);
    ck_assert_uint_eq(inb(vm, 0xA0), 0x40);
    outb(vm, 0xA0, 0x20);
    outb(vm, 0x20, 0x20);
    ck_assert_uint_eq(inb(vm, 0x20), 0x00);
    ck_assert_uint_eq(inb(vm, 0xA0), 0x00);
}
END_TEST

START_TEST(test_spurious_irq7)
{
    /* A level request withdrawn before INTA gives the IR7 vector without
     * setting ISR (datasheet "Edge and level triggered modes"). */
    outb(vm, 0x4D0, 0x20); /* IRQ5 level */
    irq_set(&vm->irq, 5, 0, true);
    ck_assert(vm->intr_line);
    irq_set(&vm->irq, 5, 0, false);
    ck_assert_int_eq(vm->intr_ack(vm->intr_ack_opaque), 0x0F);
    outb(vm, 0x20, 0x0B);
    ck_assert_uint_eq(inb(vm, 0x20), 0x00);
}
END_TEST

START_TEST(test_withdrawn_slave_request)
{
    /* A withdrawn slave request drops the slave's INT, which the master's
     * cascade input follows: INTA then sees nothing and answers with the
     * master's IR7 vector (datasheet "Cascade mode", "Interrupt
     * sequence"). */
    outb(vm, 0x4D1, 0x02); /* IRQ9 level */
    irq_set(&vm->irq, 9, 0, true);
    ck_assert(vm->intr_line);
    irq_set(&vm->irq, 9, 0, false);
    ck_assert(!vm->intr_line);
    ck_assert_int_eq(vm->intr_ack(vm->intr_ack_opaque), 0x0F);
}
END_TEST

START_TEST(test_level_reasserts)
{
    /* Level mode: IRR follows the pin, so after EOI a still-high line
     * interrupts again. */
    outb(vm, 0x4D1, 0x08); /* IRQ11 level */
    irq_set(&vm->irq, 11, 0, true);
    ck_assert_int_eq(vm->intr_ack(vm->intr_ack_opaque), 0x73);
    outb(vm, 0xA0, 0x20);
    outb(vm, 0x20, 0x20);
    ck_assert(vm->intr_line);
    irq_set(&vm->irq, 11, 0, false);
    ck_assert(!vm->intr_line);
}
END_TEST

START_TEST(test_elcr_reserved_bits)
{
    /* PIIX4 ELCR: IRQ0-2, 8 and 13 are always edge (bits read 0). */
    outb(vm, 0x4D0, 0xFF);
    outb(vm, 0x4D1, 0xFF);
    ck_assert_uint_eq(inb(vm, 0x4D0), 0xF8);
    ck_assert_uint_eq(inb(vm, 0x4D1), 0xDE);
}
END_TEST

START_TEST(test_poll)
{
    /* Poll command: the next read returns 0x80|level and acts as INTA
     * (datasheet "The poll command"). */
    pulse(6);
    outb(vm, 0x20, 0x0C);
    ck_assert_uint_eq(inb(vm, 0x20), 0x86);
    outb(vm, 0x20, 0x0B);
    ck_assert_uint_eq(inb(vm, 0x20), 0x40);
    outb(vm, 0x20, 0x0C);
    ck_assert_uint_eq(inb(vm, 0x20), 0x00);
}
END_TEST

START_TEST(test_aeoi)
{
    /* ICW4 AEOI: INTA does not set ISR (datasheet "Automatic EOI"). */
    outb(vm, 0x20, 0x11);
    outb(vm, 0x21, 0x20);
    outb(vm, 0x21, 0x04);
    outb(vm, 0x21, 0x03);
    pulse(1);
    ck_assert_int_eq(vm->intr_ack(vm->intr_ack_opaque), 0x21);
    outb(vm, 0x20, 0x0B);
    ck_assert_uint_eq(inb(vm, 0x20), 0x00);
}
END_TEST

START_TEST(test_rotate)
{
    /* Rotate on non-specific EOI: the serviced level becomes lowest, so
     * IR1 then wins over IR0 (datasheet "Automatic rotation"). */
    pulse(0);
    ck_assert_int_eq(vm->intr_ack(vm->intr_ack_opaque), 0x08);
    outb(vm, 0x20, 0xA0);
    pulse(0);
    pulse(1);
    ck_assert_int_eq(vm->intr_ack(vm->intr_ack_opaque), 0x09);
    /* Set priority: IR5 lowest -> IR6 highest (OCW2 R=1 SL=1 EOI=0). */
    outb(vm, 0x20, 0x20);
    outb(vm, 0x20, 0xC5);
    pulse(6);
    ck_assert_int_eq(vm->intr_ack(vm->intr_ack_opaque), 0x0E);
}
END_TEST

START_TEST(test_special_mask)
{
    /* Special mask mode: masking the in-service level enables lower ones
     * (datasheet "Special mask mode"). */
    pulse(2 + 1); /* IR3 */
    ck_assert_int_eq(vm->intr_ack(vm->intr_ack_opaque), 0x0B);
    pulse(5);
    ck_assert(!vm->intr_line);
    outb(vm, 0x20, 0x68); /* OCW3 ESMM|SMM */
    outb(vm, 0x21, 0x08);
    ck_assert(vm->intr_line);
    ck_assert_int_eq(vm->intr_ack(vm->intr_ack_opaque), 0x0D);
}
END_TEST

START_TEST(test_edge_needs_new_edge)
{
    /* Edge lines need a low-to-high transition: a line held high raises
     * IRR only once (datasheet "Edge and level triggered modes"). */
    irq_set(&vm->irq, 4, 0, true);
    ck_assert_int_eq(vm->intr_ack(vm->intr_ack_opaque), 0x0C);
    outb(vm, 0x20, 0x20);
    ck_assert(!vm->intr_line);
    irq_set(&vm->irq, 4, 0, false);
    irq_set(&vm->irq, 4, 0, true);
    ck_assert(vm->intr_line);
}
END_TEST

static Suite *pic_suite(void)
{
    Suite *s = suite_create("pic");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, pic_setup, pic_teardown);
    tcase_add_test(tc, test_reset_state);
    tcase_add_test(tc, test_imr_readback);
    tcase_add_test(tc, test_edge_ack_eoi);
    tcase_add_test(tc, test_priority_nesting);
    tcase_add_test(tc, test_mask_blocks);
    tcase_add_test(tc, test_cascade);
    tcase_add_test(tc, test_spurious_irq7);
    tcase_add_test(tc, test_withdrawn_slave_request);
    tcase_add_test(tc, test_level_reasserts);
    tcase_add_test(tc, test_elcr_reserved_bits);
    tcase_add_test(tc, test_poll);
    tcase_add_test(tc, test_aeoi);
    tcase_add_test(tc, test_rotate);
    tcase_add_test(tc, test_special_mask);
    tcase_add_test(tc, test_edge_needs_new_edge);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pic_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
