/*
 * exec_stack.c — PUSH, POP (registers, immediates, memory, segment
 * registers), PUSHA/POPA, ENTER/LEAVE, PUSHF/POPF (SDM vol. 2). Every
 * handler works on a local ESP and commits it last (see stack.h).
 */
#include "frontend/exec.h"

#include "frontend/seg.h"
#include "frontend/stack.h"
#include "machine/vm.h"

void exec_PUSH_Zv(CPUState *cpu, const DecodedInsn *d)
{
    /* PUSH ESP pushes the value before the push. */
    cpu_push(cpu, cpu->regs[d->opcode & 7], insn_osize(d));
}

void exec_POP_Zv(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    uint32_t v = cpu_pop(cpu, s);
    reg_set(cpu, d->opcode & 7, v, s);
}

void exec_PUSH_Iz(CPUState *cpu, const DecodedInsn *d)
{
    cpu_push(cpu, d->imm, insn_osize(d));
}

void exec_PUSH_Ibs(CPUState *cpu, const DecodedInsn *d)
{
    cpu_push(cpu, d->imm, insn_osize(d));
}

void exec_PUSH_Ev(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    cpu_push(cpu, op_get_e(cpu, d, s), s);
}

void exec_POP_Ev(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    uint32_t old = cpu->regs[R_ESP], esp = old;
    uint32_t v = stack_pop(cpu, &esp, s);
    if (insn_is_reg(d)) {
        cpu->regs[R_ESP] = esp;
        reg_set(cpu, d->rm, v, s);
        return;
    }
    /* The address is computed with the incremented ESP (SDM POP). */
    cpu->regs[R_ESP] = esp;
    uint32_t ea = insn_ea(cpu, d);
    cpu->regs[R_ESP] = old;
    cpu_st(cpu, d->seg, ea, v, s);
    cpu->regs[R_ESP] = esp;
}

/* Segment register of PUSH/POP Sreg opcodes: 06/07 ES ... 1E/1F DS,
 * 0F A0/A1 FS, 0F A8/A9 GS. */
static int stack_sreg(const DecodedInsn *d)
{
    if (d->map == 0)
        return d->opcode >> 3;
    return d->opcode < 0xA8 ? SEG_FS : SEG_GS;
}

void exec_PUSH_Sr(CPUState *cpu, const DecodedInsn *d)
{
    cpu_push(cpu, cpu->seg[stack_sreg(d)].sel, insn_osize(d));
}

void exec_POP_Sr(CPUState *cpu, const DecodedInsn *d)
{
    int seg = stack_sreg(d);
    uint32_t esp = cpu->regs[R_ESP];
    uint16_t sel = (uint16_t)stack_pop(cpu, &esp, insn_osize(d));
    seg_load(cpu, seg, sel);
    stack_set_esp(cpu, esp);
    if (seg == SEG_SS)
        cpu->intr_shadow = true;
}

void exec_PUSHA(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    uint32_t esp = cpu->regs[R_ESP];
    for (int r = R_EAX; r <= R_EDI; r++)
        stack_push(cpu, &esp, cpu->regs[r], s);
    stack_set_esp(cpu, esp);
}

void exec_POPA(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    uint32_t esp = cpu->regs[R_ESP], v[8];
    for (int r = R_EDI; r >= R_EAX; r--)
        v[r] = stack_pop(cpu, &esp, s);
    for (int r = R_EAX; r <= R_EDI; r++)
        if (r != R_ESP)
            reg_set(cpu, r, v[r], s);
    stack_set_esp(cpu, esp);
}

/* ENTER Iw, Ib (SDM vol. 2 "ENTER", non-64-bit pseudocode). */
void exec_ENTER_Iw_Ib(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d), level = d->imm2 & 31;
    uint32_t esp = cpu->regs[R_ESP], ebp = cpu->regs[R_EBP];
    stack_push(cpu, &esp, ebp, s);
    uint32_t frame = esp;
    if (level > 0) {
        for (unsigned i = 1; i < level; i++) {
            if (cpu->stack32)
                ebp -= s;
            else
                ebp = (ebp & 0xFFFF0000u) | ((ebp - s) & 0xFFFF);
            uint32_t v = cpu_ld(cpu, SEG_SS, stack_off(cpu, ebp), s);
            stack_push(cpu, &esp, v, s);
        }
        stack_push(cpu, &esp, frame, s);
    }
    uint32_t alloc = d->imm & 0xFFFF;
    esp = cpu->stack32 ? esp - alloc
                       : (esp & 0xFFFF0000u) | ((esp - alloc) & 0xFFFF);
    /* The new top of stack must be writable (P6 checks it). */
    seg_linear(cpu, SEG_SS, stack_off(cpu, esp), 1, ACC_WRITE);
    /* The frame pointer takes the stack's width (EBP or BP), as on P6. */
    reg_set(cpu, R_EBP, frame, cpu->stack32 ? 4 : 2);
    stack_set_esp(cpu, esp);
}

void exec_LEAVE(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    uint32_t esp = cpu->stack32 ? cpu->regs[R_EBP]
                                : (cpu->regs[R_ESP] & 0xFFFF0000u) |
                                      (cpu->regs[R_EBP] & 0xFFFF);
    uint32_t v = stack_pop(cpu, &esp, s);
    stack_set_esp(cpu, esp);
    reg_set(cpu, R_EBP, v, s);
}

static unsigned stack_iopl(const CPUState *cpu)
{
    return (cpu->eflags & EFL_IOPL) >> EFL_IOPL_SHIFT;
}

void exec_PUSHF(CPUState *cpu, const DecodedInsn *d)
{
    if (cpu->vm86 && stack_iopl(cpu) < 3) {
        if (cpu->cr4 & CR4_VME)
            log_once(&cpu->vm->log, LOG_UNIMP, "cpu: VME PUSHF not modelled\n");
        cpu_raise(cpu, EXC_GP, 0);
    }
    /* VM and RF read as 0 in the pushed image. */
    uint32_t f = cpu_get_eflags(cpu) & ~(EFL_VM | EFL_RF);
    cpu_push(cpu, f, insn_osize(d));
}

void exec_POPF(CPUState *cpu, const DecodedInsn *d)
{
    unsigned s = insn_osize(d);
    unsigned iopl = stack_iopl(cpu);
    if (cpu->vm86 && iopl < 3) {
        if (cpu->cr4 & CR4_VME)
            log_once(&cpu->vm->log, LOG_UNIMP, "cpu: VME POPF not modelled\n");
        cpu_raise(cpu, EXC_GP, 0);
    }
    uint32_t v = cpu_pop(cpu, s);
    uint32_t mask = s == 4 ? 0x00247FD5u : 0x7FD5u;
    if (cpu->pe && cpu->cpl > 0)
        mask &= ~EFL_IOPL;
    if (cpu->pe && cpu->cpl > iopl)
        mask &= ~EFL_IF;
    cpu_set_eflags(cpu, v, mask | (s == 4 ? EFL_RF : 0));
    cpu->eflags &= ~EFL_RF;
}
