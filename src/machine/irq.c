/* irq.c — shared interrupt request lines; see irq.h. */
#include "machine/irq.h"

#include <string.h>

void irq_init(IrqCtl *irq)
{
    memset(irq, 0, sizeof(*irq));
}

void irq_set_sink(IrqCtl *irq, IrqSinkFn sink, void *opaque)
{
    irq->sink = sink;
    irq->sink_opaque = opaque;
}

void irq_set(IrqCtl *irq, unsigned line, unsigned src, bool level)
{
    if (line >= IRQ_LINES || src >= 32)
        return;
    uint32_t old = irq->sources[line];
    uint32_t now = level ? old | (1u << src) : old & ~(1u << src);
    irq->sources[line] = now;
    if ((old != 0) != (now != 0) && irq->sink)
        irq->sink(irq->sink_opaque, line, now != 0);
}

void irq_pulse(IrqCtl *irq, unsigned line)
{
    irq_set(irq, line, 0, true);
    irq_set(irq, line, 0, false);
}

bool irq_level(const IrqCtl *irq, unsigned line)
{
    return line < IRQ_LINES && irq->sources[line] != 0;
}
