/*
 * x64_asm.h — the host x86-64 encoder: opcode constants and x64_emit_*
 * helpers. No guest logic lives here.
 *
 * An X64Asm writes into a byte buffer (the RW view of code memory); the
 * code later runs at buf + exec_delta (the RX view), which is what
 * rel32 displacements are computed against. Running out of space sets
 * `overflow` and stops writing; the caller checks it once per block.
 *
 * Operand sizes are given in bytes (1, 2, 4, 8). Register numbers are the
 * hardware numbers 0-15 (X64_RAX..X64_R15). Intel SDM vol. 2, chapter 2
 * ("Instruction Format") and appendix B describe every encoding used here.
 */
#ifndef X86BT_X64_ASM_H
#define X86BT_X64_ASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum X64Reg {
    X64_RAX, X64_RCX, X64_RDX, X64_RBX, X64_RSP, X64_RBP, X64_RSI, X64_RDI,
    X64_R8, X64_R9, X64_R10, X64_R11, X64_R12, X64_R13, X64_R14, X64_R15,
    X64_NOREG = -1,
} X64Reg;

/* Condition codes in hardware order (the low nibble of Jcc/SETcc/CMOVcc). */
typedef enum X64Cond {
    X64_CC_O, X64_CC_NO, X64_CC_B, X64_CC_AE, X64_CC_E, X64_CC_NE,
    X64_CC_BE, X64_CC_A, X64_CC_S, X64_CC_NS, X64_CC_P, X64_CC_NP,
    X64_CC_L, X64_CC_GE, X64_CC_LE, X64_CC_G,
} X64Cond;

/* Group-1 ALU operations (the /digit of 0x80-0x83). */
typedef enum X64Alu {
    X64_ADD, X64_OR, X64_ADC, X64_SBB, X64_AND, X64_SUB, X64_XOR, X64_CMP,
} X64Alu;

/* Group-2 shift operations (the /digit of 0xC0/0xC1/0xD0-0xD3). */
typedef enum X64Shift {
    X64_ROL, X64_ROR, X64_RCL, X64_RCR, X64_SHL, X64_SHR, X64_SAR = 7,
} X64Shift;

/* Group-3/4/5 unary operations (the /digit of 0xF6/0xF7 and 0xFE/0xFF). */
typedef enum X64Unary {
    X64_NOT = 2, X64_NEG = 3, X64_MUL = 4, X64_IMUL1 = 5, X64_DIV = 6,
    X64_IDIV = 7,
    X64_INC = 0x10, X64_DEC = 0x11, /* encoded as 0xFF /0 and /1 */
} X64Unary;

/* A memory operand [base + index*scale + disp]; base or index may be
 * X64_NOREG (no base and no index is an absolute 32-bit address). RSP
 * cannot be an index (SDM vol. 2 table 2-3). */
typedef struct X64Mem {
    int8_t base, index;
    uint8_t scale; /* 1, 2, 4, 8 */
    int32_t disp;
} X64Mem;

static inline X64Mem x64_mem(int base, int32_t disp)
{
    return (X64Mem){ (int8_t)base, X64_NOREG, 1, disp };
}

static inline X64Mem x64_mem_idx(int base, int index, unsigned scale,
                                 int32_t disp)
{
    return (X64Mem){ (int8_t)base, (int8_t)index, (uint8_t)scale, disp };
}

typedef struct X64Asm {
    uint8_t *buf;          /* where bytes are written */
    size_t cap, len;
    intptr_t exec_delta;   /* execution address = write address + delta */
    bool overflow;         /* ran out of space: the output is invalid */
} X64Asm;

void x64_init(X64Asm *a, uint8_t *buf, size_t cap, intptr_t exec_delta);
/* Execution address of the next byte to be emitted. */
uintptr_t x64_pc(const X64Asm *a);
void x64_emit8(X64Asm *a, uint8_t b);
void x64_emit32(X64Asm *a, uint32_t v);
void x64_emit64(X64Asm *a, uint64_t v);

/* Data movement. */
void x64_emit_mov_rr(X64Asm *a, unsigned sz, int dst, int src);
void x64_emit_mov_ri(X64Asm *a, unsigned sz, int dst, uint64_t imm);
/* movabs dst, imm64 in its 10-byte form; returns the buffer offset of
 * the imm64 field (x64_patch_imm64 rewrites it). */
size_t x64_emit_movabs_site(X64Asm *a, int dst, uint64_t imm);
void x64_emit_load(X64Asm *a, unsigned sz, int dst, X64Mem m);
void x64_emit_store(X64Asm *a, unsigned sz, X64Mem m, int src);
void x64_emit_store_imm(X64Asm *a, unsigned sz, X64Mem m, int32_t imm);
void x64_emit_lea(X64Asm *a, unsigned sz, int dst, X64Mem m);
/* Zero/sign extension from ssz (1 or 2; 4 for movsxd) into dsz (2/4/8). */
void x64_emit_movzx_rr(X64Asm *a, unsigned dsz, unsigned ssz, int dst,
                       int src);
void x64_emit_movsx_rr(X64Asm *a, unsigned dsz, unsigned ssz, int dst,
                       int src);
void x64_emit_movzx_load(X64Asm *a, unsigned dsz, unsigned ssz, int dst,
                         X64Mem m);
void x64_emit_movsx_load(X64Asm *a, unsigned dsz, unsigned ssz, int dst,
                         X64Mem m);
void x64_emit_cmov(X64Asm *a, X64Cond cc, unsigned sz, int dst, int src);
void x64_emit_xchg_rr(X64Asm *a, unsigned sz, int r1, int r2);
void x64_emit_bswap(X64Asm *a, unsigned sz, int reg);
void x64_emit_push(X64Asm *a, int reg);
void x64_emit_pop(X64Asm *a, int reg);

/* Arithmetic. */
void x64_emit_alu_rr(X64Asm *a, X64Alu op, unsigned sz, int dst, int src);
void x64_emit_alu_ri(X64Asm *a, X64Alu op, unsigned sz, int dst, int32_t imm);
void x64_emit_alu_rm(X64Asm *a, X64Alu op, unsigned sz, int dst, X64Mem m);
void x64_emit_alu_mr(X64Asm *a, X64Alu op, unsigned sz, X64Mem m, int src);
void x64_emit_alu_mi(X64Asm *a, X64Alu op, unsigned sz, X64Mem m,
                     int32_t imm);
void x64_emit_test_rr(X64Asm *a, unsigned sz, int r1, int r2);
void x64_emit_test_ri(X64Asm *a, unsigned sz, int reg, int32_t imm);
void x64_emit_test_mi(X64Asm *a, unsigned sz, X64Mem m, int32_t imm);
void x64_emit_shift_ri(X64Asm *a, X64Shift op, unsigned sz, int reg,
                       uint8_t count);
void x64_emit_shift_cl(X64Asm *a, X64Shift op, unsigned sz, int reg);
/* dst = src rotated right by count, flags unchanged (BMI2: the caller
 * checks that the host has it). */
void x64_emit_rorx(X64Asm *a, unsigned sz, int dst, int src, uint8_t count);
void x64_emit_unary(X64Asm *a, X64Unary op, unsigned sz, int reg);
void x64_emit_unary_m(X64Asm *a, X64Unary op, unsigned sz, X64Mem m);
void x64_emit_imul_rr(X64Asm *a, unsigned sz, int dst, int src);
void x64_emit_imul_rri(X64Asm *a, unsigned sz, int dst, int src,
                       int32_t imm);
void x64_emit_setcc(X64Asm *a, X64Cond cc, int reg8);
void x64_emit_lahf(X64Asm *a);
void x64_emit_sahf(X64Asm *a);
void x64_emit_pushf(X64Asm *a);
void x64_emit_popf(X64Asm *a);

/* Control flow. Targets are execution addresses. Functions returning a
 * size_t give the buffer offset of a rel32 (or rel8) field that can be
 * bound or patched later. */
void x64_emit_call(X64Asm *a, uintptr_t target);
void x64_emit_call_r(X64Asm *a, int reg);
void x64_emit_jmp(X64Asm *a, uintptr_t target);
void x64_emit_jmp_r(X64Asm *a, int reg);
void x64_emit_jmp_m(X64Asm *a, X64Mem m);
size_t x64_emit_jmp_site(X64Asm *a);
size_t x64_emit_jcc_site(X64Asm *a, X64Cond cc);
size_t x64_emit_jcc8_site(X64Asm *a, X64Cond cc);
size_t x64_emit_jmp8_site(X64Asm *a);
void x64_emit_jcc(X64Asm *a, X64Cond cc, uintptr_t target);
/* Point a rel32 / rel8 site at the current position. */
void x64_bind(X64Asm *a, size_t site);
void x64_bind8(X64Asm *a, size_t site);
/* Point a rel32 site at an arbitrary execution address. */
void x64_bind_to(X64Asm *a, size_t site, uintptr_t target);
void x64_emit_ret(X64Asm *a);
void x64_emit_ud2(X64Asm *a);
void x64_emit_int3(X64Asm *a);
void x64_emit_nop(X64Asm *a, unsigned n);

/* Patch a rel32 field in already-emitted code: `field` is its write
 * address, `field_exec` its execution address. */
void x64_patch_rel32(uint8_t *field, uintptr_t field_exec, uintptr_t target);
/* Rewrite the imm64 field of a movabs (x64_emit_movabs_site). */
void x64_patch_imm64(uint8_t *field, uint64_t imm);
/* True if a rel32 from the current position can reach target. */
bool x64_reachable(const X64Asm *a, uintptr_t target);

#endif
