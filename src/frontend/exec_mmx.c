/*
 * exec_mmx.c — MMX instruction handlers of the P6 (SDM vol. 1 chapter 9,
 * vol. 2 instruction pages; opcode map 0F 60-7F, D1-FE).
 *
 * Every MMX instruction: #UD if CR0.EM, #NM if CR0.TS, then the pending
 * x87 exception check (#MF or FERR#, vol. 1 9.5.2 and 12.5). It reads its
 * memory source or probes its memory destination before changing any
 * state, then sets TOP = 0 and all tags valid (vol. 1 9.5.1); writing an
 * MMX register sets the exponent/sign field of the aliased x87 register to
 * all ones (fpu_mmx_set). EMMS marks all x87 registers empty. Lane
 * arithmetic is one table-free switch on MmxOp applied per element.
 */
#include "frontend/exec.h"
#include "frontend/exec_fpu.h"
#include "frontend/fpu_core.h"

typedef enum MmxOp {
    MMX_ADD, MMX_ADDS, MMX_ADDUS, MMX_SUB, MMX_SUBS, MMX_SUBUS,
    MMX_CMPEQ, MMX_CMPGT, MMX_MULL, MMX_MULH, MMX_AND, MMX_ANDN, MMX_OR,
    MMX_XOR,
} MmxOp;

/* Checks of SDM vol. 3 table 2-2 for MMX; false: frozen (FERR#). */
static bool mmx_begin(CPUState *cpu)
{
    if (cpu->cr0 & CR0_EM) {
        cpu_raise_ud(cpu);
    }
    if (cpu->cr0 & CR0_TS) {
        cpu_raise_noerr(cpu, EXC_NM);
    }
    return fpu_check_pending(cpu);
}

/* The Qq source: MM(rm) or 64 bits of memory; Qd reads only 32 bits. */
static uint64_t mmx_src(CPUState *cpu, const DecodedInsn *d, unsigned bytes)
{
    uint8_t m[8] = {0};
    uint64_t v;

    if (insn_is_reg(d)) {
        return fpu_mmx_get(&cpu->fpu, d->rm);
    }
    fpu_read_mem(cpu, d, m, bytes);
    memcpy(&v, m, 8);
    return v;
}

static int64_t mmx_sat(int64_t v, unsigned bits, bool is_signed)
{
    int64_t lo = is_signed ? -(INT64_C(1) << (bits - 1)) : 0;
    int64_t hi = is_signed ? (INT64_C(1) << (bits - 1)) - 1
                           : (INT64_C(1) << bits) - 1;
    return v < lo ? lo : v > hi ? hi : v;
}

static int64_t mmx_lane_s(uint64_t v, unsigned i, unsigned bits)
{
    uint64_t x = (v >> (i * bits)) & ((UINT64_C(1) << bits) - 1);
    return (int64_t)(x ^ (UINT64_C(1) << (bits - 1))) -
           (INT64_C(1) << (bits - 1));
}

static int64_t mmx_lane_u(uint64_t v, unsigned i, unsigned bits)
{
    return (int64_t)((v >> (i * bits)) & ((UINT64_C(1) << bits) - 1));
}

/* One element of a lane-wise operation (bits < 64). */
static int64_t mmx_elem(MmxOp op, uint64_t a, uint64_t b, unsigned i,
                        unsigned bits)
{
    int64_t sa = mmx_lane_s(a, i, bits), sb = mmx_lane_s(b, i, bits);
    int64_t ua = mmx_lane_u(a, i, bits), ub = mmx_lane_u(b, i, bits);

    switch (op) {
    case MMX_ADD: return ua + ub;
    case MMX_ADDS: return mmx_sat(sa + sb, bits, true);
    case MMX_ADDUS: return mmx_sat(ua + ub, bits, false);
    case MMX_SUB: return ua - ub;
    case MMX_SUBS: return mmx_sat(sa - sb, bits, true);
    case MMX_SUBUS: return mmx_sat(ua - ub, bits, false);
    case MMX_CMPEQ: return ua == ub ? -1 : 0;
    case MMX_CMPGT: return sa > sb ? -1 : 0;
    case MMX_MULL: return sa * sb;
    default: return (sa * sb) >> 16; /* MMX_MULH */
    }
}

static uint64_t mmx_compute(MmxOp op, uint64_t a, uint64_t b, unsigned bits)
{
    uint64_t r = 0, mask;

    switch (op) {
    case MMX_AND: return a & b;
    case MMX_ANDN: return ~a & b;
    case MMX_OR: return a | b;
    case MMX_XOR: return a ^ b;
    default: break;
    }
    mask = (UINT64_C(1) << bits) - 1;
    for (unsigned i = 0; i < 64 / bits; i++) {
        r |= ((uint64_t)mmx_elem(op, a, b, i, bits) & mask) << (i * bits);
    }
    return r;
}

/* MM(reg) = MM(reg) op Qq. */
static void mmx_binop(CPUState *cpu, const DecodedInsn *d, MmxOp op,
                      unsigned bits)
{
    FpuState *fs = &cpu->fpu;
    uint64_t src;

    if (!mmx_begin(cpu)) {
        return;
    }
    src = mmx_src(cpu, d, 8);
    fpu_mmx_enter(fs);
    fpu_mmx_set(fs, d->reg, mmx_compute(op, fpu_mmx_get(fs, d->reg), src,
                                        bits));
}

void exec_mmx_PADDB(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_ADD, 8); }
void exec_mmx_PADDW(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_ADD, 16); }
void exec_mmx_PADDD(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_ADD, 32); }
void exec_mmx_PADDSB(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_ADDS, 8); }
void exec_mmx_PADDSW(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_ADDS, 16); }
void exec_mmx_PADDUSB(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_ADDUS, 8); }
void exec_mmx_PADDUSW(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_ADDUS, 16); }
void exec_mmx_PSUBB(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_SUB, 8); }
void exec_mmx_PSUBW(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_SUB, 16); }
void exec_mmx_PSUBD(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_SUB, 32); }
void exec_mmx_PSUBSB(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_SUBS, 8); }
void exec_mmx_PSUBSW(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_SUBS, 16); }
void exec_mmx_PSUBUSB(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_SUBUS, 8); }
void exec_mmx_PSUBUSW(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_SUBUS, 16); }
void exec_mmx_PCMPEQB(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_CMPEQ, 8); }
void exec_mmx_PCMPEQW(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_CMPEQ, 16); }
void exec_mmx_PCMPEQD(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_CMPEQ, 32); }
void exec_mmx_PCMPGTB(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_CMPGT, 8); }
void exec_mmx_PCMPGTW(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_CMPGT, 16); }
void exec_mmx_PCMPGTD(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_CMPGT, 32); }
void exec_mmx_PMULLW(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_MULL, 16); }
void exec_mmx_PMULHW(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_MULH, 16); }
void exec_mmx_PAND(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_AND, 64); }
void exec_mmx_PANDN(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_ANDN, 64); }
void exec_mmx_POR(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_OR, 64); }
void exec_mmx_PXOR(CPUState *c, const DecodedInsn *d) { mmx_binop(c, d, MMX_XOR, 64); }

/* PMADDWD: each dword = a.w0 * b.w0 + a.w1 * b.w1 (wraps at 0x80000000). */
static uint64_t mmx_pmaddwd(uint64_t a, uint64_t b)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < 2; i++) {
        int64_t s = mmx_lane_s(a, 2 * i, 16) * mmx_lane_s(b, 2 * i, 16) +
                    mmx_lane_s(a, 2 * i + 1, 16) *
                        mmx_lane_s(b, 2 * i + 1, 16);
        r |= ((uint64_t)s & 0xFFFFFFFFu) << (32 * i);
    }
    return r;
}

void exec_mmx_PMADDWD(CPUState *cpu, const DecodedInsn *d)
{
    FpuState *fs = &cpu->fpu;
    uint64_t src;

    if (!mmx_begin(cpu)) {
        return;
    }
    src = mmx_src(cpu, d, 8);
    fpu_mmx_enter(fs);
    fpu_mmx_set(fs, d->reg, mmx_pmaddwd(fpu_mmx_get(fs, d->reg), src));
}

/* Pack: the elements of a then b, saturated to half width. */
static uint64_t mmx_pack(uint64_t a, uint64_t b, unsigned bits,
                         bool to_signed)
{
    unsigned n = 64 / bits, half = bits / 2;
    uint64_t r = 0, mask = (UINT64_C(1) << half) - 1;
    for (unsigned i = 0; i < 2 * n; i++) {
        int64_t v = mmx_lane_s(i < n ? a : b, i % n, bits);
        r |= ((uint64_t)mmx_sat(v, half, to_signed) & mask) << (i * half);
    }
    return r;
}

/* Unpack/interleave the low (hi = false) or high halves of a and b. */
static uint64_t mmx_unpack(uint64_t a, uint64_t b, unsigned bits, bool hi)
{
    unsigned n = 32 / bits, base = hi ? n : 0;
    uint64_t r = 0;
    for (unsigned i = 0; i < n; i++) {
        r |= (uint64_t)mmx_lane_u(a, base + i, bits) << (2 * i * bits);
        r |= (uint64_t)mmx_lane_u(b, base + i, bits) << ((2 * i + 1) * bits);
    }
    return r;
}

typedef enum MmxShuf { MMX_PACKSS, MMX_PACKUS, MMX_UNPCKL, MMX_UNPCKH } MmxShuf;

static void mmx_shuffle(CPUState *cpu, const DecodedInsn *d, MmxShuf kind,
                        unsigned bits)
{
    FpuState *fs = &cpu->fpu;
    uint64_t a, b, r;

    if (!mmx_begin(cpu)) {
        return;
    }
    b = mmx_src(cpu, d, kind == MMX_UNPCKL ? 4 : 8);
    fpu_mmx_enter(fs);
    a = fpu_mmx_get(fs, d->reg);
    if (kind == MMX_PACKSS || kind == MMX_PACKUS) {
        r = mmx_pack(a, b, bits, kind == MMX_PACKSS);
    } else {
        r = mmx_unpack(a, b, bits, kind == MMX_UNPCKH);
    }
    fpu_mmx_set(fs, d->reg, r);
}

void exec_mmx_PACKSSWB(CPUState *c, const DecodedInsn *d) { mmx_shuffle(c, d, MMX_PACKSS, 16); }
void exec_mmx_PACKSSDW(CPUState *c, const DecodedInsn *d) { mmx_shuffle(c, d, MMX_PACKSS, 32); }
void exec_mmx_PACKUSWB(CPUState *c, const DecodedInsn *d) { mmx_shuffle(c, d, MMX_PACKUS, 16); }
void exec_mmx_PUNPCKLBW(CPUState *c, const DecodedInsn *d) { mmx_shuffle(c, d, MMX_UNPCKL, 8); }
void exec_mmx_PUNPCKLWD(CPUState *c, const DecodedInsn *d) { mmx_shuffle(c, d, MMX_UNPCKL, 16); }
void exec_mmx_PUNPCKLDQ(CPUState *c, const DecodedInsn *d) { mmx_shuffle(c, d, MMX_UNPCKL, 32); }
void exec_mmx_PUNPCKHBW(CPUState *c, const DecodedInsn *d) { mmx_shuffle(c, d, MMX_UNPCKH, 8); }
void exec_mmx_PUNPCKHWD(CPUState *c, const DecodedInsn *d) { mmx_shuffle(c, d, MMX_UNPCKH, 16); }
void exec_mmx_PUNPCKHDQ(CPUState *c, const DecodedInsn *d) { mmx_shuffle(c, d, MMX_UNPCKH, 32); }

typedef enum MmxShift { MMX_SLL, MMX_SRL, MMX_SRA } MmxShift;

/* Shift every element by count (counts above the width give 0, or the
 * sign for arithmetic shifts). */
static uint64_t mmx_shift(uint64_t a, uint64_t count, unsigned bits,
                          MmxShift kind)
{
    uint64_t r = 0, mask = bits == 64 ? ~UINT64_C(0)
                                      : (UINT64_C(1) << bits) - 1;
    if (count >= bits) {
        if (kind != MMX_SRA) {
            return 0;
        }
        count = bits - 1;
    }
    for (unsigned i = 0; i < 64 / bits; i++) {
        uint64_t e = (a >> (i * bits)) & mask, v;
        if (kind == MMX_SLL) {
            v = e << count;
        } else if (kind == MMX_SRL) {
            v = e >> count;
        } else {
            v = (uint64_t)(mmx_lane_s(a, i, bits) >> count);
        }
        r |= (v & mask) << (i * bits);
    }
    return r;
}

/* Shift forms: by Qq (0F D1-F3) into MM(reg), or by Ib (0F 71-73) of
 * MM(rm). */
static void mmx_shift_op(CPUState *cpu, const DecodedInsn *d, unsigned bits,
                         MmxShift kind, bool imm)
{
    FpuState *fs = &cpu->fpu;
    uint64_t count;
    unsigned r = imm ? d->rm : d->reg;

    if (!mmx_begin(cpu)) {
        return;
    }
    count = imm ? (d->imm & 0xFF) : mmx_src(cpu, d, 8);
    fpu_mmx_enter(fs);
    fpu_mmx_set(fs, r, mmx_shift(fpu_mmx_get(fs, r), count, bits, kind));
}

void exec_mmx_PSLLW(CPUState *c, const DecodedInsn *d) { mmx_shift_op(c, d, 16, MMX_SLL, false); }
void exec_mmx_PSLLD(CPUState *c, const DecodedInsn *d) { mmx_shift_op(c, d, 32, MMX_SLL, false); }
void exec_mmx_PSLLQ(CPUState *c, const DecodedInsn *d) { mmx_shift_op(c, d, 64, MMX_SLL, false); }
void exec_mmx_PSRLW(CPUState *c, const DecodedInsn *d) { mmx_shift_op(c, d, 16, MMX_SRL, false); }
void exec_mmx_PSRLD(CPUState *c, const DecodedInsn *d) { mmx_shift_op(c, d, 32, MMX_SRL, false); }
void exec_mmx_PSRLQ(CPUState *c, const DecodedInsn *d) { mmx_shift_op(c, d, 64, MMX_SRL, false); }
void exec_mmx_PSRAW(CPUState *c, const DecodedInsn *d) { mmx_shift_op(c, d, 16, MMX_SRA, false); }
void exec_mmx_PSRAD(CPUState *c, const DecodedInsn *d) { mmx_shift_op(c, d, 32, MMX_SRA, false); }
void exec_mmx_PSLLW_Ib(CPUState *c, const DecodedInsn *d) { mmx_shift_op(c, d, 16, MMX_SLL, true); }
void exec_mmx_PSLLD_Ib(CPUState *c, const DecodedInsn *d) { mmx_shift_op(c, d, 32, MMX_SLL, true); }
void exec_mmx_PSLLQ_Ib(CPUState *c, const DecodedInsn *d) { mmx_shift_op(c, d, 64, MMX_SLL, true); }
void exec_mmx_PSRLW_Ib(CPUState *c, const DecodedInsn *d) { mmx_shift_op(c, d, 16, MMX_SRL, true); }
void exec_mmx_PSRLD_Ib(CPUState *c, const DecodedInsn *d) { mmx_shift_op(c, d, 32, MMX_SRL, true); }
void exec_mmx_PSRLQ_Ib(CPUState *c, const DecodedInsn *d) { mmx_shift_op(c, d, 64, MMX_SRL, true); }
void exec_mmx_PSRAW_Ib(CPUState *c, const DecodedInsn *d) { mmx_shift_op(c, d, 16, MMX_SRA, true); }
void exec_mmx_PSRAD_Ib(CPUState *c, const DecodedInsn *d) { mmx_shift_op(c, d, 32, MMX_SRA, true); }

/* MOVD mm, r/m32: zero-extends into the 64-bit register. */
void exec_mmx_MOVD_Pq_Ed(CPUState *cpu, const DecodedInsn *d)
{
    uint32_t v;

    if (!mmx_begin(cpu)) {
        return;
    }
    v = insn_is_reg(d) ? cpu->regs[d->rm] : (uint32_t)mmx_src(cpu, d, 4);
    fpu_mmx_enter(&cpu->fpu);
    fpu_mmx_set(&cpu->fpu, d->reg, v);
}

void exec_mmx_MOVD_Ed_Pq(CPUState *cpu, const DecodedInsn *d)
{
    uint32_t v;
    uint8_t m[4];

    if (!mmx_begin(cpu)) {
        return;
    }
    v = (uint32_t)fpu_mmx_get(&cpu->fpu, d->reg);
    if (insn_is_reg(d)) {
        cpu->regs[d->rm] = v;
    } else {
        memcpy(m, &v, 4);
        fpu_write_mem(cpu, d, m, 4);
    }
    fpu_mmx_enter(&cpu->fpu);
}

void exec_mmx_MOVQ_Pq_Qq(CPUState *cpu, const DecodedInsn *d)
{
    uint64_t v;

    if (!mmx_begin(cpu)) {
        return;
    }
    v = mmx_src(cpu, d, 8);
    fpu_mmx_enter(&cpu->fpu);
    fpu_mmx_set(&cpu->fpu, d->reg, v);
}

void exec_mmx_MOVQ_Qq_Pq(CPUState *cpu, const DecodedInsn *d)
{
    uint64_t v;
    uint8_t m[8];

    if (!mmx_begin(cpu)) {
        return;
    }
    v = fpu_mmx_get(&cpu->fpu, d->reg);
    if (insn_is_reg(d)) {
        fpu_mmx_set(&cpu->fpu, d->rm, v);
    } else {
        memcpy(m, &v, 8);
        fpu_write_mem(cpu, d, m, 8);
    }
    fpu_mmx_enter(&cpu->fpu);
}

void exec_mmx_EMMS(CPUState *cpu, const DecodedInsn *d)
{
    (void)d;
    if (!mmx_begin(cpu)) {
        return;
    }
    fpu_emms(&cpu->fpu);
}
