/*
 * ioport.c — the port-I/O bus: region table, per-port map, access
 * splitting. See ioport.h for the contract.
 */
#include "machine/ioport.h"

#include <errno.h>
#include <string.h>

#include "machine/log.h"

void io_init(IoBus *bus, struct Log *log)
{
    memset(bus, 0, sizeof(*bus));
    bus->log = log;
}

static bool io_range_free(const IoBus *bus, uint32_t base, uint32_t len,
                          int except)
{
    for (uint32_t p = base; p < base + len; p++) {
        unsigned m = bus->map[p];
        if (m && (int)m - 1 != except)
            return false;
    }
    return true;
}

static void io_fill(IoBus *bus, uint32_t base, uint32_t len, uint16_t val)
{
    for (uint32_t p = base; p < base + len; p++)
        bus->map[p] = val;
}

int io_register(IoBus *bus, uint16_t base, uint32_t len, const IoOps *ops,
                void *opaque, const char *name)
{
    if (len == 0 || (uint32_t)base + len > 65536)
        return -EINVAL;
    if (!io_range_free(bus, base, len, -1))
        return -EBUSY;
    for (int i = 0; i < IO_MAX_REGIONS; i++) {
        IoRegion *r = &bus->regions[i];
        if (r->used)
            continue;
        *r = (IoRegion){base, len, ops, opaque, name, true};
        io_fill(bus, base, len, (uint16_t)(i + 1));
        return i;
    }
    return -ENOSPC;
}

void io_unregister(IoBus *bus, int id)
{
    if (id < 0 || id >= IO_MAX_REGIONS || !bus->regions[id].used)
        return;
    IoRegion *r = &bus->regions[id];
    io_fill(bus, r->base, r->len, 0);
    r->used = false;
}

int io_move(IoBus *bus, int id, uint16_t new_base)
{
    if (id < 0 || id >= IO_MAX_REGIONS || !bus->regions[id].used)
        return -EINVAL;
    IoRegion *r = &bus->regions[id];
    if ((uint32_t)new_base + r->len > 65536)
        return -EINVAL;
    if (!io_range_free(bus, new_base, r->len, id))
        return -EBUSY;
    io_fill(bus, r->base, r->len, 0);
    r->base = new_base;
    io_fill(bus, new_base, r->len, (uint16_t)(id + 1));
    return 0;
}

static unsigned ops_min(const IoOps *ops)
{
    return ops->min_size ? ops->min_size : 1;
}

static unsigned ops_max(const IoOps *ops)
{
    return ops->max_size ? ops->max_size : 4;
}

/* Does a single region cover [port, port+size) and accept `size`? */
static IoRegion *io_whole(IoBus *bus, uint32_t port, unsigned size)
{
    unsigned m = bus->map[port & 0xFFFF];
    if (!m || port + size > 65536)
        return NULL;
    IoRegion *r = &bus->regions[m - 1];
    if (port + size > (uint32_t)r->base + r->len)
        return NULL;
    if (size > ops_max(r->ops))
        return NULL;
    return r;
}

static uint32_t io_read_byte(IoBus *bus, uint32_t port)
{
    unsigned m = bus->map[port & 0xFFFF];
    if (!m)
        return 0xFF;
    IoRegion *r = &bus->regions[m - 1];
    if (!r->ops->read)
        return 0xFF;
    uint32_t off = (port & 0xFFFF) - r->base;
    unsigned min = ops_min(r->ops);
    if (min > 1) {
        uint32_t aligned = off & ~(min - 1);
        uint32_t v = r->ops->read(r->opaque, aligned, min);
        return (v >> (8 * (off - aligned))) & 0xFF;
    }
    return r->ops->read(r->opaque, off, 1) & 0xFF;
}

uint32_t io_read(IoBus *bus, uint16_t port, unsigned size)
{
    IoRegion *r = io_whole(bus, port, size);
    if (r && size >= ops_min(r->ops)) {
        uint32_t v = r->ops->read ? r->ops->read(r->opaque, port - r->base,
                                                 size)
                                  : 0xFFFFFFFFu;
        return size == 4 ? v : v & ((1u << (8 * size)) - 1);
    }
    /* Split: straddles regions, too wide, or unassigned. */
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= io_read_byte(bus, (uint32_t)port + i) << (8 * i);
    return v;
}

static void io_write_byte(IoBus *bus, uint32_t port, uint8_t val)
{
    unsigned m = bus->map[port & 0xFFFF];
    if (!m)
        return;
    IoRegion *r = &bus->regions[m - 1];
    if (!r->ops->write)
        return;
    uint32_t off = (port & 0xFFFF) - r->base;
    unsigned min = ops_min(r->ops);
    if (min > 1) {
        /* Read-modify-write a device that only takes wide accesses. */
        uint32_t aligned = off & ~(min - 1);
        uint32_t shift = 8 * (off - aligned);
        uint32_t old = r->ops->read ? r->ops->read(r->opaque, aligned, min)
                                    : 0;
        uint32_t v = (old & ~(0xFFu << shift)) | ((uint32_t)val << shift);
        r->ops->write(r->opaque, aligned, v, min);
        return;
    }
    r->ops->write(r->opaque, off, val, 1);
}

void io_write(IoBus *bus, uint16_t port, uint32_t value, unsigned size)
{
    IoRegion *r = io_whole(bus, port, size);
    if (r && size >= ops_min(r->ops)) {
        if (r->ops->write) {
            if (size < 4)
                value &= (1u << (8 * size)) - 1;
            r->ops->write(r->opaque, port - r->base, value, size);
        }
        return;
    }
    for (unsigned i = 0; i < size; i++)
        io_write_byte(bus, (uint32_t)port + i, (uint8_t)(value >> (8 * i)));
}
