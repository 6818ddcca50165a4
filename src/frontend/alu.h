/*
 * alu.h — arithmetic cores shared by several exec_*.c files and by the
 * translator's helper calls.
 */
#ifndef X86BT_ALU_H
#define X86BT_ALU_H

#include <stdbool.h>
#include <stdint.h>

#include "frontend/cpu_state.h"

/* ALU operation numbers = opcode bits 5:3 and group-1 ModRM.reg. */
enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR,
       ALU_CMP };

/* a op b on `size` bytes; sets lazy flags; returns the result. */
uint32_t alu_op(CPUState *cpu, unsigned op, uint32_t a, uint32_t b,
                unsigned size);
/* INC (dec = false) or DEC of a, CF preserved. */
uint32_t alu_incdec(CPUState *cpu, uint32_t a, bool dec, unsigned size);

#endif
