/*
 * ioops.h — the access contract shared by port I/O and MMIO regions.
 *
 * A device registers a region with an IoOps and an opaque pointer (its own
 * state). Handlers receive the offset from the region's base and the access
 * size in bytes (1, 2 or 4). Accesses wider than max_size are split into
 * little-endian pieces by the bus; narrower than min_size are widened (read)
 * or read-modify-written (write) by the bus. A NULL read handler reads as
 * all-ones; a NULL write handler ignores the write.
 */
#ifndef X86BT_IOOPS_H
#define X86BT_IOOPS_H

#include <stdint.h>

typedef uint32_t (*IoReadFn)(void *opaque, uint32_t offset, unsigned size);
typedef void (*IoWriteFn)(void *opaque, uint32_t offset, uint32_t value,
                          unsigned size);

typedef struct IoOps {
    IoReadFn read;
    IoWriteFn write;
    unsigned min_size; /* 0 means 1 */
    unsigned max_size; /* 0 means 4 */
} IoOps;

#endif
