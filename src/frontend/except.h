/*
 * except.h — raising and delivering exceptions and interrupts (except.c).
 *
 * cpu_raise() records the exception and longjmps to the interpreter (or to
 * the translator's exit path), which calls cpu_deliver_pending(): guest
 * registers are those of the faulting instruction, so delivery pushes its
 * address for faults. Delivery goes through the IVT in real mode and the IDT
 * (interrupt/trap/task gates) in protected mode; an exception during
 * delivery of another escalates to #DF, and a fault during #DF delivery to
 * shutdown (SDM vol. 3 section 6.15, table 6-5).
 */
#ifndef X86BT_EXCEPT_H
#define X86BT_EXCEPT_H

#include <stdbool.h>
#include <stdint.h>

#include "frontend/cpu_state.h"

/* Kinds of interrupt delivery (affect pushed EIP and privilege checks). */
typedef enum IntKind {
    INT_EXCEPTION, /* fault/trap raised by an instruction */
    INT_SOFTWARE,  /* INT n / INT3 / INTO: DPL checked, next EIP pushed */
    INT_EXTERNAL,  /* INTR pin / NMI */
} IntKind;

/* Raise exception `vector` with error code `err` (pushed only for vectors
 * that have one: 8, 10-14, 17). Never returns. */
_Noreturn void cpu_raise(CPUState *cpu, int vector, uint32_t err);
_Noreturn void cpu_raise_noerr(CPUState *cpu, int vector);
/* #GP(0) / #UD shorthands. */
_Noreturn void cpu_raise_gp0(CPUState *cpu);
_Noreturn void cpu_raise_ud(CPUState *cpu);

/* Deliver an interrupt now: push state and load CS:EIP from the IVT/IDT.
 * `ret_eip` is the EIP pushed (faulting insn for faults, next insn for traps
 * and software interrupts). May raise (nested exception). */
void cpu_interrupt(CPUState *cpu, int vector, IntKind kind, bool has_err,
                   uint32_t err, uint32_t ret_eip);
/* Called after a longjmp from cpu_raise(): deliver the recorded exception,
 * handling double and triple faults. Returns false after a triple fault
 * (cpu->shutdown set). */
bool cpu_deliver_pending(CPUState *cpu);
/* True if the vector pushes an error code in protected mode. */
bool cpu_exc_has_error(int vector);

#endif
