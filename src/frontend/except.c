/*
 * except.c — exception and interrupt delivery (SDM vol. 3 chapter 6; real
 * mode: vol. 3 section 20.1.4).
 *
 * Minimal model, to be completed by the system helper: real-mode IVT
 * delivery is complete; protected mode handles 32-bit interrupt and trap
 * gates to a code segment at the current privilege. Privilege changes
 * (stack switch from the TSS), task gates, 16-bit gates and V86 delivery
 * log LOG_UNIMP and escalate like a failed delivery (#GP -> #DF).
 * Double-fault classes follow SDM table 6-5.
 */
#include "frontend/except.h"

#include "frontend/cpu_mem.h"
#include "frontend/flags.h"
#include "frontend/seg.h"
#include "frontend/stack.h"
#include "machine/vm.h"

_Noreturn void cpu_raise(CPUState *cpu, int vector, uint32_t err)
{
    cpu->exc_vector = vector;
    cpu->exc_error = err;
    cpu->exc_has_error = cpu_exc_has_error(vector);
    longjmp(cpu->jmp, 1);
}

_Noreturn void cpu_raise_noerr(CPUState *cpu, int vector)
{
    cpu_raise(cpu, vector, 0);
}

_Noreturn void cpu_raise_gp0(CPUState *cpu)
{
    cpu_raise(cpu, EXC_GP, 0);
}

_Noreturn void cpu_raise_ud(CPUState *cpu)
{
    cpu_raise(cpu, EXC_UD, 0);
}

bool cpu_exc_has_error(int vector)
{
    return vector == EXC_DF || (vector >= EXC_TS && vector <= EXC_PF) ||
           vector == EXC_AC;
}

static void except_real(CPUState *cpu, int vector, uint32_t ret_eip)
{
    uint32_t ent = (uint32_t)vector * 4;
    if (ent + 3 > cpu->idtr.limit)
        cpu_raise(cpu, EXC_GP, (uint32_t)vector * 8 + 2);
    uint32_t vec = cpu_ld_sys32(cpu, cpu->idtr.base + ent);
    uint32_t esp = cpu->regs[R_ESP];
    stack_push(cpu, &esp, cpu_get_eflags(cpu) & 0xFFFF, 2);
    stack_push(cpu, &esp, cpu->seg[SEG_CS].sel, 2);
    stack_push(cpu, &esp, ret_eip & 0xFFFF, 2);
    stack_set_esp(cpu, esp);
    cpu->eflags &= ~(EFL_IF | EFL_TF | EFL_AC | EFL_RF);
    seg_load_real(cpu, SEG_CS, (uint16_t)(vec >> 16));
    cpu->eip = cpu->next_eip = vec & 0xFFFF;
}

static void except_protected(CPUState *cpu, int vector, IntKind kind,
                             bool has_err, uint32_t err, uint32_t ret_eip)
{
    uint32_t ext = kind == INT_SOFTWARE ? 0 : 1;
    uint32_t gate_err = (uint32_t)vector * 8 + 2 + ext;
    if ((uint32_t)vector * 8 + 7 > cpu->idtr.limit)
        cpu_raise(cpu, EXC_GP, gate_err);
    uint32_t lo = cpu_ld_sys32(cpu, cpu->idtr.base + vector * 8);
    uint32_t hi = cpu_ld_sys32(cpu, cpu->idtr.base + vector * 8 + 4);
    unsigned type = (hi >> 8) & 0x1F, dpl = (hi >> 13) & 3;
    if (kind == INT_SOFTWARE && dpl < cpu->cpl)
        cpu_raise(cpu, EXC_GP, gate_err);
    if (!(hi & (1u << 15)))
        cpu_raise(cpu, EXC_NP, gate_err);
    uint16_t sel = lo >> 16;
    uint32_t off = (lo & 0xFFFF) | (hi & 0xFFFF0000u);
    if ((type != 0x0E && type != 0x0F) || cpu->vm86 ||
        (sel & 3) != cpu->cpl) {
        log_once(&cpu->vm->log, LOG_UNIMP,
                 "cpu: interrupt through this gate kind not modelled yet\n");
        cpu_raise(cpu, EXC_GP, gate_err);
    }
    uint32_t fl = cpu_get_eflags(cpu);
    uint32_t esp = cpu->regs[R_ESP];
    uint16_t old_cs = cpu->seg[SEG_CS].sel;
    stack_push(cpu, &esp, fl, 4);
    stack_push(cpu, &esp, old_cs, 4);
    stack_push(cpu, &esp, ret_eip, 4);
    if (has_err)
        stack_push(cpu, &esp, err, 4);
    seg_far_jump(cpu, sel, off, true);
    stack_set_esp(cpu, esp);
    cpu->eip = cpu->next_eip;
    cpu->eflags &= ~(EFL_TF | EFL_NT | EFL_VM | EFL_RF);
    if (type == 0x0E)
        cpu->eflags &= ~EFL_IF;
}

void cpu_interrupt(CPUState *cpu, int vector, IntKind kind, bool has_err,
                   uint32_t err, uint32_t ret_eip)
{
    if (log_enabled(&cpu->vm->log, LOG_TRACE_INT))
        log_msg(&cpu->vm->log, LOG_TRACE_INT,
                "int: vector %#x kind %d err %#x at %04x:%08x\n", vector,
                (int)kind, err, cpu->seg[SEG_CS].sel, cpu->eip);
    cpu->halted = false;
    if (!cpu->pe)
        except_real(cpu, vector, ret_eip);
    else
        except_protected(cpu, vector, kind, has_err, err, ret_eip);
}

/* SDM vol. 3 table 6-4: benign (0), contributory (1), page fault (2). */
static int except_class(int v)
{
    if (v == EXC_DE || (v >= EXC_TS && v <= EXC_GP))
        return 1;
    return v == EXC_PF ? 2 : 0;
}

bool cpu_deliver_pending(CPUState *cpu)
{
    int v = cpu->exc_vector;
    if (cpu->cur_exc >= 0) {
        int prev = cpu->cur_exc;
        int cp = except_class(prev), cn = except_class(v);
        if (prev == EXC_DF) {
            log_msg(&cpu->vm->log, LOG_GUEST_ERROR,
                    "cpu: triple fault (vector %d during #DF)\n", v);
            cpu->shutdown = true;
            cpu->cur_exc = -1;
            return false;
        }
        if ((cp == 1 && cn == 1) || (cp == 2 && cn != 0)) {
            v = EXC_DF;
            cpu->exc_error = 0;
            cpu->exc_has_error = true;
        }
    }
    cpu->cur_exc = v;
    cpu->exc_vector = v;
    cpu_interrupt(cpu, v, INT_EXCEPTION, cpu->exc_has_error && cpu->pe,
                  cpu->exc_error, cpu->eip);
    cpu->cur_exc = -1;
    return true;
}
