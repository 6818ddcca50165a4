/*
 * ps2.h — the PS/2 keyboard and mouse that sit behind the 8042 (i8042.c).
 *
 * Each device has a small output queue that the controller drains one byte
 * at a time into its output buffer; `notify` tells the controller that a
 * queue became non-empty. Key input uses "PC scancodes": the set-1 make
 * code, with 0xE0xx for E0-prefixed keys (0xE037 is Print Screen, 0xE11D
 * is Pause). Mouse input is relative: dx right, dy down, dz wheel towards
 * the user, buttons bit 0 left, 1 right, 2 middle.
 */
#ifndef X86BT_PS2_H
#define X86BT_PS2_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/clock.h"
#include "machine/log.h"

#define PS2_QUEUE_SIZE 16

/* Byte values of the PS/2 protocol (IBM PS/2 Hardware Interface Technical
 * Reference, "Keyboard/auxiliary device controller"). */
#define PS2_ACK 0xFA
#define PS2_RESEND 0xFE
#define PS2_BAT_OK 0xAA

typedef struct Ps2Queue {
    uint8_t data[PS2_QUEUE_SIZE];
    uint8_t head, count;
} Ps2Queue;

typedef void (*Ps2NotifyFn)(void *opaque);

typedef struct Ps2Kbd {
    Ps2Queue q;
    uint8_t pending_cmd;  /* command waiting for its argument, or 0 */
    uint8_t scanset;      /* 1, 2 (3 is accepted but generates set 2) */
    uint8_t leds;
    uint8_t typematic;    /* rate/delay byte (command 0xF3) */
    bool enabled;         /* scanning enabled */
    uint8_t last_sent;
    uint32_t held;        /* key that repeats, 0 if none */
    Timer repeat;
    Ps2NotifyFn notify;
    void *opaque;
    Log *log;
} Ps2Kbd;

typedef struct Ps2Mouse {
    Ps2Queue q;
    uint8_t pending_cmd;
    bool enabled;         /* data reporting */
    bool remote;          /* remote (polled) mode instead of stream */
    bool wrap;            /* echo mode */
    bool scale21;
    uint8_t rate, resolution;
    uint8_t id;           /* 0 standard, 3 IntelliMouse */
    uint8_t knock[3];     /* last three sample rates set */
    uint8_t buttons;
    int32_t dx, dy, dz;   /* movement not yet reported */
    bool dirty;           /* buttons changed since the last packet */
    Ps2NotifyFn notify;
    void *opaque;
    Log *log;
} Ps2Mouse;

bool ps2_queue_pop(Ps2Queue *q, uint8_t *b);
/* Append a byte; dropped if the queue is full. */
void ps2_queue_push(Ps2Queue *q, uint8_t b);

void ps2_kbd_init(Ps2Kbd *k, Clock *clock, Log *log, Ps2NotifyFn notify,
                  void *opaque);
void ps2_kbd_reset(Ps2Kbd *k);
/* A byte from the host (controller) to the keyboard. */
void ps2_kbd_write(Ps2Kbd *k, uint8_t b);
void ps2_kbd_key(Ps2Kbd *k, uint32_t keycode, bool down);
void ps2_kbd_fini(Ps2Kbd *k);

void ps2_mouse_init(Ps2Mouse *m, Log *log, Ps2NotifyFn notify, void *opaque);
void ps2_mouse_reset(Ps2Mouse *m);
void ps2_mouse_write(Ps2Mouse *m, uint8_t b);
void ps2_mouse_event(Ps2Mouse *m, int dx, int dy, int dz, unsigned buttons);
/* Called when the controller drained the queue: send pending movement. */
void ps2_mouse_refill(Ps2Mouse *m);

/* The 8042's set-2 to set-1 translation of one byte (< 0x80 or 0x83). */
uint8_t ps2_translate(uint8_t set2);

#endif
