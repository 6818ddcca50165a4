/*
 * sendkey.h — scripted keyboard input: `-sendkey-at S:KEYS` types KEYS on
 * the PS/2 keyboard (through the i8042) at virtual time S seconds, as if a
 * user pressed them, for unattended boots and system tests.
 *
 * KEYS is a comma-separated list of strokes. A stroke is a key name
 * (QEMU's sendkey names: esc, ret, spc, tab, backspace, f1-f12, up, down,
 * left, right, home, end, pgup, pgdn, insert, delete, ctrl, alt, shift,
 * comma, minus, ...) or one printable character on a US layout ('A' and
 * '!' add shift), with modifiers joined by '-': "ctrl-alt-delete",
 * "shift-tab". Each key of a stroke goes down in order and up in reverse,
 * one event every SENDKEY_STEP_NS.
 */
#ifndef X86BT_SENDKEY_H
#define X86BT_SENDKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SENDKEY_STEP_NS 20000000 /* 20 ms between key events */
#define SENDKEY_MAX_COMBO 4      /* keys held together in one stroke */

struct VM;
typedef struct SendKeyQueue SendKeyQueue;

typedef struct SendKeyEvent {
    uint32_t keycode; /* PC scancode as ps2.h defines it */
    bool down;
} SendKeyEvent;

/* Parse KEYS into key events (at most max of them stored in ev, which may
 * be NULL to validate and count). Returns the number of events, or -1 if
 * a stroke is not a known key (its text is then copied to bad). */
int sendkey_parse(const char *keys, SendKeyEvent *ev, size_t max, char *bad,
                  size_t badlen);

/* Schedule every -sendkey-at of vm->cfg on the VM's keyboard; a no-op
 * without any. Returns 0 or a negative errno. */
int sendkey_start(struct VM *vm);
/* Cancel what is left and free it. */
void sendkey_stop(struct VM *vm);

#endif
