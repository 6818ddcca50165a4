/*
 * atapi.c — ATAPI CD-ROM: the PACKET protocol and the MMC commands that
 * BIOSes and operating systems use on a read-only CD drive.
 *
 * Reference: ATA/ATAPI-6 (T13 1410D rev 3b) 8.16 IDENTIFY PACKET DEVICE,
 * 8.23 PACKET and 9.8-9.9 (packet protocol: interrupt reason, byte count
 * limit); SCSI MMC-2 (NCITS 333) for the commands; SPC-2 for sense data.
 *
 * Modelled: IDENTIFY PACKET DEVICE, TEST UNIT READY, REQUEST SENSE,
 * INQUIRY, READ CAPACITY, READ(10), READ(12), READ TOC/PMA/ATIP formats
 * 0, 1 and 2 (LBA or MSF), MODE SENSE(10) pages 01h, 2Ah and 3Fh, GET
 * CONFIGURATION (profile list, core and removable-medium features), GET
 * EVENT STATUS NOTIFICATION (polled, media class), START STOP UNIT (eject
 * honours PREVENT), PREVENT ALLOW MEDIUM REMOVAL, SEEK, MECHANISM STATUS;
 * media change raises UNIT ATTENTION (28h) and a "new media" event. Data
 * goes by PIO in chunks no larger than the guest's byte count limit, or by
 * bus-master DMA when the PACKET features register asks for it. The image
 * is an ISO 9660 file of 2048-byte blocks (El Torito boot is the BIOS's
 * job: it just reads blocks).
 * Not modelled: audio, READ CD, writing, multi-session.
 */
#include <errno.h>
#include <string.h>

#include "devices/ide.h"
#include "machine/log.h"

enum {
    MMC_TEST_UNIT_READY = 0x00,
    MMC_REQUEST_SENSE = 0x03,
    MMC_INQUIRY = 0x12,
    MMC_START_STOP = 0x1B,
    MMC_PREVENT_ALLOW = 0x1E,
    MMC_READ_CAPACITY = 0x25,
    MMC_READ10 = 0x28,
    MMC_SEEK10 = 0x2B,
    MMC_READ_TOC = 0x43,
    MMC_GET_CONFIGURATION = 0x46,
    MMC_GET_EVENT_STATUS = 0x4A,
    MMC_MODE_SENSE10 = 0x5A,
    MMC_READ12 = 0xA8,
    MMC_MECHANISM_STATUS = 0xBD,
};

/* Sense keys and additional sense codes (SPC-2 tables 27 and 28). */
#define SENSE_NONE 0x00
#define SENSE_NOT_READY 0x02
#define SENSE_MEDIUM_ERROR 0x03
#define SENSE_ILLEGAL_REQUEST 0x05
#define SENSE_UNIT_ATTENTION 0x06
#define ASC_INVALID_OPCODE 0x20
#define ASC_LBA_OUT_OF_RANGE 0x21
#define ASC_INVALID_FIELD 0x24
#define ASC_MEDIUM_CHANGED 0x28
#define ASC_MEDIUM_NOT_PRESENT 0x3A
#define ASC_REMOVAL_PREVENTED 0x53
#define ASC_READ_ERROR 0x11

#define ATAPI_READ_CHUNK (IDE_BUF_SIZE / CD_SECTOR)

static void put_be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    put_be16(p, v >> 16);
    put_be16(p + 2, v);
}

static uint32_t get_be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }

static uint32_t get_be32(const uint8_t *p)
{
    return get_be16(p) << 16 | get_be16(p + 2);
}

static void atapi_execute(IdeDrive *d);

/* ---- completion ---- */

static void atapi_ok(IdeDrive *d)
{
    d->status = IDE_ST_DRDY | IDE_ST_DSC;
    d->error = 0;
    d->ch->nsector = ATAPI_IR_IO | ATAPI_IR_COD;
    d->xfer = IDE_XFER_NONE;
    d->dma = IDE_DMA_NONE;
    d->sense_key = SENSE_NONE;
    d->asc = d->ascq = 0;
    ide_raise_irq(d->ch);
}

/* CHECK CONDITION: sense key in the error register's high nibble. */
static void atapi_fail(IdeDrive *d, uint8_t key, uint8_t asc)
{
    d->status = IDE_ST_DRDY | IDE_ST_ERR;
    d->error = (uint8_t)(key << 4) | IDE_ER_ABRT;
    d->ch->nsector = ATAPI_IR_IO | ATAPI_IR_COD;
    d->sense_key = key;
    d->asc = asc;
    d->ascq = 0;
    d->xfer = IDE_XFER_NONE;
    d->dma = IDE_DMA_NONE;
    d->remaining = 0;
    d->atapi_len = 0;
    ide_raise_irq(d->ch);
}

/* ---- data phase ---- */

/* Offer the next PIO chunk of the response in buf[pos..]: at most the
 * byte count limit, which goes to the LBA mid/high registers (9.9). */
static void atapi_pio_chunk(IdeDrive *d)
{
    uint32_t n = d->atapi_len < d->atapi_limit ? d->atapi_len
                                               : d->atapi_limit;
    d->end = d->pos + n;
    d->atapi_len -= n;
    d->xfer = IDE_XFER_ATAPI_DATA;
    d->ch->lbam = (uint8_t)n;
    d->ch->lbah = (uint8_t)(n >> 8);
    d->ch->nsector = ATAPI_IR_IO;
    d->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
    ide_raise_irq(d->ch);
}

/* Load the next READ blocks into buf; false on error (already reported). */
static bool atapi_load_blocks(IdeDrive *d)
{
    uint32_t n = d->remaining < ATAPI_READ_CHUNK ? d->remaining
                                                 : ATAPI_READ_CHUNK;
    if (block_read(&d->blk, d->lba * CD_SECTOR, d->buf, n * CD_SECTOR)) {
        atapi_fail(d, SENSE_MEDIUM_ERROR, ASC_READ_ERROR);
        return false;
    }
    d->lba += n;
    d->remaining -= n;
    d->pos = 0;
    d->atapi_len = n * CD_SECTOR;
    return true;
}

/* Send `len` bytes prepared in buf (or stream READ blocks if remaining). */
static void atapi_send(IdeDrive *d, uint32_t len, bool dma)
{
    d->pos = 0;
    d->atapi_len = len;
    if (len == 0 && d->remaining == 0) {
        atapi_ok(d);
        return;
    }
    if (dma) {
        d->dma = IDE_DMA_ATAPI;
        d->dma_to_mem = true;
        d->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
        d->ch->nsector = ATAPI_IR_IO;
        ide_dma_kick(d->ch);
        return;
    }
    if (len == 0 && !atapi_load_blocks(d))
        return;
    atapi_pio_chunk(d);
}

void atapi_pio_done(IdeDrive *d)
{
    if (d->xfer == IDE_XFER_PACKET) {
        d->xfer = IDE_XFER_NONE;
        memcpy(d->packet, d->buf, sizeof(d->packet));
        d->pos = d->end = 0;
        atapi_execute(d);
        return;
    }
    if (d->xfer == IDE_XFER_DONE) { /* IDENTIFY PACKET DEVICE */
        d->xfer = IDE_XFER_NONE;
        d->status = IDE_ST_DRDY | IDE_ST_DSC;
        return;
    }
    if (d->atapi_len) {
        atapi_pio_chunk(d);
        return;
    }
    if (d->remaining) {
        if (atapi_load_blocks(d))
            atapi_pio_chunk(d);
        return;
    }
    atapi_ok(d);
}

void atapi_dma_run(IdeDrive *d)
{
    for (;;) {
        if (d->atapi_len &&
            ide_dma_xfer(d->ch, d->buf + d->pos, d->atapi_len, true)) {
            d->ch->bm_status |= IDE_BM_ST_ERROR;
            d->ch->bm_status &= ~IDE_BM_ST_ACTIVE;
            atapi_fail(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
            return;
        }
        d->atapi_len = 0;
        if (!d->remaining)
            break;
        if (!atapi_load_blocks(d))
            return;
    }
    atapi_ok(d);
}

/* ---- PACKET and IDENTIFY PACKET DEVICE ---- */

void atapi_packet_cmd(IdeDrive *d)
{
    uint32_t limit = (uint32_t)d->ch->lbah << 8 | d->ch->lbam;
    if (limit == 0 || limit == 0xFFFF)
        limit = 0xFFFE; /* 0 is invalid, odd values round down (9.9) */
    d->atapi_limit = limit & ~1u;
    d->atapi_dma = (d->ch->feature & 1) != 0; /* DMA requested */
    d->dma = IDE_DMA_NONE;
    d->pos = 0;
    d->end = sizeof(d->packet);
    d->xfer = IDE_XFER_PACKET;
    d->ch->nsector = ATAPI_IR_COD;
    d->status = IDE_ST_DRDY | IDE_ST_DSC | IDE_ST_DRQ;
}

void atapi_identify(IdeDrive *d)
{
    uint16_t w[256];
    memset(w, 0, sizeof(w));
    w[0] = 0x85C0; /* ATAPI, CD-ROM, removable, 50 us DRQ, 12-byte packets */
    ide_string(w, 10, d->serial, 20);
    ide_string(w, 23, "1.0", 8);
    ide_string(w, 27, d->model, 40);
    w[49] = 0x0300; /* LBA, DMA */
    w[53] = 0x0007;
    w[63] = 0x0007;
    if (d->mwdma_mode <= 2)
        w[63] |= (uint16_t)(0x100 << d->mwdma_mode);
    w[64] = 0x0003;
    w[65] = w[66] = w[67] = w[68] = 120;
    w[71] = 30;
    w[72] = 30;
    w[80] = 0x007E;
    w[88] = 0x003F;
    if (d->udma_mode <= 5)
        w[88] |= (uint16_t)(0x100 << d->udma_mode);
    w[93] = 0x6000 | (d->unit ? 0x0100 : 0x0009);
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

/* ---- commands ---- */

/* Allocation length clamps the response (MMC-2 general rule). */
static void atapi_reply(IdeDrive *d, uint32_t len, uint32_t alloc)
{
    atapi_send(d, len < alloc ? len : alloc, d->atapi_dma);
}

static void atapi_request_sense(IdeDrive *d)
{
    uint8_t *b = d->buf;
    memset(b, 0, 18);
    b[0] = 0x70; /* current error, fixed format */
    b[2] = d->sense_key;
    b[7] = 10;
    b[12] = d->asc;
    b[13] = d->ascq;
    d->sense_key = SENSE_NONE; /* reading the sense clears it */
    d->asc = d->ascq = 0;
    atapi_reply(d, 18, d->packet[4]);
}

static void atapi_inquiry(IdeDrive *d)
{
    uint8_t *b = d->buf;
    memset(b, 0, 36);
    b[0] = 0x05; /* CD/DVD device */
    b[1] = 0x80; /* removable */
    b[2] = 0x00;
    b[3] = 0x21; /* ATAPI, response data format 1 */
    b[4] = 31;
    memcpy(b + 8, "x86bt   ", 8);
    memcpy(b + 16, "ATAPI CD-ROM    ", 16);
    memcpy(b + 32, "1.0 ", 4);
    atapi_reply(d, 36, d->packet[4]);
}

static void atapi_read_capacity(IdeDrive *d)
{
    put_be32(d->buf, d->nsectors ? (uint32_t)d->nsectors - 1 : 0);
    put_be32(d->buf + 4, CD_SECTOR);
    atapi_reply(d, 8, 8);
}

static void atapi_read(IdeDrive *d, uint64_t lba, uint32_t count)
{
    if (lba + count > d->nsectors) {
        log_once(ide_log(d->ch), LOG_GUEST_ERROR,
                 "atapi: READ beyond the end of the medium\n");
        atapi_fail(d, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
        return;
    }
    d->lba = lba;
    d->remaining = count;
    atapi_send(d, 0, d->atapi_dma);
}

/* LBA -> MSF with the 2-second (150-frame) lead-in offset. */
static void atapi_put_msf(uint8_t *p, uint32_t lba)
{
    lba += 150;
    p[0] = 0;
    p[1] = (uint8_t)(lba / (60 * 75));
    p[2] = (uint8_t)(lba / 75 % 60);
    p[3] = (uint8_t)(lba % 75);
}

static void atapi_put_addr(uint8_t *p, uint32_t lba, bool msf)
{
    if (msf)
        atapi_put_msf(p, lba);
    else
        put_be32(p, lba);
}

static const uint8_t atapi_raw_toc_points[4] = {0xA0, 0xA1, 0xA2, 0x01};

/* READ TOC (MMC-2 6.1.30): one data track plus the lead-out. */
static uint32_t atapi_toc(IdeDrive *d, unsigned format, bool msf)
{
    uint8_t *b = d->buf;
    uint32_t blocks = (uint32_t)d->nsectors;
    memset(b, 0, 64);
    if (format == 0) {
        b[2] = 1; /* first track */
        b[3] = 1; /* last track */
        b[5] = 0x14; /* ADR 1, data track */
        b[6] = 1;
        atapi_put_addr(b + 8, 0, msf);
        b[13] = 0x14;
        b[14] = 0xAA; /* lead-out */
        atapi_put_addr(b + 16, blocks, msf);
        put_be16(b, 18);
        return 20;
    }
    if (format == 1) { /* session info: first track of the last session */
        b[2] = 1;
        b[3] = 1;
        b[5] = 0x14;
        b[6] = 1;
        atapi_put_addr(b + 8, 0, msf);
        put_be16(b, 10);
        return 12;
    }
    /* format 2, raw TOC: A0, A1, A2 and track 1 descriptors */
    b[2] = 1;
    b[3] = 1;
    for (unsigned i = 0; i < 4; i++) {
        uint8_t *e = b + 4 + 11 * i;
        e[0] = 1;       /* session */
        e[1] = 0x14;    /* ADR/control */
        e[3] = atapi_raw_toc_points[i];
        if (atapi_raw_toc_points[i] == 0xA0 || atapi_raw_toc_points[i] == 0xA1)
            e[8] = 1;   /* first / last track number */
        else if (atapi_raw_toc_points[i] == 0xA2)
            atapi_put_msf(e + 7, blocks);
        else
            atapi_put_msf(e + 7, 0);
    }
    put_be16(b, 2 + 44);
    return 48;
}

static void atapi_read_toc(IdeDrive *d)
{
    bool msf = d->packet[1] & 2;
    unsigned format = d->packet[2] & 0x0F;
    if (!format)
        format = d->packet[9] >> 6; /* old-style format field */
    if (format > 2) {
        atapi_fail(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
        return;
    }
    atapi_reply(d, atapi_toc(d, format, msf), get_be16(d->packet + 7));
}

/* MODE SENSE(10): error recovery (01h) and CD capabilities (2Ah). */
static void atapi_mode_sense(IdeDrive *d)
{
    unsigned page = d->packet[2] & 0x3F;
    uint8_t *b = d->buf;
    uint32_t len = 8;
    memset(b, 0, 64);
    b[2] = d->has_media ? 0x01 : 0x70; /* medium type / no disc */
    if (page == 0x01 || page == 0x3F) {
        uint8_t *p = b + len;
        p[0] = 0x01;
        p[1] = 0x06;
        p[3] = 5; /* read retry count */
        len += 8;
    }
    if (page == 0x2A || page == 0x3F) {
        uint8_t *p = b + len;
        p[0] = 0x2A;
        p[1] = 0x12;
        p[2] = 0x00;  /* reads CD-R/RW: no */
        p[4] = 0x71;  /* multisession, mode 2 form 1/2, audio play */
        p[5] = 0xFF;
        p[6] = (uint8_t)(0x29 | (d->locked ? 0x02 : 0)); /* tray, eject, lock */
        put_be16(p + 8, 706);  /* max speed, KB/s */
        put_be16(p + 10, 256); /* volume levels */
        put_be16(p + 12, 512); /* buffer, KB */
        put_be16(p + 14, 706);
        len += 20;
    }
    if (len == 8) {
        atapi_fail(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
        return;
    }
    put_be16(b, len - 2);
    atapi_reply(d, len, get_be16(d->packet + 7));
}

/* GET CONFIGURATION (MMC-2 6.1.4): profile CD-ROM (0008h). */
static void atapi_get_configuration(IdeDrive *d)
{
    uint8_t *b = d->buf;
    memset(b, 0, 64);
    put_be16(b + 6, d->has_media ? 0x0008 : 0x0000); /* current profile */
    uint8_t *f = b + 8;
    put_be16(f, 0x0000); /* profile list */
    f[2] = 0x03;         /* persistent, current */
    f[3] = 4;
    put_be16(f + 4, 0x0008);
    f[6] = d->has_media ? 1 : 0;
    f += 8;
    put_be16(f, 0x0001); /* core feature */
    f[2] = 0x03;
    f[3] = 4;
    put_be32(f + 4, 2);  /* physical interface: ATAPI */
    f += 8;
    put_be16(f, 0x0003); /* removable medium */
    f[2] = 0x03;
    f[3] = 4;
    f[4] = 0x29;         /* tray, eject, lock */
    f += 8;
    uint32_t len = (uint32_t)(f - b);
    put_be32(b, len - 4);
    atapi_reply(d, len, get_be16(d->packet + 7));
}

/* GET EVENT STATUS NOTIFICATION (MMC-2 6.1.5): polled, media class. */
static void atapi_event_status(IdeDrive *d)
{
    if (!(d->packet[1] & 1)) { /* asynchronous operation not supported */
        atapi_fail(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
        return;
    }
    uint8_t *b = d->buf;
    memset(b, 0, 8);
    b[3] = 0x10; /* supported classes: media */
    uint32_t len = 4;
    if (d->packet[4] & 0x10) {
        b[2] = 0x04; /* media class */
        b[4] = d->media_event ? 0x02 : 0x00; /* new media */
        b[5] = d->has_media ? 0x02 : 0x00;   /* media present */
        d->media_event = false;
        len = 8;
    } else {
        b[2] = 0x80; /* no event available */
    }
    put_be16(b, len - 2);
    atapi_reply(d, len, get_be16(d->packet + 7));
}

static void atapi_start_stop(IdeDrive *d)
{
    bool loej = d->packet[4] & 2, start = d->packet[4] & 1;
    if (loej && !start) {
        if (d->locked) {
            atapi_fail(d, SENSE_ILLEGAL_REQUEST, ASC_REMOVAL_PREVENTED);
            return;
        }
        block_close(&d->blk);
        d->has_media = false;
        d->nsectors = 0;
    }
    atapi_ok(d);
}

static void atapi_mechanism_status(IdeDrive *d)
{
    memset(d->buf, 0, 8);
    atapi_reply(d, 8, get_be16(d->packet + 8));
}

/* Commands that need a medium and a cleared unit attention first. */
static bool atapi_needs_medium(uint8_t op)
{
    return op == MMC_TEST_UNIT_READY || op == MMC_READ_CAPACITY ||
           op == MMC_READ10 || op == MMC_READ12 || op == MMC_READ_TOC ||
           op == MMC_SEEK10;
}

static void atapi_execute(IdeDrive *d)
{
    uint8_t op = d->packet[0];
    d->remaining = 0;
    if (d->unit_attention && op != MMC_REQUEST_SENSE && op != MMC_INQUIRY &&
        op != MMC_GET_EVENT_STATUS && op != MMC_GET_CONFIGURATION) {
        d->unit_attention = false;
        atapi_fail(d, SENSE_UNIT_ATTENTION, ASC_MEDIUM_CHANGED);
        return;
    }
    if (atapi_needs_medium(op) && !d->has_media) {
        atapi_fail(d, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
        return;
    }
    switch (op) {
    case MMC_TEST_UNIT_READY: case MMC_SEEK10:
        atapi_ok(d);
        break;
    case MMC_REQUEST_SENSE:
        atapi_request_sense(d);
        break;
    case MMC_INQUIRY:
        atapi_inquiry(d);
        break;
    case MMC_READ_CAPACITY:
        atapi_read_capacity(d);
        break;
    case MMC_READ10:
        atapi_read(d, get_be32(d->packet + 2), get_be16(d->packet + 7));
        break;
    case MMC_READ12:
        atapi_read(d, get_be32(d->packet + 2), get_be32(d->packet + 6));
        break;
    case MMC_READ_TOC:
        atapi_read_toc(d);
        break;
    case MMC_MODE_SENSE10:
        atapi_mode_sense(d);
        break;
    case MMC_GET_CONFIGURATION:
        atapi_get_configuration(d);
        break;
    case MMC_GET_EVENT_STATUS:
        atapi_event_status(d);
        break;
    case MMC_START_STOP:
        atapi_start_stop(d);
        break;
    case MMC_PREVENT_ALLOW:
        d->locked = d->packet[4] & 1;
        atapi_ok(d);
        break;
    case MMC_MECHANISM_STATUS:
        atapi_mechanism_status(d);
        break;
    default:
        log_once(ide_log(d->ch), LOG_UNIMP,
                 "atapi: packet command 0x%02x not modelled\n", op);
        atapi_fail(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
        break;
    }
}

/* ---- media ---- */

int ide_cdrom_change(IdeState *s, unsigned ch, unsigned unit,
                     const char *path)
{
    if (ch > 1 || unit > 1 || s->ch[ch].drive[unit].kind != IDE_CDROM)
        return -EINVAL;
    IdeDrive *d = &s->ch[ch].drive[unit];
    block_close(&d->blk);
    d->has_media = false;
    d->nsectors = 0;
    if (path) {
        int rc = block_open(&d->blk, path, true);
        if (rc < 0)
            return rc;
        d->nsectors = d->blk.size / CD_SECTOR;
        d->has_media = true;
    }
    d->unit_attention = true;
    d->media_event = true;
    return 0;
}
