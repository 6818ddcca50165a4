/*
 * pic.c — Intel 8259A programmable interrupt controller pair, as found in
 * the PIIX4 (Intel 8259A datasheet, order 231468-003; PIIX4 datasheet
 * 290562-001 section 3.2.x "Interrupt controller registers" for the ELCR).
 *
 * Modelled: ICW1-ICW4 initialisation sequence, OCW1 (mask), OCW2 (specific
 * and non-specific EOI, rotation on EOI, rotate in AEOI mode, set
 * priority), OCW3 (IRR/ISR read select, poll command, special mask mode),
 * automatic EOI, special fully nested mode on the master, cascade of the
 * slave on master IR2, spurious IRQ7/IRQ15 and per-line edge/level
 * triggering through the ELCR at ports 0x4D0/0x4D1 (the ELCR belongs to
 * PIIX4 but lives here with the PIC it configures).
 * Not modelled: 8080/8085 mode (uPM=0; logged), buffered mode (no effect
 * on a PC), LTIM in ICW1 (the PIIX4 ignores it in favour of the ELCR).
 */
#include "devices/pic.h"

#include <string.h>

#include "machine/vm.h"

/* ICW1 (datasheet "Initialization command words"): written to A0=0 with
 * D4=1. */
#define PIC_ICW1_IC4 0x01
#define PIC_ICW1_SNGL 0x02
#define PIC_ICW1_LTIM 0x08
#define PIC_ICW1_INIT 0x10
/* ICW4 */
#define PIC_ICW4_UPM 0x01
#define PIC_ICW4_AEOI 0x02
#define PIC_ICW4_SFNM 0x10
/* OCW2: R, SL, EOI in bits 7..5, level in bits 2..0. */
#define PIC_OCW2_CMD_SHIFT 5
/* OCW3: D4=0, D3=1 selects OCW3. */
#define PIC_OCW3_SEL 0x08
#define PIC_OCW3_RIS 0x01
#define PIC_OCW3_RR 0x02
#define PIC_OCW3_POLL 0x04
#define PIC_OCW3_SMM 0x20
#define PIC_OCW3_ESMM 0x40

#define PIC_MASTER_BASE 0x20
#define PIC_SLAVE_BASE 0xA0
#define PIC_ELCR_BASE 0x4D0
#define PIC_CASCADE_IRQ 2
/* PIIX4 ELCR1 bits 0-2 (IRQ0-2) and ELCR2 bits 0 and 5 (IRQ8, IRQ13) are
 * reserved and read as 0: those lines are always edge triggered. */
static const uint8_t pic_elcr_wmask[2] = {0xF8, 0xDE};

/* One 8259A. Plain data only: saved as a block. */
typedef struct PicChip {
    uint8_t irr;          /* interrupt request register */
    uint8_t isr;          /* in-service register */
    uint8_t imr;          /* interrupt mask register (OCW1) */
    uint8_t input;        /* current level of each IR pin */
    uint8_t elcr;         /* 1 = level triggered */
    uint8_t vector_base;  /* ICW2 T7-T3 */
    uint8_t icw3;         /* master: slave map; slave: own ID */
    uint8_t init_step;    /* 0 operational, else next ICW expected (2..4) */
    uint8_t icw1;
    uint8_t lowest;       /* IR with the lowest priority (rotation) */
    bool read_isr;        /* OCW3 RIS: port A0=0 reads ISR */
    bool poll;            /* OCW3 poll command armed */
    bool special_mask;
    bool auto_eoi;
    bool rotate_aeoi;
    bool sfnm;
    bool int_out;         /* INT output level */
} PicChip;

struct PicState {
    VM *vm;
    PicChip chip[2]; /* 0 master, 1 slave */
};

/* --- priority resolution (datasheet "Interrupt sequence", "Priority") -- */

/* Priority rank of IR line `irq` (0 = highest) given the rotation. */
static unsigned pic_rank(const PicChip *c, unsigned irq)
{
    return (irq - c->lowest - 1) & 7;
}

/* Highest-priority line set in `bits`, or -1. */
static int pic_highest(const PicChip *c, uint8_t bits)
{
    for (unsigned r = 0; r < 8; r++) {
        unsigned irq = (c->lowest + 1 + r) & 7;
        if (bits & (1u << irq))
            return (int)irq;
    }
    return -1;
}

/* The request that would be acknowledged next, or -1. In-service levels
 * block equal and lower priorities, except: special mask mode only blocks
 * the in-service level itself (masked ISR bits are ignored), and in
 * special fully nested mode the master's cascade input may nest. */
static int pic_pending(const PicChip *c, bool master)
{
    int req = pic_highest(c, c->irr & ~c->imr);
    if (req < 0)
        return -1;
    uint8_t isr = c->isr;
    if (c->special_mask)
        isr &= ~c->imr;
    if (master && c->sfnm)
        isr &= ~c->icw3;
    int svc = pic_highest(c, isr);
    if (svc >= 0 && pic_rank(c, (unsigned)svc) <= pic_rank(c, (unsigned)req))
        return -1;
    return req;
}

static void pic_set_input(PicState *s, unsigned n, unsigned irq, bool level);

/* Recompute both INT outputs: slave INT feeds master IR2, master INT drives
 * the CPU's INTR pin. */
static void pic_update(PicState *s)
{
    PicChip *sl = &s->chip[1];
    bool sint = pic_pending(sl, false) >= 0;
    if (sint != sl->int_out) {
        sl->int_out = sint;
        pic_set_input(s, 0, PIC_CASCADE_IRQ, sint);
        return; /* pic_set_input re-entered pic_update */
    }
    PicChip *m = &s->chip[0];
    bool mint = pic_pending(m, true) >= 0;
    if (mint != m->int_out) {
        m->int_out = mint;
        vm_set_intr(s->vm, mint);
    }
}

/* An IR pin changed level: edge lines latch IRR on the rising edge, level
 * lines follow the pin (datasheet "Edge and level triggered modes"). On a
 * real 8259A an edge request also vanishes if the pin drops before INTA;
 * we keep it latched because our sources signal edges with irq_pulse().
 * The exception is the master's cascade input, which follows the slave's
 * INT level so that a withdrawn slave request does not reach the CPU. */
static void pic_set_input(PicState *s, unsigned n, unsigned irq, bool level)
{
    PicChip *c = &s->chip[n];
    uint8_t bit = (uint8_t)(1u << irq);
    bool was = (c->input & bit) != 0;
    bool follows = (c->elcr & bit) || (n == 0 && irq == PIC_CASCADE_IRQ);
    if (level)
        c->input |= bit;
    else
        c->input &= ~bit;
    if (follows) {
        if (level)
            c->irr |= bit;
        else
            c->irr &= ~bit;
    } else if (level && !was) {
        c->irr |= bit;
    }
    pic_update(s);
}

/* IRQ sink for ISA lines 0-15. Line 2 is the cascade input and cannot be
 * driven by devices (on the AT the ISA IRQ2 pin is wired to IRQ9). */
static void pic_irq_sink(void *opaque, unsigned line, bool level)
{
    PicState *s = opaque;
    if (line >= 16 || line == PIC_CASCADE_IRQ)
        return;
    pic_set_input(s, line >> 3, line & 7, level);
}

/* Acknowledge on one chip: returns the IR line, or 7 if spurious. */
static unsigned pic_ack_chip(PicChip *c, bool master, bool *spurious)
{
    int irq = pic_pending(c, master);
    *spurious = irq < 0;
    if (irq < 0)
        return 7;
    uint8_t bit = (uint8_t)(1u << irq);
    if (!(c->elcr & bit))
        c->irr &= ~bit;
    if (c->auto_eoi) {
        if (c->rotate_aeoi)
            c->lowest = (uint8_t)irq;
    } else {
        c->isr |= bit;
    }
    return (unsigned)irq;
}

int pic_intr_ack(void *opaque)
{
    PicState *s = opaque;
    PicChip *m = &s->chip[0], *sl = &s->chip[1];
    bool spurious;
    unsigned irq = pic_ack_chip(m, true, &spurious);
    int vector = m->vector_base + (int)irq;
    if (!spurious && (m->icw3 & (1u << irq))) {
        unsigned sirq = pic_ack_chip(sl, false, &spurious);
        vector = sl->vector_base + (int)sirq;
    }
    pic_update(s);
    return vector;
}

bool pic_intr_pending(const PicState *s)
{
    return s->chip[0].int_out;
}

/* Poll command (datasheet "The poll command"): the next read returns
 * I=bit 7 and the highest pending level, acting as an INTA for it. */
static uint8_t pic_poll_read(PicState *s, unsigned n)
{
    PicChip *c = &s->chip[n];
    bool spurious;
    c->poll = false;
    unsigned irq = pic_ack_chip(c, n == 0, &spurious);
    pic_update(s);
    return spurious ? 0 : (uint8_t)(0x80 | irq);
}

/* --- register writes --------------------------------------------------- */

static void pic_icw1(PicState *s, PicChip *c, uint8_t v)
{
    /* Datasheet "ICW1": IMR cleared, IR7 lowest priority, special mask
     * mode cleared, status read set to IRR, edge sense latch reset (so
     * edge lines need a new rising edge), ICW4 functions cleared if IC4=0.
     */
    if (v & PIC_ICW1_LTIM)
        log_once(&s->vm->log, LOG_UNIMP,
                 "pic: ICW1 LTIM ignored (PIIX4 uses the ELCR)\n");
    c->icw1 = v;
    c->imr = 0;
    c->isr = 0;
    c->irr &= c->elcr & c->input;
    c->lowest = 7;
    c->special_mask = false;
    c->read_isr = false;
    c->poll = false;
    c->auto_eoi = false;
    c->rotate_aeoi = false;
    c->sfnm = false;
    c->init_step = 2;
}

static void pic_icw_next(PicState *s, PicChip *c, uint8_t v)
{
    switch (c->init_step) {
    case 2:
        c->vector_base = v & 0xF8;
        if (!(c->icw1 & PIC_ICW1_SNGL))
            c->init_step = 3;
        else
            c->init_step = (c->icw1 & PIC_ICW1_IC4) ? 4 : 0;
        break;
    case 3:
        c->icw3 = v;
        c->init_step = (c->icw1 & PIC_ICW1_IC4) ? 4 : 0;
        break;
    default:
        if (!(v & PIC_ICW4_UPM))
            log_once(&s->vm->log, LOG_UNIMP,
                     "pic: 8080/8085 mode not modelled\n");
        c->auto_eoi = (v & PIC_ICW4_AEOI) != 0;
        c->sfnm = (v & PIC_ICW4_SFNM) != 0;
        c->init_step = 0;
        break;
    }
}

/* OCW2 (datasheet table "Operation command word 2"). */
static void pic_ocw2(PicChip *c, uint8_t v)
{
    unsigned level = v & 7;
    int svc = pic_highest(c, c->isr);
    switch (v >> PIC_OCW2_CMD_SHIFT) {
    case 0: /* rotate in AEOI mode (clear) */
        c->rotate_aeoi = false;
        break;
    case 4: /* rotate in AEOI mode (set) */
        c->rotate_aeoi = true;
        break;
    case 1: /* non-specific EOI */
    case 5: /* rotate on non-specific EOI */
        if (svc >= 0) {
            c->isr &= ~(1u << svc);
            if (v & 0x80)
                c->lowest = (uint8_t)svc;
        }
        break;
    case 3: /* specific EOI */
    case 7: /* rotate on specific EOI */
        c->isr &= ~(1u << level);
        if (v & 0x80)
            c->lowest = (uint8_t)level;
        break;
    case 6: /* set priority: `level` becomes the lowest */
        c->lowest = (uint8_t)level;
        break;
    default: /* 2: no operation */
        break;
    }
}

static void pic_ocw3(PicChip *c, uint8_t v)
{
    if (v & PIC_OCW3_ESMM)
        c->special_mask = (v & PIC_OCW3_SMM) != 0;
    if (v & PIC_OCW3_RR)
        c->read_isr = (v & PIC_OCW3_RIS) != 0;
    c->poll = (v & PIC_OCW3_POLL) != 0;
}

static void pic_chip_write(PicState *s, unsigned n, uint32_t off, uint8_t v)
{
    PicChip *c = &s->chip[n];
    if (off == 0) {
        if (v & PIC_ICW1_INIT)
            pic_icw1(s, c, v);
        else if (v & PIC_OCW3_SEL)
            pic_ocw3(c, v);
        else
            pic_ocw2(c, v);
    } else if (c->init_step) {
        pic_icw_next(s, c, v);
    } else {
        c->imr = v; /* OCW1 */
    }
    pic_update(s);
}

static uint8_t pic_chip_read(PicState *s, unsigned n, uint32_t off)
{
    PicChip *c = &s->chip[n];
    if (c->poll)
        return pic_poll_read(s, n);
    if (off == 0)
        return c->read_isr ? c->isr : c->irr;
    return c->imr;
}

static uint32_t pic_master_read(void *opaque, uint32_t off, unsigned size)
{
    (void)size;
    return pic_chip_read(opaque, 0, off);
}

static void pic_master_write(void *opaque, uint32_t off, uint32_t v,
                             unsigned size)
{
    (void)size;
    pic_chip_write(opaque, 0, off, (uint8_t)v);
}

static uint32_t pic_slave_read(void *opaque, uint32_t off, unsigned size)
{
    (void)size;
    return pic_chip_read(opaque, 1, off);
}

static void pic_slave_write(void *opaque, uint32_t off, uint32_t v,
                            unsigned size)
{
    (void)size;
    pic_chip_write(opaque, 1, off, (uint8_t)v);
}

/* ELCR1/ELCR2 (PIIX4 datasheet 3.2.x): switching a line to level mode makes
 * IRR follow its pin from now on. */
static uint32_t pic_elcr_read(void *opaque, uint32_t off, unsigned size)
{
    PicState *s = opaque;
    (void)size;
    return s->chip[off].elcr;
}

static void pic_elcr_write(void *opaque, uint32_t off, uint32_t v,
                           unsigned size)
{
    PicState *s = opaque;
    PicChip *c = &s->chip[off];
    (void)size;
    c->elcr = (uint8_t)v & pic_elcr_wmask[off];
    c->irr = (uint8_t)((c->irr & ~c->elcr) | (c->input & c->elcr));
    pic_update(s);
}

static const IoOps pic_master_ops = {pic_master_read, pic_master_write, 1, 1};
static const IoOps pic_slave_ops = {pic_slave_read, pic_slave_write, 1, 1};
static const IoOps pic_elcr_ops = {pic_elcr_read, pic_elcr_write, 1, 1};

/* --- lifecycle ---------------------------------------------------------- */

static void pic_reset(void *opaque)
{
    PicState *s = opaque;
    for (unsigned n = 0; n < 2; n++) {
        PicChip *c = &s->chip[n];
        uint8_t input = c->input;
        memset(c, 0, sizeof(*c));
        c->input = input; /* pins keep their level across reset */
        c->lowest = 7;
    }
    /* The PC wiring as programmed by every BIOS; guests re-run ICW1-4. */
    s->chip[0].icw3 = 1u << PIC_CASCADE_IRQ;
    s->chip[1].icw3 = PIC_CASCADE_IRQ;
    s->chip[1].vector_base = 0x70;
    s->chip[0].vector_base = 0x08;
    vm_set_intr(s->vm, false);
}

static int pic_init(void *opaque, VM *vm, const char *arg)
{
    PicState *s = opaque;
    (void)arg;
    s->vm = vm;
    int r = io_register(&vm->io, PIC_MASTER_BASE, 2, &pic_master_ops, s,
                        "pic-master");
    if (r >= 0)
        r = io_register(&vm->io, PIC_SLAVE_BASE, 2, &pic_slave_ops, s,
                        "pic-slave");
    if (r >= 0)
        r = io_register(&vm->io, PIC_ELCR_BASE, 2, &pic_elcr_ops, s, "elcr");
    if (r < 0)
        return r;
    irq_set_sink(&vm->irq, pic_irq_sink, s);
    vm->intr_ack = pic_intr_ack;
    vm->intr_ack_opaque = s;
    pic_reset(s);
    return 0;
}

static int pic_post_load(void *opaque)
{
    PicState *s = opaque;
    vm_set_intr(s->vm, s->chip[0].int_out);
    return 0;
}

static const StateField pic_state_fields[] = {
    STATE_FIELD(PicState, chip),
    STATE_END,
};

const DeviceInfo pic_device = {
    .name = "i8259",
    .state_size = sizeof(PicState),
    .state_version = 1,
    .init = pic_init,
    .reset = pic_reset,
    .fields = pic_state_fields,
    .post_load = pic_post_load,
};
