/*
 * flags.c — lazy EFLAGS evaluation (SDM vol. 1 section 3.4.3 and the flag
 * tables of appendix A). The kinds and their operands are described in
 * cpu_state.h.
 */
#include "frontend/flags.h"

#include "frontend/seg.h"

static const uint32_t cc_sign[3] = {0x80u, 0x8000u, 0x80000000u};
static const uint32_t cc_mask[3] = {0xFFu, 0xFFFFu, 0xFFFFFFFFu};

static uint32_t cc_szp(uint32_t res, unsigned sz)
{
    uint32_t f = 0;
    res &= cc_mask[sz];
    if (res == 0)
        f |= EFL_ZF;
    if (res & cc_sign[sz])
        f |= EFL_SF;
    if (cc_parity(res))
        f |= EFL_PF;
    return f;
}

/* Carry out of the top bit: from the carry vector of op1 + op2 = res. */
static uint32_t cc_add_flags(uint32_t r, uint32_t a, uint32_t b, unsigned sz)
{
    uint32_t f = cc_szp(r, sz);
    uint32_t carries = (a & b) | ((a | b) & ~r);
    if (carries & cc_sign[sz])
        f |= EFL_CF;
    if ((a ^ r) & (b ^ r) & cc_sign[sz])
        f |= EFL_OF;
    f |= (a ^ b ^ r) & EFL_AF;
    return f;
}

static uint32_t cc_sub_flags(uint32_t r, uint32_t a, uint32_t b, unsigned sz)
{
#if defined(__x86_64__) && defined(__GNUC__)
    /* A plain 32-bit a - b (SUB, CMP, DEC; not SBB): the host computes the
     * same six flags; LAHF gives SF ZF AF PF CF at their EFLAGS positions. */
    if (sz == 2 && r == a - b) {
        uint32_t t = a, ah;
        uint8_t of;
        __asm__("subl %3, %0\n\tlahf\n\tseto %1"
                : "+r"(t), "=q"(of), "=a"(ah)
                : "r"(b)
                : "cc");
        return ((ah >> 8) & (EFL_SF | EFL_ZF | EFL_AF | EFL_PF | EFL_CF)) |
               (uint32_t)of << 11;
    }
#endif
    uint32_t f = cc_szp(r, sz);
    uint32_t borrows = (~a & b) | (~(a ^ b) & r);
    if (borrows & cc_sign[sz])
        f |= EFL_CF;
    if ((a ^ b) & (a ^ r) & cc_sign[sz])
        f |= EFL_OF;
    f |= (a ^ b ^ r) & EFL_AF;
    return f;
}

uint32_t cc_flags(const CPUState *cpu)
{
    unsigned op = cpu->cc_op;
    if (op == CC_OP_EFLAGS)
        return cpu->eflags & EFL_ARITH;
    unsigned sz = (op - 1) % 3, kind = op - sz;
    uint32_t r = cpu->cc_res, a = cpu->cc_op1, b = cpu->cc_op2;
    uint32_t f;
    switch (kind) {
    case CC_OP_ADD8:
        return cc_add_flags(r, a, b, sz);
    case CC_OP_SUB8:
        return cc_sub_flags(r, a, b, sz);
    case CC_OP_LOGIC8:
        return cc_szp(r, sz);
    case CC_OP_INC8:
        f = cc_add_flags(r, a, b, sz) & ~EFL_CF;
        return f | (cpu->eflags & EFL_CF);
    case CC_OP_DEC8:
        f = cc_sub_flags(r, a, b, sz) & ~EFL_CF;
        return f | (cpu->eflags & EFL_CF);
    case CC_OP_ADDN8:
        return cc_add_flags((a + b) & cc_mask[sz], a, b, sz);
    default: /* CC_OP_SUBN8 */
        return cc_sub_flags((a - b) & cc_mask[sz], a, b, sz);
    }
}

uint32_t cc_cf(const CPUState *cpu)
{
    unsigned op = cpu->cc_op;
    if (op == CC_OP_EFLAGS || (op >= CC_OP_INC8 && op < CC_OP_ADDN8))
        return cpu->eflags & EFL_CF;
    if (op >= CC_OP_LOGIC8 && op < CC_OP_INC8)
        return 0;
    return cc_flags(cpu) & EFL_CF;
}

bool cc_cond(const CPUState *cpu, unsigned cc)
{
    uint32_t f = cc_flags(cpu);
    bool r;
    switch ((cc >> 1) & 7) {
    case 0: r = f & EFL_OF; break;
    case 1: r = f & EFL_CF; break;
    case 2: r = f & EFL_ZF; break;
    case 3: r = f & (EFL_CF | EFL_ZF); break;
    case 4: r = f & EFL_SF; break;
    case 5: r = f & EFL_PF; break;
    case 6: r = !(f & EFL_SF) != !(f & EFL_OF); break;
    default:
        r = (f & EFL_ZF) || (!(f & EFL_SF) != !(f & EFL_OF));
        break;
    }
    return (cc & 1) ? !r : r;
}

void cc_materialize(CPUState *cpu)
{
    if (cpu->cc_op == CC_OP_EFLAGS)
        return;
    cpu->eflags = (cpu->eflags & ~EFL_ARITH) | cc_flags(cpu);
    cpu->cc_op = CC_OP_EFLAGS;
}

void cc_set_eager(CPUState *cpu, uint32_t val, uint32_t mask)
{
    /* Replacing all six flags needs no evaluation of the old ones. */
    if ((mask & EFL_ARITH) == EFL_ARITH)
        cpu->cc_op = CC_OP_EFLAGS;
    else
        cc_materialize(cpu);
    cpu->eflags = (cpu->eflags & ~mask) | (val & mask);
}

uint32_t cpu_get_eflags(CPUState *cpu)
{
    cc_materialize(cpu);
    return cpu->eflags | EFL_FIXED1;
}

void cpu_set_eflags(CPUState *cpu, uint32_t val, uint32_t mask)
{
    /* When every arithmetic flag is replaced (POPF, IRET), the lazy ones
     * need not be computed first: their stale bits are masked away. */
    uint32_t old;
    if ((mask & EFL_ARITH) == EFL_ARITH) {
        old = cpu->eflags | EFL_FIXED1;
        cpu->cc_op = CC_OP_EFLAGS;
    } else {
        old = cpu_get_eflags(cpu);
    }
    /* Bits 3, 5, 15 and 22-31 are reserved (read as 0). */
    uint32_t nv = ((old & ~mask) | (val & mask)) & 0x003F7FD5u;
    cpu->eflags = nv | EFL_FIXED1;
    if ((old ^ nv) & EFL_VM)
        cpu_update_mode(cpu);
}
