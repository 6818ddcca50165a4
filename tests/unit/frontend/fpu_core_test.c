/* Unit tests for the x87 core (src/frontend/fpu_core.c, fpu_image.c and
 * the host backend fpu_host_x86.c). Expected values come from the SDM
 * (vol. 1 chapter 8, vol. 2 instruction pages) and exact arithmetic. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/fpu_core.h"

static FpuReg R(long double v)
{
    FpuReg r;
    memcpy(&r, &v, 10);
    return r;
}

static long double LD(const FpuReg *r)
{
    long double v = 0;
    memcpy(&v, r, 10);
    return v;
}

static FpuState fresh(void)
{
    FpuState fs;
    fpu_power_on(&fs);
    fpu_init(&fs);
    return fs;
}

static void push_ld(FpuState *fs, long double v)
{
    fpu_load_raw(fs, R(v));
}

static void i32(uint8_t *m, int32_t v)
{
    memset(m, 0, 16);
    memcpy(m, &v, 4);
}

START_TEST(init_state)
{
    FpuState fs = fresh();
    ck_assert_uint_eq(fs.cw, 0x037F);
    ck_assert_uint_eq(fpu_get_sw(&fs), 0);
    ck_assert_uint_eq(fpu_get_tw(&fs), 0xFFFF);
    fpu_power_on(&fs);
    ck_assert_uint_eq(fs.cw, 0x0040);             /* SDM vol. 3 table 9-1 */
    ck_assert_uint_eq(fpu_get_tw(&fs), 0x5555);
}
END_TEST

START_TEST(add_int_and_tags)
{
    FpuState fs = fresh();
    uint8_t m[16];
    push_ld(&fs, 1.5L);
    i32(m, 2);
    fpu_arith_mem(&fs, FPH_ADD, FPH_LD_I32, m);
    ck_assert(LD(fpu_st(&fs, 0)) == 3.5L);
    ck_assert_uint_eq(fs.top, 7);
    ck_assert_uint_eq(fpu_get_sw(&fs) >> 11 & 7, 7);
    ck_assert_uint_eq(fpu_get_tw(&fs), 0x3FFF); /* R7 valid */
    push_ld(&fs, 0.0L);
    ck_assert_uint_eq(fpu_get_tw(&fs), 0x1FFF); /* R6 zero */
}
END_TEST

START_TEST(sub_and_reverse)
{
    FpuState fs = fresh();
    push_ld(&fs, 3.0L); /* ST1 */
    push_ld(&fs, 5.0L); /* ST0 */
    fpu_arith_reg(&fs, FPH_SUB, 0, 1, false);
    ck_assert(LD(fpu_st(&fs, 0)) == 2.0L);
    fpu_arith_reg(&fs, FPH_SUBR, 0, 1, false); /* 3 - 2 */
    ck_assert(LD(fpu_st(&fs, 0)) == 1.0L);
    fpu_arith_reg(&fs, FPH_DIVR, 1, 0, true); /* ST1 = 1 / 3, pop */
    ck_assert(LD(fpu_st(&fs, 0)) == 1.0L / 3.0L);
    ck_assert_uint_eq(fs.top, 7);
}
END_TEST

START_TEST(precision_control)
{
    FpuState fs = fresh();
    push_ld(&fs, 3.0L);
    push_ld(&fs, 1.0L);
    fpu_set_cw(&fs, 0x007F); /* PC = 00: 24-bit significand */
    fpu_arith_reg(&fs, FPH_DIV, 0, 1, false);
    ck_assert(LD(fpu_st(&fs, 0)) == (long double)(1.0f / 3.0f));
    ck_assert(fs.sw & FPU_SW_PE);
    /* Masked precision only: no ES. */
    ck_assert(!(fs.sw & FPU_SW_ES));
}
END_TEST

START_TEST(rounding_control)
{
    static const struct {
        uint16_t rc;
        long double in, out;
    } t[] = {
        {0, 2.5L, 2.0L},  {0, 3.5L, 4.0L},  {1, 2.5L, 2.0L},
        {1, -2.5L, -3.0L}, {2, 2.5L, 3.0L}, {2, -2.5L, -2.0L},
        {3, -2.7L, -2.0L}, {3, 2.7L, 2.0L},
    };
    for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        FpuState fs = fresh();
        fpu_set_cw(&fs, (uint16_t)(0x037F | t[i].rc << 10));
        push_ld(&fs, t[i].in);
        fpu_unary(&fs, FPH_RNDINT);
        ck_assert_msg(LD(fpu_st(&fs, 0)) == t[i].out, "case %u", i);
        ck_assert(fs.sw & FPU_SW_PE);
    }
}
END_TEST

START_TEST(round_up_sets_c1)
{
    FpuState fs = fresh();
    fpu_set_cw(&fs, 0x0B7F); /* round up */
    push_ld(&fs, 3.0L);
    push_ld(&fs, 1.0L);
    fpu_arith_reg(&fs, FPH_DIV, 0, 1, false);
    ck_assert(fs.sw & FPU_SW_C1); /* SDM vol. 1 8.1.3.1: rounded up */
}
END_TEST

START_TEST(stack_overflow_masked)
{
    FpuState fs = fresh();
    for (int i = 0; i < 8; i++) {
        push_ld(&fs, (long double)i);
    }
    ck_assert_uint_eq(fs.sw & (FPU_SW_IE | FPU_SW_SF), 0);
    push_ld(&fs, 9.0L);
    ck_assert_uint_eq(fs.sw & (FPU_SW_IE | FPU_SW_SF | FPU_SW_C1),
                      FPU_SW_IE | FPU_SW_SF | FPU_SW_C1);
    ck_assert_uint_eq(fpu_st(&fs, 0)->mant, FPU_INDEF_MANT);
    ck_assert_uint_eq(fpu_st(&fs, 0)->sexp, FPU_INDEF_SEXP);
}
END_TEST

START_TEST(stack_underflow_unmasked)
{
    FpuState fs = fresh();
    fpu_set_cw(&fs, 0x037E); /* IE unmasked */
    push_ld(&fs, 1.0L);
    fpu_arith_reg(&fs, FPH_ADD, 0, 1, true);
    ck_assert_uint_eq(fs.sw & (FPU_SW_IE | FPU_SW_SF | FPU_SW_C1),
                      FPU_SW_IE | FPU_SW_SF);
    ck_assert(fpu_pending(&fs));
    ck_assert(fs.sw & FPU_SW_B);
    ck_assert(LD(fpu_st(&fs, 0)) == 1.0L); /* unchanged, not popped */
    ck_assert_uint_eq(fs.top, 7);
    fpu_clex(&fs);
    ck_assert(!fpu_pending(&fs));
}
END_TEST

START_TEST(invalid_and_zero_divide)
{
    FpuState fs = fresh();
    push_ld(&fs, 0.0L);
    push_ld(&fs, 0.0L);
    fpu_arith_reg(&fs, FPH_DIV, 0, 1, false);
    ck_assert_uint_eq(fpu_st(&fs, 0)->mant, FPU_INDEF_MANT);
    ck_assert(fs.sw & FPU_SW_IE);
    ck_assert(!(fs.sw & FPU_SW_SF));
    fpu_clex(&fs);
    fpu_set_cw(&fs, 0x037B); /* ZE unmasked */
    *fpu_st(&fs, 0) = R(1.0L);
    fpu_arith_reg(&fs, FPH_DIV, 0, 1, false);
    ck_assert(LD(fpu_st(&fs, 0)) == 1.0L); /* destination unchanged */
    ck_assert(fs.sw & FPU_SW_ZE);
    ck_assert(fpu_pending(&fs));
    fpu_set_cw(&fs, 0x037F); /* masking again clears ES */
    ck_assert(!fpu_pending(&fs));
    fpu_arith_reg(&fs, FPH_DIV, 0, 1, false);
    ck_assert(isinf(LD(fpu_st(&fs, 0))));
}
END_TEST

START_TEST(snan_and_denormal)
{
    FpuState fs = fresh();
    uint8_t m[16] = {0x01, 0x00, 0x80, 0x7F}; /* float SNaN */
    push_ld(&fs, 1.0L);
    fpu_arith_mem(&fs, FPH_ADD, FPH_LD_F32, m);
    ck_assert(fs.sw & FPU_SW_IE);
    ck_assert_uint_eq(fpu_st(&fs, 0)->mant, 0xC000010000000000ull);
    fpu_clex(&fs);
    memset(m, 0, sizeof(m));
    m[0] = 1; /* smallest float denormal */
    fpu_arith_mem(&fs, FPH_ADD, FPH_LD_F32, m);
    ck_assert(fs.sw & FPU_SW_DE);
}
END_TEST

START_TEST(fprem_quotient_bits)
{
    FpuState fs = fresh();
    push_ld(&fs, 3.0L);
    push_ld(&fs, 11.0L); /* 11 = 3 * 3 + 2: Q = 011b */
    fpu_binary_st1(&fs, FPH_PREM);
    ck_assert(LD(fpu_st(&fs, 0)) == 2.0L);
    ck_assert(!(fs.sw & FPU_SW_C2));
    ck_assert(!(fs.sw & FPU_SW_C0)); /* Q2 */
    ck_assert(fs.sw & FPU_SW_C3);    /* Q1 */
    ck_assert(fs.sw & FPU_SW_C1);    /* Q0 */
    *fpu_st(&fs, 0) = R(11.0L);
    fpu_binary_st1(&fs, FPH_PREM1); /* 11 = 4 * 3 - 1 */
    ck_assert(LD(fpu_st(&fs, 0)) == -1.0L);
    ck_assert(fs.sw & FPU_SW_C0); /* Q2 of 100b */
    ck_assert(!(fs.sw & FPU_SW_C1));
    *fpu_st(&fs, 0) = R(0x1p100L);
    fpu_binary_st1(&fs, FPH_PREM); /* partial remainder */
    ck_assert(fs.sw & FPU_SW_C2);
}
END_TEST

START_TEST(trig_range)
{
    FpuState fs = fresh();
    push_ld(&fs, 0x1p63L);
    fpu_unary(&fs, FPH_SIN);
    ck_assert(fs.sw & FPU_SW_C2);
    ck_assert(LD(fpu_st(&fs, 0)) == 0x1p63L);
    fpu_unary_push(&fs, FPH_SINCOS); /* out of range: no push */
    ck_assert_uint_eq(fs.top, 7);
    *fpu_st(&fs, 0) = R(0.5L);
    fpu_unary_push(&fs, FPH_SINCOS);
    ck_assert_uint_eq(fs.top, 6);
    ck_assert(!(fs.sw & FPU_SW_C2));
    ck_assert(fabsl(LD(fpu_st(&fs, 0)) - cosl(0.5L)) < 1e-18L);
    ck_assert(fabsl(LD(fpu_st(&fs, 1)) - sinl(0.5L)) < 1e-18L);
    fpu_unary_push(&fs, FPH_PTAN);
    ck_assert(LD(fpu_st(&fs, 0)) == 1.0L);
}
END_TEST

START_TEST(xtract_scale)
{
    FpuState fs = fresh();
    push_ld(&fs, 48.0L);
    fpu_unary_push(&fs, FPH_XTRACT);
    ck_assert(LD(fpu_st(&fs, 0)) == 1.5L);
    ck_assert(LD(fpu_st(&fs, 1)) == 5.0L);
    fpu_xch(&fs, 1);
    fpu_xch(&fs, 1);
    fpu_binary_st1(&fs, FPH_SCALE); /* 1.5 * 2^5 */
    ck_assert(LD(fpu_st(&fs, 0)) == 48.0L);
    fpu_binary_pop(&fs, FPH_YL2X); /* 5 * log2(48) */
    ck_assert(fabsl(LD(fpu_st(&fs, 0)) - 5 * log2l(48.0L)) < 1e-17L);
}
END_TEST

START_TEST(integer_stores)
{
    FpuState fs = fresh();
    uint8_t m[16];
    int16_t v16;
    push_ld(&fs, 1e10L);
    ck_assert(fpu_store_mem(&fs, FPH_ST_I16, m, false));
    memcpy(&v16, m, 2);
    ck_assert_int_eq(v16, INT16_MIN); /* integer indefinite */
    ck_assert(fs.sw & FPU_SW_IE);
    fpu_set_cw(&fs, 0x037E);
    ck_assert(!fpu_store_mem(&fs, FPH_ST_I16, m, true)); /* unmasked */
    ck_assert_uint_eq(fs.top, 7);
    fpu_set_cw(&fs, 0x037F);
    fpu_clex(&fs);
    *fpu_st(&fs, 0) = R(-2.5L);
    ck_assert(fpu_store_mem(&fs, FPH_ST_I32, m, true));
    ck_assert_int_eq(m[0], 0xFE); /* -2 (nearest even) */
    ck_assert_uint_eq(fs.empty, 0xFF);
}
END_TEST

START_TEST(bcd_round_trip)
{
    FpuState fs = fresh();
    uint8_t m[16];
    static const uint8_t want[10] = {0x89, 0x67, 0x45, 0x23, 0x01, 0, 0, 0,
                                     0, 0x80};
    push_ld(&fs, -123456789.0L);
    ck_assert(fpu_store_mem(&fs, FPH_ST_BCD, m, true));
    ck_assert_mem_eq(m, want, 10);
    fpu_load_mem(&fs, FPH_LD_BCD, m);
    ck_assert(LD(fpu_st(&fs, 0)) == -123456789.0L);
    push_ld(&fs, 1e19L); /* out of BCD range */
    ck_assert(fpu_store_mem(&fs, FPH_ST_BCD, m, true));
    ck_assert_uint_eq(m[9], 0xFF);
    ck_assert_uint_eq(m[8], 0xFF);
    ck_assert_uint_eq(m[7], 0xC0);
}
END_TEST

START_TEST(compares)
{
    FpuState fs = fresh();
    bool w;
    push_ld(&fs, 2.0L);
    push_ld(&fs, 1.0L);
    fpu_compare_reg(&fs, FPH_COM, 1, 0);
    ck_assert_uint_eq(fs.sw & FPU_SW_CC, FPU_SW_C0); /* less */
    ck_assert_uint_eq(fpu_comi(&fs, FPH_COM, 1, false, &w), 0x01);
    ck_assert(w);
    push_ld(&fs, NAN);
    fpu_compare_reg(&fs, FPH_UCOM, 1, 0);
    ck_assert_uint_eq(fs.sw & FPU_SW_CC, FPU_SW_C0 | FPU_SW_C2 | FPU_SW_C3);
    ck_assert(!(fs.sw & FPU_SW_IE)); /* FUCOM: QNaN is quiet */
    fpu_compare_reg(&fs, FPH_COM, 1, 2);
    ck_assert(fs.sw & FPU_SW_IE);
    ck_assert_uint_eq(fs.top, 7);
    fpu_tst(&fs);
    ck_assert_uint_eq(fs.sw & (FPU_SW_C0 | FPU_SW_C3), 0); /* 2 > 0 */
}
END_TEST

START_TEST(xam_classes)
{
    FpuState fs = fresh();
    fpu_xam(&fs); /* empty */
    ck_assert_uint_eq(fs.sw & (FPU_SW_C0 | FPU_SW_C2 | FPU_SW_C3),
                      FPU_SW_C0 | FPU_SW_C3);
    push_ld(&fs, -INFINITY);
    fpu_xam(&fs);
    ck_assert_uint_eq(fs.sw & FPU_SW_CC, FPU_SW_C0 | FPU_SW_C2 | FPU_SW_C1);
    fpu_chs(&fs);
    fpu_xam(&fs);
    ck_assert_uint_eq(fs.sw & FPU_SW_CC, FPU_SW_C0 | FPU_SW_C2);
}
END_TEST

START_TEST(constants_follow_rc)
{
    FpuState fs = fresh();
    fpu_load_const(&fs, FPH_LDPI);
    uint64_t near = fpu_st(&fs, 0)->mant;
    ck_assert_uint_eq(near, 0xC90FDAA22168C235ull);
    fpu_set_cw(&fs, 0x077F); /* round down */
    fpu_load_const(&fs, FPH_LDPI);
    ck_assert_uint_eq(fpu_st(&fs, 0)->mant, 0xC90FDAA22168C234ull);
}
END_TEST

START_TEST(fsave_layout_32)
{
    FpuState fs = fresh();
    uint8_t b[108];
    push_ld(&fs, 1.0L);
    push_ld(&fs, 2.0L);
    fpu_note_insn(&fs, 0x08, 0x12345678, 0x5C1);
    fpu_note_data(&fs, 0x10, 0xABCDEF01);
    ck_assert_uint_eq(fpu_save(&fs, b, true, false), 108);
    uint32_t w[7];
    memcpy(w, b, 28);
    ck_assert_uint_eq(w[0], 0xFFFF037F);
    ck_assert_uint_eq(w[1], 0xFFFF3000); /* TOP = 6 */
    ck_assert_uint_eq(w[2], 0xFFFF0FFF); /* R6, R7 valid */
    ck_assert_uint_eq(w[3], 0x12345678);
    ck_assert_uint_eq(w[4], 0x05C10008);
    ck_assert_uint_eq(w[5], 0xABCDEF01);
    ck_assert_uint_eq(w[6], 0xFFFF0010);
    ck_assert(LD((FpuReg *)(b + 28)) == 2.0L); /* ST(0) first */
    ck_assert(LD((FpuReg *)(b + 38)) == 1.0L);
    ck_assert_uint_eq(fs.empty, 0xFF); /* FSAVE re-initializes */
    fpu_restore(&fs, b, true, false);
    ck_assert(LD(fpu_st(&fs, 1)) == 1.0L);
    ck_assert_uint_eq(fs.top, 6);
    ck_assert_uint_eq(fs.fop, 0x5C1);
    ck_assert_uint_eq(fs.fdp, 0xABCDEF01);
}
END_TEST

START_TEST(fstenv_real16)
{
    FpuState fs = fresh();
    uint8_t b[14];
    fpu_note_insn(&fs, 0xF000, 0xFFF0, 0x1E8);
    fpu_note_data(&fs, 0x1234, 0x0010);
    ck_assert_uint_eq(fpu_store_env(&fs, b, false, true), 14);
    uint16_t w[7];
    memcpy(w, b, 14);
    ck_assert_uint_eq(w[3], 0xFFF0);          /* linear FFFF0 low */
    ck_assert_uint_eq(w[4], 0xF000 | 0x1E8);  /* bits 19..16, FOP */
    ck_assert_uint_eq(w[5], 0x2350);          /* linear 12350 low */
    ck_assert_uint_eq(w[6], 0x1000);
    fpu_load_env(&fs, b, false, true);
    ck_assert_uint_eq(fs.fip, 0xFFFF0);
    ck_assert_uint_eq(fs.fdp, 0x12350);
}
END_TEST

START_TEST(unmasked_exception_after_fldenv)
{
    FpuState fs = fresh();
    uint8_t b[28];
    fs.sw |= FPU_SW_ZE;
    fpu_store_env(&fs, b, true, false);
    b[0] = 0x7B; /* unmask ZE in the image */
    fpu_load_env(&fs, b, true, false);
    ck_assert(fpu_pending(&fs));
}
END_TEST

START_TEST(fxsave_layout)
{
    FpuState fs = fresh();
    uint8_t b[512];
    push_ld(&fs, 3.0L);
    fpu_note_insn(&fs, 0x08, 0x1000, 0x1C0);
    fpu_fxsave(&fs, b);
    ck_assert_uint_eq(b[0] | b[1] << 8, 0x037F);
    ck_assert_uint_eq(b[2] | b[3] << 8, 0x3800);
    ck_assert_uint_eq(b[4], 0x80); /* abridged: only R7 */
    ck_assert_uint_eq(b[6] | b[7] << 8, 0x1C0);
    ck_assert_uint_eq(b[24] | b[25] << 8, 0x1F80);
    ck_assert(LD((FpuReg *)(b + 32)) == 3.0L);
    FpuState g = fresh();
    fpu_fxrstor(&g, b);
    ck_assert_uint_eq(g.top, 7);
    ck_assert_uint_eq(g.empty, 0x7F);
    ck_assert(LD(fpu_st(&g, 0)) == 3.0L);
}
END_TEST

START_TEST(mmx_aliasing)
{
    FpuState fs = fresh();
    push_ld(&fs, 1.0L);
    fpu_mmx_enter(&fs);
    fpu_mmx_set(&fs, 3, 0x0123456789ABCDEFull);
    ck_assert_uint_eq(fs.top, 0);
    ck_assert_uint_eq(fs.r[3].sexp, 0xFFFF);
    ck_assert_uint_eq(fpu_get_tw(&fs) >> 6 & 3, FPU_TAG_SPECIAL);
    ck_assert_uint_eq(fpu_mmx_get(&fs, 3), 0x0123456789ABCDEFull);
    fpu_emms(&fs);
    ck_assert_uint_eq(fpu_get_tw(&fs), 0xFFFF);
}
END_TEST

START_TEST(fcmov_and_free)
{
    FpuState fs = fresh();
    push_ld(&fs, 7.0L);
    push_ld(&fs, 1.0L);
    fpu_cmov(&fs, 1, false);
    ck_assert(LD(fpu_st(&fs, 0)) == 1.0L);
    fpu_cmov(&fs, 1, true);
    ck_assert(LD(fpu_st(&fs, 0)) == 7.0L);
    fpu_free(&fs, 1);
    fpu_cmov(&fs, 1, true); /* empty source: #IS, masked */
    ck_assert_uint_eq(fpu_st(&fs, 0)->mant, FPU_INDEF_MANT);
    ck_assert(fs.sw & FPU_SW_SF);
}
END_TEST

/* SDM vol. 1 4.9.1.4/4.9.1.5: unmasked OE/UE into a register deliver the
 * result with the exponent wrapped by 24576. */
START_TEST(unmasked_overflow_underflow_wrap)
{
    FpuState fs = fresh();
    fpu_set_cw(&fs, 0x0377); /* OE unmasked */
    push_ld(&fs, 0x1p1000L);
    push_ld(&fs, 0x1p16000L);
    fpu_arith_reg(&fs, FPH_MUL, 0, 1, false);
    ck_assert(LD(fpu_st(&fs, 0)) == 0x1p-7576L); /* 2^17000 / 2^24576 */
    ck_assert(fs.sw & FPU_SW_OE);
    ck_assert(!(fs.sw & FPU_SW_PE)); /* exact */
    ck_assert(fpu_pending(&fs));
    fpu_init(&fs);
    fpu_set_cw(&fs, 0x036F); /* UE unmasked */
    push_ld(&fs, 0x1p1000L);
    push_ld(&fs, 0x1p-16000L);
    fpu_arith_reg(&fs, FPH_DIV, 0, 1, false);
    ck_assert(LD(fpu_st(&fs, 0)) == 0x1p7576L); /* 2^-17000 * 2^24576 */
    ck_assert(fs.sw & FPU_SW_UE);
    fpu_init(&fs);
    fpu_set_cw(&fs, 0x0377);
    push_ld(&fs, 0x1p16383L * 1.5L);
    push_ld(&fs, 0x1p16383L * 1.5L);
    fpu_arith_reg(&fs, FPH_ADD, 0, 1, false); /* 3 * 2^16383 */
    ck_assert(LD(fpu_st(&fs, 0)) == 0x1p-8192L * 1.5L);
    fpu_init(&fs);
    fpu_set_cw(&fs, 0x0377);
    push_ld(&fs, 20000.0L);
    push_ld(&fs, 1.0L);
    fpu_binary_st1(&fs, FPH_SCALE); /* 2^20000 -> 2^(20000 - 24576) */
    ck_assert(LD(fpu_st(&fs, 0)) == 0x1p-4576L);
    /* UE unmasked: an exact denormal result is an underflow as well
     * (value measured on hardware: 2^-16400 * 2^24576). */
    fpu_init(&fs);
    fpu_set_cw(&fs, 0x036F);
    push_ld(&fs, 1.0L);
    push_ld(&fs, 0x1p-16400L);
    fpu_arith_reg(&fs, FPH_MUL, 0, 1, false);
    ck_assert_uint_eq(fpu_st(&fs, 0)->sexp, 0x5FEF);
    ck_assert_uint_eq(fs.sw & (FPU_SW_UE | FPU_SW_PE), FPU_SW_UE);
    /* Masked: infinity as usual. */
    fpu_init(&fs);
    push_ld(&fs, 0x1p1000L);
    push_ld(&fs, 0x1p16000L);
    fpu_arith_reg(&fs, FPH_MUL, 0, 1, false);
    ck_assert(isinf(LD(fpu_st(&fs, 0))));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fpu_core");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, init_state);
    tcase_add_test(tc, add_int_and_tags);
    tcase_add_test(tc, sub_and_reverse);
    tcase_add_test(tc, precision_control);
    tcase_add_test(tc, rounding_control);
    tcase_add_test(tc, round_up_sets_c1);
    tcase_add_test(tc, stack_overflow_masked);
    tcase_add_test(tc, stack_underflow_unmasked);
    tcase_add_test(tc, invalid_and_zero_divide);
    tcase_add_test(tc, snan_and_denormal);
    tcase_add_test(tc, fprem_quotient_bits);
    tcase_add_test(tc, trig_range);
    tcase_add_test(tc, xtract_scale);
    tcase_add_test(tc, integer_stores);
    tcase_add_test(tc, bcd_round_trip);
    tcase_add_test(tc, compares);
    tcase_add_test(tc, xam_classes);
    tcase_add_test(tc, constants_follow_rc);
    tcase_add_test(tc, fsave_layout_32);
    tcase_add_test(tc, fstenv_real16);
    tcase_add_test(tc, unmasked_exception_after_fldenv);
    tcase_add_test(tc, fxsave_layout);
    tcase_add_test(tc, mmx_aliasing);
    tcase_add_test(tc, fcmov_and_free);
    tcase_add_test(tc, unmasked_overflow_underflow_wrap);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
