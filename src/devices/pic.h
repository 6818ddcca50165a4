/*
 * pic.h — the 8259A pair (master + slave on IR2) with the PIIX4 ELCR.
 *
 * The PIC wires itself in init: it is the sink of ISA lines 0-15 on
 * vm->irq, drives the CPU INTR pin with vm_set_intr() and installs
 * pic_intr_ack() as vm->intr_ack.
 */
#ifndef X86BT_PIC_H
#define X86BT_PIC_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/device.h"

typedef struct PicState PicState;

/* INTA cycle: returns the vector for the highest-priority request (spurious
 * IRQ7/IRQ15 vector if the request went away) and updates ISR/IRR. */
int pic_intr_ack(void *opaque);
/* Level of the master's INT output (what the CPU's INTR pin sees). */
bool pic_intr_pending(const PicState *s);

#endif
