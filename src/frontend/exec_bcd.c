/*
 * exec_bcd.c — decimal adjust: DAA DAS AAA AAS AAM AAD, and SALC
 * (undocumented "set AL from carry", present on the P6). Pseudocode from
 * SDM vol. 2; undefined flags: DAA/DAS OF; AAA/AAS OF SF ZF PF (we derive
 * SF ZF PF from AL, OF = 0); AAM/AAD OF AF CF (we clear them).
 */
#include "frontend/exec.h"

static uint32_t bcd_szp(uint8_t al)
{
    uint32_t f = 0;
    if (!al)
        f |= EFL_ZF;
    if (al & 0x80)
        f |= EFL_SF;
    if (cc_parity(al))
        f |= EFL_PF;
    return f;
}

static void bcd_adjust(CPUState *cpu, bool sub)
{
    uint32_t fl = cc_flags(cpu);
    uint8_t old_al = reg_get8(cpu, R_EAX), al = old_al;
    bool old_cf = fl & EFL_CF, cf = false, af = false;
    if ((al & 0x0F) > 9 || (fl & EFL_AF)) {
        al = sub ? al - 6 : al + 6;
        cf = old_cf || (sub ? old_al < 6 : old_al > 0xF9);
        af = true;
    }
    if (old_al > 0x99 || old_cf) {
        al = sub ? al - 0x60 : al + 0x60;
        cf = true;
    }
    reg_set8(cpu, R_EAX, al);
    uint32_t f = bcd_szp(al) | (cf ? EFL_CF : 0) | (af ? EFL_AF : 0);
    cc_set_eager(cpu, f, EFL_ARITH);
}

void exec_DAA(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    bcd_adjust(cpu, false);
}

void exec_DAS(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    bcd_adjust(cpu, true);
}

static void ascii_adjust(CPUState *cpu, bool sub)
{
    uint32_t fl = cc_flags(cpu);
    uint32_t ax = cpu->regs[R_EAX] & 0xFFFF;
    bool adj = (ax & 0x0F) > 9 || (fl & EFL_AF);
    if (adj) {
        /* SDM: AX += 106H (AAA); AX -= 6, AH -= 1 (AAS) */
        ax = sub ? (ax - 6 - 0x100) & 0xFFFF : (ax + 0x106) & 0xFFFF;
    }
    ax &= 0xFF0F;
    reg_set(cpu, R_EAX, ax, 2);
    uint32_t f = bcd_szp((uint8_t)ax) | (adj ? EFL_AF | EFL_CF : 0);
    cc_set_eager(cpu, f, EFL_ARITH);
}

void exec_AAA(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    ascii_adjust(cpu, false);
}

void exec_AAS(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    ascii_adjust(cpu, true);
}

void exec_AAM_Ib(CPUState *cpu, const DecodedInsn *d)
{
    uint8_t base = (uint8_t)d->imm, al = reg_get8(cpu, R_EAX);
    if (base == 0)
        cpu_raise(cpu, EXC_DE, 0);
    uint8_t r = al % base;
    reg_set(cpu, R_EAX, ((uint32_t)(al / base) << 8) | r, 2);
    cc_set_eager(cpu, bcd_szp(r), EFL_ARITH);
}

void exec_AAD_Ib(CPUState *cpu, const DecodedInsn *d)
{
    uint8_t base = (uint8_t)d->imm;
    uint8_t al = reg_get8(cpu, R_EAX), ah = reg_get8(cpu, R_EAX + 4);
    uint8_t r = (uint8_t)(al + ah * base);
    reg_set(cpu, R_EAX, r, 2);
    cc_set_eager(cpu, bcd_szp(r), EFL_ARITH);
}

void exec_SALC(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    reg_set8(cpu, R_EAX, cc_cf(cpu) ? 0xFF : 0x00);
}
