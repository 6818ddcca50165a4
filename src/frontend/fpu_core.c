/*
 * fpu_core.c — x87 register stack, tags, exceptions and condition codes.
 *
 * Owns the architectural rules of SDM vol. 1 chapter 8 on top of the
 * numeric backend (fpu_host.h): which register is read and written, stack
 * overflow/underflow (8.5.1.1: IE+SF, C1 = 1 on overflow, 0 on underflow;
 * masked response: the real indefinite), and what is delivered when an
 * exception is unmasked (4.9.2, 8.5: invalid, denormal and zero-divide are
 * pre-computation exceptions and leave the destination and TOP unchanged;
 * overflow/underflow into memory store nothing; precision stores the
 * rounded result). The environment and FXSAVE images are in fpu_image.c.
 */
#include "frontend/fpu_core.h"

#include <string.h>

FpuReg fpu_indefinite(void)
{
    FpuReg r = {FPU_INDEF_MANT, FPU_INDEF_SEXP};
    return r;
}

static void fpu_update_es(FpuState *fs)
{
    if (fs->sw & ~fs->cw & FPU_SW_EXC) {
        fs->sw |= FPU_SW_ES | FPU_SW_B;
    } else {
        fs->sw &= (uint16_t)~(FPU_SW_ES | FPU_SW_B);
    }
}

void fpu_init(FpuState *fs)
{
    fs->cw = FPU_CW_INIT;
    fs->sw = 0;
    fs->top = 0;
    fs->empty = 0xFF;
    fs->fop = 0;
    fs->fip = fs->fdp = 0;
    fs->fcs = fs->fds = 0;
    fs->ferr = false;
    fs->ignne = false;
}

void fpu_power_on(FpuState *fs)
{
    memset(fs, 0, sizeof(*fs));
    fpu_init(fs);
    fs->cw = 0x0040;
    fs->empty = 0; /* tag word 5555H: every register +0.0 */
    fs->mxcsr = 0x1F80;
}

unsigned fpu_phys(const FpuState *fs, unsigned i)
{
    return (fs->top + i) & 7;
}

FpuReg *fpu_st(FpuState *fs, unsigned i)
{
    return &fs->r[fpu_phys(fs, i)];
}

bool fpu_st_empty(const FpuState *fs, unsigned i)
{
    return (fs->empty >> fpu_phys(fs, i)) & 1;
}

static void fpu_set_st(FpuState *fs, unsigned i, FpuReg v)
{
    unsigned p = fpu_phys(fs, i);
    fs->r[p] = v;
    fs->empty &= (uint8_t)~(1u << p);
}

void fpu_pop(FpuState *fs)
{
    fs->empty |= (uint8_t)(1u << fs->top);
    fs->top = (fs->top + 1) & 7;
}

static void fpu_push(FpuState *fs, FpuReg v)
{
    fs->top = (fs->top - 1) & 7;
    fpu_set_st(fs, 0, v);
}

uint16_t fpu_get_sw(const FpuState *fs)
{
    return (uint16_t)((fs->sw & ~(7u << FPU_SW_TOP_SHIFT)) |
                      ((unsigned)fs->top << FPU_SW_TOP_SHIFT));
}

unsigned fpu_reg_class(const FpuReg *r)
{
    unsigned exp = r->sexp & 0x7FFF;
    if (exp == 0x7FFF) {
        return FPU_TAG_SPECIAL;
    }
    if (exp == 0) {
        return r->mant == 0 ? FPU_TAG_ZERO : FPU_TAG_SPECIAL;
    }
    /* An unnormal (J bit clear) is an unsupported format: special. */
    return (r->mant >> 63) ? FPU_TAG_VALID : FPU_TAG_SPECIAL;
}

uint16_t fpu_get_tw(const FpuState *fs)
{
    uint16_t tw = 0;
    for (unsigned p = 0; p < 8; p++) {
        unsigned tag = ((fs->empty >> p) & 1) ? FPU_TAG_EMPTY
                                              : fpu_reg_class(&fs->r[p]);
        tw |= (uint16_t)(tag << (2 * p));
    }
    return tw;
}

void fpu_set_cw(FpuState *fs, uint16_t cw)
{
    /* Bits 15..13 read as 0 and bit 6 as 1 (measured on hardware). */
    fs->cw = (uint16_t)((cw & 0x1F3F) | 0x0040);
    fpu_update_es(fs);
}

void fpu_set_sw(FpuState *fs, uint16_t sw)
{
    fs->top = (sw >> FPU_SW_TOP_SHIFT) & 7;
    fs->sw = (uint16_t)(sw & ~(7u << FPU_SW_TOP_SHIFT));
    fpu_update_es(fs);
}

void fpu_set_tw(FpuState *fs, uint16_t tw)
{
    fs->empty = 0;
    for (unsigned p = 0; p < 8; p++) {
        if (((tw >> (2 * p)) & 3) == FPU_TAG_EMPTY) {
            fs->empty |= (uint8_t)(1u << p);
        }
    }
}

void fpu_clex(FpuState *fs)
{
    fs->sw &= (uint16_t)~(FPU_SW_EXC | FPU_SW_SF | FPU_SW_ES | FPU_SW_B);
}

bool fpu_pending(const FpuState *fs)
{
    return (fs->sw & FPU_SW_ES) != 0;
}

/* Stack overflow/underflow (#IS): IE and SF set, C1 tells which. Returns
 * true if IE is masked, i.e. the caller applies the masked response. */
static bool fpu_stack_fault(FpuState *fs, bool overflow)
{
    fs->sw &= (uint16_t)~FPU_SW_C1;
    fs->sw |= FPU_SW_IE | FPU_SW_SF | (overflow ? FPU_SW_C1 : 0);
    fpu_update_es(fs);
    return (fs->cw & FPU_CW_IM) != 0;
}

/* Merge the status of a backend operation into SW. `ccmask` names the
 * condition codes the instruction defines. Returns false if an unmasked
 * pre-computation exception (IE, DE, ZE) suppresses the result; then only
 * the flags of that priority and above are recorded (SDM vol. 1 4.9.2)
 * and the condition codes are left alone. */
static bool fpu_merge(FpuState *fs, uint16_t hsw, uint16_t ccmask)
{
    uint16_t exc = hsw & FPU_SW_EXC;
    uint16_t um = exc & ~fs->cw & FPU_SW_EXC;
    bool deliver = true;

    if (um & FPU_SW_IE) {
        exc = FPU_SW_IE;
        deliver = false;
    } else if (um & FPU_SW_DE) {
        exc &= FPU_SW_IE | FPU_SW_DE;
        deliver = false;
    } else if (um & FPU_SW_ZE) {
        exc &= FPU_SW_IE | FPU_SW_DE | FPU_SW_ZE;
        deliver = false;
    }
    if (deliver) {
        fs->sw = (uint16_t)((fs->sw & ~ccmask) | (hsw & ccmask));
    }
    fs->sw |= exc;
    fpu_update_es(fs);
    return deliver;
}

/* True if an unmasked overflow/underflow happened (memory destinations
 * then receive nothing, SDM vol. 1 4.9.1.4 and 4.9.1.5). */
static bool fpu_unmasked_ou(const FpuState *fs, uint16_t hsw)
{
    return (hsw & ~fs->cw & (FPU_SW_OE | FPU_SW_UE)) != 0;
}

static void fpu_clear_c1(FpuState *fs)
{
    fs->sw &= (uint16_t)~FPU_SW_C1;
}

/* Unmasked OE/UE with a register destination: replace the masked result
 * with the wrapped one (fpu_wrap.c). With UE unmasked an exact denormal
 * result is an underflow too (SDM vol. 1 4.9.1.5). Returns the status. */
static uint16_t fpu_unmasked_ou_reg(const FpuState *fs, FpuHostOp op,
                                    FpuHostIo *io, uint16_t hsw)
{
    bool denormal = (io->r0.sexp & 0x7FFF) == 0 && io->r0.mant != 0;
    uint16_t um, wsw;

    if (!(fs->cw & FPU_CW_UM) && denormal) {
        hsw |= FPU_SW_UE;
    }
    um = hsw & ~fs->cw & FPU_SW_EXC;

    if ((um & (FPU_SW_OE | FPU_SW_UE)) &&
        !(um & (FPU_SW_IE | FPU_SW_DE | FPU_SW_ZE))) {
        if (fpu_wrap_result(op, fs->cw, io->a, io->b,
                            (hsw & FPU_SW_OE) != 0, &io->r0, &wsw)) {
            hsw = (uint16_t)((hsw & ~(FPU_SW_PE | FPU_SW_C1)) |
                             (wsw & (FPU_SW_PE | FPU_SW_C1)));
        }
    }
    return hsw;
}

void fpu_arith_reg(FpuState *fs, FpuHostOp op, unsigned d, unsigned s,
                   bool pop)
{
    FpuHostIo io;

    if (fpu_st_empty(fs, d) || fpu_st_empty(fs, s)) {
        if (fpu_stack_fault(fs, false)) {
            fpu_set_st(fs, d, fpu_indefinite());
            if (pop) {
                fpu_pop(fs);
            }
        }
        return;
    }
    io.a = *fpu_st(fs, d);
    io.b = *fpu_st(fs, s);
    if (fpu_merge(fs, fpu_unmasked_ou_reg(fs, op, &io,
                                          fpu_host_exec(op, fs->cw, &io)),
                  FPU_SW_C1)) {
        fpu_set_st(fs, d, io.r0);
        if (pop) {
            fpu_pop(fs);
        }
    }
}

/* Convert a memory operand to 80 bits; returns the conversion status. */
static uint16_t fpu_convert(const FpuState *fs, FpuHostOp load,
                            const uint8_t *mem, FpuReg *out)
{
    FpuHostIo io;
    uint16_t sw;

    memset(&io, 0, sizeof(io));
    memcpy(io.mem, mem, 10);
    sw = fpu_host_exec(load, fs->cw, &io);
    *out = io.r0;
    return sw;
}

void fpu_arith_mem(FpuState *fs, FpuHostOp op, FpuHostOp load,
                   const uint8_t *mem)
{
    FpuHostIo io;
    uint16_t sw;

    if (fpu_st_empty(fs, 0)) {
        if (fpu_stack_fault(fs, false)) {
            fpu_set_st(fs, 0, fpu_indefinite());
        }
        return;
    }
    sw = fpu_convert(fs, load, mem, &io.b) & FPU_SW_EXC;
    io.a = *fpu_st(fs, 0);
    sw |= fpu_host_exec(op, fs->cw, &io);
    if (fpu_merge(fs, fpu_unmasked_ou_reg(fs, op, &io, sw), FPU_SW_C1)) {
        fpu_set_st(fs, 0, io.r0);
    }
}

/* Masked response of a compare on an empty register: unordered. */
static void fpu_unordered(FpuState *fs)
{
    fs->sw |= FPU_SW_C0 | FPU_SW_C2 | FPU_SW_C3;
}

static void fpu_pops(FpuState *fs, unsigned pops)
{
    while (pops--) {
        fpu_pop(fs);
    }
}

void fpu_compare_reg(FpuState *fs, FpuHostOp op, unsigned i, unsigned pops)
{
    FpuHostIo io;

    if (fpu_st_empty(fs, 0) || fpu_st_empty(fs, i)) {
        if (fpu_stack_fault(fs, false)) {
            fpu_unordered(fs);
            fpu_pops(fs, pops);
        }
        return;
    }
    io.a = *fpu_st(fs, 0);
    io.b = *fpu_st(fs, i);
    if (fpu_merge(fs, fpu_host_exec(op, fs->cw, &io), FPU_SW_CC)) {
        fpu_pops(fs, pops);
    }
}

void fpu_compare_mem(FpuState *fs, FpuHostOp op, FpuHostOp load,
                     const uint8_t *mem, bool pop)
{
    FpuHostIo io;
    uint16_t sw;

    if (fpu_st_empty(fs, 0)) {
        if (fpu_stack_fault(fs, false)) {
            fpu_unordered(fs);
            fpu_pops(fs, pop);
        }
        return;
    }
    sw = fpu_convert(fs, load, mem, &io.b) & FPU_SW_EXC;
    io.a = *fpu_st(fs, 0);
    sw |= fpu_host_exec(op, fs->cw, &io);
    if (fpu_merge(fs, sw, FPU_SW_CC)) {
        fpu_pops(fs, pop);
    }
}

/* EFLAGS image of C3/C2/C0 for FCOMI (ZF = C3, PF = C2, CF = C0). */
static uint32_t fpu_cc_to_eflags(uint16_t sw)
{
    return ((sw & FPU_SW_C3) ? 0x40u : 0) | ((sw & FPU_SW_C2) ? 0x04u : 0) |
           ((sw & FPU_SW_C0) ? 0x01u : 0);
}

uint32_t fpu_comi(FpuState *fs, FpuHostOp op, unsigned i, bool pop,
                  bool *write)
{
    FpuHostIo io;
    uint16_t sw;

    *write = false;
    if (fpu_st_empty(fs, 0) || fpu_st_empty(fs, i)) {
        if (!fpu_stack_fault(fs, false)) {
            return 0;
        }
        fpu_pops(fs, pop);
        *write = true;
        return 0x45;
    }
    io.a = *fpu_st(fs, 0);
    io.b = *fpu_st(fs, i);
    sw = fpu_host_exec(op, fs->cw, &io);
    if (!fpu_merge(fs, sw, FPU_SW_C1)) {
        return 0;
    }
    fpu_pops(fs, pop);
    *write = true;
    return fpu_cc_to_eflags(sw);
}

void fpu_tst(FpuState *fs)
{
    FpuHostIo io;

    if (fpu_st_empty(fs, 0)) {
        if (fpu_stack_fault(fs, false)) {
            fpu_unordered(fs);
        }
        return;
    }
    io.a = *fpu_st(fs, 0);
    fpu_merge(fs, fpu_host_exec(FPH_TST, fs->cw, &io), FPU_SW_CC);
}

void fpu_xam(FpuState *fs)
{
    FpuHostIo io;
    const FpuReg *r = fpu_st(fs, 0);

    if (fpu_st_empty(fs, 0)) {
        /* Class "empty" 101b; C1 is the sign bit of the register. */
        fs->sw &= (uint16_t)~FPU_SW_CC;
        fs->sw |= FPU_SW_C3 | FPU_SW_C0 | ((r->sexp >> 15) ? FPU_SW_C1 : 0);
        return;
    }
    io.a = *r;
    fpu_merge(fs, fpu_host_exec(FPH_XAM, fs->cw, &io), FPU_SW_CC);
}

/* Stack overflow check before a push: ST(7) must be empty. Returns true
 * if the push may go ahead; otherwise applies the masked response (push
 * the indefinite) or nothing. */
static bool fpu_push_check(FpuState *fs)
{
    if (fpu_st_empty(fs, 7)) {
        fpu_clear_c1(fs);
        return true;
    }
    if (fpu_stack_fault(fs, true)) {
        fpu_push(fs, fpu_indefinite());
    }
    return false;
}

void fpu_load_mem(FpuState *fs, FpuHostOp load, const uint8_t *mem)
{
    FpuReg v;
    uint16_t sw;

    if (!fpu_push_check(fs)) {
        return;
    }
    sw = fpu_convert(fs, load, mem, &v);
    if (fpu_merge(fs, sw & FPU_SW_EXC, 0)) {
        fpu_push(fs, v);
    }
}

void fpu_load_raw(FpuState *fs, FpuReg v)
{
    if (fpu_push_check(fs)) {
        fpu_push(fs, v);
    }
}

void fpu_load_reg(FpuState *fs, unsigned i)
{
    FpuReg v = *fpu_st(fs, i);

    if (!fpu_push_check(fs)) {
        return;
    }
    if (fpu_st_empty(fs, i)) {
        if (!fpu_stack_fault(fs, false)) {
            return;
        }
        v = fpu_indefinite();
    }
    fpu_push(fs, v);
}

void fpu_load_const(FpuState *fs, FpuHostOp op)
{
    FpuHostIo io;

    if (!fpu_push_check(fs)) {
        return;
    }
    fpu_host_exec(op, fs->cw, &io);
    fpu_push(fs, io.r0);
}

bool fpu_store_mem(FpuState *fs, FpuHostOp store, uint8_t *mem, bool pop)
{
    FpuHostIo io;
    uint16_t sw;

    memset(&io, 0, sizeof(io));
    if (fpu_st_empty(fs, 0)) {
        if (!fpu_stack_fault(fs, false)) {
            return false;
        }
        /* The backend stores the format's own indefinite. */
        io.a = fpu_indefinite();
        fpu_host_exec(store, fs->cw, &io);
        memcpy(mem, io.mem, 10);
        fpu_pops(fs, pop);
        return true;
    }
    io.a = *fpu_st(fs, 0);
    sw = fpu_host_exec(store, fs->cw, &io);
    if (!fpu_merge(fs, sw, FPU_SW_C1) || fpu_unmasked_ou(fs, sw)) {
        return false;
    }
    memcpy(mem, io.mem, 10);
    fpu_pops(fs, pop);
    return true;
}

bool fpu_store_raw(FpuState *fs, FpuReg *out)
{
    if (fpu_st_empty(fs, 0)) {
        if (!fpu_stack_fault(fs, false)) {
            return false;
        }
        *out = fpu_indefinite();
    } else {
        *out = *fpu_st(fs, 0);
        fpu_clear_c1(fs);
    }
    fpu_pop(fs);
    return true;
}

void fpu_store_reg(FpuState *fs, unsigned i, bool pop)
{
    if (fpu_st_empty(fs, 0)) {
        if (!fpu_stack_fault(fs, false)) {
            return;
        }
        fpu_set_st(fs, i, fpu_indefinite());
    } else {
        fpu_set_st(fs, i, *fpu_st(fs, 0));
        fpu_clear_c1(fs);
    }
    fpu_pops(fs, pop);
}

/* Condition codes each special instruction defines (SDM vol. 2). */
static uint16_t fpu_op_ccmask(FpuHostOp op)
{
    switch (op) {
    case FPH_SIN:
    case FPH_COS:
    case FPH_SINCOS:
    case FPH_PTAN:
        return FPU_SW_C1 | FPU_SW_C2;
    case FPH_PREM:
    case FPH_PREM1:
        return FPU_SW_CC;
    default:
        return FPU_SW_C1;
    }
}

void fpu_unary(FpuState *fs, FpuHostOp op)
{
    FpuHostIo io;

    if (fpu_st_empty(fs, 0)) {
        if (fpu_stack_fault(fs, false)) {
            fpu_set_st(fs, 0, fpu_indefinite());
        }
        return;
    }
    io.a = *fpu_st(fs, 0);
    if (fpu_merge(fs, fpu_host_exec(op, fs->cw, &io), fpu_op_ccmask(op))) {
        fpu_set_st(fs, 0, io.r0);
    }
}

void fpu_unary_push(FpuState *fs, FpuHostOp op)
{
    FpuHostIo io;
    uint16_t sw;
    bool empty = fpu_st_empty(fs, 0);

    if (empty || !fpu_st_empty(fs, 7)) {
        /* Masked response: ST(0) and the pushed value are indefinite. */
        if (fpu_stack_fault(fs, !empty)) {
            fpu_set_st(fs, 0, fpu_indefinite());
            fpu_push(fs, fpu_indefinite());
        }
        return;
    }
    io.a = *fpu_st(fs, 0);
    sw = fpu_host_exec(op, fs->cw, &io);
    if (!fpu_merge(fs, sw, fpu_op_ccmask(op))) {
        return;
    }
    if (sw & FPH_PUSHED) {
        fpu_set_st(fs, 0, io.r1);
        fpu_push(fs, io.r0);
    }
}

void fpu_binary_st1(FpuState *fs, FpuHostOp op)
{
    FpuHostIo io;
    uint16_t sw;

    if (fpu_st_empty(fs, 0) || fpu_st_empty(fs, 1)) {
        if (fpu_stack_fault(fs, false)) {
            fpu_set_st(fs, 0, fpu_indefinite());
        }
        return;
    }
    io.a = *fpu_st(fs, 0);
    io.b = *fpu_st(fs, 1);
    sw = fpu_host_exec(op, fs->cw, &io);
    if (op == FPH_SCALE) {
        sw = fpu_unmasked_ou_reg(fs, op, &io, sw);
    }
    if (fpu_merge(fs, sw, fpu_op_ccmask(op))) {
        fpu_set_st(fs, 0, io.r0);
    }
}

void fpu_binary_pop(FpuState *fs, FpuHostOp op)
{
    FpuHostIo io;

    if (fpu_st_empty(fs, 0) || fpu_st_empty(fs, 1)) {
        if (fpu_stack_fault(fs, false)) {
            fpu_set_st(fs, 1, fpu_indefinite());
            fpu_pop(fs);
        }
        return;
    }
    io.a = *fpu_st(fs, 0);
    io.b = *fpu_st(fs, 1);
    if (fpu_merge(fs, fpu_host_exec(op, fs->cw, &io), FPU_SW_C1)) {
        fpu_set_st(fs, 1, io.r0);
        fpu_pop(fs);
    }
}

/* FCHS/FABS only touch the sign bit and raise nothing but #IS. */
static void fpu_sign_op(FpuState *fs, uint16_t and_mask, uint16_t xor_mask)
{
    FpuReg *r;

    if (fpu_st_empty(fs, 0)) {
        if (fpu_stack_fault(fs, false)) {
            fpu_set_st(fs, 0, fpu_indefinite());
        }
        return;
    }
    r = fpu_st(fs, 0);
    r->sexp = (uint16_t)((r->sexp & and_mask) ^ xor_mask);
    fpu_clear_c1(fs);
}

void fpu_chs(FpuState *fs)
{
    fpu_sign_op(fs, 0xFFFF, 0x8000);
}

void fpu_abs(FpuState *fs)
{
    fpu_sign_op(fs, 0x7FFF, 0);
}

void fpu_xch(FpuState *fs, unsigned i)
{
    FpuReg a, b;

    if (fpu_st_empty(fs, 0) || fpu_st_empty(fs, i)) {
        if (!fpu_stack_fault(fs, false)) {
            return;
        }
        if (fpu_st_empty(fs, 0)) {
            fpu_set_st(fs, 0, fpu_indefinite());
        }
        if (fpu_st_empty(fs, i)) {
            fpu_set_st(fs, i, fpu_indefinite());
        }
    } else {
        fpu_clear_c1(fs);
    }
    a = *fpu_st(fs, 0);
    b = *fpu_st(fs, i);
    fpu_set_st(fs, 0, b);
    fpu_set_st(fs, i, a);
}

void fpu_free(FpuState *fs, unsigned i)
{
    fs->empty |= (uint8_t)(1u << fpu_phys(fs, i));
}

void fpu_incstp(FpuState *fs)
{
    fs->top = (fs->top + 1) & 7;
    fpu_clear_c1(fs);
}

void fpu_decstp(FpuState *fs)
{
    fs->top = (fs->top - 1) & 7;
    fpu_clear_c1(fs);
}

void fpu_cmov(FpuState *fs, unsigned i, bool cond)
{
    if (fpu_st_empty(fs, 0) || fpu_st_empty(fs, i)) {
        if (fpu_stack_fault(fs, false)) {
            fpu_set_st(fs, 0, fpu_indefinite());
        }
        return;
    }
    fpu_clear_c1(fs);
    if (cond) {
        fpu_set_st(fs, 0, *fpu_st(fs, i));
    }
}

void fpu_note_insn(FpuState *fs, uint16_t cs, uint32_t eip, uint16_t fop)
{
    fs->fcs = cs;
    fs->fip = eip;
    fs->fop = fop & 0x7FF;
}

void fpu_note_data(FpuState *fs, uint16_t ds, uint32_t off)
{
    fs->fds = ds;
    fs->fdp = off;
}

void fpu_mmx_enter(FpuState *fs)
{
    fs->top = 0;
    fs->empty = 0;
}

uint64_t fpu_mmx_get(const FpuState *fs, unsigned i)
{
    return fs->r[i & 7].mant;
}

void fpu_mmx_set(FpuState *fs, unsigned i, uint64_t v)
{
    fs->r[i & 7].mant = v;
    fs->r[i & 7].sexp = 0xFFFF;
}

void fpu_emms(FpuState *fs)
{
    fs->empty = 0xFF;
}
