/*
 * exec_shift.c — ROL ROR RCL RCR SHL/SAL SHR SAR (group 2) and SHLD/SHRD
 * (SDM vol. 2 "RCL/RCR/ROL/ROR", "SAL/SAR/SHL/SHR", "SHLD", "SHRD").
 *
 * The count is masked to 5 bits; a masked count of 0 changes nothing (not
 * even flags). Rotates modify only CF and OF. Flags are computed eagerly.
 * Where the SDM leaves results undefined (SHLD/SHRD of 16-bit operands with
 * counts above 16) we compute the 32-bit-style double shift of
 * dest:src:dest, like the P6.
 */
#include "frontend/exec.h"

enum { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL, SH_SAR };

static void sh_flags(CPUState *cpu, uint32_t r, unsigned size, uint32_t cf,
                     uint32_t of)
{
    uint32_t f = (cf ? EFL_CF : 0) | (of ? EFL_OF : 0);
    r &= size_mask(size);
    if (r == 0)
        f |= EFL_ZF;
    if (r & (1u << (size * 8 - 1)))
        f |= EFL_SF;
    if (cc_parity(r))
        f |= EFL_PF;
    cc_set_eager(cpu, f, EFL_ARITH);
}

static void rot_flags(CPUState *cpu, uint32_t cf, uint32_t of)
{
    cc_set_eager(cpu, (cf ? EFL_CF : 0) | (of ? EFL_OF : 0),
                 EFL_CF | EFL_OF);
}

static uint32_t sh_rotate(CPUState *cpu, unsigned op, uint32_t a,
                          unsigned cnt, unsigned size)
{
    unsigned bits = size * 8, c;
    uint32_t m = size_mask(size), msb = 1u << (bits - 1), r;
    uint64_t v, vm = (2ull << bits) - 1;
    uint32_t cf_in = cc_cf(cpu);
    switch (op) {
    case SH_ROL:
        c = cnt % bits;
        r = c ? ((a << c) | (a >> (bits - c))) & m : a;
        rot_flags(cpu, r & 1, !!(r & msb) ^ (r & 1));
        return r;
    case SH_ROR:
        c = cnt % bits;
        r = c ? ((a >> c) | (a << (bits - c))) & m : a;
        rot_flags(cpu, !!(r & msb), ((r >> (bits - 1)) ^ (r >> (bits - 2))) & 1);
        return r;
    case SH_RCL:
        c = cnt % (bits + 1);
        if (!c)
            return a;
        v = ((uint64_t)cf_in << bits) | a;
        v = ((v << c) | (v >> (bits + 1 - c))) & vm;
        r = (uint32_t)v & m;
        rot_flags(cpu, (v >> bits) & 1, !!(r & msb) ^ ((v >> bits) & 1));
        return r;
    default: /* SH_RCR */
        c = cnt % (bits + 1);
        if (!c)
            return a;
        v = ((uint64_t)cf_in << bits) | a;
        v = ((v >> c) | (v << (bits + 1 - c))) & vm;
        r = (uint32_t)v & m;
        rot_flags(cpu, (v >> bits) & 1, !!(a & msb) ^ cf_in);
        return r;
    }
}

/* Shift/rotate a (already masked to size) by count; sets flags. */
static uint32_t sh_do(CPUState *cpu, unsigned op, uint32_t a, unsigned cnt,
                      unsigned size)
{
    unsigned bits = size * 8;
    uint32_t m = size_mask(size), msb = 1u << (bits - 1), r, cf;
    cnt &= 0x1F;
    if (cnt == 0)
        return a;
    if (op < SH_SHL)
        return sh_rotate(cpu, op, a, cnt, size);
    if (op == SH_SHL || op == SH_SAL) {
        r = (a << cnt) & m;
        cf = cnt <= bits ? (a >> (bits - cnt)) & 1 : 0;
        sh_flags(cpu, r, size, cf, !!(r & msb) ^ cf);
    } else if (op == SH_SHR) {
        r = a >> cnt;
        cf = (a >> (cnt - 1)) & 1;
        sh_flags(cpu, r, size, cf, a & msb);
    } else {
        int32_t s = (int32_t)sext(a, size);
        r = (uint32_t)(s >> cnt) & m;
        cf = (uint32_t)(s >> (cnt - 1)) & 1;
        sh_flags(cpu, r, size, cf, 0);
    }
    return r;
}

static void shift_e(CPUState *cpu, const DecodedInsn *d, unsigned cnt,
                    unsigned size)
{
    uint32_t lin;
    uint32_t a = op_rmw_begin(cpu, d, size, &lin);
    if ((cnt & 0x1F) == 0)
        return;
    op_rmw_end(cpu, d, size, lin, sh_do(cpu, d->reg, a, cnt, size));
}

void exec_SHIFT_Eb_1(CPUState *cpu, const DecodedInsn *d)
{
    shift_e(cpu, d, 1, 1);
}

void exec_SHIFT_Ev_1(CPUState *cpu, const DecodedInsn *d)
{
    shift_e(cpu, d, 1, insn_osize(d));
}

void exec_SHIFT_Eb_CL(CPUState *cpu, const DecodedInsn *d)
{
    shift_e(cpu, d, cpu->regs[R_ECX] & 0xFF, 1);
}

void exec_SHIFT_Ev_CL(CPUState *cpu, const DecodedInsn *d)
{
    shift_e(cpu, d, cpu->regs[R_ECX] & 0xFF, insn_osize(d));
}

void exec_SHIFT_Eb_Ib(CPUState *cpu, const DecodedInsn *d)
{
    shift_e(cpu, d, d->imm, 1);
}

void exec_SHIFT_Ev_Ib(CPUState *cpu, const DecodedInsn *d)
{
    shift_e(cpu, d, d->imm, insn_osize(d));
}

/* Double-precision shift. left: SHLD. */
static void shxd(CPUState *cpu, const DecodedInsn *d, bool left)
{
    unsigned size = insn_osize(d), bits = size * 8;
    unsigned cnt = (d->opcode & 1 ? cpu->regs[R_ECX] : d->imm) & 0x1F;
    uint32_t lin;
    uint32_t a = op_rmw_begin(cpu, d, size, &lin);
    uint32_t b = reg_get(cpu, d->reg, size);
    if (cnt == 0)
        return;
    uint32_t m = size_mask(size), msb = 1u << (bits - 1), r, cf;
    uint64_t v;
    if (left) {
        /* dest:src (16-bit: dest:src:dest) shifted left; result on top */
        v = size == 4 ? ((uint64_t)a << 32) | b
                      : ((uint64_t)a << 32) | ((uint64_t)b << 16) | a;
        r = (uint32_t)((v << cnt) >> 32) & m;
        cf = (uint32_t)((v << (cnt - 1)) >> (size == 4 ? 63 : 47)) & 1;
    } else {
        /* src:dest (16-bit: dest:src:dest) shifted right; result below */
        v = size == 4 ? ((uint64_t)b << 32) | a
                      : ((uint64_t)a << 32) | ((uint64_t)b << 16) | a;
        r = (uint32_t)(v >> cnt) & m;
        cf = (uint32_t)(v >> (cnt - 1)) & 1;
    }
    sh_flags(cpu, r, size, cf, (r ^ a) & msb);
    op_rmw_end(cpu, d, size, lin, r);
}

void exec_SHLD_Ev_Gv(CPUState *cpu, const DecodedInsn *d)
{
    shxd(cpu, d, true);
}

void exec_SHRD_Ev_Gv(CPUState *cpu, const DecodedInsn *d)
{
    shxd(cpu, d, false);
}
