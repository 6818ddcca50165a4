/*
 * cpu.c — CPUState life cycle: creation, power-on/RESET state (SDM vol. 3
 * section 9.1.1, table 9-1), kick, register dump.
 */
#include <stdlib.h>
#include <string.h>

#include "frontend/cpu_state.h"
#include "frontend/decode.h"
#include "frontend/disasm.h"
#include "frontend/exec_fpu.h"
#include "frontend/flags.h"
#include "frontend/mmu.h"
#include "frontend/fpu_core.h"
#include "frontend/seg.h"
#include "machine/vm.h"

CPUState *cpu_create(struct VM *vm)
{
    CPUState *cpu = calloc(1, sizeof(*cpu));
    DecodeTable *t = calloc(1, sizeof(*t));
    if (!cpu || !t) {
        free(cpu);
        free(t);
        return NULL;
    }
    decode_table_init(t);
    cpu->dtab = t;
    cpu->vm = vm;
    mmu_attach(cpu);
    fpu_ferr_attach(cpu);
    cpu_reset(cpu);
    return cpu;
}

void cpu_destroy(CPUState *cpu)
{
    if (!cpu)
        return;
    free((void *)cpu->dtab);
    disasm_destroy(cpu->disasm);
    free(cpu->dcache);
    free(cpu);
}

static void cpu_reset_seg(SegCache *s, uint16_t sel, uint32_t base)
{
    s->sel = sel;
    s->base = base;
    s->limit = 0xFFFF;
    s->attr = SEG_ATTR_REALMODE;
}

void cpu_reset(CPUState *cpu)
{
    memset(cpu->regs, 0, sizeof(cpu->regs));
    /* EDX = processor signature: family 6, model 5, stepping 2. */
    cpu->regs[R_EDX] = 0x00000652;
    cpu->eip = 0xFFF0;
    cpu->next_eip = 0xFFF0;
    cpu->eflags = EFL_FIXED1;
    cpu->cc_op = CC_OP_EFLAGS;
    for (int i = 0; i < SEG_COUNT; i++)
        cpu_reset_seg(&cpu->seg[i], 0, 0);
    cpu_reset_seg(&cpu->seg[SEG_CS], 0xF000, 0xFFFF0000u);
    cpu->seg[SEG_CS].attr |= 0x8 | 0x2; /* code, readable */
    cpu_reset_seg(&cpu->ldtr, 0, 0);
    cpu->ldtr.attr = SEG_ATTR_P | 0x2;
    cpu_reset_seg(&cpu->tr, 0, 0);
    cpu->tr.attr = SEG_ATTR_P | 0xB;
    cpu->gdtr.base = cpu->idtr.base = 0;
    cpu->gdtr.limit = cpu->idtr.limit = 0xFFFF;
    cpu->cr0 = CR0_ET | CR0_CD | CR0_NW;
    cpu->cr2 = cpu->cr3 = cpu->cr4 = 0;
    memset(cpu->dr, 0, sizeof(cpu->dr));
    cpu->dr[6] = 0xFFFF0FF0u;
    cpu->dr[7] = 0x00000400u;
    memset(&cpu->msr, 0, sizeof(cpu->msr));
    cpu->msr.apic_base = 0xFEE00900ull; /* BSP, enabled */
    cpu->msr.mtrr_cap = 0x508;         /* 8 variable, fixed, WC */
    fpu_power_on(&cpu->fpu); /* CW 0040H, TW 5555H (table 9-1) */
    irq_lower(&cpu->vm->irq, 13); /* FERR# deasserted */
    cpu->kick = 0;
    cpu->halted = false;
    cpu->intr_shadow = false;
    cpu->nmi_blocked = false;
    cpu->cur_exc = -1;
    cpu->exc_depth = 0;
    cpu->shutdown = false;
    cpu->tsc_base = 0;
    cpu_update_mode(cpu);
    cpu_tlb_flush(cpu);
}

void cpu_boot_flat32(CPUState *cpu, uint32_t eip, uint32_t eax,
                     uint32_t ebx)
{
    for (int i = 0; i < SEG_COUNT; i++) {
        SegCache *s = &cpu->seg[i];
        s->sel = i == SEG_CS ? 0x08 : 0x10;
        s->base = 0;
        s->limit = 0xFFFFFFFFu;
        s->attr = SEG_ATTR_REALMODE | SEG_ATTR_DB | SEG_ATTR_G;
    }
    cpu->seg[SEG_CS].attr |= 0x8 | 0x2; /* execute/read code */
    cpu->cr0 |= CR0_PE;
    cpu->cr0 &= ~CR0_PG;
    cpu->eflags = EFL_FIXED1;
    cpu->cc_op = CC_OP_EFLAGS;
    cpu->eip = cpu->next_eip = eip;
    cpu->regs[R_EAX] = eax;
    cpu->regs[R_EBX] = ebx;
    cpu->halted = false;
    cpu_update_mode(cpu);
    cpu_tlb_flush(cpu);
}

void cpu_kick(CPUState *cpu)
{
    cpu->kick = 1;
}

uint64_t cpu_insn_count(const CPUState *cpu)
{
    uint64_t n = cpu->insn_count;
    if (cpu->insn_pending)
        n += cpu->insn_pending(cpu->insn_pending_opaque);
    return n;
}

void cpu_dump(CPUState *cpu, FILE *f)
{
    static const char *const names[8] = {"EAX", "ECX", "EDX", "EBX",
                                         "ESP", "EBP", "ESI", "EDI"};
    static const char *const snames[6] = {"ES", "CS", "SS", "DS", "FS", "GS"};
    for (int i = 0; i < 8; i++)
        fprintf(f, "%s=%08x%s", names[i], cpu->regs[i], i % 4 == 3 ? "\n" : " ");
    fprintf(f, "EIP=%08x EFL=%08x CPL=%u %s%s%s\n", cpu->eip,
            cpu_get_eflags(cpu), cpu->cpl, cpu->pe ? "PE " : "real ",
            cpu->vm86 ? "V86 " : "", cpu->code32 ? "code32" : "code16");
    for (int i = 0; i < SEG_COUNT; i++)
        fprintf(f, "%s=%04x base=%08x limit=%08x attr=%05x\n", snames[i],
                cpu->seg[i].sel, cpu->seg[i].base, cpu->seg[i].limit,
                cpu->seg[i].attr);
    fprintf(f, "GDT=%08x/%04x IDT=%08x/%04x LDTR=%04x TR=%04x\n",
            cpu->gdtr.base, cpu->gdtr.limit, cpu->idtr.base, cpu->idtr.limit,
            cpu->ldtr.sel, cpu->tr.sel);
    fprintf(f, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x insns=%llu\n", cpu->cr0,
            cpu->cr2, cpu->cr3, cpu->cr4,
            (unsigned long long)cpu->insn_count);
    fpu_dump(&cpu->fpu, f);
}
