/*
 * pcireg.h — register tables for PCI configuration space.
 *
 * A chip describes its configuration registers as rows (offset, width,
 * reset value, guest-writable mask, write-1-to-clear mask). pcireg_reset()
 * loads the rows into a PciDevice's config/wmask/w1cmask arrays; the PCI
 * bus (machine/pci.c) then applies the masks on every guest write. Offsets
 * not covered by a row read as zero and are read-only. Chip variants differ
 * only by which table they use.
 */
#ifndef X86BT_PCIREG_H
#define X86BT_PCIREG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/pci.h"

typedef struct PciRegDef {
    const char *name;
    uint8_t off;
    uint8_t width; /* bytes: 1, 2 or 4 */
    uint32_t reset;
    uint32_t wmask;
    uint32_t w1c;
} PciRegDef;

/* Load n rows into d (value, wmask, w1cmask), little-endian. */
void pcireg_reset(PciDevice *d, const PciRegDef *regs, size_t n);

/* True if a config access [off, off+size) touches byte `reg`. */
static inline int pcireg_hit(uint8_t off, unsigned size, uint8_t reg)
{
    return reg >= off && reg < off + size;
}

struct IoBus;
/* Keep a non-BAR I/O window (e.g. PIIX4 PMBA/SMBBA) at `base` while `on`:
 * registers, moves or unregisters *region (-1 when unmapped). Returns 0, or
 * -EBUSY if the ports are taken (the window then stays unmapped). */
int pcireg_io_window(struct IoBus *io, int *region, bool on, uint16_t base,
                     uint32_t len, const IoOps *ops, void *opaque,
                     const char *name);

#endif
