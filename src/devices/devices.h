/*
 * devices.h — the DeviceInfo of every device model, for the board table
 * (src/machine/pc.c) and the unit tests. One line per device file.
 */
#ifndef X86BT_DEVICES_H
#define X86BT_DEVICES_H

#include "machine/device.h"

extern const DeviceInfo debugcon_device;  /* debugcon.c: 0xE9 / 0x402 */
extern const DeviceInfo debugexit_device; /* debugexit.c: 0xF4 */
extern const DeviceInfo pic_device;       /* pic.c: 8259A pair + ELCR */
extern const DeviceInfo pit_device;       /* pit.c: 8254 + port 0x61 */
extern const DeviceInfo rtc_device;       /* rtc.c: MC146818 + CMOS */
extern const DeviceInfo uart16550_device; /* uart16550.c: COM1-4 */
extern const DeviceInfo i8042_device;     /* i8042.c: 8042 + PS/2 kbd/mouse */
extern const DeviceInfo dma8237_device;   /* dma8237.c: 8237 pair + pages */
extern const DeviceInfo fdc_device;       /* fdc.c: 82077AA floppy */

extern const DeviceInfo i440bx_device;    /* i440bx.c: host bridge 00:00.0 */
extern const DeviceInfo piix4_isa_device; /* piix4_isa.c: 00:01.0 */
extern const DeviceInfo piix4_pm_device;  /* piix4_pm.c: 00:01.3 */
extern const DeviceInfo fw_cfg_device;    /* fw_cfg.c: 0x510/0x511/0x514 */
extern const DeviceInfo ide_device;       /* ide.c: PIIX4 IDE 00:01.1 */
extern const DeviceInfo piix4_usb_device; /* piix4_usb.c: UHCI 00:01.2 */
extern const DeviceInfo vga_device;       /* vga.c: stdvga + VBE 00:02.0 */

#endif
