/*
 * i440bx.c — Intel 82443BX host bridge (PCI 00:00.0), and the 82441FX
 * identity that stock SeaBIOS knows.
 *
 * Reference: Intel 440BX AGPset: 82443BX Host Bridge/Controller Datasheet,
 * order 290633-001 (April 1998), section 3.3 "PCI configuration registers
 * (device 0)"; for the "fx" identity, Intel 82441FX PMC datasheet (290549).
 *
 * Modelled: identity (8086:7190 rev 01, or 8086:1237 rev 02), subsystem
 * 15ad:1976 (VMware), PAM0-6 shadow routing of 0xC0000-0xFFFFF through
 * mem_set_pam(), SMRAMC (0x72) with its D_LCK lock and the compatible
 * SMRAM routing of 0xA0000-0xBFFFF for accesses outside SMM (VGA, or RAM
 * while G_SMRAME and D_OPEN are set), ESMRAMC (0x73, BX only) with the
 * same lock, and on the BX the DRAM
 * registers the Linux EDAC driver reads: NBXCFG (0x50), DRAMC (0x57), DRB0-7
 * (0x60-0x67, cumulative row boundaries in 8 MB units, filled from the RAM
 * size as the BIOS's memory sizing would), EAP (0x80), ERRCMD (0x90) and
 * ERRSTS (0x91, write-1-to-clear). The memory is reported as non-ECC SDRAM at
 * 100 MHz, so no error is ever latched.
 *
 * Not modelled: the AGP aperture and AGP capability (the BX is presented
 * without AGP: no capability list, APBASE reads 0, so agpgart leaves it
 * alone), SMM itself (the CPU has no SMM mode and no SMIACT#, so only
 * non-SMM accesses exist: D_CLS and the SMM-side rows of the SMRAM table
 * never apply), the high SMRAM window (H_SMRAME) and TSEG (T_EN, TSEG_SZ
 * are stored and locked but RAM is not carved out), DRAM timing effects.
 *
 * Firmware help: the stock Debian SeaBIOS does not recognise 7190 and never
 * unlocks PAM. When the BIOS image is a SeaBIOS without our patch marker
 * (roms/README.md), the "bx" identity comes out of reset pre-shadowed: the
 * top 256 KB of the BIOS is copied to RAM below 1 MB and PAM routes
 * 0xC0000-0xFFFFF to RAM, exactly as if the BIOS had done it.
 * Device arg: "bx" (default), "fx", optionally ",shadow=on|off|auto".
 */
#include <errno.h>
#include <string.h>

#include "devices/i440bx.h"
#include "devices/pcireg.h"
#include "machine/vm.h"

/* Configuration register offsets (290633-001 section 3.3). */
#define I440BX_NBXCFG 0x50
#define I440BX_DRAMC 0x57
#define I440BX_DRAMT 0x58
#define I440BX_PAM0 0x59
#define I440BX_PAM6 0x5F
#define I440BX_DRB0 0x60
#define I440BX_DRB_ROWS 8
#define I440BX_FDHC 0x68
#define I440BX_MTT 0x70
#define I440BX_CLT 0x71
#define I440BX_SMRAM 0x72
#define I440BX_ESMRAMC 0x73
#define I440BX_RPS 0x74
#define I440BX_SDRAMC 0x76
#define I440BX_PGPOL 0x78
#define I440BX_PMCR 0x7A
#define I440BX_SCRR 0x7B
#define I440BX_EAP 0x80
#define I440BX_ERRCMD 0x90
#define I440BX_ERRSTS 0x91

/* SMRAMC bits (section 3.3.27). */
#define I440BX_SMRAM_D_OPEN 0x40
#define I440BX_SMRAM_D_CLS 0x20
#define I440BX_SMRAM_D_LCK 0x10
#define I440BX_SMRAM_G_SMRAME 0x08
#define I440BX_SMRAM_C_BASE_SEG 0x02 /* 010b: compatible SMRAM at A0000 */

/* ESMRAMC bits (section 3.3.28). */
#define I440BX_ESMRAMC_H_SMRAME 0x80
#define I440BX_ESMRAMC_T_EN 0x01
#define I440BX_ESMRAMC_LOCKED 0x87 /* H_SMRAME, TSEG_SZ, T_EN */

/* DRAMC.DT = 01b: SDRAM (section 3.3.13). */
#define I440BX_DRAMC_SDRAM 0x08
#define I440BX_DRB_UNIT (8u << 20)
#define I440BX_ROW_BYTES (128u << 20) /* one side of a 256 MB DIMM */

#define I440BX_SHADOW_MARKER "x86bt-440bx"
#define I440BX_SEABIOS_ID "SeaBIOS (version"

/* Registers common to both identities: header, PAM, SMRAM. */
#define I440_COMMON_ROWS                                                  \
    {"PCICMD", PCI_COMMAND, 2, 0x0006, 0x0100, 0},                         \
    {"PCISTS", PCI_STATUS, 2, 0x0200, 0, 0x7000},                          \
    {"MLT", PCI_LATENCY_TIMER, 1, 0x00, 0xF8, 0},                          \
    {"SVID", PCI_SUBSYSTEM_VENDOR_ID, 2, 0x15AD, 0, 0},                    \
    {"SID", PCI_SUBSYSTEM_ID, 2, 0x1976, 0, 0},                            \
    {"PAM0", 0x59, 1, 0x00, 0x30, 0},                                      \
    {"PAM1", 0x5A, 1, 0x00, 0x33, 0},                                      \
    {"PAM2", 0x5B, 1, 0x00, 0x33, 0},                                      \
    {"PAM3", 0x5C, 1, 0x00, 0x33, 0},                                      \
    {"PAM4", 0x5D, 1, 0x00, 0x33, 0},                                      \
    {"PAM5", 0x5E, 1, 0x00, 0x33, 0},                                      \
    {"PAM6", 0x5F, 1, 0x00, 0x33, 0},                                      \
    {"SMRAMC", I440BX_SMRAM, 1, 0x02, 0x78, 0}

/* 82443BX device 0 (290633-001 table 3-2 and sections 3.3.1-3.3.40). */
static const PciRegDef i440bx_regs[] = {
    I440_COMMON_ROWS,
    {"NBXCFG", I440BX_NBXCFG, 4, 0x00000000, 0xFF00F7EC, 0},
    {"DRAMC", I440BX_DRAMC, 1, I440BX_DRAMC_SDRAM, 0x3F, 0},
    {"DRAMT", I440BX_DRAMT, 1, 0x03, 0x03, 0},
    {"DRB0", 0x60, 1, 0x01, 0xFF, 0},
    {"DRB1", 0x61, 1, 0x01, 0xFF, 0},
    {"DRB2", 0x62, 1, 0x01, 0xFF, 0},
    {"DRB3", 0x63, 1, 0x01, 0xFF, 0},
    {"DRB4", 0x64, 1, 0x01, 0xFF, 0},
    {"DRB5", 0x65, 1, 0x01, 0xFF, 0},
    {"DRB6", 0x66, 1, 0x01, 0xFF, 0},
    {"DRB7", 0x67, 1, 0x01, 0xFF, 0},
    {"FDHC", I440BX_FDHC, 1, 0x00, 0xC0, 0},
    {"MTT", I440BX_MTT, 1, 0x00, 0xF8, 0},
    {"CLT", I440BX_CLT, 1, 0x10, 0xF8, 0},
    {"ESMRAMC", I440BX_ESMRAMC, 1, 0x38, 0x87, 0x40},
    {"RPS", I440BX_RPS, 2, 0x0000, 0xFFFF, 0},
    {"SDRAMC", I440BX_SDRAMC, 2, 0x0000, 0x03FF, 0},
    {"PGPOL", I440BX_PGPOL, 2, 0x0000, 0xFF07, 0},
    {"PMCR", I440BX_PMCR, 1, 0x00, 0xFF, 0},
    {"SCRR", I440BX_SCRR, 2, 0x0038, 0x3FFF, 0},
    {"EAP", I440BX_EAP, 4, 0x00000000, 0, 0x00000003},
    {"ERRCMD", I440BX_ERRCMD, 1, 0x00, 0xFF, 0},
    {"ERRSTS", I440BX_ERRSTS, 2, 0x0000, 0, 0x1FFF},
};

/* 82441FX PMC as seen by SeaBIOS/QEMU: PAM and SMRAM only. */
static const PciRegDef i440fx_regs[] = {
    I440_COMMON_ROWS,
};

typedef struct I440bxVariant {
    const char *name;
    uint16_t device_id;
    uint8_t revision;
    const PciRegDef *regs;
    size_t nregs;
    bool has_drb;
} I440bxVariant;

static const I440bxVariant i440bx_variants[] = {
    {"bx", I440BX_DEVICE_ID_BX, 0x01, i440bx_regs,
     sizeof(i440bx_regs) / sizeof(i440bx_regs[0]), true},
    {"fx", I440BX_DEVICE_ID_FX, 0x02, i440fx_regs,
     sizeof(i440fx_regs) / sizeof(i440fx_regs[0]), false},
};

/* State lives in i440bx.h (I440bxState) so the board and tests can see it. */

/* PAM register n (0..6) nibble h (0 low, 1 high) -> 16 KB chunk(s).
 * PAM0 high nibble covers 0xF0000-0xFFFFF (chunks 12-15); PAMn (n >= 1)
 * low nibble covers 0xC0000 + 32 KB * (n - 1), high the next 16 KB
 * (section 3.3.15). */
static void i440bx_apply_pam_nibble(I440bxState *s, unsigned n, unsigned h)
{
    uint8_t v = s->pci.config[I440BX_PAM0 + n] >> (4 * h);
    PamRoute r = {.read_ram = (v & 1) != 0, .write_ram = (v & 2) != 0};
    if (n == 0) {
        for (unsigned c = 12; c < 16; c++)
            mem_set_pam(&s->vm->mem, c, r);
    } else {
        mem_set_pam(&s->vm->mem, (n - 1) * 2 + h, r);
    }
}

static void i440bx_update_pam(I440bxState *s)
{
    i440bx_apply_pam_nibble(s, 0, 1);
    for (unsigned n = 1; n <= 6; n++) {
        i440bx_apply_pam_nibble(s, n, 0);
        i440bx_apply_pam_nibble(s, n, 1);
    }
}

/* Route 0xA0000-0xBFFFF for CPU and bus-master accesses outside SMM (the
 * only kind there is: the CPU has no SMM). Section 3.3.27 and the SMRAM
 * space transaction table of the functional description (chapter 4,
 * "System Management Mode (SMM) memory range"), rows with SMM decode
 * inactive: DRAM only with G_SMRAME=1, D_LCK=0 and D_OPEN=1 (D_LCK forces
 * D_OPEN to 0), otherwise PCI (the VGA window). With ESMRAMC.H_SMRAME=1 the SMRAM is the
 * high copy at 0x100A0000 and the low range stays PCI (section 3.3.28);
 * that high window and TSEG are not modelled (no SMM code can use them). */
static void i440bx_update_smram(I440bxState *s)
{
    uint8_t v = s->smram;
    bool high = s->var->has_drb &&
                (s->pci.config[I440BX_ESMRAMC] & I440BX_ESMRAMC_H_SMRAME);
    bool open = (v & I440BX_SMRAM_G_SMRAME) && (v & I440BX_SMRAM_D_OPEN) &&
                !(v & I440BX_SMRAM_D_LCK) && !high;
    if (open && (v & I440BX_SMRAM_D_CLS))
        log_once(&s->vm->log, LOG_GUEST_ERROR,
                 "i440bx: SMRAMC D_OPEN and D_CLS both set (invalid, "
                 "section 3.3.27); treated as open\n");
    mem_set_smram_open(&s->vm->mem, open);
}

/* SMRAMC write: once D_LCK is set, D_OPEN is forced to 0 and G_SMRAME and
 * D_LCK are read-only until reset (section 3.3.27). */
static void i440bx_smram_write(I440bxState *s)
{
    uint8_t v = s->pci.config[I440BX_SMRAM];
    if (s->smram & I440BX_SMRAM_D_LCK)
        v = (s->smram & ~(I440BX_SMRAM_D_OPEN | I440BX_SMRAM_D_CLS)) |
            (v & I440BX_SMRAM_D_CLS);
    if (v & I440BX_SMRAM_D_LCK)
        v &= ~I440BX_SMRAM_D_OPEN;
    s->pci.config[I440BX_SMRAM] = v;
    s->smram = v;
}

/* ESMRAMC write (section 3.3.28): H_SMRAME, TSEG_SZ and T_EN become
 * read-only once SMRAMC.D_LCK is set; E_SMERR is write-1-to-clear (the
 * register table does that). */
static void i440bx_esmramc_write(I440bxState *s)
{
    uint8_t *r = &s->pci.config[I440BX_ESMRAMC];
    if (s->smram & I440BX_SMRAM_D_LCK)
        *r = (uint8_t)((*r & ~I440BX_ESMRAMC_LOCKED) |
                       (s->esmramc & I440BX_ESMRAMC_LOCKED));
    if ((*r & I440BX_ESMRAMC_T_EN) && !(s->esmramc & I440BX_ESMRAMC_T_EN))
        log_once(&s->vm->log, LOG_UNIMP,
                 "i440bx: ESMRAMC T_EN: TSEG is not carved out of RAM\n");
    s->esmramc = *r;
}

static void i440bx_config_write(PciDevice *d, uint8_t off, uint32_t value,
                                unsigned size)
{
    I440bxState *s = d->opaque;
    (void)value;
    if (off <= I440BX_PAM6 && off + size > I440BX_PAM0)
        i440bx_update_pam(s);
    if (pcireg_hit(off, size, I440BX_SMRAM))
        i440bx_smram_write(s);
    if (s->var->has_drb && pcireg_hit(off, size, I440BX_ESMRAMC))
        i440bx_esmramc_write(s);
    i440bx_update_smram(s);
}

/* DRB0-7: cumulative upper boundary of each row in 8 MB units; rows of
 * 128 MB, the last row taking the rest (section 3.3.16). */
void i440bx_fill_drb(uint8_t drb[8], uint64_t ram_size)
{
    uint64_t units = ram_size / I440BX_DRB_UNIT;
    if (units > 0xFF)
        units = 0xFF;
    uint64_t per_row = I440BX_ROW_BYTES / I440BX_DRB_UNIT;
    for (unsigned i = 0; i < I440BX_DRB_ROWS; i++) {
        uint64_t top = (i + 1) * per_row;
        if (i == I440BX_DRB_ROWS - 1 || top > units)
            top = units;
        drb[i] = (uint8_t)top;
    }
}

static bool i440bx_bios_has(const PhysMem *mem, const char *str)
{
    return mem->bios &&
           memmem(mem->bios, mem->bios_size, str, strlen(str)) != NULL;
}

/* Auto mode: only a SeaBIOS without our 440BX patch needs the help; any
 * other firmware (test images, a patched SeaBIOS) sees reset state. */
static bool i440bx_needs_preshadow(const PhysMem *mem)
{
    return i440bx_bios_has(mem, I440BX_SEABIOS_ID) &&
           !i440bx_bios_has(mem, I440BX_SHADOW_MARKER);
}

/* Copy the top of the BIOS (up to 256 KB) to the top of the first MB and
 * open 0xC0000-0xFFFFF as read/write RAM: the state a 440BX-aware SeaBIOS
 * reaches in make_bios_writable(), which copies everything from its
 * code32flat_start (below 0xE0000 in the 256 KB build) up to 1 MB from
 * the high flash alias. */
static void i440bx_preshadow(I440bxState *s)
{
    PhysMem *mem = &s->vm->mem;
    const size_t window = 256u << 10;
    if (!mem->bios || mem->ram_size < (1u << 20))
        return;
    size_t len = mem->bios_size < window ? mem->bios_size : window;
    s->pci.config[I440BX_PAM0] = 0x30;
    for (unsigned n = 1; n <= 6; n++)
        s->pci.config[I440BX_PAM0 + n] = 0x33;
    i440bx_update_pam(s);
    phys_write(mem, 0x100000 - len, mem->bios + mem->bios_size - len, len);
}

static void i440bx_reset(void *opaque)
{
    I440bxState *s = opaque;
    pci_device_reset(&s->pci);
    pcireg_reset(&s->pci, s->var->regs, s->var->nregs);
    if (s->var->has_drb)
        i440bx_fill_drb(&s->pci.config[I440BX_DRB0], s->vm->mem.ram_size);
    s->smram = s->pci.config[I440BX_SMRAM];
    s->esmramc = s->pci.config[I440BX_ESMRAMC];
    i440bx_update_pam(s);
    i440bx_update_smram(s);
    bool shadow = s->shadow_mode == I440BX_SHADOW_ON ||
                  (s->shadow_mode == I440BX_SHADOW_AUTO &&
                   s->var->device_id == I440BX_DEVICE_ID_BX &&
                   i440bx_needs_preshadow(&s->vm->mem));
    if (shadow)
        i440bx_preshadow(s);
}

static int i440bx_parse_arg(I440bxState *s, const char *arg)
{
    s->var = &i440bx_variants[0];
    s->shadow_mode = I440BX_SHADOW_AUTO;
    if (!arg || !*arg)
        return 0;
    char buf[64];
    if (strlen(arg) >= sizeof(buf))
        return -EINVAL;
    strcpy(buf, arg);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "bx") == 0 || strcmp(t, "id=bx") == 0)
            s->var = &i440bx_variants[0];
        else if (strcmp(t, "fx") == 0 || strcmp(t, "id=fx") == 0)
            s->var = &i440bx_variants[1];
        else if (strcmp(t, "shadow=on") == 0)
            s->shadow_mode = I440BX_SHADOW_ON;
        else if (strcmp(t, "shadow=off") == 0)
            s->shadow_mode = I440BX_SHADOW_OFF;
        else if (strcmp(t, "shadow=auto") == 0)
            s->shadow_mode = I440BX_SHADOW_AUTO;
        else
            return -EINVAL;
    }
    return 0;
}

static int i440bx_init(void *opaque, VM *vm, const char *arg)
{
    I440bxState *s = opaque;
    s->vm = vm;
    if (i440bx_parse_arg(s, arg) < 0) {
        log_msg(&vm->log, LOG_ERROR, "i440bx: bad argument '%s'\n", arg);
        return -EINVAL;
    }
    s->pci.opaque = s;
    s->pci.config_write = i440bx_config_write;
    int r = pci_register(&vm->pci, &s->pci, PCI_DEVFN(0, 0), 0x8086,
                         s->var->device_id, s->var->revision, 0x060000,
                         "i440bx");
    if (r < 0)
        return r;
    if (s->var->has_drb && vm->mem.ram_size > 0xFFull * I440BX_DRB_UNIT)
        log_msg(&vm->log, LOG_INFO,
                "i440bx: DRB caps at 2040 MB; RAM above is not reported\n");
    return 0;
}

static void i440bx_fini(void *opaque)
{
    I440bxState *s = opaque;
    if (s->vm->pci.devs[PCI_DEVFN(0, 0)] == &s->pci)
        pci_unregister(&s->vm->pci, &s->pci);
}

static int i440bx_post_load(void *opaque)
{
    I440bxState *s = opaque;
    i440bx_update_pam(s);
    i440bx_update_smram(s);
    return 0;
}

static const StateField i440bx_state_fields[] = {
    STATE_FIELD(I440bxState, pci.config),
    STATE_FIELD(I440bxState, smram),
    STATE_FIELD(I440bxState, esmramc),
    STATE_END,
};

const DeviceInfo i440bx_device = {
    .name = "i440bx",
    .state_size = sizeof(I440bxState),
    .state_version = 1,
    .init = i440bx_init,
    .reset = i440bx_reset,
    .fini = i440bx_fini,
    .fields = i440bx_state_fields,
    .post_load = i440bx_post_load,
};
