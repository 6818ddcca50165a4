/*
 * pci.c — PCI bus 0, configuration mechanism #1, BAR sizing and mapping,
 * INTx routing through PIRQ A-D. See pci.h.
 *
 * References: PCI Local Bus Specification 2.2, sections 3.2.2.3.2
 * (configuration mechanism #1) and 6.2.5 (base address registers).
 */
#include "machine/pci.h"

#include <errno.h>
#include <string.h>

#include "machine/ioport.h"
#include "machine/irq.h"
#include "machine/log.h"
#include "machine/memmap.h"

#define PCI_CONFIG_ADDR_PORT 0xCF8
#define PCI_CONFIG_DATA_PORT 0xCFC
#define PCI_ROM_ENABLE 0x1

void pci_bus_init(PciBus *bus, struct IoBus *io, struct PhysMem *mem,
                  struct IrqCtl *irq, struct Log *log)
{
    memset(bus, 0, sizeof(*bus));
    bus->io = io;
    bus->mem = mem;
    bus->irq = irq;
    bus->log = log;
    for (int i = 0; i < 4; i++)
        bus->pirq_route[i] = 0x80;
}

/* ---- configuration mechanism #1 ports ---- */

static uint32_t pci_port_read(void *opaque, uint32_t off, unsigned size)
{
    PciBus *bus = opaque;
    if (off < 4) {
        /* Only a full dword access hits CONFIG_ADDRESS (PCI 2.2 3.2.2.3.2);
         * byte accesses to 0xCF8-0xCFB are other (legacy) ports. */
        if (off == 1 && size == 1 && bus->cf9_read)
            return bus->cf9_read(bus->cf9_opaque, 0, 1);
        return size == 4 && off == 0 ? bus->config_addr : 0xFFFFFFFFu;
    }
    uint32_t a = bus->config_addr;
    if (!(a & 0x80000000u) || ((a >> 16) & 0xFF) != 0)
        return 0xFFFFFFFFu;
    uint8_t reg = (uint8_t)((a & 0xFC) + (off - 4));
    return pci_config_read(bus, (uint8_t)(a >> 8), reg, size);
}

static void pci_port_write(void *opaque, uint32_t off, uint32_t val,
                           unsigned size)
{
    PciBus *bus = opaque;
    if (off < 4) {
        if (size == 4 && off == 0)
            bus->config_addr = val & 0x80FFFFFCu;
        else if (off == 1 && size == 1 && bus->cf9_write)
            bus->cf9_write(bus->cf9_opaque, 0, val, 1);
        return;
    }
    uint32_t a = bus->config_addr;
    if (!(a & 0x80000000u) || ((a >> 16) & 0xFF) != 0)
        return;
    uint8_t reg = (uint8_t)((a & 0xFC) + (off - 4));
    pci_config_write(bus, (uint8_t)(a >> 8), reg, val, size);
}

static const IoOps pci_port_ops = {
    .read = pci_port_read,
    .write = pci_port_write,
};

int pci_bus_attach_ports(PciBus *bus)
{
    int id = io_register(bus->io, PCI_CONFIG_ADDR_PORT, 8, &pci_port_ops, bus,
                         "pci-conf");
    return id < 0 ? id : 0;
}

/* ---- devices ---- */

int pci_register(PciBus *bus, PciDevice *d, uint8_t devfn, uint16_t vendor,
                 uint16_t device, uint8_t rev, uint32_t class_code,
                 const char *name)
{
    if (bus->devs[devfn])
        return -EBUSY;
    memset(d->config, 0, sizeof(d->config));
    memset(d->wmask, 0, sizeof(d->wmask));
    memset(d->w1cmask, 0, sizeof(d->w1cmask));
    for (int i = 0; i < 6; i++)
        d->bars[i] = (PciBar){.region = -1};
    d->rom_region = -1;
    d->devfn = devfn;
    d->bus = bus;
    d->name = name;
    pci_set_word(d, PCI_VENDOR_ID, vendor);
    pci_set_word(d, PCI_DEVICE_ID, device);
    d->config[PCI_REVISION_ID] = rev;
    d->config[PCI_CLASS_PROG] = class_code & 0xFF;
    pci_set_word(d, PCI_CLASS_DEVICE, (uint16_t)(class_code >> 8));
    /* Command: I/O, memory, bus master, SERR, INTx disable are writable. */
    pci_set_word(d, PCI_COMMAND, 0);
    d->wmask[PCI_COMMAND] = 0x07 | 0x40;
    d->wmask[PCI_COMMAND + 1] = 0x05;
    /* Status error bits are write-1-to-clear (PCI 2.2 6.2.3). */
    d->w1cmask[PCI_STATUS + 1] = 0xF9;
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xFF;
    d->wmask[PCI_LATENCY_TIMER] = 0xFF;
    d->wmask[PCI_INTERRUPT_LINE] = 0xFF;
    bus->devs[devfn] = d;
    return 0;
}

void pci_unregister(PciBus *bus, PciDevice *d)
{
    pci_set_irq(d, false);
    for (int i = 0; i < 6; i++) {
        PciBar *b = &d->bars[i];
        if (b->region >= 0) {
            if (b->type == PCI_BAR_IO)
                io_unregister(bus->io, b->region);
            else
                mem_unmap(bus->mem, b->region);
            b->region = -1;
        }
    }
    if (d->rom_region >= 0)
        mem_unmap(bus->mem, d->rom_region);
    d->rom_region = -1;
    bus->devs[d->devfn] = NULL;
}

static void pci_bar_setup(PciDevice *d, unsigned n, PciBarType type,
                          uint32_t size)
{
    uint8_t off = (uint8_t)(PCI_BAR0 + 4 * n);
    uint32_t low = type == PCI_BAR_IO ? 0x1
                   : type == PCI_BAR_MEM32_PREFETCH ? 0x8 : 0x0;
    pci_set_long(d, off, low);
    /* I/O BARs keep all 32 bits writable, as firmware sizes them with
     * ~(val & ~3) + 1 (SeaBIOS pci_bios_get_bar); only addresses below
     * 64 KB are ever mapped. */
    uint32_t mask = ~(size - 1) & (type == PCI_BAR_IO ? ~0x3u : ~0xFu);
    for (int i = 0; i < 4; i++)
        d->wmask[off + i] = (uint8_t)(mask >> (8 * i));
}

void pci_set_bar(PciDevice *d, unsigned n, PciBarType type, uint32_t size,
                 const IoOps *ops, void *opaque)
{
    if (n >= 6 || type == PCI_BAR_NONE || size == 0 || (size & (size - 1)))
        return;
    if (size < (type == PCI_BAR_IO ? 4u : 16u))
        size = type == PCI_BAR_IO ? 4u : 16u;
    d->bars[n] = (PciBar){.type = type, .size = size, .ops = ops,
                          .opaque = opaque, .region = -1};
    pci_bar_setup(d, n, type, size);
}

void pci_set_bar_ram(PciDevice *d, unsigned n, uint8_t *buf, uint32_t size,
                     uint8_t *dirty)
{
    if (n >= 6 || size < 4096 || (size & (size - 1)))
        return;
    d->bars[n] = (PciBar){.type = PCI_BAR_MEM32_PREFETCH, .size = size,
                          .ram = buf, .dirty = dirty, .region = -1};
    pci_bar_setup(d, n, PCI_BAR_MEM32_PREFETCH, size);
}

void pci_set_rom(PciDevice *d, const uint8_t *image, uint32_t size)
{
    uint32_t rsize = 2048;
    while (rsize < size)
        rsize <<= 1;
    d->rom = image;
    d->rom_size = rsize;
    uint32_t mask = ~(rsize - 1) | PCI_ROM_ENABLE;
    for (int i = 0; i < 4; i++)
        d->wmask[PCI_ROM_ADDRESS + i] = (uint8_t)(mask >> (8 * i));
}

/* Where BAR n should live now, or 0 if it must be unmapped. */
static uint32_t pci_bar_target(const PciDevice *d, unsigned n)
{
    const PciBar *b = &d->bars[n];
    uint16_t cmd = pci_get_word(d, PCI_COMMAND);
    uint32_t v = pci_get_long(d, (uint8_t)(PCI_BAR0 + 4 * n));
    if (b->type == PCI_BAR_IO) {
        uint32_t a = v & ~0x3u;
        if (!(cmd & PCI_COMMAND_IO) || a == 0 ||
            (uint64_t)a + b->size > 0x10000)
            return 0;
        return a;
    }
    uint32_t a = v & ~0xFu;
    if (!(cmd & PCI_COMMAND_MEMORY) || a == 0 ||
        (uint64_t)a + b->size > 0x100000000ull)
        return 0;
    return a;
}

static void pci_map_bar(PciDevice *d, unsigned n)
{
    PciBar *b = &d->bars[n];
    PciBus *bus = d->bus;
    uint32_t target = pci_bar_target(d, n);
    if (b->region >= 0 && target == b->mapped_at)
        return;
    if (b->region >= 0) {
        if (b->type == PCI_BAR_IO)
            io_unregister(bus->io, b->region);
        else
            mem_unmap(bus->mem, b->region);
        b->region = -1;
    }
    if (!target)
        return;
    int id;
    if (b->type == PCI_BAR_IO)
        id = io_register(bus->io, (uint16_t)target, b->size, b->ops,
                         b->opaque, d->name);
    else if (b->ram)
        id = mem_map_ram(bus->mem, target, b->ram, b->size, b->dirty,
                         d->name);
    else
        id = mem_map_mmio(bus->mem, target, b->size, b->ops, b->opaque,
                          d->name);
    if (id < 0) {
        log_once(bus->log, LOG_GUEST_ERROR,
                 "pci: cannot map BAR at %#x (overlap or table full)\n",
                 target);
        return;
    }
    b->region = id;
    b->mapped_at = target;
}

static void pci_map_rom(PciDevice *d)
{
    PciBus *bus = d->bus;
    uint32_t v = pci_get_long(d, PCI_ROM_ADDRESS);
    uint32_t a = v & ~(d->rom_size - 1);
    bool on = d->rom && (v & PCI_ROM_ENABLE) && a &&
              (pci_get_word(d, PCI_COMMAND) & PCI_COMMAND_MEMORY);
    if (d->rom_region >= 0) {
        mem_unmap(bus->mem, d->rom_region);
        d->rom_region = -1;
    }
    if (on)
        d->rom_region = mem_map_rom(bus->mem, a, d->rom, d->rom_size, d->name);
}

static void pci_update_mappings(PciDevice *d)
{
    for (unsigned n = 0; n < 6; n++)
        if (d->bars[n].type != PCI_BAR_NONE)
            pci_map_bar(d, n);
    if (d->rom)
        pci_map_rom(d);
}

uint32_t pci_config_read(PciBus *bus, uint8_t devfn, uint8_t off,
                         unsigned size)
{
    PciDevice *d = bus->devs[devfn];
    if (!d || (unsigned)off + size > 256)
        return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)d->config[off + i] << (8 * i);
    if (d->config_read)
        v = d->config_read(d, off, size, v);
    return v;
}

void pci_config_write(PciBus *bus, uint8_t devfn, uint8_t off, uint32_t val,
                      unsigned size)
{
    PciDevice *d = bus->devs[devfn];
    if (!d || (unsigned)off + size > 256)
        return;
    for (unsigned i = 0; i < size; i++) {
        uint8_t b = (uint8_t)(val >> (8 * i));
        uint8_t a = (uint8_t)(off + i);
        uint8_t wm = d->wmask[a], cm = d->w1cmask[a];
        d->config[a] = (uint8_t)((d->config[a] & ~wm) | (b & wm));
        d->config[a] &= (uint8_t)~(b & cm);
    }
    /* COMMAND enables, BAR0-5 and the ROM BAR decide the mappings. */
    bool touches_map = off < PCI_BAR0 + 24 && off + size > PCI_COMMAND;
    if (touches_map ||
        (off <= PCI_ROM_ADDRESS + 3 && off + size > PCI_ROM_ADDRESS))
        pci_update_mappings(d);
    if (off <= PCI_COMMAND + 1 && off + size > PCI_COMMAND + 1)
        pci_set_irq(d, d->irq_level); /* INTx disable may have changed */
    if (d->config_write)
        d->config_write(d, off, val, size);
}

/* ---- INTx ---- */

static unsigned pci_pirq_of(const PciDevice *d)
{
    unsigned slot = d->devfn >> 3;
    unsigned pin = d->config[PCI_INTERRUPT_PIN]; /* 1 = INTA */
    return (slot + pin - 2) & 3;
}

static void pci_update_pirq(PciBus *bus, unsigned pirq)
{
    bool level = false;
    for (unsigned i = 0; i < PCI_SLOTS * PCI_FUNCS; i++) {
        PciDevice *d = bus->devs[i];
        if (d && d->config[PCI_INTERRUPT_PIN] && pci_pirq_of(d) == pirq &&
            d->irq_level &&
            !(pci_get_word(d, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE))
            level = true;
    }
    uint8_t line = bus->pirq_route[pirq];
    if (!(line & 0x80) && line < 16 && bus->irq)
        irq_set(bus->irq, line, PCI_IRQ_SRC_BASE + pirq, level);
}

void pci_set_irq(PciDevice *d, bool level)
{
    d->irq_level = level;
    if (level)
        d->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
    else
        d->config[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTERRUPT;
    if (d->bus && d->config[PCI_INTERRUPT_PIN])
        pci_update_pirq(d->bus, pci_pirq_of(d));
}

void pci_set_pirq_route(PciBus *bus, unsigned pirq, uint8_t isa_line)
{
    if (pirq >= 4)
        return;
    uint8_t old = bus->pirq_route[pirq];
    if (old == isa_line)
        return;
    if (!(old & 0x80) && old < 16 && bus->irq)
        irq_set(bus->irq, old, PCI_IRQ_SRC_BASE + pirq, false);
    bus->pirq_route[pirq] = isa_line;
    pci_update_pirq(bus, pirq);
}

void pci_device_reset(PciDevice *d)
{
    pci_set_word(d, PCI_COMMAND, 0);
    d->config[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTERRUPT;
    d->config[PCI_STATUS + 1] = 0;
    for (unsigned n = 0; n < 6; n++)
        if (d->bars[n].type != PCI_BAR_NONE)
            pci_bar_setup(d, n, d->bars[n].type, d->bars[n].size);
    if (d->rom)
        pci_set_long(d, PCI_ROM_ADDRESS, 0);
    d->config[PCI_INTERRUPT_LINE] = 0;
    pci_set_irq(d, false);
    if (d->bus)
        pci_update_mappings(d);
}

void pci_device_post_load(PciDevice *d)
{
    if (d->bus)
        pci_update_mappings(d);
}
