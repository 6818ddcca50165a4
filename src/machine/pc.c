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
#include "devices/fdc.h"
#include "devices/rtc.h"

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

/* COM1/COM2: -serial backends in order; with -nographic COM1 defaults to
 * stdio. */
static bool arg_com(const VMConfig *cfg, unsigned index, char *buf,
                    size_t len)
{
    const char *spec = cfg->serial[index];
    if (!spec)
        spec = (index == 0 && cfg->nographic) ? "stdio" : "none";
    snprintf(buf, len, "index=%u,chardev=%s", index, spec);
    return true;
}

static bool arg_com1(const VMConfig *cfg, char *buf, size_t len)
{
    return arg_com(cfg, 0, buf, len);
}

static bool arg_com2(const VMConfig *cfg, char *buf, size_t len)
{
    return arg_com(cfg, 1, buf, len);
}

/* RTC: host UTC time unless -rtc base=DATETIME fixes the start. */
static bool arg_rtc(const VMConfig *cfg, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s", cfg->rtc_base ? "fixed=" : "",
             cfg->rtc_base ? cfg->rtc_base : "");
    return true;
}

/* Floppy controller: always present (guests probe it); -fda is drive A. */
static bool arg_fdc(const VMConfig *cfg, char *buf, size_t len)
{
    snprintf(buf, len, "drive0=%s", cfg->fda ? cfg->fda : "");
    return true;
}

/* PIIX4 IDE drives: "hda=PATH,hdb=PATH,cdrom=PATH" (cdrom: hdc). */
static bool arg_ide(const VMConfig *cfg, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s%s%s%s%s%s", cfg->hda ? "hda=" : "",
                     cfg->hda ? cfg->hda : "", cfg->hdb ? ",hdb=" : "",
                     cfg->hdb ? cfg->hdb : "", cfg->cdrom ? ",cdrom=" : "",
                     cfg->cdrom ? cfg->cdrom : "");
    if (n > 0 && buf[0] == ',')
        memmove(buf, buf + 1, strlen(buf));
    return true;
}

static const BoardRow pc_board[] = {
    {&debugcon_device, arg_debugcon_e9},
    {&debugcon_device, arg_debugcon_402},
    {&debugexit_device, NULL},
    {&pic_device, NULL},
    {&pit_device, NULL},
    {&rtc_device, arg_rtc},
    {&uart16550_device, arg_com1},
    {&uart16550_device, arg_com2},
    {&i8042_device, NULL},
    {&dma8237_device, NULL},
    {&fdc_device, arg_fdc},
    {&i440bx_device, NULL},    /* 00:00.0 host bridge, "bx" identity */
    {&piix4_isa_device, NULL}, /* 00:01.0 */
    {&ide_device, arg_ide},    /* 00:01.1 */
    {&piix4_usb_device, NULL}, /* 00:01.2 */
    {&piix4_pm_device, NULL},  /* 00:01.3 */
    {&vga_device, NULL},       /* 00:02.0 stdvga (until a -vga none) */
    {&fw_cfg_device, NULL},
};

bool pc_default_bios(char *buf, size_t len)
{
    /* build/roms/bios.bin from the working directory, then beside the
     * executable's build directory (build/<mode>/x86bt), then Debian's. */
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    const char *slash = NULL;
    if (n > 0) {
        exe[n] = 0;
        slash = strrchr(exe, '/');
    }
    char beside[4096 + 32] = "";
    if (slash)
        snprintf(beside, sizeof(beside), "%.*s/../roms/bios.bin",
                 (int)(slash - exe), exe);
    const char *const candidates[] = {
        "build/roms/bios.bin",
        beside,
        "/usr/share/seabios/bios-256k.bin",
        "/usr/share/seabios/bios.bin",
    };
    for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
        if (candidates[i][0] && access(candidates[i], R_OK) == 0) {
            snprintf(buf, len, "%s", candidates[i]);
            return true;
        }
    return false;
}

/* Read the firmware into a buffer the VM owns (vm->bios_image). */
static int pc_load_bios(VM *vm, char *err, size_t errlen)
{
    char found[4200];
    const char *path = vm->cfg.bios;
    if (!path && pc_default_bios(found, sizeof(found)))
        path = found;
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

/* CMOS bytes SeaBIOS reads at POST (layout of QEMU's pc_cmos_init, see
 * notes/DEVICES.md section 1): memory sizes, boot order, CPU count. */
static void pc_cmos_init(VM *vm)
{
    RtcState *rtc = vm_find_device(vm, &rtc_device);
    if (!rtc)
        return;
    uint64_t kb = vm->cfg.ram_mb * 1024;
    uint64_t ext = kb > 1024 ? kb - 1024 : 0;
    if (ext > 0xFFFF)
        ext = 0xFFFF;
    uint64_t above16 = kb > 16384 ? (kb - 16384) / 64 : 0;
    if (above16 > 0xFFFF)
        above16 = 0xFFFF;
    rtc_set_cmos(rtc, RTC_CMOS_BASE_LO, 640 & 0xFF);
    rtc_set_cmos(rtc, RTC_CMOS_BASE_HI, 640 >> 8);
    rtc_set_cmos(rtc, RTC_CMOS_EXT_LO, (uint8_t)ext);
    rtc_set_cmos(rtc, RTC_CMOS_EXT_HI, (uint8_t)(ext >> 8));
    rtc_set_cmos(rtc, RTC_CMOS_EXT2_LO, (uint8_t)ext);
    rtc_set_cmos(rtc, RTC_CMOS_EXT2_HI, (uint8_t)(ext >> 8));
    rtc_set_cmos(rtc, RTC_CMOS_MEM16_LO, (uint8_t)above16);
    rtc_set_cmos(rtc, RTC_CMOS_MEM16_HI, (uint8_t)(above16 >> 8));
    rtc_set_cmos(rtc, RTC_CMOS_NCPUS, 0);
    /* Boot order nibbles: 1 floppy, 2 disk, 3 CD, 4 network; first two in
     * 0x3D, third in 0x38 bits 7:4; 0x38 bit 0 skips the floppy boot
     * signature check. */
    const char *order = vm->cfg.boot[0] ? vm->cfg.boot : "cad";
    unsigned nib[3] = {0, 0, 0};
    for (unsigned i = 0; i < 3 && order[i]; i++) {
        const char *p = strchr("acdn", order[i]);
        nib[i] = p ? (unsigned)(p - "acdn") + 1 : 0;
    }
    rtc_set_cmos(rtc, RTC_CMOS_BOOT0, (uint8_t)(nib[0] | nib[1] << 4));
    rtc_set_cmos(rtc, RTC_CMOS_BOOT1, (uint8_t)(nib[2] << 4 | 1));
    /* Floppy types (drive A high nibble) and the equipment byte: bit 0
     * floppies present, bits 7:6 their count - 1, bit 1 FPU, bits 5:4 00
     * = VGA. */
    FdcState *fdc = vm_find_device(vm, &fdc_device);
    unsigned fa = fdc ? fdc_drive_type(fdc, 0) : 0;
    unsigned fb = fdc ? fdc_drive_type(fdc, 1) : 0;
    unsigned nfd = (fa != 0) + (fb != 0);
    rtc_set_cmos(rtc, RTC_CMOS_FLOPPY, (uint8_t)(fa << 4 | fb));
    rtc_set_cmos(rtc, RTC_CMOS_EQUIPMENT,
                 (uint8_t)(0x02 | (nfd ? 0x01 | (nfd - 1) << 6 : 0)));
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
    pc_cmos_init(vm);
    return pc_load_bios(vm, err, errlen);
}
