/*
 * emit_reg.c — guest general registers pinned in host registers.
 *
 * Generated code keeps guest EAX..EDI in r8 rcx rdx r9 r10 r11 rsi rdi
 * (ECX in rcx so that shifts by CL use the host CL directly). Only the
 * low 32 bits are meaningful; every access is a 32-, 16- or 8-bit host
 * operation, so the upper halves are never observed. 16-bit and low
 * 8-bit writes are host partial writes, which keep the other bits as the
 * guest requires; the high 8-bit registers (AH CH DH BH) cannot be named
 * beside r8-r15 and are extracted or inserted with shifts.
 */
#include "translator/jit_int.h"

int jit_hreg(unsigned n)
{
    switch (n & 7) {
    case 0: return X64_R8;
    case 1: return X64_RCX;
    case 2: return X64_RDX;
    case 3: return X64_R9;
    case 4: return X64_R10;
    case 5: return X64_R11;
    case 6: return X64_RSI;
    default: return X64_RDI;
    }
}

bool jit_reg_direct(unsigned size, unsigned n)
{
    (void)n;
    return size == 4 || size == 2;
}

void jit_get_reg(BlockBuilder *b, unsigned size, int dst, unsigned n)
{
    X64Asm *a = &b->a;
    if (size == 4) {
        x64_emit_mov_rr(a, 4, dst, jit_hreg(n));
    } else if (size == 2) {
        x64_emit_movzx_rr(a, 4, 2, dst, jit_hreg(n));
    } else if (n < 4) {
        x64_emit_movzx_rr(a, 4, 1, dst, jit_hreg(n));
    } else {
        x64_emit_movzx_rr(a, 4, 2, dst, jit_hreg(n & 3));
        x64_emit_shift_ri(a, X64_SHR, 4, dst, 8);
    }
}

void jit_set_reg(BlockBuilder *b, unsigned size, unsigned n, int src)
{
    X64Asm *a = &b->a;
    if (size != 1 || n < 4) {
        x64_emit_mov_rr(a, size, jit_hreg(n), src);
        return;
    }
    int h = jit_hreg(n & 3);
    x64_emit_movzx_rr(a, 4, 1, X64_RAX, src);
    x64_emit_shift_ri(a, X64_SHL, 4, X64_RAX, 8);
    x64_emit_alu_ri(a, X64_AND, 4, h, (int32_t)0xFFFF00FFu);
    x64_emit_alu_rr(a, X64_OR, 4, h, X64_RAX);
}
