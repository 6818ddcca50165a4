/* Differential test of the x87 core (fpu_core.c + fpu_host_x86.c) against
 * Unicorn (QEMU's softfloat x87). Each case runs
 *     fninit; fldcw cw; fld b; fld a; <instruction>; fnsave
 * in Unicorn (32-bit flat code) and the same sequence on the core, then
 * compares CW, SW (TOP, exception flags, the condition codes the SDM
 * defines for the instruction), the tag word, every non-empty register,
 * the memory result and, for FCOMI, EFLAGS.
 *
 * Unicorn is not the reference: the core executes the host's x87, i.e.
 * real hardware. Mismatches are grouped per instruction and category; the
 * categories in which Unicorn is known to deviate from hardware are listed
 * in known_deviations[] with the reason (tests/diff/README-fpu.md has the
 * detail). Any other mismatch fails the test. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "frontend/fpu_core.h"

#define CODE 0x1000
#define DATA 0x3000
#define CW_AT 0x3000
#define B_AT 0x3010
#define A_AT 0x3020
#define MIN_AT 0x3030
#define MOUT_AT 0x3040
#define SAVE_AT 0x3100
#define EFL_AT 0x3200

typedef void (*CoreFn)(FpuState *fs, const uint8_t *min, uint8_t *mout,
                       uint32_t *efl);

typedef enum MemFmt { M_NONE, M_F32, M_F64, M_I16, M_I32, M_I64, M_BCD,
                      M_F80 } MemFmt;

typedef struct DiffOp {
    const char *name;
    uint8_t code[8];
    unsigned len;
    unsigned nin;    /* stack inputs: 0, 1 (a) or 2 (a, b) */
    MemFmt min;      /* memory source at [MIN_AT] */
    unsigned mout;   /* bytes of memory result at [MOUT_AT] */
    uint16_t ccmask; /* condition codes the SDM defines */
    bool eflags;
    CoreFn core;
} DiffOp;

/* --- our side of each instruction --------------------------------- */
#define UNUSED (void)min, (void)mout, (void)efl
static void c_add(FpuState *fs, const uint8_t *min, uint8_t *mout,
                  uint32_t *efl) { UNUSED; fpu_arith_reg(fs, FPH_ADD, 0, 1, false); }
static void c_mul(FpuState *fs, const uint8_t *min, uint8_t *mout,
                  uint32_t *efl) { UNUSED; fpu_arith_reg(fs, FPH_MUL, 0, 1, false); }
static void c_sub(FpuState *fs, const uint8_t *min, uint8_t *mout,
                  uint32_t *efl) { UNUSED; fpu_arith_reg(fs, FPH_SUB, 0, 1, false); }
static void c_subr(FpuState *fs, const uint8_t *min, uint8_t *mout,
                   uint32_t *efl) { UNUSED; fpu_arith_reg(fs, FPH_SUBR, 0, 1, false); }
static void c_div(FpuState *fs, const uint8_t *min, uint8_t *mout,
                  uint32_t *efl) { UNUSED; fpu_arith_reg(fs, FPH_DIV, 0, 1, false); }
static void c_divrp(FpuState *fs, const uint8_t *min, uint8_t *mout,
                    uint32_t *efl) { UNUSED; fpu_arith_reg(fs, FPH_DIVR, 1, 0, true); }
static void c_com(FpuState *fs, const uint8_t *min, uint8_t *mout,
                  uint32_t *efl) { UNUSED; fpu_compare_reg(fs, FPH_COM, 1, 0); }
static void c_ucompp(FpuState *fs, const uint8_t *min, uint8_t *mout,
                     uint32_t *efl) { UNUSED; fpu_compare_reg(fs, FPH_UCOM, 1, 2); }
static void c_comi(FpuState *fs, const uint8_t *min, uint8_t *mout,
                   uint32_t *efl)
{
    bool w;
    UNUSED;
    uint32_t f = fpu_comi(fs, FPH_COM, 1, false, &w);
    if (w) {
        *efl = (*efl & ~0x8D5u) | f;
    }
}
static void c_ucomi(FpuState *fs, const uint8_t *min, uint8_t *mout,
                    uint32_t *efl)
{
    bool w;
    UNUSED;
    uint32_t f = fpu_comi(fs, FPH_UCOM, 1, false, &w);
    if (w) {
        *efl = (*efl & ~0x8D5u) | f;
    }
}
static void c_sqrt(FpuState *fs, const uint8_t *min, uint8_t *mout,
                   uint32_t *efl) { UNUSED; fpu_unary(fs, FPH_SQRT); }
static void c_rndint(FpuState *fs, const uint8_t *min, uint8_t *mout,
                     uint32_t *efl) { UNUSED; fpu_unary(fs, FPH_RNDINT); }
static void c_sin(FpuState *fs, const uint8_t *min, uint8_t *mout,
                  uint32_t *efl) { UNUSED; fpu_unary(fs, FPH_SIN); }
static void c_cos(FpuState *fs, const uint8_t *min, uint8_t *mout,
                  uint32_t *efl) { UNUSED; fpu_unary(fs, FPH_COS); }
static void c_2xm1(FpuState *fs, const uint8_t *min, uint8_t *mout,
                   uint32_t *efl) { UNUSED; fpu_unary(fs, FPH_2XM1); }
static void c_sincos(FpuState *fs, const uint8_t *min, uint8_t *mout,
                     uint32_t *efl) { UNUSED; fpu_unary_push(fs, FPH_SINCOS); }
static void c_ptan(FpuState *fs, const uint8_t *min, uint8_t *mout,
                   uint32_t *efl) { UNUSED; fpu_unary_push(fs, FPH_PTAN); }
static void c_xtract(FpuState *fs, const uint8_t *min, uint8_t *mout,
                     uint32_t *efl) { UNUSED; fpu_unary_push(fs, FPH_XTRACT); }
static void c_prem(FpuState *fs, const uint8_t *min, uint8_t *mout,
                   uint32_t *efl) { UNUSED; fpu_binary_st1(fs, FPH_PREM); }
static void c_prem1(FpuState *fs, const uint8_t *min, uint8_t *mout,
                    uint32_t *efl) { UNUSED; fpu_binary_st1(fs, FPH_PREM1); }
static void c_scale(FpuState *fs, const uint8_t *min, uint8_t *mout,
                    uint32_t *efl) { UNUSED; fpu_binary_st1(fs, FPH_SCALE); }
static void c_patan(FpuState *fs, const uint8_t *min, uint8_t *mout,
                    uint32_t *efl) { UNUSED; fpu_binary_pop(fs, FPH_PATAN); }
static void c_yl2x(FpuState *fs, const uint8_t *min, uint8_t *mout,
                   uint32_t *efl) { UNUSED; fpu_binary_pop(fs, FPH_YL2X); }
static void c_yl2xp1(FpuState *fs, const uint8_t *min, uint8_t *mout,
                     uint32_t *efl) { UNUSED; fpu_binary_pop(fs, FPH_YL2XP1); }
static void c_xam(FpuState *fs, const uint8_t *min, uint8_t *mout,
                  uint32_t *efl) { UNUSED; fpu_xam(fs); }
static void c_tst(FpuState *fs, const uint8_t *min, uint8_t *mout,
                  uint32_t *efl) { UNUSED; fpu_tst(fs); }
static void c_chs(FpuState *fs, const uint8_t *min, uint8_t *mout,
                  uint32_t *efl) { UNUSED; fpu_chs(fs); }
static void c_ld_f32(FpuState *fs, const uint8_t *min, uint8_t *mout,
                     uint32_t *efl) { UNUSED; fpu_load_mem(fs, FPH_LD_F32, min); }
static void c_ld_f64(FpuState *fs, const uint8_t *min, uint8_t *mout,
                     uint32_t *efl) { UNUSED; fpu_load_mem(fs, FPH_LD_F64, min); }
static void c_ld_i16(FpuState *fs, const uint8_t *min, uint8_t *mout,
                     uint32_t *efl) { UNUSED; fpu_load_mem(fs, FPH_LD_I16, min); }
static void c_ld_i64(FpuState *fs, const uint8_t *min, uint8_t *mout,
                     uint32_t *efl) { UNUSED; fpu_load_mem(fs, FPH_LD_I64, min); }
static void c_ld_bcd(FpuState *fs, const uint8_t *min, uint8_t *mout,
                     uint32_t *efl) { UNUSED; fpu_load_mem(fs, FPH_LD_BCD, min); }
static void c_add_f32(FpuState *fs, const uint8_t *min, uint8_t *mout,
                      uint32_t *efl) { UNUSED; fpu_arith_mem(fs, FPH_ADD, FPH_LD_F32, min); }
static void c_divr_f64(FpuState *fs, const uint8_t *min, uint8_t *mout,
                       uint32_t *efl) { UNUSED; fpu_arith_mem(fs, FPH_DIVR, FPH_LD_F64, min); }
static void c_imul_i32(FpuState *fs, const uint8_t *min, uint8_t *mout,
                       uint32_t *efl) { UNUSED; fpu_arith_mem(fs, FPH_MUL, FPH_LD_I32, min); }
static void c_com_f64(FpuState *fs, const uint8_t *min, uint8_t *mout,
                      uint32_t *efl) { UNUSED; fpu_compare_mem(fs, FPH_COM, FPH_LD_F64, min, false); }
static void store(FpuState *fs, FpuHostOp op, uint8_t *mout, bool pop)
{
    uint8_t m[16];
    if (fpu_store_mem(fs, op, m, pop)) {
        memcpy(mout, m, 10);
    }
}
static void c_st_f32(FpuState *fs, const uint8_t *min, uint8_t *mout,
                     uint32_t *efl) { UNUSED; store(fs, FPH_ST_F32, mout, false); }
static void c_st_f64(FpuState *fs, const uint8_t *min, uint8_t *mout,
                     uint32_t *efl) { UNUSED; store(fs, FPH_ST_F64, mout, true); }
static void c_st_i16(FpuState *fs, const uint8_t *min, uint8_t *mout,
                     uint32_t *efl) { UNUSED; store(fs, FPH_ST_I16, mout, false); }
static void c_st_i32(FpuState *fs, const uint8_t *min, uint8_t *mout,
                     uint32_t *efl) { UNUSED; store(fs, FPH_ST_I32, mout, true); }
static void c_st_i64(FpuState *fs, const uint8_t *min, uint8_t *mout,
                     uint32_t *efl) { UNUSED; store(fs, FPH_ST_I64, mout, true); }
static void c_st_bcd(FpuState *fs, const uint8_t *min, uint8_t *mout,
                     uint32_t *efl) { UNUSED; store(fs, FPH_ST_BCD, mout, true); }

#define MEMIN 0x05, 0x30, 0x30, 0, 0   /* disp32 0x3030 after ModRM */
#define MEMOUT 0x40, 0x30, 0, 0
#define CC_ALL FPU_SW_CC
#define C1 FPU_SW_C1
#define C12 (FPU_SW_C1 | FPU_SW_C2)

static const DiffOp ops[] = {
    {"fadd", {0xD8, 0xC1}, 2, 2, M_NONE, 0, C1, false, c_add},
    {"fmul", {0xD8, 0xC9}, 2, 2, M_NONE, 0, C1, false, c_mul},
    {"fsub", {0xD8, 0xE1}, 2, 2, M_NONE, 0, C1, false, c_sub},
    {"fsubr", {0xD8, 0xE9}, 2, 2, M_NONE, 0, C1, false, c_subr},
    {"fdiv", {0xD8, 0xF1}, 2, 2, M_NONE, 0, C1, false, c_div},
    {"fdivrp", {0xDE, 0xF1}, 2, 2, M_NONE, 0, C1, false, c_divrp},
    {"fcom", {0xD8, 0xD1}, 2, 2, M_NONE, 0, CC_ALL, false, c_com},
    {"fucompp", {0xDA, 0xE9}, 2, 2, M_NONE, 0, CC_ALL, false, c_ucompp},
    {"fcomi", {0xDB, 0xF1}, 2, 2, M_NONE, 0, C1, true, c_comi},
    {"fucomi", {0xDB, 0xE9}, 2, 2, M_NONE, 0, C1, true, c_ucomi},
    {"fsqrt", {0xD9, 0xFA}, 2, 1, M_NONE, 0, C1, false, c_sqrt},
    {"frndint", {0xD9, 0xFC}, 2, 1, M_NONE, 0, C1, false, c_rndint},
    {"fsin", {0xD9, 0xFE}, 2, 1, M_NONE, 0, C12, false, c_sin},
    {"fcos", {0xD9, 0xFF}, 2, 1, M_NONE, 0, C12, false, c_cos},
    {"fsincos", {0xD9, 0xFB}, 2, 1, M_NONE, 0, C12, false, c_sincos},
    {"fptan", {0xD9, 0xF2}, 2, 1, M_NONE, 0, C12, false, c_ptan},
    {"f2xm1", {0xD9, 0xF0}, 2, 1, M_NONE, 0, C1, false, c_2xm1},
    {"fxtract", {0xD9, 0xF4}, 2, 1, M_NONE, 0, C1, false, c_xtract},
    {"fprem", {0xD9, 0xF8}, 2, 2, M_NONE, 0, CC_ALL, false, c_prem},
    {"fprem1", {0xD9, 0xF5}, 2, 2, M_NONE, 0, CC_ALL, false, c_prem1},
    {"fscale", {0xD9, 0xFD}, 2, 2, M_NONE, 0, C1, false, c_scale},
    {"fpatan", {0xD9, 0xF3}, 2, 2, M_NONE, 0, C1, false, c_patan},
    {"fyl2x", {0xD9, 0xF1}, 2, 2, M_NONE, 0, C1, false, c_yl2x},
    {"fyl2xp1", {0xD9, 0xF9}, 2, 2, M_NONE, 0, C1, false, c_yl2xp1},
    {"fxam", {0xD9, 0xE5}, 2, 1, M_NONE, 0, CC_ALL, false, c_xam},
    {"ftst", {0xD9, 0xE4}, 2, 1, M_NONE, 0, CC_ALL, false, c_tst},
    {"fchs", {0xD9, 0xE0}, 2, 1, M_NONE, 0, C1, false, c_chs},
    {"fld m32", {0xD9, MEMIN}, 6, 0, M_F32, 0, C1, false, c_ld_f32},
    {"fld m64", {0xDD, MEMIN}, 6, 0, M_F64, 0, C1, false, c_ld_f64},
    {"fild m16", {0xDF, MEMIN}, 6, 0, M_I16, 0, C1, false, c_ld_i16},
    {"fild m64", {0xDF, 0x2D, 0x30, 0x30, 0, 0}, 6, 0, M_I64, 0, C1, false,
     c_ld_i64},
    {"fbld", {0xDF, 0x25, 0x30, 0x30, 0, 0}, 6, 0, M_BCD, 0, C1, false,
     c_ld_bcd},
    {"fadd m32", {0xD8, MEMIN}, 6, 1, M_F32, 0, C1, false, c_add_f32},
    {"fdivr m64", {0xDC, 0x3D, 0x30, 0x30, 0, 0}, 6, 1, M_F64, 0, C1, false,
     c_divr_f64},
    {"fimul m32", {0xDA, 0x0D, 0x30, 0x30, 0, 0}, 6, 1, M_I32, 0, C1, false,
     c_imul_i32},
    {"fcom m64", {0xDC, 0x15, 0x30, 0x30, 0, 0}, 6, 1, M_F64, 0, CC_ALL,
     false, c_com_f64},
    {"fst m32", {0xD9, 0x15, MEMOUT}, 6, 1, M_NONE, 4, C1, false, c_st_f32},
    {"fstp m64", {0xDD, 0x1D, MEMOUT}, 6, 1, M_NONE, 8, C1, false, c_st_f64},
    {"fist m16", {0xDF, 0x15, MEMOUT}, 6, 1, M_NONE, 2, C1, false, c_st_i16},
    {"fistp m32", {0xDB, 0x1D, MEMOUT}, 6, 1, M_NONE, 4, C1, false, c_st_i32},
    {"fistp m64", {0xDF, 0x3D, MEMOUT}, 6, 1, M_NONE, 8, C1, false, c_st_i64},
    {"fbstp", {0xDF, 0x35, MEMOUT}, 6, 1, M_NONE, 10, C1, false, c_st_bcd},
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

/* --- operands ----------------------------------------------------- */
typedef struct X80 {
    uint64_t m;
    uint16_t e;
} X80;

static const X80 specials[] = {
    {0, 0},                                  /* +0 */
    {0, 0x8000},                             /* -0 */
    {0x8000000000000000ull, 0x3FFF},         /* 1 */
    {0xC000000000000000ull, 0xBFFF},         /* -1.5 */
    {0xAAAAAAAAAAAAAAABull, 0x3FFD},         /* ~1/3 */
    {0xC90FDAA22168C235ull, 0x4000},         /* pi */
    {0x8000000000000000ull, 0x403E},         /* 2^63 */
    {0xFFFFFFFFFFFFFFFFull, 0x403D},         /* 2^62 range max */
    {0x8000000000000000ull, 0x0001},         /* min normal */
    {0x0000000000000001ull, 0x0000},         /* min denormal */
    {0x4000000000000000ull, 0x8000},         /* -denormal */
    {0xFFFFFFFFFFFFFFFFull, 0x7FFE},         /* max */
    {0x8000000000000000ull, 0x7FFF},         /* +inf */
    {0x8000000000000000ull, 0xFFFF},         /* -inf */
    {0xC000000000000000ull, 0x7FFF},         /* QNaN */
    {0xC000000000000000ull, 0xFFFF},         /* indefinite */
    {0xA000000000000000ull, 0x7FFF},         /* SNaN */
    {0x9234567800000000ull, 0xFFFF},         /* -SNaN */
    {0x8000000000000001ull, 0x4007},         /* 256 + ulp */
    {0xB504F333F9DE6484ull, 0x3FFF},         /* sqrt 2 */
    {0x8000000000000000ull, 0x3FBE},         /* 2^-65 */
    {0x8000000000000000ull, 0x4012},         /* 2^19 */
    {0xC000000000000000ull, 0x400E},         /* 49152 (int16 ovf) */
    {0xDE0B6B3A76400000ull, 0x403A},         /* 1e18 (BCD max) */
    {0x8AC7230489E80000ull, 0x403F},         /* 1e19 (BCD ovf) */
    {0xFFFFFFFFFFFFFFFFull, 0x3FFE},         /* 1 - ulp */
    {0x8000000000000000ull, 0x3FFE},         /* 0.5 */
};
#define NSPEC (sizeof(specials) / sizeof(specials[0]))
#define NRAND 12

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Operand i: the specials, then normal randoms around 1 and wide ones. */
static X80 operand(unsigned i)
{
    if (i < NSPEC) {
        return specials[i];
    }
    uint64_t s = 0x9E3779B97F4A7C15ull * (i + 1);
    X80 x;
    x.m = rng_next(&s) | 0x8000000000000000ull;
    unsigned r = (unsigned)rng_next(&s);
    x.e = (uint16_t)((i & 1) ? 0x3FFF - 8 + (r % 16) : 0x3FFF - 70 + (r % 140));
    x.e |= (uint16_t)((r >> 16) & 1) << 15;
    return x;
}

static const uint64_t mem_patterns[][7] = {
    /* F32, F64, I16, I32, I64, BCD low 8 bytes */
    {0x00000000, 0, 0, 0, 0, 0x0000000000000000ull},
    {0x80000000, 0x8000000000000000ull, 0xFFFF, 0xFFFFFFFF,
     0xFFFFFFFFFFFFFFFFull, 0x0000000000000001ull},
    {0x3F800000, 0x3FF0000000000000ull, 0x7FFF, 0x7FFFFFFF,
     0x7FFFFFFFFFFFFFFFull, 0x9999999999999999ull},
    {0x7F800000, 0x7FF0000000000000ull, 0x8000, 0x80000000,
     0x8000000000000000ull, 0x1234567890123456ull},
    {0x7FC00000, 0x7FF8000000000000ull, 0x1234, 0x12345678,
     0x123456789ABCDEFull, 0x00000000000000A0ull},
    {0x7F800001, 0x7FF0000000000001ull, 1, 1, 1, 0x5000000000000000ull},
    {0x00000001, 0x0000000000000001ull, 0xFF00, 0xFFFF0000,
     0xFFFFFFFF00000000ull, 0x0000000000000099ull},
    {0x807FFFFF, 0x800FFFFFFFFFFFFFull, 3, 3, 3, 0x0000000000000010ull},
    {0x7F7FFFFF, 0x7FEFFFFFFFFFFFFFull, 10, 100, 1000,
     0x0000000000001000ull},
    {0x00800000, 0x0010000000000000ull, 0xFFFE, 0xFFFFFFFE,
     0xFFFFFFFFFFFFFFFEull, 0x0000000000000001ull},
    {0x40490FDB, 0x400921FB54442D18ull, 0x4000, 0x40000000,
     0x4000000000000000ull, 0x3141592653589793ull},
    {0xFF800001, 0xFFF0000000000001ull, 0x00FF, 0x00FF00FF,
     0x0000FFFF0000FFFFull, 0x0000000000000000ull},
};
#define NMEM (sizeof(mem_patterns) / sizeof(mem_patterns[0]))

static void mem_image(MemFmt f, unsigned i, uint8_t *m)
{
    memset(m, 0, 16);
    if (f == M_NONE) {
        return;
    }
    uint64_t v = mem_patterns[i][f == M_BCD ? 5 : (unsigned)f - 1];
    memcpy(m, &v, 8);
    if (f == M_BCD && (i & 1)) {
        m[9] = 0x80; /* negative */
    }
}

/* --- the runs ----------------------------------------------------- */
typedef struct Outcome {
    uint8_t save[108];
    uint8_t mout[16];
    uint32_t eflags;
} Outcome;

static const uint16_t cws[] = {
    0x037F, 0x077F, 0x0B7F, 0x0F7F, /* extended, the four RC */
    0x027F, 0x007F, 0x0C7F,         /* double, single, single+chop */
    0x037E, 0x037D, 0x037B,         /* IE, DE, ZE unmasked */
};
#define NCW (sizeof(cws) / sizeof(cws[0]))

static unsigned build_code(const DiffOp *op, uint8_t *c)
{
    static const uint8_t pro[] = {
        0xDB, 0xE3,                         /* fninit */
        0xD9, 0x2D, 0x00, 0x30, 0, 0,       /* fldcw [0x3000] */
    };
    static const uint8_t ldb[] = {0xDB, 0x2D, 0x10, 0x30, 0, 0};
    static const uint8_t lda[] = {0xDB, 0x2D, 0x20, 0x30, 0, 0};
    static const uint8_t epi[] = {
        0xDD, 0x35, 0x00, 0x31, 0, 0, /* fnsave [0x3100] */
        0x9C, 0x58,                   /* pushf; pop eax */
        0xA3, 0x00, 0x32, 0, 0,       /* mov [0x3200], eax */
    };
    unsigned n = 0;
    memcpy(c + n, pro, sizeof(pro));
    n += sizeof(pro);
    if (op->nin == 2) {
        memcpy(c + n, ldb, sizeof(ldb));
        n += sizeof(ldb);
    }
    if (op->nin >= 1) {
        memcpy(c + n, lda, sizeof(lda));
        n += sizeof(lda);
    }
    memcpy(c + n, op->code, op->len);
    n += op->len;
    memcpy(c + n, epi, sizeof(epi));
    return n + sizeof(epi);
}

static void run_unicorn(uc_engine *uc, unsigned len, uint16_t cw,
                        const X80 *a, const X80 *b, const uint8_t *min,
                        Outcome *o)
{
    uint8_t data[0x300];
    uint32_t esp = 0x5000, efl = 0x2;
    memset(data, 0xCC, sizeof(data));
    memcpy(data, &cw, 2);
    memcpy(data + 0x10, &b->m, 8);
    memcpy(data + 0x18, &b->e, 2);
    memcpy(data + 0x20, &a->m, 8);
    memcpy(data + 0x28, &a->e, 2);
    memcpy(data + 0x30, min, 10);
    ck_assert_int_eq(uc_mem_write(uc, DATA, data, sizeof(data)), UC_ERR_OK);
    uc_reg_write(uc, UC_X86_REG_ESP, &esp);
    uc_reg_write(uc, UC_X86_REG_EFLAGS, &efl);
    ck_assert_int_eq(uc_emu_start(uc, CODE, CODE + len, 0, 0), UC_ERR_OK);
    uc_mem_read(uc, SAVE_AT, o->save, 108);
    uc_mem_read(uc, MOUT_AT, o->mout, 16);
    uc_mem_read(uc, EFL_AT, &o->eflags, 4);
    o->eflags &= 0x8D5;
}

static void run_core(const DiffOp *op, uint16_t cw, const X80 *a,
                     const X80 *b, const uint8_t *min, Outcome *o)
{
    FpuState fs;
    FpuReg ra = {a->m, a->e}, rb = {b->m, b->e};
    uint32_t efl = 0x2;
    fpu_power_on(&fs);
    fpu_init(&fs);
    fpu_set_cw(&fs, cw);
    memset(o->mout, 0xCC, 16);
    if (op->nin == 2) {
        fpu_load_raw(&fs, rb);
    }
    if (op->nin >= 1) {
        fpu_load_raw(&fs, ra);
    }
    op->core(&fs, min, o->mout, &efl);
    o->eflags = efl & 0x8D5;
    fpu_save(&fs, o->save, true, false);
}

/* --- comparison --------------------------------------------------- */
enum { K_CW, K_FLAGS, K_CC, K_TOP, K_TAGS, K_VALUE, K_MEM, K_EFLAGS, K_N };
static const char *const kind_names[K_N] = {
    "cw", "flags", "cc", "top", "tags", "value", "mem", "eflags",
};

static uint16_t w16(const uint8_t *b, unsigned off)
{
    return (uint16_t)(b[off] | b[off + 1] << 8);
}

/* Bit set of mismatching categories. */
static unsigned compare(const DiffOp *op, const Outcome *u, const Outcome *c)
{
    unsigned k = 0;
    uint16_t us = w16(u->save, 4), cs = w16(c->save, 4);
    uint16_t ut = w16(u->save, 8), ct = w16(c->save, 8);
    unsigned top = (cs >> 11) & 7;

    if (w16(u->save, 0) != w16(c->save, 0)) {
        k |= 1u << K_CW;
    }
    if ((us ^ cs) & (FPU_SW_EXC | FPU_SW_SF | FPU_SW_ES | FPU_SW_B)) {
        k |= 1u << K_FLAGS;
    }
    if ((us ^ cs) & op->ccmask) {
        k |= 1u << K_CC;
    }
    if ((us ^ cs) & (7u << FPU_SW_TOP_SHIFT)) {
        k |= 1u << K_TOP;
    }
    /* Compare emptiness exactly, the other tags only where Unicorn's
     * values agree (a value mismatch is reported as such). */
    for (unsigned i = 0; i < 8; i++) {
        unsigned p = (top + i) & 7;
        unsigned utag = (ut >> (2 * p)) & 3, ctag = (ct >> (2 * p)) & 3;
        if ((utag == 3) != (ctag == 3)) {
            k |= 1u << K_TAGS;
        } else if (ctag != 3 && memcmp(u->save + 28 + 10 * i,
                                       c->save + 28 + 10 * i, 10)) {
            k |= 1u << K_VALUE;
        } else if (utag != ctag) {
            k |= 1u << K_TAGS;
        }
    }
    if (op->mout && memcmp(u->mout, c->mout, op->mout)) {
        k |= 1u << K_MEM;
    }
    if (op->eflags && u->eflags != c->eflags) {
        k |= 1u << K_EFLAGS;
    }
    return k;
}

/* Where Unicorn 2.0.1 (QEMU 5.0 x87 helpers) is known to deviate from
 * hardware; tests/diff/README-fpu.md has the details. classify() removes
 * the mismatch categories a reason explains; what is left is unexplained
 * and fails the test. */
enum {
    R_FLAGS,      /* softfloat flags never reach FSW (IE DE ZE OE UE PE), */
                  /* so C1 "rounded up" is never set either */
    R_UNMASKED,   /* unmasked IE/DE/ZE: the destination is written */
    R_ZE_ALWAYS,  /* any division by zero sets ZE (0/0, inf/0, NaN/0) */
    R_SNAN,       /* SNaN not quieted by a format conversion */
    R_NANSEL,     /* two NaNs: hardware returns the larger significand */
    R_TRANSC,     /* FSIN..FYL2XP1 computed in host double precision */
    R_TRIG_RANGE, /* C2: 2^63 in range, infinities out of range */
    R_LOG_DOMAIN, /* FYL2X(P1) outside the domain: C2 = 1, no pop */
    R_SQRT_C2,    /* FSQRT of a negative sets C2 */
    R_FPREM,      /* FPREM/FPREM1 computed in double precision */
    R_FSCALE,     /* FSCALE with infinite/NaN/huge ST(1) */
    R_FXTRACT,    /* FXTRACT of denormals, zero, infinities and NaNs */
    R_BCD_RANGE,  /* FBSTP out of range: no IE, no BCD indefinite */
    R_BCD_SIGN,   /* FBSTP of a negative rounding to 0: sign dropped */
    R_N
};
static const char *const reason_names[R_N] = {
    "flags-not-reported", "unmasked-consequence", "ze-on-any-zero-divisor",
    "snan-not-quieted", "nan-selection", "transcendental-precision",
    "trig-range-c2", "log-domain-c2", "fsqrt-c2", "fprem-precision",
    "fscale-specials", "fxtract-specials", "fbstp-range", "fbstp-minus-zero",
};

static bool is_nan80(const uint8_t *r)
{
    uint16_t e = (uint16_t)(r[8] | r[9] << 8);
    uint64_t m;
    memcpy(&m, r, 8);
    return (e & 0x7FFF) == 0x7FFF && (m << 1) != 0;
}

static bool x_is_nan(const X80 *x)
{
    return (x->e & 0x7FFF) == 0x7FFF && (x->m << 1) != 0;
}

static bool op_in(const DiffOp *op, const char *const *names)
{
    for (; *names; names++) {
        if (!strcmp(op->name, *names)) {
            return true;
        }
    }
    return false;
}

static const char *const transc_ops[] = {
    "fsin", "fcos", "fsincos", "fptan", "f2xm1", "fpatan", "fyl2x",
    "fyl2xp1", NULL,
};
static const char *const div_ops[] = {"fdiv", "fdivrp", "fdivr m64", NULL};
static const char *const prem_ops[] = {"fprem", "fprem1", NULL};
static const char *const trig_ops[] = {"fsin", "fcos", "fsincos", "fptan",
                                       NULL};
static const char *const log_ops[] = {"fyl2x", "fyl2xp1", NULL};

/* All differing non-empty registers hold NaNs on both sides, or differ
 * only in the quiet bit (mask). */
static bool regs_nan_only(const Outcome *u, const Outcome *c, bool quiet)
{
    uint16_t ct = w16(c->save, 8);
    unsigned top = (w16(c->save, 4) >> 11) & 7;
    for (unsigned i = 0; i < 8; i++) {
        const uint8_t *ur = u->save + 28 + 10 * i, *cr = c->save + 28 + 10 * i;
        if (((ct >> (2 * ((top + i) & 7))) & 3) == 3 || !memcmp(ur, cr, 10)) {
            continue;
        }
        if (quiet) {
            uint8_t q[10];
            memcpy(q, ur, 10);
            q[7] |= 0x40;
            if (memcmp(q, cr, 10)) {
                return false;
            }
        } else if (!is_nan80(ur) || !is_nan80(cr)) {
            return false;
        }
    }
    return true;
}

/* Remove explained categories; count the reasons used in *why. */
static unsigned classify(const DiffOp *op, uint16_t cw, const X80 *a,
                         const X80 *b, const uint8_t *min, const Outcome *u,
                         const Outcome *c, unsigned kinds, unsigned *why)
{
    uint16_t us = w16(u->save, 4), cs = w16(c->save, 4);
    uint16_t ux = us & 0x7F, cx = cs & 0x7F;
    const unsigned regs = 1u << K_VALUE | 1u << K_TOP | 1u << K_TAGS;

    if ((cx & ~cw & (FPU_SW_IE | FPU_SW_DE | FPU_SW_ZE)) != 0) {
        /* An unmasked pre-computation exception: hardware leaves the
         * destination and TOP alone; Unicorn either did not detect it or
         * stored the result anyway. */
        *why |= 1u << R_UNMASKED;
        return 0;
    }
    if ((ux & ~cx) == FPU_SW_ZE && op_in(op, div_ops)) {
        *why |= 1u << R_ZE_ALWAYS;
        ux &= (uint16_t)~FPU_SW_ZE;
        if (!(kinds & ~(1u << K_FLAGS | 1u << K_CC))) {
            kinds &= ~(1u << K_CC);
        }
    }
    if ((kinds & 1u << K_FLAGS) && (ux & ~cx) == 0) {
        *why |= 1u << R_FLAGS;
        kinds &= ~(1u << K_FLAGS);
    }
    if ((kinds & 1u << K_CC) && ((us ^ cs) & op->ccmask) == FPU_SW_C1 &&
        (cs & FPU_SW_C1) && (cs & FPU_SW_PE)) {
        *why |= 1u << R_FLAGS;
        kinds &= ~(1u << K_CC);
    }
    if ((kinds & 1u << K_VALUE) && regs_nan_only(u, c, true)) {
        *why |= 1u << R_SNAN;
        kinds &= ~(1u << K_VALUE);
    }
    if ((kinds & 1u << K_MEM) && (op->mout == 4 || op->mout == 8)) {
        uint8_t q[8];
        memcpy(q, u->mout, op->mout);
        q[op->mout == 4 ? 2 : 6] |= op->mout == 4 ? 0x40 : 0x08;
        if (!memcmp(q, c->mout, op->mout)) {
            *why |= 1u << R_SNAN; /* FST m32/m64 of an SNaN */
            kinds &= ~(1u << K_MEM);
        }
    }
    if ((kinds & 1u << K_VALUE) && (x_is_nan(a) || x_is_nan(b) ||
                                    op->min != M_NONE) &&
        regs_nan_only(u, c, false)) {
        *why |= 1u << R_NANSEL;
        kinds &= ~(1u << K_VALUE);
    }
    if (op_in(op, trig_ops) && ((us ^ cs) & FPU_SW_C2)) {
        *why |= 1u << R_TRIG_RANGE;
        kinds &= ~(regs | 1u << K_CC);
    }
    if (op_in(op, log_ops) && (us & ~cs & FPU_SW_C2)) {
        *why |= 1u << R_LOG_DOMAIN;
        kinds &= ~(regs | 1u << K_CC);
    }
    if (!strcmp(op->name, "fsqrt") && (us & ~cs & FPU_SW_C2)) {
        *why |= 1u << R_SQRT_C2;
        kinds &= ~(1u << K_CC);
    }
    if ((kinds & (1u << K_VALUE | 1u << K_CC)) && op_in(op, transc_ops)) {
        *why |= 1u << R_TRANSC;
        kinds &= ~(1u << K_VALUE | 1u << K_CC);
    }
    if ((kinds & (1u << K_VALUE | 1u << K_CC)) && op_in(op, prem_ops)) {
        *why |= 1u << R_FPREM;
        kinds &= ~(1u << K_VALUE | 1u << K_CC);
    }
    if ((kinds & 1u << K_VALUE) && !strcmp(op->name, "fscale")) {
        *why |= 1u << R_FSCALE;
        kinds &= ~(1u << K_VALUE);
    }
    if ((kinds & 1u << K_VALUE) && !strcmp(op->name, "fxtract")) {
        *why |= 1u << R_FXTRACT;
        kinds &= ~(1u << K_VALUE);
    }
    if ((kinds & 1u << K_MEM) && !strcmp(op->name, "fbstp") &&
        c->mout[9] == 0xFF && c->mout[8] == 0xFF && c->mout[7] == 0xC0) {
        *why |= 1u << R_BCD_RANGE;
        kinds &= ~(1u << K_MEM);
    }
    if ((kinds & 1u << K_MEM) && !strcmp(op->name, "fbstp") &&
        !memcmp(u->mout, c->mout, 9) && u->mout[9] == 0 &&
        c->mout[9] == 0x80) {
        *why |= 1u << R_BCD_SIGN;
        kinds &= ~(1u << K_MEM);
    }
    (void)min;
    return kinds;
}

static void print_example(const DiffOp *op, uint16_t cw, const X80 *a,
                          const X80 *b, const uint8_t *min,
                          const Outcome *u, const Outcome *c, unsigned kinds)
{
    printf("  %-10s cw=%04x a=%04x:%016llx b=%04x:%016llx min=%016llx:",
           op->name, cw, a->e, (unsigned long long)a->m, b->e,
           (unsigned long long)b->m, (unsigned long long)*(const uint64_t *)min);
    for (unsigned k = 0; k < K_N; k++) {
        if (kinds & (1u << k)) {
            printf(" %s", kind_names[k]);
        }
    }
    printf("\n    unicorn sw=%04x tw=%04x st0=%04x:%016llx mem=%016llx efl=%x\n",
           w16(u->save, 4), w16(u->save, 8), w16(u->save, 36),
           (unsigned long long)*(const uint64_t *)(u->save + 28),
           (unsigned long long)*(const uint64_t *)u->mout, u->eflags);
    printf("    core    sw=%04x tw=%04x st0=%04x:%016llx mem=%016llx efl=%x\n",
           w16(c->save, 4), w16(c->save, 8), w16(c->save, 36),
           (unsigned long long)*(const uint64_t *)(c->save + 28),
           (unsigned long long)*(const uint64_t *)c->mout, c->eflags);
}

typedef struct OpStats {
    unsigned cases, bad, unknown;
    unsigned per_kind[K_N];
    unsigned reasons[R_N];
    unsigned shown;
} OpStats;

static void run_case(uc_engine *uc, const DiffOp *op, unsigned len,
                     uint16_t cw, const X80 *a, const X80 *b, unsigned mi,
                     OpStats *st)
{
    uint8_t min[16];
    Outcome u, c;
    mem_image(op->min, mi, min);
    run_unicorn(uc, len, cw, a, b, min, &u);
    run_core(op, cw, a, b, min, &c);
    st->cases++;
    unsigned kinds = compare(op, &u, &c);
    if (!kinds) {
        return;
    }
    st->bad++;
    for (unsigned k = 0; k < K_N; k++) {
        st->per_kind[k] += (kinds >> k) & 1;
    }
    unsigned why = 0;
    bool known = classify(op, cw, a, b, min, &u, &c, kinds, &why) == 0;
    for (unsigned r = 0; r < R_N; r++) {
        st->reasons[r] += (why >> r) & 1;
    }
    if (getenv("FPU_DIFF_DUMP")) {
        printf("D|%s|%04x|%04x:%016llx|%04x:%016llx|%016llx|%04x|%04x|"
               "%04x:%016llx|%04x:%016llx|%016llx|%016llx|%x|%x|%x\n",
               op->name, cw, a->e, (unsigned long long)a->m, b->e,
               (unsigned long long)b->m,
               (unsigned long long)*(const uint64_t *)min, w16(u.save, 4),
               w16(c.save, 4), w16(u.save, 36),
               (unsigned long long)*(const uint64_t *)(u.save + 28),
               w16(c.save, 36),
               (unsigned long long)*(const uint64_t *)(c.save + 28),
               (unsigned long long)*(const uint64_t *)u.mout,
               (unsigned long long)*(const uint64_t *)c.mout, u.eflags,
               c.eflags, kinds);
    }
    st->unknown += !known;
    if (st->shown < (known ? 1u : 3u) && getenv("FPU_DIFF_VERBOSE")) {
        st->shown++;
        print_example(op, cw, a, b, min, &u, &c, kinds);
    }
}

/* Control words visited: all of them, or every third under ASan. */
#ifdef X86BT_ASAN
#define CW_STEP 3
#else
#define CW_STEP 1
#endif

static void run_op(uc_engine *uc, const DiffOp *op, OpStats *st)
{
    uint8_t code[64];
    unsigned len = build_code(op, code);
    unsigned nops = NSPEC + NRAND;
    ck_assert_int_eq(uc_mem_write(uc, CODE, code, len), UC_ERR_OK);
    for (unsigned w = 0; w < NCW; w += CW_STEP) {
        if (op->nin == 2) {
            for (unsigned i = 0; i < nops; i++) {
                for (unsigned j = 0; j < nops; j++) {
                    X80 a = operand(i), b = operand(j);
                    run_case(uc, op, len, cws[w], &a, &b, 0, st);
                }
            }
        } else if (op->min != M_NONE) {
            for (unsigned i = 0; i < (op->nin ? nops : 1); i++) {
                for (unsigned m = 0; m < NMEM; m++) {
                    X80 a = operand(i);
                    run_case(uc, op, len, cws[w], &a, &a, m, st);
                }
            }
        } else {
            for (unsigned i = 0; i < nops; i++) {
                X80 a = operand(i);
                run_case(uc, op, len, cws[w], &a, &a, 0, st);
            }
        }
    }
}

START_TEST(x87_vs_unicorn)
{
    uc_engine *uc;
    unsigned total = 0, unknown = 0;
    ck_assert_int_eq(uc_open(UC_ARCH_X86, UC_MODE_32, &uc), UC_ERR_OK);
    ck_assert_int_eq(uc_mem_map(uc, 0x1000, 0x7000, UC_PROT_ALL), UC_ERR_OK);
    printf("fpu_diff: op        cases  mismatches (by category)\n");
    for (unsigned o = 0; o < NOPS; o++) {
        OpStats st;
        memset(&st, 0, sizeof(st));
        run_op(uc, &ops[o], &st);
        total += st.cases;
        unknown += st.unknown;
        if (!st.bad) {
            continue;
        }
        printf("  %-10s %6u  %5u (%u unexplained):", ops[o].name, st.cases,
               st.bad, st.unknown);
        for (unsigned k = 0; k < K_N; k++) {
            if (st.per_kind[k]) {
                printf(" %s=%u", kind_names[k], st.per_kind[k]);
            }
        }
        printf("\n   known:");
        for (unsigned r = 0; r < R_N; r++) {
            if (st.reasons[r]) {
                printf(" %s=%u", reason_names[r], st.reasons[r]);
            }
        }
        printf("\n");
    }
    printf("fpu_diff: %u cases, %u unexplained mismatches\n", total, unknown);
    uc_close(uc);
    ck_assert_uint_gt(total, 10000 / CW_STEP);
    ck_assert_uint_eq(unknown, 0);
}
END_TEST

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    Suite *s = suite_create("fpu_diff");
    TCase *tc = tcase_create("unicorn");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, x87_vs_unicorn);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
