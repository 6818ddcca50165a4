/*
 * ide.c — Intel 82371AB PIIX4 function 1: IDE controller (8086:7111) at
 * 00:01.1, in legacy ("compatibility") mode, with bus-master DMA.
 *
 * Reference: PIIX4 datasheet 290562-001, section 3.2 (function 1
 * configuration: IDETIM 0x40/0x42 with IDE decode enable in bit 15, BMIBA
 * at 0x20) and 3.2.3 / 5.4 (bus master IDE registers and the PRD table);
 * ATA/ATAPI-6 (T13 1410D rev 3b) section 7 for the task-file registers and
 * 9.1/9.2 for SRST and the device signatures.
 *
 * Modelled: primary channel 0x1F0-0x1F7 / 0x3F6, IRQ 14; secondary
 * 0x170-0x177 / 0x376, IRQ 15 (edge, through the 8259); decode gated by
 * PCICMD.IOSE and IDETIM.IDE; the shared task file with the LBA48 HOB
 * registers; nIEN and SRST; the bus master per channel (BMICX, BMISX,
 * BMIDTP) walking PRD tables through bounds-checked phys_read/phys_write:
 * a PRD table without EOT is cut at 8192 entries (its 64 KB limit), a bad
 * address ends the transfer with the BM error bit and an ATA abort.
 * Not modelled: native-PCI mode, timing registers' effects, 0x3F7 (the
 * floppy controller's DIR). Drive commands live in ata.c and atapi.c.
 * Device arg: "hda=PATH,hdb=PATH,hdc=PATH,hdd=PATH,cdrom=PATH" (cdrom is
 * the secondary master; "cdrom=" alone is an empty drive).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/ide.h"
#include "devices/pcireg.h"
#include "machine/vm.h"

#define IDE_DEVFN PCI_DEVFN(1, 1)
#define IDE_IDETIM0 0x40
#define IDE_IDETIM1 0x42
#define IDE_IDETIM_DECODE 0x80 /* bit 15: high byte bit 7 */
#define IDE_BM_BAR 4
#define IDE_BM_SIZE 16

static const uint16_t ide_cmd_ports[2] = {0x1F0, 0x170};
static const uint16_t ide_ctl_ports[2] = {0x3F6, 0x376};
static const unsigned ide_irqs[2] = {14, 15};

/* Function 1 configuration registers (290562 section 3.2). */
static const PciRegDef ide_regs[] = {
    {"PCICMD", PCI_COMMAND, 2, 0x0000, 0x0005, 0},
    {"PCISTS", PCI_STATUS, 2, 0x0280, 0, 0x3800},
    {"MLT", PCI_LATENCY_TIMER, 1, 0x00, 0xF0, 0},
    {"SVID", PCI_SUBSYSTEM_VENDOR_ID, 2, 0x15AD, 0, 0},
    {"SID", PCI_SUBSYSTEM_ID, 2, 0x1976, 0, 0},
    {"IDETIM0", IDE_IDETIM0, 2, 0x0000, 0xF3FF, 0},
    {"IDETIM1", IDE_IDETIM1, 2, 0x0000, 0xF3FF, 0},
    {"SIDETIM", 0x44, 1, 0x00, 0xFF, 0},
    {"UDMACTL", 0x48, 1, 0x00, 0x0F, 0},
    {"UDMATIM", 0x4A, 2, 0x0000, 0x3333, 0},
};

struct Log *ide_log(const IdeChannel *ch) { return &ch->ide->vm->log; }

static bool ide_decoding(const IdeChannel *ch)
{
    const PciDevice *p = &ch->ide->pci;
    uint8_t tim = p->config[ch->index ? IDE_IDETIM1 + 1 : IDE_IDETIM0 + 1];
    return (p->config[PCI_COMMAND] & PCI_COMMAND_IO) &&
           (tim & IDE_IDETIM_DECODE);
}

static void ide_update_irq(IdeChannel *ch)
{
    bool level = ch->intrq && !(ch->devctl & IDE_DC_NIEN);
    irq_set(&ch->ide->vm->irq, ch->irq_line, 0, level);
}

void ide_raise_irq(IdeChannel *ch)
{
    ch->intrq = true;
    ch->bm_status |= IDE_BM_ST_INTR;
    ide_update_irq(ch);
}

/* ---- task file ---- */

static bool ide_channel_empty(const IdeChannel *ch)
{
    return ch->drive[0].kind == IDE_NONE && ch->drive[1].kind == IDE_NONE;
}

static uint32_t ide_data_read(IdeDrive *d, unsigned size)
{
    if (!(d->status & IDE_ST_DRQ) || d->dma != IDE_DMA_NONE ||
        d->pos + size > d->end) {
        log_once(ide_log(d->ch), LOG_GUEST_ERROR,
                 "ide: data read without DRQ\n");
        return (1u << (8 * size)) - 1;
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)d->buf[d->pos + i] << (8 * i);
    d->pos += size;
    if (d->pos >= d->end) {
        if (d->kind == IDE_CDROM)
            atapi_pio_done(d);
        else
            ata_pio_done(d);
    }
    return v;
}

static void ide_data_write(IdeDrive *d, uint32_t v, unsigned size)
{
    if (!(d->status & IDE_ST_DRQ) || d->dma != IDE_DMA_NONE ||
        d->pos + size > d->end) {
        log_once(ide_log(d->ch), LOG_GUEST_ERROR,
                 "ide: data write without DRQ\n");
        return;
    }
    for (unsigned i = 0; i < size; i++)
        d->buf[d->pos + i] = (uint8_t)(v >> (8 * i));
    d->pos += size;
    if (d->pos >= d->end) {
        if (d->kind == IDE_CDROM)
            atapi_pio_done(d);
        else
            ata_pio_done(d);
    }
}

static uint8_t ide_reg_read(IdeChannel *ch, unsigned reg)
{
    IdeDrive *d = &ch->drive[ch->cur];
    bool hob = ch->devctl & IDE_DC_HOB;
    if (d->kind == IDE_NONE)
        return reg == 6 ? ch->select : 0; /* absent slave: 0 */
    switch (reg) {
    case 1:
        return hob ? ch->hob_feature : d->error;
    case 2:
        return hob ? ch->hob_nsector : ch->nsector;
    case 3:
        return hob ? ch->hob_lbal : ch->lbal;
    case 4:
        return hob ? ch->hob_lbam : ch->lbam;
    case 5:
        return hob ? ch->hob_lbah : ch->lbah;
    case 6:
        return ch->select;
    default: /* 7: status; reading it acknowledges the interrupt */
        ch->intrq = false;
        ide_update_irq(ch);
        return d->status;
    }
}

static void ide_reg_write(IdeChannel *ch, unsigned reg, uint8_t v)
{
    ch->devctl &= ~IDE_DC_HOB; /* any task-file write clears HOB */
    switch (reg) {
    case 1:
        ch->hob_feature = ch->feature;
        ch->feature = v;
        break;
    case 2:
        ch->hob_nsector = ch->nsector;
        ch->nsector = v;
        break;
    case 3:
        ch->hob_lbal = ch->lbal;
        ch->lbal = v;
        break;
    case 4:
        ch->hob_lbam = ch->lbam;
        ch->lbam = v;
        break;
    case 5:
        ch->hob_lbah = ch->lbah;
        ch->lbah = v;
        break;
    case 6:
        ch->select = v | 0xA0;
        ch->cur = (v & IDE_DEV_DRV) ? 1 : 0;
        break;
    default: {
        IdeDrive *d = &ch->drive[ch->cur];
        if (d->kind == IDE_NONE)
            return; /* no device answers */
        ch->intrq = false;
        ide_update_irq(ch);
        ata_exec(d, v);
        break;
    }
    }
}

static uint32_t ide_cmd_read(void *opaque, uint32_t off, unsigned size)
{
    IdeChannel *ch = opaque;
    if (!ide_decoding(ch) || ide_channel_empty(ch))
        return (1u << (8 * size)) - 1;
    if (off == 0)
        return ide_data_read(&ch->drive[ch->cur], size);
    return ide_reg_read(ch, off);
}

static void ide_cmd_write(void *opaque, uint32_t off, uint32_t val,
                          unsigned size)
{
    IdeChannel *ch = opaque;
    if (!ide_decoding(ch))
        return;
    if (off == 0)
        ide_data_write(&ch->drive[ch->cur], val, size);
    else
        ide_reg_write(ch, off, (uint8_t)val);
}

/* The data register takes 16- and 32-bit accesses; the others are bytes
 * (the bus splits wider accesses to them). */
static const IoOps ide_cmd_ops = {
    .read = ide_cmd_read,
    .write = ide_cmd_write,
    .max_size = 4,
};

/* SRST (ATA-6 9.2): both devices reset and post their signatures. */
static void ide_soft_reset(IdeChannel *ch)
{
    for (unsigned u = 0; u < 2; u++)
        if (ch->drive[u].kind != IDE_NONE)
            ata_reset_drive(&ch->drive[u]);
    ch->cur = 0;
    ch->select = 0xA0;
    ata_set_signature(&ch->drive[0]);
}

static uint32_t ide_ctl_read(void *opaque, uint32_t off, unsigned size)
{
    IdeChannel *ch = opaque;
    (void)off;
    (void)size;
    IdeDrive *d = &ch->drive[ch->cur];
    if (!ide_decoding(ch) || ide_channel_empty(ch))
        return 0xFF;
    return d->kind == IDE_NONE ? 0 : d->status; /* no interrupt ack */
}

static void ide_ctl_write(void *opaque, uint32_t off, uint32_t val,
                          unsigned size)
{
    IdeChannel *ch = opaque;
    (void)off;
    (void)size;
    if (!ide_decoding(ch))
        return;
    uint8_t old = ch->devctl;
    ch->devctl = (uint8_t)val;
    if ((old & IDE_DC_SRST) && !(val & IDE_DC_SRST))
        ide_soft_reset(ch);
    ide_update_irq(ch);
}

static const IoOps ide_ctl_ops = {
    .read = ide_ctl_read,
    .write = ide_ctl_write,
    .max_size = 1,
};

/* ---- bus master ---- */

static int ide_prd_load(IdeChannel *ch, IdePrd *p)
{
    uint8_t e[8];
    if (p->count >= IDE_PRD_MAX) {
        log_once(ide_log(ch), LOG_GUEST_ERROR,
                 "ide: PRD table without EOT (8192 entries)\n");
        return -EFAULT;
    }
    if (phys_read(&ch->ide->vm->mem, p->next, e, sizeof(e))) {
        log_once(ide_log(ch), LOG_GUEST_ERROR,
                 "ide: PRD table outside RAM\n");
        return -EFAULT;
    }
    p->addr = (e[0] | e[1] << 8 | e[2] << 16 | (uint32_t)e[3] << 24) & ~1u;
    p->left = e[4] | e[5] << 8;
    if (p->left == 0)
        p->left = 0x10000; /* a count of 0 means 64 KB */
    p->left &= ~1u;
    p->eot = (e[7] & 0x80) != 0;
    p->next += 8;
    p->count++;
    return 0;
}

int ide_dma_xfer(IdeChannel *ch, uint8_t *buf, uint32_t len, bool to_mem)
{
    IdePrd *p = &ch->prd;
    PhysMem *mem = &ch->ide->vm->mem;
    while (len) {
        if (p->left == 0) {
            if (p->count && p->eot)
                return -ENOSPC;
            int rc = ide_prd_load(ch, p);
            if (rc)
                return rc;
            continue;
        }
        uint32_t n = len < p->left ? len : p->left;
        int rc = to_mem ? phys_write(mem, p->addr, buf, n)
                        : phys_read(mem, p->addr, buf, n);
        if (rc) {
            log_once(ide_log(ch), LOG_GUEST_ERROR,
                     "ide: DMA buffer outside RAM\n");
            return -EFAULT;
        }
        buf += n;
        len -= n;
        p->addr += n;
        p->left -= n;
    }
    /* If the table continues past this transfer, the BM stays active
     * until the guest stops it (290562 5.4.3, "PRD larger than
     * transfer"). */
    if (p->eot && p->left == 0)
        ch->bm_status &= ~IDE_BM_ST_ACTIVE;
    return 0;
}

void ide_dma_kick(IdeChannel *ch)
{
    IdeDrive *d = &ch->drive[ch->cur];
    if (!(ch->bm_cmd & IDE_BM_CMD_START) || d->dma == IDE_DMA_NONE)
        return;
    if (d->dma_to_mem != ((ch->bm_cmd & IDE_BM_CMD_TOMEM) != 0))
        log_once(ide_log(ch), LOG_GUEST_ERROR,
                 "ide: bus master direction does not match the command\n");
    ch->prd = (IdePrd){.next = ch->bm_prd};
    if (d->dma == IDE_DMA_ATA)
        ata_dma_run(d);
    else
        atapi_dma_run(d);
}

static uint32_t ide_bm_read(void *opaque, uint32_t off, unsigned size)
{
    IdeState *s = opaque;
    IdeChannel *ch = &s->ch[off >> 3 & 1];
    switch (off & 7) {
    case 0:
        return ch->bm_cmd;
    case 2:
        return ch->bm_status;
    case 4:
        return size == 4 ? ch->bm_prd : (ch->bm_prd & 0xFFFF);
    case 6:
        return ch->bm_prd >> 16;
    default:
        return 0;
    }
}

static void ide_bm_write(void *opaque, uint32_t off, uint32_t val,
                         unsigned size)
{
    IdeState *s = opaque;
    IdeChannel *ch = &s->ch[off >> 3 & 1];
    switch (off & 7) {
    case 0: {
        uint8_t old = ch->bm_cmd;
        ch->bm_cmd = val & (IDE_BM_CMD_START | IDE_BM_CMD_TOMEM);
        if (!(old & IDE_BM_CMD_START) && (val & IDE_BM_CMD_START)) {
            ch->bm_status |= IDE_BM_ST_ACTIVE;
            ide_dma_kick(ch);
        } else if (!(val & IDE_BM_CMD_START)) {
            ch->bm_status &= ~IDE_BM_ST_ACTIVE;
        }
        break;
    }
    case 2:
        ch->bm_status = (ch->bm_status & ~(IDE_BM_ST_CAP)) |
                        (val & IDE_BM_ST_CAP);
        ch->bm_status &= ~(val & (IDE_BM_ST_ERROR | IDE_BM_ST_INTR));
        break;
    case 4:
        if (size == 4)
            ch->bm_prd = val & ~3u;
        else
            ch->bm_prd = (ch->bm_prd & 0xFFFF0000u) | (val & 0xFFFC);
        break;
    case 6:
        ch->bm_prd = (ch->bm_prd & 0xFFFF) | (val & 0xFFFF) << 16;
        break;
    default:
        break;
    }
}

static const IoOps ide_bm_ops = {
    .read = ide_bm_read,
    .write = ide_bm_write,
    .max_size = 4,
};

/* ---- drives ---- */

static int ide_attach(IdeState *s, unsigned n, const char *path, bool cd)
{
    IdeDrive *d = &s->ch[n / 2].drive[n % 2];
    d->kind = cd ? IDE_CDROM : IDE_DISK;
    snprintf(d->serial, sizeof(d->serial), "X86BT%015u", n + 1);
    snprintf(d->model, sizeof(d->model), "%s",
             cd ? "x86bt ATAPI CD-ROM" : "x86bt ATA disk");
    if (cd)
        return path && *path ? ide_cdrom_change(s, n / 2, n % 2, path) : 0;
    int rc = block_open(&d->blk, path, false);
    if (rc < 0) {
        log_msg(&s->vm->log, LOG_ERROR, "ide: cannot open '%s': %s\n", path,
                strerror(-rc));
        return rc;
    }
    d->nsectors = d->blk.size / IDE_SECTOR;
    d->has_media = true;
    uint64_t cyls = d->nsectors / (16 * 63);
    d->cyls = cyls > 16383 ? 16383 : (cyls ? (uint16_t)cyls : 1);
    d->heads = 16;
    d->secs = 63;
    return 0;
}

static const char *const ide_drive_names[] = {"hda", "hdb", "hdc", "hdd",
                                              "cdrom"};

static int ide_parse_arg(IdeState *s, const char *arg)
{
    if (!arg)
        return 0;
    char *copy = strdup(arg);
    if (!copy)
        return -ENOMEM;
    int rc = 0;
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && !rc;
         t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        unsigned i = 0;
        if (eq)
            for (*eq = 0; i < 5 && strcmp(t, ide_drive_names[i]) != 0; i++)
                ;
        if (!eq || i == 5) {
            rc = -EINVAL;
            break;
        }
        bool cd = i == 4 || strncmp(eq + 1, "cd:", 3) == 0;
        const char *path = strncmp(eq + 1, "cd:", 3) == 0 ? eq + 4 : eq + 1;
        rc = ide_attach(s, i == 4 ? 2 : i, path, cd);
    }
    free(copy);
    return rc;
}

/* ---- device ---- */

static void ide_reset(void *opaque)
{
    IdeState *s = opaque;
    pci_device_reset(&s->pci);
    pcireg_reset(&s->pci, ide_regs, sizeof(ide_regs) / sizeof(ide_regs[0]));
    for (unsigned c = 0; c < 2; c++) {
        IdeChannel *ch = &s->ch[c];
        ch->bm_cmd = 0;
        ch->bm_status = 0;
        ch->bm_prd = 0;
        ch->devctl = 0;
        ch->feature = ch->nsector = ch->lbal = ch->lbam = ch->lbah = 0;
        ide_soft_reset(ch);
        for (unsigned u = 0; u < 2; u++) {
            IdeDrive *d = &ch->drive[u];
            d->mult = 0;
            d->lheads = d->heads;
            d->lsecs = d->secs;
            d->pio_mode = d->mwdma_mode = d->udma_mode = 0xFF;
            d->locked = false;
        }
        ch->intrq = false;
        ide_update_irq(ch);
    }
}

static int ide_init(void *opaque, VM *vm, const char *arg)
{
    IdeState *s = opaque;
    s->vm = vm;
    for (unsigned i = 0; i < 4; i++)
        s->regions[i] = -1;
    for (unsigned c = 0; c < 2; c++) {
        IdeChannel *ch = &s->ch[c];
        ch->ide = s;
        ch->index = c;
        ch->irq_line = ide_irqs[c];
        for (unsigned u = 0; u < 2; u++) {
            IdeDrive *d = &ch->drive[u];
            d->ch = ch;
            d->unit = u;
            d->blk.fd = -1;
        }
    }
    int rc = ide_parse_arg(s, arg);
    if (rc < 0)
        return rc;
    s->pci.opaque = s;
    rc = pci_register(&vm->pci, &s->pci, IDE_DEVFN, 0x8086, 0x7111, 0x01,
                      0x010180, "piix4-ide");
    if (rc < 0)
        return rc;
    pci_set_bar(&s->pci, IDE_BM_BAR, PCI_BAR_IO, IDE_BM_SIZE, &ide_bm_ops, s);
    for (unsigned c = 0; c < 2; c++) {
        s->regions[2 * c] = io_register(&vm->io, ide_cmd_ports[c], 8,
                                        &ide_cmd_ops, &s->ch[c], "ide");
        s->regions[2 * c + 1] = io_register(&vm->io, ide_ctl_ports[c], 1,
                                            &ide_ctl_ops, &s->ch[c], "ide-ctl");
        if (s->regions[2 * c] < 0 || s->regions[2 * c + 1] < 0)
            return -EBUSY;
    }
    return 0;
}

static void ide_fini(void *opaque)
{
    IdeState *s = opaque;
    for (unsigned i = 0; i < 4; i++)
        if (s->regions[i] >= 0)
            io_unregister(&s->vm->io, s->regions[i]);
    if (s->vm->pci.devs[IDE_DEVFN] == &s->pci)
        pci_unregister(&s->vm->pci, &s->pci);
    for (unsigned c = 0; c < 2; c++)
        for (unsigned u = 0; u < 2; u++)
            block_close(&s->ch[c].drive[u].blk);
}

/* ---- save state ---- */

/* A bool loaded from a file may hold any byte. */
static void ide_fix_bool(bool *b)
{
    uint8_t v;
    memcpy(&v, b, 1);
    *b = v != 0;
}

/* Loaded state is untrusted input: keep every index inside buf and every
 * enum in range, so a bad image can only confuse the guest. */
static void ide_drive_sanitize(IdeDrive *d)
{
    bool *flags[] = {&d->dma_to_mem, &d->unit_attention, &d->locked,
                     &d->media_event, &d->atapi_dma};
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        ide_fix_bool(flags[i]);
    if (d->end > IDE_BUF_SIZE)
        d->end = IDE_BUF_SIZE;
    if (d->pos > d->end)
        d->pos = d->end;
    if (d->atapi_len > IDE_BUF_SIZE - d->pos)
        d->atapi_len = IDE_BUF_SIZE - d->pos;
    if (d->block < 1 || d->block > IDE_MAX_MULT)
        d->block = 1;
    if (d->mult > IDE_MAX_MULT)
        d->mult = 0;
    if ((unsigned)d->xfer > IDE_XFER_ATAPI_DATA)
        d->xfer = IDE_XFER_NONE;
    if ((unsigned)d->dma > IDE_DMA_ATAPI)
        d->dma = IDE_DMA_NONE;
    if (d->lheads == 0 || d->lheads > 16 || d->lsecs == 0 || d->lsecs > 255) {
        d->lheads = d->heads;
        d->lsecs = d->secs;
    }
}

static int ide_post_load(void *opaque)
{
    IdeState *s = opaque;
    for (unsigned c = 0; c < 2; c++) {
        IdeChannel *ch = &s->ch[c];
        ch->cur &= 1;
        ide_fix_bool(&ch->intrq);
        ide_fix_bool(&ch->prd.eot);
        for (unsigned u = 0; u < 2; u++)
            ide_drive_sanitize(&ch->drive[u]);
        ide_update_irq(ch);
    }
    pci_device_post_load(&s->pci);
    return 0;
}

/* Guest-visible state of one drive. Not saved: what the configuration
 * gives (kind, backend, size, default geometry, serial and model) and
 * whether media is present, which is the backend's (an image loaded into
 * a VM without the same disks sees that VM's drives). */
#define IDE_DRIVE_FIELDS(c, u)                                              \
    STATE_FIELD(IdeState, ch[c].drive[u].lheads),                          \
    STATE_FIELD(IdeState, ch[c].drive[u].lsecs),                           \
    STATE_FIELD(IdeState, ch[c].drive[u].status),                          \
    STATE_FIELD(IdeState, ch[c].drive[u].error),                           \
    STATE_FIELD(IdeState, ch[c].drive[u].mult),                            \
    STATE_FIELD(IdeState, ch[c].drive[u].pio_mode),                        \
    STATE_FIELD(IdeState, ch[c].drive[u].mwdma_mode),                      \
    STATE_FIELD(IdeState, ch[c].drive[u].udma_mode),                       \
    STATE_FIELD(IdeState, ch[c].drive[u].cmd),                             \
    STATE_FIELD(IdeState, ch[c].drive[u].lba),                             \
    STATE_FIELD(IdeState, ch[c].drive[u].remaining),                       \
    STATE_FIELD(IdeState, ch[c].drive[u].block),                           \
    STATE_FIELD(IdeState, ch[c].drive[u].xfer),                            \
    STATE_FIELD(IdeState, ch[c].drive[u].dma),                             \
    STATE_FIELD(IdeState, ch[c].drive[u].dma_to_mem),                      \
    STATE_FIELD(IdeState, ch[c].drive[u].buf),                             \
    STATE_FIELD(IdeState, ch[c].drive[u].pos),                             \
    STATE_FIELD(IdeState, ch[c].drive[u].end),                             \
    STATE_FIELD(IdeState, ch[c].drive[u].packet),                          \
    STATE_FIELD(IdeState, ch[c].drive[u].sense_key),                       \
    STATE_FIELD(IdeState, ch[c].drive[u].asc),                             \
    STATE_FIELD(IdeState, ch[c].drive[u].ascq),                            \
    STATE_FIELD(IdeState, ch[c].drive[u].unit_attention),                  \
    STATE_FIELD(IdeState, ch[c].drive[u].locked),                          \
    STATE_FIELD(IdeState, ch[c].drive[u].media_event),                     \
    STATE_FIELD(IdeState, ch[c].drive[u].atapi_dma),                       \
    STATE_FIELD(IdeState, ch[c].drive[u].atapi_len),                       \
    STATE_FIELD(IdeState, ch[c].drive[u].atapi_limit)

/* Task file, device control, interrupt and bus master of one channel. */
#define IDE_CHANNEL_FIELDS(c)                                               \
    STATE_FIELD(IdeState, ch[c].cur),                                      \
    STATE_FIELD(IdeState, ch[c].feature),                                  \
    STATE_FIELD(IdeState, ch[c].nsector),                                  \
    STATE_FIELD(IdeState, ch[c].lbal),                                     \
    STATE_FIELD(IdeState, ch[c].lbam),                                     \
    STATE_FIELD(IdeState, ch[c].lbah),                                     \
    STATE_FIELD(IdeState, ch[c].hob_feature),                              \
    STATE_FIELD(IdeState, ch[c].hob_nsector),                              \
    STATE_FIELD(IdeState, ch[c].hob_lbal),                                 \
    STATE_FIELD(IdeState, ch[c].hob_lbam),                                 \
    STATE_FIELD(IdeState, ch[c].hob_lbah),                                 \
    STATE_FIELD(IdeState, ch[c].select),                                   \
    STATE_FIELD(IdeState, ch[c].devctl),                                   \
    STATE_FIELD(IdeState, ch[c].intrq),                                    \
    STATE_FIELD(IdeState, ch[c].bm_cmd),                                   \
    STATE_FIELD(IdeState, ch[c].bm_status),                                \
    STATE_FIELD(IdeState, ch[c].bm_prd),                                   \
    STATE_FIELD(IdeState, ch[c].prd),                                      \
    IDE_DRIVE_FIELDS(c, 0), IDE_DRIVE_FIELDS(c, 1)

static const StateField ide_state_fields[] = {
    STATE_FIELD(IdeState, pci.config),
    IDE_CHANNEL_FIELDS(0),
    IDE_CHANNEL_FIELDS(1),
    STATE_END,
};

const DeviceInfo ide_device = {
    .name = "piix4-ide",
    .state_size = sizeof(IdeState),
    .state_version = 1,
    .init = ide_init,
    .reset = ide_reset,
    .fini = ide_fini,
    .fields = ide_state_fields,
    .post_load = ide_post_load,
};
