/* pcireg.c — PCI configuration register tables; see pcireg.h. */
#include "devices/pcireg.h"

#include <assert.h>

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
