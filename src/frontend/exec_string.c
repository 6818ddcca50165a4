/*
 * exec_string.c — MOVS CMPS SCAS LODS STOS INS OUTS with REP/REPE/REPNE
 * (SDM vol. 2 "REP/REPE/REPZ/REPNE/REPNZ"). The count register is CX or
 * ECX and the index registers SI/DI or ESI/EDI by address size. The source
 * segment honours overrides, the destination is always ES. Registers are
 * updated after every element, so a fault in the middle leaves a
 * restartable state (EIP still at the instruction); long repeats yield to
 * pending interrupts between elements by not advancing EIP.
 */
#include "frontend/exec.h"

#include "frontend/alu.h"
#include "frontend/seg.h"
#include "machine/vm.h"

enum { STR_MOVS, STR_CMPS, STR_SCAS, STR_LODS, STR_STOS, STR_INS,
       STR_OUTS };

static uint32_t str_idx(const CPUState *cpu, const DecodedInsn *d, int r)
{
    return d->a32 ? cpu->regs[r] : cpu->regs[r] & 0xFFFF;
}

static void str_adv(CPUState *cpu, const DecodedInsn *d, int r, unsigned sz)
{
    uint32_t delta = (cpu->eflags & EFL_DF) ? (uint32_t)-sz : sz;
    if (d->a32)
        cpu->regs[r] += delta;
    else
        cpu->regs[r] = (cpu->regs[r] & 0xFFFF0000u) |
                       ((cpu->regs[r] + delta) & 0xFFFF);
}

/* One element. */
static void str_one(CPUState *cpu, const DecodedInsn *d, unsigned kind,
                    unsigned sz)
{
    uint32_t v, port = cpu->regs[R_EDX] & 0xFFFF;
    switch (kind) {
    case STR_MOVS:
        v = cpu_ld(cpu, d->seg, str_idx(cpu, d, R_ESI), sz);
        cpu_st(cpu, SEG_ES, str_idx(cpu, d, R_EDI), v, sz);
        str_adv(cpu, d, R_ESI, sz);
        str_adv(cpu, d, R_EDI, sz);
        break;
    case STR_CMPS:
        v = cpu_ld(cpu, d->seg, str_idx(cpu, d, R_ESI), sz);
        alu_op(cpu, ALU_CMP, v, cpu_ld(cpu, SEG_ES, str_idx(cpu, d, R_EDI), sz),
               sz);
        str_adv(cpu, d, R_ESI, sz);
        str_adv(cpu, d, R_EDI, sz);
        break;
    case STR_SCAS:
        v = cpu_ld(cpu, SEG_ES, str_idx(cpu, d, R_EDI), sz);
        alu_op(cpu, ALU_CMP, reg_get(cpu, R_EAX, sz), v, sz);
        str_adv(cpu, d, R_EDI, sz);
        break;
    case STR_LODS:
        v = cpu_ld(cpu, d->seg, str_idx(cpu, d, R_ESI), sz);
        reg_set(cpu, R_EAX, v, sz);
        str_adv(cpu, d, R_ESI, sz);
        break;
    case STR_STOS:
        cpu_st(cpu, SEG_ES, str_idx(cpu, d, R_EDI), reg_get(cpu, R_EAX, sz),
               sz);
        str_adv(cpu, d, R_EDI, sz);
        break;
    case STR_INS:
        /* Check the destination before the (side-effecting) port read. */
        seg_linear(cpu, SEG_ES, str_idx(cpu, d, R_EDI), sz, ACC_WRITE);
        v = io_read(&cpu->vm->io, (uint16_t)port, sz);
        cpu_st(cpu, SEG_ES, str_idx(cpu, d, R_EDI), v, sz);
        str_adv(cpu, d, R_EDI, sz);
        break;
    default: /* STR_OUTS */
        v = cpu_ld(cpu, d->seg, str_idx(cpu, d, R_ESI), sz);
        io_write(&cpu->vm->io, (uint16_t)port, v, sz);
        str_adv(cpu, d, R_ESI, sz);
        break;
    }
}

static bool str_should_yield(const CPUState *cpu)
{
    const VM *vm = cpu->vm;
    return cpu->kick || vm->nmi_line ||
           (vm->intr_line && (cpu->eflags & EFL_IF));
}

static void str_exec(CPUState *cpu, const DecodedInsn *d, unsigned kind,
                     unsigned sz)
{
    if (kind == STR_INS || kind == STR_OUTS)
        cpu_check_io(cpu, cpu->regs[R_EDX] & 0xFFFF, sz);
    if (!d->rep) {
        str_one(cpu, d, kind, sz);
        return;
    }
    bool cond = kind == STR_CMPS || kind == STR_SCAS;
    uint32_t cmask = d->a32 ? 0xFFFFFFFFu : 0xFFFFu;
    for (unsigned n = 0;; n++) {
        if ((cpu->regs[R_ECX] & cmask) == 0)
            return;
        if (n >= 64 && str_should_yield(cpu)) {
            cpu->next_eip = cpu->eip; /* resume this instruction later */
            return;
        }
        str_one(cpu, d, kind, sz);
        cpu->regs[R_ECX] = (cpu->regs[R_ECX] & ~cmask) |
                           ((cpu->regs[R_ECX] - 1) & cmask);
        if (cond) {
            bool zf = cc_flags(cpu) & EFL_ZF;
            if ((d->rep == 0xF3) != zf)
                return;
        }
    }
}

void exec_MOVSB(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_MOVS, 1);
}
void exec_MOVSW(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_MOVS, insn_osize(d));
}
void exec_CMPSB(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_CMPS, 1);
}
void exec_CMPSW(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_CMPS, insn_osize(d));
}
void exec_SCASB(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_SCAS, 1);
}
void exec_SCASW(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_SCAS, insn_osize(d));
}
void exec_LODSB(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_LODS, 1);
}
void exec_LODSW(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_LODS, insn_osize(d));
}
void exec_STOSB(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_STOS, 1);
}
void exec_STOSW(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_STOS, insn_osize(d));
}
void exec_INSB(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_INS, 1);
}
void exec_INSW(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_INS, insn_osize(d));
}
void exec_OUTSB(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_OUTS, 1);
}
void exec_OUTSW(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_OUTS, insn_osize(d));
}
