/*
 * vga_render.c — turns VGA/VBE state into pixels and text: the RGB32
 * renderer (text modes with the font the BIOS loaded into plane 2 and the
 * cursor, 16-colour planar, 256-colour (mode 13h and unchained), VBE
 * linear 4/8/15/16/24/32 bpp), the text snapshot and mirror, and the PNG
 * writer (own encoder: zlib stored blocks, CRC-32 and Adler-32, RFC 1950
 * and PNG specification 1.2 sections 3-4).
 *
 * Geometry follows the CRTC (FreeVGA "CRT Controller Registers"): width
 * from the horizontal display end CR1, height from the vertical display
 * end CR12/CR7, character height CR9 bits 4:0, scan doubling CR9 bit 7,
 * start address CR0C/CR0D, line offset CR13. The output is the logical
 * resolution (mode 13h is 320x200, not 320x400). Colour goes through the
 * attribute palette (AR0-F, AR10 bit 7, AR14) and the DAC with its mask.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/vga.h"
#include "machine/vm.h"

#define AR10_GRAPHICS 0x01
#define AR10_LINE_GRAPHICS 0x04
#define AR10_BLINK 0x08
#define AR10_P54S 0x80
#define CR0A_CURSOR_OFF 0x20
#define GR5_256 0x40
#define GR5_CGA 0x20
#define SR1_DOTS8 0x01
#define SR1_SCREEN_OFF 0x20

bool vga_is_text_mode(const VgaState *s)
{
    return !(s->dispi[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED) &&
           !(s->ar[0x10] & AR10_GRAPHICS);
}

static uint32_t vga_dac_rgb(const VgaState *s, uint8_t index)
{
    const uint8_t *p = &s->palette[(index & s->dac_mask) * 3];
    if (s->dispi[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC)
        return (uint32_t)p[0] << 16 | p[1] << 8 | p[2];
    /* 6-bit DAC values scaled to 8 bits. */
    uint32_t r = p[0] & 0x3F, g = p[1] & 0x3F, b = p[2] & 0x3F;
    return (r << 2 | r >> 4) << 16 | (g << 2 | g >> 4) << 8 | (b << 2 | b >> 4);
}

/* 4-bit attribute to DAC index through the attribute palette. */
static uint8_t vga_attr_index(const VgaState *s, unsigned attr)
{
    uint8_t v = s->ar[attr & 0xF] & 0x3F;
    if (s->ar[0x10] & AR10_P54S)
        v = (uint8_t)((v & 0x0F) | (s->ar[0x14] & 0x03) << 4);
    return (uint8_t)(v | (s->ar[0x14] & 0x0C) << 4);
}

static uint32_t vga_attr_rgb(const VgaState *s, unsigned attr)
{
    return vga_dac_rgb(s, vga_attr_index(s, attr));
}

static unsigned vga_vde(const VgaState *s)
{
    return (s->crtc[0x12] | (s->crtc[7] & 0x02) << 7 |
            (s->crtc[7] & 0x40) << 3) + 1;
}

static uint32_t vga_start_addr(const VgaState *s)
{
    return (uint32_t)s->crtc[0x0C] << 8 | s->crtc[0x0D];
}

static uint8_t vga_plane(const VgaState *s, uint32_t off, unsigned plane)
{
    size_t i = (size_t)off * 4 + plane;
    return i < VGA_VRAM_SIZE ? s->vram[i] : 0;
}

/* ---- text ---- */

typedef struct TextGeom {
    unsigned cols, rows, cw, ch;
    uint32_t start, stride;
} TextGeom;

static void vga_text_geom(const VgaState *s, TextGeom *g)
{
    g->cols = s->crtc[1] + 1u;
    g->ch = (s->crtc[9] & 0x1F) + 1u;
    g->cw = (s->seq[1] & SR1_DOTS8) ? 8 : 9;
    unsigned lines = vga_vde(s);
    if (s->crtc[9] & 0x80)
        lines /= 2;
    g->rows = lines / g->ch;
    if (g->cols > VGA_TEXT_MAX_COLS)
        g->cols = VGA_TEXT_MAX_COLS;
    if (g->rows > VGA_TEXT_MAX_ROWS)
        g->rows = VGA_TEXT_MAX_ROWS;
    if (g->rows * g->ch > VGA_MAX_HEIGHT)
        g->rows = VGA_MAX_HEIGHT / g->ch;
    if (g->rows == 0)
        g->rows = 1;
    g->start = vga_start_addr(s);
    g->stride = s->crtc[0x13] * 2u;
}

/* Plane 2 offset of character map n (FreeVGA "Character Map Select"):
 * bits 1:0 select a 16 KB block, bit 2 its upper 8 KB half. */
static uint32_t vga_font_base(unsigned n)
{
    return (n & 3) * 0x4000u + ((n >> 2) & 1) * 0x2000u;
}

static uint32_t vga_font_for(const VgaState *s, uint8_t attr)
{
    uint8_t sr3 = s->seq[3];
    unsigned a = ((sr3 >> 2) & 3) | ((sr3 >> 3) & 4);
    unsigned b = (sr3 & 3) | ((sr3 >> 2) & 4);
    return vga_font_base((attr & 0x08) ? a : b);
}

static void vga_draw_cell(const VgaState *s, const TextGeom *g,
                          uint32_t *out, unsigned stride, uint32_t cell,
                          bool cursor)
{
    uint8_t c = vga_plane(s, cell, 0), at = vga_plane(s, cell, 1);
    unsigned bg = at >> 4;
    if (s->ar[0x10] & AR10_BLINK)
        bg &= 7;
    uint32_t fgc = vga_attr_rgb(s, at & 0xF), bgc = vga_attr_rgb(s, bg);
    uint32_t font = vga_font_for(s, at) + c * 32u;
    unsigned cs = s->crtc[0x0A] & 0x1F, ce = s->crtc[0x0B] & 0x1F;
    bool dup9 = (s->ar[0x10] & AR10_LINE_GRAPHICS) && c >= 0xC0 && c <= 0xDF;
    for (unsigned y = 0; y < g->ch; y++) {
        uint8_t bits = vga_plane(s, font + y, 2);
        if (cursor && y >= cs && y <= ce)
            bits = 0xFF;
        uint32_t *row = out + (size_t)y * stride;
        for (unsigned x = 0; x < 8; x++)
            row[x] = (bits & (0x80 >> x)) ? fgc : bgc;
        if (g->cw == 9)
            row[8] = (dup9 && (bits & 1)) || (cursor && bits == 0xFF) ? fgc
                                                                      : bgc;
    }
}

static void vga_render_text(const VgaState *s, uint32_t *out, int *w, int *h)
{
    TextGeom g;
    vga_text_geom(s, &g);
    *w = (int)(g.cols * g.cw);
    *h = (int)(g.rows * g.ch);
    uint32_t cur = ((uint32_t)s->crtc[0x0E] << 8 | s->crtc[0x0F]);
    bool cursor_on = !(s->crtc[0x0A] & CR0A_CURSOR_OFF);
    for (unsigned r = 0; r < g.rows; r++)
        for (unsigned c = 0; c < g.cols; c++) {
            uint32_t cell = g.start + r * g.stride + c;
            uint32_t *dst = out + (size_t)r * g.ch * (unsigned)*w + c * g.cw;
            vga_draw_cell(s, &g, dst, (unsigned)*w, cell,
                          cursor_on && cell == cur);
        }
}

/* ---- graphics ---- */

/* CR17 bit 0 clear: CGA compatibility, memory address bit 13 comes from
 * the row scan counter (FreeVGA CRTC Mode Control "MAP13"), so even scan
 * lines come from the first 8 KB and odd ones from the next. */
static bool vga_cga_interleave(const VgaState *s)
{
    return !(s->crtc[0x17] & 0x01) &&
           !(s->dispi[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED);
}

static uint32_t vga_line_addr(const VgaState *s, int y, uint32_t start,
                              uint32_t stride)
{
    if (vga_cga_interleave(s))
        return start + (uint32_t)(y >> 1) * stride + (y & 1) * 0x2000u;
    return start + (uint32_t)y * stride;
}

/* Logical size: one pixel per dot clock (two in 256-colour mode); scan
 * lines divided by the character height and scan doubling, except in CGA
 * interleave where each character row holds two distinct lines. */
static void vga_gfx_size(const VgaState *s, int *w, int *h)
{
    unsigned width = (s->crtc[1] + 1u) * 8;
    unsigned scan = (s->crtc[9] & 0x1F) + 1u;
    if (vga_cga_interleave(s))
        scan = 1;
    if (s->crtc[9] & 0x80)
        scan *= 2;
    if (s->gr[5] & GR5_256)
        width /= 2;
    unsigned height = vga_vde(s) / scan;
    *w = (int)(width > VGA_MAX_WIDTH ? VGA_MAX_WIDTH : width);
    *h = (int)(height > VGA_MAX_HEIGHT ? VGA_MAX_HEIGHT
               : height ? height : 1);
}

static void vga_render_planar(const VgaState *s, uint32_t *out, int w, int h,
                              uint32_t start, uint32_t stride)
{
    uint32_t pal[16];
    for (unsigned i = 0; i < 16; i++)
        pal[i] = vga_attr_rgb(s, i & s->ar[0x12]);
    for (int y = 0; y < h; y++) {
        uint32_t line = vga_line_addr(s, y, start, stride);
        for (int x = 0; x < w; x++) {
            uint32_t off = line + (uint32_t)x / 8;
            unsigned bit = 7 - (x & 7), idx = 0;
            for (unsigned p = 0; p < 4; p++)
                idx |= ((vga_plane(s, off, p) >> bit) & 1u) << p;
            out[(size_t)y * w + x] = pal[idx];
        }
    }
}

/* GR5 bit 5 (shift register interleave): CGA 4-colour modes 4/5, two bits
 * per pixel from the odd/even byte stream (address k is plane k&1 at
 * offset k>>1 in this model). In word mode (CR17 bit 6 clear) the CRTC
 * counts words: start and offset are doubled into bytes. */
static void vga_render_cga4(const VgaState *s, uint32_t *out, int w, int h,
                            uint32_t start, uint32_t stride)
{
    unsigned unit = (s->crtc[0x17] & 0x40) ? 1 : 2;
    for (int y = 0; y < h; y++) {
        uint32_t line = vga_line_addr(s, y, start * unit, stride * unit);
        for (int x = 0; x < w; x++) {
            uint32_t k = line + (uint32_t)x / 4;
            uint8_t b = vga_plane(s, k >> 1, k & 1);
            unsigned v = (b >> (6 - 2 * (x & 3))) & 3;
            out[(size_t)y * w + x] = vga_attr_rgb(s, v & s->ar[0x12]);
        }
    }
}

static void vga_render_256(const VgaState *s, uint32_t *out, int w, int h,
                           uint32_t start, uint32_t stride)
{
    for (int y = 0; y < h; y++) {
        uint32_t line = vga_line_addr(s, y, start, stride);
        for (int x = 0; x < w; x++) {
            uint32_t off = line + (uint32_t)x / 4;
            out[(size_t)y * w + x] = vga_dac_rgb(s, vga_plane(s, off, x & 3));
        }
    }
}

static void vga_render_vga_gfx(const VgaState *s, uint32_t *out, int *w,
                               int *h)
{
    vga_gfx_size(s, w, h);
    uint32_t start = vga_start_addr(s), stride = s->crtc[0x13] * 2u;
    if (s->gr[5] & GR5_256)
        vga_render_256(s, out, *w, *h, start, stride);
    else if (s->gr[5] & GR5_CGA)
        vga_render_cga4(s, out, *w, *h, start, stride);
    else
        vga_render_planar(s, out, *w, *h, start, stride);
}

/* ---- VBE ---- */

static uint32_t vga_vbe_pixel(const VgaState *s, const uint8_t *p,
                              unsigned bpp)
{
    uint32_t v;
    switch (bpp) {
    case 8:
        return vga_dac_rgb(s, p[0]);
    case 15:
        v = p[0] | p[1] << 8;
        return ((v >> 10) & 0x1F) * 255 / 31 << 16 |
               ((v >> 5) & 0x1F) * 255 / 31 << 8 | (v & 0x1F) * 255 / 31;
    case 16:
        v = p[0] | p[1] << 8;
        return ((v >> 11) & 0x1F) * 255 / 31 << 16 |
               ((v >> 5) & 0x3F) * 255 / 63 << 8 | (v & 0x1F) * 255 / 31;
    default: /* 24 and 32: B, G, R in memory order */
        return (uint32_t)p[2] << 16 | p[1] << 8 | p[0];
    }
}

static void vga_render_vbe(const VgaState *s, uint32_t *out, int *w, int *h)
{
    unsigned xres = s->dispi[VBE_DISPI_INDEX_XRES];
    unsigned yres = s->dispi[VBE_DISPI_INDEX_YRES];
    unsigned bpp = s->dispi[VBE_DISPI_INDEX_BPP];
    *w = (int)(xres > VGA_MAX_WIDTH ? VGA_MAX_WIDTH : xres ? xres : 1);
    *h = (int)(yres > VGA_MAX_HEIGHT ? VGA_MAX_HEIGHT : yres ? yres : 1);
    uint32_t line = vga_dispi_line_bytes(s);
    if (bpp == 4) {
        uint32_t start = s->dispi[VBE_DISPI_INDEX_Y_OFFSET] * line / 4 +
                         s->dispi[VBE_DISPI_INDEX_X_OFFSET] / 8;
        vga_render_planar(s, out, *w, *h, start, line / 4);
        return;
    }
    unsigned bytespp = (bpp + 7) / 8;
    size_t start = (size_t)s->dispi[VBE_DISPI_INDEX_Y_OFFSET] * line +
                   (size_t)s->dispi[VBE_DISPI_INDEX_X_OFFSET] * bytespp;
    for (int y = 0; y < *h; y++)
        for (int x = 0; x < *w; x++) {
            size_t i = start + (size_t)y * line + (size_t)x * bytespp;
            out[(size_t)y * *w + x] =
                i + bytespp <= VGA_VRAM_SIZE ? vga_vbe_pixel(s, &s->vram[i], bpp)
                                             : 0;
        }
}

void vga_render(VgaState *s, uint32_t *out, int *w, int *h)
{
    if (s->dispi[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED)
        vga_render_vbe(s, out, w, h);
    else if (s->ar[0x10] & AR10_GRAPHICS)
        vga_render_vga_gfx(s, out, w, h);
    else
        vga_render_text(s, out, w, h);
    /* Sequencer screen off, or the attribute controller's palette address
     * source bit clear (palette being loaded): the monitor shows black. */
    if ((s->seq[1] & SR1_SCREEN_OFF) || !(s->ar_index & 0x20))
        memset(out, 0, (size_t)*w * (size_t)*h * sizeof(*out));
}

/* ---- text snapshot and mirror ---- */

/* CP437 to ASCII for comparisons: box drawing becomes + - |. */
static char vga_ascii(uint8_t c)
{
    if (c >= 0x20 && c < 0x7F)
        return (char)c;
    if (c == 0xB3 || c == 0xBA)
        return '|';
    if (c == 0xC4 || c == 0xCD)
        return '-';
    if ((c >= 0xB4 && c <= 0xDA && c != 0xB0 && c != 0xB1 && c != 0xB2))
        return '+';
    if (c == 0x10 || c == 0x1A)
        return '>';
    if (c == 0x11 || c == 0x1B)
        return '<';
    if (c == 0x18 || c == 0x1E)
        return '^';
    if (c == 0x19 || c == 0x1F)
        return 'v';
    if (c >= 0xB0 && c <= 0xB2)
        return '#';
    if (c == 0xDB || c == 0xFE)
        return '#';
    return ' ';
}

int vga_text_snapshot(VgaState *s, char *buf, size_t len)
{
    if (!len)
        return -1;
    buf[0] = 0;
    if (!vga_is_text_mode(s))
        return -1;
    TextGeom g;
    vga_text_geom(s, &g);
    size_t n = 0;
    for (unsigned r = 0; r < g.rows; r++) {
        char line[VGA_TEXT_MAX_COLS + 1];
        unsigned end = 0;
        for (unsigned c = 0; c < g.cols; c++) {
            line[c] = vga_ascii(vga_plane(s, g.start + r * g.stride + c, 0));
            if (line[c] != ' ')
                end = c + 1;
        }
        if (n + end + 2 > len)
            break;
        memcpy(buf + n, line, end);
        n += end;
        buf[n++] = '\n';
    }
    buf[n] = 0;
    return (int)n;
}

void vga_mirror_tick(VgaState *s)
{
    if (!vga_is_text_mode(s))
        return;
    size_t len = VGA_TEXT_MAX_ROWS * (VGA_TEXT_MAX_COLS + 1) + 1;
    char buf[VGA_TEXT_MAX_ROWS * (VGA_TEXT_MAX_COLS + 1) + 1];
    if (vga_text_snapshot(s, buf, len) < 0)
        return;
    char *line = buf;
    bool printed = false;
    for (unsigned r = 0; r < VGA_TEXT_MAX_ROWS && *line; r++) {
        char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        char *prev = s->mirror_prev[r];
        if (strlen(prev) != n || memcmp(prev, line, n) != 0) {
            memcpy(prev, line, n);
            prev[n] = 0;
            if (n) {
                fwrite(line, 1, n, stdout);
                fputc('\n', stdout);
                printed = true;
            }
        }
        line += n + (nl ? 1 : 0);
    }
    if (printed)
        fflush(stdout);
}

/* ---- PNG ---- */

typedef struct PngOut {
    FILE *f;
    uint32_t crc_table[256];
    uint32_t crc;
    int err;
} PngOut;

static void png_crc_init(PngOut *o)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        o->crc_table[n] = c;
    }
}

static void png_put(PngOut *o, const void *data, size_t n)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < n; i++)
        o->crc = o->crc_table[(o->crc ^ p[i]) & 0xFF] ^ (o->crc >> 8);
    if (fwrite(data, 1, n, o->f) != n)
        o->err = -EIO;
}

static void png_be32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

/* A chunk: length, then type and data under the CRC, then the CRC. */
static void png_chunk_begin(PngOut *o, const char *type, uint32_t len)
{
    uint8_t b[4];
    png_be32(b, len);
    if (fwrite(b, 1, 4, o->f) != 4)
        o->err = -EIO;
    o->crc = 0xFFFFFFFFu;
    png_put(o, type, 4);
}

static void png_chunk_end(PngOut *o)
{
    uint8_t b[4];
    png_be32(b, o->crc ^ 0xFFFFFFFFu);
    if (fwrite(b, 1, 4, o->f) != 4)
        o->err = -EIO;
}

/* IDAT: zlib header, stored (uncompressed) deflate blocks of at most
 * 65535 bytes (RFC 1951 section 3.2.4), Adler-32 of the raw data. */
static void png_idat(PngOut *o, const uint8_t *raw, size_t n)
{
    size_t blocks = n / 65535 + 1;
    png_chunk_begin(o, "IDAT", (uint32_t)(2 + n + blocks * 5 + 4));
    png_put(o, "\x78\x01", 2);
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < n; i++) {
        a = (a + raw[i]) % 65521;
        b = (b + a) % 65521;
    }
    for (size_t i = 0, off = 0; i < blocks; i++) {
        size_t len = n - off > 65535 ? 65535 : n - off;
        uint8_t h[5] = {i + 1 == blocks, (uint8_t)len, (uint8_t)(len >> 8),
                        (uint8_t)~len, (uint8_t)(~len >> 8)};
        png_put(o, h, 5);
        png_put(o, raw + off, len);
        off += len;
    }
    uint8_t ad[4];
    png_be32(ad, b << 16 | a);
    png_put(o, ad, 4);
    png_chunk_end(o);
}

int vga_png_write(const char *path, const uint32_t *pix, int w, int h)
{
    if (w <= 0 || h <= 0)
        return -EINVAL;
    size_t row = (size_t)w * 3 + 1, n = row * (size_t)h;
    uint8_t *raw = malloc(n);
    PngOut *o = calloc(1, sizeof(*o));
    if (!raw || !o) {
        free(raw);
        free(o);
        return -ENOMEM;
    }
    for (int y = 0; y < h; y++) {
        uint8_t *r = raw + (size_t)y * row;
        r[0] = 0; /* filter: none */
        for (int x = 0; x < w; x++) {
            uint32_t p = pix[(size_t)y * w + x];
            r[1 + x * 3] = (uint8_t)(p >> 16);
            r[2 + x * 3] = (uint8_t)(p >> 8);
            r[3 + x * 3] = (uint8_t)p;
        }
    }
    int rc = 0;
    o->f = fopen(path, "wb");
    if (!o->f) {
        rc = -errno;
    } else {
        png_crc_init(o);
        if (fwrite("\x89PNG\r\n\x1a\n", 1, 8, o->f) != 8)
            o->err = -EIO;
        uint8_t ihdr[13] = {0};
        png_be32(ihdr, (uint32_t)w);
        png_be32(ihdr + 4, (uint32_t)h);
        ihdr[8] = 8; /* bit depth */
        ihdr[9] = 2; /* colour type: RGB */
        png_chunk_begin(o, "IHDR", 13);
        png_put(o, ihdr, 13);
        png_chunk_end(o);
        png_idat(o, raw, n);
        png_chunk_begin(o, "IEND", 0);
        png_chunk_end(o);
        rc = o->err;
        if (fclose(o->f) && !rc)
            rc = -EIO;
    }
    free(raw);
    free(o);
    return rc;
}

int vga_screenshot_png(VgaState *s, const char *path)
{
    uint32_t *pix = malloc((size_t)VGA_MAX_WIDTH * VGA_MAX_HEIGHT * 4);
    if (!pix)
        return -ENOMEM;
    int w, h;
    vga_render(s, pix, &w, &h);
    int rc = vga_png_write(path, pix, w, h);
    free(pix);
    return rc;
}
