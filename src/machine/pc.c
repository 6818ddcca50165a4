/*
 * pc.c — the board: a table of devices plus one short function.
 *
 * Each row names a device, when it is present, and how its option string
 * is derived from the VM configuration. Devices wire themselves to ports,
 * IRQ lines and PCI slots in their init functions.
 */
#include "machine/pc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/devices.h"

typedef struct BoardRow {
    const DeviceInfo *info;
    /* Writes the device's arg into buf; returns false if the device is
     * absent in this configuration. NULL: always present, arg NULL. */
    bool (*arg)(const VMConfig *cfg, char *buf, size_t len);
} BoardRow;

static bool arg_debugcon_e9(const VMConfig *cfg, char *buf, size_t len)
{
    (void)cfg;
    snprintf(buf, len, "0xe9:stdio");
    return true;
}

static bool arg_debugcon_402(const VMConfig *cfg, char *buf, size_t len)
{
    if (!cfg->debugcon)
        return false;
    snprintf(buf, len, "0x402:%s", cfg->debugcon);
    return true;
}

static const BoardRow pc_board[] = {
    {&debugcon_device, arg_debugcon_e9},
    {&debugcon_device, arg_debugcon_402},
    {&debugexit_device, NULL},
    {&pic_device, NULL},
};

const char *pc_default_bios(void)
{
    static const char *const candidates[] = {
        "build/roms/bios.bin",
        "/usr/share/seabios/bios-256k.bin",
        "/usr/share/seabios/bios.bin",
    };
    for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
        if (access(candidates[i], R_OK) == 0)
            return candidates[i];
    return NULL;
}

/* Read the firmware into a buffer the VM owns (vm->bios_image). */
static int pc_load_bios(VM *vm, char *err, size_t errlen)
{
    const char *path = vm->cfg.bios ? vm->cfg.bios : pc_default_bios();
    if (!path) {
        snprintf(err, errlen, "no BIOS found: install the 'seabios' package "
                              "or pass -bios FILE");
        return -ENOENT;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "-bios: cannot open '%s': %s", path,
                 strerror(errno));
        return -errno;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (size < 4096 || size > (16 << 20) || (size & 4095)) {
        fclose(f);
        snprintf(err, errlen,
                 "-bios: '%s' has size %ld; expected a multiple of 4 KB "
                 "up to 16 MB",
                 path, size);
        return -EINVAL;
    }
    vm->bios_image = malloc((size_t)size);
    if (!vm->bios_image || fread(vm->bios_image, 1, (size_t)size, f) !=
                               (size_t)size) {
        fclose(f);
        snprintf(err, errlen, "-bios: cannot read '%s'", path);
        return -EIO;
    }
    fclose(f);
    int rc = mem_set_bios(&vm->mem, vm->bios_image, (size_t)size);
    if (rc)
        snprintf(err, errlen, "-bios: cannot map '%s'", path);
    return rc;
}

int pc_init(VM *vm, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof(pc_board) / sizeof(pc_board[0]); i++) {
        const BoardRow *row = &pc_board[i];
        char arg[512];
        if (row->arg && !row->arg(&vm->cfg, arg, sizeof(arg)))
            continue;
        if (!vm_add_device(vm, row->info, row->arg ? arg : NULL)) {
            snprintf(err, errlen, "cannot create device '%s'",
                     row->info->name);
            return -EINVAL;
        }
    }
    return pc_load_bios(vm, err, errlen);
}
