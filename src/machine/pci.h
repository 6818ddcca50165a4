/*
 * pci.h — PCI bus 0 with configuration mechanism #1 (ports 0xCF8/0xCFC).
 *
 * A PciDevice owns a 256-byte configuration space plus masks that say which
 * bits the guest may write (wmask) and which are write-1-to-clear (w1cmask).
 * BARs are declared with pci_set_bar(); the bus handles sizing (all-ones
 * write reads back ~(size-1) | type bits) and maps/unmaps the region on the
 * port or memory bus when the BAR or the COMMAND register's I/O/memory
 * enable bits change. An expansion ROM BAR (0x30) can expose a ROM image.
 *
 * INTx: a device drives its pin with pci_set_irq(); the bus maps
 * (slot, pin) to PIRQ A-D with the PIIX swizzle (pirq = (slot + pin - 2) & 3,
 * pin 1 = INTA) and the PIRQ to an ISA line with pci_set_pirq_route(), set
 * by the PIIX4 ISA bridge's PIRQRC registers.
 */
#ifndef X86BT_PCI_H
#define X86BT_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/ioops.h"

#define PCI_SLOTS 32
#define PCI_FUNCS 8
#define PCI_DEVFN(slot, fn) (((slot) << 3) | (fn))

/* Configuration header offsets (PCI Local Bus Spec 2.2, section 6.1). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION_ID 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_CLASS_DEVICE 0x0A
#define PCI_CACHE_LINE_SIZE 0x0C
#define PCI_LATENCY_TIMER 0x0D
#define PCI_HEADER_TYPE 0x0E
#define PCI_BAR0 0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2C
#define PCI_SUBSYSTEM_ID 0x2E
#define PCI_ROM_ADDRESS 0x30
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3C
#define PCI_INTERRUPT_PIN 0x3D

#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS_INTERRUPT 0x8

typedef enum PciBarType {
    PCI_BAR_NONE = 0,
    PCI_BAR_IO,
    PCI_BAR_MEM32,
    PCI_BAR_MEM32_PREFETCH,
} PciBarType;

typedef struct PciBar {
    PciBarType type;
    uint32_t size;      /* power of two */
    const IoOps *ops;   /* MMIO/port handlers, or */
    uint8_t *ram;       /* a host buffer mapped directly (framebuffer) */
    uint8_t *dirty;     /* optional dirty-page bytes for ram */
    void *opaque;
    int region;         /* id on io/mem bus while mapped, else -1 */
    uint32_t mapped_at; /* address while mapped */
} PciBar;

typedef struct PciDevice PciDevice;

struct PciDevice {
    uint8_t config[256];
    uint8_t wmask[256];
    uint8_t w1cmask[256];
    PciBar bars[6];
    const uint8_t *rom;       /* expansion ROM image, or NULL */
    uint32_t rom_size;        /* power of two >= image size */
    int rom_region;
    uint8_t devfn;
    bool irq_level;
    const char *name;
    struct PciBus *bus;
    void *opaque; /* the device's own state */
    /* Optional hooks, called after the generic handling. */
    uint32_t (*config_read)(PciDevice *d, uint8_t off, unsigned size,
                            uint32_t value);
    void (*config_write)(PciDevice *d, uint8_t off, uint32_t value,
                         unsigned size);
};

typedef struct PciBus {
    PciDevice *devs[PCI_SLOTS * PCI_FUNCS];
    uint32_t config_addr; /* 0xCF8 latch */
    uint8_t pirq_route[4]; /* ISA line, or 0x80 = disabled */
    struct IoBus *io;
    struct PhysMem *mem;
    struct IrqCtl *irq;
    struct Log *log;
    /* Byte port 0xCF9 (PIIX4 reset control register) shares the 0xCF8
     * dword; the ISA bridge claims it here. NULL: floats. */
    IoReadFn cf9_read;
    IoWriteFn cf9_write;
    void *cf9_opaque;
} PciBus;

/* IRQ source ids used by the PCI bus on its ISA lines (one per PIRQ). */
#define PCI_IRQ_SRC_BASE 24

void pci_bus_init(PciBus *bus, struct IoBus *io, struct PhysMem *mem,
                  struct IrqCtl *irq, struct Log *log);
/* Registers 0xCF8/0xCFC-0xCFF on the port bus. */
int pci_bus_attach_ports(PciBus *bus);
/* Initialise d's header and plug it at devfn; -EBUSY if taken. */
int pci_register(PciBus *bus, PciDevice *d, uint8_t devfn, uint16_t vendor,
                 uint16_t device, uint8_t rev, uint32_t class_code,
                 const char *name);
void pci_unregister(PciBus *bus, PciDevice *d);
/* Declare BAR n (size a power of two, >= 4 for I/O, >= 16 for memory). */
void pci_set_bar(PciDevice *d, unsigned n, PciBarType type, uint32_t size,
                 const IoOps *ops, void *opaque);
void pci_set_bar_ram(PciDevice *d, unsigned n, uint8_t *buf, uint32_t size,
                     uint8_t *dirty);
void pci_set_rom(PciDevice *d, const uint8_t *image, uint32_t size);
void pci_set_irq(PciDevice *d, bool level);
void pci_set_pirq_route(PciBus *bus, unsigned pirq, uint8_t isa_line);
/* Reset the generic part: command/status, BARs unmapped, INTx low. */
void pci_device_reset(PciDevice *d);
/* Config space was loaded from save state: map the BARs and the ROM where
 * it now says (a device's post_load calls this). */
void pci_device_post_load(PciDevice *d);

/* Config-space access by bus devfn (used by the ports and by tests). */
uint32_t pci_config_read(PciBus *bus, uint8_t devfn, uint8_t off,
                         unsigned size);
void pci_config_write(PciBus *bus, uint8_t devfn, uint8_t off, uint32_t val,
                      unsigned size);

/* Little-endian helpers on config space. */
static inline void pci_set_byte(PciDevice *d, uint8_t off, uint8_t v)
{
    d->config[off] = v;
}
static inline void pci_set_word(PciDevice *d, uint8_t off, uint16_t v)
{
    d->config[off] = v;
    d->config[off + 1] = v >> 8;
}
static inline void pci_set_long(PciDevice *d, uint8_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        d->config[off + i] = v >> (8 * i);
}
static inline uint16_t pci_get_word(const PciDevice *d, uint8_t off)
{
    return d->config[off] | d->config[off + 1] << 8;
}
static inline uint32_t pci_get_long(const PciDevice *d, uint8_t off)
{
    return d->config[off] | d->config[off + 1] << 8 |
           d->config[off + 2] << 16 | (uint32_t)d->config[off + 3] << 24;
}

#endif
