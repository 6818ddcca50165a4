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

extern const DeviceInfo i440bx_device;    /* i440bx.c: host bridge 00:00.0 */

#endif
