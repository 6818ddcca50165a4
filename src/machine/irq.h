/*
 * irq.h — interrupt request lines.
 *
 * A line has up to 32 sources (devices sharing it, e.g. PCI INTx routed to
 * the same PIRQ); its level is the OR of its sources. The sink (the 8259
 * pair for ISA lines 0-15, later an IO-APIC) is called whenever the level
 * changes. Edge- or level-triggering is a property of the sink (8259 ELCR),
 * so irq_pulse() is offered for edge-style sources: raise then lower.
 */
#ifndef X86BT_IRQ_H
#define X86BT_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#define IRQ_LINES 24

typedef void (*IrqSinkFn)(void *opaque, unsigned line, bool level);

typedef struct IrqCtl {
    uint32_t sources[IRQ_LINES]; /* bit per source currently asserting */
    IrqSinkFn sink;
    void *sink_opaque;
} IrqCtl;

void irq_init(IrqCtl *irq);
void irq_set_sink(IrqCtl *irq, IrqSinkFn sink, void *opaque);
/* Source `src` (0..31) drives `line` to `level`. */
void irq_set(IrqCtl *irq, unsigned line, unsigned src, bool level);
static inline void irq_raise(IrqCtl *irq, unsigned line)
{
    irq_set(irq, line, 0, true);
}
static inline void irq_lower(IrqCtl *irq, unsigned line)
{
    irq_set(irq, line, 0, false);
}
void irq_pulse(IrqCtl *irq, unsigned line);
bool irq_level(const IrqCtl *irq, unsigned line);

#endif
