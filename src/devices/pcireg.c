/* pcireg.c — PCI configuration register tables; see pcireg.h. */
#include "devices/pcireg.h"

#include <assert.h>

#include "machine/ioport.h"

void pcireg_reset(PciDevice *d, const PciRegDef *regs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const PciRegDef *r = &regs[i];
        assert(r->width == 1 || r->width == 2 || r->width == 4);
        assert(r->off + r->width <= 256);
        for (unsigned b = 0; b < r->width; b++) {
            d->config[r->off + b] = r->reset >> (8 * b);
            d->wmask[r->off + b] = r->wmask >> (8 * b);
            d->w1cmask[r->off + b] = r->w1c >> (8 * b);
        }
    }
}

int pcireg_io_window(struct IoBus *io, int *region, bool on, uint16_t base,
                     uint32_t len, const IoOps *ops, void *opaque,
                     const char *name)
{
    if (*region >= 0 && on && io->regions[*region].base == base)
        return 0;
    if (*region >= 0) {
        io_unregister(io, *region);
        *region = -1;
    }
    if (!on)
        return 0;
    int id = io_register(io, base, len, ops, opaque, name);
    if (id < 0)
        return id;
    *region = id;
    return 0;
}
