/*
 * i440bx.h — the 82443BX host bridge device (see i440bx.c).
 */
#ifndef X86BT_I440BX_H
#define X86BT_I440BX_H

#include <stdint.h>

#include "machine/device.h"
#include "machine/pci.h"

#define I440BX_DEVICE_ID_BX 0x7190
#define I440BX_DEVICE_ID_FX 0x1237

typedef enum I440bxShadowMode {
    I440BX_SHADOW_AUTO, /* pre-shadow "bx" with an unpatched SeaBIOS */
    I440BX_SHADOW_ON,
    I440BX_SHADOW_OFF,
} I440bxShadowMode;

struct VM;
struct I440bxVariant;

typedef struct I440bxState {
    PciDevice pci;
    struct VM *vm;
    const struct I440bxVariant *var;
    I440bxShadowMode shadow_mode;
    uint8_t smram; /* last accepted SMRAMC value (D_LCK enforcement) */
    uint8_t esmramc; /* last accepted ESMRAMC value (locked with D_LCK) */
} I440bxState;

/* DRB0-7 values for ram_size bytes of RAM (cumulative, 8 MB units). */
void i440bx_fill_drb(uint8_t drb[8], uint64_t ram_size);

extern const DeviceInfo i440bx_device;

#endif
