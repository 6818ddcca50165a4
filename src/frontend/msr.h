/*
 * msr.h — model-specific registers of the modelled Pentium II (msr.c).
 */
#ifndef X86BT_MSR_H
#define X86BT_MSR_H

#include <stdbool.h>
#include <stdint.h>

#include "frontend/cpu_state.h"

/* Read/write an MSR; false if it does not exist (the caller raises
 * #GP(0)) or, for writes, the value is not allowed. */
bool msr_read(CPUState *cpu, uint32_t index, uint64_t *val);
bool msr_write(CPUState *cpu, uint32_t index, uint64_t val);
/* Performance counter n (0 or 1) for RDPMC: 40 bits. */
uint64_t msr_perfctr(CPUState *cpu, uint32_t n);

#endif
