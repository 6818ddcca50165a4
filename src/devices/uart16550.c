/*
 * uart16550.c — National Semiconductor PC16550D UART (16550A-compatible)
 * with 16-byte FIFOs (PC16550D datasheet, June 1995, "Registers" and
 * Table II/IV).
 *
 * Option string: "index=N" (0: COM1 0x3F8 IRQ 4, 1: COM2 0x2F8 IRQ 3),
 * "base=0x...", "irq=N", "chardev=SPEC" (stdio, file:PATH, unix:PATH,
 * none; default: the VM's -serial setting for that index).
 *
 * Modelled: RBR/THR/IER/IIR/FCR/LCR/MCR/LSR/MSR/SCR, divisor latch (DLAB),
 * receive FIFO with trigger levels 1/4/8/14, character timeout interrupt
 * (4 character times), receiver-line-status, data-available, THRE and
 * modem-status interrupts with the IIR priorities, overrun, loopback
 * (MCR bit 4) with modem-line feedback, OUT2 gating of the ISA IRQ line.
 * Transmission is instantaneous: a THR write goes straight to the backend
 * and THRE/TEMT stay set (THRE interrupts are raised at once). The modem
 * inputs CTS, DSR and DCD read as asserted outside loopback.
 * Not modelled: parity/framing errors and break (host streams carry none),
 * DMA mode signalling (FCR bit 3 is stored only).
 */
#include "devices/uart16550.h"

#include <errno.h>
#include <string.h>

#include "devices/devarg.h"
#include "devices/devices.h"
#include "machine/chardev.h"
#include "machine/vm.h"

/* Register offsets (datasheet Table II). */
enum {
    UART_RBR_THR = 0, /* DLL with DLAB */
    UART_IER = 1,     /* DLM with DLAB */
    UART_IIR_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_MSR = 6,
    UART_SCR = 7,
};

#define UART_IER_ERBFI 0x01
#define UART_IER_ETBEI 0x02
#define UART_IER_ELSI 0x04
#define UART_IER_EDSSI 0x08
#define UART_IIR_NONE 0x01
#define UART_IIR_RLS 0x06
#define UART_IIR_RDA 0x04
#define UART_IIR_CTI 0x0C
#define UART_IIR_THRE 0x02
#define UART_IIR_MSI 0x00
#define UART_IIR_FIFO 0xC0
#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04
#define UART_FCR_TRIGGER_SHIFT 6
#define UART_LCR_DLAB 0x80
#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10
#define UART_LSR_DR 0x01
#define UART_LSR_OE 0x02
#define UART_LSR_PE 0x04
#define UART_LSR_FE 0x08
#define UART_LSR_BI 0x10
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_LSR_ERRORS (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)
#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04
#define UART_MSR_DDCD 0x08
#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI 0x40
#define UART_MSR_DCD 0x80
#define UART_MSR_DELTAS 0x0F

#define UART_FIFO_SIZE 16
#define UART_CLOCK_HZ 1843200 /* 1.8432 MHz crystal: divisor 1 = 115200 */
#define UART_POLL_NS 1000000  /* host input polled every 1 ms */

static const uint8_t uart_trigger_levels[4] = {1, 4, 8, 14};
static const struct {
    uint16_t base;
    uint8_t irq;
} uart_com[4] = {{0x3F8, 4}, {0x2F8, 3}, {0x3E8, 4}, {0x2E8, 3}};

struct UartState {
    VM *vm;
    Chardev chr;
    uint16_t base;
    uint8_t irq;
    /* Guest-visible registers. */
    uint8_t ier, fcr, lcr, mcr, lsr, msr, scr;
    uint16_t divisor;
    uint8_t rx_fifo[UART_FIFO_SIZE];
    uint8_t rx_head, rx_count;
    bool thre_pending;    /* THRE interrupt pending (cleared by IIR read) */
    bool timeout_pending; /* character timeout indication */
    bool irq_out;
    Timer poll_timer;
    Timer timeout_timer;
};

/* --- interrupts (datasheet Table IV "Interrupt control functions") ----- */

static bool uart_fifo_on(const UartState *s)
{
    return (s->fcr & UART_FCR_ENABLE) != 0;
}

static bool uart_rda(const UartState *s)
{
    if (!uart_fifo_on(s))
        return s->rx_count > 0;
    return s->rx_count >= uart_trigger_levels[s->fcr >> UART_FCR_TRIGGER_SHIFT];
}

/* Highest-priority pending interrupt identification (IIR bits 3:0). */
static uint8_t uart_iir_id(const UartState *s)
{
    if ((s->ier & UART_IER_ELSI) && (s->lsr & UART_LSR_ERRORS))
        return UART_IIR_RLS;
    if ((s->ier & UART_IER_ERBFI) && uart_rda(s))
        return UART_IIR_RDA;
    if ((s->ier & UART_IER_ERBFI) && s->timeout_pending)
        return UART_IIR_CTI;
    if ((s->ier & UART_IER_ETBEI) && s->thre_pending)
        return UART_IIR_THRE;
    if ((s->ier & UART_IER_EDSSI) && (s->msr & UART_MSR_DELTAS))
        return UART_IIR_MSI;
    return UART_IIR_NONE;
}

/* On the PC the INTR pin reaches the ISA bus through a buffer enabled by
 * OUT2; in loopback OUT2 is looped back internally and the pin is idle. */
static void uart_update_irq(UartState *s)
{
    bool level = uart_iir_id(s) != UART_IIR_NONE &&
                 (s->mcr & UART_MCR_OUT2) && !(s->mcr & UART_MCR_LOOP);
    if (level != s->irq_out) {
        s->irq_out = level;
        irq_set(&s->vm->irq, s->irq, 0, level);
    }
}

/* Time to send one character: start + data + parity + stop bits. */
static int64_t uart_char_ns(const UartState *s)
{
    unsigned bits = 1 + 5 + (s->lcr & 3) + ((s->lcr & 0x08) ? 1 : 0) +
                    ((s->lcr & 0x04) ? 2 : 1);
    uint64_t div = s->divisor ? s->divisor : 0x10000;
    return clock_ticks_to_ns(bits * div * 16, UART_CLOCK_HZ);
}

/* Character timeout (datasheet "FIFO interrupt mode operation"): data in
 * the FIFO, nothing received or read for 4 character times. */
static void uart_restart_timeout(UartState *s)
{
    s->timeout_pending = false;
    timer_del(&s->timeout_timer);
    if (uart_fifo_on(s) && s->rx_count > 0)
        timer_mod(&s->timeout_timer,
                  clock_now(&s->vm->clock) + 4 * uart_char_ns(s));
}

static void uart_timeout_cb(void *opaque)
{
    UartState *s = opaque;
    if (uart_fifo_on(s) && s->rx_count > 0)
        s->timeout_pending = true;
    uart_update_irq(s);
}

/* --- receive ---------------------------------------------------------- */

static unsigned uart_rx_capacity(const UartState *s)
{
    return uart_fifo_on(s) ? UART_FIFO_SIZE : 1;
}

static void uart_rx_push(UartState *s, uint8_t b)
{
    if (s->rx_count >= uart_rx_capacity(s)) {
        s->lsr |= UART_LSR_OE; /* overrun: the character is lost */
        return;
    }
    s->rx_fifo[(s->rx_head + s->rx_count) % UART_FIFO_SIZE] = b;
    s->rx_count++;
    s->lsr |= UART_LSR_DR;
}

size_t uart_receive(UartState *s, const uint8_t *buf, size_t len)
{
    size_t n = 0;
    while (n < len && s->rx_count < uart_rx_capacity(s))
        uart_rx_push(s, buf[n++]);
    if (n) {
        uart_restart_timeout(s);
        uart_update_irq(s);
    }
    return n;
}

static uint8_t uart_rx_pop(UartState *s)
{
    if (s->rx_count == 0)
        return s->rx_fifo[s->rx_head]; /* stale byte, like hardware */
    uint8_t b = s->rx_fifo[s->rx_head];
    s->rx_head = (s->rx_head + 1) % UART_FIFO_SIZE;
    s->rx_count--;
    if (s->rx_count == 0)
        s->lsr &= ~UART_LSR_DR;
    uart_restart_timeout(s);
    return b;
}

/* Host input: only take what fits so that no byte is ever dropped. */
static void uart_poll_cb(void *opaque)
{
    UartState *s = opaque;
    if (!(s->mcr & UART_MCR_LOOP)) {
        uint8_t buf[UART_FIFO_SIZE];
        size_t room = uart_rx_capacity(s) - s->rx_count;
        size_t n = room ? chardev_read(&s->chr, buf, room) : 0;
        uart_receive(s, buf, n);
    }
    timer_mod(&s->poll_timer, clock_now(&s->vm->clock) + UART_POLL_NS);
}

/* --- transmit ---------------------------------------------------------- */

static void uart_transmit(UartState *s, uint8_t b)
{
    if (s->mcr & UART_MCR_LOOP) {
        uart_rx_push(s, b); /* may overrun, like the real receiver */
        uart_restart_timeout(s);
    } else {
        chardev_write(&s->chr, &b, 1);
    }
    /* The byte leaves at once: THR and shift register are empty again. */
    s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
    s->thre_pending = true;
}

/* --- modem lines ------------------------------------------------------ */

/* Modem status inputs: in loopback, DTR->DSR, RTS->CTS, OUT1->RI and
 * OUT2->DCD (datasheet "MCR bit 4"); otherwise CTS/DSR/DCD asserted. */
static void uart_update_msr(UartState *s)
{
    uint8_t in;
    if (s->mcr & UART_MCR_LOOP) {
        in = (uint8_t)(((s->mcr & UART_MCR_RTS) ? UART_MSR_CTS : 0) |
                       ((s->mcr & UART_MCR_DTR) ? UART_MSR_DSR : 0) |
                       ((s->mcr & UART_MCR_OUT1) ? UART_MSR_RI : 0) |
                       ((s->mcr & UART_MCR_OUT2) ? UART_MSR_DCD : 0));
    } else {
        in = UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
    }
    uint8_t old = s->msr & 0xF0, chg = old ^ in;
    uint8_t delta = s->msr & UART_MSR_DELTAS;
    if (chg & UART_MSR_CTS)
        delta |= UART_MSR_DCTS;
    if (chg & UART_MSR_DSR)
        delta |= UART_MSR_DDSR;
    if (chg & UART_MSR_DCD)
        delta |= UART_MSR_DDCD;
    if ((old & UART_MSR_RI) && !(in & UART_MSR_RI))
        delta |= UART_MSR_TERI; /* trailing edge of RI */
    s->msr = in | delta;
}

/* --- register access ---------------------------------------------------- */

static void uart_write_fcr(UartState *s, uint8_t v)
{
    if ((v ^ s->fcr) & UART_FCR_ENABLE) {
        /* Changing the FIFO enable clears both FIFOs. */
        s->rx_count = 0;
        s->lsr &= ~UART_LSR_DR;
    }
    if (!(v & UART_FCR_ENABLE)) {
        s->fcr = 0;
    } else {
        if (v & UART_FCR_CLEAR_RX) {
            s->rx_count = 0;
            s->lsr &= ~UART_LSR_DR;
        }
        s->fcr = v & 0xC9; /* clear bits self-reset */
    }
    uart_restart_timeout(s);
}

static void uart_write_ier(UartState *s, uint8_t v)
{
    uint8_t old = s->ier;
    s->ier = v & 0x0F;
    /* Enabling ETBEI with the THR empty raises THRE at once (Linux probes
     * for this, "UART_BUG_THRE"). */
    if ((s->ier & ~old & UART_IER_ETBEI) && (s->lsr & UART_LSR_THRE))
        s->thre_pending = true;
}

static void uart_io_write(void *opaque, uint32_t off, uint32_t val,
                          unsigned size)
{
    UartState *s = opaque;
    uint8_t v = (uint8_t)val;
    (void)size;
    bool dlab = s->lcr & UART_LCR_DLAB;
    switch (off) {
    case UART_RBR_THR:
        if (dlab) {
            s->divisor = (uint16_t)((s->divisor & 0xFF00) | v);
        } else {
            s->thre_pending = false;
            uart_transmit(s, v);
        }
        break;
    case UART_IER:
        if (dlab)
            s->divisor = (uint16_t)((s->divisor & 0x00FF) | v << 8);
        else
            uart_write_ier(s, v);
        break;
    case UART_IIR_FCR:
        uart_write_fcr(s, v);
        break;
    case UART_LCR:
        s->lcr = v;
        break;
    case UART_MCR:
        s->mcr = v & 0x1F;
        uart_update_msr(s);
        break;
    case UART_LSR:
    case UART_MSR:
        break; /* read-only (factory test writes ignored) */
    default:
        s->scr = v;
        break;
    }
    uart_update_irq(s);
}

static uint8_t uart_read_iir(UartState *s)
{
    uint8_t id = uart_iir_id(s);
    if (id == UART_IIR_THRE)
        s->thre_pending = false; /* IIR read is the THRE acknowledge */
    return (uint8_t)(id | (uart_fifo_on(s) ? UART_IIR_FIFO : 0));
}

static uint32_t uart_io_read(void *opaque, uint32_t off, unsigned size)
{
    UartState *s = opaque;
    uint8_t v;
    (void)size;
    bool dlab = s->lcr & UART_LCR_DLAB;
    switch (off) {
    case UART_RBR_THR:
        v = dlab ? (uint8_t)s->divisor : uart_rx_pop(s);
        break;
    case UART_IER:
        v = dlab ? (uint8_t)(s->divisor >> 8) : s->ier;
        break;
    case UART_IIR_FCR:
        v = uart_read_iir(s);
        break;
    case UART_LCR:
        v = s->lcr;
        break;
    case UART_MCR:
        v = s->mcr;
        break;
    case UART_LSR:
        v = s->lsr;
        s->lsr &= ~UART_LSR_ERRORS; /* errors clear on read */
        break;
    case UART_MSR:
        v = s->msr;
        s->msr &= ~UART_MSR_DELTAS;
        break;
    default:
        v = s->scr;
        break;
    }
    uart_update_irq(s);
    return v;
}

static const IoOps uart_ops = {uart_io_read, uart_io_write, 1, 1};

/* --- lifecycle ------------------------------------------------------------- */

/* Master reset values (datasheet Table III). */
static void uart_reset(void *opaque)
{
    UartState *s = opaque;
    s->ier = s->fcr = s->lcr = s->mcr = s->scr = 0;
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->msr &= 0xF0;
    s->divisor = 12; /* 9600 baud: undefined on hardware, any is fine */
    s->rx_head = s->rx_count = 0;
    s->thre_pending = false;
    s->timeout_pending = false;
    timer_del(&s->timeout_timer);
    uart_update_msr(s);
    s->msr &= ~UART_MSR_DELTAS;
    uart_update_irq(s);
}

static void uart_quit(void *opaque)
{
    UartState *s = opaque;
    vm_poweroff(s->vm, 0);
}

static int uart_parse_arg(UartState *s, VM *vm, const char *arg,
                          const char **spec, char *buf, size_t len)
{
    uint64_t index = 0, base, irq;
    bool ok = true;
    devarg_get_uint(arg, "index", &index, &ok);
    if (!ok || index > 3)
        return -EINVAL;
    s->base = uart_com[index].base;
    s->irq = uart_com[index].irq;
    if (devarg_get_uint(arg, "base", &base, &ok) && ok)
        s->base = (uint16_t)base;
    if (devarg_get_uint(arg, "irq", &irq, &ok) && ok && irq < 16)
        s->irq = (uint8_t)irq;
    if (!ok)
        return -EINVAL;
    *spec = index < 2 ? vm->cfg.serial[index] : NULL;
    if (devarg_get(arg, "chardev", buf, len))
        *spec = buf;
    return 0;
}

static int uart_init(void *opaque, VM *vm, const char *arg)
{
    UartState *s = opaque;
    char buf[256];
    const char *spec;
    s->vm = vm;
    s->chr.in_fd = s->chr.out_fd = s->chr.listen_fd = -1;
    timer_init(&s->poll_timer, &vm->clock, uart_poll_cb, s);
    timer_init(&s->timeout_timer, &vm->clock, uart_timeout_cb, s);
    int r = uart_parse_arg(s, vm, arg, &spec, buf, sizeof(buf));
    if (r < 0) {
        log_msg(&vm->log, LOG_ERROR, "uart: bad option string '%s'\n", arg);
        return r;
    }
    r = io_register(&vm->io, s->base, 8, &uart_ops, s, "uart16550");
    if (r < 0)
        return r;
    r = chardev_open(&s->chr, spec, &vm->log);
    if (r < 0)
        return r;
    s->chr.quit = uart_quit;
    s->chr.quit_opaque = s;
    if (chardev_has_input(&s->chr))
        timer_mod(&s->poll_timer, clock_now(&vm->clock) + UART_POLL_NS);
    uart_reset(s);
    return 0;
}

static void uart_fini(void *opaque)
{
    UartState *s = opaque;
    timer_del(&s->poll_timer);
    timer_del(&s->timeout_timer);
    chardev_close(&s->chr);
}

static int uart_post_load(void *opaque)
{
    UartState *s = opaque;
    irq_set(&s->vm->irq, s->irq, 0, s->irq_out);
    return 0;
}

static const StateField uart_state_fields[] = {
    STATE_FIELD(UartState, ier),
    STATE_FIELD(UartState, fcr),
    STATE_FIELD(UartState, lcr),
    STATE_FIELD(UartState, mcr),
    STATE_FIELD(UartState, lsr),
    STATE_FIELD(UartState, msr),
    STATE_FIELD(UartState, scr),
    STATE_FIELD(UartState, divisor),
    STATE_FIELD(UartState, rx_fifo),
    STATE_FIELD(UartState, rx_head),
    STATE_FIELD(UartState, rx_count),
    STATE_FIELD(UartState, thre_pending),
    STATE_FIELD(UartState, timeout_pending),
    STATE_FIELD(UartState, irq_out),
    STATE_TIMER_FIELD(UartState, poll_timer),
    STATE_TIMER_FIELD(UartState, timeout_timer),
    STATE_END,
};

const DeviceInfo uart16550_device = {
    .name = "uart16550",
    .state_size = sizeof(UartState),
    .state_version = 1,
    .init = uart_init,
    .reset = uart_reset,
    .fini = uart_fini,
    .fields = uart_state_fields,
    .post_load = uart_post_load,
};
