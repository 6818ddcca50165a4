/*
 * fdc.c — Intel 82077AA floppy disk controller in PC-AT mode at ports
 * 0x3F0-0x3F5 and 0x3F7 (0x3F6 belongs to IDE), IRQ 6, DMA channel 2,
 * with up to two drives backed by raw image files (Intel 82077AA
 * datasheet 290166-007: "Register description", "Command set").
 *
 * Modelled: DOR (drive select, reset, DMA/IRQ gate, motors), TDR, MSR,
 * DSR (software reset, data rate), FIFO command/result phases, DIR (disk
 * change line) and CCR; commands SPECIFY, SENSE DRIVE STATUS, RECALIBRATE,
 * SEEK, SENSE INTERRUPT STATUS (including the four polling interrupts after
 * a reset), READ DATA and WRITE DATA (MT multi-track, multi-sector until
 * DMA terminal count or end of cylinder), READ ID, FORMAT TRACK, VERSION
 * (0x90), DUMPREG, CONFIGURE, LOCK, PERPENDICULAR MODE. Anything else gets
 * the invalid-command status 0x80. Commands that interrupt complete after
 * a short virtual delay so that drivers that clear their "IRQ seen" flag
 * after issuing a command (SeaBIOS) still see the interrupt.
 * Simplified: an implied seek to the requested cylinder for data commands
 * (no "wrong cylinder" errors), no data-rate/media mismatch checks, DMA
 * mode only (non-DMA execution is logged as unimplemented), sector size
 * 512 bytes only, no deleted-data, verify, scan or read-track commands.
 */
#include "devices/fdc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/devarg.h"
#include "devices/devices.h"
#include "devices/dma8237.h"
#include "machine/vm.h"

#define FDC_BASE 0x3F0
#define FDC_DIR_PORT 0x3F7
#define FDC_IRQ 6
#define FDC_DMA 2
#define FDC_SECTOR 512
#define FDC_EXEC_NS 100000 /* 100 us from command to interrupt */

/* Register offsets from 0x3F0. */
enum {
    FDC_SRA = 0,
    FDC_SRB = 1,
    FDC_DOR = 2,
    FDC_TDR = 3,
    FDC_MSR_DSR = 4,
    FDC_FIFO = 5,
};

#define DOR_SEL_MASK 0x03
#define DOR_NRESET 0x04
#define DOR_DMA_IRQ 0x08
#define DSR_SW_RESET 0x80
#define MSR_RQM 0x80
#define MSR_DIO 0x40
#define MSR_NDMA 0x20
#define MSR_CB 0x10
#define DIR_DSKCHG 0x80

/* Status register bits (datasheet "Status register 0-3"). */
#define ST0_IC_ABNORMAL 0x40
#define ST0_IC_INVALID 0x80
#define ST0_IC_POLL 0xC0
#define ST0_SE 0x20
#define ST1_EN 0x80
#define ST1_DE 0x20
#define ST1_OR 0x10
#define ST1_ND 0x04
#define ST1_NW 0x02
#define ST1_MA 0x01
#define ST3_WP 0x40
#define ST3_RY 0x20
#define ST3_T0 0x10
#define ST3_TS 0x08

/* Command opcodes (low 5 bits) and option bits. */
enum {
    CMD_SPECIFY = 0x03,
    CMD_SENSE_DRIVE = 0x04,
    CMD_WRITE = 0x05,
    CMD_READ = 0x06,
    CMD_RECAL = 0x07,
    CMD_SENSE_INT = 0x08,
    CMD_READ_ID = 0x0A,
    CMD_FORMAT = 0x0D,
    CMD_DUMPREG = 0x0E,
    CMD_SEEK = 0x0F,
    CMD_VERSION = 0x10,
    CMD_PERPENDICULAR = 0x12,
    CMD_CONFIGURE = 0x13,
    CMD_LOCK = 0x14,
};
#define CMD_MT 0x80
#define CMD_MFM 0x40
#define CMD_SK 0x20
#define FDC_VERSION_82077 0x90

typedef enum FdcPhase { PHASE_CMD, PHASE_EXEC, PHASE_RESULT } FdcPhase;

/* Command table: parameter count and the option bits allowed in the
 * opcode byte (datasheet "Command set summary"). */
typedef struct FdcCmdInfo {
    bool valid;
    uint8_t params;
    uint8_t opts;
    bool deferred; /* executes after FDC_EXEC_NS and interrupts */
} FdcCmdInfo;

static const FdcCmdInfo fdc_cmds[32] = {
    [CMD_SPECIFY] = {true, 2, 0, false},
    [CMD_SENSE_DRIVE] = {true, 1, 0, false},
    [CMD_WRITE] = {true, 8, CMD_MT | CMD_MFM, true},
    [CMD_READ] = {true, 8, CMD_MT | CMD_MFM | CMD_SK, true},
    [CMD_RECAL] = {true, 1, 0, true},
    [CMD_SENSE_INT] = {true, 0, 0, false},
    [CMD_READ_ID] = {true, 1, CMD_MFM, true},
    [CMD_FORMAT] = {true, 5, CMD_MFM, true},
    [CMD_DUMPREG] = {true, 0, 0, false},
    [CMD_SEEK] = {true, 2, 0, true},
    [CMD_VERSION] = {true, 0, 0, false},
    [CMD_PERPENDICULAR] = {true, 1, 0, false},
    [CMD_CONFIGURE] = {true, 3, 0, false},
    [CMD_LOCK] = {true, 0, CMD_MT, false},
};

/* Image geometries by file size. */
typedef struct FdcGeometry {
    uint32_t size;
    uint8_t tracks, heads, sectors, cmos_type;
} FdcGeometry;

static const FdcGeometry fdc_geometries[] = {
    {368640, 40, 2, 9, 1},   {737280, 80, 2, 9, 3},
    {1228800, 80, 2, 15, 2}, {1474560, 80, 2, 18, 4},
    {1720320, 80, 2, 21, 4}, {2949120, 80, 2, 36, 5},
};

typedef struct FdcDrive {
    int fd;               /* image, -1 if none */
    bool read_only;
    uint8_t tracks, heads, sectors, cmos_type;
    uint8_t cyl;          /* present cylinder number */
    bool changed;         /* disk change line */
} FdcDrive;

struct FdcState {
    VM *vm;
    FdcDrive drive[2];
    uint8_t dor, tdr, rate;
    FdcPhase phase;
    uint8_t cmd[9], cmd_len, cmd_pos;
    uint8_t exec[9];      /* the command the timer completes */
    bool reset_pending;   /* the timer completes a controller reset */
    uint8_t res[10], res_len, res_pos;
    uint8_t busy;         /* MSR drive-busy bits (seek in progress) */
    uint8_t sense;        /* drives with a pending SENSE INTERRUPT status */
    uint8_t sense_st0[4];
    bool irq_pending;
    bool irq_out;
    uint8_t specify[2];
    uint8_t config[3];
    uint8_t perpendicular;
    bool lock;
    Timer timer;
};

/* --- interrupt and phases ---------------------------------------------- */

static void fdc_update_irq(FdcState *s)
{
    bool level = s->irq_pending && (s->dor & DOR_DMA_IRQ);
    if (level != s->irq_out) {
        s->irq_out = level;
        irq_set(&s->vm->irq, FDC_IRQ, 0, level);
    }
}

static void fdc_raise(FdcState *s)
{
    s->irq_pending = true;
    fdc_update_irq(s);
}

static void fdc_lower(FdcState *s)
{
    s->irq_pending = false;
    fdc_update_irq(s);
}

static void fdc_result(FdcState *s, const uint8_t *res, unsigned n)
{
    if (n)
        memcpy(s->res, res, n);
    s->res_len = (uint8_t)n;
    s->res_pos = 0;
    s->phase = n ? PHASE_RESULT : PHASE_CMD;
}

static void fdc_invalid(FdcState *s)
{
    uint8_t st0 = ST0_IC_INVALID;
    fdc_result(s, &st0, 1);
}

/* Controller reset (DOR bit 2 low, or DSR bit 7): back to the command
 * phase; on leaving reset the four drives' "ready changed" polling
 * interrupts are pending (datasheet "Reset", "Polling"). */
static void fdc_enter_reset(FdcState *s)
{
    timer_del(&s->timer);
    s->reset_pending = false;
    s->phase = PHASE_CMD;
    s->cmd_pos = s->res_len = s->res_pos = 0;
    s->busy = 0;
    s->sense = 0;
    if (!s->lock)
        memset(s->config, 0, sizeof(s->config));
    s->perpendicular = 0;
    fdc_lower(s);
}

/* Leaving reset: the polling interrupts follow after a short delay. */
static void fdc_leave_reset(FdcState *s)
{
    s->reset_pending = true;
    timer_mod(&s->timer, clock_now(&s->vm->clock) + FDC_EXEC_NS);
}

static void fdc_reset_done(FdcState *s)
{
    s->sense = 0x0F;
    for (unsigned i = 0; i < 4; i++)
        s->sense_st0[i] = (uint8_t)(ST0_IC_POLL | i);
    fdc_raise(s);
}

/* --- media -------------------------------------------------------------- */

static bool fdc_has_media(const FdcState *s, unsigned d)
{
    return d < 2 && s->drive[d].fd >= 0;
}

static int fdc_lba(const FdcDrive *dr, unsigned c, unsigned h, unsigned r,
                   uint64_t *off)
{
    if (c >= dr->tracks || h >= dr->heads || r < 1 || r > dr->sectors)
        return -1;
    *off = (((uint64_t)c * dr->heads + h) * dr->sectors + r - 1) *
           FDC_SECTOR;
    return 0;
}

static void fdc_seek_to(FdcState *s, unsigned d, uint8_t cyl)
{
    if (d >= 2)
        return;
    s->drive[d].cyl = cyl;
    /* A step with a disk in the drive clears the change line. */
    if (fdc_has_media(s, d))
        s->drive[d].changed = false;
}

/* --- data transfer commands -------------------------------------------- */

typedef struct FdcXfer {
    unsigned drive, head;  /* physical head from HDS */
    uint8_t c, h, r, n, eot;
    bool mt;
    uint8_t st0, st1, st2;
} FdcXfer;

static DmaState *fdc_dma(FdcState *s)
{
    return vm_find_device(s->vm, &dma8237_device);
}

/* One sector through DMA channel 2. Returns bytes moved, or -1 with the
 * status bits set. */
static int fdc_xfer_sector(FdcState *s, FdcXfer *x, bool write)
{
    FdcDrive *dr = &s->drive[x->drive];
    uint8_t buf[FDC_SECTOR];
    uint64_t off;
    DmaState *dma = fdc_dma(s);
    if (fdc_lba(dr, x->c, x->head, x->r, &off) < 0) {
        x->st1 |= ST1_ND;
        return -1;
    }
    if (!dma || !dma_ready(dma, FDC_DMA)) {
        x->st1 |= ST1_OR;
        return -1;
    }
    if (write) {
        memset(buf, 0, sizeof(buf));
        size_t n = dma_transfer(dma, FDC_DMA, buf, FDC_SECTOR, false);
        if (pwrite(dr->fd, buf, FDC_SECTOR, (off_t)off) != FDC_SECTOR) {
            x->st1 |= ST1_DE;
            return -1;
        }
        return (int)n;
    }
    /* An image shorter than its geometry (fdc_open_image) reads as blank
     * sectors past its end. */
    ssize_t got = pread(dr->fd, buf, FDC_SECTOR, (off_t)off);
    if (got < 0) {
        x->st1 |= ST1_DE;
        return -1;
    }
    memset(buf + got, 0, FDC_SECTOR - (size_t)got);
    return (int)dma_transfer(dma, FDC_DMA, buf, FDC_SECTOR, true);
}

/* Advance the sector ID after a transferred sector (datasheet table
 * "Result phase C, H, R, N"); false at the end of the cylinder. */
static bool fdc_next_sector(FdcXfer *x)
{
    if (x->r != x->eot) {
        x->r++;
        return true;
    }
    x->r = 1;
    if (x->mt && x->head == 0) {
        x->head = 1;
        x->h ^= 1;
        return true;
    }
    if (x->mt)
        x->h ^= 1;
    x->head = 0;
    x->c++;
    return false;
}

static void fdc_rw_loop(FdcState *s, FdcXfer *x, bool write)
{
    DmaState *dma = fdc_dma(s);
    for (;;) {
        int n = fdc_xfer_sector(s, x, write);
        if (n < 0)
            break;
        bool tc = dma_tc_reached(dma, FDC_DMA);
        bool more = fdc_next_sector(x);
        if (tc || n < FDC_SECTOR)
            return; /* terminal count: normal termination */
        if (!more) {
            x->st1 |= ST1_EN; /* end of cylinder without TC */
            break;
        }
    }
    x->st0 |= ST0_IC_ABNORMAL;
}

static void fdc_cmd_rw(FdcState *s, bool write)
{
    FdcXfer x = {
        .drive = s->exec[1] & 3, .head = (s->exec[1] >> 2) & 1,
        .c = s->exec[2], .h = s->exec[3], .r = s->exec[4], .n = s->exec[5],
        .eot = s->exec[6], .mt = (s->exec[0] & CMD_MT) != 0,
    };
    x.st0 = (uint8_t)(x.head << 2 | x.drive);
    if (!fdc_has_media(s, x.drive)) {
        x.st0 |= ST0_IC_ABNORMAL;
        x.st1 |= ST1_MA;
    } else if (x.n != 2) {
        log_once(&s->vm->log, LOG_UNIMP,
                 "fdc: only 512-byte sectors (N=2) are modelled\n");
        x.st0 |= ST0_IC_ABNORMAL;
        x.st1 |= ST1_ND;
    } else if (write && s->drive[x.drive].read_only) {
        x.st0 |= ST0_IC_ABNORMAL;
        x.st1 |= ST1_NW;
    } else {
        fdc_seek_to(s, x.drive, x.c); /* implied seek */
        fdc_rw_loop(s, &x, write);
    }
    uint8_t res[7] = {x.st0, x.st1, x.st2, x.c, x.h, x.r, x.n};
    fdc_result(s, res, 7);
}

/* READ ID: the first sector ID found on the current track. */
static void fdc_cmd_read_id(FdcState *s)
{
    unsigned d = s->exec[1] & 3, head = (s->exec[1] >> 2) & 1;
    uint8_t st0 = (uint8_t)(head << 2 | d), st1 = 0;
    uint8_t cyl = d < 2 ? s->drive[d].cyl : 0;
    if (!fdc_has_media(s, d) || head >= s->drive[d].heads) {
        st0 |= ST0_IC_ABNORMAL;
        st1 = ST1_MA;
    }
    uint8_t res[7] = {st0, st1, 0, cyl, (uint8_t)head, 1, 2};
    fdc_result(s, res, 7);
}

/* FORMAT TRACK: four ID bytes (C, H, R, N) per sector arrive by DMA; each
 * sector is filled with the filler byte D. */
static void fdc_cmd_format(FdcState *s)
{
    unsigned d = s->exec[1] & 3, head = (s->exec[1] >> 2) & 1;
    uint8_t st0 = (uint8_t)(head << 2 | d), st1 = 0;
    uint8_t id[4] = {0};
    DmaState *dma = fdc_dma(s);
    if (!fdc_has_media(s, d)) {
        st0 |= ST0_IC_ABNORMAL;
        st1 = ST1_MA;
    } else if (s->drive[d].read_only) {
        st0 |= ST0_IC_ABNORMAL;
        st1 = ST1_NW;
    } else {
        FdcDrive *dr = &s->drive[d];
        uint8_t fill[FDC_SECTOR];
        memset(fill, s->exec[5], sizeof(fill));
        for (unsigned i = 0; i < s->exec[3]; i++) {
            uint64_t off;
            if (!dma || dma_transfer(dma, FDC_DMA, id, 4, false) < 4) {
                st0 |= ST0_IC_ABNORMAL;
                st1 |= ST1_OR;
                break;
            }
            if (fdc_lba(dr, id[0], head, id[2], &off) == 0 &&
                pwrite(dr->fd, fill, FDC_SECTOR, (off_t)off) != FDC_SECTOR)
                st1 |= ST1_DE;
        }
    }
    uint8_t res[7] = {st0, st1, 0, id[0], id[1], id[2], id[3]};
    fdc_result(s, res, 7);
}

/* --- immediate commands -------------------------------------------------- */

static void fdc_cmd_sense_int(FdcState *s)
{
    for (unsigned d = 0; d < 4; d++) {
        if (!(s->sense & (1u << d)))
            continue;
        s->sense &= (uint8_t)~(1u << d);
        if (!s->sense)
            fdc_lower(s);
        uint8_t res[2] = {s->sense_st0[d], d < 2 ? s->drive[d].cyl : 0};
        fdc_result(s, res, 2);
        return;
    }
    fdc_invalid(s); /* no interrupt pending */
}

static void fdc_cmd_sense_drive(FdcState *s)
{
    unsigned d = s->cmd[1] & 3;
    uint8_t st3 = (uint8_t)(s->cmd[1] & 7) | ST3_RY;
    if (d < 2) {
        const FdcDrive *dr = &s->drive[d];
        if (dr->cyl == 0)
            st3 |= ST3_T0;
        if (dr->fd < 0 || dr->heads == 2)
            st3 |= ST3_TS;
        if (dr->fd >= 0 && dr->read_only)
            st3 |= ST3_WP;
    }
    fdc_result(s, &st3, 1);
}

static void fdc_cmd_dumpreg(FdcState *s)
{
    uint8_t res[10] = {
        s->drive[0].cyl, s->drive[1].cyl, 0, 0,
        s->specify[0], s->specify[1], 0,
        (uint8_t)((s->lock ? 0x80 : 0) | (s->perpendicular & 0x7F)),
        s->config[1], s->config[2],
    };
    fdc_result(s, res, 10);
}

static void fdc_execute_now(FdcState *s)
{
    uint8_t op = s->cmd[0] & 0x1F, v;
    switch (op) {
    case CMD_SPECIFY:
        s->specify[0] = s->cmd[1];
        s->specify[1] = s->cmd[2];
        if (s->cmd[2] & 1)
            log_once(&s->vm->log, LOG_UNIMP,
                     "fdc: non-DMA mode not modelled, using DMA\n");
        fdc_result(s, NULL, 0);
        break;
    case CMD_SENSE_DRIVE:
        fdc_cmd_sense_drive(s);
        break;
    case CMD_SENSE_INT:
        fdc_cmd_sense_int(s);
        break;
    case CMD_DUMPREG:
        fdc_cmd_dumpreg(s);
        break;
    case CMD_VERSION:
        v = FDC_VERSION_82077;
        fdc_result(s, &v, 1);
        break;
    case CMD_PERPENDICULAR:
        s->perpendicular = s->cmd[1];
        fdc_result(s, NULL, 0);
        break;
    case CMD_CONFIGURE:
        memcpy(s->config, s->cmd + 1, 3);
        fdc_result(s, NULL, 0);
        break;
    default: /* CMD_LOCK */
        s->lock = (s->cmd[0] & CMD_MT) != 0;
        v = (uint8_t)(s->lock ? 0x10 : 0);
        fdc_result(s, &v, 1);
        break;
    }
}

/* Seek and recalibrate end with a SENSE INTERRUPT status (SE set). */
static void fdc_seek_done(FdcState *s, unsigned d, unsigned head,
                          uint8_t cyl)
{
    fdc_seek_to(s, d, cyl);
    s->busy &= (uint8_t)~(1u << d);
    s->sense |= (uint8_t)(1u << d);
    s->sense_st0[d] = (uint8_t)(ST0_SE | head << 2 | d);
    fdc_raise(s);
}

/* End of the execution phase of a deferred command (or of a reset). */
static void fdc_timer_cb(void *opaque)
{
    FdcState *s = opaque;
    if (s->reset_pending) {
        s->reset_pending = false;
        fdc_reset_done(s);
        return;
    }
    uint8_t op = s->exec[0] & 0x1F;
    unsigned d = s->exec[1] & 3, head = (s->exec[1] >> 2) & 1;
    switch (op) {
    case CMD_RECAL:
        fdc_seek_done(s, d, head, 0);
        return;
    case CMD_SEEK:
        fdc_seek_done(s, d, head, s->exec[2]);
        return;
    case CMD_READ:
    case CMD_WRITE:
        fdc_cmd_rw(s, op == CMD_WRITE);
        break;
    case CMD_READ_ID:
        fdc_cmd_read_id(s);
        break;
    default: /* CMD_FORMAT */
        fdc_cmd_format(s);
        break;
    }
    fdc_raise(s);
}

/* All parameter bytes are in: run the command. */
static void fdc_command_complete(FdcState *s)
{
    uint8_t op = s->cmd[0] & 0x1F;
    s->cmd_pos = 0;
    if (!fdc_cmds[op].deferred) {
        fdc_execute_now(s);
        return;
    }
    if (timer_pending(&s->timer)) {
        /* A seek still running: let it finish first. */
        timer_del(&s->timer);
        fdc_timer_cb(s);
    }
    memcpy(s->exec, s->cmd, sizeof(s->exec));
    if (op == CMD_SEEK || op == CMD_RECAL) {
        /* The controller is free again at once; the drive is busy. */
        s->busy |= (uint8_t)(1u << (s->cmd[1] & 3));
        s->phase = PHASE_CMD;
    } else {
        s->phase = PHASE_EXEC;
    }
    timer_mod(&s->timer, clock_now(&s->vm->clock) + FDC_EXEC_NS);
}

/* --- FIFO ------------------------------------------------------------------ */

static void fdc_fifo_write(FdcState *s, uint8_t v)
{
    if (!(s->dor & DOR_NRESET) || s->phase == PHASE_EXEC)
        return;
    if (s->phase == PHASE_RESULT) {
        log_once(&s->vm->log, LOG_GUEST_ERROR,
                 "fdc: command byte written during the result phase\n");
        s->phase = PHASE_CMD;
    }
    if (s->cmd_pos == 0) {
        const FdcCmdInfo *ci = &fdc_cmds[v & 0x1F];
        if (!ci->valid || (v & 0xE0 & ~ci->opts)) {
            fdc_invalid(s);
            return;
        }
        /* A new command clears the interrupt of a previous result phase
         * (sense-interrupt states stay pending). */
        if (!s->sense)
            fdc_lower(s);
        s->cmd_len = (uint8_t)(1 + ci->params);
    }
    s->cmd[s->cmd_pos++] = v;
    if (s->cmd_pos == s->cmd_len)
        fdc_command_complete(s);
}

static uint8_t fdc_fifo_read(FdcState *s)
{
    if (s->phase != PHASE_RESULT) {
        log_once(&s->vm->log, LOG_GUEST_ERROR,
                 "fdc: FIFO read outside the result phase\n");
        return 0;
    }
    /* Reading the result clears a read/write interrupt (datasheet
     * "Result phase"). */
    if (s->res_pos == 0 && !s->sense)
        fdc_lower(s);
    uint8_t v = s->res[s->res_pos++];
    if (s->res_pos == s->res_len)
        s->phase = PHASE_CMD;
    return v;
}

static uint8_t fdc_msr(const FdcState *s)
{
    if (!(s->dor & DOR_NRESET))
        return 0;
    switch (s->phase) {
    case PHASE_EXEC:
        return MSR_CB | s->busy;
    case PHASE_RESULT:
        return MSR_RQM | MSR_DIO | MSR_CB | s->busy;
    default:
        return (uint8_t)(MSR_RQM | (s->cmd_pos ? MSR_CB : 0) | s->busy);
    }
}

/* --- ports ------------------------------------------------------------------ */

static void fdc_write_dor(FdcState *s, uint8_t v)
{
    uint8_t old = s->dor;
    s->dor = v;
    if (!(v & DOR_NRESET)) {
        if (old & DOR_NRESET)
            fdc_enter_reset(s);
    } else if (!(old & DOR_NRESET)) {
        fdc_leave_reset(s);
    }
    fdc_update_irq(s);
}

static uint32_t fdc_io_read(void *opaque, uint32_t off, unsigned size)
{
    FdcState *s = opaque;
    (void)size;
    switch (off) {
    case FDC_DOR:
        return s->dor;
    case FDC_TDR:
        return s->tdr;
    case FDC_MSR_DSR:
        return fdc_msr(s);
    case FDC_FIFO:
        return fdc_fifo_read(s);
    default: /* SRA/SRB exist in PS/2 modes only */
        return 0xFF;
    }
}

static void fdc_io_write(void *opaque, uint32_t off, uint32_t val,
                         unsigned size)
{
    FdcState *s = opaque;
    uint8_t v = (uint8_t)val;
    (void)size;
    switch (off) {
    case FDC_DOR:
        fdc_write_dor(s, v);
        break;
    case FDC_TDR:
        s->tdr = v & 3;
        break;
    case FDC_MSR_DSR:
        s->rate = v & 3;
        if ((v & DSR_SW_RESET) && (s->dor & DOR_NRESET)) {
            fdc_enter_reset(s); /* self-clearing software reset */
            fdc_leave_reset(s);
        }
        break;
    case FDC_FIFO:
        fdc_fifo_write(s, v);
        break;
    default:
        break;
    }
}

/* 0x3F7: DIR (read, bit 7 = disk change of the selected drive) / CCR. */
static uint32_t fdc_dir_read(void *opaque, uint32_t off, unsigned size)
{
    FdcState *s = opaque;
    (void)off;
    (void)size;
    unsigned d = s->dor & DOR_SEL_MASK;
    bool changed = d >= 2 || !fdc_has_media(s, d) || s->drive[d].changed;
    return changed ? DIR_DSKCHG : 0;
}

static void fdc_ccr_write(void *opaque, uint32_t off, uint32_t v,
                          unsigned size)
{
    FdcState *s = opaque;
    (void)off;
    (void)size;
    s->rate = v & 3;
}

static const IoOps fdc_ops = {fdc_io_read, fdc_io_write, 1, 1};
static const IoOps fdc_dir_ops = {fdc_dir_read, fdc_ccr_write, 1, 1};

unsigned fdc_drive_type(const FdcState *s, unsigned drive)
{
    return fdc_has_media(s, drive) ? s->drive[drive].cmos_type : 0;
}

/* --- lifecycle ------------------------------------------------------------- */

static int fdc_open_image(FdcState *s, unsigned d, const char *path)
{
    FdcDrive *dr = &s->drive[d];
    dr->fd = open(path, O_RDWR | O_CLOEXEC);
    dr->read_only = false;
    if (dr->fd < 0 && (errno == EACCES || errno == EROFS || errno == EPERM)) {
        dr->fd = open(path, O_RDONLY | O_CLOEXEC);
        dr->read_only = true;
    }
    struct stat st;
    if (dr->fd < 0 || fstat(dr->fd, &st) < 0) {
        int e = errno;
        log_msg(&s->vm->log, LOG_ERROR, "fdc: cannot open %s: %s\n", path,
                strerror(e));
        return -e;
    }
    /* The exact size of a format; else a 3.5" 1.44 MB (or 2.88 MB) disk
     * that holds the file: images made to be written to a floppy need not
     * fill it (Debian's grub-rescue-floppy.img is 1296384 bytes). */
    const FdcGeometry *fit = NULL;
    for (size_t i = 0; i < sizeof(fdc_geometries) / sizeof(fdc_geometries[0]);
         i++) {
        const FdcGeometry *g = &fdc_geometries[i];
        if ((uint64_t)st.st_size == g->size)
            fit = g;
        else if (!fit && st.st_size > 0 && g->heads == 2 &&
                 (g->sectors == 18 || g->sectors == 36) &&
                 (uint64_t)st.st_size < g->size)
            fit = g;
    }
    if (fit) {
        dr->tracks = fit->tracks;
        dr->heads = fit->heads;
        dr->sectors = fit->sectors;
        dr->cmos_type = fit->cmos_type;
        dr->changed = true;
        return 0;
    }
    log_msg(&s->vm->log, LOG_ERROR,
            "fdc: %s: unsupported floppy image size %lld\n", path,
            (long long)st.st_size);
    return -EINVAL;
}

static void fdc_reset(void *opaque)
{
    FdcState *s = opaque;
    s->dor = 0;
    s->tdr = 0;
    s->rate = 0;
    s->lock = false;
    memset(s->specify, 0, sizeof(s->specify));
    fdc_enter_reset(s);
    for (unsigned d = 0; d < 2; d++)
        s->drive[d].cyl = 0;
}

static void fdc_fini(void *opaque)
{
    FdcState *s = opaque;
    timer_del(&s->timer);
    for (unsigned d = 0; d < 2; d++)
        if (s->drive[d].fd >= 0)
            close(s->drive[d].fd);
}

static int fdc_init(void *opaque, VM *vm, const char *arg)
{
    FdcState *s = opaque;
    char path[4096];
    s->vm = vm;
    s->drive[0].fd = s->drive[1].fd = -1;
    timer_init(&s->timer, &vm->clock, fdc_timer_cb, s);
    for (unsigned d = 0; d < 2; d++) {
        bool have = devarg_get(arg, d ? "drive1" : "drive0", path,
                               sizeof(path)) ||
                    (d == 0 && devarg_get(arg, "", path, sizeof(path)));
        if (have && path[0]) {
            int r = fdc_open_image(s, d, path);
            if (r < 0)
                return r;
        }
    }
    int r = io_register(&vm->io, FDC_BASE, 6, &fdc_ops, s, "fdc");
    if (r >= 0)
        r = io_register(&vm->io, FDC_DIR_PORT, 1, &fdc_dir_ops, s, "fdc-dir");
    if (r < 0)
        return r;
    fdc_reset(s);
    return 0;
}

static int fdc_post_load(void *opaque)
{
    FdcState *s = opaque;
    irq_set(&s->vm->irq, FDC_IRQ, 0, s->irq_out);
    return 0;
}

static const StateField fdc_state_fields[] = {
    STATE_FIELD(FdcState, dor),
    STATE_FIELD(FdcState, tdr),
    STATE_FIELD(FdcState, rate),
    STATE_FIELD(FdcState, phase),
    STATE_FIELD(FdcState, cmd),
    STATE_FIELD(FdcState, cmd_len),
    STATE_FIELD(FdcState, cmd_pos),
    STATE_FIELD(FdcState, exec),
    STATE_FIELD(FdcState, reset_pending),
    STATE_FIELD(FdcState, res),
    STATE_FIELD(FdcState, res_len),
    STATE_FIELD(FdcState, res_pos),
    STATE_FIELD(FdcState, busy),
    STATE_FIELD(FdcState, sense),
    STATE_FIELD(FdcState, sense_st0),
    STATE_FIELD(FdcState, irq_pending),
    STATE_FIELD(FdcState, irq_out),
    STATE_FIELD(FdcState, specify),
    STATE_FIELD(FdcState, config),
    STATE_FIELD(FdcState, perpendicular),
    STATE_FIELD(FdcState, lock),
    STATE_FIELD(FdcState, drive[0].cyl),
    STATE_FIELD(FdcState, drive[0].changed),
    STATE_FIELD(FdcState, drive[1].cyl),
    STATE_FIELD(FdcState, drive[1].changed),
    STATE_TIMER_FIELD(FdcState, timer),
    STATE_END,
};

const DeviceInfo fdc_device = {
    .name = "i82077aa",
    .state_size = sizeof(FdcState),
    .state_version = 1,
    .init = fdc_init,
    .reset = fdc_reset,
    .fini = fdc_fini,
    .fields = fdc_state_fields,
    .post_load = fdc_post_load,
};
