/*
 * fw_cfg_linux.c — direct Linux boot through the firmware: the bzImage,
 * initrd and command line are offered on fw_cfg keys 0x07-0x18 and QEMU's
 * linuxboot option ROM (run by SeaBIOS from "genroms/") copies them into
 * place and jumps to the real-mode setup code.
 *
 * Reference: Linux Documentation/arch/x86/boot.rst ("The Linux/x86 Boot
 * Protocol": header fields setup_sects 0x1F1, version 0x206, loadflags
 * 0x211, heap_end_ptr 0x224, cmd_line_ptr 0x228, initrd_addr_max 0x22C;
 * "Loading the rest of the kernel"; memory layout for protocol >= 2.02);
 * QEMU docs/specs/fw_cfg.rst for the key numbers.
 *
 * The ROM (linuxboot_dma.bin, or linuxboot.bin without DMA) comes from
 * Debian's qemu-system-data package; without it, the keys are still
 * published and a log line says that the kernel cannot be started.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/fw_cfg.h"
#include "machine/vm.h"

#define LINUX_HDR_MAGIC_OFF 0x202
#define LINUX_SETUP_SECTS 0x1F1
#define LINUX_VERSION 0x206
#define LINUX_LOADER_TYPE 0x210
#define LINUX_LOADFLAGS 0x211
#define LINUX_RAMDISK_IMAGE 0x218
#define LINUX_RAMDISK_SIZE 0x21C
#define LINUX_HEAP_END 0x224
#define LINUX_CMDLINE_PTR 0x228
#define LINUX_INITRD_MAX 0x22C
#define LINUX_LOADED_HIGH 0x01
#define LINUX_CAN_USE_HEAP 0x80
#define LINUX_MAX_FILE (512u << 20)

#define LINUXBOOT_DIR "/usr/share/qemu/"

static void put_le16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    put_le16(p, v);
    put_le16(p + 2, v >> 16);
}

static uint32_t get_le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Read a whole file (at most LINUX_MAX_FILE bytes). NULL on failure. */
static uint8_t *fw_cfg_slurp(const char *path, uint32_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && (unsigned long)n <= LINUX_MAX_FILE &&
            fseek(f, 0, SEEK_SET) == 0) {
            buf = malloc(n ? (size_t)n : 1);
            if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
                free(buf);
                buf = NULL;
            }
            *len = (uint32_t)n;
        }
    }
    fclose(f);
    return buf;
}

typedef struct LinuxLayout {
    uint32_t real_addr, cmdline_addr, prot_addr;
} LinuxLayout;

/* Where the pieces go, by protocol version (boot.rst "Memory layout"). */
static LinuxLayout fw_cfg_linux_layout(uint16_t proto, uint8_t loadflags)
{
    if (proto < 0x200 || !(loadflags & LINUX_LOADED_HIGH))
        return (LinuxLayout){0x90000, 0x9A000, 0x10000};
    if (proto < 0x202)
        return (LinuxLayout){0x90000, 0x9A000, 0x100000};
    return (LinuxLayout){0x10000, 0x20000, 0x100000};
}

static int fw_cfg_add_initrd(FwCfgState *s, uint8_t *setup, uint16_t proto,
                             const char *path)
{
    uint32_t len;
    uint8_t *data = fw_cfg_slurp(path, &len);
    if (!data) {
        log_msg(&s->vm->log, LOG_ERROR, "fw_cfg: cannot read -initrd '%s'\n",
                path);
        return -EIO;
    }
    uint64_t max = proto >= 0x203 ? get_le32(setup + LINUX_INITRD_MAX)
                                  : 0x37FFFFFF;
    uint64_t top = s->vm->mem.ram_size < 0xE0000000ull
                       ? s->vm->mem.ram_size
                       : 0xE0000000ull;
    if (max + 1 < top)
        top = max + 1;
    if (len + (2u << 20) > top) {
        free(data);
        log_msg(&s->vm->log, LOG_ERROR, "fw_cfg: initrd too large for RAM\n");
        return -ENOMEM;
    }
    uint32_t addr = (uint32_t)((top - len) & ~0xFFFull);
    put_le32(setup + LINUX_RAMDISK_IMAGE, addr);
    put_le32(setup + LINUX_RAMDISK_SIZE, len);
    int rc = fw_cfg_add_i32(s, FW_CFG_INITRD_ADDR, addr);
    rc |= fw_cfg_add_i32(s, FW_CFG_INITRD_SIZE, len);
    rc |= fw_cfg_add_bytes(s, FW_CFG_INITRD_DATA, data, len);
    free(data);
    return rc ? -ENOMEM : 0;
}

static void fw_cfg_add_linuxboot_rom(FwCfgState *s)
{
    const char *name = s->dma_enabled ? "linuxboot_dma.bin" : "linuxboot.bin";
    char path[128], file[64];
    snprintf(path, sizeof(path), LINUXBOOT_DIR "%s", name);
    snprintf(file, sizeof(file), "genroms/%s", name);
    uint32_t len;
    uint8_t *rom = fw_cfg_slurp(path, &len);
    if (!rom) {
        log_msg(&s->vm->log, LOG_ERROR,
                "fw_cfg: %s not found (Debian package qemu-system-data): "
                "SeaBIOS cannot start -kernel\n", path);
        return;
    }
    fw_cfg_add_file(s, file, rom, len);
    free(rom);
    char order[80];
    int n = snprintf(order, sizeof(order), "/rom@%s\n", file);
    fw_cfg_add_file(s, "bootorder", order, (uint32_t)n + 1);
}

/* Publish kernel/initrd/cmdline for the linuxboot ROM. 0 or -errno. */
int fw_cfg_load_linux(FwCfgState *s, const char *kernel, const char *initrd,
                      const char *cmdline)
{
    uint32_t len;
    uint8_t *img = fw_cfg_slurp(kernel, &len);
    if (!img || len < 0x400 ||
        memcmp(img + LINUX_HDR_MAGIC_OFF, "HdrS", 4) != 0) {
        free(img);
        return -EINVAL; /* not a bzImage: not ours (multiboot, etc.) */
    }
    uint16_t proto = (uint16_t)(img[LINUX_VERSION] | img[LINUX_VERSION + 1] << 8);
    uint32_t setup_size = ((img[LINUX_SETUP_SECTS] ? img[LINUX_SETUP_SECTS]
                                                   : 4) + 1u) * 512u;
    if (setup_size >= len) {
        free(img);
        return -EINVAL;
    }
    LinuxLayout lay = fw_cfg_linux_layout(proto, img[LINUX_LOADFLAGS]);
    uint8_t *setup = img; /* the header is patched in place */
    const char *cl = cmdline ? cmdline : "";
    uint32_t cl_len = (uint32_t)strlen(cl) + 1;
    if (proto >= 0x202) {
        put_le32(setup + LINUX_CMDLINE_PTR, lay.cmdline_addr);
    } else {
        put_le16(setup + 0x20, 0xA33F);
        put_le16(setup + 0x22, lay.cmdline_addr - lay.real_addr);
    }
    setup[LINUX_LOADER_TYPE] = 0xFF; /* undefined boot loader */
    if (proto >= 0x201) {
        put_le16(setup + LINUX_HEAP_END,
                 lay.cmdline_addr - lay.real_addr - 0x200);
        setup[LINUX_LOADFLAGS] |= LINUX_CAN_USE_HEAP;
    }
    int rc = initrd ? fw_cfg_add_initrd(s, setup, proto, initrd) : 0;
    if (!rc) {
        rc |= fw_cfg_add_i32(s, FW_CFG_KERNEL_ADDR, lay.prot_addr);
        rc |= fw_cfg_add_i32(s, FW_CFG_KERNEL_SIZE, len - setup_size);
        rc |= fw_cfg_add_bytes(s, FW_CFG_KERNEL_DATA, img + setup_size,
                               len - setup_size);
        rc |= fw_cfg_add_i32(s, FW_CFG_CMDLINE_ADDR, lay.cmdline_addr);
        rc |= fw_cfg_add_i32(s, FW_CFG_CMDLINE_SIZE, cl_len);
        rc |= fw_cfg_add_bytes(s, FW_CFG_CMDLINE_DATA, cl, cl_len);
        rc |= fw_cfg_add_i32(s, FW_CFG_SETUP_ADDR, lay.real_addr);
        rc |= fw_cfg_add_i32(s, FW_CFG_SETUP_SIZE, setup_size);
        rc |= fw_cfg_add_bytes(s, FW_CFG_SETUP_DATA, setup, setup_size);
        rc = rc ? -ENOMEM : 0;
    }
    free(img);
    if (!rc)
        fw_cfg_add_linuxboot_rom(s);
    return rc;
}
