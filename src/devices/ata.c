/*
 * ata.c — the ATA command set of an IDE hard disk, plus command dispatch
 * for every drive kind (ATAPI devices get PACKET and their subset here).
 *
 * Reference: ATA/ATAPI-6 (T13 1410D revision 3b): section 6 (command
 * protocols), 8 (command descriptions), 8.15 IDENTIFY DEVICE word table.
 *
 * Modelled: IDENTIFY DEVICE (LBA28 and LBA48 capacity, PIO 0-4, multiword
 * DMA 0-2, UDMA 0-5, the selected modes reported back), READ/WRITE SECTORS
 * (EXT), READ/WRITE MULTIPLE (EXT), READ/WRITE DMA (EXT), READ VERIFY,
 * SET FEATURES (transfer mode, write cache, look-ahead), SET MULTIPLE MODE,
 * FLUSH CACHE (EXT) -> fsync of the image, INITIALIZE DEVICE PARAMETERS and
 * CHS addressing, IDLE/STANDBY (immediate and not), CHECK POWER MODE,
 * SLEEP, RECALIBRATE, SEEK, EXECUTE DEVICE DIAGNOSTIC, READ NATIVE MAX
 * ADDRESS (EXT), DEVICE RESET and the signatures. Unknown commands abort.
 * Ranges beyond the end of the disk fail with IDNF; host I/O errors with
 * UNC (read) or ABRT (write, e.g. a read-only image).
 */
#include <errno.h>
#include <string.h>

#include "devices/ide.h"
#include "machine/log.h"

enum {
    ATA_DEVICE_RESET = 0x08,
    ATA_RECALIBRATE = 0x10,
    ATA_READ = 0x20,
    ATA_READ_NR = 0x21,
    ATA_READ_EXT = 0x24,
    ATA_READ_DMA_EXT = 0x25,
    ATA_READ_NATIVE_MAX_EXT = 0x27,
    ATA_READ_MULT_EXT = 0x29,
    ATA_WRITE = 0x30,
    ATA_WRITE_NR = 0x31,
    ATA_WRITE_EXT = 0x34,
    ATA_WRITE_DMA_EXT = 0x35,
    ATA_WRITE_MULT_EXT = 0x39,
    ATA_VERIFY = 0x40,
    ATA_VERIFY_NR = 0x41,
    ATA_VERIFY_EXT = 0x42,
    ATA_SEEK = 0x70,
    ATA_DIAGNOSE = 0x90,
    ATA_INIT_PARAMS = 0x91,
    ATA_STANDBY_IMM_OLD = 0x94,
    ATA_IDLE_IMM_OLD = 0x95,
    ATA_STANDBY_OLD = 0x96,
    ATA_IDLE_OLD = 0x97,
    ATA_CHECK_POWER_OLD = 0x98,
    ATA_SLEEP_OLD = 0x99,
    ATA_PACKET = 0xA0,
    ATA_IDENTIFY_PACKET = 0xA1,
    ATA_READ_MULT = 0xC4,
    ATA_WRITE_MULT = 0xC5,
    ATA_SET_MULT = 0xC6,
    ATA_READ_DMA = 0xC8,
    ATA_READ_DMA_NR = 0xC9,
    ATA_WRITE_DMA = 0xCA,
    ATA_WRITE_DMA_NR = 0xCB,
    ATA_STANDBY_IMM = 0xE0,
    ATA_IDLE_IMM = 0xE1,
    ATA_STANDBY = 0xE2,
    ATA_IDLE = 0xE3,
    ATA_CHECK_POWER = 0xE5,
    ATA_SLEEP = 0xE6,
    ATA_FLUSH = 0xE7,
    ATA_FLUSH_EXT = 0xEA,
    ATA_IDENTIFY = 0xEC,
    ATA_SET_FEATURES = 0xEF,
    ATA_READ_NATIVE_MAX = 0xF8,
};

#define ATA_LBA28_MAX 0x0FFFFFFFull
#define ATA_DMA_CHUNK (IDE_BUF_SIZE / IDE_SECTOR)

/* ---- completion helpers ---- */

static void ata_ok(IdeDrive *d, bool irq)
{
    d->status = IDE_ST_DRDY | IDE_ST_DSC;
    d->error = 0;
    d->xfer = IDE_XFER_NONE;
    d->dma = IDE_DMA_NONE;
    if (irq)
        ide_raise_irq(d->ch);
}

static void ata_fail(IdeDrive *d, uint8_t error)
{
    d->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_ERR;
    d->error = error;
    d->xfer = IDE_XFER_NONE;
    d->dma = IDE_DMA_NONE;
    d->pos = d->end = 0;
    ide_raise_irq(d->ch);
}

void ide_abort(IdeDrive *d) { ata_fail(d, IDE_ER_ABRT); }

void ata_set_signature(IdeDrive *d)
{
    IdeChannel *ch = d->ch;
    ch->nsector = 1;
    ch->lbal = 1;
    if (d->kind == IDE_CDROM) {
        ch->lbam = 0x14;
        ch->lbah = 0xEB;
    } else {
        ch->lbam = 0;
        ch->lbah = 0;
    }
}

/* Power-on/SRST state of one drive (ATA-6 9.1, 9.2): diagnostic code 1;
 * a disk is ready, a packet device shows status 0. */
void ata_reset_drive(IdeDrive *d)
{
    d->status = d->kind == IDE_CDROM ? 0 : (IDE_ST_DRDY | IDE_ST_DSC);
    d->error = 0x01;
    d->xfer = IDE_XFER_NONE;
    d->dma = IDE_DMA_NONE;
    d->pos = d->end = 0;
    d->remaining = 0;
}

/* ---- addressing ---- */

static bool ata_is_lba48(uint8_t cmd)
{
    switch (cmd) {
    case ATA_READ_EXT: case ATA_READ_DMA_EXT: case ATA_READ_MULT_EXT:
    case ATA_WRITE_EXT: case ATA_WRITE_DMA_EXT: case ATA_WRITE_MULT_EXT:
    case ATA_VERIFY_EXT:
        return true;
    default:
        return false;
    }
}

/* Starting sector and count from the task file; false if CHS is out of
 * the current geometry. */
static bool ata_decode_range(IdeDrive *d, bool lba48, uint64_t *lba,
                             uint32_t *count)
{
    IdeChannel *ch = d->ch;
    if (lba48) {
        *lba = (uint64_t)ch->hob_lbah << 40 | (uint64_t)ch->hob_lbam << 32 |
               (uint64_t)ch->hob_lbal << 24 | (uint64_t)ch->lbah << 16 |
               (uint64_t)ch->lbam << 8 | ch->lbal;
        *count = (uint32_t)ch->hob_nsector << 8 | ch->nsector;
        if (*count == 0)
            *count = 65536;
        return true;
    }
    *count = ch->nsector ? ch->nsector : 256;
    if (ch->select & IDE_DEV_LBA) {
        *lba = (uint64_t)(ch->select & 0x0F) << 24 | (uint32_t)ch->lbah << 16 |
               (uint32_t)ch->lbam << 8 | ch->lbal;
        return true;
    }
    uint32_t cyl = (uint32_t)ch->lbah << 8 | ch->lbam;
    uint32_t head = ch->select & 0x0F, sec = ch->lbal;
    if (sec == 0 || sec > d->lsecs || head >= d->lheads)
        return false;
    *lba = ((uint64_t)cyl * d->lheads + head) * d->lsecs + (sec - 1);
    return true;
}

/* Validate the range of a read/write/verify command; fails with IDNF. */
static bool ata_start_range(IdeDrive *d)
{
    uint64_t lba;
    uint32_t count;
    if (!ata_decode_range(d, ata_is_lba48(d->cmd), &lba, &count) ||
        lba + count > d->nsectors) {
        log_once(ide_log(d->ch), LOG_GUEST_ERROR,
                 "ata: sector range beyond the end of the disk\n");
        ata_fail(d, IDE_ER_IDNF | IDE_ER_ABRT);
        return false;
    }
    d->lba = lba;
    d->remaining = count;
    return true;
}

/* ---- PIO ---- */

static void ata_read_block(IdeDrive *d)
{
    uint32_t n = d->remaining < d->block ? d->remaining : d->block;
    if (block_read(&d->blk, d->lba * IDE_SECTOR, d->buf, n * IDE_SECTOR)) {
        ata_fail(d, IDE_ER_UNC);
        return;
    }
    d->lba += n;
    d->remaining -= n;
    d->pos = 0;
    d->end = n * IDE_SECTOR;
    d->xfer = d->remaining ? IDE_XFER_ATA_READ : IDE_XFER_DONE;
    d->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
    ide_raise_irq(d->ch);
}

static void ata_write_window(IdeDrive *d)
{
    uint32_t n = d->remaining < d->block ? d->remaining : d->block;
    d->pos = 0;
    d->end = n * IDE_SECTOR;
    d->xfer = IDE_XFER_ATA_WRITE;
    d->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
}

/* The guest has drained or filled the PIO window. */
void ata_pio_done(IdeDrive *d)
{
    switch (d->xfer) {
    case IDE_XFER_ATA_READ:
        ata_read_block(d);
        break;
    case IDE_XFER_ATA_WRITE: {
        uint32_t n = d->end / IDE_SECTOR;
        if (block_write(&d->blk, d->lba * IDE_SECTOR, d->buf, d->end)) {
            log_once(ide_log(d->ch), LOG_GUEST_ERROR,
                     "ata: write failed (read-only image?)\n");
            ata_fail(d, IDE_ER_ABRT);
            return;
        }
        d->lba += n;
        d->remaining -= n;
        if (d->remaining) {
            ata_write_window(d);
            ide_raise_irq(d->ch);
        } else {
            ata_ok(d, true);
        }
        break;
    }
    default:
        ata_ok(d, false);
        break;
    }
}

static void ata_pio_cmd(IdeDrive *d, bool write, bool multiple)
{
    if (multiple && !d->mult) {
        ide_abort(d); /* multiple mode not enabled (8.21) */
        return;
    }
    if (!ata_start_range(d))
        return;
    d->block = multiple ? d->mult : 1;
    d->dma = IDE_DMA_NONE;
    if (write)
        ata_write_window(d);
    else
        ata_read_block(d);
}

/* ---- DMA ---- */

static void ata_dma_cmd(IdeDrive *d, bool write)
{
    if (!ata_start_range(d))
        return;
    d->dma = IDE_DMA_ATA;
    d->dma_to_mem = !write;
    d->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
    ide_dma_kick(d->ch);
}

void ata_dma_run(IdeDrive *d)
{
    IdeChannel *ch = d->ch;
    while (d->remaining) {
        uint32_t n = d->remaining < ATA_DMA_CHUNK ? d->remaining
                                                  : ATA_DMA_CHUNK;
        uint32_t len = n * IDE_SECTOR;
        int rc;
        if (d->dma_to_mem) {
            rc = block_read(&d->blk, d->lba * IDE_SECTOR, d->buf, len);
            if (rc) {
                ata_fail(d, IDE_ER_UNC);
                return;
            }
            rc = ide_dma_xfer(ch, d->buf, len, true);
        } else {
            rc = ide_dma_xfer(ch, d->buf, len, false);
            if (!rc && block_write(&d->blk, d->lba * IDE_SECTOR, d->buf, len))
                rc = -EIO;
        }
        if (rc) {
            ch->bm_status |= IDE_BM_ST_ERROR;
            ch->bm_status &= ~IDE_BM_ST_ACTIVE;
            ata_fail(d, IDE_ER_ABRT);
            return;
        }
        d->lba += n;
        d->remaining -= n;
    }
    ata_ok(d, true);
}

/* ---- IDENTIFY ---- */

/* ATA strings: two characters per word, first character in the high
 * byte, space padded (ATA-6 8.15.10). */
void ide_string(uint16_t *w, unsigned first, const char *s, unsigned len)
{
    size_t n = strlen(s);
    for (unsigned i = 0; i < len; i++) {
        uint8_t c = i < n ? (uint8_t)s[i] : ' ';
        if (i & 1)
            w[first + i / 2] |= c;
        else
            w[first + i / 2] = (uint16_t)(c << 8);
    }
}

static void ata_put_words(IdeDrive *d, const uint16_t *w)
{
    for (unsigned i = 0; i < 256; i++) {
        d->buf[2 * i] = (uint8_t)w[i];
        d->buf[2 * i + 1] = (uint8_t)(w[i] >> 8);
    }
    d->pos = 0;
    d->end = IDE_SECTOR;
    d->xfer = IDE_XFER_DONE;
    d->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
    d->error = 0;
    ide_raise_irq(d->ch);
}

/* Words 62-63 and 88: supported modes, selected mode in the high byte. */
static void ata_identify_modes(const IdeDrive *d, uint16_t *w)
{
    w[63] = 0x0007;
    if (d->mwdma_mode <= 2)
        w[63] |= (uint16_t)(0x100 << d->mwdma_mode);
    w[88] = 0x003F;
    if (d->udma_mode <= 5)
        w[88] |= (uint16_t)(0x100 << d->udma_mode);
}

static void ata_identify(IdeDrive *d)
{
    uint16_t w[256];
    memset(w, 0, sizeof(w));
    uint64_t n = d->nsectors;
    uint32_t n28 = (uint32_t)(n > ATA_LBA28_MAX ? ATA_LBA28_MAX : n);
    uint32_t per_cyl = (uint32_t)d->lheads * d->lsecs;
    uint64_t lcyls = n / per_cyl > 16383 ? 16383 : n / per_cyl;
    uint32_t chs = (uint32_t)lcyls * per_cyl;
    w[0] = 0x0040; /* fixed device */
    w[1] = d->cyls;
    w[3] = d->heads;
    w[6] = d->secs;
    ide_string(w, 10, d->serial, 20);
    ide_string(w, 23, "1.0", 8);
    ide_string(w, 27, d->model, 40);
    w[47] = 0x8000 | IDE_MAX_MULT;
    w[49] = 0x0300;  /* LBA, DMA */
    w[50] = 0x4000;
    w[51] = 0x0200;  /* PIO timing mode 2 */
    w[53] = 0x0007;  /* words 54-58, 64-70, 88 valid */
    w[54] = (uint16_t)lcyls;
    w[55] = d->lheads;
    w[56] = d->lsecs;
    w[57] = (uint16_t)chs;
    w[58] = (uint16_t)(chs >> 16);
    w[59] = d->mult ? (0x0100 | d->mult) : 0;
    w[60] = (uint16_t)n28;
    w[61] = (uint16_t)(n28 >> 16);
    w[64] = 0x0003;  /* PIO 3 and 4 */
    w[65] = w[66] = w[67] = w[68] = 120;
    w[80] = 0x007E;  /* ATA-1 .. ATA-6 */
    w[82] = 0x4000;  /* NOP */
    w[83] = 0x7400;  /* FLUSH CACHE EXT, FLUSH CACHE, 48-bit */
    w[84] = 0x4000;
    w[85] = 0x4000;
    w[86] = 0x3400;
    w[87] = 0x4000;
    w[93] = 0x6000 | (d->unit ? 0x0100 : 0x0009); /* 80-wire, reset ok */
    for (unsigned i = 0; i < 4; i++)
        w[100 + i] = (uint16_t)(n >> (16 * i));
    ata_identify_modes(d, w);
    ata_put_words(d, w);
}

/* ---- non-data commands ---- */

/* SET FEATURES (8.37): only what a driver needs to bring a disk up. */
static void ata_set_features(IdeDrive *d)
{
    uint8_t mode = d->ch->nsector;
    switch (d->ch->feature) {
    case 0x03: /* set transfer mode */
        if (mode <= 0x01 || (mode >= 0x08 && mode <= 0x0C)) {
            d->pio_mode = mode & 7;
        } else if (mode >= 0x20 && mode <= 0x22) {
            d->mwdma_mode = mode & 7;
            d->udma_mode = 0xFF;
        } else if (mode >= 0x40 && mode <= 0x45) {
            d->udma_mode = mode & 7;
            d->mwdma_mode = 0xFF;
        } else {
            ide_abort(d);
            return;
        }
        break;
    case 0x02: case 0x82: /* write cache on/off */
    case 0x55: case 0xAA: /* read look-ahead off/on */
    case 0x66: case 0xCC: /* revert to defaults off/on */
        break;
    default:
        log_once(ide_log(d->ch), LOG_UNIMP,
                 "ata: SET FEATURES subcommand not modelled\n");
        ide_abort(d);
        return;
    }
    ata_ok(d, true);
}

static void ata_set_mult(IdeDrive *d)
{
    uint8_t n = d->ch->nsector;
    if (n > IDE_MAX_MULT || (n & (n - 1))) {
        ide_abort(d);
        return;
    }
    d->mult = n;
    ata_ok(d, true);
}

static void ata_flush(IdeDrive *d)
{
    if (block_flush(&d->blk)) {
        ata_fail(d, IDE_ER_ABRT);
        return;
    }
    ata_ok(d, true);
}

static void ata_init_params(IdeDrive *d)
{
    uint16_t heads = (uint16_t)((d->ch->select & 0x0F) + 1);
    uint16_t secs = d->ch->nsector;
    if (secs == 0) {
        ide_abort(d);
        return;
    }
    d->lheads = heads;
    d->lsecs = secs;
    ata_ok(d, true);
}

static void ata_read_native_max(IdeDrive *d, bool lba48)
{
    uint64_t max = d->nsectors ? d->nsectors - 1 : 0;
    IdeChannel *ch = d->ch;
    if (!lba48 && max > ATA_LBA28_MAX)
        max = ATA_LBA28_MAX;
    ch->lbal = (uint8_t)max;
    ch->lbam = (uint8_t)(max >> 8);
    ch->lbah = (uint8_t)(max >> 16);
    if (lba48) {
        ch->hob_lbal = (uint8_t)(max >> 24);
        ch->hob_lbam = (uint8_t)(max >> 32);
        ch->hob_lbah = (uint8_t)(max >> 40);
    } else {
        ch->select = (uint8_t)((ch->select & 0xF0) | ((max >> 24) & 0x0F));
    }
    ata_ok(d, true);
}

/* EXECUTE DEVICE DIAGNOSTIC (8.11): both devices post signatures; device
 * 0 reports code 01h. */
static void ata_diagnose(IdeDrive *d)
{
    IdeChannel *ch = d->ch;
    for (unsigned u = 0; u < 2; u++)
        if (ch->drive[u].kind != IDE_NONE)
            ata_reset_drive(&ch->drive[u]);
    ch->cur = 0;
    ch->select &= ~IDE_DEV_DRV;
    ata_set_signature(&ch->drive[0]);
    ide_raise_irq(ch);
}

/* ---- dispatch ---- */

static bool ata_exec_common(IdeDrive *d, uint8_t cmd)
{
    switch (cmd) {
    case ATA_DIAGNOSE:
        ata_diagnose(d);
        return true;
    case ATA_CHECK_POWER: case ATA_CHECK_POWER_OLD:
        d->ch->nsector = 0xFF; /* active or idle */
        ata_ok(d, true);
        return true;
    case ATA_IDLE_IMM: case ATA_STANDBY_IMM: case ATA_IDLE:
    case ATA_STANDBY: case ATA_SLEEP: case ATA_STANDBY_IMM_OLD:
    case ATA_IDLE_IMM_OLD: case ATA_STANDBY_OLD: case ATA_IDLE_OLD:
    case ATA_SLEEP_OLD:
        ata_ok(d, true); /* power states are not modelled */
        return true;
    default:
        return false;
    }
}

static void ata_exec_disk(IdeDrive *d, uint8_t cmd)
{
    switch (cmd) {
    case ATA_READ: case ATA_READ_NR: case ATA_READ_EXT:
        ata_pio_cmd(d, false, false);
        break;
    case ATA_READ_MULT: case ATA_READ_MULT_EXT:
        ata_pio_cmd(d, false, true);
        break;
    case ATA_WRITE: case ATA_WRITE_NR: case ATA_WRITE_EXT:
        ata_pio_cmd(d, true, false);
        break;
    case ATA_WRITE_MULT: case ATA_WRITE_MULT_EXT:
        ata_pio_cmd(d, true, true);
        break;
    case ATA_READ_DMA: case ATA_READ_DMA_NR: case ATA_READ_DMA_EXT:
        ata_dma_cmd(d, false);
        break;
    case ATA_WRITE_DMA: case ATA_WRITE_DMA_NR: case ATA_WRITE_DMA_EXT:
        ata_dma_cmd(d, true);
        break;
    case ATA_VERIFY: case ATA_VERIFY_NR: case ATA_VERIFY_EXT:
        if (ata_start_range(d))
            ata_ok(d, true);
        break;
    case ATA_IDENTIFY:
        ata_identify(d);
        break;
    case ATA_SET_FEATURES:
        ata_set_features(d);
        break;
    case ATA_SET_MULT:
        ata_set_mult(d);
        break;
    case ATA_FLUSH: case ATA_FLUSH_EXT:
        ata_flush(d);
        break;
    case ATA_INIT_PARAMS:
        ata_init_params(d);
        break;
    case ATA_READ_NATIVE_MAX: case ATA_READ_NATIVE_MAX_EXT:
        ata_read_native_max(d, cmd == ATA_READ_NATIVE_MAX_EXT);
        break;
    case ATA_SEEK:
        ata_ok(d, true);
        break;
    case ATA_PACKET: case ATA_IDENTIFY_PACKET: case ATA_DEVICE_RESET:
        ide_abort(d); /* packet commands: a disk aborts them (6.18) */
        break;
    default:
        if ((cmd & 0xF0) == ATA_RECALIBRATE) {
            ata_ok(d, true);
            break;
        }
        log_once(ide_log(d->ch), LOG_UNIMP,
                 "ata: command 0x%02x not modelled\n", cmd);
        ide_abort(d);
        break;
    }
}

/* Packet devices accept only their subset (ATA-6 6.18); everything else,
 * IDENTIFY DEVICE included, aborts with the packet signature in place. */
static void ata_exec_packet_dev(IdeDrive *d, uint8_t cmd)
{
    switch (cmd) {
    case ATA_PACKET:
        atapi_packet_cmd(d);
        break;
    case ATA_IDENTIFY_PACKET:
        atapi_identify(d);
        break;
    case ATA_DEVICE_RESET:
        ata_reset_drive(d);
        ata_set_signature(d);
        break;
    case ATA_SET_FEATURES:
        ata_set_features(d);
        break;
    default:
        ata_set_signature(d);
        ide_abort(d);
        break;
    }
}

void ata_exec(IdeDrive *d, uint8_t cmd)
{
    d->cmd = cmd;
    d->xfer = IDE_XFER_NONE;
    d->dma = IDE_DMA_NONE;
    d->pos = d->end = 0;
    if (ata_exec_common(d, cmd))
        return;
    if (d->kind == IDE_CDROM)
        ata_exec_packet_dev(d, cmd);
    else
        ata_exec_disk(d, cmd);
}
