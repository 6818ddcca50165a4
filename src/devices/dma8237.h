/*
 * dma8237.h — the 8237A DMA controller pair and the ISA page registers.
 *
 * Devices (the floppy controller) move data with dma_transfer(); the
 * channel's mode register decides the direction, address stepping and
 * auto-initialisation, exactly as the guest programmed it.
 */
#ifndef X86BT_DMA8237_H
#define X86BT_DMA8237_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct DmaState DmaState;

/* Whether `channel` (0-7) is unmasked and its controller enabled. */
bool dma_ready(const DmaState *s, unsigned channel);
/* Move up to len bytes between buf and guest memory on `channel`:
 * to_memory says what the device expects (a read from the device); a
 * mismatch with the guest's mode register, or verify mode, moves no data.
 * Stops at terminal count (then auto-init reloads, otherwise the channel
 * masks itself). Addresses wrap inside the 64 KB (channels 0-3) or 128 KB
 * (5-7) page like the hardware's. Returns the number of bytes moved
 * (transfer units done * unit size). Never touches host memory outside
 * buf[0..len). */
size_t dma_transfer(DmaState *s, unsigned channel, void *buf, size_t len,
                    bool to_memory);
/* Whether the last dma_transfer on `channel` reached terminal count. */
bool dma_tc_reached(const DmaState *s, unsigned channel);

#endif
