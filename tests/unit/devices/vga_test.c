/*
 * vga_test.c — VGA register and memory semantics, Bochs DISPI, the text
 * snapshot and the PNG writer.
 *
 * References: FreeVGA "VGA/SVGA Video Programming" (FV) register pages:
 * Attribute Controller, DAC, Sequencer, Graphics, CRTC, External; IBM VGA
 * Technical Reference (IBM); QEMU docs/specs/standard-vga.txt and Bochs
 * vbe_display_api for DISPI; PNG specification 1.2 / RFC 1950.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices/devices.h"
#include "devices/vga.h"
#include "testvm.h"

#define VGA_DEVFN PCI_DEVFN(2, 0)

static VM *vm;
static VgaState *vga;

static void setup(void)
{
    vm = testvm_create(16);
    vm->cfg.display = "none";
    vm->cfg.nographic = true; /* no text mirror on the test's stdout */
    vga = testvm_add(vm, &vga_device, NULL);
    ck_assert_ptr_nonnull(vga);
}

static void teardown(void)
{
    testvm_destroy(vm);
}

static uint8_t inb(uint16_t port)
{
    return (uint8_t)io_read(&vm->io, port, 1);
}

static void outb(uint16_t port, uint8_t v)
{
    io_write(&vm->io, port, v, 1);
}

static void outw(uint16_t port, uint16_t v)
{
    io_write(&vm->io, port, v, 2);
}

static uint16_t inw(uint16_t port)
{
    return (uint16_t)io_read(&vm->io, port, 2);
}

static void seq(uint8_t i, uint8_t v) { outb(0x3C4, i); outb(0x3C5, v); }
static void gr(uint8_t i, uint8_t v) { outb(0x3CE, i); outb(0x3CF, v); }
static void crtc(uint8_t i, uint8_t v) { outb(0x3D4, i); outb(0x3D5, v); }

static uint8_t mem_rd(uint32_t pa)
{
    uint8_t v;
    ck_assert_int_eq(phys_read(&vm->mem, pa, &v, 1), 0);
    return v;
}

static void mem_wr(uint32_t pa, uint8_t v)
{
    ck_assert_int_eq(phys_write(&vm->mem, pa, &v, 1), 0);
}

/* Planar 64 KB at A0000, odd/even off, all planes (FV Sequencer Memory
 * Mode, Graphics Miscellaneous). */
static void planar_setup(uint8_t write_mode)
{
    outb(0x3C2, 0x01); /* colour ports */
    seq(2, 0x0F);
    seq(4, 0x06);
    gr(5, write_mode);
    gr(6, 0x05);
    gr(8, 0xFF);
}

static uint8_t plane_read(uint32_t off, unsigned plane)
{
    gr(4, (uint8_t)plane); /* read map select, read mode 0 */
    return mem_rd(0xA0000 + off);
}

START_TEST(test_pci_identity)
{
    /* stdvga: 1234:1111 rev 2, class 030000 at 00:02.0. */
    ck_assert_uint_eq(testvm_cfg_read(vm, VGA_DEVFN, 0, 4), 0x11111234);
    ck_assert_uint_eq(testvm_cfg_read(vm, VGA_DEVFN, 8, 4), 0x03000002);
    /* BAR0: 16 MB prefetchable memory (PCI 2.2 section 6.2.5.1). */
    testvm_cfg_write(vm, VGA_DEVFN, 0x10, 0xFFFFFFFF, 4);
    ck_assert_uint_eq(testvm_cfg_read(vm, VGA_DEVFN, 0x10, 4), 0xFF000008);
    /* BAR2: 4 KB non-prefetchable MMIO. */
    testvm_cfg_write(vm, VGA_DEVFN, 0x18, 0xFFFFFFFF, 4);
    ck_assert_uint_eq(testvm_cfg_read(vm, VGA_DEVFN, 0x18, 4), 0xFFFFF000);
    if (access("/usr/share/seabios/vgabios-stdvga.bin", R_OK) == 0) {
        testvm_cfg_write(vm, VGA_DEVFN, 0x30, 0xFFFFF800, 4);
        ck_assert_uint_ne(testvm_cfg_read(vm, VGA_DEVFN, 0x30, 4), 0);
    }
}
END_TEST

START_TEST(test_attr_flipflop)
{
    /* FV Attribute Controller: 0x3C0 alternates index/data; reading
     * Input Status #1 resets the flip-flop to "index". */
    outb(0x3C2, 0x01);
    inb(0x3DA);
    outb(0x3C0, 0x12);       /* index */
    outb(0x3C0, 0x0F);       /* data: colour plane enable */
    ck_assert_uint_eq(inb(0x3C0) & 0x1F, 0x12);
    ck_assert_uint_eq(inb(0x3C1), 0x0F);
    outb(0x3C0, 0x13);       /* index again */
    inb(0x3DA);              /* reset: next write is an index */
    outb(0x3C0, 0x31);       /* index 0x11 with PAS set */
    outb(0x3C0, 0x2A);       /* data to overscan */
    ck_assert_uint_eq(inb(0x3C0), 0x31);
    ck_assert_uint_eq(inb(0x3C1), 0x2A);
    outb(0x3C0, 0x13);
    ck_assert_uint_eq(vga->ar[0x13], 0);
}
END_TEST

START_TEST(test_dac_autoincrement)
{
    /* FV DAC: write index 0x3C8, three 6-bit values per entry, index
     * auto-increments; read index 0x3C7 likewise; 0x3C7 reads DAC state. */
    outb(0x3C8, 5);
    const uint8_t vals[6] = {1, 2, 3, 0xFF, 0x20, 0x3F};
    for (int i = 0; i < 6; i++)
        outb(0x3C9, vals[i]);
    ck_assert_uint_eq(inb(0x3C8), 7);
    ck_assert_uint_eq(inb(0x3C7) & 3, 0);
    outb(0x3C7, 5);
    ck_assert_uint_eq(inb(0x3C7) & 3, 3);
    ck_assert_uint_eq(inb(0x3C9), 1);
    ck_assert_uint_eq(inb(0x3C9), 2);
    ck_assert_uint_eq(inb(0x3C9), 3);
    ck_assert_uint_eq(inb(0x3C9), 0x3F); /* 6 bits kept */
    ck_assert_uint_eq(inb(0x3C9), 0x20);
    ck_assert_uint_eq(inb(0x3C9), 0x3F);
    ck_assert_uint_eq(vga->dac_read_index, 7);
}
END_TEST

START_TEST(test_write_mode0_set_reset)
{
    /* FV Graphics, write mode 0: planes enabled in GR1 take the GR0
     * set/reset bit, others the rotated CPU byte; GR8 bit mask keeps latch
     * bits. */
    planar_setup(0);
    gr(1, 0x0F);
    gr(0, 0x05);
    mem_wr(0xA0010, 0x00);
    ck_assert_uint_eq(plane_read(0x10, 0), 0xFF);
    ck_assert_uint_eq(plane_read(0x10, 1), 0x00);
    ck_assert_uint_eq(plane_read(0x10, 2), 0xFF);
    ck_assert_uint_eq(plane_read(0x10, 3), 0x00);
    /* Bit mask 0x0F: the read above loaded the latches (0x00/0xFF...);
     * plane 1 gets set/reset 1 only in the low nibble. */
    gr(0, 0x02);
    gr(8, 0x0F);
    mem_rd(0xA0010);
    mem_wr(0xA0010, 0x00);
    ck_assert_uint_eq(plane_read(0x10, 0), 0xF0);
    ck_assert_uint_eq(plane_read(0x10, 1), 0x0F);
    /* No set/reset, rotate right by 4, XOR with latches. */
    gr(1, 0x00);
    gr(8, 0xFF);
    gr(3, 0x04 | 0x18);
    mem_rd(0xA0010);
    mem_wr(0xA0010, 0x3C); /* rotated: 0xC3 */
    ck_assert_uint_eq(plane_read(0x10, 0), 0xF0 ^ 0xC3);
    ck_assert_uint_eq(plane_read(0x10, 1), 0x0F ^ 0xC3);
}
END_TEST

START_TEST(test_write_modes_1_2_3)
{
    planar_setup(0);
    gr(1, 0x0F);
    gr(0, 0x09);
    mem_wr(0xA0020, 0); /* planes 0,3 = FF */
    /* Write mode 1: the latches are written unchanged (FV). */
    gr(5, 1);
    mem_rd(0xA0020);
    mem_wr(0xA0030, 0x55);
    ck_assert_uint_eq(plane_read(0x30, 0), 0xFF);
    ck_assert_uint_eq(plane_read(0x30, 1), 0x00);
    ck_assert_uint_eq(plane_read(0x30, 3), 0xFF);
    /* Write mode 2: CPU bits 3:0 expand to planes, under the bit mask. */
    gr(5, 2);
    gr(8, 0xF0);
    mem_rd(0xA0030);
    mem_wr(0xA0030, 0x06);
    ck_assert_uint_eq(plane_read(0x30, 0), 0x0F);
    ck_assert_uint_eq(plane_read(0x30, 1), 0xF0);
    ck_assert_uint_eq(plane_read(0x30, 2), 0xF0);
    ck_assert_uint_eq(plane_read(0x30, 3), 0x0F);
    /* Write mode 3: set/reset colour, bit mask ANDed with the rotated CPU
     * byte. */
    gr(5, 3);
    gr(8, 0xFF);
    gr(0, 0x04);
    mem_rd(0xA0040);
    mem_wr(0xA0040, 0x81);
    ck_assert_uint_eq(plane_read(0x40, 2), 0x81);
    ck_assert_uint_eq(plane_read(0x40, 0), 0x00);
}
END_TEST

START_TEST(test_read_mode1_compare)
{
    /* FV Graphics, read mode 1: 1 where every cared-for plane matches the
     * colour compare value. */
    planar_setup(0);
    gr(1, 0x0F);
    gr(0, 0x05);
    gr(8, 0xF0);
    mem_wr(0xA0000, 0);   /* high nibble colour 5 */
    gr(0, 0x03);
    gr(8, 0x0F);
    mem_rd(0xA0000);      /* latch the high nibble */
    mem_wr(0xA0000, 0);   /* low nibble colour 3 */
    gr(5, 0x08);          /* read mode 1 */
    gr(2, 0x05);
    gr(7, 0x0F);
    ck_assert_uint_eq(mem_rd(0xA0000), 0xF0);
    gr(2, 0x03);
    ck_assert_uint_eq(mem_rd(0xA0000), 0x0F);
    gr(7, 0x00);          /* all don't care */
    ck_assert_uint_eq(mem_rd(0xA0000), 0xFF);
}
END_TEST

START_TEST(test_chain4)
{
    /* FV Sequencer Memory Mode bit 3 (chain 4): address bits 1:0 select
     * the plane; the map mask still gates writes. Host layout: address a
     * is plane a&3 at offset a>>2. */
    outb(0x3C2, 0x01);
    seq(2, 0x0F);
    seq(4, 0x0E);
    gr(5, 0x40);
    gr(6, 0x05);
    mem_wr(0xA0005, 0x77);
    ck_assert_uint_eq(mem_rd(0xA0005), 0x77);
    ck_assert_uint_eq(vga->vram[5], 0x77);
    seq(2, 0x01);         /* plane 0 only */
    mem_wr(0xA0006, 0x11); /* plane 2: masked */
    mem_wr(0xA0008, 0x22); /* plane 0 */
    ck_assert_uint_eq(mem_rd(0xA0006), 0x00);
    ck_assert_uint_eq(mem_rd(0xA0008), 0x22);
    /* The same byte seen through planar mode. */
    seq(4, 0x06);
    gr(5, 0x00);
    ck_assert_uint_eq(plane_read(1, 1), 0x77);
    ck_assert_uint_eq(plane_read(2, 0), 0x22);
}
END_TEST

START_TEST(test_memory_map_select)
{
    /* FV Graphics Miscellaneous bits 3:2: 1 = A0000-AFFFF, 3 =
     * B8000-BFFFF; outside the map the window floats. */
    outb(0x3C2, 0x01);
    seq(2, 0x03);
    seq(4, 0x02);         /* odd/even */
    gr(5, 0x10);
    gr(6, 0x0E);          /* B8000, chain odd/even */
    mem_wr(0xB8000, 'A');
    mem_wr(0xB8001, 0x1F);
    ck_assert_uint_eq(mem_rd(0xB8000), 'A');
    ck_assert_uint_eq(mem_rd(0xB8001), 0x1F);
    ck_assert_uint_eq(mem_rd(0xA0000), 0xFF);
    ck_assert_uint_eq(vga->vram[0], 'A'); /* plane 0 */
    ck_assert_uint_eq(vga->vram[1], 0x1F); /* plane 1 */
    gr(6, 0x04);          /* A0000 64K */
    ck_assert_uint_eq(mem_rd(0xB8000), 0xFF);
}
END_TEST

START_TEST(test_crtc_protect)
{
    /* FV CRTC Vertical Retrace End bit 7: CR0-CR7 read-only, except the
     * line compare bit 8 in CR7 bit 4. */
    outb(0x3C2, 0x01);
    crtc(0x01, 0x4F);
    crtc(0x07, 0x00);
    crtc(0x11, 0x80);
    crtc(0x01, 0x27);
    crtc(0x07, 0xFF);
    outb(0x3D4, 0x01);
    ck_assert_uint_eq(inb(0x3D5), 0x4F);
    outb(0x3D4, 0x07);
    ck_assert_uint_eq(inb(0x3D5), 0x10);
    crtc(0x11, 0x00);
    crtc(0x01, 0x27);
    outb(0x3D4, 0x01);
    ck_assert_uint_eq(inb(0x3D5), 0x27);
    /* Misc bit 0 clear: the CRTC answers at 0x3B4/5 only. */
    outb(0x3C2, 0x00);
    ck_assert_uint_eq(inb(0x3D5), 0xFF);
    outb(0x3B4, 0x01);
    ck_assert_uint_eq(inb(0x3B5), 0x27);
}
END_TEST

START_TEST(test_retrace_toggles)
{
    /* FV Input Status #1 bit 3: vertical retrace, once per frame. */
    outb(0x3C2, 0x01);
    bool seen_on = false, seen_off = false;
    for (int i = 0; i < 400; i++) {
        if (inb(0x3DA) & 0x08)
            seen_on = true;
        else
            seen_off = true;
        testvm_advance(vm, 50000);
    }
    ck_assert(seen_on && seen_off);
}
END_TEST

START_TEST(test_dispi_id_caps)
{
    /* Bochs VBE: the ID register accepts 0xB0C0-0xB0C5 only. */
    outw(0x1CE, VBE_DISPI_INDEX_ID);
    ck_assert_uint_eq(inw(0x1CF), VBE_DISPI_ID0);
    outw(0x1CF, VBE_DISPI_ID5);
    ck_assert_uint_eq(inw(0x1CF), VBE_DISPI_ID5);
    outw(0x1CF, 0x1234);
    ck_assert_uint_eq(inw(0x1CF), VBE_DISPI_ID5);
    outw(0x1CE, VBE_DISPI_INDEX_VIDEO_MEMORY_64K);
    ck_assert_uint_eq(inw(0x1CF), 256);
    /* GETCAPS: XRES/YRES/BPP read back the maxima. */
    outw(0x1CE, VBE_DISPI_INDEX_ENABLE);
    outw(0x1CF, VBE_DISPI_GETCAPS);
    outw(0x1CE, VBE_DISPI_INDEX_XRES);
    ck_assert_uint_eq(inw(0x1CF), VGA_MAX_WIDTH);
    outw(0x1CE, VBE_DISPI_INDEX_BPP);
    ck_assert_uint_eq(inw(0x1CF), 32);
}
END_TEST

static void dispi(unsigned i, uint16_t v)
{
    outw(0x1CE, (uint16_t)i);
    outw(0x1CF, v);
}

START_TEST(test_dispi_lfb_render)
{
    /* BAR0 is the linear framebuffer; a 32 bpp mode shows its bytes as
     * B, G, R, x. */
    testvm_cfg_write(vm, VGA_DEVFN, 0x10, 0xE0000000, 4);
    testvm_cfg_write(vm, VGA_DEVFN, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    dispi(VBE_DISPI_INDEX_XRES, 640);
    dispi(VBE_DISPI_INDEX_YRES, 480);
    dispi(VBE_DISPI_INDEX_BPP, 32);
    dispi(VBE_DISPI_INDEX_ENABLE,
          VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
    outw(0x1CE, VBE_DISPI_INDEX_VIRT_WIDTH);
    ck_assert_uint_eq(inw(0x1CF), 640);
    outw(0x1CE, VBE_DISPI_INDEX_VIRT_HEIGHT);
    ck_assert_uint_eq(inw(0x1CF), VGA_VRAM_SIZE / (640 * 4));
    /* Out-of-range values are refused. */
    dispi(VBE_DISPI_INDEX_XRES, VGA_MAX_WIDTH + 8);
    dispi(VBE_DISPI_INDEX_BPP, 12);
    outw(0x1CE, VBE_DISPI_INDEX_XRES);
    ck_assert_uint_eq(inw(0x1CF), 640);
    outw(0x1CE, VBE_DISPI_INDEX_BPP);
    ck_assert_uint_eq(inw(0x1CF), 32);
    uint32_t px = 0x00123456;
    ck_assert_int_eq(phys_write(&vm->mem, 0xE0000000 + 640 * 4 + 4, &px, 4),
                     0);
    ck_assert_uint_eq(vga->vram[640 * 4 + 4], 0x56);
    static uint32_t frame[VGA_MAX_WIDTH * VGA_MAX_HEIGHT];
    int w, h;
    outb(0x3C0, 0x20); /* palette address source: display on */
    vga_render(vga, frame, &w, &h);
    ck_assert_int_eq(w, 640);
    ck_assert_int_eq(h, 480);
    ck_assert_uint_eq(frame[640 + 1], 0x123456);
    ck_assert_uint_eq(frame[0], 0);
    /* Banked window: bank 2 at A0000 (chain-4 as the BIOS sets it). */
    seq(2, 0x0F);
    seq(4, 0x0E);
    gr(6, 0x05);
    dispi(VBE_DISPI_INDEX_BANK, 2);
    mem_wr(0xA0003, 0x99);
    ck_assert_uint_eq(vga->vram[0x20003], 0x99);
    /* A wider mode while enabled widens the virtual screen. */
    dispi(VBE_DISPI_INDEX_XRES, 800);
    outw(0x1CE, VBE_DISPI_INDEX_VIRT_WIDTH);
    ck_assert_uint_eq(inw(0x1CF), 800);
    /* Enabling without NOCLEARMEM clears the visible memory. */
    dispi(VBE_DISPI_INDEX_ENABLE, 0);
    dispi(VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED);
    ck_assert_uint_eq(vga->vram[640 * 4 + 4], 0);
}
END_TEST

/* Mode 3 CRTC/sequencer/attribute values (IBM VGA mode 3 table). */
static void text_mode_setup(void)
{
    outb(0x3C2, 0x67);
    seq(1, 0x00);
    seq(2, 0x03);
    seq(3, 0x00);
    seq(4, 0x02);
    gr(5, 0x10);
    gr(6, 0x0E);
    gr(8, 0xFF);
    crtc(0x01, 0x4F);
    crtc(0x07, 0x1F);
    crtc(0x09, 0x4F);
    crtc(0x0A, 0x0D);
    crtc(0x0B, 0x0E);
    crtc(0x12, 0x8F);
    crtc(0x13, 0x28);
    inb(0x3DA);
    for (uint8_t i = 0; i < 16; i++) {
        outb(0x3C0, i);
        outb(0x3C0, i);
    }
    outb(0x3C0, 0x10);
    outb(0x3C0, 0x0C);
    outb(0x3C0, 0x20);
}

static void put_text(unsigned row, unsigned col, const char *s)
{
    for (unsigned i = 0; s[i]; i++) {
        uint32_t a = 0xB8000 + (row * 80 + col + i) * 2;
        mem_wr(a, (uint8_t)s[i]);
        mem_wr(a + 1, 0x07);
    }
}

START_TEST(test_text_snapshot)
{
    text_mode_setup();
    put_text(0, 0, "SeaBIOS (version x)");
    put_text(2, 4, "Hello  ");
    mem_wr(0xB8000 + (3 * 80) * 2, 0xC9); /* CP437 box corner */
    mem_wr(0xB8000 + (3 * 80 + 1) * 2, 0xCD);
    char buf[4096];
    int n = vga_text_snapshot(vga, buf, sizeof(buf));
    ck_assert_int_gt(n, 0);
    const char *want = "SeaBIOS (version x)\n\n    Hello\n+-\n";
    ck_assert_int_eq(strncmp(buf, want, strlen(want)), 0);
    int lines = 0;
    for (int i = 0; i < n; i++)
        lines += buf[i] == '\n';
    ck_assert_int_eq(lines, 25);
    /* CRTC start address scrolls by cells (FV CRTC Start Address). */
    crtc(0x0C, 0);
    crtc(0x0D, 80 * 2);
    vga_text_snapshot(vga, buf, sizeof(buf));
    ck_assert_int_eq(strncmp(buf, "    Hello\n", 10), 0);
    /* A graphics mode has no text. */
    inb(0x3DA);
    outb(0x3C0, 0x30);
    outb(0x3C0, 0x01);
    ck_assert_int_eq(vga_text_snapshot(vga, buf, sizeof(buf)), -1);
    ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_text_render_font_cursor)
{
    text_mode_setup();
    /* DAC 7 = light grey, 0 = black. */
    outb(0x3C8, 7);
    outb(0x3C9, 0x2A);
    outb(0x3C9, 0x2A);
    outb(0x3C9, 0x2A);
    /* Glyph 'A' row 0 = 0x81 in plane 2 (font map 0). */
    seq(2, 0x04);
    seq(4, 0x06);
    gr(5, 0x00);
    gr(6, 0x04);
    mem_wr(0xA0000 + 'A' * 32, 0x81);
    seq(2, 0x03);
    seq(4, 0x02);
    gr(5, 0x10);
    gr(6, 0x0E);
    put_text(0, 0, " A");
    crtc(0x0E, 0);
    crtc(0x0F, 0); /* cursor at cell 0 */
    static uint32_t frame[VGA_MAX_WIDTH * VGA_MAX_HEIGHT];
    int w, h;
    vga_render(vga, frame, &w, &h);
    ck_assert_int_eq(w, 720);
    ck_assert_int_eq(h, 400);
    ck_assert_uint_eq(frame[9], 0xAAAAAA);     /* cell 1, x 0 */
    ck_assert_uint_eq(frame[10], 0);           /* x 1 */
    ck_assert_uint_eq(frame[16], 0xAAAAAA);    /* x 7 */
    ck_assert_uint_eq(frame[17], 0);           /* 9th column */
    ck_assert_uint_eq(frame[720 * 13], 0xAAAAAA); /* cursor line 13 */
    ck_assert_uint_eq(frame[720 * 12], 0);
}
END_TEST

/* Mode 13h / 12h CRTC values (IBM VGA mode tables): 640 dot clocks, 400
 * or 480 scan lines. */
static void gfx_crtc(uint8_t cr9, uint8_t cr12, uint8_t cr7)
{
    outb(0x3C2, 0xE3);
    crtc(0x01, 0x4F);
    crtc(0x07, cr7);
    crtc(0x09, cr9);
    crtc(0x12, cr12);
    crtc(0x13, 0x28);
    crtc(0x17, 0xE3);
    inb(0x3DA);
    for (uint8_t i = 0; i < 16; i++) {
        outb(0x3C0, i);
        outb(0x3C0, i);
    }
    outb(0x3C0, 0x12);
    outb(0x3C0, 0x0F);
}

START_TEST(test_render_mode13)
{
    /* Mode 13h: AR10 graphics + 8-bit colour (bit 6), GR5 bit 6, chain-4;
     * CR9 = 0x41 doubles each line: 320x200. */
    gfx_crtc(0x41, 0x8F, 0x1F);
    outb(0x3C0, 0x10);
    outb(0x3C0, 0x41);
    outb(0x3C0, 0x20);
    seq(2, 0x0F);
    seq(4, 0x0E);
    gr(5, 0x40);
    gr(6, 0x05);
    gr(8, 0xFF);
    outb(0x3C8, 0x42);
    outb(0x3C9, 0x3F);
    outb(0x3C9, 0x00);
    outb(0x3C9, 0x3F);
    mem_wr(0xA0000 + 320 * 10 + 7, 0x42);
    static uint32_t frame[VGA_MAX_WIDTH * VGA_MAX_HEIGHT];
    int w, h;
    vga_render(vga, frame, &w, &h);
    ck_assert_int_eq(w, 320);
    ck_assert_int_eq(h, 200);
    ck_assert_uint_eq(frame[320 * 10 + 7], 0xFF00FF);
    ck_assert_uint_eq(frame[320 * 10 + 8], 0);
    /* The DAC mask (FV DAC 0x3C6) ANDs the index. */
    outb(0x3C6, 0x0F);
    vga_render(vga, frame, &w, &h);
    ck_assert_uint_eq(frame[320 * 10 + 7], 0);
}
END_TEST

START_TEST(test_render_mode12)
{
    /* Mode 12h: 16-colour planar, 640x480; pixel colour = the four plane
     * bits through the attribute palette and the DAC. */
    gfx_crtc(0x40, 0xDF, 0x3E);
    outb(0x3C0, 0x10);
    outb(0x3C0, 0x01);
    outb(0x3C0, 0x20);
    planar_setup(2);          /* write mode 2: colour in CPU bits 3:0 */
    gr(8, 0x40);              /* pixel 1 of the byte */
    outb(0x3C8, 0x0B);
    outb(0x3C9, 0x00);
    outb(0x3C9, 0x3F);
    outb(0x3C9, 0x3F);
    mem_rd(0xA0000 + 80 * 5);
    mem_wr(0xA0000 + 80 * 5, 0x0B);
    static uint32_t frame[VGA_MAX_WIDTH * VGA_MAX_HEIGHT];
    int w, h;
    vga_render(vga, frame, &w, &h);
    ck_assert_int_eq(w, 640);
    ck_assert_int_eq(h, 480);
    ck_assert_uint_eq(frame[640 * 5 + 1], 0x00FFFF);
    ck_assert_uint_eq(frame[640 * 5 + 0], 0);
    /* Colour plane enable (AR12) masks plane 3 out: index 3. */
    inb(0x3DA);
    outb(0x3C0, 0x32);
    outb(0x3C0, 0x07);
    outb(0x3C0, 0x20);
    outb(0x3C8, 0x03);
    outb(0x3C9, 0x3F);
    outb(0x3C9, 0x00);
    outb(0x3C9, 0x00);
    vga_render(vga, frame, &w, &h);
    ck_assert_uint_eq(frame[640 * 5 + 1], 0xFF0000);
}
END_TEST

static uint32_t crc32_ref(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
    }
    return ~c;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

START_TEST(test_png_structure)
{
    /* PNG 1.2: signature, IHDR first (13 bytes), chunk CRCs over type and
     * data, IEND last; zlib stream (RFC 1950) with a valid Adler-32. */
    uint32_t pix[3 * 2] = {0xFF0000, 0x00FF00, 0x0000FF,
                           0xFFFFFF, 0x000000, 0x808080};
    char path[] = "/tmp/vga_test_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(vga_png_write(path, pix, 3, 2), 0);
    FILE *f = fopen(path, "rb");
    uint8_t d[1024];
    size_t n = fread(d, 1, sizeof(d), f);
    fclose(f);
    unlink(path);
    ck_assert_int_eq(memcmp(d, "\x89PNG\r\n\x1a\n", 8), 0);
    ck_assert_int_eq(memcmp(d + 12, "IHDR", 4), 0);
    ck_assert_uint_eq(be32(d + 8), 13);
    ck_assert_uint_eq(be32(d + 16), 3);
    ck_assert_uint_eq(be32(d + 20), 2);
    ck_assert_uint_eq(d[24], 8);
    ck_assert_uint_eq(d[25], 2);
    size_t i = 8;
    int chunks = 0;
    while (i + 12 <= n) {
        uint32_t len = be32(d + i);
        ck_assert_uint_le(i + 12 + len, n);
        ck_assert_uint_eq(be32(d + i + 8 + len), crc32_ref(d + i + 4, len + 4));
        if (!memcmp(d + i + 4, "IDAT", 4)) {
            const uint8_t *z = d + i + 8;
            ck_assert_uint_eq((z[0] << 8 | z[1]) % 31, 0);
            /* One stored block: raw = 2 rows of filter byte + 9. */
            ck_assert_uint_eq(z[2], 1);
            ck_assert_uint_eq(z[3] | z[4] << 8, 20);
            ck_assert_uint_eq(z[7], 0);      /* filter none */
            ck_assert_uint_eq(z[8], 0xFF);   /* red */
            uint32_t a = 1, b = 0;
            for (int k = 0; k < 20; k++) {
                a = (a + z[7 + k]) % 65521;
                b = (b + a) % 65521;
            }
            ck_assert_uint_eq(be32(z + 27), b << 16 | a);
        }
        chunks++;
        i += 12 + len;
    }
    ck_assert_int_eq(chunks, 3);
    ck_assert_uint_eq(i, n);
    ck_assert_int_eq(memcmp(d + n - 8, "IEND", 4), 0);
}
END_TEST

START_TEST(test_state_remaps_framebuffer)
{
    /* Save a VGA whose framebuffer BAR is at 0xE0000000 and load it into
     * a fresh one that the BIOS never programmed: the framebuffer must
     * decode at the saved address with the saved bytes (PCI 2.2 6.2.5). */
    testvm_cfg_write(vm, VGA_DEVFN, 0x10, 0xE0000000, 4);
    testvm_cfg_write(vm, VGA_DEVFN, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    uint32_t px = 0x00A1B2C3, got = 0;
    ck_assert_int_eq(phys_write(&vm->mem, 0xE0000010, &px, 4), 0);
    VM *b = testvm_create(16);
    b->cfg.display = "none";
    b->cfg.nographic = true;
    ck_assert_ptr_nonnull(testvm_add(b, &vga_device, NULL));
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(device_save(&vm->devices[0], f), 0);
    rewind(f);
    ck_assert_int_eq(device_load(&b->devices[0], f), 0);
    fclose(f);
    ck_assert_int_eq(phys_read(&b->mem, 0xE0000010, &got, 4), 0);
    ck_assert_uint_eq(got, px);
    testvm_destroy(b);
}
END_TEST

static Suite *vga_suite(void)
{
    Suite *s = suite_create("vga");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_pci_identity);
    tcase_add_test(tc, test_attr_flipflop);
    tcase_add_test(tc, test_dac_autoincrement);
    tcase_add_test(tc, test_write_mode0_set_reset);
    tcase_add_test(tc, test_write_modes_1_2_3);
    tcase_add_test(tc, test_read_mode1_compare);
    tcase_add_test(tc, test_chain4);
    tcase_add_test(tc, test_memory_map_select);
    tcase_add_test(tc, test_crtc_protect);
    tcase_add_test(tc, test_retrace_toggles);
    tcase_add_test(tc, test_dispi_id_caps);
    tcase_add_test(tc, test_dispi_lfb_render);
    tcase_add_test(tc, test_text_snapshot);
    tcase_add_test(tc, test_text_render_font_cursor);
    tcase_add_test(tc, test_render_mode13);
    tcase_add_test(tc, test_render_mode12);
    tcase_add_test(tc, test_png_structure);
    tcase_add_test(tc, test_state_remaps_framebuffer);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(vga_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
