/*
 * fpu_wrap.c — unmasked numeric overflow/underflow with a register
 * destination (SDM vol. 1 4.9.1.4 and 4.9.1.5).
 *
 * With OE (UE) unmasked the x87 stores the rounded result with its
 * exponent divided (multiplied) by 2^24576, so that an exception handler
 * can still see the significand. The backend only produces masked
 * responses, so the wrapped result is recomputed here: the operands are
 * scaled by exact powers of two such that the true result lands 24576
 * binades away and in range, and the same host operation then rounds it
 * exactly as the hardware does. In an addition the smaller operand may
 * only contribute a sticky bit; if scaling would lose it, it is replaced
 * by a tiny normal value of the same sign, which rounds the same way.
 * Also: with UE unmasked an exact tiny (denormal) result is an underflow,
 * which a masked computation does not report.
 */
#include <string.h>

#include "frontend/fpu_core.h"

#define FPW_BIAS 24576
#define FPW_CW_EXACT 0x037F /* extended precision, round to nearest */

static bool fpw_special(const FpuReg *x)
{
    unsigned e = x->sexp & 0x7FFF;
    return e == 0x7FFF || (e == 0 && x->mant == 0);
}

/* x * 2^k, exact as long as the result is a normal number. */
static FpuReg fpw_scale(FpuReg x, int32_t k)
{
    FpuHostIo io;

    if (fpw_special(&x)) {
        return x;
    }
    memset(&io, 0, sizeof(io));
    memcpy(io.mem, &k, 4);
    fpu_host_exec(FPH_LD_I32, FPW_CW_EXACT, &io);
    io.b = io.r0;
    io.a = x;
    fpu_host_exec(FPH_SCALE, FPW_CW_EXACT, &io);
    return io.r0;
}

/* Scale an addend; if it would leave the normal range it only matters as
 * a sticky bit below the other (scaled) operand. */
static FpuReg fpw_scale_addend(FpuReg x, FpuReg other, int32_t k)
{
    FpuReg y = fpw_scale(x, k), o = fpw_scale(other, k);
    int oe = o.sexp & 0x7FFF;

    if (fpw_special(&x) || (y.sexp & 0x7FFF) != 0) {
        return y;
    }
    y.mant = 0x8000000000000000ull;
    y.sexp = (uint16_t)((x.sexp & 0x8000) | (oe > 101 ? oe - 100 : 1));
    return y;
}

/* FSCALE: ST(0) * 2^(trunc(ST(1)) + k). */
static FpuReg fpw_fscale(uint16_t cw, FpuReg a, FpuReg b, int32_t k,
                         uint16_t *sw)
{
    FpuHostIo io;

    memset(&io, 0, sizeof(io));
    io.a = b;
    fpu_host_exec(FPH_RNDINT, 0x0F7F, &io); /* truncate */
    io.a = io.r0;
    memcpy(io.mem, &k, 4);
    fpu_host_exec(FPH_LD_I32, FPW_CW_EXACT, &io);
    io.b = io.r0;
    fpu_host_exec(FPH_ADD, FPW_CW_EXACT, &io);
    io.b = io.r0;
    io.a = a;
    *sw = fpu_host_exec(FPH_SCALE, cw, &io);
    return io.r0;
}

bool fpu_wrap_result(FpuHostOp op, uint16_t cw, FpuReg a, FpuReg b,
                     bool overflow, FpuReg *out, uint16_t *sw)
{
    int32_t s = overflow ? -FPW_BIAS / 2 : FPW_BIAS / 2;
    FpuHostIo io;

    switch (op) {
    case FPH_MUL:
        a = fpw_scale(a, s);
        b = fpw_scale(b, s);
        break;
    case FPH_DIV:
        a = fpw_scale(a, s);
        b = fpw_scale(b, -s);
        break;
    case FPH_DIVR:
        a = fpw_scale(a, -s);
        b = fpw_scale(b, s);
        break;
    case FPH_ADD:
    case FPH_SUB:
    case FPH_SUBR: {
        FpuReg a0 = a;
        a = fpw_scale_addend(a, b, 2 * s);
        b = fpw_scale_addend(b, a0, 2 * s);
        break;
    }
    case FPH_SCALE:
        *out = fpw_fscale(cw, a, b, 2 * s, sw);
        return true;
    default:
        return false;
    }
    io.a = a;
    io.b = b;
    *sw = fpu_host_exec(op, cw, &io);
    *out = io.r0;
    return true;
}
