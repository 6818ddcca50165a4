/*
 * fw_cfg.h — the QEMU firmware configuration interface (see fw_cfg.c).
 *
 * The board adds items with fw_cfg_add_bytes() (numbered keys) and
 * fw_cfg_add_file() (named files, listed in the directory at key 0x19).
 * Data is copied; items cannot be removed, but a file added again under
 * the same name replaces the old contents.
 */
#ifndef X86BT_FW_CFG_H
#define X86BT_FW_CFG_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/device.h"

#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID 0x01
#define FW_CFG_UUID 0x02
#define FW_CFG_RAM_SIZE 0x03
#define FW_CFG_NOGRAPHIC 0x04
#define FW_CFG_NB_CPUS 0x05
#define FW_CFG_KERNEL_ADDR 0x07
#define FW_CFG_KERNEL_SIZE 0x08
#define FW_CFG_KERNEL_CMDLINE 0x09
#define FW_CFG_INITRD_ADDR 0x0A
#define FW_CFG_INITRD_SIZE 0x0B
#define FW_CFG_BOOT_DEVICE 0x0C
#define FW_CFG_BOOT_MENU 0x0E
#define FW_CFG_MAX_CPUS 0x0F
#define FW_CFG_KERNEL_ENTRY 0x10
#define FW_CFG_KERNEL_DATA 0x11
#define FW_CFG_INITRD_DATA 0x12
#define FW_CFG_CMDLINE_ADDR 0x13
#define FW_CFG_CMDLINE_SIZE 0x14
#define FW_CFG_CMDLINE_DATA 0x15
#define FW_CFG_SETUP_ADDR 0x16
#define FW_CFG_SETUP_SIZE 0x17
#define FW_CFG_SETUP_DATA 0x18
#define FW_CFG_FILE_DIR 0x19
#define FW_CFG_FILE_FIRST 0x20
#define FW_CFG_SMBIOS_ENTRIES 0x8001
#define FW_CFG_MAX_ITEMS 96
#define FW_CFG_NAME_LEN 56

#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_PORT_DMA 0x514 /* 8 bytes: high dword, low dword */

/* DMA control bits (big-endian field of the descriptor). */
#define FW_CFG_DMA_ERROR 0x01
#define FW_CFG_DMA_READ 0x02
#define FW_CFG_DMA_SKIP 0x04
#define FW_CFG_DMA_SELECT 0x08
#define FW_CFG_DMA_WRITE 0x10

struct VM;

typedef struct FwCfgItem {
    uint16_t key;
    uint32_t len;
    uint8_t *data; /* owned */
    char name[FW_CFG_NAME_LEN]; /* files only */
} FwCfgItem;

typedef struct FwCfgState {
    struct VM *vm;
    FwCfgItem items[FW_CFG_MAX_ITEMS];
    unsigned nitems;
    uint16_t next_file_key;
    uint16_t cur_key;  /* selected item */
    uint32_t cur_off;  /* read offset within it */
    uint32_t dma_hi;   /* high dword of the descriptor address */
    bool dma_enabled;
} FwCfgState;

/* Add (or replace) a numbered item; data is copied. 0 or -errno. */
int fw_cfg_add_bytes(FwCfgState *s, uint16_t key, const void *data,
                     uint32_t len);
int fw_cfg_add_i16(FwCfgState *s, uint16_t key, uint16_t v);
int fw_cfg_add_i32(FwCfgState *s, uint16_t key, uint32_t v);
int fw_cfg_add_i64(FwCfgState *s, uint16_t key, uint64_t v);
/* Add (or replace) a named file; data is copied. 0 or -errno. */
int fw_cfg_add_file(FwCfgState *s, const char *name, const void *data,
                    uint32_t len);
/* The item for key, or NULL. */
const FwCfgItem *fw_cfg_find(const FwCfgState *s, uint16_t key);
const FwCfgItem *fw_cfg_find_file(const FwCfgState *s, const char *name);

/* fw_cfg_linux.c: publish a bzImage (+ initrd, command line) on keys
 * 0x07-0x18 for the linuxboot option ROM, which is added as a "genroms/"
 * file and put first in "bootorder". -EINVAL if kernel is not a bzImage
 * (left to other loaders); other -errno on I/O or size failures. */
int fw_cfg_load_linux(FwCfgState *s, const char *kernel, const char *initrd,
                      const char *cmdline);

extern const DeviceInfo fw_cfg_device;

#endif
