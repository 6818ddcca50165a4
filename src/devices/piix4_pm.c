/*
 * piix4_pm.c — Intel 82371AB PIIX4 function 3: power management (ACPI) and
 * SMBus controller (8086:7113) at 00:01.3.
 *
 * Reference: PIIX4 datasheet 290562-001, section 3.4 (function 3
 * configuration), 7.1-7.2 (power management I/O registers, PM timer,
 * SMI/SCI), 7.3 (SMBus I/O registers); ACPI 1.0 section 4.7 (fixed
 * hardware, PM timer overflow, SLP_TYP/SLP_EN).
 *
 * Modelled:
 *  - PMBA (0x40) + PMREGMISC.PMIOSE (0x80 bit 0) map the 64-byte PM block:
 *    PMSTS (+0, write-1-to-clear), PMEN (+2), PMCNTRL (+4: SCI_EN,
 *    SUS_TYP, SUS_EN), PMTMR (+8: 24-bit free-running 3.579545 MHz counter
 *    derived from the virtual clock), GPSTS/GPEN (+0x0C/+0x0E); the rest of
 *    the block (+0x10..+0x3F) is plain storage.
 *  - SCI on ISA IRQ 9, level: SCI_EN and any enabled status bit (timer
 *    overflow when bit 23 of PMTMR toggles, global, power button, RTC,
 *    general-purpose events).
 *  - SUS_EN with SUS_TYP 000b (soft off, which is also SeaBIOS's \_S5)
 *    powers the VM off with status 0. Other sleep types are not modelled.
 *  - APM control/status ports 0xB2/0xB3: with no SMM handler, the effect of
 *    the ACPI enable/disable commands advertised in SeaBIOS's FADT (0xF1 /
 *    0xF0) is performed directly on SCI_EN.
 *  - GPE0 block at 0xAFE0 (status, enable: the address SeaBIOS's FADT
 *    gives for the PIIX4), aliasing GPSTS/GPEN.
 *  - SMBus: SMBBA (0x90) + SMBHSTCFG.HST_EN (0xD2 bit 0) + PCICMD.IOSE map
 *    the 16-byte host interface; no device is on the bus, so every started
 *    transaction ends with DEV_ERR (as with an empty SMBus).
 *  - DEVACTB (0x58) powers up with APMC_EN (bit 25, config byte 0x5B bit 1)
 *    set, which tells SeaBIOS that SMM is already configured.
 * Not modelled: SMI generation and SMM, device monitors and traps, THRM,
 * suspend-to-RAM, SMBus slave interface, SMBus interrupts.
 */
#include <errno.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/pcireg.h"
#include "devices/piix4_pm.h"
#include "machine/vm.h"

#define PIIX4_PM_DEVFN PCI_DEVFN(1, 3)
#define PIIX4_PM_PMBA 0x40
#define PIIX4_PM_DEVACTB 0x58
#define PIIX4_PM_PMREGMISC 0x80
#define PIIX4_PM_SMBBA 0x90
#define PIIX4_PM_SMBHSTCFG 0xD2

#define PIIX4_PM_IO_LEN 64
#define PIIX4_SMB_IO_LEN 16
#define PIIX4_GPE0_PORT 0xAFE0
#define PIIX4_GPE0_LEN 4
#define PIIX4_APMC_PORT 0xB2

/* PM I/O block offsets and bits (section 7.2). */
#define PM_PMSTS 0x00
#define PM_PMEN 0x02
#define PM_PMCNTRL 0x04
#define PM_PMTMR 0x08
#define PM_GPSTS 0x0C
#define PM_GPEN 0x0E
#define PM_STS_TMROF 0x0001
#define PM_STS_BM 0x0010
#define PM_STS_GBL 0x0020
#define PM_STS_PWRBTN 0x0100
#define PM_STS_RTC 0x0400
#define PM_STS_PWRBTNOR 0x0800
#define PM_STS_WAK 0x8000
#define PM_STS_MASK 0x8D31
#define PM_EN_MASK 0x0521 /* TMROF, GBL, PWRBTN, RTC enables */
#define PM_CNT_SCI_EN 0x0001
#define PM_CNT_WMASK 0x1C03 /* SCI_EN, BRLD_EN_BM, SUS_TYP */
#define PM_CNT_SUS_TYP_SHIFT 10
#define PM_CNT_SUS_EN 0x2000
#define PM_SUS_TYP_SOFF 0

#define APMC_ACPI_ENABLE 0xF1
#define APMC_ACPI_DISABLE 0xF0

/* SMBus host registers (section 7.3). */
#define SMB_HST_STS 0x00
#define SMB_HST_CNT 0x02
#define SMB_STS_BUSY 0x01
#define SMB_STS_W1C 0x1E /* INTR, DEV_ERR, BUS_COLL, FAILED */
#define SMB_STS_DEV_ERR 0x04
#define SMB_CNT_KILL 0x02
#define SMB_CNT_START 0x40

#define PIIX4_PM_SCI_IRQ 9
#define PIIX4_PM_SCI_SRC 1

/* Function 3 configuration registers (section 3.4). */
static const PciRegDef piix4_pm_regs[] = {
    {"PCICMD", PCI_COMMAND, 2, 0x0000, 0x0001, 0},
    {"PCISTS", PCI_STATUS, 2, 0x0280, 0, 0x7800},
    {"SVID", PCI_SUBSYSTEM_VENDOR_ID, 2, 0x15AD, 0, 0},
    {"SID", PCI_SUBSYSTEM_ID, 2, 0x1976, 0, 0},
    {"INTPIN", PCI_INTERRUPT_PIN, 1, 0x01, 0, 0},
    {"PMBA", PIIX4_PM_PMBA, 4, 0x00000001, 0x0000FFC0, 0},
    {"CNTA", 0x44, 4, 0x00000000, 0xFFFFFFFF, 0},
    {"CNTB", 0x48, 4, 0x00000000, 0xFFFFFFFF, 0},
    {"GPICTL", 0x4C, 4, 0x00000000, 0xFFFFFFFF, 0},
    {"DEVRESD", 0x50, 4, 0x00000000, 0xFFFFFFFF, 0},
    {"DEVACTA", 0x54, 4, 0x00000000, 0xFFFFFFFF, 0},
    {"DEVACTB", PIIX4_PM_DEVACTB, 4, 0x02000000, 0xFFFFFFFF, 0},
    {"DEVRESA", 0x5C, 4, 0x00000000, 0xFFFFFFFF, 0},
    {"DEVRESB", 0x60, 4, 0x00000000, 0xFFFFFFFF, 0},
    {"DEVRESC", 0x64, 4, 0x00000000, 0xFFFFFFFF, 0},
    {"DEVRESE", 0x68, 4, 0x00000000, 0xFFFFFFFF, 0},
    {"DEVRESF", 0x6C, 4, 0x00000000, 0xFFFFFFFF, 0},
    {"DEVRESG", 0x70, 4, 0x00000000, 0xFFFFFFFF, 0},
    {"DEVRESH", 0x74, 4, 0x00000000, 0xFFFFFFFF, 0},
    {"DEVRESI", 0x78, 4, 0x00000000, 0xFFFFFFFF, 0},
    {"DEVRESJ", 0x7C, 4, 0x00000000, 0xFFFFFFFF, 0},
    {"PMREGMISC", PIIX4_PM_PMREGMISC, 1, 0x00, 0x01, 0},
    {"SMBBA", PIIX4_PM_SMBBA, 4, 0x00000001, 0x0000FFF0, 0},
    {"SMBHSTCFG", PIIX4_PM_SMBHSTCFG, 1, 0x00, 0x0F, 0},
    {"SMBSLVC", 0xD3, 1, 0x00, 0x07, 0},
    {"SMBSHDW1", 0xD4, 1, 0x00, 0x7F, 0},
    {"SMBSHDW2", 0xD5, 1, 0x00, 0x7F, 0},
};

/* ---- SCI and PM timer ---- */

uint32_t piix4_pm_timer_value(const Piix4PmState *s)
{
    uint64_t t = clock_ns_to_ticks(clock_now(&s->vm->clock), PIIX4_PM_TIMER_HZ);
    return (uint32_t)(t & 0xFFFFFF);
}

static void piix4_pm_update_sci(Piix4PmState *s)
{
    bool level = (s->pmcntrl & PM_CNT_SCI_EN) &&
                 ((s->pmsts & s->pmen & PM_EN_MASK) ||
                  (s->gpsts & s->gpen));
    irq_set(&s->vm->irq, PIIX4_PM_SCI_IRQ, PIIX4_PM_SCI_SRC, level);
}

/* Arm the overflow timer for the next toggle of PMTMR bit 23. */
static void piix4_pm_arm_overflow(Piix4PmState *s)
{
    uint64_t t = clock_ns_to_ticks(clock_now(&s->vm->clock), PIIX4_PM_TIMER_HZ);
    uint64_t next = ((t >> 23) + 1) << 23;
    timer_mod(&s->ovf_timer, clock_ticks_to_ns(next, PIIX4_PM_TIMER_HZ) + 1);
}

static void piix4_pm_overflow(void *opaque)
{
    Piix4PmState *s = opaque;
    s->pmsts |= PM_STS_TMROF;
    piix4_pm_update_sci(s);
    piix4_pm_arm_overflow(s);
}

void piix4_pm_power_button(Piix4PmState *s)
{
    s->pmsts |= PM_STS_PWRBTN;
    piix4_pm_update_sci(s);
}

/* ---- PM I/O block ---- */

static void piix4_pm_cntrl_write(Piix4PmState *s, uint16_t v)
{
    s->pmcntrl = (s->pmcntrl & ~PM_CNT_WMASK) | (v & PM_CNT_WMASK);
    if (v & PM_CNT_SUS_EN) {
        unsigned typ = (v >> PM_CNT_SUS_TYP_SHIFT) & 7;
        if (typ == PM_SUS_TYP_SOFF)
            vm_poweroff(s->vm, 0);
        else
            log_once(&s->vm->log, LOG_UNIMP,
                     "piix4-pm: sleep type %u not modelled\n", typ);
    }
    piix4_pm_update_sci(s);
}

/* The current value of the 16-bit register at even offset `reg` (PMTMR
 * is read as two halves of one sample by piix4_pm_read). */
static uint16_t piix4_pm_reg16(Piix4PmState *s, uint32_t reg, uint32_t tmr)
{
    switch (reg) {
    case PM_PMSTS:
        return s->pmsts;
    case PM_PMEN:
        return s->pmen;
    case PM_PMCNTRL:
        return s->pmcntrl;
    case PM_PMTMR:
        return (uint16_t)tmr;
    case PM_PMTMR + 2:
        return (uint16_t)(tmr >> 16);
    case PM_GPSTS:
        return s->gpsts;
    case PM_GPEN:
        return s->gpen;
    default:
        if (reg < 0x10)
            return 0; /* reserved */
        return (uint16_t)(s->misc[reg - 0x10] | s->misc[reg - 0x10 + 1] << 8);
    }
}

static uint32_t piix4_pm_read(void *opaque, uint32_t off, unsigned size)
{
    Piix4PmState *s = opaque;
    uint32_t tmr = piix4_pm_timer_value(s); /* one sample per access */
    uint32_t v = 0;
    for (unsigned i = 0; i < size && off + i < PIIX4_PM_IO_LEN; i++) {
        uint32_t a = off + i;
        uint16_t r = piix4_pm_reg16(s, a & ~1u, tmr);
        v |= (uint32_t)((r >> (8 * (a & 1))) & 0xFF) << (8 * i);
    }
    return v;
}

/* A write of `val` to the bytes `bytes` (bit 0: low, bit 1: high) of the
 * 16-bit register at even offset reg. */
static void piix4_pm_write16(Piix4PmState *s, uint32_t reg, uint16_t val,
                             unsigned bytes)
{
    uint16_t m = (bytes & 1 ? 0x00FF : 0) | (bytes & 2 ? 0xFF00 : 0);
    uint16_t merged = (piix4_pm_reg16(s, reg, 0) & ~m) | (val & m);
    switch (reg) {
    case PM_PMSTS:
        s->pmsts &= ~(val & m & PM_STS_MASK);
        break;
    case PM_PMEN:
        s->pmen = merged & PM_EN_MASK;
        break;
    case PM_PMCNTRL:
        piix4_pm_cntrl_write(s, (merged & ~PM_CNT_SUS_EN) |
                                    (val & m & PM_CNT_SUS_EN));
        return;
    case PM_PMTMR:
    case PM_PMTMR + 2:
        return; /* read-only */
    case PM_GPSTS:
        s->gpsts &= ~(val & m);
        break;
    case PM_GPEN:
        s->gpen = merged;
        break;
    default:
        if (reg < 0x10)
            return; /* reserved */
        s->misc[reg - 0x10] = (uint8_t)merged;
        s->misc[reg - 0x10 + 1] = (uint8_t)(merged >> 8);
        return;
    }
    piix4_pm_update_sci(s);
}

static void piix4_pm_write(void *opaque, uint32_t off, uint32_t val,
                           unsigned size)
{
    Piix4PmState *s = opaque;
    for (uint32_t reg = off & ~1u; reg < off + size && reg < PIIX4_PM_IO_LEN;
         reg += 2) {
        unsigned bytes = 0;
        uint16_t v = 0;
        for (unsigned b = 0; b < 2; b++) {
            uint32_t a = reg + b;
            if (a >= off && a < off + size) {
                bytes |= 1u << b;
                v |= (uint16_t)(((val >> (8 * (a - off))) & 0xFF) << (8 * b));
            }
        }
        piix4_pm_write16(s, reg, v, bytes);
    }
}

/* Any width: 8/16-bit register halves are assembled per byte, and a 32-bit
 * PMTMR read returns one consistent sample. */
static const IoOps piix4_pm_ops16 = {
    .read = piix4_pm_read,
    .write = piix4_pm_write,
    .min_size = 1,
    .max_size = 4,
};

/* GPE0 at 0xAFE0: +0 status (write-1-to-clear), +2 enable. */
static uint32_t piix4_gpe_read(void *opaque, uint32_t off, unsigned size)
{
    return piix4_pm_read(opaque, PM_GPSTS + off, size);
}

static void piix4_gpe_write(void *opaque, uint32_t off, uint32_t val,
                            unsigned size)
{
    piix4_pm_write(opaque, PM_GPSTS + off, val, size);
}

static const IoOps piix4_gpe_ops = {
    .read = piix4_gpe_read,
    .write = piix4_gpe_write,
    .min_size = 2,
    .max_size = 2,
};

/* ---- APM control/status ---- */

static uint32_t piix4_apm_read(void *opaque, uint32_t off, unsigned size)
{
    Piix4PmState *s = opaque;
    (void)size;
    return off == 0 ? s->apmc : s->apms;
}

static void piix4_apm_write(void *opaque, uint32_t off, uint32_t val,
                            unsigned size)
{
    Piix4PmState *s = opaque;
    (void)size;
    if (off == 1) {
        s->apms = (uint8_t)val;
        return;
    }
    s->apmc = (uint8_t)val;
    if (val == APMC_ACPI_ENABLE)
        s->pmcntrl |= PM_CNT_SCI_EN;
    else if (val == APMC_ACPI_DISABLE)
        s->pmcntrl &= ~PM_CNT_SCI_EN;
    else
        log_once(&s->vm->log, LOG_UNIMP,
                 "piix4-pm: APM command 0x%02x: no SMM handler\n", val);
    piix4_pm_update_sci(s);
}

static const IoOps piix4_apm_ops = {
    .read = piix4_apm_read,
    .write = piix4_apm_write,
    .max_size = 1,
};

/* ---- SMBus host (no devices attached) ---- */

static uint32_t piix4_smb_read(void *opaque, uint32_t off, unsigned size)
{
    Piix4PmState *s = opaque;
    (void)size;
    if (off == SMB_HST_CNT)
        return s->smb[off] & ~(SMB_CNT_START | SMB_CNT_KILL);
    return off < PIIX4_SMB_IO_LEN ? s->smb[off] : 0xFF;
}

static void piix4_smb_write(void *opaque, uint32_t off, uint32_t val,
                            unsigned size)
{
    Piix4PmState *s = opaque;
    (void)size;
    if (off >= PIIX4_SMB_IO_LEN)
        return;
    if (off == SMB_HST_STS) {
        s->smb[SMB_HST_STS] &= ~(val & SMB_STS_W1C);
        return;
    }
    s->smb[off] = (uint8_t)val;
    if (off == SMB_HST_CNT && (val & SMB_CNT_START))
        s->smb[SMB_HST_STS] |= SMB_STS_DEV_ERR; /* nobody acknowledged */
}

static const IoOps piix4_smb_ops = {
    .read = piix4_smb_read,
    .write = piix4_smb_write,
    .max_size = 1,
};

/* ---- configuration space ---- */

static void piix4_pm_update_windows(Piix4PmState *s)
{
    PciDevice *d = &s->pci;
    uint16_t pmba = pci_get_word(d, PIIX4_PM_PMBA) & 0xFFC0;
    bool pm_on = d->config[PIIX4_PM_PMREGMISC] & 1;
    if (pcireg_io_window(&s->vm->io, &s->pm_region, pm_on, pmba,
                         PIIX4_PM_IO_LEN, &piix4_pm_ops16, s, "piix4-pm") < 0)
        log_once(&s->vm->log, LOG_GUEST_ERROR,
                 "piix4-pm: PM base 0x%04x overlaps other ports\n", pmba);
    uint16_t smba = pci_get_word(d, PIIX4_PM_SMBBA) & 0xFFF0;
    bool smb_on = (d->config[PIIX4_PM_SMBHSTCFG] & 1) &&
                  (d->config[PCI_COMMAND] & PCI_COMMAND_IO);
    if (pcireg_io_window(&s->vm->io, &s->smb_region, smb_on, smba,
                         PIIX4_SMB_IO_LEN, &piix4_smb_ops, s, "piix4-smbus") < 0)
        log_once(&s->vm->log, LOG_GUEST_ERROR,
                 "piix4-pm: SMBus base 0x%04x overlaps other ports\n", smba);
}

static void piix4_pm_config_write(PciDevice *d, uint8_t off, uint32_t value,
                                  unsigned size)
{
    (void)off;
    (void)size;
    (void)value;
    piix4_pm_update_windows(d->opaque);
}

static void piix4_pm_reset(void *opaque)
{
    Piix4PmState *s = opaque;
    pci_device_reset(&s->pci);
    pcireg_reset(&s->pci, piix4_pm_regs,
                 sizeof(piix4_pm_regs) / sizeof(piix4_pm_regs[0]));
    s->pmsts = s->pmen = s->pmcntrl = 0;
    s->gpsts = s->gpen = 0;
    s->apmc = s->apms = 0;
    memset(s->misc, 0, sizeof(s->misc));
    memset(s->smb, 0, sizeof(s->smb));
    piix4_pm_update_windows(s);
    piix4_pm_update_sci(s);
    piix4_pm_arm_overflow(s);
}

static int piix4_pm_init(void *opaque, VM *vm, const char *arg)
{
    Piix4PmState *s = opaque;
    (void)arg;
    s->vm = vm;
    s->pm_region = s->smb_region = s->gpe_region = s->apm_region = -1;
    s->pci.opaque = s;
    s->pci.config_write = piix4_pm_config_write;
    timer_init(&s->ovf_timer, &vm->clock, piix4_pm_overflow, s);
    int r = pci_register(&vm->pci, &s->pci, PIIX4_PM_DEVFN, 0x8086, 0x7113,
                         0x03, 0x068000, "piix4-pm");
    if (r < 0)
        return r;
    s->gpe_region = io_register(&vm->io, PIIX4_GPE0_PORT, PIIX4_GPE0_LEN,
                                &piix4_gpe_ops, s, "piix4-gpe0");
    s->apm_region = io_register(&vm->io, PIIX4_APMC_PORT, 2, &piix4_apm_ops,
                                s, "apm");
    if (s->gpe_region < 0 || s->apm_region < 0)
        return -EBUSY;
    return 0;
}

static void piix4_pm_fini(void *opaque)
{
    Piix4PmState *s = opaque;
    timer_del(&s->ovf_timer);
    int *regions[] = {&s->pm_region, &s->smb_region, &s->gpe_region,
                      &s->apm_region};
    for (unsigned i = 0; i < 4; i++)
        if (*regions[i] >= 0)
            io_unregister(&s->vm->io, *regions[i]);
    if (s->vm->pci.devs[PIIX4_PM_DEVFN] == &s->pci)
        pci_unregister(&s->vm->pci, &s->pci);
}

static int piix4_pm_post_load(void *opaque)
{
    Piix4PmState *s = opaque;
    piix4_pm_update_windows(s);
    piix4_pm_update_sci(s);
    piix4_pm_arm_overflow(s);
    return 0;
}

static const StateField piix4_pm_state_fields[] = {
    STATE_FIELD(Piix4PmState, pci.config),
    STATE_FIELD(Piix4PmState, pmsts),
    STATE_FIELD(Piix4PmState, pmen),
    STATE_FIELD(Piix4PmState, pmcntrl),
    STATE_FIELD(Piix4PmState, gpsts),
    STATE_FIELD(Piix4PmState, gpen),
    STATE_FIELD(Piix4PmState, apmc),
    STATE_FIELD(Piix4PmState, apms),
    STATE_FIELD(Piix4PmState, misc),
    STATE_FIELD(Piix4PmState, smb),
    STATE_END,
};

const DeviceInfo piix4_pm_device = {
    .name = "piix4-pm",
    .state_size = sizeof(Piix4PmState),
    .state_version = 1,
    .init = piix4_pm_init,
    .reset = piix4_pm_reset,
    .fini = piix4_pm_fini,
    .fields = piix4_pm_state_fields,
    .post_load = piix4_pm_post_load,
};
