/*
 * vga.c — IBM VGA with the Bochs VBE extension, as QEMU's "stdvga" PCI
 * device (1234:1111 rev 2, class 030000) at 00:02.0.
 *
 * References: IBM "VGA Technical Reference" (Personal System/2 Hardware
 * Interface Technical Reference, VGA section) and FreeVGA "VGA/SVGA Video
 * Programming" (register pages: Sequencer, CRTC, Graphics, Attribute,
 * DAC, External); Bochs/QEMU docs/specs/standard-vga.txt for DISPI and
 * the PCI variant's MMIO BAR.
 *
 * Modelled: ports 0x3B0-0x3DF (misc output, feature control, input status
 * 0/1 with vertical retrace and display-enable timing from the virtual
 * clock, sequencer, CRTC with the CR11 protect bit and mono/colour port
 * selection by misc bit 0, graphics controller, attribute controller with
 * its index/data flip-flop reset by an input status 1 read, DAC with read
 * and write indices, auto-increment and 6-bit (or VBE 8-bit) entries);
 * the 0xA0000-0xBFFFF window with GR6 memory map select; planar memory
 * (4 planes, stored interleaved: plane p of offset o is vram[o*4+p]);
 * write modes 0-3 (set/reset, rotate, logical function, bit mask), read
 * modes 0-1 (colour compare/don't care), latches, chain-4 and odd/even
 * (host offsets compressed as QEMU and Bochs do: chain-4 address a is
 * vram[a], odd/even address a is plane a&1 at offset a>>1).
 * Bochs DISPI at 0x1CE/0x1CF (IDs 0xB0C0-0xB0C5, GETCAPS, LFB, 8-bit DAC,
 * NOCLEARMEM, banks, virtual size and offsets); PCI BAR0 = 16 MB VRAM
 * (prefetchable LFB), BAR2 = 4 KB MMIO (0x000 EDID (absent: zeros),
 * 0x400 the VGA ports 0x3C0-0x3DF, 0x500 DISPI registers flat), ROM BAR =
 * /usr/share/seabios/vgabios-stdvga.bin.
 * Not modelled: CGA/Hercules address remapping (CR17 bits 0-1), line
 * compare split screen, pixel panning, light pen, the video subsystem
 * enable port 0x3C3 (always enabled).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/pcireg.h"
#include "devices/vga.h"
#include "machine/display.h"
#include "machine/vm.h"

#define VGA_DEVFN PCI_DEVFN(2, 0)
#define VGA_ROM_PATH "/usr/share/seabios/vgabios-stdvga.bin"
#define VGA_MMIO_SIZE 4096
#define VGA_MMIO_PORTS 0x400
#define VGA_MMIO_DISPI 0x500
#define VGA_WINDOW_BASE 0xA0000
#define VGA_WINDOW_SIZE 0x20000
#define VGA_PORT_BASE 0x3B0
#define VGA_PORT_LEN 0x30
#define DISPI_PORT 0x1CE

/* Timing of a 640x480 / 720x400 70 Hz frame (FreeVGA "CRTC"): used only
 * for the input status 1 bits guests poll. */
#define VGA_FRAME_NS 14286000
#define VGA_VRETRACE_NS 64000
#define VGA_LINE_NS 31778
#define VGA_HBLANK_NS 6000

#define VGA_MIRROR_NS (NS_PER_SEC / 10)

/* Register bits (FreeVGA register pages). */
#define MISC_IOAS 0x01     /* CRTC at 0x3D4 (else 0x3B4) */
#define SEQ_MEMMODE_CHAIN4 0x08
#define SEQ_MEMMODE_OE_DIS 0x04 /* odd/even disabled (sequential) */
#define GR5_READ_MODE 0x08
#define GR5_ODD_EVEN 0x10
#define CR11_PROTECT 0x80
#define ST1_DISP_DISABLED 0x01
#define ST1_VRETRACE 0x08
#define AR_PAS 0x20

/* Expand 4 plane bits to byte lanes (bit p -> 0xFF in lane p). */
static uint32_t vga_expand4(unsigned bits)
{
    uint32_t v = 0;
    for (unsigned p = 0; p < 4; p++)
        if (bits & (1u << p))
            v |= 0xFFu << (8 * p);
    return v;
}

static uint32_t vga_plane_word(const VgaState *s, uint32_t off)
{
    const uint8_t *p = &s->vram[(size_t)off * 4];
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- the memory window ---- */

/* Window offset (0..128K) to a VGA address, per GR6 bits 3:2; -1 if the
 * offset is outside the selected map. VBE banks add 64 KB units. */
static int64_t vga_window_addr(const VgaState *s, uint32_t off)
{
    switch ((s->gr[6] >> 2) & 3) {
    case 0:
        break;
    case 1:
        if (off >= 0x10000)
            return -1;
        if (s->dispi[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED)
            off += (uint32_t)s->dispi[VBE_DISPI_INDEX_BANK] << 16;
        break;
    case 2:
        if (off < 0x10000 || off >= 0x18000)
            return -1;
        off -= 0x10000;
        break;
    default:
        if (off < 0x18000)
            return -1;
        off -= 0x18000;
        break;
    }
    return off;
}

static uint8_t vga_read_planar(VgaState *s, uint32_t addr)
{
    if ((size_t)addr * 4 + 4 > VGA_VRAM_SIZE)
        return 0xFF;
    s->latch = vga_plane_word(s, addr);
    if (!(s->gr[5] & GR5_READ_MODE))
        return (uint8_t)(s->latch >> (8 * (s->gr[4] & 3)));
    /* Read mode 1: colour compare; a 1 where every plane that is not a
     * "don't care" in GR7 equals its GR2 colour bit. */
    uint32_t diff = (s->latch ^ vga_expand4(s->gr[2])) & vga_expand4(s->gr[7]);
    uint8_t any = (uint8_t)(diff | diff >> 8 | diff >> 16 | diff >> 24);
    return (uint8_t)~any;
}

uint8_t vga_mem_readb(VgaState *s, uint32_t off)
{
    int64_t a = vga_window_addr(s, off);
    if (a < 0)
        return 0xFF;
    uint32_t addr = (uint32_t)a;
    if (s->seq[4] & SEQ_MEMMODE_CHAIN4)
        return addr < VGA_VRAM_SIZE ? s->vram[addr] : 0xFF;
    if (s->gr[5] & GR5_ODD_EVEN) {
        unsigned plane = (s->gr[4] & 2) | (addr & 1);
        uint32_t o = addr >> 1;
        if ((size_t)o * 4 + 4 > VGA_VRAM_SIZE)
            return 0xFF;
        s->latch = vga_plane_word(s, o);
        return s->vram[(size_t)o * 4 + plane];
    }
    return vga_read_planar(s, addr);
}

/* Apply GR3's logical function with the latches (FreeVGA "Graphics
 * Registers", Data Rotate Register bits 4:3). */
static uint32_t vga_alu(const VgaState *s, uint32_t v)
{
    switch ((s->gr[3] >> 3) & 3) {
    case 1:
        return v & s->latch;
    case 2:
        return v | s->latch;
    case 3:
        return v ^ s->latch;
    default:
        return v;
    }
}

static uint8_t vga_rotate(const VgaState *s, uint8_t v)
{
    unsigned r = s->gr[3] & 7;
    return (uint8_t)((v >> r) | (v << ((8 - r) & 7)));
}

/* The 32-bit plane word written by write modes 0-3 (FreeVGA "Graphics
 * Mode Register" write mode descriptions). */
static uint32_t vga_write_value(const VgaState *s, uint8_t val)
{
    uint32_t bitmask = s->gr[8], v;
    switch (s->gr[5] & 3) {
    case 0: {
        uint32_t sr = vga_expand4(s->gr[0]), en = vga_expand4(s->gr[1]);
        v = (vga_rotate(s, val) * 0x01010101u & ~en) | (sr & en);
        v = vga_alu(s, v);
        break;
    }
    case 1:
        return s->latch;
    case 2:
        v = vga_alu(s, vga_expand4(val & 0xF));
        break;
    default:
        bitmask &= vga_rotate(s, val);
        v = vga_alu(s, vga_expand4(s->gr[0]));
        break;
    }
    bitmask *= 0x01010101u;
    return (v & bitmask) | (s->latch & ~bitmask);
}

void vga_mem_writeb(VgaState *s, uint32_t off, uint8_t val)
{
    int64_t a = vga_window_addr(s, off);
    if (a < 0)
        return;
    uint32_t addr = (uint32_t)a;
    unsigned mapmask = s->seq[2] & 0xF;
    if (s->seq[4] & SEQ_MEMMODE_CHAIN4) {
        if (addr < VGA_VRAM_SIZE && (mapmask & (1u << (addr & 3))))
            s->vram[addr] = val;
        return;
    }
    if (!(s->seq[4] & SEQ_MEMMODE_OE_DIS)) {
        /* Odd/even: even addresses reach planes 0/2, odd ones 1/3. */
        unsigned plane = addr & 1;
        size_t o = (size_t)(addr >> 1) * 4;
        if (o + 4 > VGA_VRAM_SIZE)
            return;
        for (unsigned p = plane; p < 4; p += 2)
            if (mapmask & (1u << p))
                s->vram[o + p] = val;
        return;
    }
    if ((size_t)addr * 4 + 4 > VGA_VRAM_SIZE)
        return;
    uint32_t v = vga_write_value(s, val);
    for (unsigned p = 0; p < 4; p++)
        if (mapmask & (1u << p))
            s->vram[(size_t)addr * 4 + p] = (uint8_t)(v >> (8 * p));
}

static uint32_t vga_window_read(void *opaque, uint32_t off, unsigned size)
{
    (void)size;
    return vga_mem_readb(opaque, off);
}

static void vga_window_write(void *opaque, uint32_t off, uint32_t val,
                             unsigned size)
{
    (void)size;
    vga_mem_writeb(opaque, off, (uint8_t)val);
}

static const IoOps vga_window_ops = {
    .read = vga_window_read,
    .write = vga_window_write,
    .min_size = 1,
    .max_size = 1,
};

/* ---- VGA ports ---- */

/* Input status 1 (FreeVGA "External Registers"): vertical retrace at the
 * start of each 70 Hz frame, display disabled during h/v blanking. */
static uint8_t vga_status1(VgaState *s)
{
    int64_t t = clock_now(&s->vm->clock) % VGA_FRAME_NS;
    uint8_t v = 0;
    if (t < VGA_VRETRACE_NS)
        v |= ST1_VRETRACE | ST1_DISP_DISABLED;
    else if (t % VGA_LINE_NS >= VGA_LINE_NS - VGA_HBLANK_NS)
        v |= ST1_DISP_DISABLED;
    s->ar_flipflop = false;
    return v;
}

/* Ports in the inactive mono (0x3Bx) or colour (0x3Dx) range float. */
static bool vga_port_inactive(const VgaState *s, uint16_t port)
{
    if (port >= 0x3B0 && port < 0x3C0)
        return s->misc & MISC_IOAS;
    if (port >= 0x3D0)
        return !(s->misc & MISC_IOAS);
    return false;
}

static uint8_t vga_dac_read(VgaState *s)
{
    uint8_t v = s->palette[s->dac_read_index * 3 + s->dac_sub];
    if (++s->dac_sub == 3) {
        s->dac_sub = 0;
        s->dac_read_index++;
    }
    return v;
}

static void vga_dac_write(VgaState *s, uint8_t val)
{
    bool wide = s->dispi[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC;
    s->dac_cache[s->dac_sub++] = wide ? val : (val & 0x3F);
    if (s->dac_sub == 3) {
        memcpy(&s->palette[s->dac_write_index * 3], s->dac_cache, 3);
        s->dac_sub = 0;
        s->dac_write_index++;
    }
}

uint8_t vga_port_read(VgaState *s, uint16_t port)
{
    if (vga_port_inactive(s, port))
        return 0xFF;
    switch (port) {
    case 0x3C0:
        return s->ar_index;
    case 0x3C1:
        return s->ar[s->ar_index & 0x1F];
    case 0x3C2:
        return 0; /* input status 0 */
    case 0x3C4:
        return s->seq_index;
    case 0x3C5:
        return s->seq[s->seq_index & 7];
    case 0x3C6:
        return s->dac_mask;
    case 0x3C7:
        return s->dac_state;
    case 0x3C8:
        return s->dac_write_index;
    case 0x3C9:
        return vga_dac_read(s);
    case 0x3CA:
        return s->fcr;
    case 0x3CC:
        return s->misc;
    case 0x3CE:
        return s->gr_index;
    case 0x3CF:
        return s->gr[s->gr_index & 0xF];
    case 0x3B4:
    case 0x3D4:
        return s->crtc_index;
    case 0x3B5:
    case 0x3D5:
        return s->crtc[s->crtc_index & 0x1F];
    case 0x3BA:
    case 0x3DA:
        return vga_status1(s);
    default:
        return 0xFF;
    }
}

static void vga_ar_write(VgaState *s, uint8_t val)
{
    if (!s->ar_flipflop) {
        s->ar_index = val & 0x3F;
    } else {
        unsigned i = s->ar_index & 0x1F;
        if (i <= 0x14)
            s->ar[i] = val;
    }
    s->ar_flipflop = !s->ar_flipflop;
}

static void vga_crtc_write(VgaState *s, uint8_t val)
{
    unsigned i = s->crtc_index & 0x1F;
    if ((s->crtc[0x11] & CR11_PROTECT) && i <= 7) {
        /* CR11 bit 7 write-protects CR0-CR7 except CR7 bit 4 (line
         * compare bit 8). */
        if (i == 7)
            s->crtc[7] = (uint8_t)((s->crtc[7] & ~0x10) | (val & 0x10));
        return;
    }
    if (i <= 0x18)
        s->crtc[i] = val;
}

void vga_port_write(VgaState *s, uint16_t port, uint8_t val)
{
    if (vga_port_inactive(s, port))
        return;
    switch (port) {
    case 0x3C0:
        vga_ar_write(s, val);
        break;
    case 0x3C2:
        s->misc = val;
        break;
    case 0x3C4:
        s->seq_index = val;
        break;
    case 0x3C5:
        if ((s->seq_index & 7) <= 4)
            s->seq[s->seq_index & 7] = val;
        break;
    case 0x3C6:
        s->dac_mask = val;
        break;
    case 0x3C7:
        s->dac_read_index = val;
        s->dac_sub = 0;
        s->dac_state = 3;
        break;
    case 0x3C8:
        s->dac_write_index = val;
        s->dac_sub = 0;
        s->dac_state = 0;
        break;
    case 0x3C9:
        vga_dac_write(s, val);
        break;
    case 0x3CE:
        s->gr_index = val;
        break;
    case 0x3CF:
        if ((s->gr_index & 0xF) <= 8)
            s->gr[s->gr_index & 0xF] = val;
        break;
    case 0x3B4:
    case 0x3D4:
        s->crtc_index = val;
        break;
    case 0x3B5:
    case 0x3D5:
        vga_crtc_write(s, val);
        break;
    case 0x3BA:
    case 0x3DA:
        s->fcr = val;
        break;
    default:
        break;
    }
}

static uint32_t vga_io_read(void *opaque, uint32_t off, unsigned size)
{
    (void)size;
    return vga_port_read(opaque, (uint16_t)(VGA_PORT_BASE + off));
}

/* Word writes put the index in the low byte and the data in the high byte
 * (the bus splits them into two byte writes, in that order). */
static void vga_io_write(void *opaque, uint32_t off, uint32_t val,
                         unsigned size)
{
    (void)size;
    vga_port_write(opaque, (uint16_t)(VGA_PORT_BASE + off), (uint8_t)val);
}

static const IoOps vga_io_ops = {
    .read = vga_io_read,
    .write = vga_io_write,
    .min_size = 1,
    .max_size = 1,
};

/* ---- Bochs DISPI ---- */

static unsigned vga_dispi_bytespp(const VgaState *s)
{
    return (s->dispi[VBE_DISPI_INDEX_BPP] + 7) / 8;
}

/* Bytes per scan line of the virtual screen (4 bpp: planar bytes). */
uint32_t vga_dispi_line_bytes(const VgaState *s)
{
    uint32_t w = s->dispi[VBE_DISPI_INDEX_VIRT_WIDTH];
    if (s->dispi[VBE_DISPI_INDEX_BPP] == 4)
        return w / 2;
    return w * vga_dispi_bytespp(s);
}

static void vga_dispi_recalc_virt(VgaState *s)
{
    uint32_t line = vga_dispi_line_bytes(s);
    uint32_t h = line ? VGA_VRAM_SIZE / line : 0;
    s->dispi[VBE_DISPI_INDEX_VIRT_HEIGHT] = h > 0xFFFF ? 0xFFFF : (uint16_t)h;
}

/* A geometry change while enabled (as QEMU allows): the virtual width
 * grows to the new visible width, the virtual height follows. */
static void vga_dispi_fixup(VgaState *s)
{
    if (s->dispi[VBE_DISPI_INDEX_VIRT_WIDTH] < s->dispi[VBE_DISPI_INDEX_XRES])
        s->dispi[VBE_DISPI_INDEX_VIRT_WIDTH] = s->dispi[VBE_DISPI_INDEX_XRES];
    vga_dispi_recalc_virt(s);
}

static void vga_dispi_enable(VgaState *s, uint16_t val)
{
    uint16_t old = s->dispi[VBE_DISPI_INDEX_ENABLE];
    if ((val & VBE_DISPI_ENABLED) && !(old & VBE_DISPI_ENABLED)) {
        if (!s->dispi[VBE_DISPI_INDEX_BPP])
            s->dispi[VBE_DISPI_INDEX_BPP] = 8;
        s->dispi[VBE_DISPI_INDEX_VIRT_WIDTH] = s->dispi[VBE_DISPI_INDEX_XRES];
        s->dispi[VBE_DISPI_INDEX_X_OFFSET] = 0;
        s->dispi[VBE_DISPI_INDEX_Y_OFFSET] = 0;
        vga_dispi_recalc_virt(s);
        if (!(val & VBE_DISPI_NOCLEARMEM)) {
            size_t n = (size_t)vga_dispi_line_bytes(s) *
                       s->dispi[VBE_DISPI_INDEX_YRES];
            memset(s->vram, 0, n < VGA_VRAM_SIZE ? n : VGA_VRAM_SIZE);
        }
    }
    s->dispi[VBE_DISPI_INDEX_ENABLE] = val;
}

uint16_t vga_dispi_read(VgaState *s, unsigned index)
{
    bool caps = s->dispi[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS;
    switch (index) {
    case VBE_DISPI_INDEX_XRES:
        return caps ? VGA_MAX_WIDTH : s->dispi[index];
    case VBE_DISPI_INDEX_YRES:
        return caps ? VGA_MAX_HEIGHT : s->dispi[index];
    case VBE_DISPI_INDEX_BPP:
        return caps ? 32 : s->dispi[index];
    case VBE_DISPI_INDEX_VIDEO_MEMORY_64K:
        return VGA_VRAM_SIZE >> 16;
    default:
        return index < VBE_DISPI_INDEX_NB ? s->dispi[index] : 0;
    }
}

static bool vga_dispi_bpp_ok(uint16_t v)
{
    return v == 4 || v == 8 || v == 15 || v == 16 || v == 24 || v == 32;
}

void vga_dispi_write(VgaState *s, unsigned index, uint16_t val)
{
    bool on = s->dispi[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED;
    switch (index) {
    case VBE_DISPI_INDEX_ID:
        if (val >= VBE_DISPI_ID0 && val <= VBE_DISPI_ID5)
            s->dispi[index] = val;
        break;
    case VBE_DISPI_INDEX_XRES:
    case VBE_DISPI_INDEX_YRES:
    case VBE_DISPI_INDEX_BPP:
        if (index == VBE_DISPI_INDEX_BPP && !val)
            val = 8;
        if ((index == VBE_DISPI_INDEX_XRES && val > VGA_MAX_WIDTH) ||
            (index == VBE_DISPI_INDEX_YRES && val > VGA_MAX_HEIGHT) ||
            (index == VBE_DISPI_INDEX_BPP && !vga_dispi_bpp_ok(val))) {
            log_once(&s->vm->log, LOG_GUEST_ERROR,
                     "vga: DISPI register %u value %#x out of range\n", index,
                     val);
            break;
        }
        s->dispi[index] = val;
        if (on)
            vga_dispi_fixup(s);
        break;
    case VBE_DISPI_INDEX_ENABLE:
        vga_dispi_enable(s, val);
        break;
    case VBE_DISPI_INDEX_BANK:
        s->dispi[index] = val & ((VGA_VRAM_SIZE >> 16) - 1);
        break;
    case VBE_DISPI_INDEX_VIRT_WIDTH:
        s->dispi[index] = val;
        vga_dispi_recalc_virt(s);
        break;
    case VBE_DISPI_INDEX_VIRT_HEIGHT:
    case VBE_DISPI_INDEX_X_OFFSET:
    case VBE_DISPI_INDEX_Y_OFFSET:
        s->dispi[index] = val;
        break;
    default:
        break;
    }
}

/* Port 0x1CE is the 16-bit index, 0x1CF (and 0x1D0, used by some
 * guests) the 16-bit data register. */
static uint32_t dispi_io_read(void *opaque, uint32_t off, unsigned size)
{
    VgaState *s = opaque;
    (void)size;
    return off == 0 ? s->dispi_index : vga_dispi_read(s, s->dispi_index);
}

static void dispi_io_write(void *opaque, uint32_t off, uint32_t val,
                           unsigned size)
{
    VgaState *s = opaque;
    (void)size;
    if (off == 0)
        s->dispi_index = (uint16_t)val;
    else
        vga_dispi_write(s, s->dispi_index, (uint16_t)val);
}

static const IoOps dispi_io_ops = {
    .read = dispi_io_read,
    .write = dispi_io_write,
    .min_size = 1,
    .max_size = 2,
};

/* ---- PCI BAR2: QEMU stdvga MMIO (docs/specs/standard-vga.txt) ---- */

static uint32_t vga_mmio_read(void *opaque, uint32_t off, unsigned size)
{
    VgaState *s = opaque;
    if (off >= VGA_MMIO_PORTS && off < VGA_MMIO_PORTS + 0x20) {
        uint32_t v = 0;
        for (unsigned i = 0; i < size && off + i < VGA_MMIO_PORTS + 0x20; i++)
            v |= (uint32_t)vga_port_read(
                     s, (uint16_t)(0x3C0 + off + i - VGA_MMIO_PORTS))
                 << (8 * i);
        return v;
    }
    if (off >= VGA_MMIO_DISPI && off < VGA_MMIO_DISPI + 2 * VBE_DISPI_INDEX_NB)
        return vga_dispi_read(s, (off - VGA_MMIO_DISPI) / 2);
    return 0; /* no EDID blob */
}

static void vga_mmio_write(void *opaque, uint32_t off, uint32_t val,
                           unsigned size)
{
    VgaState *s = opaque;
    if (off >= VGA_MMIO_PORTS && off < VGA_MMIO_PORTS + 0x20) {
        for (unsigned i = 0; i < size && off + i < VGA_MMIO_PORTS + 0x20; i++)
            vga_port_write(s, (uint16_t)(0x3C0 + off + i - VGA_MMIO_PORTS),
                           (uint8_t)(val >> (8 * i)));
    } else if (off >= VGA_MMIO_DISPI &&
               off < VGA_MMIO_DISPI + 2 * VBE_DISPI_INDEX_NB) {
        vga_dispi_write(s, (off - VGA_MMIO_DISPI) / 2, (uint16_t)val);
    }
}

static const IoOps vga_mmio_ops = {
    .read = vga_mmio_read,
    .write = vga_mmio_write,
    .min_size = 1,
    .max_size = 2,
};

/* ---- reset, timers, init ---- */

static const PciRegDef vga_pci_regs[] = {
    {"PCICMD", PCI_COMMAND, 2, 0x0000, 0x0003, 0},
    {"PCISTS", PCI_STATUS, 2, 0x0000, 0, 0},
    {"SVID", PCI_SUBSYSTEM_VENDOR_ID, 2, 0x1AF4, 0, 0},
    {"SID", PCI_SUBSYSTEM_ID, 2, 0x1100, 0, 0},
};

static void vga_reset(void *opaque)
{
    VgaState *s = opaque;
    pci_device_reset(&s->pci);
    pcireg_reset(&s->pci, vga_pci_regs,
                 sizeof(vga_pci_regs) / sizeof(vga_pci_regs[0]));
    s->misc = s->fcr = 0;
    s->seq_index = s->crtc_index = s->gr_index = s->ar_index = 0;
    memset(s->seq, 0, sizeof(s->seq));
    memset(s->crtc, 0, sizeof(s->crtc));
    memset(s->gr, 0, sizeof(s->gr));
    memset(s->ar, 0, sizeof(s->ar));
    s->ar_flipflop = false;
    s->dac_mask = 0xFF;
    s->dac_read_index = s->dac_write_index = s->dac_sub = s->dac_state = 0;
    s->latch = 0;
    s->dispi_index = 0;
    memset(s->dispi, 0, sizeof(s->dispi));
    s->dispi[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID0;
    s->dispi[VBE_DISPI_INDEX_BPP] = 8;
}

static void vga_mirror_cb(void *opaque)
{
    VgaState *s = opaque;
    vga_mirror_tick(s);
    timer_mod(&s->mirror_timer, clock_now(&s->vm->clock) + VGA_MIRROR_NS);
}

static void vga_shot_cb(void *opaque)
{
    VgaState *s = opaque;
    int rc = vga_screenshot_png(s, s->vm->cfg.shot_path);
    if (rc)
        log_msg(&s->vm->log, LOG_ERROR, "vga: cannot write '%s': %s\n",
                s->vm->cfg.shot_path, strerror(-rc));
}

static void vga_shot_text_cb(void *opaque)
{
    VgaState *s = opaque;
    const char *path = s->vm->cfg.shot_text_path;
    size_t len = VGA_TEXT_MAX_ROWS * (VGA_TEXT_MAX_COLS + 1) + 1;
    char *buf = malloc(len);
    FILE *f = fopen(path, "w");
    if (!buf || !f) {
        log_msg(&s->vm->log, LOG_ERROR, "vga: cannot write '%s'\n", path);
    } else {
        vga_text_snapshot(s, buf, len);
        fputs(buf, f);
    }
    if (f)
        fclose(f);
    free(buf);
}

/* The option ROM, padded to a power of two for the ROM BAR. */
static void vga_load_rom(VgaState *s)
{
    FILE *f = fopen(VGA_ROM_PATH, "rb");
    if (!f) {
        log_msg(&s->vm->log, LOG_INFO,
                "vga: %s not found (package seabios); no VGA BIOS\n",
                VGA_ROM_PATH);
        return;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint32_t size = 2048;
    while (n > 0 && size < (uint32_t)n && size < (1u << 20))
        size <<= 1;
    if (n <= 0 || (uint32_t)n > size || !(s->rom = calloc(1, size)) ||
        fread(s->rom, 1, (size_t)n, f) != (size_t)n) {
        log_msg(&s->vm->log, LOG_ERROR, "vga: cannot read %s\n", VGA_ROM_PATH);
        free(s->rom);
        s->rom = NULL;
    } else {
        pci_set_rom(&s->pci, s->rom, size);
    }
    fclose(f);
}

static void vga_init_host(VgaState *s, VM *vm)
{
    timer_init(&s->mirror_timer, &vm->clock, vga_mirror_cb, s);
    timer_init(&s->shot_timer, &vm->clock, vga_shot_cb, s);
    timer_init(&s->shot_text_timer, &vm->clock, vga_shot_text_cb, s);
    if (vm->cfg.shot_path && vm->cfg.shot_ns >= 0)
        timer_mod(&s->shot_timer, vm->cfg.shot_ns);
    if (vm->cfg.shot_text_path && vm->cfg.shot_text_ns >= 0)
        timer_mod(&s->shot_text_timer, vm->cfg.shot_text_ns);
    const char *disp = vm->cfg.display ? vm->cfg.display : "none";
    if (!vm->cfg.nographic && !strcmp(disp, "sdl"))
        s->display = display_sdl_open(vm, s);
    /* Text mirror: -display none (or SDL fallback), never -nographic,
     * whose terminal belongs to the serial port. */
    s->mirror = !vm->cfg.nographic && !s->display;
    if (s->mirror)
        timer_mod(&s->mirror_timer, VGA_MIRROR_NS);
}

static int vga_init(void *opaque, VM *vm, const char *arg)
{
    VgaState *s = opaque;
    (void)arg;
    s->vm = vm;
    s->io_region = s->dispi_region = s->mem_region = -1;
    s->pci.opaque = s;
    int rc = pci_register(&vm->pci, &s->pci, VGA_DEVFN, 0x1234, 0x1111, 0x02,
                          0x030000, "vga");
    if (rc < 0)
        return rc;
    pci_set_bar_ram(&s->pci, 0, s->vram, VGA_VRAM_SIZE, NULL);
    pci_set_bar(&s->pci, 2, PCI_BAR_MEM32, VGA_MMIO_SIZE, &vga_mmio_ops, s);
    s->io_region = io_register(&vm->io, VGA_PORT_BASE, VGA_PORT_LEN,
                               &vga_io_ops, s, "vga");
    s->dispi_region =
        io_register(&vm->io, DISPI_PORT, 3, &dispi_io_ops, s, "vbe-dispi");
    s->mem_region = mem_map_mmio(&vm->mem, VGA_WINDOW_BASE, VGA_WINDOW_SIZE,
                                 &vga_window_ops, s, "vga-window");
    if (s->io_region < 0 || s->dispi_region < 0 || s->mem_region < 0)
        return -EBUSY;
    vga_load_rom(s);
    vga_init_host(s, vm);
    return 0;
}

static void vga_fini(void *opaque)
{
    VgaState *s = opaque;
    if (!s->vm)
        return;
    if (s->display)
        display_sdl_close(s->display);
    timer_del(&s->mirror_timer);
    timer_del(&s->shot_timer);
    timer_del(&s->shot_text_timer);
    if (s->vm->pci.devs[VGA_DEVFN] == &s->pci)
        pci_unregister(&s->vm->pci, &s->pci);
    if (s->io_region >= 0)
        io_unregister(&s->vm->io, s->io_region);
    if (s->dispi_region >= 0)
        io_unregister(&s->vm->io, s->dispi_region);
    if (s->mem_region >= 0)
        mem_unmap(&s->vm->mem, s->mem_region);
    free(s->rom);
}

/* The saved config space may move the framebuffer and MMIO BARs. */
static int vga_post_load(void *opaque)
{
    VgaState *s = opaque;
    pci_device_post_load(&s->pci);
    return 0;
}

static const StateField vga_state_fields[] = {
    STATE_FIELD(VgaState, pci.config),
    STATE_FIELD(VgaState, misc),
    STATE_FIELD(VgaState, fcr),
    STATE_FIELD(VgaState, seq_index),
    STATE_FIELD(VgaState, seq),
    STATE_FIELD(VgaState, crtc_index),
    STATE_FIELD(VgaState, crtc),
    STATE_FIELD(VgaState, gr_index),
    STATE_FIELD(VgaState, gr),
    STATE_FIELD(VgaState, ar_index),
    STATE_FIELD(VgaState, ar),
    STATE_FIELD(VgaState, ar_flipflop),
    STATE_FIELD(VgaState, dac_mask),
    STATE_FIELD(VgaState, dac_read_index),
    STATE_FIELD(VgaState, dac_write_index),
    STATE_FIELD(VgaState, dac_sub),
    STATE_FIELD(VgaState, dac_state),
    STATE_FIELD(VgaState, dac_cache),
    STATE_FIELD(VgaState, palette),
    STATE_FIELD(VgaState, latch),
    STATE_FIELD(VgaState, dispi_index),
    STATE_FIELD(VgaState, dispi),
    STATE_FIELD(VgaState, vram),
    STATE_END,
};

const DeviceInfo vga_device = {
    .name = "vga",
    .state_size = sizeof(VgaState),
    .state_version = 1,
    .init = vga_init,
    .reset = vga_reset,
    .fini = vga_fini,
    .post_load = vga_post_load,
    .fields = vga_state_fields,
};
