/*
 * exec_misc.c — NOP, flag instructions (CLC STC CMC CLD STD CLI STI SAHF
 * LAHF), HLT, CPUID, RDTSC, UD1/UD2, IN/OUT (SDM vol. 2).
 *
 * CPUID describes a Pentium II (family 6, model 5, stepping 2).
 */
#include "frontend/exec.h"

#include "frontend/seg.h"
#include "machine/vm.h"

/* CPUID.1:EDX of the modelled CPU: FPU DE PSE TSC MSR PAE MCE CX8 SEP
 * MTRR PGE MCA CMOV MMX FXSR (SDM vol. 2 CPUID table 3-11). A Pentium II
 * also has VME, but the virtual-8086 mode extensions (CR4.VME/PVI, VIF/VIP)
 * are not modelled, so the bit stays clear rather than promise them. */
#define CPUID_1_EDX 0x0180F9FDu
#define CPUID_SIGNATURE 0x00000652u
/* Leaf 2 descriptors: 01 02 03 (TLBs), 43 (512 KB L2), 08 (16 KB L1I),
 * 04 (4 MB DTLB), 0C (16 KB L1D). */
#define CPUID_2_EAX 0x03020101u
#define CPUID_2_EDX 0x0C040843u
/* TSC frequency used to convert virtual time to ticks. */
#define CPU_TSC_HZ 400000000ull

void exec_NOP(CPUState *cpu, const DecodedInsn *d)
{
    (void)cpu;
    (void)d;
}

/* 0F 19..1F /r: "hintable" NOPs of the P6 (NOP Ev is 0F 1F /0); the
 * operand is decoded but not accessed. */
void exec_NOP_Ev(CPUState *cpu, const DecodedInsn *d)
{
    (void)cpu;
    (void)d;
}

void exec_CLC(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    cc_set_eager(cpu, 0, EFL_CF);
}

void exec_STC(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    cc_set_eager(cpu, EFL_CF, EFL_CF);
}

void exec_CMC(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    cc_set_eager(cpu, cc_cf(cpu) ? 0 : EFL_CF, EFL_CF);
}

void exec_CLD(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    cpu->eflags &= ~EFL_DF;
}

void exec_STD(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    cpu->eflags |= EFL_DF;
}

/* CLI/STI: IOPL-sensitive in protected and V86 mode (VME/PVI variants are
 * the system model's). */
static void misc_check_iopl(CPUState *cpu)
{
    if (!cpu->pe)
        return;
    unsigned iopl = (cpu->eflags & EFL_IOPL) >> EFL_IOPL_SHIFT;
    if (cpu->cpl <= iopl)
        return;
    if (cpu->cr4 & (CR4_VME | CR4_PVI))
        log_once(&cpu->vm->log, LOG_UNIMP, "cpu: VME/PVI CLI/STI not modelled\n");
    cpu_raise(cpu, EXC_GP, 0);
}

void exec_CLI(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    misc_check_iopl(cpu);
    cpu->eflags &= ~EFL_IF;
}

void exec_STI(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    misc_check_iopl(cpu);
    if (!(cpu->eflags & EFL_IF))
        cpu->intr_shadow = true;
    cpu->eflags |= EFL_IF;
}

void exec_SAHF(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    uint32_t ah = (cpu->regs[R_EAX] >> 8) & 0xFF;
    cc_set_eager(cpu, ah, EFL_SF | EFL_ZF | EFL_AF | EFL_PF | EFL_CF);
}

void exec_LAHF(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    uint32_t f = (cpu_get_eflags(cpu) & 0xD5) | EFL_FIXED1;
    reg_set8(cpu, R_EAX + 4, (uint8_t)f);
}

void exec_HLT(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    if (cpu->cpl != 0)
        cpu_raise(cpu, EXC_GP, 0);
    cpu->halted = true;
}

void exec_CPUID(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    uint32_t leaf = cpu->regs[R_EAX];
    uint32_t a = 0, b = 0, c = 0, dx = 0;
    /* Leaves above the maximum return the highest basic leaf (P6). */
    if (leaf > 2)
        leaf = 2;
    switch (leaf) {
    case 0:
        a = 2;
        b = 0x756E6547; /* "Genu" */
        dx = 0x49656E69; /* "ineI" */
        c = 0x6C65746E; /* "ntel" */
        break;
    case 1:
        a = CPUID_SIGNATURE;
        dx = CPUID_1_EDX;
        break;
    default:
        a = CPUID_2_EAX;
        dx = CPUID_2_EDX;
        break;
    }
    cpu->regs[R_EAX] = a;
    cpu->regs[R_EBX] = b;
    cpu->regs[R_ECX] = c;
    cpu->regs[R_EDX] = dx;
}

/* TSC: virtual clock converted to CPU_TSC_HZ ticks plus the offset set by
 * WRMSR; deterministic under -icount. */
uint64_t cpu_read_tsc(CPUState *cpu)
{
    int64_t ns = clock_now(&cpu->vm->clock);
    return clock_ns_to_ticks(ns, CPU_TSC_HZ) + cpu->msr.tsc_offset;
}

void exec_RDTSC(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    if ((cpu->cr4 & CR4_TSD) && cpu->pe && cpu->cpl != 0)
        cpu_raise(cpu, EXC_GP, 0);
    uint64_t t = cpu_read_tsc(cpu);
    cpu->regs[R_EAX] = (uint32_t)t;
    cpu->regs[R_EDX] = (uint32_t)(t >> 32);
}

void exec_UD2(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    cpu_raise_ud(cpu);
}

void exec_UD1(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    cpu_raise_ud(cpu);
}

static unsigned io_size(const DecodedInsn *d)
{
    return (d->opcode & 1) ? insn_osize(d) : 1;
}

static void misc_in(CPUState *cpu, const DecodedInsn *d, uint16_t port)
{
    unsigned s = io_size(d);
    cpu_check_io(cpu, port, s);
    reg_set(cpu, R_EAX, io_read(&cpu->vm->io, port, s), s);
}

static void misc_out(CPUState *cpu, const DecodedInsn *d, uint16_t port)
{
    unsigned s = io_size(d);
    cpu_check_io(cpu, port, s);
    io_write(&cpu->vm->io, port, reg_get(cpu, R_EAX, s), s);
}

void exec_IN_Ib(CPUState *cpu, const DecodedInsn *d)
{
    misc_in(cpu, d, d->imm & 0xFF);
}

void exec_IN_DX(CPUState *cpu, const DecodedInsn *d)
{
    misc_in(cpu, d, cpu->regs[R_EDX] & 0xFFFF);
}

void exec_OUT_Ib(CPUState *cpu, const DecodedInsn *d)
{
    misc_out(cpu, d, d->imm & 0xFF);
}

void exec_OUT_DX(CPUState *cpu, const DecodedInsn *d)
{
    misc_out(cpu, d, cpu->regs[R_EDX] & 0xFFFF);
}
