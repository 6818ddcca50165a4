/*
 * seg.h — segment register loads and far control transfers (seg.c).
 *
 * Real and V86 mode: base = selector << 4, nothing else changes. Protected
 * mode: descriptor fetch from GDT/LDT with the checks of SDM vol. 3
 * chapter 5 (owned by the system model; a minimal version lives here until
 * then). Far transfers take the operand size so that 16-bit forms push and
 * pop words.
 */
#ifndef X86BT_SEG_H
#define X86BT_SEG_H

#include <stdbool.h>
#include <stdint.h>

#include "frontend/cpu_state.h"

/* MOV Sreg / POP Sreg / LxS: load a data or stack segment register. */
void seg_load(CPUState *cpu, int seg, uint16_t sel);
/* Real-mode style load (base = sel << 4), also used by reset/V86. */
void seg_load_real(CPUState *cpu, int seg, uint16_t sel);
/* JMP ptr16:16/32, JMP m16:16/32 */
void seg_far_jump(CPUState *cpu, uint16_t sel, uint32_t off, bool o32);
/* CALL far: pushes CS and the return EIP (cpu->next_eip). */
void seg_far_call(CPUState *cpu, uint16_t sel, uint32_t off, bool o32);
/* RET far [imm16]: pops EIP, CS, then releases `pop` more bytes. */
void seg_far_ret(CPUState *cpu, uint16_t pop, bool o32);
/* IRET / IRETD */
void seg_iret(CPUState *cpu, bool o32);
/* I/O permission for IN/OUT/INS/OUTS: raises #GP(0) if CPL > IOPL (or in
 * V86 mode) and the TSS I/O bitmap denies any of the `size` ports. */
void cpu_check_io(CPUState *cpu, uint16_t port, unsigned size);
/* Recompute cpl/pe/vm86/code32/stack32/paging after CR0/EFLAGS/segment
 * changes. */
void cpu_update_mode(CPUState *cpu);
/* cpu_update_mode() in protected mode outside V86 with CR0 unchanged
 * (the INT/IRET fast paths after loading CS and SS): only CPL and the
 * code and stack sizes can change. */
static inline void cpu_update_mode_pm(CPUState *cpu)
{
    cpu->cpl = cpu->seg[SEG_CS].sel & 3;
    cpu->code32 = (cpu->seg[SEG_CS].attr & SEG_ATTR_DB) != 0;
    cpu->stack32 = (cpu->seg[SEG_SS].attr & SEG_ATTR_DB) != 0;
}

#endif
