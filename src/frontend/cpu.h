/*
 * cpu.h — the guest CPU as the rest of the machine sees it.
 *
 * The frontend owns struct CPUState (registers, segment caches, control
 * registers, lazy flags, FPU, software TLB). The machine only creates,
 * resets and runs it; devices never see it. The translation tier
 * (src/translator) runs the same CPUState with generated code.
 *
 * Interrupts: the CPU samples vm->intr_line at instruction boundaries
 * (IF=1, no interrupt shadow) and calls vm->intr_ack() for the vector.
 * cpu_kick() asks a running CPU to leave its slice at the next instruction
 * boundary (used when the INTR line rises or the main loop has a request).
 */
#ifndef X86BT_CPU_H
#define X86BT_CPU_H

#include <stdint.h>
#include <stdio.h>

struct VM;
typedef struct CPUState CPUState;

typedef enum CpuExit {
    CPU_EXIT_BUDGET,   /* executed the instruction budget */
    CPU_EXIT_HALT,     /* HLT with no interrupt deliverable */
    CPU_EXIT_KICK,     /* cpu_kick() or a vm->requests bit was set */
    CPU_EXIT_SHUTDOWN, /* triple fault: the machine must reset */
} CpuExit;

CPUState *cpu_create(struct VM *vm);
void cpu_destroy(CPUState *cpu);
/* Power-on/RESET state (SDM vol. 3 section 9.1.1). */
void cpu_reset(CPUState *cpu);
/* Reference tier: interpret up to `budget` instructions. */
CpuExit interp_run(CPUState *cpu, int64_t budget);
void cpu_kick(CPUState *cpu);
/* Flush the software TLB (memory map changed, A20 toggled). */
void cpu_tlb_flush(CPUState *cpu);
void cpu_dump(CPUState *cpu, FILE *f);
/* Enter 32-bit protected mode with flat 4 GB code/data segments, paging
 * off, interrupts disabled, at `eip` with the given EAX/EBX (multiboot
 * and other direct-start loaders; not used on the BIOS path). */
void cpu_boot_flat32(CPUState *cpu, uint32_t eip, uint32_t eax,
                     uint32_t ebx);
/* Instructions retired so far (both tiers); inside an instruction (e.g.
 * RDTSC, or a device reading -icount time from an I/O handler), the
 * number retired before it. */
uint64_t cpu_insn_count(const CPUState *cpu);

#endif
