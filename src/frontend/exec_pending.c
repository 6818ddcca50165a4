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

/* x87 (fpu). */

/* MMX (fpu). */
void exec_mmx_EMMS(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_EMMS not implemented yet (#UD)\n");
}

void exec_mmx_MOVD_Ed_Pq(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_MOVD_Ed_Pq not implemented yet (#UD)\n");
}

void exec_mmx_MOVD_Pq_Ed(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_MOVD_Pq_Ed not implemented yet (#UD)\n");
}

void exec_mmx_MOVQ_Pq_Qq(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_MOVQ_Pq_Qq not implemented yet (#UD)\n");
}

void exec_mmx_MOVQ_Qq_Pq(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_MOVQ_Qq_Pq not implemented yet (#UD)\n");
}

void exec_mmx_PACKSSDW(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PACKSSDW not implemented yet (#UD)\n");
}

void exec_mmx_PACKSSWB(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PACKSSWB not implemented yet (#UD)\n");
}

void exec_mmx_PACKUSWB(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PACKUSWB not implemented yet (#UD)\n");
}

void exec_mmx_PADDB(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PADDB not implemented yet (#UD)\n");
}

void exec_mmx_PADDD(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PADDD not implemented yet (#UD)\n");
}

void exec_mmx_PADDSB(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PADDSB not implemented yet (#UD)\n");
}

void exec_mmx_PADDSW(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PADDSW not implemented yet (#UD)\n");
}

void exec_mmx_PADDUSB(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PADDUSB not implemented yet (#UD)\n");
}

void exec_mmx_PADDUSW(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PADDUSW not implemented yet (#UD)\n");
}

void exec_mmx_PADDW(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PADDW not implemented yet (#UD)\n");
}

void exec_mmx_PAND(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PAND not implemented yet (#UD)\n");
}

void exec_mmx_PANDN(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PANDN not implemented yet (#UD)\n");
}

void exec_mmx_PCMPEQB(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PCMPEQB not implemented yet (#UD)\n");
}

void exec_mmx_PCMPEQD(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PCMPEQD not implemented yet (#UD)\n");
}

void exec_mmx_PCMPEQW(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PCMPEQW not implemented yet (#UD)\n");
}

void exec_mmx_PCMPGTB(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PCMPGTB not implemented yet (#UD)\n");
}

void exec_mmx_PCMPGTD(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PCMPGTD not implemented yet (#UD)\n");
}

void exec_mmx_PCMPGTW(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PCMPGTW not implemented yet (#UD)\n");
}

void exec_mmx_PMADDWD(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PMADDWD not implemented yet (#UD)\n");
}

void exec_mmx_PMULHW(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PMULHW not implemented yet (#UD)\n");
}

void exec_mmx_PMULLW(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PMULLW not implemented yet (#UD)\n");
}

void exec_mmx_POR(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_POR not implemented yet (#UD)\n");
}

void exec_mmx_PSLLD(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSLLD not implemented yet (#UD)\n");
}

void exec_mmx_PSLLD_Ib(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSLLD_Ib not implemented yet (#UD)\n");
}

void exec_mmx_PSLLQ(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSLLQ not implemented yet (#UD)\n");
}

void exec_mmx_PSLLQ_Ib(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSLLQ_Ib not implemented yet (#UD)\n");
}

void exec_mmx_PSLLW(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSLLW not implemented yet (#UD)\n");
}

void exec_mmx_PSLLW_Ib(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSLLW_Ib not implemented yet (#UD)\n");
}

void exec_mmx_PSRAD(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSRAD not implemented yet (#UD)\n");
}

void exec_mmx_PSRAD_Ib(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSRAD_Ib not implemented yet (#UD)\n");
}

void exec_mmx_PSRAW(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSRAW not implemented yet (#UD)\n");
}

void exec_mmx_PSRAW_Ib(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSRAW_Ib not implemented yet (#UD)\n");
}

void exec_mmx_PSRLD(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSRLD not implemented yet (#UD)\n");
}

void exec_mmx_PSRLD_Ib(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSRLD_Ib not implemented yet (#UD)\n");
}

void exec_mmx_PSRLQ(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSRLQ not implemented yet (#UD)\n");
}

void exec_mmx_PSRLQ_Ib(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSRLQ_Ib not implemented yet (#UD)\n");
}

void exec_mmx_PSRLW(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSRLW not implemented yet (#UD)\n");
}

void exec_mmx_PSRLW_Ib(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSRLW_Ib not implemented yet (#UD)\n");
}

void exec_mmx_PSUBB(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSUBB not implemented yet (#UD)\n");
}

void exec_mmx_PSUBD(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSUBD not implemented yet (#UD)\n");
}

void exec_mmx_PSUBSB(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSUBSB not implemented yet (#UD)\n");
}

void exec_mmx_PSUBSW(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSUBSW not implemented yet (#UD)\n");
}

void exec_mmx_PSUBUSB(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSUBUSB not implemented yet (#UD)\n");
}

void exec_mmx_PSUBUSW(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSUBUSW not implemented yet (#UD)\n");
}

void exec_mmx_PSUBW(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PSUBW not implemented yet (#UD)\n");
}

void exec_mmx_PUNPCKHBW(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PUNPCKHBW not implemented yet (#UD)\n");
}

void exec_mmx_PUNPCKHDQ(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PUNPCKHDQ not implemented yet (#UD)\n");
}

void exec_mmx_PUNPCKHWD(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PUNPCKHWD not implemented yet (#UD)\n");
}

void exec_mmx_PUNPCKLBW(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PUNPCKLBW not implemented yet (#UD)\n");
}

void exec_mmx_PUNPCKLDQ(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PUNPCKLDQ not implemented yet (#UD)\n");
}

void exec_mmx_PUNPCKLWD(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PUNPCKLWD not implemented yet (#UD)\n");
}

void exec_mmx_PXOR(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    pending(cpu, "cpu: mmx_PXOR not implemented yet (#UD)\n");
}
