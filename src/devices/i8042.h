/*
 * i8042.h — keyboard controller with PS/2 keyboard and mouse; input API
 * for the display frontend (see ps2.h for the key and mouse encodings).
 */
#ifndef X86BT_I8042_H
#define X86BT_I8042_H

#include <stdbool.h>
#include <stdint.h>

typedef struct I8042State I8042State;

/* A key went down or up. keycode: set-1 make code, 0xE0xx for E0-prefixed
 * keys, 0xE037 Print Screen, 0xE11D Pause. The frontend sends real
 * transitions only; the keyboard generates typematic repeats itself. */
void i8042_key_event(I8042State *s, uint32_t keycode, bool down);
/* Relative mouse motion: dx right, dy down, dz wheel towards the user;
 * buttons bit 0 left, 1 right, 2 middle. */
void i8042_mouse_event(I8042State *s, int dx, int dy, int dz,
                       unsigned buttons);

#endif
