/*
 * x64_asm.c — the host x86-64 encoder (see x64_asm.h).
 *
 * Every instruction is built from an opcode constant that carries its
 * prefix bits (X64_P_*) plus one of two ModRM emitters, so each encoding
 * rule lives in exactly one place. SDM vol. 2 section 2.1 (legacy
 * prefixes, REX in section 2.2.1) and tables 2-2/2-3 (ModRM/SIB).
 */
#include "translator/x64_asm.h"

#include <assert.h>
#include <string.h>

/* Prefix bits carried in an opcode constant above the opcode byte. */
enum {
    X64_P_EXT = 0x100,     /* 0x0F escape */
    X64_P_DATA16 = 0x200,  /* 0x66 operand-size prefix */
    X64_P_REXW = 0x400,    /* REX.W: 64-bit operand */
    X64_P_REXB_R = 0x800,  /* ModRM.reg is a byte register */
    X64_P_REXB_RM = 0x1000, /* ModRM.rm is a byte register */
};

enum {
    OPC_ARITH_EvIz = 0x81,
    OPC_ARITH_EvIb = 0x83,
    OPC_ARITH_EbIb = 0x80,
    OPC_MOVB_EvGv = 0x88,
    OPC_MOVL_EvGv = 0x89,
    OPC_MOVB_GvEv = 0x8A,
    OPC_MOVL_GvEv = 0x8B,
    OPC_LEA = 0x8D,
    OPC_MOVB_EvIz = 0xC6,
    OPC_MOVL_EvIz = 0xC7,
    OPC_MOVL_Iv = 0xB8,
    OPC_MOVB_Ib = 0xB0,
    OPC_TESTB = 0x84,
    OPC_TESTL = 0x85,
    OPC_XCHG = 0x87,
    OPC_SHIFT_1 = 0xD1,
    OPC_SHIFT_Ib = 0xC1,
    OPC_SHIFT_cl = 0xD3,
    OPC_GRP3_Ev = 0xF7,
    OPC_GRP3_Eb = 0xF6,
    OPC_GRP5 = 0xFF,
    OPC_GRP4 = 0xFE,
    OPC_IMUL_GvEv = 0xAF | X64_P_EXT,
    OPC_IMUL_GvEvIz = 0x69,
    OPC_IMUL_GvEvIb = 0x6B,
    OPC_MOVZBL = 0xB6 | X64_P_EXT,
    OPC_MOVZWL = 0xB7 | X64_P_EXT,
    OPC_MOVSBL = 0xBE | X64_P_EXT,
    OPC_MOVSWL = 0xBF | X64_P_EXT,
    OPC_MOVSLQ = 0x63 | X64_P_REXW,
    OPC_CMOVCC = 0x40 | X64_P_EXT,
    OPC_SETCC = 0x90 | X64_P_EXT,
    OPC_JCC_long = 0x80 | X64_P_EXT,
    OPC_JCC_short = 0x70,
    OPC_JMP_long = 0xE9,
    OPC_JMP_short = 0xEB,
    OPC_CALL_Jz = 0xE8,
    OPC_BSWAP = 0xC8 | X64_P_EXT,
    OPC_PUSH_r = 0x50,
    OPC_POP_r = 0x58,
};

/* /digit values of group 5 (0xFF). */
enum { EXT5_CALLN_Ev = 2, EXT5_JMPN_Ev = 4 };

void x64_init(X64Asm *a, uint8_t *buf, size_t cap, intptr_t exec_delta)
{
    a->buf = buf;
    a->cap = cap;
    a->len = 0;
    a->exec_delta = exec_delta;
    a->overflow = false;
}

uintptr_t x64_pc(const X64Asm *a)
{
    return (uintptr_t)(a->buf + a->len) + (uintptr_t)a->exec_delta;
}

/* Append the low n (<= 8) bytes of v, little-endian. With 8 bytes of room
 * (almost always) one fixed-size store writes all of them, plus garbage
 * past the new end that the next bytes overwrite (nothing after `len` in
 * the buffer is in use); otherwise byte by byte, or overflow. */
static inline void emit_le(X64Asm *a, uint64_t v, size_t n)
{
    if (__builtin_expect(a->cap - a->len >= 8, 1)) {
        memcpy(a->buf + a->len, &v, 8);
        a->len += n;
        return;
    }
    if (a->cap - a->len < n) {
        a->len = a->cap;
        a->overflow = true;
        return;
    }
    for (size_t i = 0; i < n; i++)
        a->buf[a->len++] = (uint8_t)(v >> (8 * i));
}

void x64_emit8(X64Asm *a, uint8_t b)
{
    emit_le(a, b, 1);
}

static void emit16(X64Asm *a, uint16_t v)
{
    emit_le(a, v, 2);
}

void x64_emit32(X64Asm *a, uint32_t v)
{
    emit_le(a, v, 4);
}

void x64_emit64(X64Asm *a, uint64_t v)
{
    emit_le(a, v, 8);
}

/* Size-dependent prefix bits for a full-size opcode. Byte forms use a
 * different opcode and are chosen by the caller. */
static unsigned size_bits(unsigned sz)
{
    assert(sz == 1 || sz == 2 || sz == 4 || sz == 8);
    return sz == 2 ? X64_P_DATA16 : sz == 8 ? X64_P_REXW : 0;
}

/* Prefixes, REX and opcode bytes. r/rm/x are the registers that end up in
 * ModRM.reg, ModRM.rm (or SIB.base / opcode low bits) and SIB.index; any
 * may be X64_NOREG. A REX prefix is forced when a byte register operand
 * is SPL/BPL/SIL/DIL, which without REX would mean AH/CH/DH/BH. */
static inline uint64_t opc_bytes(unsigned opc, int r, int rm, int x,
                                 size_t *len)
{
    uint64_t v = 0;
    unsigned n = 0;
    unsigned rex = (opc & X64_P_REXW) ? 0x08 : 0;
    rex |= (r >= 8 ? 0x04 : 0) | (x >= 8 ? 0x02 : 0) | (rm >= 8 ? 0x01 : 0);
    if (((opc & X64_P_REXB_R) && r >= 4 && r < 8) ||
        ((opc & X64_P_REXB_RM) && rm >= 4 && rm < 8))
        rex |= 0x40;
    if (opc & X64_P_DATA16)
        v = 0x66, n = 1;
    if (rex)
        v |= (uint64_t)(0x40 | rex) << (8 * n++);
    if (opc & X64_P_EXT)
        v |= (uint64_t)0x0F << (8 * n++);
    v |= (uint64_t)(uint8_t)opc << (8 * n++);
    *len = n;
    return v;
}

static void emit_opc(X64Asm *a, unsigned opc, int r, int rm, int x)
{
    size_t n;
    uint64_t v = opc_bytes(opc, r, rm, x, &n);
    emit_le(a, v, n);
}

/* Register-direct form: ModRM.mod = 11. */
static void emit_modrm_r(X64Asm *a, unsigned opc, int r, int rm)
{
    size_t n;
    uint64_t v = opc_bytes(opc, r, rm, X64_NOREG, &n);
    v |= (uint64_t)(0xC0 | (r & 7) << 3 | (rm & 7)) << (8 * n);
    emit_le(a, v, n + 1);
}

/* Register-direct form followed by an isz-byte immediate (0, 1, 2, 4),
 * in one store when the whole instruction fits 8 bytes. */
static void emit_modrm_r_imm(X64Asm *a, unsigned opc, int r, int rm,
                             uint32_t imm, unsigned isz)
{
    size_t n;
    uint64_t v = opc_bytes(opc, r, rm, X64_NOREG, &n);
    v |= (uint64_t)(0xC0 | (r & 7) << 3 | (rm & 7)) << (8 * n++);
    uint64_t iv = isz == 4 ? imm : imm & ((1u << (8 * isz)) - 1);
    if (n + isz <= 8) {
        emit_le(a, v | iv << (8 * n), n + isz);
        return;
    }
    emit_le(a, v, n);
    emit_le(a, iv, isz);
}

static bool fits_s8(int64_t v)
{
    return v == (int8_t)v;
}

static unsigned scale_bits(unsigned scale)
{
    assert(scale == 1 || scale == 2 || scale == 4 || scale == 8);
    return scale == 1 ? 0 : scale == 2 ? 1 : scale == 4 ? 2 : 3;
}

/* Memory form. Pitfalls (SDM vol. 2 tables 2-2, 2-3):
 *  - rm=100 (RSP/R12 as base) means "SIB follows", so they always need SIB;
 *  - mod=00 with rm=101 (RBP/R13 as base) means RIP-relative, and SIB base
 *    101 with mod=00 means "no base, disp32": such bases need a disp8 of 0;
 *  - SIB index 100 without REX.X means "no index", so RSP is no index. */
static void emit_modrm_m(X64Asm *a, unsigned opc, int r, X64Mem m)
{
    size_t n;
    uint64_t v = opc_bytes(opc, r, m.base, m.index, &n); /* n <= 4 */
    unsigned reg = (unsigned)(r & 7) << 3;
    if (m.base == X64_NOREG) {
        unsigned idx = m.index == X64_NOREG ? 4 : (unsigned)(m.index & 7);
        unsigned ss = m.index == X64_NOREG ? 0 : scale_bits(m.scale);
        assert(m.index != X64_RSP);
        v |= (uint64_t)(0x04 | reg) << (8 * n++);
        v |= (uint64_t)(ss << 6 | idx << 3 | 5) << (8 * n++);
        emit_le(a, v, n);
        x64_emit32(a, (uint32_t)m.disp);
        return;
    }
    unsigned mod = (m.disp == 0 && (m.base & 7) != 5) ? 0
                   : fits_s8(m.disp)                   ? 1
                                                       : 2;
    if (m.index == X64_NOREG && (m.base & 7) != 4) {
        v |= (uint64_t)(mod << 6 | reg | (m.base & 7)) << (8 * n++);
    } else {
        unsigned idx = m.index == X64_NOREG ? 4 : (unsigned)(m.index & 7);
        unsigned ss = m.index == X64_NOREG ? 0 : scale_bits(m.scale);
        assert(m.index != X64_RSP);
        v |= (uint64_t)(mod << 6 | reg | 4) << (8 * n++);
        v |= (uint64_t)(ss << 6 | idx << 3 | (m.base & 7)) << (8 * n++);
    }
    if (mod == 1)
        v |= (uint64_t)(uint8_t)m.disp << (8 * n++); /* n <= 7 */
    emit_le(a, v, n);
    if (mod == 2)
        x64_emit32(a, (uint32_t)m.disp);
}

/* Byte or full-size variant of a two-form opcode (byte form = opc - 1
 * for the classic 8x/Fx pairs), with the right prefixes. */
static unsigned sized(unsigned full, unsigned byte_form, unsigned sz,
                      unsigned byte_bits)
{
    return sz == 1 ? byte_form | byte_bits : full | size_bits(sz);
}

static void emit_imm(X64Asm *a, unsigned sz, int32_t imm)
{
    if (sz == 1)
        x64_emit8(a, (uint8_t)imm);
    else if (sz == 2)
        emit16(a, (uint16_t)imm);
    else
        x64_emit32(a, (uint32_t)imm);
}

void x64_emit_mov_rr(X64Asm *a, unsigned sz, int dst, int src)
{
    emit_modrm_r(a,
                 sized(OPC_MOVL_EvGv, OPC_MOVB_EvGv, sz,
                       X64_P_REXB_R | X64_P_REXB_RM),
                 src, dst);
}

void x64_emit_mov_ri(X64Asm *a, unsigned sz, int dst, uint64_t imm)
{
    if (sz == 8 && imm == (uint32_t)imm) {
        sz = 4; /* a 32-bit mov zero-extends into the full register */
    } else if (sz == 8 && (int64_t)imm == (int32_t)imm) {
        emit_modrm_r_imm(a, OPC_MOVL_EvIz | X64_P_REXW, 0, dst,
                         (uint32_t)imm, 4);
        return;
    }
    if (sz == 1) {
        emit_opc(a, (OPC_MOVB_Ib + (dst & 7)) | X64_P_REXB_RM, 0, dst,
                 X64_NOREG);
        x64_emit8(a, (uint8_t)imm);
        return;
    }
    size_t n;
    uint64_t v = opc_bytes((OPC_MOVL_Iv + (dst & 7)) | size_bits(sz), 0, dst,
                           X64_NOREG, &n); /* n <= 2 */
    if (sz == 8) {
        emit_le(a, v, n);
        x64_emit64(a, imm);
    } else if (sz == 4) {
        emit_le(a, v | (uint64_t)(uint32_t)imm << (8 * n), n + 4);
    } else {
        emit_le(a, v, n);
        emit16(a, (uint16_t)imm);
    }
}

size_t x64_emit_movabs_site(X64Asm *a, int dst, uint64_t imm)
{
    size_t n;
    uint64_t v = opc_bytes((OPC_MOVL_Iv + (dst & 7)) | X64_P_REXW, 0, dst,
                           X64_NOREG, &n);
    emit_le(a, v, n);
    size_t site = a->len;
    x64_emit64(a, imm);
    return site;
}

void x64_emit_load(X64Asm *a, unsigned sz, int dst, X64Mem m)
{
    emit_modrm_m(a, sized(OPC_MOVL_GvEv, OPC_MOVB_GvEv, sz, X64_P_REXB_R),
                 dst, m);
}

void x64_emit_store(X64Asm *a, unsigned sz, X64Mem m, int src)
{
    emit_modrm_m(a, sized(OPC_MOVL_EvGv, OPC_MOVB_EvGv, sz, X64_P_REXB_R),
                 src, m);
}

void x64_emit_store_imm(X64Asm *a, unsigned sz, X64Mem m, int32_t imm)
{
    emit_modrm_m(a, sized(OPC_MOVL_EvIz, OPC_MOVB_EvIz, sz, 0), 0, m);
    emit_imm(a, sz == 8 ? 4 : sz, imm);
}

void x64_emit_lea(X64Asm *a, unsigned sz, int dst, X64Mem m)
{
    emit_modrm_m(a, OPC_LEA | size_bits(sz), dst, m);
}

static unsigned ext_opc(unsigned dsz, unsigned ssz, bool sign)
{
    if (ssz == 4) {
        assert(sign && dsz == 8);
        return OPC_MOVSLQ;
    }
    unsigned opc = ssz == 1 ? (sign ? OPC_MOVSBL : OPC_MOVZBL)
                            : (sign ? OPC_MOVSWL : OPC_MOVZWL);
    return opc | size_bits(dsz) | (ssz == 1 ? X64_P_REXB_RM : 0);
}

void x64_emit_movzx_rr(X64Asm *a, unsigned dsz, unsigned ssz, int dst,
                       int src)
{
    emit_modrm_r(a, ext_opc(dsz, ssz, false), dst, src);
}

void x64_emit_movsx_rr(X64Asm *a, unsigned dsz, unsigned ssz, int dst,
                       int src)
{
    emit_modrm_r(a, ext_opc(dsz, ssz, true), dst, src);
}

void x64_emit_movzx_load(X64Asm *a, unsigned dsz, unsigned ssz, int dst,
                         X64Mem m)
{
    emit_modrm_m(a, ext_opc(dsz, ssz, false) & ~(unsigned)X64_P_REXB_RM, dst,
                 m);
}

void x64_emit_movsx_load(X64Asm *a, unsigned dsz, unsigned ssz, int dst,
                         X64Mem m)
{
    emit_modrm_m(a, ext_opc(dsz, ssz, true) & ~(unsigned)X64_P_REXB_RM, dst,
                 m);
}

void x64_emit_cmov(X64Asm *a, X64Cond cc, unsigned sz, int dst, int src)
{
    assert(sz != 1);
    emit_modrm_r(a, (OPC_CMOVCC + cc) | size_bits(sz), dst, src);
}

void x64_emit_xchg_rr(X64Asm *a, unsigned sz, int r1, int r2)
{
    emit_modrm_r(a,
                 sized(OPC_XCHG, OPC_XCHG - 1, sz,
                       X64_P_REXB_R | X64_P_REXB_RM),
                 r1, r2);
}

void x64_emit_bswap(X64Asm *a, unsigned sz, int reg)
{
    assert(sz == 4 || sz == 8);
    emit_opc(a, (OPC_BSWAP + (reg & 7)) | size_bits(sz), 0, reg, X64_NOREG);
}

void x64_emit_push(X64Asm *a, int reg)
{
    emit_opc(a, OPC_PUSH_r + (reg & 7), 0, reg, X64_NOREG);
}

void x64_emit_pop(X64Asm *a, int reg)
{
    emit_opc(a, OPC_POP_r + (reg & 7), 0, reg, X64_NOREG);
}

void x64_emit_alu_rr(X64Asm *a, X64Alu op, unsigned sz, int dst, int src)
{
    unsigned full = (unsigned)op << 3 | 1;
    emit_modrm_r(a,
                 sized(full, full - 1, sz, X64_P_REXB_R | X64_P_REXB_RM),
                 src, dst);
}

/* Group-1 immediate opcode: 0x80 ib for bytes, 0x83 ib when the value
 * fits a sign-extended byte, else 0x81 iz. */
static unsigned alu_imm_opc(unsigned sz, int32_t imm, unsigned byte_bits)
{
    if (sz == 1)
        return OPC_ARITH_EbIb | byte_bits;
    return (fits_s8(imm) ? OPC_ARITH_EvIb : OPC_ARITH_EvIz) | size_bits(sz);
}

static void emit_alu_imm_tail(X64Asm *a, unsigned sz, int32_t imm)
{
    if (sz == 1 || fits_s8(imm))
        x64_emit8(a, (uint8_t)imm);
    else
        emit_imm(a, sz == 8 ? 4 : sz, imm);
}

void x64_emit_alu_ri(X64Asm *a, X64Alu op, unsigned sz, int dst, int32_t imm)
{
    unsigned isz = (sz == 1 || fits_s8(imm)) ? 1 : sz == 2 ? 2 : 4;
    emit_modrm_r_imm(a, alu_imm_opc(sz, imm, X64_P_REXB_RM), op, dst,
                     (uint32_t)imm, isz);
}

void x64_emit_alu_rm(X64Asm *a, X64Alu op, unsigned sz, int dst, X64Mem m)
{
    unsigned full = (unsigned)op << 3 | 3;
    emit_modrm_m(a, sized(full, full - 1, sz, X64_P_REXB_R), dst, m);
}

void x64_emit_alu_mr(X64Asm *a, X64Alu op, unsigned sz, X64Mem m, int src)
{
    unsigned full = (unsigned)op << 3 | 1;
    emit_modrm_m(a, sized(full, full - 1, sz, X64_P_REXB_R), src, m);
}

void x64_emit_alu_mi(X64Asm *a, X64Alu op, unsigned sz, X64Mem m,
                     int32_t imm)
{
    emit_modrm_m(a, alu_imm_opc(sz, imm, 0), op, m);
    emit_alu_imm_tail(a, sz, imm);
}

void x64_emit_test_rr(X64Asm *a, unsigned sz, int r1, int r2)
{
    emit_modrm_r(a,
                 sized(OPC_TESTL, OPC_TESTB, sz,
                       X64_P_REXB_R | X64_P_REXB_RM),
                 r2, r1);
}

void x64_emit_test_ri(X64Asm *a, unsigned sz, int reg, int32_t imm)
{
    emit_modrm_r_imm(a, sized(OPC_GRP3_Ev, OPC_GRP3_Eb, sz, X64_P_REXB_RM),
                     0, reg, (uint32_t)imm, sz == 8 ? 4 : sz);
}

void x64_emit_test_mi(X64Asm *a, unsigned sz, X64Mem m, int32_t imm)
{
    emit_modrm_m(a, sized(OPC_GRP3_Ev, OPC_GRP3_Eb, sz, 0), 0, m);
    emit_imm(a, sz == 8 ? 4 : sz, imm);
}

/* RORX (BMI2): VEX.LZ.F2.0F3A.W0/W1 F0 /r ib, no flags (SDM vol. 2
 * "RORX"). The three-byte VEX prefix stores R, X, B inverted. */
void x64_emit_rorx(X64Asm *a, unsigned sz, int dst, int src, uint8_t count)
{
    assert(sz == 4 || sz == 8);
    x64_emit8(a, 0xC4);
    x64_emit8(a, (uint8_t)((dst >= 8 ? 0 : 0x80) | 0x40 |
                           (src >= 8 ? 0 : 0x20) | 0x03));
    x64_emit8(a, (uint8_t)((sz == 8 ? 0x80 : 0) | 0x78 | 0x03));
    x64_emit8(a, 0xF0);
    x64_emit8(a, (uint8_t)(0xC0 | (dst & 7) << 3 | (src & 7)));
    x64_emit8(a, count);
}

void x64_emit_shift_ri(X64Asm *a, X64Shift op, unsigned sz, int reg,
                       uint8_t count)
{
    if (count == 1) {
        emit_modrm_r(a, sized(OPC_SHIFT_1, OPC_SHIFT_1 - 1, sz,
                              X64_P_REXB_RM),
                     op, reg);
        return;
    }
    emit_modrm_r(a, sized(OPC_SHIFT_Ib, OPC_SHIFT_Ib - 1, sz, X64_P_REXB_RM),
                 op, reg);
    x64_emit8(a, count);
}

void x64_emit_shift_cl(X64Asm *a, X64Shift op, unsigned sz, int reg)
{
    emit_modrm_r(a, sized(OPC_SHIFT_cl, OPC_SHIFT_cl - 1, sz, X64_P_REXB_RM),
                 op, reg);
}

void x64_emit_unary(X64Asm *a, X64Unary op, unsigned sz, int reg)
{
    if (op == X64_INC || op == X64_DEC)
        emit_modrm_r(a, sized(OPC_GRP5, OPC_GRP4, sz, X64_P_REXB_RM),
                     op & 1, reg);
    else
        emit_modrm_r(a, sized(OPC_GRP3_Ev, OPC_GRP3_Eb, sz, X64_P_REXB_RM),
                     op, reg);
}

void x64_emit_unary_m(X64Asm *a, X64Unary op, unsigned sz, X64Mem m)
{
    if (op == X64_INC || op == X64_DEC)
        emit_modrm_m(a, sized(OPC_GRP5, OPC_GRP4, sz, 0), op & 1, m);
    else
        emit_modrm_m(a, sized(OPC_GRP3_Ev, OPC_GRP3_Eb, sz, 0), op, m);
}

void x64_emit_imul_rr(X64Asm *a, unsigned sz, int dst, int src)
{
    assert(sz != 1);
    emit_modrm_r(a, OPC_IMUL_GvEv | size_bits(sz), dst, src);
}

void x64_emit_imul_rri(X64Asm *a, unsigned sz, int dst, int src, int32_t imm)
{
    assert(sz != 1);
    if (fits_s8(imm)) {
        emit_modrm_r(a, OPC_IMUL_GvEvIb | size_bits(sz), dst, src);
        x64_emit8(a, (uint8_t)imm);
    } else {
        emit_modrm_r(a, OPC_IMUL_GvEvIz | size_bits(sz), dst, src);
        emit_imm(a, sz == 8 ? 4 : sz, imm);
    }
}

void x64_emit_setcc(X64Asm *a, X64Cond cc, int reg8)
{
    emit_modrm_r(a, (OPC_SETCC + cc) | X64_P_REXB_RM, 0, reg8);
}

void x64_emit_lahf(X64Asm *a)
{
    x64_emit8(a, 0x9F);
}

void x64_emit_sahf(X64Asm *a)
{
    x64_emit8(a, 0x9E);
}

void x64_emit_pushf(X64Asm *a)
{
    x64_emit8(a, 0x9C);
}

void x64_emit_popf(X64Asm *a)
{
    x64_emit8(a, 0x9D);
}

bool x64_reachable(const X64Asm *a, uintptr_t target)
{
    /* Worst case: the rel32 is measured from the end of a 6-byte jcc. */
    int64_t d = (int64_t)(target - (x64_pc(a) + 6));
    int64_t d0 = (int64_t)(target - (x64_pc(a) + 5));
    return d == (int32_t)d && d0 == (int32_t)d0;
}

/* Far targets (helpers in the emulator binary may be more than 2 GB away
 * from code memory) go through R11, which is caller-saved and never holds
 * a value across a call in the SysV ABI. */
void x64_emit_call(X64Asm *a, uintptr_t target)
{
    if (x64_reachable(a, target)) {
        uint32_t rel = (uint32_t)(target - (x64_pc(a) + 5));
        emit_le(a, OPC_CALL_Jz | (uint64_t)rel << 8, 5);
        return;
    }
    x64_emit_mov_ri(a, 8, X64_R11, target);
    x64_emit_call_r(a, X64_R11);
}

void x64_emit_call_r(X64Asm *a, int reg)
{
    emit_modrm_r(a, OPC_GRP5, EXT5_CALLN_Ev, reg);
}

void x64_emit_jmp(X64Asm *a, uintptr_t target)
{
    if (x64_reachable(a, target)) {
        uint32_t rel = (uint32_t)(target - (x64_pc(a) + 5));
        emit_le(a, OPC_JMP_long | (uint64_t)rel << 8, 5);
        return;
    }
    x64_emit_mov_ri(a, 8, X64_R11, target);
    x64_emit_jmp_r(a, X64_R11);
}

void x64_emit_jmp_r(X64Asm *a, int reg)
{
    emit_modrm_r(a, OPC_GRP5, EXT5_JMPN_Ev, reg);
}

void x64_emit_jmp_m(X64Asm *a, X64Mem m)
{
    emit_modrm_m(a, OPC_GRP5, EXT5_JMPN_Ev, m);
}

/* A site's rel32 initially points just past itself (a no-op jump), so
 * an unbound site is harmless. */
size_t x64_emit_jmp_site(X64Asm *a)
{
    x64_emit8(a, OPC_JMP_long);
    size_t site = a->len;
    x64_emit32(a, 0);
    return site;
}

size_t x64_emit_jcc_site(X64Asm *a, X64Cond cc)
{
    emit_opc(a, OPC_JCC_long + cc, 0, X64_NOREG, X64_NOREG);
    size_t site = a->len;
    x64_emit32(a, 0);
    return site;
}

size_t x64_emit_jcc8_site(X64Asm *a, X64Cond cc)
{
    x64_emit8(a, (uint8_t)(OPC_JCC_short + cc));
    size_t site = a->len;
    x64_emit8(a, 0);
    return site;
}

size_t x64_emit_jmp8_site(X64Asm *a)
{
    x64_emit8(a, OPC_JMP_short);
    size_t site = a->len;
    x64_emit8(a, 0);
    return site;
}

void x64_emit_jcc(X64Asm *a, X64Cond cc, uintptr_t target)
{
    size_t site = x64_emit_jcc_site(a, cc);
    x64_bind_to(a, site, target);
}

void x64_bind_to(X64Asm *a, size_t site, uintptr_t target)
{
    if (a->overflow || site + 4 > a->len)
        return;
    uintptr_t field_exec = (uintptr_t)(a->buf + site) + (uintptr_t)a->exec_delta;
    x64_patch_rel32(a->buf + site, field_exec, target);
}

void x64_bind(X64Asm *a, size_t site)
{
    x64_bind_to(a, site, x64_pc(a));
}

void x64_bind8(X64Asm *a, size_t site)
{
    if (a->overflow || site + 1 > a->len)
        return;
    ptrdiff_t d = (ptrdiff_t)a->len - (ptrdiff_t)(site + 1);
    assert(d >= -128 && d <= 127);
    a->buf[site] = (uint8_t)(int8_t)d;
}

void x64_patch_rel32(uint8_t *field, uintptr_t field_exec, uintptr_t target)
{
    int64_t d = (int64_t)(target - (field_exec + 4));
    assert(d == (int32_t)d);
    uint32_t v = (uint32_t)(int32_t)d;
    memcpy(field, &v, 4);
}

void x64_patch_imm64(uint8_t *field, uint64_t imm)
{
    memcpy(field, &imm, 8);
}

void x64_emit_ret(X64Asm *a)
{
    x64_emit8(a, 0xC3);
}

void x64_emit_ud2(X64Asm *a)
{
    x64_emit8(a, 0x0F);
    x64_emit8(a, 0x0B);
}

void x64_emit_int3(X64Asm *a)
{
    x64_emit8(a, 0xCC);
}

/* Recommended multi-byte NOPs, SDM vol. 2 table 4-12 ("NOP"). */
static const uint8_t x64_nops[4][4] = {
    { 0x90 }, { 0x66, 0x90 }, { 0x0F, 0x1F, 0x00 },
    { 0x0F, 0x1F, 0x40, 0x00 },
};

void x64_emit_nop(X64Asm *a, unsigned n)
{
    while (n > 0) {
        unsigned k = n > 4 ? 4 : n;
        for (unsigned i = 0; i < k; i++)
            x64_emit8(a, x64_nops[k - 1][i]);
        n -= k;
    }
}
