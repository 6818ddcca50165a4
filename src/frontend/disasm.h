/*
 * disasm.h — Capstone wrapper for traces, the monitor and tests: Intel
 * syntax text of one guest instruction in 16- or 32-bit code.
 */
#ifndef X86BT_DISASM_H
#define X86BT_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Disasm Disasm;

/* NULL if Capstone cannot be opened. */
Disasm *disasm_create(void);
void disasm_destroy(Disasm *ds);
/* Disassemble the instruction at buf[0..len) (address `addr`) into out as
 * "mnemonic operands". Returns its length, or 0 if Capstone rejects it
 * (out then holds "(bad)"). */
unsigned disasm_insn(Disasm *ds, const uint8_t *buf, size_t len,
                     uint32_t addr, bool code32, char *out, size_t outlen);

#endif
