/*
 * piix4_usb.c — Intel 82371AB PIIX4 function 2: USB host controller
 * (8086:7112, UHCI) at 00:01.2, honestly empty: both root ports report no
 * device attached.
 *
 * Reference: PIIX4 datasheet 290562-001, section 3.3 (function 2
 * configuration: USBBA at 0x20, LEGSUP at 0xC0) and 6.3 (USB I/O
 * registers); Universal Host Controller Interface Design Guide rev 1.1,
 * section 2 (register semantics).
 *
 * Modelled: USBCMD (run/stop, HCRESET and GRESET self-clearing, the other
 * bits stored), USBSTS (HCHalted follows run/stop; the write-1-to-clear
 * bits), USBINTR, FRNUM (advances at 1 kHz of virtual time while running),
 * FRBASEADD, SOFMOD, PORTSC1/2 (no device: CCS=0; status change bits
 * write-1-to-clear; the port enable cannot be set without a device, as on
 * hardware), LEGSUP (stored). INTD# is the interrupt pin.
 * Not modelled: the frame list and transfer descriptors are never fetched
 * (with no device there is nothing to transfer), so USBINT never fires.
 */
#include <errno.h>

#include "devices/devices.h"
#include "devices/pcireg.h"
#include "machine/vm.h"

#define USB_DEVFN PCI_DEVFN(1, 2)
#define USB_BAR 4
#define USB_IO_LEN 32

/* I/O registers (UHCI 2.1). */
#define USBCMD 0x00
#define USBSTS 0x02
#define USBINTR 0x04
#define FRNUM 0x06
#define FRBASEADD 0x08
#define SOFMOD 0x0C
#define PORTSC1 0x10
#define PORTSC2 0x12

#define USBCMD_RS 0x0001
#define USBCMD_HCRESET 0x0002
#define USBCMD_GRESET 0x0004
#define USBCMD_WMASK 0x00FF
#define USBSTS_HCH 0x0020
#define USBSTS_W1C 0x001F
#define USBINTR_WMASK 0x000F
#define FRNUM_MASK 0x07FF
#define PORTSC_RESERVED1 0x0080 /* always reads 1 */
#define PORTSC_CSC 0x0002
#define PORTSC_PEC 0x0008
#define PORTSC_W1C (PORTSC_CSC | PORTSC_PEC)
#define PORTSC_WMASK 0x1340 /* resume detect, port reset, suspend */

#define USB_FRAME_NS 1000000 /* 1 ms per frame */

/* Function 2 configuration registers (290562 section 3.3). */
static const PciRegDef usb_regs[] = {
    {"PCICMD", PCI_COMMAND, 2, 0x0000, 0x0005, 0},
    {"PCISTS", PCI_STATUS, 2, 0x0280, 0, 0x3800},
    {"MLT", PCI_LATENCY_TIMER, 1, 0x00, 0xF0, 0},
    {"SVID", PCI_SUBSYSTEM_VENDOR_ID, 2, 0x15AD, 0, 0},
    {"SID", PCI_SUBSYSTEM_ID, 2, 0x1976, 0, 0},
    {"INTPIN", PCI_INTERRUPT_PIN, 1, 0x04, 0, 0},
    {"SBRNUM", 0x60, 1, 0x10, 0, 0},
    {"LEGSUP", 0xC0, 2, 0x2000, 0xBFFF, 0x8F00},
};

typedef struct UsbState {
    PciDevice pci;
    VM *vm;
    uint16_t cmd, sts, intr;
    uint16_t frnum;      /* frame number when run was last set/stopped */
    int64_t run_since;   /* virtual time of RS 0->1 */
    uint32_t frbase;
    uint8_t sofmod;
    uint16_t portsc[2];
} UsbState;

static uint16_t usb_frnum(const UsbState *s)
{
    if (!(s->cmd & USBCMD_RS))
        return s->frnum;
    int64_t frames = (clock_now(&s->vm->clock) - s->run_since) / USB_FRAME_NS;
    return (uint16_t)((s->frnum + (uint64_t)frames) & FRNUM_MASK);
}

static void usb_hc_reset(UsbState *s)
{
    s->cmd = 0;
    s->sts = USBSTS_HCH;
    s->intr = 0;
    s->frnum = 0;
    s->frbase = 0;
    s->sofmod = 0x40;
    s->portsc[0] = s->portsc[1] = PORTSC_RESERVED1;
}

static void usb_cmd_write(UsbState *s, uint16_t v)
{
    if (v & (USBCMD_HCRESET | USBCMD_GRESET)) {
        usb_hc_reset(s); /* both complete at once and self-clear */
        return;
    }
    bool was = s->cmd & USBCMD_RS, now = v & USBCMD_RS;
    if (was && !now)
        s->frnum = usb_frnum(s);
    else if (!was && now)
        s->run_since = clock_now(&s->vm->clock);
    s->cmd = v & USBCMD_WMASK;
    s->sts = now ? (s->sts & ~USBSTS_HCH) : (s->sts | USBSTS_HCH);
}

static uint32_t usb_reg_read(UsbState *s, uint32_t off)
{
    switch (off) {
    case USBCMD:
        return s->cmd;
    case USBSTS:
        return s->sts;
    case USBINTR:
        return s->intr;
    case FRNUM:
        return usb_frnum(s);
    case FRBASEADD:
        return s->frbase & 0xFFFF;
    case FRBASEADD + 2:
        return s->frbase >> 16;
    case SOFMOD:
        return s->sofmod;
    case PORTSC1:
    case PORTSC2:
        return s->portsc[(off - PORTSC1) / 2];
    default:
        return 0;
    }
}

static void usb_reg_write(UsbState *s, uint32_t off, uint32_t v)
{
    switch (off) {
    case USBCMD:
        usb_cmd_write(s, (uint16_t)v);
        break;
    case USBSTS:
        s->sts &= ~(v & USBSTS_W1C);
        break;
    case USBINTR:
        s->intr = v & USBINTR_WMASK;
        break;
    case FRNUM:
        if (s->cmd & USBCMD_RS)
            log_once(&s->vm->log, LOG_GUEST_ERROR,
                     "uhci: FRNUM written while running\n");
        s->frnum = v & FRNUM_MASK;
        s->run_since = clock_now(&s->vm->clock);
        break;
    case FRBASEADD:
        s->frbase = (s->frbase & 0xFFFF0000u) | (v & 0xF000);
        break;
    case FRBASEADD + 2:
        s->frbase = (s->frbase & 0xFFFF) | (v & 0xFFFF) << 16;
        break;
    case SOFMOD:
        s->sofmod = v & 0x7F;
        break;
    case PORTSC1:
    case PORTSC2: {
        uint16_t *p = &s->portsc[(off - PORTSC1) / 2];
        *p &= ~(v & PORTSC_W1C);
        *p = (*p & ~PORTSC_WMASK) | (v & PORTSC_WMASK) | PORTSC_RESERVED1;
        break;
    }
    default:
        break;
    }
}

/* 16-bit registers (FRBASEADD as two halves); the bus splits dwords. */
static uint32_t usb_io_read(void *opaque, uint32_t off, unsigned size)
{
    UsbState *s = opaque;
    uint32_t v = usb_reg_read(s, off & ~1u);
    if (size == 1)
        return (v >> (8 * (off & 1))) & 0xFF;
    return v;
}

static void usb_io_write(void *opaque, uint32_t off, uint32_t val,
                         unsigned size)
{
    UsbState *s = opaque;
    if (size == 1) {
        /* Merge with the other byte, without writing 1s back into its
         * write-1-to-clear bits. */
        uint32_t reg = off & ~1u;
        uint32_t w1c = reg == USBSTS ? USBSTS_W1C
                       : reg >= PORTSC1 ? PORTSC_W1C : 0;
        uint32_t keep = usb_reg_read(s, reg) & ~w1c;
        unsigned sh = 8 * (off & 1);
        val = (keep & ~(0xFFu << sh)) | (val & 0xFF) << sh;
    }
    usb_reg_write(s, off & ~1u, val);
}

static const IoOps usb_io_ops = {
    .read = usb_io_read,
    .write = usb_io_write,
    .min_size = 1,
    .max_size = 2,
};

static void usb_reset(void *opaque)
{
    UsbState *s = opaque;
    pci_device_reset(&s->pci);
    pcireg_reset(&s->pci, usb_regs, sizeof(usb_regs) / sizeof(usb_regs[0]));
    usb_hc_reset(s);
}

static int usb_init(void *opaque, VM *vm, const char *arg)
{
    UsbState *s = opaque;
    (void)arg;
    s->vm = vm;
    s->pci.opaque = s;
    int rc = pci_register(&vm->pci, &s->pci, USB_DEVFN, 0x8086, 0x7112, 0x01,
                          0x0C0300, "piix4-usb");
    if (rc < 0)
        return rc;
    pci_set_bar(&s->pci, USB_BAR, PCI_BAR_IO, USB_IO_LEN, &usb_io_ops, s);
    return 0;
}

static void usb_fini(void *opaque)
{
    UsbState *s = opaque;
    if (s->vm->pci.devs[USB_DEVFN] == &s->pci)
        pci_unregister(&s->vm->pci, &s->pci);
}

/* The saved config space may place the I/O BAR elsewhere: remap it. */
static int usb_post_load(void *opaque)
{
    UsbState *s = opaque;
    pci_device_post_load(&s->pci);
    return 0;
}

static const StateField usb_state_fields[] = {
    STATE_FIELD(UsbState, pci.config),
    STATE_FIELD(UsbState, cmd),
    STATE_FIELD(UsbState, sts),
    STATE_FIELD(UsbState, intr),
    STATE_FIELD(UsbState, frnum),
    STATE_FIELD(UsbState, run_since),
    STATE_FIELD(UsbState, frbase),
    STATE_FIELD(UsbState, sofmod),
    STATE_FIELD(UsbState, portsc),
    STATE_END,
};

const DeviceInfo piix4_usb_device = {
    .name = "piix4-usb",
    .state_size = sizeof(UsbState),
    .state_version = 1,
    .init = usb_init,
    .reset = usb_reset,
    .fini = usb_fini,
    .post_load = usb_post_load,
    .fields = usb_state_fields,
};
