/*
 * exec_fpu.c — x87 instruction handlers (escape opcodes D8-DF, WAIT).
 *
 * Each handler decodes the ModRM form of its escape byte (SDM vol. 2
 * appendix A.5, tables ), performs the checks every x87
 * instruction makes before it executes — #NM for CR0.EM/TS, then a pending
 * unmasked exception (#MF with CR0.NE=1, FERR#/IRQ13 with CR0.NE=0; SDM
 * vol. 3 2.5 table 2-2 and vol. 1 8.7) — records FIP/FCS/FOP/FDP/FDS for
 * non-control instructions (vol. 1 8.1.8-8.1.9), reads memory operands
 * before changing any state and probes memory destinations before the
 * state changes, so that #GP/#PF stay precise. Numerics: fpu_core.c.
 * Environment, save and FXSAVE instructions are in exec_fpu_env.c.
 */
#include "frontend/exec.h"
#include "frontend/exec_fpu.h"
#include "frontend/fpu_core.h"

/* Arithmetic by ModRM reg for D8/DC/DA/DE (memory and D8 register forms):
 * FADD FMUL FCOM FCOMP FSUB FSUBR FDIV FDIVR. */
static const FpuHostOp fpu_arith_ops[8] = {
    FPH_ADD, FPH_MUL, FPH_COM, FPH_COM, FPH_SUB, FPH_SUBR, FPH_DIV, FPH_DIVR,
};
/* DC/DE register forms write ST(i): E0+i is FSUBR ST(i),ST(0), E8+i FSUB,
 * F0+i FDIVR, F8+i FDIV (vol. 2 FSUB/FDIV opcode tables). */
static const FpuHostOp fpu_arith_rev_ops[8] = {
    FPH_ADD, FPH_MUL, FPH_COM, FPH_COM, FPH_SUBR, FPH_SUB, FPH_DIVR, FPH_DIV,
};
/* D9 E8..EE: FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ. */
static const FpuHostOp fpu_const_ops[7] = {
    FPH_LD1, FPH_LDL2T, FPH_LDL2E, FPH_LDPI, FPH_LDLG2, FPH_LDLN2, FPH_LDZ,
};
/* FCMOVcc (DA/DB /0-/3) as Jcc condition numbers: B E BE U, NB NE NBE NU. */
static const uint8_t fpu_fcmov_cc[2][4] = {{2, 4, 6, 10}, {3, 5, 7, 11}};

static void fpu_arith_mem_form(CPUState *cpu, const DecodedInsn *d,
                               FpuHostOp load, unsigned size)
{
    FpuState *fs = &cpu->fpu;
    uint8_t m[16];

    fpu_read_mem(cpu, d, m, size);
    if (d->reg == 2 || d->reg == 3) {
        fpu_compare_mem(fs, FPH_COM, load, m, d->reg == 3);
    } else {
        fpu_arith_mem(fs, fpu_arith_ops[d->reg], load, m);
    }
}

void exec_fpu_D8(CPUState *cpu, const DecodedInsn *d)
{
    if (!fpu_begin(cpu, d, FPU_WAITING)) {
        return;
    }
    if (!insn_is_reg(d)) {
        fpu_arith_mem_form(cpu, d, FPH_LD_F32, 4);
    } else if (d->reg == 2 || d->reg == 3) {
        fpu_compare_reg(&cpu->fpu, FPH_COM, d->rm, d->reg == 3);
    } else {
        fpu_arith_reg(&cpu->fpu, fpu_arith_ops[d->reg], 0, d->rm, false);
    }
}

void exec_fpu_DC(CPUState *cpu, const DecodedInsn *d)
{
    if (!fpu_begin(cpu, d, FPU_WAITING)) {
        return;
    }
    if (!insn_is_reg(d)) {
        fpu_arith_mem_form(cpu, d, FPH_LD_F64, 8);
    } else if (d->reg == 2 || d->reg == 3) {
        /* DC D0+i / D8+i: undocumented aliases of FCOM / FCOMP. */
        fpu_compare_reg(&cpu->fpu, FPH_COM, d->rm, d->reg == 3);
    } else {
        fpu_arith_reg(&cpu->fpu, fpu_arith_rev_ops[d->reg], d->rm, 0, false);
    }
}

void exec_fpu_DA(CPUState *cpu, const DecodedInsn *d)
{
    bool fucompp = insn_is_reg(d) && d->reg == 5 && d->rm == 1;

    if (insn_is_reg(d) && d->reg >= 4 && !fucompp) {
        cpu_raise_ud(cpu);
    }
    if (!fpu_begin(cpu, d, FPU_WAITING)) {
        return;
    }
    if (!insn_is_reg(d)) {
        fpu_arith_mem_form(cpu, d, FPH_LD_I32, 4);
    } else if (fucompp) {
        fpu_compare_reg(&cpu->fpu, FPH_UCOM, 1, 2);
    } else {
        fpu_cmov(&cpu->fpu, d->rm, cc_cond(cpu, fpu_fcmov_cc[0][d->reg]));
    }
}

void exec_fpu_DE(CPUState *cpu, const DecodedInsn *d)
{
    if (insn_is_reg(d) && d->reg == 3 && d->rm != 1) {
        cpu_raise_ud(cpu);
    }
    if (!fpu_begin(cpu, d, FPU_WAITING)) {
        return;
    }
    if (!insn_is_reg(d)) {
        fpu_arith_mem_form(cpu, d, FPH_LD_I16, 2);
    } else if (d->reg == 2) {
        fpu_compare_reg(&cpu->fpu, FPH_COM, d->rm, 1); /* FCOMP5 alias */
    } else if (d->reg == 3) {
        fpu_compare_reg(&cpu->fpu, FPH_COM, 1, 2); /* FCOMPP */
    } else {
        fpu_arith_reg(&cpu->fpu, fpu_arith_rev_ops[d->reg], d->rm, 0, true);
    }
}

/* FLD/FST/FSTP with a memory operand of the given format. */
static void fpu_load_form(CPUState *cpu, const DecodedInsn *d, FpuHostOp op,
                          unsigned size)
{
    uint8_t m[16];

    fpu_read_mem(cpu, d, m, size);
    fpu_load_mem(&cpu->fpu, op, m);
}

static void fpu_store_form(CPUState *cpu, const DecodedInsn *d, FpuHostOp op,
                           unsigned size, bool pop)
{
    uint8_t m[16];

    fpu_probe_write(cpu, d, size);
    if (fpu_store_mem(&cpu->fpu, op, m, pop)) {
        fpu_write_mem(cpu, d, m, size);
    }
}

static void fpu_d9_mem(CPUState *cpu, const DecodedInsn *d)
{
    switch (d->reg) {
    case 0:
        fpu_load_form(cpu, d, FPH_LD_F32, 4);
        break;
    case 2:
    case 3:
        fpu_store_form(cpu, d, FPH_ST_F32, 4, d->reg == 3);
        break;
    case 4:
        fpu_exec_fldenv(cpu, d);
        break;
    case 5:
        fpu_exec_fldcw(cpu, d);
        break;
    case 6:
        fpu_exec_fnstenv(cpu, d);
        break;
    default:
        fpu_exec_fnstcw(cpu, d);
        break;
    }
}

/* D9 E0..FF: one operation per ModRM byte. */
static void fpu_d9_special(FpuState *fs, uint8_t modrm)
{
    switch (modrm) {
    case 0xE0: fpu_chs(fs); break;
    case 0xE1: fpu_abs(fs); break;
    case 0xE4: fpu_tst(fs); break;
    case 0xE5: fpu_xam(fs); break;
    case 0xF0: fpu_unary(fs, FPH_2XM1); break;
    case 0xF1: fpu_binary_pop(fs, FPH_YL2X); break;
    case 0xF2: fpu_unary_push(fs, FPH_PTAN); break;
    case 0xF3: fpu_binary_pop(fs, FPH_PATAN); break;
    case 0xF4: fpu_unary_push(fs, FPH_XTRACT); break;
    case 0xF5: fpu_binary_st1(fs, FPH_PREM1); break;
    case 0xF6: fpu_decstp(fs); break;
    case 0xF7: fpu_incstp(fs); break;
    case 0xF8: fpu_binary_st1(fs, FPH_PREM); break;
    case 0xF9: fpu_binary_pop(fs, FPH_YL2XP1); break;
    case 0xFA: fpu_unary(fs, FPH_SQRT); break;
    case 0xFB: fpu_unary_push(fs, FPH_SINCOS); break;
    case 0xFC: fpu_unary(fs, FPH_RNDINT); break;
    case 0xFD: fpu_binary_st1(fs, FPH_SCALE); break;
    case 0xFE: fpu_unary(fs, FPH_SIN); break;
    case 0xFF: fpu_unary(fs, FPH_COS); break;
    default: fpu_load_const(fs, fpu_const_ops[modrm - 0xE8]); break;
    }
}

static bool fpu_d9_reg_valid(const DecodedInsn *d)
{
    switch (d->reg) {
    case 2:
        return d->rm == 0; /* D9 D0: FNOP */
    case 4:
        return d->rm <= 1 || d->rm == 4 || d->rm == 5;
    case 5:
        return d->rm != 7;
    default:
        return true;
    }
}

void exec_fpu_D9(CPUState *cpu, const DecodedInsn *d)
{
    FpuState *fs = &cpu->fpu;
    bool reg = insn_is_reg(d);
    FpuCheck chk = (!reg && d->reg >= 6) ? FPU_NOWAIT : FPU_WAITING;

    if ((reg && !fpu_d9_reg_valid(d)) || (!reg && d->reg == 1)) {
        cpu_raise_ud(cpu);
    }
    if (!reg && d->reg >= 4) {
        chk |= FPU_CONTROL;
    }
    if (!fpu_begin(cpu, d, chk)) {
        return;
    }
    if (!reg) {
        fpu_d9_mem(cpu, d);
        return;
    }
    switch (d->reg) {
    case 0:
        fpu_load_reg(fs, d->rm);
        break;
    case 1:
        fpu_xch(fs, d->rm);
        break;
    case 2:
        break; /* FNOP */
    case 3:
        fpu_store_reg(fs, d->rm, true); /* FSTP1 alias */
        break;
    default:
        fpu_d9_special(fs, d->modrm);
        break;
    }
}

static void fpu_db_mem(CPUState *cpu, const DecodedInsn *d)
{
    FpuState *fs = &cpu->fpu;
    uint8_t m[16];
    FpuReg v;

    switch (d->reg) {
    case 0:
        fpu_load_form(cpu, d, FPH_LD_I32, 4);
        break;
    case 2:
    case 3:
        fpu_store_form(cpu, d, FPH_ST_I32, 4, d->reg == 3);
        break;
    case 5:
        fpu_read_mem(cpu, d, m, 10);
        memcpy(&v.mant, m, 8);
        memcpy(&v.sexp, m + 8, 2);
        fpu_load_raw(fs, v);
        break;
    default: /* 7: FSTP m80fp */
        fpu_probe_write(cpu, d, 10);
        if (fpu_store_raw(fs, &v)) {
            memcpy(m, &v.mant, 8);
            memcpy(m + 8, &v.sexp, 2);
            fpu_write_mem(cpu, d, m, 10);
        }
        break;
    }
}

static void fpu_db_reg(CPUState *cpu, const DecodedInsn *d)
{
    FpuState *fs = &cpu->fpu;
    bool write;
    uint32_t fl;

    if (d->reg < 4) {
        fpu_cmov(fs, d->rm, cc_cond(cpu, fpu_fcmov_cc[1][d->reg]));
        return;
    }
    if (d->reg == 4) {
        if (d->rm == 2) {
            fpu_clex(fs);
            fpu_ferr_update(cpu);
        } else if (d->rm == 3) {
            fpu_init(fs);
            fpu_ferr_update(cpu);
        }
        return; /* E0/E1/E4: FNENI, FNDISI, FNSETPM are no-ops since 387 */
    }
    fl = fpu_comi(fs, d->reg == 5 ? FPH_UCOM : FPH_COM, d->rm, false, &write);
    if (write) {
        cc_set_eager(cpu, fl, EFL_ARITH);
    }
}

void exec_fpu_DB(CPUState *cpu, const DecodedInsn *d)
{
    bool reg = insn_is_reg(d);
    FpuCheck chk = FPU_WAITING;

    if ((!reg && (d->reg == 1 || d->reg == 4 || d->reg == 6)) ||
        (reg && (d->reg == 7 || (d->reg == 4 && d->rm > 4)))) {
        cpu_raise_ud(cpu); /* /1 is FISTTP: SSE3, not on the P6 */
    }
    if (reg && d->reg == 4) {
        chk = FPU_NOWAIT | FPU_CONTROL;
    }
    if (!fpu_begin(cpu, d, chk)) {
        return;
    }
    if (reg) {
        fpu_db_reg(cpu, d);
    } else {
        fpu_db_mem(cpu, d);
    }
}

static void fpu_dd_mem(CPUState *cpu, const DecodedInsn *d)
{
    switch (d->reg) {
    case 0:
        fpu_load_form(cpu, d, FPH_LD_F64, 8);
        break;
    case 2:
    case 3:
        fpu_store_form(cpu, d, FPH_ST_F64, 8, d->reg == 3);
        break;
    case 4:
        fpu_exec_frstor(cpu, d);
        break;
    case 6:
        fpu_exec_fnsave(cpu, d);
        break;
    default:
        fpu_exec_fnstsw(cpu, d);
        break;
    }
}

static void fpu_dd_reg(CPUState *cpu, const DecodedInsn *d)
{
    FpuState *fs = &cpu->fpu;

    switch (d->reg) {
    case 0:
        fpu_free(fs, d->rm);
        break;
    case 1:
        fpu_xch(fs, d->rm); /* FXCH4 alias */
        break;
    case 2:
    case 3:
        fpu_store_reg(fs, d->rm, d->reg == 3);
        break;
    default:
        fpu_compare_reg(fs, FPH_UCOM, d->rm, d->reg == 5);
        break;
    }
}

void exec_fpu_DD(CPUState *cpu, const DecodedInsn *d)
{
    bool reg = insn_is_reg(d);
    FpuCheck chk = FPU_WAITING;

    if ((!reg && (d->reg == 1 || d->reg == 5)) || (reg && d->reg >= 6)) {
        cpu_raise_ud(cpu);
    }
    if (!reg && d->reg >= 4) {
        chk = (d->reg == 4 ? FPU_WAITING : FPU_NOWAIT) | FPU_CONTROL;
    }
    if (!fpu_begin(cpu, d, chk)) {
        return;
    }
    if (reg) {
        fpu_dd_reg(cpu, d);
    } else {
        fpu_dd_mem(cpu, d);
    }
}

static void fpu_df_mem(CPUState *cpu, const DecodedInsn *d)
{
    switch (d->reg) {
    case 0:
        fpu_load_form(cpu, d, FPH_LD_I16, 2);
        break;
    case 2:
    case 3:
        fpu_store_form(cpu, d, FPH_ST_I16, 2, d->reg == 3);
        break;
    case 4:
        fpu_load_form(cpu, d, FPH_LD_BCD, 10);
        break;
    case 5:
        fpu_load_form(cpu, d, FPH_LD_I64, 8);
        break;
    case 6:
        fpu_store_form(cpu, d, FPH_ST_BCD, 10, true);
        break;
    default:
        fpu_store_form(cpu, d, FPH_ST_I64, 8, true);
        break;
    }
}

static void fpu_df_reg(CPUState *cpu, const DecodedInsn *d)
{
    FpuState *fs = &cpu->fpu;
    bool write;
    uint32_t fl;

    switch (d->reg) {
    case 0: /* FFREEP: undocumented, free ST(i) then pop */
        fpu_free(fs, d->rm);
        fpu_pop(fs);
        break;
    case 1:
        fpu_xch(fs, d->rm); /* FXCH7 alias */
        break;
    case 2:
    case 3:
        fpu_store_reg(fs, d->rm, true); /* FSTP8/FSTP9 aliases */
        break;
    case 4:
        reg_set(cpu, R_EAX, fpu_get_sw(fs), 2); /* FNSTSW AX */
        break;
    default:
        fl = fpu_comi(fs, d->reg == 5 ? FPH_UCOM : FPH_COM, d->rm, true,
                      &write);
        if (write) {
            cc_set_eager(cpu, fl, EFL_ARITH);
        }
        break;
    }
}

void exec_fpu_DF(CPUState *cpu, const DecodedInsn *d)
{
    bool reg = insn_is_reg(d);
    FpuCheck chk = FPU_WAITING;

    if ((!reg && d->reg == 1) || (reg && d->reg == 7) ||
        (reg && d->reg == 4 && d->rm != 0)) {
        cpu_raise_ud(cpu);
    }
    if (reg && d->reg == 4) {
        chk = FPU_NOWAIT | FPU_CONTROL;
    }
    if (!fpu_begin(cpu, d, chk)) {
        return;
    }
    if (reg) {
        fpu_df_reg(cpu, d);
    } else {
        fpu_df_mem(cpu, d);
    }
}

/* WAIT/FWAIT: #NM only when both MP and TS are set (table 2-2). */
void exec_fpu_WAIT(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    if ((cpu->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) {
        cpu_raise_noerr(cpu, EXC_NM);
    }
    fpu_check_pending(cpu);
}
