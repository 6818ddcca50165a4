/*
 * dma8237.c — two Intel 8237A DMA controllers as wired in the PC/AT and
 * PIIX4: controller 1 (channels 0-3, 8-bit) at 0x00-0x0F, controller 2
 * (channels 4-7, 16-bit, registers at even ports) at 0xC0-0xDF, page
 * registers at 0x80-0x8F (Intel 8237A datasheet 231466-005 "Register
 * description"; PIIX4 datasheet 290562-001 section 4.x "DMA registers").
 *
 * Modelled: base/current address and word count with the byte-pointer flip-
 * flop, mode (verify/write/read, auto-init, decrement), single/all mask,
 * clear mask, master clear, request and status (TC bits clear on read),
 * command register controller disable, temporary register, the ISA page
 * registers (all 16 bytes read back; 0x80 doubles as the POST code port).
 * Transfers are performed on demand by devices through dma_transfer().
 * Not modelled: memory-to-memory transfers, DREQ/DACK polarity, priority
 * rotation (transfers are issued by the device one at a time anyway), the
 * channel 4 cascade requirement (channels 0-3 work even if 4 is masked).
 */
#include "devices/dma8237.h"

#include <string.h>

#include "devices/devices.h"
#include "machine/vm.h"

#define DMA1_BASE 0x00
#define DMA2_BASE 0xC0
#define DMA_PAGE_BASE 0x80

/* Register index within a controller (datasheet Table 2). */
enum {
    DMA_REG_STATUS_CMD = 8,
    DMA_REG_REQUEST = 9,
    DMA_REG_SINGLE_MASK = 10,
    DMA_REG_MODE = 11,
    DMA_REG_CLEAR_FF = 12,
    DMA_REG_TEMP_MCLR = 13,
    DMA_REG_CLEAR_MASK = 14,
    DMA_REG_ALL_MASK = 15,
};

#define DMA_CMD_DISABLE 0x04
#define DMA_MODE_TYPE_SHIFT 2
#define DMA_MODE_TYPE_MASK 0x0C
#define DMA_TYPE_VERIFY 0
#define DMA_TYPE_WRITE 1 /* device -> memory */
#define DMA_TYPE_READ 2  /* memory -> device */
#define DMA_MODE_AUTOINIT 0x10
#define DMA_MODE_DECREMENT 0x20

/* Page register port (offset from 0x80) of each channel. */
static const uint8_t dma_page_port[8] = {7, 3, 1, 2, 0xF, 0xB, 9, 0xA};

typedef struct DmaChannel {
    uint16_t base_addr, base_count;
    uint16_t cur_addr, cur_count;
    uint8_t mode;
    bool tc_hit;
} DmaChannel;

typedef struct DmaCtrl {
    DmaChannel ch[4];
    uint8_t command;
    uint8_t status;   /* bits 3:0 TC reached, 7:4 request */
    uint8_t mask;     /* bits 3:0 */
    uint8_t temp;
    bool flipflop;    /* false: next byte is the low byte */
} DmaCtrl;

struct DmaState {
    VM *vm;
    DmaCtrl ctrl[2];
    uint8_t page[16];
};

/* --- registers ---------------------------------------------------------- */

static void dma_master_clear(DmaCtrl *c)
{
    c->command = 0;
    c->status = 0;
    c->temp = 0;
    c->flipflop = false;
    c->mask = 0x0F;
}

/* Address and count registers: 16 bits through an 8-bit port, low byte
 * first, sequenced by the flip-flop (datasheet "Byte pointer flip-flop").
 * Writes load both the base and the current register. */
static void dma_write_addr_count(DmaCtrl *c, unsigned reg, uint8_t v)
{
    DmaChannel *ch = &c->ch[reg >> 1];
    uint16_t *base = (reg & 1) ? &ch->base_count : &ch->base_addr;
    uint16_t *cur = (reg & 1) ? &ch->cur_count : &ch->cur_addr;
    if (c->flipflop)
        *base = (uint16_t)((*base & 0x00FF) | v << 8);
    else
        *base = (uint16_t)((*base & 0xFF00) | v);
    *cur = *base;
    c->flipflop = !c->flipflop;
}

static uint8_t dma_read_addr_count(DmaCtrl *c, unsigned reg)
{
    DmaChannel *ch = &c->ch[reg >> 1];
    uint16_t v = (reg & 1) ? ch->cur_count : ch->cur_addr;
    uint8_t b = c->flipflop ? v >> 8 : v & 0xFF;
    c->flipflop = !c->flipflop;
    return b;
}

static void dma_ctrl_write(DmaCtrl *c, unsigned reg, uint8_t v)
{
    unsigned n = v & 3;
    if (reg < 8) {
        dma_write_addr_count(c, reg, v);
        return;
    }
    switch (reg) {
    case DMA_REG_STATUS_CMD:
        c->command = v;
        break;
    case DMA_REG_REQUEST:
        if (v & 4)
            c->status |= (uint8_t)(0x10 << n);
        else
            c->status &= (uint8_t)~(0x10 << n);
        break;
    case DMA_REG_SINGLE_MASK:
        if (v & 4)
            c->mask |= (uint8_t)(1 << n);
        else
            c->mask &= (uint8_t)~(1 << n);
        break;
    case DMA_REG_MODE:
        c->ch[n].mode = v & 0xFC;
        break;
    case DMA_REG_CLEAR_FF:
        c->flipflop = false;
        break;
    case DMA_REG_TEMP_MCLR:
        dma_master_clear(c);
        break;
    case DMA_REG_CLEAR_MASK:
        c->mask = 0;
        break;
    default: /* DMA_REG_ALL_MASK */
        c->mask = v & 0x0F;
        break;
    }
}

static uint8_t dma_ctrl_read(DmaCtrl *c, unsigned reg)
{
    if (reg < 8)
        return dma_read_addr_count(c, reg);
    switch (reg) {
    case DMA_REG_STATUS_CMD: {
        uint8_t v = c->status;
        c->status &= 0xF0; /* TC bits clear on read */
        return v;
    }
    case DMA_REG_TEMP_MCLR:
        return c->temp;
    case DMA_REG_ALL_MASK: /* PIIX4 reads back the mask bits */
        return (uint8_t)(0xF0 | c->mask);
    default:
        return 0xFF;
    }
}

static uint32_t dma1_read(void *opaque, uint32_t off, unsigned size)
{
    DmaState *s = opaque;
    (void)size;
    return dma_ctrl_read(&s->ctrl[0], off);
}

static void dma1_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
    DmaState *s = opaque;
    (void)size;
    dma_ctrl_write(&s->ctrl[0], off, (uint8_t)v);
}

/* Controller 2 registers sit at even ports 0xC0, 0xC2, ... 0xDE. */
static uint32_t dma2_read(void *opaque, uint32_t off, unsigned size)
{
    DmaState *s = opaque;
    (void)size;
    if (off & 1)
        return 0xFF;
    return dma_ctrl_read(&s->ctrl[1], off >> 1);
}

static void dma2_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
    DmaState *s = opaque;
    (void)size;
    if (!(off & 1))
        dma_ctrl_write(&s->ctrl[1], off >> 1, (uint8_t)v);
}

static uint32_t dma_page_read(void *opaque, uint32_t off, unsigned size)
{
    DmaState *s = opaque;
    (void)size;
    return s->page[off];
}

static void dma_page_write(void *opaque, uint32_t off, uint32_t v,
                           unsigned size)
{
    DmaState *s = opaque;
    (void)size;
    s->page[off] = (uint8_t)v;
}

static const IoOps dma1_ops = {dma1_read, dma1_write, 1, 1};
static const IoOps dma2_ops = {dma2_read, dma2_write, 1, 1};
static const IoOps dma_page_ops = {dma_page_read, dma_page_write, 1, 1};

/* --- transfers ----------------------------------------------------------- */

bool dma_ready(const DmaState *s, unsigned channel)
{
    if (channel >= 8)
        return false;
    const DmaCtrl *c = &s->ctrl[channel >> 2];
    return !(c->command & DMA_CMD_DISABLE) && !(c->mask & (1u << (channel & 3)));
}

bool dma_tc_reached(const DmaState *s, unsigned channel)
{
    return channel < 8 && s->ctrl[channel >> 2].ch[channel & 3].tc_hit;
}

/* Physical address of the channel's current transfer unit. */
static uint64_t dma_phys(const DmaState *s, unsigned channel)
{
    const DmaChannel *ch = &s->ctrl[channel >> 2].ch[channel & 3];
    uint64_t page = s->page[dma_page_port[channel]];
    if (channel < 4)
        return page << 16 | ch->cur_addr;
    return (page & 0xFE) << 16 | (uint64_t)ch->cur_addr << 1;
}

/* Terminal count (datasheet "Auto-initialize", "TC"): status bit, then
 * reload (auto-init) or mask the channel. */
static void dma_terminal_count(DmaCtrl *c, unsigned n)
{
    DmaChannel *ch = &c->ch[n];
    c->status |= (uint8_t)(1u << n);
    c->status &= (uint8_t)~(0x10u << n);
    ch->tc_hit = true;
    if (ch->mode & DMA_MODE_AUTOINIT) {
        ch->cur_addr = ch->base_addr;
        ch->cur_count = ch->base_count;
    } else {
        c->mask |= (uint8_t)(1u << n);
    }
}

/* Units the channel can move in one contiguous piece. */
static uint32_t dma_chunk_units(const DmaChannel *ch, size_t max_units)
{
    uint32_t left = (uint32_t)ch->cur_count + 1;
    uint32_t units = max_units < left ? (uint32_t)max_units : left;
    if (ch->mode & DMA_MODE_DECREMENT)
        return units ? 1 : 0;
    uint32_t to_wrap = 0x10000u - ch->cur_addr; /* stays in its page */
    return units < to_wrap ? units : to_wrap;
}

static void dma_move(DmaState *s, unsigned channel, uint8_t *p, size_t bytes,
                     unsigned type)
{
    uint64_t pa = dma_phys(s, channel);
    int r = 0;
    if (type == DMA_TYPE_WRITE)
        r = phys_write(&s->vm->mem, pa, p, bytes);
    else if (type == DMA_TYPE_READ)
        r = phys_read(&s->vm->mem, pa, p, bytes);
    if (r < 0)
        log_once(&s->vm->log, LOG_GUEST_ERROR,
                 "dma: channel transfer outside guest memory\n");
}

size_t dma_transfer(DmaState *s, unsigned channel, void *buf, size_t len,
                    bool to_memory)
{
    if (!dma_ready(s, channel))
        return 0;
    DmaCtrl *c = &s->ctrl[channel >> 2];
    unsigned n = channel & 3;
    DmaChannel *ch = &c->ch[n];
    unsigned unit = channel < 4 ? 1 : 2;
    unsigned type = (ch->mode & DMA_MODE_TYPE_MASK) >> DMA_MODE_TYPE_SHIFT;
    if (type != DMA_TYPE_VERIFY &&
        type != (to_memory ? DMA_TYPE_WRITE : DMA_TYPE_READ)) {
        log_once(&s->vm->log, LOG_GUEST_ERROR,
                 "dma: channel mode direction does not match the device\n");
        type = DMA_TYPE_VERIFY;
    }
    if (type == DMA_TYPE_VERIFY && !to_memory)
        memset(buf, 0, len);
    ch->tc_hit = false;
    size_t done = 0;
    uint8_t *p = buf;
    while (len - done >= unit && !ch->tc_hit) {
        uint32_t units = dma_chunk_units(ch, (len - done) / unit);
        dma_move(s, channel, p + done, (size_t)units * unit, type);
        done += (size_t)units * unit;
        if (ch->mode & DMA_MODE_DECREMENT)
            ch->cur_addr = (uint16_t)(ch->cur_addr - units);
        else
            ch->cur_addr = (uint16_t)(ch->cur_addr + units);
        bool tc = units == (uint32_t)ch->cur_count + 1;
        ch->cur_count = (uint16_t)(ch->cur_count - units);
        if (tc)
            dma_terminal_count(c, n);
    }
    return done;
}

/* --- lifecycle ------------------------------------------------------------- */

static void dma_reset(void *opaque)
{
    DmaState *s = opaque;
    for (unsigned i = 0; i < 2; i++) {
        memset(s->ctrl[i].ch, 0, sizeof(s->ctrl[i].ch));
        dma_master_clear(&s->ctrl[i]);
    }
    memset(s->page, 0, sizeof(s->page));
}

static int dma_init(void *opaque, VM *vm, const char *arg)
{
    DmaState *s = opaque;
    (void)arg;
    s->vm = vm;
    int r = io_register(&vm->io, DMA1_BASE, 16, &dma1_ops, s, "dma1");
    if (r >= 0)
        r = io_register(&vm->io, DMA2_BASE, 32, &dma2_ops, s, "dma2");
    if (r >= 0)
        r = io_register(&vm->io, DMA_PAGE_BASE, 16, &dma_page_ops, s,
                        "dma-page");
    if (r < 0)
        return r;
    dma_reset(s);
    return 0;
}

static const StateField dma_state_fields[] = {
    STATE_FIELD(DmaState, ctrl),
    STATE_FIELD(DmaState, page),
    STATE_END,
};

const DeviceInfo dma8237_device = {
    .name = "i8237",
    .state_size = sizeof(DmaState),
    .state_version = 1,
    .init = dma_init,
    .reset = dma_reset,
    .fields = dma_state_fields,
};
