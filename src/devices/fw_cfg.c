/*
 * fw_cfg.c — QEMU firmware configuration device ("fw_cfg"), the channel
 * through which SeaBIOS learns the machine's layout.
 *
 * Reference: QEMU docs/specs/fw_cfg.rst (interface version 3: traditional
 * ports plus DMA); SeaBIOS src/fw/paravirt.c as its consumer.
 *
 * Modelled: selector port 0x510 (16-bit), data port 0x511 (8-bit reads,
 * sequential, zeros past the end of an item), the DMA interface at
 * 0x514/0x518 (64-bit big-endian descriptor address, the write to the low
 * dword at 0x518 starts the transfer; control/length/address descriptor;
 * read, skip, select; all guest memory goes through the bounds-checked
 * phys_read/phys_write: a bad descriptor or buffer ends the transfer with
 * the ERROR bit), reading the DMA port returns the "QEMU CFG" signature.
 * Items: signature, ID (traditional + DMA), RAM size, CPU counts, NOGRAPHIC,
 * boot menu (key 0x0E, and "etc/boot-menu-wait" with -boot splash-time),
 * file directory (key 0x19, big-endian) and named files added by
 * the board; "etc/e820", "etc/boot-fail-wait" and the SMBIOS type 1
 * fields (key 0x8001: "VMware, Inc." / "VMware Virtual Platform") are
 * created here.
 *
 * Not modelled: guest writes to items (no item is writable: such a DMA
 * write ends with ERROR, a data-port write is ignored), the MMIO variant.
 * Device arg: "dma=off" hides the DMA interface (ID bit 1 clear).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/fw_cfg.h"
#include "machine/vm.h"

#define FW_CFG_ID_TRADITIONAL 0x01
#define FW_CFG_ID_DMA 0x02
#define FW_CFG_DMA_SIGNATURE 0x51454D5520434647ull /* "QEMU CFG" */
#define FW_CFG_DMA_CHUNK 4096

#define E820_RAM 1
#define FW_CFG_PCI_HOLE 0xE0000000ull /* RAM above this is not mapped */
#define FW_CFG_BOOT_FAIL_WAIT_MS 10000

/* ---- item store ---- */

static FwCfgItem *fw_cfg_lookup(FwCfgState *s, uint16_t key)
{
    for (unsigned i = 0; i < s->nitems; i++)
        if (s->items[i].key == key)
            return &s->items[i];
    return NULL;
}

const FwCfgItem *fw_cfg_find(const FwCfgState *s, uint16_t key)
{
    return fw_cfg_lookup((FwCfgState *)s, key);
}

const FwCfgItem *fw_cfg_find_file(const FwCfgState *s, const char *name)
{
    for (unsigned i = 0; i < s->nitems; i++)
        if (s->items[i].key >= FW_CFG_FILE_FIRST &&
            strcmp(s->items[i].name, name) == 0)
            return &s->items[i];
    return NULL;
}

static int fw_cfg_set(FwCfgState *s, uint16_t key, const char *name,
                      const void *data, uint32_t len)
{
    FwCfgItem *it = fw_cfg_lookup(s, key);
    if (!it) {
        if (s->nitems >= FW_CFG_MAX_ITEMS)
            return -ENOSPC;
        it = &s->items[s->nitems++];
        memset(it, 0, sizeof(*it));
        it->key = key;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return -ENOMEM;
    if (len)
        memcpy(copy, data, len);
    free(it->data);
    it->data = copy;
    it->len = len;
    if (name)
        snprintf(it->name, sizeof(it->name), "%s", name);
    return 0;
}

int fw_cfg_add_bytes(FwCfgState *s, uint16_t key, const void *data,
                     uint32_t len)
{
    if (key >= FW_CFG_FILE_FIRST && key < 0x8000)
        return -EINVAL; /* the file range belongs to fw_cfg_add_file */
    return fw_cfg_set(s, key, NULL, data, len);
}

int fw_cfg_add_i16(FwCfgState *s, uint16_t key, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    return fw_cfg_add_bytes(s, key, b, sizeof(b));
}

int fw_cfg_add_i32(FwCfgState *s, uint16_t key, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return fw_cfg_add_bytes(s, key, b, sizeof(b));
}

int fw_cfg_add_i64(FwCfgState *s, uint16_t key, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return fw_cfg_add_bytes(s, key, b, sizeof(b));
}

static void put_be32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

/* Key 0x19: be32 count, then per file be32 size, be16 key, be16 0,
 * char name[56]; sorted by key (fw_cfg.rst "File Directory"). */
static int fw_cfg_rebuild_dir(FwCfgState *s)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < s->nitems; i++)
        n += s->items[i].key >= FW_CFG_FILE_FIRST &&
             s->items[i].key < 0x8000;
    size_t len = 4 + (size_t)n * 64;
    uint8_t *dir = calloc(1, len);
    if (!dir)
        return -ENOMEM;
    put_be32(dir, n);
    uint8_t *p = dir + 4;
    for (uint16_t key = FW_CFG_FILE_FIRST; key < s->next_file_key; key++) {
        const FwCfgItem *it = fw_cfg_find(s, key);
        if (!it)
            continue;
        put_be32(p, it->len);
        p[4] = (uint8_t)(key >> 8);
        p[5] = (uint8_t)key;
        memcpy(p + 8, it->name, FW_CFG_NAME_LEN);
        p += 64;
    }
    int rc = fw_cfg_set(s, FW_CFG_FILE_DIR, NULL, dir, (uint32_t)len);
    free(dir);
    return rc;
}

int fw_cfg_add_file(FwCfgState *s, const char *name, const void *data,
                    uint32_t len)
{
    if (!name[0] || strlen(name) >= FW_CFG_NAME_LEN)
        return -EINVAL;
    const FwCfgItem *old = fw_cfg_find_file(s, name);
    uint16_t key = old ? old->key : s->next_file_key;
    if (!old && key >= 0x8000)
        return -ENOSPC;
    int rc = fw_cfg_set(s, key, name, data, len);
    if (rc)
        return rc;
    if (!old)
        s->next_file_key++;
    return fw_cfg_rebuild_dir(s);
}

/* ---- traditional interface ---- */

static void fw_cfg_select(FwCfgState *s, uint16_t key)
{
    s->cur_key = key;
    s->cur_off = 0;
}

static uint8_t fw_cfg_read_byte(FwCfgState *s)
{
    const FwCfgItem *it = fw_cfg_lookup(s, s->cur_key);
    if (!it || s->cur_off >= it->len)
        return 0;
    return it->data[s->cur_off++];
}

static uint32_t fw_cfg_io_read(void *opaque, uint32_t off, unsigned size)
{
    FwCfgState *s = opaque;
    if (off == 1) {
        uint32_t v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= (uint32_t)fw_cfg_read_byte(s) << (8 * i);
        return v;
    }
    if (off == 0)
        return s->cur_key;
    return 0;
}

static void fw_cfg_io_write(void *opaque, uint32_t off, uint32_t val,
                            unsigned size)
{
    FwCfgState *s = opaque;
    (void)size;
    if (off == 0)
        fw_cfg_select(s, (uint16_t)val);
    else
        log_once(&s->vm->log, LOG_GUEST_ERROR,
                 "fw_cfg: write to the data port ignored\n");
}

static const IoOps fw_cfg_io_ops = {
    .read = fw_cfg_io_read,
    .write = fw_cfg_io_write,
    .max_size = 2,
};

/* ---- DMA interface ---- */

/* Copy len bytes of the selected item (zeros past its end) to guest pa.
 * Returns 0 or -EFAULT. */
static int fw_cfg_dma_read(FwCfgState *s, uint64_t pa, uint32_t len)
{
    const FwCfgItem *it = fw_cfg_lookup(s, s->cur_key);
    uint8_t zero[FW_CFG_DMA_CHUNK];
    memset(zero, 0, sizeof(zero));
    while (len) {
        uint32_t avail = it && s->cur_off < it->len ? it->len - s->cur_off : 0;
        uint32_t n = len < FW_CFG_DMA_CHUNK ? len : FW_CFG_DMA_CHUNK;
        const uint8_t *src = zero;
        if (avail) {
            n = n < avail ? n : avail;
            src = it->data + s->cur_off;
        }
        if (phys_write(&s->vm->mem, pa, src, n))
            return -EFAULT;
        s->cur_off += avail ? n : 0;
        pa += n;
        len -= n;
    }
    return 0;
}

static void fw_cfg_dma_skip(FwCfgState *s, uint32_t len)
{
    const FwCfgItem *it = fw_cfg_lookup(s, s->cur_key);
    uint32_t avail = it && s->cur_off < it->len ? it->len - s->cur_off : 0;
    s->cur_off += len < avail ? len : avail;
}

/* Run the descriptor at guest address desc_pa (fw_cfg.rst "DMA
 * interface"): be32 control, be32 length, be64 address. */
static void fw_cfg_dma_run(FwCfgState *s, uint64_t desc_pa)
{
    uint8_t d[16];
    if (phys_read(&s->vm->mem, desc_pa, d, sizeof(d))) {
        log_once(&s->vm->log, LOG_GUEST_ERROR,
                 "fw_cfg: DMA descriptor outside RAM\n");
        return;
    }
    uint32_t ctl = get_be32(d), len = get_be32(d + 4);
    uint64_t addr = (uint64_t)get_be32(d + 8) << 32 | get_be32(d + 12);
    if (ctl & FW_CFG_DMA_SELECT)
        fw_cfg_select(s, (uint16_t)(ctl >> 16));
    int err = 0;
    if (ctl & FW_CFG_DMA_WRITE) {
        log_once(&s->vm->log, LOG_GUEST_ERROR,
                 "fw_cfg: DMA write to a read-only item\n");
        err = -EPERM;
    } else if (ctl & FW_CFG_DMA_READ) {
        err = fw_cfg_dma_read(s, addr, len);
        if (err)
            log_once(&s->vm->log, LOG_GUEST_ERROR,
                     "fw_cfg: DMA buffer outside RAM\n");
    } else if (ctl & FW_CFG_DMA_SKIP) {
        fw_cfg_dma_skip(s, len);
    }
    uint8_t status[4];
    put_be32(status, err ? FW_CFG_DMA_ERROR : 0);
    phys_write(&s->vm->mem, desc_pa, status, sizeof(status));
}

static uint32_t fw_cfg_dma_io_read(void *opaque, uint32_t off, unsigned size)
{
    FwCfgState *s = opaque;
    uint64_t sig = s->dma_enabled ? FW_CFG_DMA_SIGNATURE : ~0ull;
    /* The register is big-endian: byte 0 at 0x514 is 'Q'. */
    uint32_t v = 0;
    for (unsigned i = 0; i < size && off + i < 8; i++)
        v |= (uint32_t)((sig >> (56 - 8 * (off + i))) & 0xFF) << (8 * i);
    return v;
}

static uint32_t bswap32(uint32_t v)
{
    return (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24);
}

static void fw_cfg_dma_io_write(void *opaque, uint32_t off, uint32_t val,
                                unsigned size)
{
    FwCfgState *s = opaque;
    if (!s->dma_enabled)
        return;
    if (size != 4 || (off != 0 && off != 4)) {
        log_once(&s->vm->log, LOG_GUEST_ERROR,
                 "fw_cfg: DMA address register needs 32-bit writes\n");
        return;
    }
    if (off == 0) {
        s->dma_hi = bswap32(val);
        return;
    }
    uint64_t pa = (uint64_t)s->dma_hi << 32 | bswap32(val);
    s->dma_hi = 0;
    fw_cfg_dma_run(s, pa);
}

static const IoOps fw_cfg_dma_ops = {
    .read = fw_cfg_dma_io_read,
    .write = fw_cfg_dma_io_write,
    .max_size = 4,
};

/* ---- default items ---- */

/* "etc/e820": little-endian {u64 base, u64 length, u32 type} entries. */
static int fw_cfg_add_e820(FwCfgState *s)
{
    uint64_t ram = s->vm->mem.ram_size;
    if (ram > FW_CFG_PCI_HOLE)
        ram = FW_CFG_PCI_HOLE;
    uint8_t e[20];
    memset(e, 0, sizeof(e));
    for (int i = 0; i < 8; i++)
        e[8 + i] = (uint8_t)(ram >> (8 * i));
    e[16] = E820_RAM;
    return fw_cfg_add_file(s, "etc/e820", e, sizeof(e));
}

/* Key 0x8001, legacy SMBIOS "field" entries that SeaBIOS's smbios.c
 * copies into the tables it builds: u16 count, then per entry u16 length
 * (header included), u8 0 (field), u8 table type, u16 field offset, data.
 * Type 1 (System Information) carries the VMware identity: manufacturer
 * at offset 4, product name at offset 5 (SMBIOS 2.4 section 3.3.2). */
typedef struct FwCfgSmbiosField {
    uint8_t type, offset;
    const char *str;
} FwCfgSmbiosField;

static const FwCfgSmbiosField fw_cfg_smbios_fields[] = {
    {1, 4, "VMware, Inc."},
    {1, 5, "VMware Virtual Platform"},
};

static int fw_cfg_add_smbios(FwCfgState *s)
{
    const FwCfgSmbiosField *fields = fw_cfg_smbios_fields;
    const size_t nfields =
        sizeof(fw_cfg_smbios_fields) / sizeof(fw_cfg_smbios_fields[0]);
    uint8_t blob[128];
    size_t n = 2;
    for (size_t i = 0; i < nfields; i++) {
        size_t slen = strlen(fields[i].str) + 1, len = 6 + slen;
        blob[n] = (uint8_t)len;
        blob[n + 1] = 0;
        blob[n + 2] = 0; /* field entry */
        blob[n + 3] = fields[i].type;
        blob[n + 4] = fields[i].offset;
        blob[n + 5] = 0;
        memcpy(blob + n + 6, fields[i].str, slen);
        n += len;
    }
    blob[0] = (uint8_t)nfields;
    blob[1] = 0;
    return fw_cfg_add_bytes(s, FW_CFG_SMBIOS_ENTRIES, blob, (uint32_t)n);
}

static int fw_cfg_add_defaults(FwCfgState *s)
{
    uint8_t id[4] = {FW_CFG_ID_TRADITIONAL |
                         (s->dma_enabled ? FW_CFG_ID_DMA : 0),
                     0, 0, 0};
    uint8_t wait[4];
    for (int i = 0; i < 4; i++)
        wait[i] = (uint8_t)(FW_CFG_BOOT_FAIL_WAIT_MS >> (8 * i));
    int rc = 0;
    rc |= fw_cfg_add_bytes(s, FW_CFG_SIGNATURE, "QEMU", 4);
    rc |= fw_cfg_add_bytes(s, FW_CFG_ID, id, sizeof(id));
    rc |= fw_cfg_add_i64(s, FW_CFG_RAM_SIZE, s->vm->mem.ram_size);
    rc |= fw_cfg_add_i16(s, FW_CFG_NOGRAPHIC, s->vm->cfg.nographic);
    rc |= fw_cfg_add_i16(s, FW_CFG_NB_CPUS, 1);
    rc |= fw_cfg_add_i16(s, FW_CFG_MAX_CPUS, 1);
    rc |= fw_cfg_rebuild_dir(s);
    rc |= fw_cfg_add_e820(s);
    rc |= fw_cfg_add_file(s, "etc/boot-fail-wait", wait, sizeof(wait));
    /* -boot menu=on: SeaBIOS reads key 0x0E as "etc/show-boot-menu" (0:
     * no "Press ESC for boot menu" prompt) and waits splash-time ms. */
    rc |= fw_cfg_add_i16(s, FW_CFG_BOOT_MENU, s->vm->cfg.boot_menu);
    if (s->vm->cfg.boot_menu_ms >= 0) {
        uint8_t ms[2] = {(uint8_t)s->vm->cfg.boot_menu_ms,
                         (uint8_t)(s->vm->cfg.boot_menu_ms >> 8)};
        rc |= fw_cfg_add_file(s, "etc/boot-menu-wait", ms, sizeof(ms));
    }
    rc |= fw_cfg_add_smbios(s);
    return rc ? -ENOMEM : 0;
}

/* ---- device ---- */

static void fw_cfg_reset(void *opaque)
{
    FwCfgState *s = opaque;
    fw_cfg_select(s, FW_CFG_SIGNATURE);
    s->dma_hi = 0;
}

static int fw_cfg_init(void *opaque, VM *vm, const char *arg)
{
    FwCfgState *s = opaque;
    s->vm = vm;
    s->next_file_key = FW_CFG_FILE_FIRST;
    s->dma_enabled = !(arg && strcmp(arg, "dma=off") == 0);
    if (arg && *arg && s->dma_enabled)
        return -EINVAL;
    int rc = fw_cfg_add_defaults(s);
    if (rc)
        return rc;
    if (vm->cfg.kernel) {
        rc = fw_cfg_load_linux(s, vm->cfg.kernel, vm->cfg.initrd,
                               vm->cfg.append);
        if (rc < 0 && rc != -EINVAL)
            return rc;
    }
    rc = io_register(&vm->io, FW_CFG_PORT_SEL, 2, &fw_cfg_io_ops, s,
                     "fw_cfg");
    if (rc < 0)
        return rc;
    rc = io_register(&vm->io, FW_CFG_PORT_DMA, 8, &fw_cfg_dma_ops, s,
                     "fw_cfg-dma");
    return rc < 0 ? rc : 0;
}

static void fw_cfg_fini(void *opaque)
{
    FwCfgState *s = opaque;
    for (unsigned i = 0; i < s->nitems; i++)
        free(s->items[i].data);
    s->nitems = 0;
}

static const StateField fw_cfg_state_fields[] = {
    STATE_FIELD(FwCfgState, cur_key),
    STATE_FIELD(FwCfgState, cur_off),
    STATE_FIELD(FwCfgState, dma_hi),
    STATE_END,
};

const DeviceInfo fw_cfg_device = {
    .name = "fw_cfg",
    .state_size = sizeof(FwCfgState),
    .state_version = 1,
    .init = fw_cfg_init,
    .reset = fw_cfg_reset,
    .fini = fw_cfg_fini,
    .fields = fw_cfg_state_fields,
};
