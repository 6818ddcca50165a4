/*
 * ide.h — PIIX4 IDE controller (ide.c), ATA disk (ata.c) and ATAPI CD-ROM
 * (atapi.c): the state shared by the three files.
 *
 * Each channel holds the shared task-file registers and two drives; each
 * drive owns its status/error registers, its PIO transfer window and the
 * command in progress. Commands run to completion synchronously when the
 * guest writes them (no BSY phase is visible); DMA commands wait for the
 * channel's bus master to be started.
 */
#ifndef X86BT_IDE_H
#define X86BT_IDE_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/block.h"
#include "machine/device.h"
#include "machine/pci.h"

#define IDE_SECTOR 512
#define CD_SECTOR 2048
#define IDE_BUF_SIZE (64 * 1024)   /* PIO window / DMA bounce buffer */
#define IDE_MAX_MULT 16            /* READ/WRITE MULTIPLE block limit */
#define IDE_PRD_MAX 8192           /* PRD table fits in 64 KB */

/* Status register (ATA/ATAPI-6 section 7.15). */
#define IDE_ST_ERR 0x01
#define IDE_ST_DRQ 0x08
#define IDE_ST_DSC 0x10
#define IDE_ST_DF 0x20
#define IDE_ST_DRDY 0x40
#define IDE_ST_BSY 0x80
/* Error register (7.9). */
#define IDE_ER_AMNF 0x01
#define IDE_ER_ABRT 0x04
#define IDE_ER_IDNF 0x10
#define IDE_ER_UNC 0x40
/* Device control (7.8). */
#define IDE_DC_NIEN 0x02
#define IDE_DC_SRST 0x04
#define IDE_DC_HOB 0x80
/* Device register. */
#define IDE_DEV_LBA 0x40
#define IDE_DEV_DRV 0x10
/* ATAPI interrupt reason (sector count register). */
#define ATAPI_IR_COD 0x01
#define ATAPI_IR_IO 0x02

/* Bus master (PIIX4 290562 section 3.2.3). */
#define IDE_BM_CMD_START 0x01
#define IDE_BM_CMD_TOMEM 0x08 /* RWCON: device -> memory */
#define IDE_BM_ST_ACTIVE 0x01
#define IDE_BM_ST_ERROR 0x02
#define IDE_BM_ST_INTR 0x04
#define IDE_BM_ST_CAP 0x60

typedef enum IdeKind { IDE_NONE, IDE_DISK, IDE_CDROM } IdeKind;

/* What happens when the PIO window has been fully read or written. */
typedef enum IdeXfer {
    IDE_XFER_NONE,
    IDE_XFER_DONE,        /* last block of a read or IDENTIFY */
    IDE_XFER_ATA_READ,    /* load the next block */
    IDE_XFER_ATA_WRITE,   /* write this block, maybe ask for the next */
    IDE_XFER_PACKET,      /* 12-byte ATAPI packet received */
    IDE_XFER_ATAPI_DATA,  /* send the next ATAPI chunk */
} IdeXfer;

typedef enum IdeDma { IDE_DMA_NONE, IDE_DMA_ATA, IDE_DMA_ATAPI } IdeDma;

struct IdeChannel;

typedef struct IdeDrive {
    IdeKind kind;
    struct IdeChannel *ch;
    unsigned unit; /* 0 master, 1 slave */
    BlockDev blk;
    bool has_media;
    uint64_t nsectors; /* disk: 512-byte sectors; CD: 2048-byte blocks */
    uint16_t cyls, heads, secs;      /* default geometry */
    uint16_t lheads, lsecs;          /* INITIALIZE DEVICE PARAMETERS */
    uint8_t status, error;
    uint8_t mult;                    /* SET MULTIPLE MODE, 0 = off */
    uint8_t pio_mode, mwdma_mode, udma_mode; /* 0xFF = not selected */
    char serial[21], model[41];

    /* Command in progress. */
    uint8_t cmd;
    uint64_t lba;
    uint32_t remaining;  /* sectors (ATA) or blocks (ATAPI READ) left */
    uint32_t block;      /* sectors per DRQ block (ATA PIO) */
    IdeXfer xfer;
    IdeDma dma;
    bool dma_to_mem;
    uint8_t buf[IDE_BUF_SIZE]; /* PIO window / DMA bounce (saved) */
    uint32_t pos, end;   /* PIO window [pos, end) in buf */

    /* ATAPI. */
    uint8_t packet[12];
    uint8_t sense_key, asc, ascq;
    bool unit_attention, locked, media_event;
    bool atapi_dma;      /* PACKET features bit 0: data phase by DMA */
    uint32_t atapi_len;  /* bytes of response still to send */
    uint32_t atapi_limit;/* byte count limit per DRQ */
} IdeDrive;

/* Bus-master PRD cursor during one transfer. */
typedef struct IdePrd {
    uint32_t next;   /* address of the next descriptor */
    unsigned count;  /* descriptors consumed */
    uint32_t addr;   /* current region */
    uint32_t left;   /* bytes left in it */
    bool eot;        /* current region is the last */
} IdePrd;

typedef struct IdeChannel {
    struct IdeState *ide;
    unsigned index;
    IdeDrive drive[2];
    unsigned cur;
    uint8_t feature, nsector, lbal, lbam, lbah;
    uint8_t hob_feature, hob_nsector, hob_lbal, hob_lbam, hob_lbah;
    uint8_t select, devctl;
    bool intrq;
    unsigned irq_line;
    uint8_t bm_cmd, bm_status;
    uint32_t bm_prd;
    IdePrd prd;
} IdeChannel;

typedef struct IdeState {
    PciDevice pci;
    struct VM *vm;
    IdeChannel ch[2];
    int regions[4];
} IdeState;

/* ide.c: channel services used by ata.c and atapi.c. */
void ide_raise_irq(IdeChannel *ch);
struct Log *ide_log(const IdeChannel *ch);
/* Move len bytes between buf and guest memory along the PRD table.
 * 0, -EFAULT (table or buffer outside RAM / PRD loop), -ENOSPC (PRD
 * table ended before len bytes). */
int ide_dma_xfer(IdeChannel *ch, uint8_t *buf, uint32_t len, bool to_mem);
/* Start (or continue) a pending DMA if the bus master is running. */
void ide_dma_kick(IdeChannel *ch);

/* ata.c */
void ata_exec(IdeDrive *d, uint8_t cmd);
void ata_pio_done(IdeDrive *d);
void ata_dma_run(IdeDrive *d);
void ata_set_signature(IdeDrive *d);
void ata_reset_drive(IdeDrive *d);
void ide_abort(IdeDrive *d);
void ide_string(uint16_t *words, unsigned first, const char *s,
                unsigned len);

/* atapi.c */
void atapi_packet_cmd(IdeDrive *d);
void atapi_identify(IdeDrive *d);
void atapi_pio_done(IdeDrive *d);
void atapi_dma_run(IdeDrive *d);
/* Insert (path != NULL) or eject (path == NULL) the CD; 0 or -errno. */
int ide_cdrom_change(IdeState *s, unsigned ch, unsigned unit,
                     const char *path);

extern const DeviceInfo ide_device;

#endif
