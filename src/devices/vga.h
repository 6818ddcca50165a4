/*
 * vga.h — standard VGA with the Bochs VBE ("DISPI") extension: state shared
 * by the register/memory model (vga.c) and the renderer (vga_render.c),
 * and the API used by the display backends, the CLI hooks and the tests.
 */
#ifndef X86BT_VGA_H
#define X86BT_VGA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/clock.h"
#include "machine/pci.h"

#define VGA_VRAM_SIZE (16u << 20) /* 16 MB, QEMU's default vgamem */
#define VGA_MAX_WIDTH 2560
#define VGA_MAX_HEIGHT 1600
#define VGA_TEXT_MAX_COLS 132
#define VGA_TEXT_MAX_ROWS 60

/* Bochs VBE DISPI registers (index port 0x1CE, data port 0x1CF). */
enum {
    VBE_DISPI_INDEX_ID,
    VBE_DISPI_INDEX_XRES,
    VBE_DISPI_INDEX_YRES,
    VBE_DISPI_INDEX_BPP,
    VBE_DISPI_INDEX_ENABLE,
    VBE_DISPI_INDEX_BANK,
    VBE_DISPI_INDEX_VIRT_WIDTH,
    VBE_DISPI_INDEX_VIRT_HEIGHT,
    VBE_DISPI_INDEX_X_OFFSET,
    VBE_DISPI_INDEX_Y_OFFSET,
    VBE_DISPI_INDEX_VIDEO_MEMORY_64K,
    VBE_DISPI_INDEX_NB,
};
#define VBE_DISPI_ID0 0xB0C0
#define VBE_DISPI_ID5 0xB0C5
#define VBE_DISPI_ENABLED 0x01
#define VBE_DISPI_GETCAPS 0x02
#define VBE_DISPI_8BIT_DAC 0x20
#define VBE_DISPI_LFB_ENABLED 0x40
#define VBE_DISPI_NOCLEARMEM 0x80

typedef struct VgaState {
    PciDevice pci;
    struct VM *vm;

    /* IBM VGA registers (FreeVGA "VGA/SVGA Video Programming"). */
    uint8_t misc;        /* 0x3C2 write / 0x3CC read */
    uint8_t fcr;         /* feature control 0x3BA/0x3DA write, 0x3CA read */
    uint8_t seq_index, seq[8];
    uint8_t crtc_index, crtc[32];
    uint8_t gr_index, gr[16];
    uint8_t ar_index, ar[32];
    bool ar_flipflop;    /* false: next 0x3C0 write is an index */
    uint8_t dac_mask;    /* 0x3C6 */
    uint8_t dac_read_index, dac_write_index, dac_sub;
    uint8_t dac_state;   /* 0x3C7 read: 0 after a write-index, 3 after read */
    uint8_t dac_cache[3];
    uint8_t palette[768];
    uint32_t latch;      /* four plane bytes, plane 0 in bits 7:0 */

    /* Bochs VBE */
    uint16_t dispi_index;
    uint16_t dispi[VBE_DISPI_INDEX_NB];

    /* host side (not saved) */
    int io_region, dispi_region, mem_region;
    Timer mirror_timer;
    Timer shot_timer, shot_text_timer;
    bool mirror;
    char mirror_prev[VGA_TEXT_MAX_ROWS][VGA_TEXT_MAX_COLS + 1];
    uint8_t *rom;        /* option ROM image (owned), or NULL */
    struct DisplaySdl *display;

    /* Video memory, last so that it is saved as one field. Planar byte
     * (offset o, plane p) is vram[o * 4 + p]. */
    uint8_t vram[VGA_VRAM_SIZE];
} VgaState;

/* Register and memory access (also the unit tests' entry points):
 * window offset 0..0x1FFFF from 0xA0000, ports 0x3B0-0x3DF, DISPI. */
uint8_t vga_mem_readb(VgaState *s, uint32_t off);
void vga_mem_writeb(VgaState *s, uint32_t off, uint8_t val);
uint8_t vga_port_read(VgaState *s, uint16_t port);
void vga_port_write(VgaState *s, uint16_t port, uint8_t val);
uint16_t vga_dispi_read(VgaState *s, unsigned index);
void vga_dispi_write(VgaState *s, unsigned index, uint16_t val);
/* Bytes per line of the VBE virtual screen. */
uint32_t vga_dispi_line_bytes(const VgaState *s);

/* Render the current screen into out (at least VGA_MAX_WIDTH *
 * VGA_MAX_HEIGHT pixels, 0x00RRGGBB); w and h receive the size. A blanked
 * screen renders black at its mode's size. */
void vga_render(VgaState *s, uint32_t *out, int *w, int *h);
/* The text screen as rows of characters (CP437 mapped to ASCII, trailing
 * blanks dropped), one '\n' after each row, NUL-terminated within len.
 * Returns the length written, or -1 (buf = "") in a graphics mode. */
int vga_text_snapshot(VgaState *s, char *buf, size_t len);
/* Write the current screen as an RGB PNG. 0 or -errno. */
int vga_screenshot_png(VgaState *s, const char *path);
/* Encode an RGB32 frame as PNG into path (own encoder). 0 or -errno. */
int vga_png_write(const char *path, const uint32_t *pix, int w, int h);
/* True when the attribute controller selects text (alphanumeric) mode
 * and the VBE extension is off. */
bool vga_is_text_mode(const VgaState *s);

/* Text mirror (-display none): print changed rows to stdout. */
void vga_mirror_tick(VgaState *s);

#endif
