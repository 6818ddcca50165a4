/*
 * pit.h — the 8254 interval timer and port 0x61 (system control port B).
 */
#ifndef X86BT_PIT_H
#define X86BT_PIT_H

#include <stdbool.h>

typedef struct PitState PitState;

/* Level of counter 2's OUT pin (as read at port 0x61 bit 5). */
bool pit_out2(PitState *s);

#endif
