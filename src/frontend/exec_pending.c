/*
 * exec_pending.c — handlers named in insn.def whose semantics belong to
 * other parts of the frontend and are not written yet: system instructions
 * (seg.c/exec_system.c owners), x87 (exec_fpu*.c) and MMX (exec_mmx.c).
 * Each raises #UD and logs LOG_UNIMP once. Owners: delete an entry here
 * when you implement the handler in your file.
 */
#include "frontend/exec.h"

#include "machine/vm.h"

static _Noreturn void pending(CPUState *cpu, const char *fmt)
{
    log_once(&cpu->vm->log, LOG_UNIMP, fmt);
    cpu_raise_ud(cpu);
}

/* System instructions (cpu-sys). */
void exec_ARPL_Ew_Gw(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: ARPL_Ew_Gw not implemented yet (#UD)\n");
}

void exec_CLTS(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: CLTS not implemented yet (#UD)\n");
}

void exec_INVD(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: INVD not implemented yet (#UD)\n");
}

void exec_INVLPG_M(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: INVLPG_M not implemented yet (#UD)\n");
}

void exec_LAR_Gv_Ew(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: LAR_Gv_Ew not implemented yet (#UD)\n");
}

void exec_LGDT_Ms(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: LGDT_Ms not implemented yet (#UD)\n");
}

void exec_LIDT_Ms(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: LIDT_Ms not implemented yet (#UD)\n");
}

void exec_LLDT_Ew(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: LLDT_Ew not implemented yet (#UD)\n");
}

void exec_LMSW_Ew(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: LMSW_Ew not implemented yet (#UD)\n");
}

void exec_LSL_Gv_Ew(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: LSL_Gv_Ew not implemented yet (#UD)\n");
}

void exec_LTR_Ew(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: LTR_Ew not implemented yet (#UD)\n");
}

void exec_MOV_Cd_Rd(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: MOV_Cd_Rd not implemented yet (#UD)\n");
}

void exec_MOV_Dd_Rd(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: MOV_Dd_Rd not implemented yet (#UD)\n");
}

void exec_MOV_Rd_Cd(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: MOV_Rd_Cd not implemented yet (#UD)\n");
}

void exec_MOV_Rd_Dd(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: MOV_Rd_Dd not implemented yet (#UD)\n");
}

void exec_RDMSR(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: RDMSR not implemented yet (#UD)\n");
}

void exec_RDPMC(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: RDPMC not implemented yet (#UD)\n");
}

void exec_RSM(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: RSM not implemented yet (#UD)\n");
}

void exec_SGDT_Ms(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: SGDT_Ms not implemented yet (#UD)\n");
}

void exec_SIDT_Ms(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: SIDT_Ms not implemented yet (#UD)\n");
}

void exec_SLDT_Ew(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: SLDT_Ew not implemented yet (#UD)\n");
}

void exec_SMSW_Ew(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: SMSW_Ew not implemented yet (#UD)\n");
}

void exec_STR_Ew(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: STR_Ew not implemented yet (#UD)\n");
}

void exec_SYSENTER(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: SYSENTER not implemented yet (#UD)\n");
}

void exec_SYSEXIT(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: SYSEXIT not implemented yet (#UD)\n");
}

void exec_VERR_Ew(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: VERR_Ew not implemented yet (#UD)\n");
}

void exec_VERW_Ew(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: VERW_Ew not implemented yet (#UD)\n");
}

void exec_WBINVD(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: WBINVD not implemented yet (#UD)\n");
}

void exec_WRMSR(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: WRMSR not implemented yet (#UD)\n");
}

