/*
 * pit.c — Intel 8254 programmable interval timer at ports 0x40-0x43 and
 * the PC's system control port B at 0x61 (Intel 82C54 datasheet, order
 * 231244-006; PIIX4 datasheet 290562-001 section 4.x "NMI status and
 * control register" for port 0x61).
 *
 * Modelled: the three counters with modes 0-5, binary and BCD counting,
 * LSB/MSB/word access with the read and write flip-flops, counter latch,
 * read-back (count and status), null count, gate inputs (counter 0 and 1
 * gates are tied high on the PC; counter 2's gate is port 0x61 bit 0).
 * Counter 0's OUT drives ISA IRQ 0, counter 2's OUT is read at port 0x61
 * bit 5; port 0x61 bit 4 toggles every 15.085 us (refresh request).
 * Counters are computed from elapsed virtual time at 1.193182 MHz, and a
 * timer fires only at OUT transitions of counter 0.
 * Not modelled: the one-clock delay between a count write and the first
 * decrement, a new count in modes 2/3 waiting for the end of the current
 * period (it takes effect at once), sound output (the speaker is logged
 * on/off only), counter 1 refresh side effects.
 */
#include "devices/pit.h"

#include <string.h>

#include "devices/devices.h"
#include "machine/vm.h"

#define PIT_HZ 1193182ull
#define PIT_BASE 0x40
#define PIT_PORT_B 0x61
#define PIT_IRQ 0
#define PIT_REFRESH_NS 15085

/* Control word (datasheet "Control word format"). */
#define PIT_CW_SC_SHIFT 6
#define PIT_CW_RW_SHIFT 4
#define PIT_CW_MODE_SHIFT 1
#define PIT_CW_BCD 0x01
#define PIT_RW_LATCH 0
#define PIT_RW_LSB 1
#define PIT_RW_MSB 2
#define PIT_RW_WORD 3
/* Read-back command bits (datasheet "Read-back command"). */
#define PIT_RB_NOT_COUNT 0x20
#define PIT_RB_NOT_STATUS 0x10
/* Status byte. */
#define PIT_ST_OUT 0x80
#define PIT_ST_NULL 0x40
/* Port 0x61 (PIIX4 NMISC). */
#define PIT_PB_GATE2 0x01
#define PIT_PB_SPKR 0x02
#define PIT_PB_RW_MASK 0x0F
#define PIT_PB_REFRESH 0x10
#define PIT_PB_OUT2 0x20

typedef struct PitCounter {
    uint8_t mode;         /* 0-5 */
    uint8_t rw;           /* PIT_RW_* */
    bool bcd;
    bool gate;
    bool counting;        /* a count is loaded and the counter runs */
    bool null_count;
    bool out_frozen;      /* OUT level while not counting */
    bool terminal;        /* modes 0/4: TC already passed before a pause */
    uint32_t reload;      /* initial count, 1..0x10000 (binary units) */
    uint32_t start;       /* count at start_ns (differs after a pause) */
    int64_t start_ns;     /* virtual time when counting (re)started */
    uint8_t write_lsb;    /* first byte of a word write */
    bool write_msb_next;
    bool read_msb_next;
    bool count_latched;
    uint16_t latch;
    bool latch_msb_next;
    bool status_latched;
    uint8_t status;
} PitCounter;

struct PitState {
    VM *vm;
    PitCounter c[3];
    uint8_t port_b;   /* writable bits of port 0x61 */
    bool irq_out;     /* level last driven on IRQ 0 */
    Timer timer;      /* next OUT transition of counter 0 */
};

/* --- counting arithmetic -------------------------------------------- */

static uint32_t pit_modulus(const PitCounter *c)
{
    return c->bcd ? 10000 : 0x10000;
}

static uint64_t pit_elapsed(const PitState *s, const PitCounter *c)
{
    return clock_ns_to_ticks(clock_now(&s->vm->clock) - c->start_ns, PIT_HZ);
}

/* Current count register value (what a latch would capture). */
static uint32_t pit_count(const PitState *s, const PitCounter *c)
{
    if (!c->counting)
        return c->start % pit_modulus(c);
    uint64_t d = pit_elapsed(s, c);
    uint32_t n = c->reload, m = pit_modulus(c);
    switch (c->mode) {
    case 2:
        return n - (uint32_t)(d % n);
    case 3: {
        /* Decrements by two; odd counts spend one extra clock high. */
        uint32_t p = (uint32_t)(d % n), half = (n + 1) / 2;
        uint32_t q = p < half ? p : p - half;
        return (n - 2 * q) & ~1u;
    }
    default: /* 0, 1, 4, 5: count down through 0 and wrap */
        return (uint32_t)((c->start + m - d % m) % m);
    }
}

/* OUT level at `d` clocks after start (datasheet "Mode definitions"). */
static bool pit_out_at(const PitCounter *c, uint64_t d)
{
    uint32_t n = c->reload;
    switch (c->mode) {
    case 0:
    case 1:
        return c->terminal || d >= c->start;
    case 2:
        return d % n != n - 1;
    case 3:
        return d % n < (n + 1) / 2;
    default: /* 4, 5: low for one clock at terminal count */
        return c->terminal || d != c->start;
    }
}

static bool pit_out(const PitState *s, const PitCounter *c)
{
    if (!c->counting)
        return c->out_frozen;
    return pit_out_at(c, pit_elapsed(s, c));
}

/* Clock count (after start) of the next OUT transition after `d`, or
 * UINT64_MAX if OUT stays put. */
static uint64_t pit_next_edge(const PitCounter *c, uint64_t d)
{
    uint32_t n = c->reload;
    uint64_t base = d - d % n, p = d % n;
    switch (c->mode) {
    case 0:
    case 1:
        return (!c->terminal && d < c->start) ? c->start : UINT64_MAX;
    case 2:
        if (n == 1)
            return UINT64_MAX; /* illegal count: OUT stays low */
        return p < n - 1 ? base + n - 1 : base + n;
    case 3:
        if (n == 1)
            return UINT64_MAX;
        return p < (n + 1) / 2 ? base + (n + 1) / 2 : base + n;
    default:
        if (c->terminal || d > c->start)
            return UINT64_MAX;
        return d < c->start ? c->start : c->start + 1;
    }
}

/* Drive IRQ 0 from counter 0's OUT as of virtual time `at` and arm the
 * timer at the next edge after it. */
static void pit_update_irq_at(PitState *s, int64_t at)
{
    PitCounter *c = &s->c[0];
    uint64_t d = clock_ns_to_ticks(at - c->start_ns, PIT_HZ);
    bool out = c->counting ? pit_out_at(c, d) : c->out_frozen;
    if (out != s->irq_out) {
        s->irq_out = out;
        irq_set(&s->vm->irq, PIT_IRQ, 0, out);
    }
    timer_del(&s->timer);
    if (!c->counting)
        return;
    uint64_t next = pit_next_edge(c, d);
    if (next != UINT64_MAX)
        timer_mod(&s->timer, c->start_ns + clock_ticks_to_ns(next, PIT_HZ));
}

static void pit_update_irq(PitState *s)
{
    pit_update_irq_at(s, clock_now(&s->vm->clock));
}

/* The timer fires at an OUT edge, possibly late (host clock mode): evaluate
 * OUT at the scheduled edge so that a short low pulse (mode 2, 4) is not
 * lost. In the periodic modes (2, 3) a long stall (more than two periods)
 * skips to the present; the one-shot modes never skip, or the single edge
 * a guest waits for (Linux's mode-4 clockevent) would be lost for good. */
static void pit_timer_cb(void *opaque)
{
    PitState *s = opaque;
    const PitCounter *c = &s->c[0];
    int64_t now = clock_now(&s->vm->clock), at = s->timer.expire;
    int64_t period = clock_ticks_to_ns(c->reload, PIT_HZ);
    if ((c->mode == 2 || c->mode == 3) && now - at > 2 * period)
        at = now;
    pit_update_irq_at(s, at);
}

static void pit_changed(PitState *s, unsigned ch)
{
    if (ch == 0)
        pit_update_irq(s);
}

/* Start counting from `count` now (count write, gate trigger or resume). */
static void pit_start(PitState *s, PitCounter *c, uint32_t count)
{
    c->start = count;
    c->start_ns = clock_now(&s->vm->clock);
    c->counting = true;
    c->null_count = false;
}

/* Stop counting, freezing count and OUT (gate low in modes 0/4, or the
 * first byte of a new count). */
static void pit_freeze(PitState *s, PitCounter *c, bool out)
{
    if (c->counting) {
        uint64_t d = pit_elapsed(s, c);
        if ((c->mode == 0 || c->mode == 4) && d >= c->start)
            c->terminal = true;
        c->start = pit_count(s, c);
    }
    c->counting = false;
    c->out_frozen = out;
}

/* --- count register writes ------------------------------------------ */

static uint32_t pit_from_bcd(uint32_t v)
{
    return (v & 0xF) + ((v >> 4) & 0xF) * 10 + ((v >> 8) & 0xF) * 100 +
           ((v >> 12) & 0xF) * 1000;
}

static uint16_t pit_to_bcd(uint32_t v)
{
    return (uint16_t)((v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 |
                      (v / 1000 % 10) << 12);
}

/* A complete count was written (datasheet "Write operations"). */
static void pit_load(PitState *s, PitCounter *c, uint16_t raw)
{
    uint32_t n = c->bcd ? pit_from_bcd(raw) : raw;
    if (n == 0)
        n = pit_modulus(c);
    if (c->mode == 2 && n == 1)
        log_once(&s->vm->log, LOG_GUEST_ERROR,
                 "pit: count 1 is illegal in mode 2\n");
    c->reload = n;
    c->terminal = false;
    c->null_count = true;
    switch (c->mode) {
    case 1:
    case 5:
        /* Waits for a gate rising edge (datasheet "Mode 1"). */
        if (!c->counting)
            c->start = n;
        break;
    default:
        c->start = n;
        if (c->gate) {
            pit_start(s, c, n);
        } else {
            c->counting = false;
            c->out_frozen = c->mode != 0;
        }
        break;
    }
}

static void pit_write_count(PitState *s, unsigned ch, uint8_t v)
{
    PitCounter *c = &s->c[ch];
    switch (c->rw) {
    case PIT_RW_LSB:
        pit_load(s, c, v);
        break;
    case PIT_RW_MSB:
        pit_load(s, c, (uint16_t)(v << 8));
        break;
    default:
        if (!c->write_msb_next) {
            c->write_lsb = v;
            c->write_msb_next = true;
            /* Mode 0: writing the first byte stops the count and makes
             * OUT low (datasheet "Mode 0"). */
            if (c->mode == 0) {
                pit_freeze(s, c, false);
                c->terminal = false;
            }
            break;
        }
        c->write_msb_next = false;
        pit_load(s, c, (uint16_t)(c->write_lsb | v << 8));
        break;
    }
    pit_changed(s, ch);
}

/* --- control word ---------------------------------------------------- */

static void pit_latch_count(PitState *s, PitCounter *c)
{
    if (c->count_latched)
        return; /* later latches are ignored until read */
    uint32_t v = pit_count(s, c);
    c->latch = c->bcd ? pit_to_bcd(v % 10000) : (uint16_t)v;
    c->count_latched = true;
    c->latch_msb_next = c->rw == PIT_RW_MSB;
}

static uint8_t pit_status_byte(const PitState *s, const PitCounter *c)
{
    return (uint8_t)((pit_out(s, c) ? PIT_ST_OUT : 0) |
                     (c->null_count ? PIT_ST_NULL : 0) |
                     c->rw << PIT_CW_RW_SHIFT | c->mode << PIT_CW_MODE_SHIFT |
                     (c->bcd ? PIT_CW_BCD : 0));
}

static void pit_read_back(PitState *s, uint8_t v)
{
    for (unsigned ch = 0; ch < 3; ch++) {
        if (!(v & (2u << ch)))
            continue;
        PitCounter *c = &s->c[ch];
        if (!(v & PIT_RB_NOT_COUNT))
            pit_latch_count(s, c);
        if (!(v & PIT_RB_NOT_STATUS) && !c->status_latched) {
            c->status = pit_status_byte(s, c);
            c->status_latched = true;
        }
    }
}

/* Mode set: OUT goes to its initial level, the counter stops until a
 * count is written (datasheet "Mode definitions": mode 0 OUT low, all
 * others OUT high). Modes 6 and 7 alias 2 and 3. */
static void pit_control(PitState *s, uint8_t v)
{
    unsigned ch = v >> PIT_CW_SC_SHIFT;
    if (ch == 3) {
        pit_read_back(s, v);
        return;
    }
    PitCounter *c = &s->c[ch];
    unsigned rw = (v >> PIT_CW_RW_SHIFT) & 3;
    if (rw == PIT_RW_LATCH) {
        pit_latch_count(s, c);
        return;
    }
    unsigned mode = (v >> PIT_CW_MODE_SHIFT) & 7;
    if (mode > 5)
        mode -= 4;
    c->rw = (uint8_t)rw;
    c->mode = (uint8_t)mode;
    c->bcd = (v & PIT_CW_BCD) != 0;
    c->reload = 0;
    c->counting = false;
    c->terminal = false;
    c->null_count = true;
    c->out_frozen = mode != 0;
    c->write_msb_next = false;
    c->read_msb_next = false;
    c->count_latched = false;
    c->status_latched = false;
    pit_changed(s, ch);
}

/* --- reads ----------------------------------------------------------- */

static uint8_t pit_read_counter(PitState *s, unsigned ch)
{
    PitCounter *c = &s->c[ch];
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->count_latched) {
        uint8_t b = c->latch_msb_next ? c->latch >> 8 : c->latch & 0xFF;
        if (c->rw == PIT_RW_WORD && !c->latch_msb_next)
            c->latch_msb_next = true;
        else
            c->count_latched = false;
        return b;
    }
    uint32_t v = pit_count(s, c);
    uint16_t w = c->bcd ? pit_to_bcd(v % 10000) : (uint16_t)v;
    bool msb = c->rw == PIT_RW_MSB ||
               (c->rw == PIT_RW_WORD && c->read_msb_next);
    if (c->rw == PIT_RW_WORD)
        c->read_msb_next = !c->read_msb_next;
    return msb ? w >> 8 : w & 0xFF;
}

static uint32_t pit_io_read(void *opaque, uint32_t off, unsigned size)
{
    (void)size;
    if (off == 3)
        return 0xFF; /* the control word register is write-only */
    return pit_read_counter(opaque, off);
}

static void pit_io_write(void *opaque, uint32_t off, uint32_t v,
                         unsigned size)
{
    (void)size;
    if (off == 3)
        pit_control(opaque, (uint8_t)v);
    else
        pit_write_count(opaque, off, (uint8_t)v);
}

/* --- gates ------------------------------------------------------------ */

/* Gate input change (datasheet table "Gate pin operations summary"). */
static void pit_set_gate(PitState *s, unsigned ch, bool gate)
{
    PitCounter *c = &s->c[ch];
    if (gate == c->gate)
        return;
    c->gate = gate;
    switch (c->mode) {
    case 0:
    case 4:
        if (!gate)
            pit_freeze(s, c, pit_out(s, c));
        else if (c->reload && !c->counting) {
            bool term = c->terminal;
            pit_start(s, c, c->start);
            c->terminal = term;
        }
        break;
    case 2:
    case 3: /* low: stop with OUT high; rising edge reloads */
        if (!gate)
            pit_freeze(s, c, true);
        else if (c->reload)
            pit_start(s, c, c->reload);
        break;
    default: /* 1, 5: rising edge (re)triggers */
        if (gate && c->reload) {
            pit_start(s, c, c->reload);
            c->terminal = false;
        }
        break;
    }
    pit_changed(s, ch);
}

/* --- port 0x61 -------------------------------------------------------- */

static uint32_t pit_port_b_read(void *opaque, uint32_t off, unsigned size)
{
    PitState *s = opaque;
    (void)off;
    (void)size;
    int64_t now = clock_now(&s->vm->clock);
    uint8_t v = s->port_b & PIT_PB_RW_MASK;
    if ((now / PIT_REFRESH_NS) & 1)
        v |= PIT_PB_REFRESH;
    if (pit_out(s, &s->c[2]))
        v |= PIT_PB_OUT2;
    return v;
}

static void pit_port_b_write(void *opaque, uint32_t off, uint32_t v,
                             unsigned size)
{
    PitState *s = opaque;
    (void)off;
    (void)size;
    uint8_t old = s->port_b;
    s->port_b = (uint8_t)v & PIT_PB_RW_MASK;
    if ((old ^ s->port_b) & PIT_PB_SPKR)
        log_msg(&s->vm->log, LOG_INFO, "pit: speaker %s\n",
                (s->port_b & PIT_PB_SPKR) ? "on" : "off");
    pit_set_gate(s, 2, s->port_b & PIT_PB_GATE2);
}

bool pit_out2(PitState *s)
{
    return pit_out(s, &s->c[2]);
}

static const IoOps pit_ops = {pit_io_read, pit_io_write, 1, 1};
static const IoOps pit_port_b_ops = {pit_port_b_read, pit_port_b_write, 1, 1};

/* --- lifecycle -------------------------------------------------------- */

static void pit_reset(void *opaque)
{
    PitState *s = opaque;
    memset(s->c, 0, sizeof(s->c));
    for (unsigned ch = 0; ch < 3; ch++) {
        s->c[ch].rw = PIT_RW_WORD;
        s->c[ch].out_frozen = true; /* OUT undefined; high is harmless */
    }
    s->c[0].gate = s->c[1].gate = true;
    s->port_b = 0;
    timer_del(&s->timer);
    s->irq_out = true;
    irq_set(&s->vm->irq, PIT_IRQ, 0, true);
}

static int pit_init(void *opaque, VM *vm, const char *arg)
{
    PitState *s = opaque;
    (void)arg;
    s->vm = vm;
    timer_init(&s->timer, &vm->clock, pit_timer_cb, s);
    int r = io_register(&vm->io, PIT_BASE, 4, &pit_ops, s, "pit");
    if (r >= 0)
        r = io_register(&vm->io, PIT_PORT_B, 1, &pit_port_b_ops, s,
                        "port-b");
    if (r < 0)
        return r;
    pit_reset(s);
    return 0;
}

static void pit_fini(void *opaque)
{
    PitState *s = opaque;
    timer_del(&s->timer);
}

static int pit_post_load(void *opaque)
{
    PitState *s = opaque;
    irq_set(&s->vm->irq, PIT_IRQ, 0, s->irq_out);
    pit_update_irq(s);
    return 0;
}

static const StateField pit_state_fields[] = {
    STATE_FIELD(PitState, c),
    STATE_FIELD(PitState, port_b),
    STATE_FIELD(PitState, irq_out),
    STATE_TIMER_FIELD(PitState, timer),
    STATE_END,
};

const DeviceInfo pit_device = {
    .name = "i8254",
    .state_size = sizeof(PitState),
    .state_version = 1,
    .init = pit_init,
    .reset = pit_reset,
    .fini = pit_fini,
    .fields = pit_state_fields,
    .post_load = pit_post_load,
};
