/*
 * pc.h — the 440BX/PIIX4 PC board: which devices, where, with what
 * arguments, and the firmware.
 */
#ifndef X86BT_PC_H
#define X86BT_PC_H

#include "machine/vm.h"

/* Add the board's devices and load the firmware. 0 or -errno with a
 * one-line reason in err. */
int pc_init(VM *vm, char *err, size_t errlen);
/* Default firmware path into buf: our SeaBIOS build if present (from the
 * working directory or beside the executable's build/), else Debian's;
 * false when none is found. */
bool pc_default_bios(char *buf, size_t len);

#endif
