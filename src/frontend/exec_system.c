/*
 * exec_system.c — semantics of the system instructions (class `sys` in
 * insn.def): descriptor-table registers (LGDT LIDT SGDT SIDT LLDT SLDT
 * LTR STR), descriptor inspection (LAR LSL VERR VERW ARPL), control and
 * debug registers (MOV CRn/DRn, LMSW SMSW CLTS), cache/TLB control (INVD
 * WBINVD INVLPG), RDPMC, RSM, SYSENTER/SYSEXIT. MSRs are in msr.c; CLI,
 * STI, PUSHF, POPF, HLT, RDTSC, IN/OUT and INT n live with the integer
 * semantics and call into seg.c / except.c for their privilege rules.
 *
 * Privilege: instructions that require CPL 0 raise #GP(0) in protected
 * mode at CPL > 0 and in V86 mode (CPL 3); those that only exist in
 * protected mode (LLDT, SLDT, LTR, STR, LAR, LSL, VERR, VERW, ARPL) raise
 * #UD in real and V86 mode (SDM vol. 2 instruction pages; vol. 3 section
 * 5.9 and 20.2.7).
 */
#include "frontend/exec.h"

#include "frontend/desc.h"
#include "frontend/mmu.h"
#include "frontend/msr.h"
#include "frontend/seg.h"
#include "machine/vm.h"

/* CR0 bits that exist on a P6 (ET is hardwired to 1). */
#define CR0_VALID 0xE005003Fu
/* CR4 bits of a Pentium II: VME PVI TSD DE PSE PAE MCE PGE PCE, and
 * OSFXSR (the Pentium II has FXSAVE/FXRSTOR, CPUID.1:EDX.FXSR); not
 * OSXMMEXCPT (no SSE). */
#define CR4_VALID 0x000003FFu

static void sys_need_cpl0(CPUState *cpu)
{
    if (cpu->pe && cpu->cpl != 0)
        cpu_raise(cpu, EXC_GP, 0);
}

static void sys_need_pmode(CPUState *cpu)
{
    if (!cpu->pe || cpu->vm86)
        cpu_raise_ud(cpu);
}

static void sys_set_zf(CPUState *cpu, bool zf)
{
    cc_set_eager(cpu, zf ? EFL_ZF : 0, EFL_ZF);
}

/* ------------------------------------------------- descriptor tables */

static void sys_load_dt(CPUState *cpu, const DecodedInsn *d, DescTable *t)
{
    sys_need_cpl0(cpu);
    uint32_t ea = insn_ea(cpu, d);
    uint16_t limit = cpu_ld16(cpu, d->seg, ea);
    uint32_t base = cpu_ld32(cpu, d->seg, ea + 2);
    t->limit = limit;
    t->base = d->o32 ? base : base & 0x00FFFFFFu;
}

static void sys_store_dt(CPUState *cpu, const DecodedInsn *d,
                         const DescTable *t)
{
    uint32_t ea = insn_ea(cpu, d);
    cpu_st16(cpu, d->seg, ea, t->limit);
    cpu_st32(cpu, d->seg, ea + 2, d->o32 ? t->base : t->base & 0x00FFFFFFu);
}

void exec_LGDT_Ms(CPUState *cpu, const DecodedInsn *d)
{
    sys_load_dt(cpu, d, &cpu->gdtr);
}

void exec_LIDT_Ms(CPUState *cpu, const DecodedInsn *d)
{
    sys_load_dt(cpu, d, &cpu->idtr);
}

void exec_SGDT_Ms(CPUState *cpu, const DecodedInsn *d)
{
    sys_store_dt(cpu, d, &cpu->gdtr);
}

void exec_SIDT_Ms(CPUState *cpu, const DecodedInsn *d)
{
    sys_store_dt(cpu, d, &cpu->idtr);
}

/* SLDT/STR/SMSW: a register destination takes the operand size (upper
 * bits zero), a memory destination is always 16 bits. */
static void sys_store_sel(CPUState *cpu, const DecodedInsn *d, uint32_t v)
{
    if (insn_is_reg(d))
        reg_set(cpu, d->rm, d->o32 ? v : v & 0xFFFF, insn_osize(d));
    else
        cpu_st16(cpu, d->seg, insn_ea(cpu, d), (uint16_t)v);
}

void exec_SLDT_Ew(CPUState *cpu, const DecodedInsn *d)
{
    sys_need_pmode(cpu);
    sys_store_sel(cpu, d, cpu->ldtr.sel);
}

void exec_STR_Ew(CPUState *cpu, const DecodedInsn *d)
{
    sys_need_pmode(cpu);
    sys_store_sel(cpu, d, cpu->tr.sel);
}

void exec_LLDT_Ew(CPUState *cpu, const DecodedInsn *d)
{
    sys_need_pmode(cpu);
    sys_need_cpl0(cpu);
    uint16_t sel = (uint16_t)op_get_e(cpu, d, 2);
    if ((sel & 0xFFFC) == 0) {
        seg_cache_null(&cpu->ldtr, sel);
        return;
    }
    Desc t;
    if (sel & 4)
        cpu_raise(cpu, EXC_GP, sel & 0xFFFC);
    desc_fetch(cpu, sel, &t, EXC_GP, 0);
    if (desc_type(&t) != DT_LDT)
        cpu_raise(cpu, EXC_GP, sel & 0xFFFC);
    if (!desc_present(&t))
        cpu_raise(cpu, EXC_NP, sel & 0xFFFC);
    seg_cache_fill(&cpu->ldtr, sel, &t);
}

void exec_LTR_Ew(CPUState *cpu, const DecodedInsn *d)
{
    sys_need_pmode(cpu);
    sys_need_cpl0(cpu);
    uint16_t sel = (uint16_t)op_get_e(cpu, d, 2);
    if ((sel & 0xFFFC) == 0)
        cpu_raise(cpu, EXC_GP, 0);
    if (sel & 4)
        cpu_raise(cpu, EXC_GP, sel & 0xFFFC);
    Desc t;
    desc_fetch(cpu, sel, &t, EXC_GP, 0);
    unsigned ty = desc_type(&t);
    if (ty != DT_TSS16_AVAIL && ty != DT_TSS32_AVAIL)
        cpu_raise(cpu, EXC_GP, sel & 0xFFFC);
    if (!desc_present(&t))
        cpu_raise(cpu, EXC_NP, sel & 0xFFFC);
    desc_set_busy(cpu, sel, true);
    t.hi |= 0x200;
    seg_cache_fill(&cpu->tr, sel, &t);
}

/* --------------------------------------------- descriptor inspection */

/* Common part of LAR/LSL/VERR/VERW: read the descriptor and apply the
 * privilege rule (DPL >= max(CPL, RPL) unless conforming code). */
static bool sys_inspect(CPUState *cpu, uint16_t sel, Desc *t)
{
    if ((sel & 0xFFFC) == 0 || !desc_read(cpu, sel, t))
        return false;
    if (desc_is_code(t) && desc_conforming(t))
        return true;
    unsigned dpl = desc_dpl(t);
    return dpl >= cpu->cpl && dpl >= (sel & 3u);
}

/* System types valid for LAR (all but interrupt/trap gates and reserved
 * ones) and LSL (TSS and LDT only), SDM vol. 2 LAR/LSL tables. */
static bool sys_lar_type_ok(const Desc *t)
{
    if (desc_type(t) & 0x10)
        return true;
    switch (desc_type(t)) {
    case DT_TSS16_AVAIL: case DT_LDT: case DT_TSS16_BUSY: case DT_CALL16:
    case DT_TASK: case DT_TSS32_AVAIL: case DT_TSS32_BUSY: case DT_CALL32:
        return true;
    default:
        return false;
    }
}

static bool sys_lsl_type_ok(const Desc *t)
{
    if (desc_type(t) & 0x10)
        return true;
    switch (desc_type(t)) {
    case DT_TSS16_AVAIL: case DT_LDT: case DT_TSS16_BUSY:
    case DT_TSS32_AVAIL: case DT_TSS32_BUSY:
        return true;
    default:
        return false;
    }
}

void exec_LAR_Gv_Ew(CPUState *cpu, const DecodedInsn *d)
{
    sys_need_pmode(cpu);
    uint16_t sel = (uint16_t)op_get_e(cpu, d, 2);
    Desc t;
    bool ok = sys_inspect(cpu, sel, &t) && sys_lar_type_ok(&t);
    if (ok)
        reg_set(cpu, d->reg, t.hi & (d->o32 ? 0x00FFFF00u : 0xFF00u),
                insn_osize(d));
    sys_set_zf(cpu, ok);
}

void exec_LSL_Gv_Ew(CPUState *cpu, const DecodedInsn *d)
{
    sys_need_pmode(cpu);
    uint16_t sel = (uint16_t)op_get_e(cpu, d, 2);
    Desc t;
    bool ok = sys_inspect(cpu, sel, &t) && sys_lsl_type_ok(&t);
    if (ok)
        reg_set(cpu, d->reg, desc_limit(&t), insn_osize(d));
    sys_set_zf(cpu, ok);
}

void exec_VERR_Ew(CPUState *cpu, const DecodedInsn *d)
{
    sys_need_pmode(cpu);
    uint16_t sel = (uint16_t)op_get_e(cpu, d, 2);
    Desc t;
    bool ok = sys_inspect(cpu, sel, &t) && desc_readable(&t);
    sys_set_zf(cpu, ok);
}

void exec_VERW_Ew(CPUState *cpu, const DecodedInsn *d)
{
    sys_need_pmode(cpu);
    uint16_t sel = (uint16_t)op_get_e(cpu, d, 2);
    Desc t;
    bool ok = sys_inspect(cpu, sel, &t) && desc_is_data(&t) &&
              (desc_type(&t) & 0x2);
    sys_set_zf(cpu, ok);
}

void exec_ARPL_Ew_Gw(CPUState *cpu, const DecodedInsn *d)
{
    sys_need_pmode(cpu);
    uint32_t lin = 0;
    uint32_t dst = op_rmw_begin(cpu, d, 2, &lin);
    uint32_t src = reg_get(cpu, d->reg, 2);
    bool adjust = (dst & 3) < (src & 3);
    if (adjust)
        op_rmw_end(cpu, d, 2, lin, (dst & ~3u) | (src & 3));
    sys_set_zf(cpu, adjust);
}

/* ------------------------------------------------- control registers */

static void sys_write_cr0(CPUState *cpu, uint32_t v)
{
    v = (v & CR0_VALID) | CR0_ET;
    if (((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
        cpu_raise(cpu, EXC_GP, 0);
    if ((v & CR0_PG) && !(cpu->cr0 & CR0_PG) && (cpu->cr4 & CR4_PAE) &&
        !mmu_pdpte_valid(cpu, cpu->cr3))
        cpu_raise(cpu, EXC_GP, 0);
    uint32_t changed = v ^ cpu->cr0;
    cpu->cr0 = v;
    if (changed & (CR0_PG | CR0_WP | CR0_PE))
        cpu_tlb_flush(cpu);
    cpu_update_mode(cpu);
}

static void sys_write_cr3(CPUState *cpu, uint32_t v)
{
    if (cpu->paging && (cpu->cr4 & CR4_PAE) && !mmu_pdpte_valid(cpu, v))
        cpu_raise(cpu, EXC_GP, 0);
    cpu->cr3 = v & ((cpu->cr4 & CR4_PAE) ? 0xFFFFFFF8u : 0xFFFFF018u);
    mmu_flush_nonglobal(cpu);
}

static void sys_write_cr4(CPUState *cpu, uint32_t v)
{
    if (v & ~CR4_VALID)
        cpu_raise(cpu, EXC_GP, 0);
    if (cpu->paging && (v & CR4_PAE) && !(cpu->cr4 & CR4_PAE) &&
        !mmu_pdpte_valid(cpu, cpu->cr3))
        cpu_raise(cpu, EXC_GP, 0);
    uint32_t changed = v ^ cpu->cr4;
    cpu->cr4 = v;
    if (changed & (CR4_PSE | CR4_PAE | CR4_PGE))
        cpu_tlb_flush(cpu);
    if (changed & (CR4_VME | CR4_PVI) && (v & (CR4_VME | CR4_PVI)))
        log_once(&cpu->vm->log, LOG_UNIMP,
                 "cpu: CR4.VME/PVI set; V86 extensions not modelled\n");
}

void exec_MOV_Rd_Cd(CPUState *cpu, const DecodedInsn *d)
{
    sys_need_cpl0(cpu);
    uint32_t v;
    switch (d->reg) {
    case 0: v = cpu->cr0; break;
    case 2: v = cpu->cr2; break;
    case 3: v = cpu->cr3; break;
    case 4: v = cpu->cr4; break;
    default: cpu_raise_ud(cpu);
    }
    cpu->regs[d->rm] = v;
}

void exec_MOV_Cd_Rd(CPUState *cpu, const DecodedInsn *d)
{
    sys_need_cpl0(cpu);
    uint32_t v = cpu->regs[d->rm];
    switch (d->reg) {
    case 0: sys_write_cr0(cpu, v); break;
    case 2: cpu->cr2 = v; break;
    case 3: sys_write_cr3(cpu, v); break;
    case 4: sys_write_cr4(cpu, v); break;
    default: cpu_raise_ud(cpu);
    }
}

/* DR4/DR5 alias DR6/DR7 unless CR4.DE (then #UD), SDM vol. 3 17.2.2. */
static unsigned sys_dr_index(CPUState *cpu, unsigned n)
{
    if (n == 4 || n == 5) {
        if (cpu->cr4 & CR4_DE)
            cpu_raise_ud(cpu);
        return n + 2;
    }
    return n;
}

void exec_MOV_Rd_Dd(CPUState *cpu, const DecodedInsn *d)
{
    sys_need_cpl0(cpu);
    cpu->regs[d->rm] = cpu->dr[sys_dr_index(cpu, d->reg)];
}

void exec_MOV_Dd_Rd(CPUState *cpu, const DecodedInsn *d)
{
    sys_need_cpl0(cpu);
    unsigned n = sys_dr_index(cpu, d->reg);
    uint32_t v = cpu->regs[d->rm];
    if (n == 6)
        v = (v & 0x0000E00Fu) | 0xFFFF0FF0u;
    else if (n == 7)
        v = (v & 0xFFFF2BFFu) | 0x400u;
    cpu->dr[n] = v;
    /* Pages with data breakpoints must leave the TLB fast path, and the
     * translation tier hands breakpoints to the interpreter: leave the
     * current slice so that it notices. */
    if (n != 6) {
        cpu_tlb_flush(cpu);
        cpu->kick = 1;
    }
}

void exec_SMSW_Ew(CPUState *cpu, const DecodedInsn *d)
{
    sys_store_sel(cpu, d, cpu->cr0);
}

void exec_LMSW_Ew(CPUState *cpu, const DecodedInsn *d)
{
    sys_need_cpl0(cpu);
    uint32_t v = op_get_e(cpu, d, 2) & 0xF;
    /* LMSW can set PE but never clear it. */
    sys_write_cr0(cpu, (cpu->cr0 & ~0xEu) | v | (cpu->cr0 & CR0_PE));
}

void exec_CLTS(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    sys_need_cpl0(cpu);
    cpu->cr0 &= ~CR0_TS;
}

void exec_INVD(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    sys_need_cpl0(cpu);
}

void exec_WBINVD(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    sys_need_cpl0(cpu);
}

void exec_INVLPG_M(CPUState *cpu, const DecodedInsn *d)
{
    sys_need_cpl0(cpu);
    mmu_invlpg(cpu, cpu->seg[d->seg].base + insn_ea(cpu, d));
}

void exec_RDPMC(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    if (cpu->pe && cpu->cpl != 0 && !(cpu->cr4 & CR4_PCE))
        cpu_raise(cpu, EXC_GP, 0);
    uint32_t n = cpu->regs[R_ECX];
    if (n > 1)
        cpu_raise(cpu, EXC_GP, 0);
    uint64_t v = msr_perfctr(cpu, n);
    cpu->regs[R_EAX] = (uint32_t)v;
    cpu->regs[R_EDX] = (uint32_t)(v >> 32) & 0xFF;
}

void exec_RSM(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    cpu_raise_ud(cpu); /* never in SMM */
}

/* ------------------------------------------------- SYSENTER/SYSEXIT */

/* Flat 4 GB segment of the given DPL for SYSENTER/SYSEXIT (SDM vol. 2). */
static void sys_flat(SegCache *s, uint16_t sel, unsigned dpl, bool code)
{
    s->sel = sel;
    s->base = 0;
    s->limit = 0xFFFFFFFFu;
    s->attr = SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_DB | SEG_ATTR_G |
              (dpl << SEG_ATTR_DPL_SHIFT) | (code ? 0xB : 0x3);
}

void exec_SYSENTER(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    uint16_t cs = (uint16_t)cpu->msr.sysenter_cs;
    if (!cpu->pe || (cs & 0xFFFC) == 0)
        cpu_raise(cpu, EXC_GP, 0);
    cpu->eflags &= ~(EFL_VM | EFL_IF | EFL_RF);
    sys_flat(&cpu->seg[SEG_CS], cs & 0xFFFC, 0, true);
    sys_flat(&cpu->seg[SEG_SS], (cs & 0xFFFC) + 8, 0, false);
    cpu_update_mode(cpu);
    cpu->regs[R_ESP] = cpu->msr.sysenter_esp;
    cpu->next_eip = cpu->msr.sysenter_eip;
}

void exec_SYSEXIT(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    uint16_t cs = (uint16_t)cpu->msr.sysenter_cs;
    if (!cpu->pe || cpu->vm86 || cpu->cpl != 0 || (cs & 0xFFFC) == 0)
        cpu_raise(cpu, EXC_GP, 0);
    sys_flat(&cpu->seg[SEG_CS], (uint16_t)((cs + 16) | 3), 3, true);
    sys_flat(&cpu->seg[SEG_SS], (uint16_t)((cs + 24) | 3), 3, false);
    cpu_update_mode(cpu);
    cpu->regs[R_ESP] = cpu->regs[R_ECX];
    cpu->next_eip = cpu->regs[R_EDX];
}
