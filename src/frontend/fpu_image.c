/*
 * fpu_image.c — memory images of the x87 state.
 *
 * FSTENV/FLDENV and FSAVE/FRSTOR in the four layouts of SDM vol. 1
 * 8.1.10 (figures 8-9 to 8-12: 32-bit protected, 32-bit real/V86,
 * 16-bit protected, 16-bit real/V86) and the FXSAVE/FXRSTOR layout of
 * SDM vol. 2 FXSAVE (table 3-53; the "legacy" 32-bit format). In the
 * 32-bit formats the reserved upper halves of CW/SW/TW and of the FDS
 * dword are written as all ones, as P6 and later hardware do. In real
 * mode the instruction and data pointers are stored as 20/32-bit linear
 * addresses (selector * 16 + offset), and reloaded with a zero selector.
 */
#include <stdio.h>
#include <string.h>

#include "frontend/fpu_core.h"

static void put16(uint8_t *b, size_t off, uint32_t v)
{
    b[off] = (uint8_t)v;
    b[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, size_t off, uint32_t v)
{
    put16(b, off, v);
    put16(b, off + 2, v >> 16);
}

static uint32_t get16(const uint8_t *b, size_t off)
{
    return (uint32_t)b[off] | ((uint32_t)b[off + 1] << 8);
}

static uint32_t get32(const uint8_t *b, size_t off)
{
    return get16(b, off) | (get16(b, off + 2) << 16);
}

static void put_reg(uint8_t *b, const FpuReg *r)
{
    put32(b, 0, (uint32_t)r->mant);
    put32(b, 4, (uint32_t)(r->mant >> 32));
    put16(b, 8, r->sexp);
}

static FpuReg get_reg(const uint8_t *b)
{
    FpuReg r;
    r.mant = get32(b, 0) | ((uint64_t)get32(b, 4) << 32);
    r.sexp = (uint16_t)get16(b, 8);
    return r;
}

size_t fpu_env_size(bool op32)
{
    return op32 ? 28 : 14;
}

static void fpu_store_env16(const FpuState *fs, uint8_t *b, bool real)
{
    put16(b, 0, fs->cw);
    put16(b, 2, fpu_get_sw(fs));
    put16(b, 4, fpu_get_tw(fs));
    if (real) {
        uint32_t ip = ((uint32_t)fs->fcs << 4) + fs->fip;
        uint32_t dp = ((uint32_t)fs->fds << 4) + fs->fdp;
        put16(b, 6, ip);
        put16(b, 8, ((ip >> 16) & 0xF) << 12 | fs->fop);
        put16(b, 10, dp);
        put16(b, 12, ((dp >> 16) & 0xF) << 12);
    } else {
        put16(b, 6, fs->fip);
        put16(b, 8, fs->fcs);
        put16(b, 10, fs->fdp);
        put16(b, 12, fs->fds);
    }
}

static void fpu_store_env32(const FpuState *fs, uint8_t *b, bool real)
{
    put32(b, 0, 0xFFFF0000u | fs->cw);
    put32(b, 4, 0xFFFF0000u | fpu_get_sw(fs));
    put32(b, 8, 0xFFFF0000u | fpu_get_tw(fs));
    if (real) {
        uint32_t ip = ((uint32_t)fs->fcs << 4) + fs->fip;
        uint32_t dp = ((uint32_t)fs->fds << 4) + fs->fdp;
        put32(b, 12, 0xFFFF0000u | (ip & 0xFFFF));
        put32(b, 16, (ip >> 16) << 12 | fs->fop);
        put32(b, 20, 0xFFFF0000u | (dp & 0xFFFF));
        put32(b, 24, (dp >> 16) << 12);
    } else {
        put32(b, 12, fs->fip);
        put32(b, 16, (uint32_t)fs->fop << 16 | fs->fcs);
        put32(b, 20, fs->fdp);
        put32(b, 24, 0xFFFF0000u | fs->fds);
    }
}

size_t fpu_store_env(const FpuState *fs, uint8_t *buf, bool op32, bool real)
{
    if (op32) {
        fpu_store_env32(fs, buf, real);
    } else {
        fpu_store_env16(fs, buf, real);
    }
    return fpu_env_size(op32);
}

void fpu_load_env(FpuState *fs, const uint8_t *b, bool op32, bool real)
{
    unsigned w = op32 ? 4 : 2;

    fpu_set_cw(fs, (uint16_t)get16(b, 0));
    fpu_set_tw(fs, (uint16_t)get16(b, 2 * w));
    if (real && op32) {
        fs->fip = (get32(b, 16) >> 12 & 0xFFFF) << 16 | get16(b, 12);
        fs->fop = (uint16_t)(get16(b, 16) & 0x7FF);
        fs->fdp = (get32(b, 24) >> 12 & 0xFFFF) << 16 | get16(b, 20);
        fs->fcs = fs->fds = 0;
    } else if (real) {
        fs->fip = (get16(b, 8) >> 12) << 16 | get16(b, 6);
        fs->fop = (uint16_t)(get16(b, 8) & 0x7FF);
        fs->fdp = (get16(b, 12) >> 12) << 16 | get16(b, 10);
        fs->fcs = fs->fds = 0;
    } else if (op32) {
        fs->fip = get32(b, 12);
        fs->fcs = (uint16_t)get16(b, 16);
        fs->fop = (uint16_t)(get16(b, 18) & 0x7FF);
        fs->fdp = get32(b, 20);
        fs->fds = (uint16_t)get16(b, 24);
    } else {
        fs->fip = get16(b, 6);
        fs->fcs = (uint16_t)get16(b, 8);
        fs->fdp = get16(b, 10);
        fs->fds = (uint16_t)get16(b, 12);
    }
    /* Last: SW, so that ES reflects the new CW (SDM vol. 1 8.6). */
    fpu_set_sw(fs, (uint16_t)get16(b, w));
}

size_t fpu_save(FpuState *fs, uint8_t *buf, bool op32, bool real)
{
    size_t off = fpu_store_env(fs, buf, op32, real);

    for (unsigned i = 0; i < 8; i++) {
        put_reg(buf + off + 10 * i, fpu_st(fs, i));
    }
    fpu_init(fs);
    return off + 80;
}

void fpu_restore(FpuState *fs, const uint8_t *buf, bool op32, bool real)
{
    size_t off = fpu_env_size(op32);

    fpu_load_env(fs, buf, op32, real);
    for (unsigned i = 0; i < 8; i++) {
        *fpu_st(fs, i) = get_reg(buf + off + 10 * i);
    }
}

void fpu_fxsave(const FpuState *fs, uint8_t *b)
{
    put16(b, 0, fs->cw);
    put16(b, 2, fpu_get_sw(fs));
    b[4] = (uint8_t)~fs->empty; /* abridged tag: 1 = not empty */
    b[5] = 0;
    put16(b, 6, fs->fop);
    put32(b, 8, fs->fip);
    put32(b, 12, fs->fcs);
    put32(b, 16, fs->fdp);
    put32(b, 20, fs->fds);
    put32(b, 24, fs->mxcsr);
    put32(b, 28, 0x0000FFBF); /* MXCSR_MASK: no DAZ */
    for (unsigned i = 0; i < 8; i++) {
        uint8_t *slot = b + 32 + 16 * i;
        memset(slot, 0, 16);
        put_reg(slot, &fs->r[fpu_phys(fs, i)]);
    }
}

void fpu_fxrstor(FpuState *fs, const uint8_t *b)
{
    fpu_set_cw(fs, (uint16_t)get16(b, 0));
    fs->empty = (uint8_t)~b[4];
    fs->fop = (uint16_t)(get16(b, 6) & 0x7FF);
    fs->fip = get32(b, 8);
    fs->fcs = (uint16_t)get16(b, 12);
    fs->fdp = get32(b, 16);
    fs->fds = (uint16_t)get16(b, 20);
    fs->mxcsr = get32(b, 24);
    fpu_set_sw(fs, (uint16_t)get16(b, 2));
    for (unsigned i = 0; i < 8; i++) {
        fs->r[fpu_phys(fs, i)] = get_reg(b + 32 + 16 * i);
    }
}

void fpu_dump(const FpuState *fs, FILE *f)
{
    fprintf(f, "FCW=%04x FSW=%04x FTW=%04x FOP=%03x FIP=%04x:%08x "
               "FDP=%04x:%08x%s%s\n",
            fs->cw, fpu_get_sw(fs), fpu_get_tw(fs), fs->fop, fs->fcs, fs->fip,
            fs->fds, fs->fdp, fs->ferr ? " FERR#" : "",
            fs->ignne ? " IGNNE#" : "");
    for (unsigned i = 0; i < 8; i++) {
        unsigned p = (fs->top + i) & 7;
        fprintf(f, "ST%u=%04x:%016llx%s%s", i, fs->r[p].sexp,
                (unsigned long long)fs->r[p].mant,
                ((fs->empty >> p) & 1) ? "(e)" : "   ",
                i % 4 == 3 ? "\n" : " ");
    }
}
