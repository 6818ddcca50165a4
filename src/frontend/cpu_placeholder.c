/* Placeholder until the frontend lands on main (removed at that merge). */
#include <stdlib.h>

#include "frontend/cpu.h"
#include "machine/vm.h"

struct CPUState {
    struct VM *vm;
};

CPUState *cpu_create(struct VM *vm)
{
    CPUState *c = calloc(1, sizeof(*c));
    if (c)
        c->vm = vm;
    return c;
}
void cpu_destroy(CPUState *cpu) { free(cpu); }
void cpu_reset(CPUState *cpu) { (void)cpu; }
CpuExit interp_run(CPUState *cpu, int64_t budget)
{
    (void)budget;
    log_msg(&cpu->vm->log, LOG_ERROR, "x86bt: no CPU in this build\n");
    vm_poweroff(cpu->vm, 1);
    return CPU_EXIT_KICK;
}
void cpu_kick(CPUState *cpu) { (void)cpu; }
void cpu_dump(CPUState *cpu, FILE *f) { (void)cpu; (void)f; }
uint64_t cpu_insn_count(const CPUState *cpu) { (void)cpu; return 0; }
