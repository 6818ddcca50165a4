/*
 * piix4_isa.c — Intel 82371AB PIIX4 function 0: PCI-to-ISA bridge
 * (8086:7110) at 00:01.0, where SeaBIOS's $PIR and DSDT expect it.
 *
 * Reference: Intel 82371AB PCI-TO-ISA/IDE Xcelerator (PIIX4) datasheet,
 * order 290562-001 (April 1997): section 3.1 (function 0 configuration
 * registers), 4.1.17 Port 92h, 4.1.16 Reset Control Register (0xCF9).
 *
 * Modelled: the configuration registers as a table; PIRQRC[A:D] (0x60-0x63)
 * steer PCI INTA-D to ISA IRQs through pci_set_pirq_route(); port 0x92
 * (System Control Port A: fast A20 and fast reset); port 0xCF9 (reset
 * control: a 0->1 edge of RCPU resets the machine).
 *
 * Not modelled here: ELCR 0x4D0/0x4D1 (owned by the 8259 model), the 8237,
 * the 8254, the RTC (their own files); serial IRQ, motherboard IRQ/DMA
 * steering, positive decode of the BIOS (registers stored only).
 */
#include <errno.h>

#include "devices/devices.h"
#include "devices/pcireg.h"
#include "machine/vm.h"

#define PIIX4_ISA_DEVFN PCI_DEVFN(1, 0)
#define PIIX4_PIRQRC 0x60
#define PIIX4_PIRQ_DISABLE 0x80
#define PIIX4_PIRQ_IRQ_MASK 0x0F
#define PIIX4_PIRQ_VALID 0xDEF8u /* IRQ 3-7, 9-12, 14-15 */

#define PIIX4_PORT92 0x92
#define PIIX4_PORT92_RESET 0x01 /* FAST_INIT: 0->1 pulses INIT */
#define PIIX4_PORT92_A20 0x02

#define PIIX4_RCR_SRST 0x02 /* 1: hard reset, 0: soft (INIT) */
#define PIIX4_RCR_RCPU 0x04 /* 0->1: perform the reset */
#define PIIX4_RCR_FULL 0x08 /* full reset (power cycle) */

/* Function 0 configuration registers (290562 section 3.1). */
static const PciRegDef piix4_isa_regs[] = {
    {"PCICMD", PCI_COMMAND, 2, 0x0007, 0x0008, 0},
    {"PCISTS", PCI_STATUS, 2, 0x0280, 0, 0x7800},
    {"HEDT", PCI_HEADER_TYPE, 1, 0x80, 0, 0},
    {"SVID", PCI_SUBSYSTEM_VENDOR_ID, 2, 0x15AD, 0, 0},
    {"SID", PCI_SUBSYSTEM_ID, 2, 0x1976, 0, 0},
    {"IORT", 0x4C, 1, 0x4D, 0x7F, 0},
    {"XBCS", 0x4E, 2, 0x0003, 0x07FF, 0},
    {"PIRQRCA", 0x60, 1, 0x80, 0x8F, 0},
    {"PIRQRCB", 0x61, 1, 0x80, 0x8F, 0},
    {"PIRQRCC", 0x62, 1, 0x80, 0x8F, 0},
    {"PIRQRCD", 0x63, 1, 0x80, 0x8F, 0},
    {"SERIRQC", 0x64, 1, 0x10, 0xFF, 0},
    {"TOM", 0x69, 1, 0x02, 0xFE, 0},
    {"MSTAT", 0x6A, 2, 0x0000, 0x00FF, 0},
    {"MBIRQ0", 0x70, 1, 0x80, 0xEF, 0},
    {"MBIRQ1", 0x71, 1, 0x80, 0xEF, 0},
    {"MBDMA0", 0x76, 1, 0x04, 0x87, 0},
    {"MBDMA1", 0x77, 1, 0x04, 0x87, 0},
    {"APICBASE", 0x80, 1, 0x00, 0x7F, 0},
    {"DLC", 0x82, 1, 0x00, 0x0F, 0},
    {"PDMACFG", 0x90, 2, 0x0000, 0xFFFF, 0},
    {"DDMABP0", 0x92, 2, 0x0000, 0xFFF0, 0},
    {"DDMABP1", 0x94, 2, 0x0000, 0xFFF0, 0},
    {"GENCFG", 0xB0, 4, 0x00000000, 0xFFFFFFFF, 0},
    {"RTCCFG", 0xCB, 1, 0x21, 0x3D, 0},
};

typedef struct Piix4IsaState {
    PciDevice pci;
    VM *vm;
    uint8_t port92;
    uint8_t rcr;
} Piix4IsaState;

/* PIRQRC: bits 3:0 pick IRQ 3-7, 9-12, 14, 15; 0-2, 8, 13 are reserved
 * (section 3.1.9); bit 7 disables routing. */
static uint8_t piix4_isa_pirq_line(VM *vm, uint8_t v)
{
    if (v & PIIX4_PIRQ_DISABLE)
        return PIIX4_PIRQ_DISABLE;
    uint8_t irq = v & PIIX4_PIRQ_IRQ_MASK;
    if (!(PIIX4_PIRQ_VALID & (1u << irq))) {
        log_once(&vm->log, LOG_GUEST_ERROR,
                 "piix4: PIRQ routed to reserved IRQ %u; disabled\n", irq);
        return PIIX4_PIRQ_DISABLE;
    }
    return irq;
}

static void piix4_isa_update_pirq(Piix4IsaState *s)
{
    for (unsigned i = 0; i < 4; i++)
        pci_set_pirq_route(&s->vm->pci, i,
                           piix4_isa_pirq_line(
                               s->vm, s->pci.config[PIIX4_PIRQRC + i]));
}

static void piix4_isa_config_write(PciDevice *d, uint8_t off, uint32_t value,
                                   unsigned size)
{
    (void)value;
    if (off < PIIX4_PIRQRC + 4 && off + size > PIIX4_PIRQRC)
        piix4_isa_update_pirq(d->opaque);
}

/* Port 0x92 (section 4.1.17): bit 1 gates A20, a 0->1 edge on bit 0
 * resets the CPU. A20 reads back the machine's current state. */
static uint32_t piix4_port92_read(void *opaque, uint32_t off, unsigned size)
{
    Piix4IsaState *s = opaque;
    (void)off;
    (void)size;
    bool a20 = (s->vm->a20_mask & (1ull << 20)) != 0;
    return (s->port92 & ~PIIX4_PORT92_A20) | (a20 ? PIIX4_PORT92_A20 : 0);
}

static void piix4_port92_write(void *opaque, uint32_t off, uint32_t val,
                               unsigned size)
{
    Piix4IsaState *s = opaque;
    (void)off;
    (void)size;
    uint8_t old = s->port92;
    s->port92 = val & (PIIX4_PORT92_A20 | PIIX4_PORT92_RESET);
    vm_set_a20(s->vm, (val & PIIX4_PORT92_A20) != 0);
    if ((val & PIIX4_PORT92_RESET) && !(old & PIIX4_PORT92_RESET))
        vm_request(s->vm, VM_REQ_RESET);
}

static const IoOps piix4_port92_ops = {
    .read = piix4_port92_read,
    .write = piix4_port92_write,
    .max_size = 1,
};

/* Reset Control Register 0xCF9 (section 4.1.16): RCPU (bit 2) is
 * self-clearing; its 0->1 transition resets with the type in SRST/FULL. */
static uint32_t piix4_rcr_read(void *opaque, uint32_t off, unsigned size)
{
    Piix4IsaState *s = opaque;
    (void)off;
    (void)size;
    return s->rcr;
}

static void piix4_rcr_write(void *opaque, uint32_t off, uint32_t val,
                            unsigned size)
{
    Piix4IsaState *s = opaque;
    (void)off;
    (void)size;
    s->rcr = val & (PIIX4_RCR_SRST | PIIX4_RCR_FULL);
    if (val & PIIX4_RCR_RCPU)
        vm_request(s->vm, VM_REQ_RESET);
}

static void piix4_isa_reset(void *opaque)
{
    Piix4IsaState *s = opaque;
    pci_device_reset(&s->pci);
    pcireg_reset(&s->pci, piix4_isa_regs,
                 sizeof(piix4_isa_regs) / sizeof(piix4_isa_regs[0]));
    piix4_isa_update_pirq(s);
    s->port92 = 0;
    s->rcr = 0;
}

static int piix4_isa_init(void *opaque, VM *vm, const char *arg)
{
    Piix4IsaState *s = opaque;
    (void)arg;
    s->vm = vm;
    s->pci.opaque = s;
    s->pci.config_write = piix4_isa_config_write;
    int r = pci_register(&vm->pci, &s->pci, PIIX4_ISA_DEVFN, 0x8086, 0x7110,
                         0x08, 0x060100, "piix4-isa");
    if (r < 0)
        return r;
    r = io_register(&vm->io, PIIX4_PORT92, 1, &piix4_port92_ops, s,
                    "port92");
    if (r < 0)
        return r;
    vm->pci.cf9_read = piix4_rcr_read;
    vm->pci.cf9_write = piix4_rcr_write;
    vm->pci.cf9_opaque = s;
    return 0;
}

static void piix4_isa_fini(void *opaque)
{
    Piix4IsaState *s = opaque;
    if (s->vm->pci.cf9_opaque == s) {
        s->vm->pci.cf9_read = NULL;
        s->vm->pci.cf9_write = NULL;
    }
    if (s->vm->pci.devs[PIIX4_ISA_DEVFN] == &s->pci)
        pci_unregister(&s->vm->pci, &s->pci);
}

static int piix4_isa_post_load(void *opaque)
{
    piix4_isa_update_pirq(opaque);
    return 0;
}

static const StateField piix4_isa_state_fields[] = {
    STATE_FIELD(Piix4IsaState, pci.config),
    STATE_FIELD(Piix4IsaState, port92),
    STATE_FIELD(Piix4IsaState, rcr),
    STATE_END,
};

const DeviceInfo piix4_isa_device = {
    .name = "piix4-isa",
    .state_size = sizeof(Piix4IsaState),
    .state_version = 1,
    .init = piix4_isa_init,
    .reset = piix4_isa_reset,
    .fini = piix4_isa_fini,
    .fields = piix4_isa_state_fields,
    .post_load = piix4_isa_post_load,
};
