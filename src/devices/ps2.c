/*
 * ps2.c — PS/2 keyboard (scancode sets 1 and 2, typematic repeat, LEDs)
 * and PS/2 mouse (stream/remote/wrap modes, IntelliMouse wheel), as seen
 * from the 8042 (IBM "Keyboard and Auxiliary Device Controller" technical
 * reference, PS/2 Hardware Interface Technical Reference 1990, sections
 * "Keyboard commands" and "Auxiliary device commands"; Microsoft
 * IntelliMouse PS/2 extension for the 200/100/80 sample-rate knock).
 *
 * Not modelled: scancode set 3 (accepted, logged, set 2 is generated),
 * 2:1 mouse scaling (stored only), the IntelliMouse Explorer (ID 4).
 */
#include "devices/ps2.h"

#include <string.h>

/* Keyboard commands. */
#define KBD_CMD_LEDS 0xED
#define KBD_CMD_ECHO 0xEE
#define KBD_CMD_SCANSET 0xF0
#define KBD_CMD_IDENTIFY 0xF2
#define KBD_CMD_TYPEMATIC 0xF3
#define KBD_CMD_ENABLE 0xF4
#define KBD_CMD_DISABLE 0xF5
#define KBD_CMD_DEFAULTS 0xF6
#define KBD_CMD_RESEND 0xFE
#define KBD_CMD_RESET 0xFF
#define KBD_ID0 0xAB
#define KBD_ID1 0x83
#define KBD_TYPEMATIC_DEFAULT 0x2B /* 10.9 cps, 500 ms */
#define KBD_REPEAT_UNIT_NS 4170000 /* 4.17 ms */
#define KBD_BREAK 0xF0
#define KBD_E0 0xE0

/* Mouse commands. */
#define MOUSE_CMD_SCALE11 0xE6
#define MOUSE_CMD_SCALE21 0xE7
#define MOUSE_CMD_RESOLUTION 0xE8
#define MOUSE_CMD_STATUS 0xE9
#define MOUSE_CMD_STREAM 0xEA
#define MOUSE_CMD_READ 0xEB
#define MOUSE_CMD_RESET_WRAP 0xEC
#define MOUSE_CMD_WRAP 0xEE
#define MOUSE_CMD_REMOTE 0xF0
#define MOUSE_CMD_GET_ID 0xF2
#define MOUSE_CMD_RATE 0xF3
#define MOUSE_CMD_ENABLE 0xF4
#define MOUSE_CMD_DISABLE 0xF5
#define MOUSE_CMD_DEFAULTS 0xF6
#define MOUSE_CMD_RESET 0xFF

/* The 8042's set-2 to set-1 translation for codes 0x00-0x7F (IBM
 * technical reference, "Scan code translation"); 0x83 (F7) and 0x84
 * (SysRq) are the two codes above 0x7F that translate. */
static const uint8_t ps2_xlat[128] = {
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, /* 00 */
    0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, /* 10 */
    0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, /* 20 */
    0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, /* 30 */
    0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, /* 40 */
    0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, /* 50 */
    0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, /* 60 */
    0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, /* 70 */
    0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};
#define PS2_SET2_F7 0x83
#define PS2_SET2_SYSRQ 0x84

uint8_t ps2_translate(uint8_t set2)
{
    if (set2 < 0x80)
        return ps2_xlat[set2];
    if (set2 == PS2_SET2_F7)
        return 0x41;
    if (set2 == PS2_SET2_SYSRQ)
        return 0x54;
    return set2;
}

/* Set-1 make code to set-2 code: the inverse of the translation table
 * (searched, so the two can never disagree). 0 if there is none. */
static uint8_t ps2_set1_to_set2(uint8_t set1)
{
    if (set1 == 0x41)
        return PS2_SET2_F7;
    if (set1 == 0x54)
        return PS2_SET2_SYSRQ;
    for (unsigned i = 1; i < 0x80; i++)
        if (ps2_xlat[i] == set1)
            return (uint8_t)i;
    return 0;
}

/* --- queues --------------------------------------------------------- */

static unsigned ps2_queue_room(const Ps2Queue *q)
{
    return PS2_QUEUE_SIZE - q->count;
}

void ps2_queue_push(Ps2Queue *q, uint8_t b)
{
    if (q->count == PS2_QUEUE_SIZE)
        return;
    q->data[(q->head + q->count) % PS2_QUEUE_SIZE] = b;
    q->count++;
}

bool ps2_queue_pop(Ps2Queue *q, uint8_t *b)
{
    if (q->count == 0)
        return false;
    *b = q->data[q->head];
    q->head = (q->head + 1) % PS2_QUEUE_SIZE;
    q->count--;
    return true;
}

static void ps2_queue_clear(Ps2Queue *q)
{
    q->head = q->count = 0;
}

/* --- keyboard ------------------------------------------------------- */

static void kbd_send(Ps2Kbd *k, uint8_t b)
{
    ps2_queue_push(&k->q, b);
    k->last_sent = b;
    k->notify(k->opaque);
}

/* Defaults (command 0xF6): set 2, typematic 10.9 cps / 500 ms. */
static void kbd_defaults(Ps2Kbd *k)
{
    k->scanset = 2;
    k->typematic = KBD_TYPEMATIC_DEFAULT;
    k->held = 0;
    timer_del(&k->repeat);
}

/* Bytes of one key transition in the current set. */
static unsigned kbd_encode(const Ps2Kbd *k, uint32_t key, bool down,
                           uint8_t *out)
{
    unsigned n = 0;
    bool e0 = (key >> 8) == KBD_E0;
    uint8_t code = key & 0x7F;
    if (k->scanset == 1) {
        if (e0)
            out[n++] = KBD_E0;
        out[n++] = (uint8_t)(code | (down ? 0 : 0x80));
        return n;
    }
    uint8_t s2 = ps2_set1_to_set2(code);
    if (!s2)
        return 0;
    if (e0)
        out[n++] = KBD_E0;
    if (!down)
        out[n++] = KBD_BREAK;
    out[n++] = s2;
    return n;
}

/* Keys whose codes are sequences of their own (IBM reference, "Scan code
 * set 2" footnotes): Print Screen and Pause. */
static unsigned kbd_encode_special(const Ps2Kbd *k, uint32_t key, bool down,
                                   uint8_t *out)
{
    static const uint8_t prtsc2_make[] = {0xE0, 0x12, 0xE0, 0x7C};
    static const uint8_t prtsc2_break[] = {0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12};
    static const uint8_t prtsc1_make[] = {0xE0, 0x2A, 0xE0, 0x37};
    static const uint8_t prtsc1_break[] = {0xE0, 0xB7, 0xE0, 0xAA};
    static const uint8_t pause2[] = {0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14,
                                     0xF0, 0x77};
    static const uint8_t pause1[] = {0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5};
    const uint8_t *seq;
    size_t len;
    if (key == 0xE11D) {
        if (!down)
            return 0; /* Pause has no break code */
        seq = k->scanset == 1 ? pause1 : pause2;
        len = k->scanset == 1 ? sizeof(pause1) : sizeof(pause2);
    } else if (k->scanset == 1) {
        seq = down ? prtsc1_make : prtsc1_break;
        len = down ? sizeof(prtsc1_make) : sizeof(prtsc1_break);
    } else {
        seq = down ? prtsc2_make : prtsc2_break;
        len = down ? sizeof(prtsc2_make) : sizeof(prtsc2_break);
    }
    memcpy(out, seq, len);
    return (unsigned)len;
}

static void kbd_emit(Ps2Kbd *k, uint32_t key, bool down)
{
    uint8_t buf[8];
    unsigned n = (key == 0xE037 || key == 0xE11D)
                     ? kbd_encode_special(k, key, down, buf)
                     : kbd_encode(k, key, down, buf);
    if (n == 0)
        return;
    if (ps2_queue_room(&k->q) < n) {
        log_once(k->log, LOG_GUEST_ERROR,
                 "ps2: keyboard buffer full, key dropped\n");
        return;
    }
    for (unsigned i = 0; i < n; i++)
        ps2_queue_push(&k->q, buf[i]);
    k->last_sent = buf[n - 1];
    k->notify(k->opaque);
}

static int64_t kbd_repeat_delay(const Ps2Kbd *k)
{
    return (int64_t)(((k->typematic >> 5) & 3) + 1) * 250000000;
}

/* Period = (8 + A) * 2^B * 4.17 ms with A = bits 2:0, B = bits 4:3 (IBM
 * reference, "Set typematic rate/delay"). */
static int64_t kbd_repeat_period(const Ps2Kbd *k)
{
    unsigned a = k->typematic & 7, b = (k->typematic >> 3) & 3;
    return (int64_t)(8 + a) * (1 << b) * KBD_REPEAT_UNIT_NS;
}

static void kbd_repeat_cb(void *opaque)
{
    Ps2Kbd *k = opaque;
    if (!k->held || !k->enabled)
        return;
    kbd_emit(k, k->held, true);
    timer_mod(&k->repeat, clock_now(k->repeat.clock) + kbd_repeat_period(k));
}

void ps2_kbd_key(Ps2Kbd *k, uint32_t keycode, bool down)
{
    if (!k->enabled)
        return;
    kbd_emit(k, keycode, down);
    if (down && keycode != 0xE11D) {
        k->held = keycode;
        timer_mod(&k->repeat,
                  clock_now(k->repeat.clock) + kbd_repeat_delay(k));
    } else if (!down && keycode == k->held) {
        k->held = 0;
        timer_del(&k->repeat);
    }
}

/* The argument byte of 0xED, 0xF0 or 0xF3. */
static void kbd_command_arg(Ps2Kbd *k, uint8_t b)
{
    uint8_t cmd = k->pending_cmd;
    k->pending_cmd = 0;
    switch (cmd) {
    case KBD_CMD_LEDS:
        k->leds = b & 7;
        kbd_send(k, PS2_ACK);
        break;
    case KBD_CMD_TYPEMATIC:
        k->typematic = b & 0x7F;
        kbd_send(k, PS2_ACK);
        break;
    default: /* KBD_CMD_SCANSET: 0 queries, 1-3 select */
        if (b > 3) {
            kbd_send(k, PS2_RESEND);
            break;
        }
        kbd_send(k, PS2_ACK);
        if (b == 0) {
            kbd_send(k, k->scanset);
        } else {
            if (b == 3)
                log_once(k->log, LOG_UNIMP,
                         "ps2: scancode set 3 not modelled, using set 2\n");
            k->scanset = b;
        }
        break;
    }
}

void ps2_kbd_write(Ps2Kbd *k, uint8_t b)
{
    if (k->pending_cmd) {
        kbd_command_arg(k, b);
        return;
    }
    switch (b) {
    case KBD_CMD_LEDS:
    case KBD_CMD_SCANSET:
    case KBD_CMD_TYPEMATIC:
        k->pending_cmd = b;
        kbd_send(k, PS2_ACK);
        break;
    case KBD_CMD_ECHO:
        kbd_send(k, KBD_CMD_ECHO);
        break;
    case KBD_CMD_IDENTIFY:
        kbd_send(k, PS2_ACK);
        kbd_send(k, KBD_ID0);
        kbd_send(k, KBD_ID1);
        break;
    case KBD_CMD_ENABLE:
        ps2_queue_clear(&k->q);
        k->enabled = true;
        kbd_send(k, PS2_ACK);
        break;
    case KBD_CMD_DISABLE:
    case KBD_CMD_DEFAULTS:
        ps2_queue_clear(&k->q);
        kbd_defaults(k);
        k->enabled = b == KBD_CMD_DEFAULTS;
        kbd_send(k, PS2_ACK);
        break;
    case KBD_CMD_RESEND:
        kbd_send(k, k->last_sent);
        break;
    case KBD_CMD_RESET:
        ps2_kbd_reset(k);
        kbd_send(k, PS2_ACK);
        kbd_send(k, PS2_BAT_OK);
        break;
    default:
        if (b >= 0xF7 && b <= 0xFD) { /* set-3 key type commands */
            kbd_send(k, PS2_ACK);
            break;
        }
        kbd_send(k, PS2_RESEND);
        break;
    }
}

void ps2_kbd_init(Ps2Kbd *k, Clock *clock, Log *log, Ps2NotifyFn notify,
                  void *opaque)
{
    k->notify = notify;
    k->opaque = opaque;
    k->log = log;
    timer_init(&k->repeat, clock, kbd_repeat_cb, k);
}

void ps2_kbd_reset(Ps2Kbd *k)
{
    ps2_queue_clear(&k->q);
    kbd_defaults(k);
    k->pending_cmd = 0;
    k->leds = 0;
    k->enabled = true;
    k->last_sent = 0;
}

void ps2_kbd_fini(Ps2Kbd *k)
{
    timer_del(&k->repeat);
}

/* --- mouse ------------------------------------------------------------ */

static void mouse_send(Ps2Mouse *m, uint8_t b)
{
    ps2_queue_push(&m->q, b);
    m->notify(m->opaque);
}

static void mouse_defaults(Ps2Mouse *m)
{
    m->rate = 100;
    m->resolution = 2;
    m->scale21 = false;
    m->enabled = false;
    m->remote = false;
    m->dx = m->dy = m->dz = 0;
    m->dirty = false;
}

static int32_t mouse_clamp(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* One movement packet (IBM reference, "Data report"): byte 1 = Y/X
 * overflow, Y/X sign, 1, middle, right, left; then X and Y (up is
 * positive); IntelliMouse adds a Z byte. */
static void mouse_packet(Ps2Mouse *m)
{
    int32_t dx = mouse_clamp(m->dx, -256, 255);
    int32_t dy = mouse_clamp(m->dy, -256, 255);
    int32_t dz = mouse_clamp(m->dz, -8, 7);
    m->dx -= dx;
    m->dy -= dy;
    m->dz -= dz;
    int32_t up = -dy;
    uint8_t b0 = (uint8_t)(0x08 | (m->buttons & 1) | (m->buttons & 2) |
                           ((m->buttons & 4) ? 4 : 0) |
                           (dx < 0 ? 0x10 : 0) | (up < 0 ? 0x20 : 0));
    ps2_queue_push(&m->q, b0);
    ps2_queue_push(&m->q, (uint8_t)dx);
    ps2_queue_push(&m->q, (uint8_t)up);
    if (m->id == 3)
        ps2_queue_push(&m->q, (uint8_t)dz);
    m->dirty = false;
}

static unsigned mouse_packet_size(const Ps2Mouse *m)
{
    return m->id == 3 ? 4 : 3;
}

void ps2_mouse_refill(Ps2Mouse *m)
{
    if (!m->enabled || m->remote || m->wrap)
        return;
    bool sent = false;
    while ((m->dirty || m->dx || m->dy || m->dz) &&
           ps2_queue_room(&m->q) >= mouse_packet_size(m)) {
        mouse_packet(m);
        sent = true;
    }
    if (sent)
        m->notify(m->opaque);
}

void ps2_mouse_event(Ps2Mouse *m, int dx, int dy, int dz, unsigned buttons)
{
    m->dx = mouse_clamp(m->dx + dx, -4096, 4096);
    m->dy = mouse_clamp(m->dy + dy, -4096, 4096);
    if (m->id == 3)
        m->dz = mouse_clamp(m->dz + dz, -64, 64);
    if ((buttons & 7) != m->buttons) {
        m->buttons = buttons & 7;
        m->dirty = true;
    }
    ps2_mouse_refill(m);
}

/* IntelliMouse detection: sample rates 200, 100, 80 in a row switch the
 * device ID to 3 (wheel). */
static void mouse_set_rate(Ps2Mouse *m, uint8_t rate)
{
    m->rate = rate;
    m->knock[0] = m->knock[1];
    m->knock[1] = m->knock[2];
    m->knock[2] = rate;
    if (m->knock[0] == 200 && m->knock[1] == 100 && m->knock[2] == 80)
        m->id = 3;
}

static void mouse_status(Ps2Mouse *m)
{
    mouse_send(m, PS2_ACK);
    mouse_send(m, (uint8_t)((m->remote ? 0x40 : 0) |
                            (m->enabled ? 0x20 : 0) |
                            (m->scale21 ? 0x10 : 0) |
                            ((m->buttons & 1) ? 4 : 0) |
                            ((m->buttons & 4) ? 2 : 0) |
                            ((m->buttons & 2) ? 1 : 0)));
    mouse_send(m, m->resolution);
    mouse_send(m, m->rate);
}

static void mouse_command_arg(Ps2Mouse *m, uint8_t b)
{
    uint8_t cmd = m->pending_cmd;
    m->pending_cmd = 0;
    if (cmd == MOUSE_CMD_RESOLUTION)
        m->resolution = b & 3;
    else
        mouse_set_rate(m, b);
    mouse_send(m, PS2_ACK);
}

static void mouse_command(Ps2Mouse *m, uint8_t b)
{
    switch (b) {
    case MOUSE_CMD_SCALE11:
    case MOUSE_CMD_SCALE21:
        m->scale21 = b == MOUSE_CMD_SCALE21;
        mouse_send(m, PS2_ACK);
        break;
    case MOUSE_CMD_RESOLUTION:
    case MOUSE_CMD_RATE:
        m->pending_cmd = b;
        mouse_send(m, PS2_ACK);
        break;
    case MOUSE_CMD_STATUS:
        mouse_status(m);
        break;
    case MOUSE_CMD_STREAM:
    case MOUSE_CMD_REMOTE:
        m->remote = b == MOUSE_CMD_REMOTE;
        mouse_send(m, PS2_ACK);
        break;
    case MOUSE_CMD_READ:
        mouse_send(m, PS2_ACK);
        mouse_packet(m);
        m->notify(m->opaque);
        break;
    case MOUSE_CMD_WRAP:
        m->wrap = true;
        mouse_send(m, PS2_ACK);
        break;
    case MOUSE_CMD_RESET_WRAP:
        m->wrap = false;
        mouse_send(m, PS2_ACK);
        break;
    case MOUSE_CMD_GET_ID:
        mouse_send(m, PS2_ACK);
        mouse_send(m, m->id);
        break;
    case MOUSE_CMD_ENABLE:
    case MOUSE_CMD_DISABLE:
        m->enabled = b == MOUSE_CMD_ENABLE;
        m->dx = m->dy = m->dz = 0;
        mouse_send(m, PS2_ACK);
        break;
    case MOUSE_CMD_DEFAULTS:
        mouse_defaults(m);
        mouse_send(m, PS2_ACK);
        break;
    case MOUSE_CMD_RESET:
        ps2_mouse_reset(m);
        mouse_send(m, PS2_ACK);
        mouse_send(m, PS2_BAT_OK);
        mouse_send(m, 0x00);
        break;
    default:
        mouse_send(m, PS2_RESEND);
        break;
    }
}

void ps2_mouse_write(Ps2Mouse *m, uint8_t b)
{
    if (m->pending_cmd) {
        mouse_command_arg(m, b);
    } else if (m->wrap && b != MOUSE_CMD_RESET_WRAP &&
               b != MOUSE_CMD_RESET) {
        mouse_send(m, b); /* wrap mode echoes everything else */
    } else {
        ps2_queue_clear(&m->q);
        mouse_command(m, b);
    }
}

void ps2_mouse_init(Ps2Mouse *m, Log *log, Ps2NotifyFn notify, void *opaque)
{
    m->notify = notify;
    m->opaque = opaque;
    m->log = log;
}

void ps2_mouse_reset(Ps2Mouse *m)
{
    ps2_queue_clear(&m->q);
    mouse_defaults(m);
    m->pending_cmd = 0;
    m->wrap = false;
    m->id = 0;
    memset(m->knock, 0, sizeof(m->knock));
}
