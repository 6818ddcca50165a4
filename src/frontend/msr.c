/*
 * msr.c — RDMSR/WRMSR and the MSRs a Pentium II has (SDM vol. 4, table of
 * P6-family MSRs; vol. 3 chapters 11.11 (MTRRs), 15 (machine check), 17.17
 * (TSC), 5.8.7 (SYSENTER)). What is modelled: the TSC (a write sets the low
 * 32 bits and clears the high half, as on the P6), SYSENTER_CS/ESP/EIP,
 * APIC_BASE (storage only: this CPU reports no local APIC), the MTRRs
 * (capabilities, default type, 8 variable pairs, 11 fixed ranges; storage,
 * memory types have no effect), machine-check registers (MCG_CAP with 5
 * banks, bank registers read as zero and ignore writes), the L2 cache
 * control registers BIOSes touch (BBL_CR_*), BIOS_SIGN_ID, PLATFORM_ID,
 * EBL_CR_POWERON, the two performance counters and their event selects,
 * DEBUGCTL and the last-branch registers (read as zero). Any other index
 * raises #GP(0), as on hardware.
 */
#include "frontend/msr.h"

#include "frontend/exec.h"
#include "machine/vm.h"

enum {
    MSR_TSC = 0x10, MSR_PLATFORM_ID = 0x17, MSR_APIC_BASE = 0x1B,
    MSR_EBL_CR_POWERON = 0x2A, MSR_BIOS_SIGN_ID = 0x8B,
    MSR_PERFCTR0 = 0xC1, MSR_PERFCTR1 = 0xC2, MSR_MTRRCAP = 0xFE,
    MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175,
    MSR_SYSENTER_EIP = 0x176, MSR_MCG_CAP = 0x179, MSR_MCG_STATUS = 0x17A,
    MSR_MCG_CTL = 0x17B, MSR_EVNTSEL0 = 0x186, MSR_EVNTSEL1 = 0x187,
    MSR_DEBUGCTL = 0x1D9, MSR_MTRR_VAR = 0x200, MSR_MTRR_FIX64K = 0x250,
    MSR_MTRR_FIX16K = 0x258, MSR_MTRR_FIX4K = 0x268, MSR_MTRR_DEF = 0x2FF,
    MSR_MC0_CTL = 0x400,
};

#define MCG_BANKS 5
/* MCG_CAP: 5 banks, MCG_CTL present (bit 8). */
#define MCG_CAP_VALUE (0x100u | MCG_BANKS)

/* Plain read/write registers kept in cpu->msr.misc[], by slot. */
static const uint32_t msr_misc_index[] = {
    0x88, 0x89, 0x8A,           /* BBL_CR_D0..D2 */
    0x116, 0x118, 0x119, 0x11A, 0x11B, 0x11E, /* BBL_CR_ADDR..CTL3 */
    MSR_PERFCTR0, MSR_PERFCTR1, MSR_EVNTSEL0, MSR_EVNTSEL1,
    MSR_DEBUGCTL, MSR_MCG_CTL, 0x1E0, /* ROB_CR_BKUPTMPDR6 */
};
#define MSR_MISC_COUNT (sizeof(msr_misc_index) / sizeof(msr_misc_index[0]))

static int msr_misc_slot(uint32_t index)
{
    for (unsigned i = 0; i < MSR_MISC_COUNT; i++)
        if (msr_misc_index[i] == index)
            return (int)i;
    return -1;
}

/* MTRR fixed-range MSR -> slot 0..10 (64K, 16K x2, 4K x8), else -1. */
static int msr_fixed_slot(uint32_t index)
{
    if (index == MSR_MTRR_FIX64K)
        return 0;
    if (index == MSR_MTRR_FIX16K || index == MSR_MTRR_FIX16K + 1)
        return 1 + (int)(index - MSR_MTRR_FIX16K);
    if (index >= MSR_MTRR_FIX4K && index < MSR_MTRR_FIX4K + 8)
        return 3 + (int)(index - MSR_MTRR_FIX4K);
    return -1;
}

uint64_t msr_perfctr(CPUState *cpu, uint32_t n)
{
    return cpu->msr.misc[msr_misc_slot(MSR_PERFCTR0 + n)] & 0xFFFFFFFFFFull;
}

static bool msr_read_special(CPUState *cpu, uint32_t index, uint64_t *val)
{
    switch (index) {
    case MSR_TSC: *val = cpu_read_tsc(cpu); return true;
    case MSR_PLATFORM_ID: *val = 0; return true;
    case MSR_APIC_BASE: *val = cpu->msr.apic_base; return true;
    case MSR_EBL_CR_POWERON: *val = 0; return true;
    case MSR_BIOS_SIGN_ID: *val = cpu->msr.bios_sign_id; return true;
    case MSR_MTRRCAP: *val = cpu->msr.mtrr_cap; return true;
    case MSR_SYSENTER_CS: *val = cpu->msr.sysenter_cs; return true;
    case MSR_SYSENTER_ESP: *val = cpu->msr.sysenter_esp; return true;
    case MSR_SYSENTER_EIP: *val = cpu->msr.sysenter_eip; return true;
    case MSR_MCG_CAP: *val = MCG_CAP_VALUE; return true;
    case MSR_MCG_STATUS: *val = cpu->msr.mcg_status; return true;
    case MSR_MTRR_DEF: *val = cpu->msr.mtrr_def_type; return true;
    default: return false;
    }
}

bool msr_read(CPUState *cpu, uint32_t index, uint64_t *val)
{
    if (msr_read_special(cpu, index, val))
        return true;
    int slot = msr_misc_slot(index);
    if (slot >= 0) {
        *val = cpu->msr.misc[slot];
        return true;
    }
    if ((slot = msr_fixed_slot(index)) >= 0) {
        *val = cpu->msr.mtrr_fixed[slot];
        return true;
    }
    if (index >= MSR_MTRR_VAR && index < MSR_MTRR_VAR + 16) {
        *val = cpu->msr.mtrr_var[index - MSR_MTRR_VAR];
        return true;
    }
    if (index >= MSR_MC0_CTL && index < MSR_MC0_CTL + 4 * MCG_BANKS) {
        *val = (index & 3) == 0 ? ~0ull : 0; /* CTL all enabled */
        return true;
    }
    if (index >= 0x1DB && index <= 0x1DE) { /* last branch/exception */
        *val = 0;
        return true;
    }
    return false;
}

/* TSC write: the P6 loads the low 32 bits and clears the upper half. */
static void msr_write_tsc(CPUState *cpu, uint64_t val)
{
    uint64_t now = cpu_read_tsc(cpu) - cpu->msr.tsc_offset;
    cpu->msr.tsc_offset = (val & 0xFFFFFFFFull) - now;
}

static bool msr_write_special(CPUState *cpu, uint32_t index, uint64_t val)
{
    switch (index) {
    case MSR_TSC: msr_write_tsc(cpu, val); return true;
    case MSR_APIC_BASE: cpu->msr.apic_base = val & 0xFFFFFF900ull; return true;
    case MSR_BIOS_SIGN_ID: cpu->msr.bios_sign_id = val; return true;
    case MSR_SYSENTER_CS: cpu->msr.sysenter_cs = (uint32_t)val; return true;
    case MSR_SYSENTER_ESP: cpu->msr.sysenter_esp = (uint32_t)val; return true;
    case MSR_SYSENTER_EIP: cpu->msr.sysenter_eip = (uint32_t)val; return true;
    case MSR_MCG_STATUS: cpu->msr.mcg_status = val; return true;
    case MSR_MTRR_DEF:
        if (val & ~0xCFFull)
            return false;
        cpu->msr.mtrr_def_type = val;
        return true;
    case MSR_EBL_CR_POWERON:
    case MSR_PLATFORM_ID:
        return true;
    default: return false;
    }
}

bool msr_write(CPUState *cpu, uint32_t index, uint64_t val)
{
    if (msr_write_special(cpu, index, val))
        return true;
    int slot = msr_misc_slot(index);
    if (slot >= 0) {
        cpu->msr.misc[slot] = val;
        return true;
    }
    if ((slot = msr_fixed_slot(index)) >= 0) {
        cpu->msr.mtrr_fixed[slot] = val;
        return true;
    }
    if (index >= MSR_MTRR_VAR && index < MSR_MTRR_VAR + 16) {
        if (val & 0xFFFFFFF000000000ull)
            return false; /* beyond 36 physical address bits */
        cpu->msr.mtrr_var[index - MSR_MTRR_VAR] = val;
        return true;
    }
    if (index >= MSR_MC0_CTL && index < MSR_MC0_CTL + 4 * MCG_BANKS)
        return true;
    return index >= 0x1DB && index <= 0x1DE;
}

static void msr_need_cpl0(CPUState *cpu)
{
    if (cpu->pe && cpu->cpl != 0)
        cpu_raise(cpu, EXC_GP, 0);
}

void exec_RDMSR(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    msr_need_cpl0(cpu);
    uint64_t v;
    if (!msr_read(cpu, cpu->regs[R_ECX], &v)) {
        log_once(&cpu->vm->log, LOG_GUEST_ERROR,
                 "cpu: RDMSR of a non-existent MSR -> #GP(0)\n");
        cpu_raise(cpu, EXC_GP, 0);
    }
    cpu->regs[R_EAX] = (uint32_t)v;
    cpu->regs[R_EDX] = (uint32_t)(v >> 32);
}

void exec_WRMSR(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    msr_need_cpl0(cpu);
    uint64_t v = cpu->regs[R_EAX] | (uint64_t)cpu->regs[R_EDX] << 32;
    if (!msr_write(cpu, cpu->regs[R_ECX], v)) {
        log_once(&cpu->vm->log, LOG_GUEST_ERROR,
                 "cpu: WRMSR to a non-existent MSR or bad value -> #GP(0)\n");
        cpu_raise(cpu, EXC_GP, 0);
    }
}
