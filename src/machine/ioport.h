/*
 * ioport.h — the x86 port-I/O bus (64 K ports).
 *
 * Regions are registered per port range; a lookup table maps each port to
 * its region. 16/32-bit accesses that straddle two regions, or that are
 * wider than the device accepts, are split into byte/word accesses.
 * Unassigned ports read as all-ones and ignore writes (ISA bus float).
 */
#ifndef X86BT_IOPORT_H
#define X86BT_IOPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/ioops.h"

#define IO_MAX_REGIONS 256

typedef struct IoRegion {
    uint16_t base;
    uint32_t len;
    const IoOps *ops;
    void *opaque;
    const char *name;
    bool used;
} IoRegion;

typedef struct IoBus {
    IoRegion regions[IO_MAX_REGIONS];
    uint16_t map[65536]; /* port -> region index + 1, 0 = unassigned */
    struct Log *log;
} IoBus;

void io_init(IoBus *bus, struct Log *log);
/* Claim ports [base, base+len). Returns region id >= 0, or -EBUSY if any
 * port is taken, -ENOSPC if the table is full. */
int io_register(IoBus *bus, uint16_t base, uint32_t len, const IoOps *ops,
                void *opaque, const char *name);
void io_unregister(IoBus *bus, int id);
/* Move a region (PCI I/O BAR remap); -EBUSY if the new range is taken. */
int io_move(IoBus *bus, int id, uint16_t new_base);
uint32_t io_read(IoBus *bus, uint16_t port, unsigned size);
void io_write(IoBus *bus, uint16_t port, uint32_t value, unsigned size);

#endif
