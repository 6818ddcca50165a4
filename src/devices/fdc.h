/*
 * fdc.h — 82077AA floppy disk controller at 0x3F0 (IRQ 6, DMA 2).
 *
 * Option string: "drive0=PATH" (or a bare PATH) and "drive1=PATH": raw
 * images of 360K, 720K, 1.2M, 1.44M, 1.68M (DMF) or 2.88M. A read-only
 * file gives a write-protected disk; writes go straight to the file.
 */
#ifndef X86BT_FDC_H
#define X86BT_FDC_H

typedef struct FdcState FdcState;

/* CMOS drive type (register 0x10 nibble) for drive 0/1: 0 none, 1 360K,
 * 2 1.2M, 3 720K, 4 1.44M, 5 2.88M. A drive exists only with an image. */
unsigned fdc_drive_type(const FdcState *s, unsigned drive);

#endif
