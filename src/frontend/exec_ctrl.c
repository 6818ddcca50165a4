/*
 * exec_ctrl.c — control transfers: Jcc, JMP, CALL, RET (near and far),
 * LOOP/LOOPcc/JCXZ, INT n/INT3/INTO/INT1, IRET, BOUND (SDM vol. 2).
 * Far forms and interrupts go through seg.c / except.c, which implement
 * the real-mode behaviour and the protected-mode checks.
 */
#include "frontend/exec.h"

#include "frontend/seg.h"
#include "frontend/stack.h"
#include "machine/vm.h"

void exec_Jcc_Jb(CPUState *cpu, const DecodedInsn *d)
{
    if (cc_cond(cpu, d->opcode & 15))
        insn_jump(cpu, d, cpu->next_eip + d->imm);
}

void exec_Jcc_Jz(CPUState *cpu, const DecodedInsn *d)
{
    if (cc_cond(cpu, d->opcode & 15))
        insn_jump(cpu, d, cpu->next_eip + d->imm);
}

void exec_JMP_Jb(CPUState *cpu, const DecodedInsn *d)
{
    insn_jump(cpu, d, cpu->next_eip + d->imm);
}

void exec_JMP_Jz(CPUState *cpu, const DecodedInsn *d)
{
    insn_jump(cpu, d, cpu->next_eip + d->imm);
}

void exec_JMP_Ev(CPUState *cpu, const DecodedInsn *d)
{
    insn_jump(cpu, d, op_get_e(cpu, d, insn_osize(d)));
}

static void ctrl_call(CPUState *cpu, const DecodedInsn *d, uint32_t target)
{
    uint32_t esp = cpu->regs[R_ESP];
    stack_push(cpu, &esp, cpu->next_eip, insn_osize(d));
    insn_jump(cpu, d, target);
    stack_set_esp(cpu, esp);
}

void exec_CALL_Jz(CPUState *cpu, const DecodedInsn *d)
{
    ctrl_call(cpu, d, cpu->next_eip + d->imm);
}

void exec_CALL_Ev(CPUState *cpu, const DecodedInsn *d)
{
    ctrl_call(cpu, d, op_get_e(cpu, d, insn_osize(d)));
}

static void ctrl_ret(CPUState *cpu, const DecodedInsn *d, uint32_t pop)
{
    uint32_t esp = cpu->regs[R_ESP];
    uint32_t target = stack_pop(cpu, &esp, insn_osize(d));
    insn_jump(cpu, d, target);
    if (cpu->stack32)
        esp += pop;
    else
        esp = (esp & 0xFFFF0000u) | ((esp + pop) & 0xFFFF);
    stack_set_esp(cpu, esp);
}

void exec_RET(CPUState *cpu, const DecodedInsn *d)
{
    ctrl_ret(cpu, d, 0);
}

void exec_RET_Iw(CPUState *cpu, const DecodedInsn *d)
{
    ctrl_ret(cpu, d, d->imm & 0xFFFF);
}

void exec_RETF(CPUState *cpu, const DecodedInsn *d)
{
    seg_far_ret(cpu, 0, d->o32);
}

void exec_RETF_Iw(CPUState *cpu, const DecodedInsn *d)
{
    seg_far_ret(cpu, (uint16_t)d->imm, d->o32);
}

void exec_JMP_Ap(CPUState *cpu, const DecodedInsn *d)
{
    seg_far_jump(cpu, (uint16_t)d->imm2, d->imm, d->o32);
}

void exec_CALL_Ap(CPUState *cpu, const DecodedInsn *d)
{
    seg_far_call(cpu, (uint16_t)d->imm2, d->imm, d->o32);
}

/* Far pointer m16:16 / m16:32 at the ModRM address. */
static void ctrl_far_ptr(CPUState *cpu, const DecodedInsn *d, uint16_t *sel,
                         uint32_t *off)
{
    unsigned s = insn_osize(d);
    uint32_t ea = insn_ea(cpu, d);
    *off = cpu_ld(cpu, d->seg, ea, s);
    uint32_t ea2 = ea + s;
    *sel = cpu_ld16(cpu, d->seg, d->a32 ? ea2 : ea2 & 0xFFFF);
}

void exec_JMP_Mp(CPUState *cpu, const DecodedInsn *d)
{
    uint16_t sel;
    uint32_t off;
    ctrl_far_ptr(cpu, d, &sel, &off);
    seg_far_jump(cpu, sel, off, d->o32);
}

void exec_CALL_Mp(CPUState *cpu, const DecodedInsn *d)
{
    uint16_t sel;
    uint32_t off;
    ctrl_far_ptr(cpu, d, &sel, &off);
    seg_far_call(cpu, sel, off, d->o32);
}

/* E0 LOOPNE, E1 LOOPE, E2 LOOP: count register by address size. */
void exec_LOOP_Jb(CPUState *cpu, const DecodedInsn *d)
{
    uint32_t m = d->a32 ? 0xFFFFFFFFu : 0xFFFFu;
    uint32_t c = (cpu->regs[R_ECX] - 1) & m;
    cpu->regs[R_ECX] = (cpu->regs[R_ECX] & ~m) | c;
    bool take = c != 0;
    if (d->opcode != 0xE2) {
        bool zf = cc_flags(cpu) & EFL_ZF;
        take = take && (d->opcode == 0xE1 ? zf : !zf);
    }
    if (take)
        insn_jump(cpu, d, cpu->next_eip + d->imm);
}

void exec_JCXZ_Jb(CPUState *cpu, const DecodedInsn *d)
{
    uint32_t m = d->a32 ? 0xFFFFFFFFu : 0xFFFFu;
    if ((cpu->regs[R_ECX] & m) == 0)
        insn_jump(cpu, d, cpu->next_eip + d->imm);
}

static void ctrl_int(CPUState *cpu, int vector, IntKind kind)
{
    if (cpu->vm86 && kind == INT_SOFTWARE &&
        ((cpu->eflags & EFL_IOPL) >> EFL_IOPL_SHIFT) < 3) {
        if (cpu->cr4 & CR4_VME)
            log_once(&cpu->vm->log, LOG_UNIMP, "cpu: VME INT n not modelled\n");
        cpu_raise(cpu, EXC_GP, 0);
    }
    cpu_interrupt(cpu, vector, kind, false, 0, cpu->next_eip);
}

void exec_INT_Ib(CPUState *cpu, const DecodedInsn *d)
{
    ctrl_int(cpu, d->imm & 0xFF, INT_SOFTWARE);
}

void exec_INT3(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    /* INT3 is not IOPL-sensitive in V86 mode but checks the gate DPL. */
    cpu_interrupt(cpu, EXC_BP, INT_SOFTWARE, false, 0, cpu->next_eip);
}

void exec_INTO(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    if (cc_flags(cpu) & EFL_OF)
        cpu_interrupt(cpu, EXC_OF, INT_SOFTWARE, false, 0, cpu->next_eip);
}

void exec_INT1(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    /* ICEBP: a #DB trap without the gate DPL check. */
    cpu_interrupt(cpu, EXC_DB, INT_EXTERNAL, false, 0, cpu->next_eip);
}

void exec_IRET(CPUState *cpu, const DecodedInsn *d)
{
    seg_iret(cpu, d->o32);
}

void exec_BOUND_Gv_Ma(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    uint32_t ea = insn_ea(cpu, d), ea2 = ea + s;
    int32_t lo = (int32_t)sext(cpu_ld(cpu, d->seg, ea, s), s);
    int32_t hi = (int32_t)sext(
        cpu_ld(cpu, d->seg, d->a32 ? ea2 : ea2 & 0xFFFF, s), s);
    int32_t idx = (int32_t)sext(reg_get(cpu, d->reg, s), s);
    if (idx < lo || idx > hi)
        cpu_raise(cpu, EXC_BR, 0);
}
