/*
 * i8042.c — Intel 8042-compatible keyboard controller at ports 0x60/0x64
 * with a PS/2 keyboard (IRQ 1) and mouse (IRQ 12) (IBM PS/2 Hardware
 * Interface Technical Reference 1990, "Keyboard/auxiliary device
 * controller": status register, command byte, controller commands, output
 * port). Port 0x92 (fast A20/reset) belongs to the PIIX4 ISA bridge model.
 *
 * Modelled: status register (OBF, IBF never set, SYS, A2, inhibit switch
 * reads unlocked, AUX OBF), command byte (interrupt enables, SYS, disable
 * keyboard/aux clocks, translation), commands 0x20-0x3F/0x60-0x7F
 * (command byte and controller RAM), 0xA7-0xAB self tests, 0xAD/0xAE,
 * 0xC0 input port, 0xD0-0xD4 output port and device writes, 0xDD/0xDF,
 * 0xE0, 0xF0-0xFF pulse (bit 0 = reset). Set-2 to set-1 translation on the
 * keyboard channel. Output port bit 1 drives the A20 gate (the last write
 * of it or of port 0x92 wins, as both feed vm_set_a20).
 * Keyboard and mouse protocol engines live in ps2.c.
 * Not modelled: the password feature, controller timeouts and parity
 * errors (status bits 6/7 stay 0), input-port polling commands C1/C2.
 */
#include "devices/i8042.h"

#include "devices/devices.h"
#include "devices/ps2.h"
#include "machine/vm.h"

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT 0x64
#define I8042_KBD_IRQ 1
#define I8042_AUX_IRQ 12

/* Status register. */
#define ST_OBF 0x01
#define ST_SYS 0x04
#define ST_A2 0x08       /* last write was to the command port */
#define ST_UNLOCKED 0x10 /* keyboard inhibit switch: not inhibited */
#define ST_AUX_OBF 0x20

/* Command byte. */
#define CB_KBD_INT 0x01
#define CB_AUX_INT 0x02
#define CB_SYS 0x04
#define CB_KBD_DISABLE 0x10
#define CB_AUX_DISABLE 0x20
#define CB_XLAT 0x40

/* Output port. */
#define OP_RESET 0x01   /* low resets the CPU */
#define OP_A20 0x02
#define OP_KBD_OBF 0x10
#define OP_AUX_OBF 0x20
#define OP_DEFAULT 0xCF /* keyboard clock/data high, A20 on, no reset */

/* Controller commands. */
enum {
    CMD_READ_RAM = 0x20,      /* 0x20-0x3F */
    CMD_WRITE_RAM = 0x60,     /* 0x60-0x7F */
    CMD_AUX_DISABLE = 0xA7,
    CMD_AUX_ENABLE = 0xA8,
    CMD_AUX_TEST = 0xA9,
    CMD_SELF_TEST = 0xAA,
    CMD_KBD_TEST = 0xAB,
    CMD_KBD_DISABLE = 0xAD,
    CMD_KBD_ENABLE = 0xAE,
    CMD_READ_INPUT = 0xC0,
    CMD_POLL_INPUT_LO = 0xC1,
    CMD_POLL_INPUT_HI = 0xC2,
    CMD_READ_OUTPUT = 0xD0,
    CMD_WRITE_OUTPUT = 0xD1,
    CMD_WRITE_KBD_OBUF = 0xD2,
    CMD_WRITE_AUX_OBUF = 0xD3,
    CMD_WRITE_AUX = 0xD4,
    CMD_A20_OFF = 0xDD,
    CMD_A20_ON = 0xDF,
    CMD_READ_TEST = 0xE0,
    CMD_PULSE = 0xF0,         /* 0xF0-0xFF */
};

#define SELF_TEST_OK 0x55
#define INPUT_PORT 0x80 /* keyboard not inhibited */

struct I8042State {
    VM *vm;
    Ps2Kbd kbd;
    Ps2Mouse mouse;
    uint8_t status;
    uint8_t cmd_byte;
    uint8_t ram[32];      /* controller RAM; byte 0 is the command byte */
    uint8_t outport;
    uint8_t out;          /* output buffer */
    bool out_aux;         /* output buffer holds aux data */
    uint8_t pending;      /* controller command waiting for a data byte */
    Ps2Queue reply;       /* controller replies (keyboard channel) */
    Ps2Queue aux_reply;   /* 0xD3 bytes (aux channel) */
    bool xlat_break;      /* translation saw 0xF0: next code is a break */
    bool irq_kbd, irq_aux;
};

/* --- output buffer ------------------------------------------------------ */

static void i8042_update_irq(I8042State *s)
{
    bool full = s->status & ST_OBF;
    bool kbd = full && !s->out_aux && (s->cmd_byte & CB_KBD_INT);
    bool aux = full && s->out_aux && (s->cmd_byte & CB_AUX_INT);
    if (kbd != s->irq_kbd) {
        s->irq_kbd = kbd;
        irq_set(&s->vm->irq, I8042_KBD_IRQ, 0, kbd);
    }
    if (aux != s->irq_aux) {
        s->irq_aux = aux;
        irq_set(&s->vm->irq, I8042_AUX_IRQ, 0, aux);
    }
}

static void i8042_load(I8042State *s, uint8_t b, bool aux)
{
    s->out = b;
    s->out_aux = aux;
    s->status |= ST_OBF;
    if (aux)
        s->status |= ST_AUX_OBF;
    else
        s->status &= ~ST_AUX_OBF;
}

/* Next keyboard byte through the translator: a set-2 0xF0 prefix is
 * absorbed and sets bit 7 of the following translated code. False if the
 * queue ran dry (only a prefix was pending). */
static bool i8042_kbd_byte(I8042State *s, uint8_t *out)
{
    uint8_t b;
    while (ps2_queue_pop(&s->kbd.q, &b)) {
        if (!(s->cmd_byte & CB_XLAT)) {
            *out = b;
            return true;
        }
        if (b == 0xF0) {
            s->xlat_break = true;
            continue;
        }
        *out = (uint8_t)(ps2_translate(b) | (s->xlat_break ? 0x80 : 0));
        s->xlat_break = false;
        return true;
    }
    return false;
}

/* Fill an empty output buffer: controller replies first, then keyboard,
 * then mouse, each only while its interface is enabled. */
static void i8042_fill(I8042State *s)
{
    uint8_t b;
    if (!(s->status & ST_OBF)) {
        if (ps2_queue_pop(&s->reply, &b))
            i8042_load(s, b, false);
        else if (ps2_queue_pop(&s->aux_reply, &b))
            i8042_load(s, b, true);
        else if (!(s->cmd_byte & CB_KBD_DISABLE) && i8042_kbd_byte(s, &b))
            i8042_load(s, b, false);
        else if (!(s->cmd_byte & CB_AUX_DISABLE) &&
                 ps2_queue_pop(&s->mouse.q, &b)) {
            i8042_load(s, b, true);
            ps2_mouse_refill(&s->mouse);
        }
    }
    i8042_update_irq(s);
}

static void i8042_notify(void *opaque)
{
    i8042_fill(opaque);
}

static void i8042_reply(I8042State *s, uint8_t b)
{
    ps2_queue_push(&s->reply, b);
    i8042_fill(s);
}

/* --- A20 and reset ------------------------------------------------------ */

static void i8042_write_outport(I8042State *s, uint8_t v)
{
    s->outport = v;
    vm_set_a20(s->vm, (v & OP_A20) != 0);
    if (!(v & OP_RESET))
        vm_request(s->vm, VM_REQ_RESET);
}

static uint8_t i8042_read_outport(const I8042State *s)
{
    uint8_t v = s->outport & ~(OP_KBD_OBF | OP_AUX_OBF);
    if (s->status & ST_OBF)
        v |= s->out_aux ? OP_AUX_OBF : OP_KBD_OBF;
    return v;
}

/* --- controller commands ------------------------------------------------ */

static void i8042_set_cmd_byte(I8042State *s, uint8_t v)
{
    s->cmd_byte = v;
    s->ram[0] = v;
    s->status = (uint8_t)((s->status & ~ST_SYS) | (v & CB_SYS));
    i8042_fill(s);
}

/* Commands that take a data byte at port 0x60 are remembered in
 * s->pending; this handles that byte. */
static void i8042_command_data(I8042State *s, uint8_t cmd, uint8_t v)
{
    if (cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + 32) {
        if (cmd == CMD_WRITE_RAM)
            i8042_set_cmd_byte(s, v);
        else
            s->ram[cmd - CMD_WRITE_RAM] = v;
        return;
    }
    switch (cmd) {
    case CMD_WRITE_OUTPUT:
        i8042_write_outport(s, v);
        break;
    case CMD_WRITE_KBD_OBUF:
        i8042_reply(s, v);
        break;
    case CMD_WRITE_AUX_OBUF:
        ps2_queue_push(&s->aux_reply, v);
        i8042_fill(s);
        break;
    default: /* CMD_WRITE_AUX */
        ps2_mouse_write(&s->mouse, v);
        break;
    }
}

static bool i8042_takes_data(uint8_t cmd)
{
    return (cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + 32) ||
           (cmd >= CMD_WRITE_OUTPUT && cmd <= CMD_WRITE_AUX);
}

static void i8042_command(I8042State *s, uint8_t cmd)
{
    if (i8042_takes_data(cmd)) {
        s->pending = cmd;
        return;
    }
    if (cmd >= CMD_READ_RAM && cmd < CMD_READ_RAM + 32) {
        i8042_reply(s, s->ram[cmd - CMD_READ_RAM]);
        return;
    }
    if (cmd >= CMD_PULSE) {
        /* Pulse output port bits whose command bit is 0; only bit 0 (reset)
         * has an effect. */
        if (!(cmd & OP_RESET))
            vm_request(s->vm, VM_REQ_RESET);
        return;
    }
    switch (cmd) {
    case CMD_AUX_DISABLE:
        i8042_set_cmd_byte(s, s->cmd_byte | CB_AUX_DISABLE);
        break;
    case CMD_AUX_ENABLE:
        i8042_set_cmd_byte(s, s->cmd_byte & ~CB_AUX_DISABLE);
        break;
    case CMD_AUX_TEST:
    case CMD_KBD_TEST:
        i8042_reply(s, 0x00); /* interface OK */
        break;
    case CMD_SELF_TEST:
        s->status |= ST_SYS;
        i8042_reply(s, SELF_TEST_OK);
        break;
    case CMD_KBD_DISABLE:
        i8042_set_cmd_byte(s, s->cmd_byte | CB_KBD_DISABLE);
        break;
    case CMD_KBD_ENABLE:
        i8042_set_cmd_byte(s, s->cmd_byte & ~CB_KBD_DISABLE);
        break;
    case CMD_READ_INPUT:
        i8042_reply(s, INPUT_PORT);
        break;
    case CMD_POLL_INPUT_LO:
    case CMD_POLL_INPUT_HI:
        break;
    case CMD_READ_OUTPUT:
        i8042_reply(s, i8042_read_outport(s));
        break;
    case CMD_A20_OFF:
    case CMD_A20_ON:
        i8042_write_outport(s, (uint8_t)((s->outport & ~OP_A20) |
                                         (cmd == CMD_A20_ON ? OP_A20 : 0)));
        break;
    case CMD_READ_TEST:
        i8042_reply(s, 0x00);
        break;
    default:
        log_once(&s->vm->log, LOG_GUEST_ERROR,
                 "i8042: unknown controller command %#x\n", cmd);
        break;
    }
}

/* --- ports --------------------------------------------------------------- */

/* Port 0x60 read: the output buffer. Reading an empty buffer returns the
 * last byte again. */
static uint32_t i8042_data_read(void *opaque, uint32_t off, unsigned size)
{
    I8042State *s = opaque;
    (void)off;
    (void)size;
    uint8_t v = s->out;
    s->status &= ~(ST_OBF | ST_AUX_OBF);
    i8042_update_irq(s);
    i8042_fill(s);
    return v;
}

/* Port 0x60 write: data for a pending controller command, else a byte for
 * the keyboard. */
static void i8042_data_write(void *opaque, uint32_t off, uint32_t val,
                             unsigned size)
{
    I8042State *s = opaque;
    (void)off;
    (void)size;
    s->status &= ~ST_A2;
    if (s->pending) {
        uint8_t cmd = s->pending;
        s->pending = 0;
        i8042_command_data(s, cmd, (uint8_t)val);
    } else {
        ps2_kbd_write(&s->kbd, (uint8_t)val);
    }
}

static uint32_t i8042_cmd_read(void *opaque, uint32_t off, unsigned size)
{
    I8042State *s = opaque;
    (void)off;
    (void)size;
    return s->status;
}

static void i8042_cmd_write(void *opaque, uint32_t off, uint32_t val,
                            unsigned size)
{
    I8042State *s = opaque;
    (void)off;
    (void)size;
    s->status |= ST_A2;
    s->pending = 0;
    i8042_command(s, (uint8_t)val);
}

static const IoOps i8042_data_ops = {i8042_data_read, i8042_data_write, 1, 1};
static const IoOps i8042_cmd_ops = {i8042_cmd_read, i8042_cmd_write, 1, 1};

/* --- frontend input API ------------------------------------------------ */

void i8042_key_event(I8042State *s, uint32_t keycode, bool down)
{
    ps2_kbd_key(&s->kbd, keycode, down);
}

void i8042_mouse_event(I8042State *s, int dx, int dy, int dz,
                       unsigned buttons)
{
    ps2_mouse_event(&s->mouse, dx, dy, dz, buttons);
}

/* --- lifecycle ------------------------------------------------------------ */

static void i8042_reset(void *opaque)
{
    I8042State *s = opaque;
    s->status = ST_UNLOCKED;
    s->cmd_byte = s->ram[0] = CB_KBD_INT | CB_AUX_INT | CB_XLAT;
    s->outport = OP_DEFAULT; /* A20 on, matching vm_reset() */
    s->pending = 0;
    s->out = 0;
    s->out_aux = false;
    s->xlat_break = false;
    s->reply.count = s->aux_reply.count = 0;
    ps2_kbd_reset(&s->kbd);
    ps2_mouse_reset(&s->mouse);
    i8042_update_irq(s);
}

static int i8042_init(void *opaque, VM *vm, const char *arg)
{
    I8042State *s = opaque;
    (void)arg;
    s->vm = vm;
    ps2_kbd_init(&s->kbd, &vm->clock, &vm->log, i8042_notify, s);
    ps2_mouse_init(&s->mouse, &vm->log, i8042_notify, s);
    int r = io_register(&vm->io, I8042_DATA_PORT, 1, &i8042_data_ops, s,
                        "i8042-data");
    if (r >= 0)
        r = io_register(&vm->io, I8042_CMD_PORT, 1, &i8042_cmd_ops, s,
                        "i8042-cmd");
    if (r < 0)
        return r;
    i8042_reset(s);
    return 0;
}

static void i8042_fini(void *opaque)
{
    I8042State *s = opaque;
    ps2_kbd_fini(&s->kbd);
}

static int i8042_post_load(void *opaque)
{
    I8042State *s = opaque;
    irq_set(&s->vm->irq, I8042_KBD_IRQ, 0, s->irq_kbd);
    irq_set(&s->vm->irq, I8042_AUX_IRQ, 0, s->irq_aux);
    return 0;
}

static const StateField i8042_state_fields[] = {
    STATE_FIELD(I8042State, status),
    STATE_FIELD(I8042State, cmd_byte),
    STATE_FIELD(I8042State, ram),
    STATE_FIELD(I8042State, outport),
    STATE_FIELD(I8042State, out),
    STATE_FIELD(I8042State, out_aux),
    STATE_FIELD(I8042State, pending),
    STATE_FIELD(I8042State, reply),
    STATE_FIELD(I8042State, aux_reply),
    STATE_FIELD(I8042State, xlat_break),
    STATE_FIELD(I8042State, irq_kbd),
    STATE_FIELD(I8042State, irq_aux),
    STATE_FIELD(I8042State, kbd.q),
    STATE_FIELD(I8042State, kbd.pending_cmd),
    STATE_FIELD(I8042State, kbd.scanset),
    STATE_FIELD(I8042State, kbd.leds),
    STATE_FIELD(I8042State, kbd.typematic),
    STATE_FIELD(I8042State, kbd.enabled),
    STATE_FIELD(I8042State, kbd.last_sent),
    STATE_FIELD(I8042State, kbd.held),
    STATE_TIMER_FIELD(I8042State, kbd.repeat),
    STATE_FIELD(I8042State, mouse.q),
    STATE_FIELD(I8042State, mouse.pending_cmd),
    STATE_FIELD(I8042State, mouse.enabled),
    STATE_FIELD(I8042State, mouse.remote),
    STATE_FIELD(I8042State, mouse.wrap),
    STATE_FIELD(I8042State, mouse.scale21),
    STATE_FIELD(I8042State, mouse.rate),
    STATE_FIELD(I8042State, mouse.resolution),
    STATE_FIELD(I8042State, mouse.id),
    STATE_FIELD(I8042State, mouse.knock),
    STATE_FIELD(I8042State, mouse.buttons),
    STATE_FIELD(I8042State, mouse.dx),
    STATE_FIELD(I8042State, mouse.dy),
    STATE_FIELD(I8042State, mouse.dz),
    STATE_FIELD(I8042State, mouse.dirty),
    STATE_END,
};

const DeviceInfo i8042_device = {
    .name = "i8042",
    .state_size = sizeof(I8042State),
    .state_version = 1,
    .init = i8042_init,
    .reset = i8042_reset,
    .fini = i8042_fini,
    .fields = i8042_state_fields,
    .post_load = i8042_post_load,
};
