/* Instruction-level differential test of the x87 and MMX handlers
 * (exec_fpu.c, exec_fpu_env.c, exec_mmx.c) against Unicorn: every x87
 * register and memory form of D8-DF (minus the transcendentals and the
 * state-image instructions, see below) and every MMX instruction of the P6
 * run through the reference interpreter and through Unicorn from the same
 * start state, and the results are compared:
 *   x87: CW, SW without the exception flags/ES/B/C1 (Unicorn does not
 *        report numeric exception flags, tests/diff/README-fpu.md), tag
 *        word, non-empty registers, memory operand, EFLAGS (FCOMI), EAX;
 *   MMX: the eight MMX registers, TOP and the tags (emptiness), the
 *        memory operand, EAX (MOVD).
 * Operands are small integers and halves so that Unicorn's remaining x87
 * deviations (precision of transcendentals and FPREM, flags) stay out.
 * Excluded: D9 F0-F3/F9/FB/FE/FF (transcendentals: see fpu_diff_test.c),
 * FLDENV/FRSTOR/FSTENV/FSAVE (images are compared in fpu_core_test.c and
 * the guest tests), FISTTP (SSE3, #UD on the P6). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "frontend/cpu_state.h"
#include "frontend/flags.h"
#include "frontend/fpu_core.h"
#include "machine/vm.h"

#define RAM_SIZE (1u << 20)
#define CODE 0x1000u
#define IN 0x3000u      /* 4 doubles, 8 MMX qwords at +0x40, eflags +0xF0 */
#define MEMOP 0x3080u   /* the instruction's memory operand (16 bytes) */
#define OUT 0x4000u     /* FNSAVE image; MMX registers at +0x80; EFLAGS +0xC0 */
#define STACK 0x8000u

typedef struct Rig {
    VM *vm;
    CPUState *cpu;
    uc_engine *uc;
    uint64_t rng;
    unsigned cases, bad;
} Rig;

static uint32_t rnd(Rig *r)
{
    r->rng ^= r->rng << 13;
    r->rng ^= r->rng >> 7;
    r->rng ^= r->rng << 17;
    return (uint32_t)(r->rng >> 11);
}

static void rig_init(Rig *r)
{
    memset(r, 0, sizeof(*r));
    r->rng = 0x9E3779B97F4A7C15ull;
    r->vm = calloc(1, sizeof(*r->vm));
    ck_assert_ptr_nonnull(r->vm);
    log_init(&r->vm->log, LOG_ERROR);
    ck_assert_int_eq(mem_init(&r->vm->mem, RAM_SIZE, &r->vm->log), 0);
    for (unsigned i = 0; i < MEM_PAM_CHUNKS; i++) {
        mem_set_pam(&r->vm->mem, i, (PamRoute){true, true});
    }
    io_init(&r->vm->io, &r->vm->log);
    irq_init(&r->vm->irq);
    clock_init(&r->vm->clock, true, 0);
    r->vm->a20_mask = ~0ull;
    r->cpu = cpu_create(r->vm);
    ck_assert_ptr_nonnull(r->cpu);
    r->vm->cpu = r->cpu;
    r->cpu->exc_exit = true;
    ck_assert_int_eq(uc_open(UC_ARCH_X86, UC_MODE_32, &r->uc), UC_ERR_OK);
    ck_assert_int_eq(uc_mem_map(r->uc, 0, RAM_SIZE, UC_PROT_ALL), UC_ERR_OK);
}

static void rig_fini(Rig *r)
{
    uc_close(r->uc);
    cpu_destroy(r->cpu);
    mem_fini(&r->vm->mem);
    free(r->vm);
}

/* Code builder. */
typedef struct Code {
    uint8_t b[256];
    unsigned n;
} Code;

static void emit(Code *c, const uint8_t *p, unsigned n)
{
    memcpy(c->b + c->n, p, n);
    c->n += n;
}

static void emit_abs(Code *c, uint8_t op0, uint8_t op1, int two, uint8_t modrm,
                     uint32_t addr)
{
    uint8_t p[7];
    unsigned n = 0;
    p[n++] = op0;
    if (two) {
        p[n++] = op1;
    }
    p[n++] = modrm;
    memcpy(p + n, &addr, 4);
    emit(c, p, n + 4);
}

/* Run the code in both; returns false if our side raised an exception. */
static bool run_both(Rig *r, const Code *c, const uint8_t *in, size_t inlen)
{
    uint8_t zero[0x200] = {0};
    uint32_t esp = STACK, efl = 2, eax = 0x12345678;
    CPUState *cpu = r->cpu;
    uint32_t end = CODE + c->n;

    phys_write(&r->vm->mem, CODE, c->b, c->n);
    phys_write(&r->vm->mem, IN, in, inlen);
    phys_write(&r->vm->mem, OUT, zero, sizeof(zero));
    uc_mem_write(r->uc, CODE, c->b, c->n);
    uc_mem_write(r->uc, IN, in, inlen);
    uc_mem_write(r->uc, OUT, zero, sizeof(zero));

    static const int gpr[8] = {UC_X86_REG_EAX, UC_X86_REG_ECX, UC_X86_REG_EDX,
                               UC_X86_REG_EBX, UC_X86_REG_ESP, UC_X86_REG_EBP,
                               UC_X86_REG_ESI, UC_X86_REG_EDI};
    for (unsigned i = 0; i < 8; i++) {
        uint32_t v = i == 4 ? esp : eax + 0x01010101u * i;
        uc_reg_write(r->uc, gpr[i], &v);
    }
    uc_reg_write(r->uc, UC_X86_REG_EFLAGS, &efl);
    ck_assert_int_eq(uc_emu_start(r->uc, CODE, end, 0, 1000), UC_ERR_OK);

    cpu_reset(cpu);
    cpu_boot_flat32(cpu, CODE, eax, 0);
    for (unsigned i = 0; i < 8; i++) {
        cpu->regs[i] = i == 4 ? STACK : eax + 0x01010101u * i;
    }
    for (int i = 0; i < 200 && cpu->eip != end; i++) {
        if (interp_run(cpu, 1) == CPU_EXIT_KICK) {
            break; /* exception (exc_exit) */
        }
    }
    return cpu->eip == end;
}

static void read_both(Rig *r, uint32_t addr, uint8_t *u, uint8_t *o,
                      size_t n)
{
    uc_mem_read(r->uc, addr, u, n);
    phys_read(&r->vm->mem, addr, o, n);
}

static uint16_t w16(const uint8_t *b, unsigned off)
{
    return (uint16_t)(b[off] | b[off + 1] << 8);
}

static void report(Rig *r, const char *what, const Code *c, const char *why)
{
    r->bad++;
    if (r->bad <= 40) {
        printf("  mismatch %s (%s):", what, why);
        for (unsigned i = 0; i < c->n; i++) {
            printf(" %02x", c->b[i]);
        }
        printf("\n");
    }
}

/* ---- x87 --------------------------------------------------------- */

static const double x87_vals[] = {1.0, 2.0, -3.0, 0.5, 4.0, 10.0, -0.25,
                                  7.0, 0.0, 1.5, -2.0, 100.0};
#define NVALS (sizeof(x87_vals) / sizeof(x87_vals[0]))

/* 16-byte memory operand patterns: read in every format. */
static const uint64_t memop_pats[][2] = {
    {0x4008000000000000ull, 0},           /* double 3.0 */
    {0xBF80000040200000ull, 0},           /* float 2.5, -1.0 */
    {0x0000000000000007ull, 0},           /* int 7 */
    {0xFFFFFFFFFFFFFFFEull, 0xFFFF},      /* int -2 */
    {0x0000000000001234ull, 0x8000},      /* BCD -1234 */
    {0xC000000000000000ull, 0x3FFF},      /* extended 1.5 */
    {0x000000000000027Full, 0},           /* a control word (double) */
};
#define NPATS (sizeof(memop_pats) / sizeof(memop_pats[0]))

static const uint32_t eflag_pats[] = {0x2, 0x3, 0x42, 0x46, 0x6, 0x43, 0x47};

/* ST(0)..ST(6) are loaded; ST(7) is empty and left out: Unicorn does not
 * detect stack underflow on register operands (README-fpu.md). */
static bool x87_reg_form_ok(uint8_t esc, uint8_t modrm)
{
    unsigned reg = (modrm >> 3) & 7, rm = modrm & 7;
    if (rm == 7 && !(esc == 0xD9 && reg >= 4)) {
        return false;
    }
    switch (esc) {
    case 0xD9:
        if (reg == 2) return rm == 0;
        if (reg == 4) return rm <= 1 || rm == 4 || rm == 5;
        if (reg == 5) return rm != 7;
        if (modrm >= 0xF0) {
            /* FRNDINT FSCALE FXTRACT FDECSTP FINCSTP (FSQRT and FPREM
             * hit Unicorn deviations, see fpu_diff_test.c) */
            return modrm == 0xFC || modrm == 0xFD || modrm == 0xF4 ||
                   modrm == 0xF6 || modrm == 0xF7;
        }
        return reg != 3; /* FSTP1 alias: Unicorn #UD */
    case 0xDA: return reg < 4 || modrm == 0xE9;
    case 0xDB: return reg != 7 && (reg != 4 || rm == 2 || rm == 3);
    case 0xDC: return reg != 2 && reg != 3; /* undocumented aliases */
    case 0xDD: return reg != 1 && reg < 6;
    case 0xDE: return reg != 2 && (reg != 3 || rm == 1);
    case 0xDF: return modrm == 0xE0 || reg == 5 || reg == 6;
    default: return true;
    }
}

static bool x87_mem_form_ok(uint8_t esc, unsigned reg)
{
    switch (esc) {
    case 0xD9: return reg == 0 || reg == 2 || reg == 3 || reg == 5 ||
                      reg == 7;
    case 0xDB: return reg == 0 || reg == 2 || reg == 3 || reg == 5 ||
                      reg == 7;
    case 0xDD: return reg == 0 || reg == 2 || reg == 3 || reg == 7;
    case 0xDF: return reg != 1;
    default: return true;
    }
}

static void x87_case(Rig *r, uint8_t esc, uint8_t modrm)
{
    uint8_t in[0x100] = {0}, u[0x100], o[0x100];
    Code c = {.n = 0};
    static const uint8_t fninit[] = {0xDB, 0xE3};
    static const uint8_t popfd[] = {0x9D};
    /* mov [OUT+0xC4], eax; pushfd; pop eax; mov [OUT+0xC0], eax */
    static const uint8_t tail[] = {0xA3, 0xC4, 0x40, 0, 0, 0x9C, 0x58,
                                   0xA3, 0xC0, 0x40, 0, 0};
    const uint64_t *pat = memop_pats[rnd(r) % NPATS];
    uint32_t efl = eflag_pats[rnd(r) % 7];
    char name[32];

    for (unsigned i = 0; i < 7; i++) {
        double v = x87_vals[rnd(r) % NVALS];
        memcpy(in + 8 * i, &v, 8);
    }
    memcpy(in + 0x80, pat, 16);
    memcpy(in + 0xF0, &efl, 4);
    emit(&c, fninit, 2);
    for (unsigned i = 0; i < 7; i++) {
        emit_abs(&c, 0xDD, 0, 0, 0x05, IN + 8 * i); /* fld qword */
    }
    emit_abs(&c, 0xFF, 0, 0, 0x35, IN + 0xF0); /* push dword [..] */
    emit(&c, popfd, 1);
    if (modrm >= 0xC0) {
        uint8_t op[2] = {esc, modrm};
        emit(&c, op, 2);
    } else {
        emit_abs(&c, esc, 0, 0, modrm, MEMOP);
    }
    emit_abs(&c, 0xDD, 0, 0, 0x35, OUT); /* fnsave [OUT] */
    emit(&c, tail, sizeof(tail));
    snprintf(name, sizeof(name), "%02x %02x", esc, modrm);
    r->cases++;
    if (!run_both(r, &c, in, sizeof(in))) {
        report(r, name, &c, "exception in x86bt");
        return;
    }
    read_both(r, OUT, u, o, 0xC8);
    uint16_t mask = (uint16_t)~(FPU_SW_EXC | FPU_SW_SF | FPU_SW_ES |
                                FPU_SW_B | FPU_SW_C1);
    /* CW: Unicorn keeps the reserved bits FLDCW loads (hardware reads
     * bit 6 as 1 and bits 15-13 as 0). */
    if (((w16(u, 0) ^ w16(o, 0)) & 0x1F3F) ||
        ((w16(u, 4) ^ w16(o, 4)) & mask) ||
        w16(u, 8) != w16(o, 8)) {
        report(r, name, &c, "cw/sw/tw");
        return;
    }
    for (unsigned i = 0; i < 8; i++) {
        unsigned p = ((w16(o, 4) >> 11) + i) & 7;
        if (((w16(o, 8) >> (2 * p)) & 3) != 3 &&
            memcmp(u + 28 + 10 * i, o + 28 + 10 * i, 10)) {
            report(r, name, &c, "register");
            return;
        }
    }
    if (memcmp(u + 0xC0, o + 0xC0, 8)) {
        report(r, name, &c, "eflags/eax");
        return;
    }
    read_both(r, MEMOP, u, o, 16);
    if (esc == 0xDF && modrm == 0x35 && u[9] == 0 && o[9] == 0x80) {
        u[9] = 0x80; /* FBSTP of a negative that rounds to 0: Unicorn drops
                      * the sign (README-fpu.md) */
    }
    if (memcmp(u, o, 16)) {
        report(r, name, &c, "memory operand");
    }
}

START_TEST(x87_forms)
{
    Rig r;
    rig_init(&r);
    for (unsigned esc = 0xD8; esc <= 0xDF; esc++) {
        for (unsigned m = 0xC0; m <= 0xFF; m++) {
            if (x87_reg_form_ok((uint8_t)esc, (uint8_t)m)) {
                for (int k = 0; k < 6; k++) {
                    x87_case(&r, (uint8_t)esc, (uint8_t)m);
                }
            }
        }
        for (unsigned reg = 0; reg < 8; reg++) {
            if (x87_mem_form_ok((uint8_t)esc, reg)) {
                for (int k = 0; k < 12; k++) {
                    x87_case(&r, (uint8_t)esc, (uint8_t)(0x05 | reg << 3));
                }
            }
        }
    }
    printf("fpu_exec_diff: x87 %u cases, %u mismatches\n", r.cases, r.bad);
    ck_assert_uint_gt(r.cases, 2000);
    ck_assert_uint_eq(r.bad, 0);
    rig_fini(&r);
}
END_TEST

/* ---- MMX --------------------------------------------------------- */

/* 0F opcodes of the Pq,Qq (and Pq,Qd) MMX instructions of the P6. */
static const uint8_t mmx_ops[] = {
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B,
    0x6F, 0x74, 0x75, 0x76, 0xD1, 0xD2, 0xD3, 0xD5, 0xD8, 0xD9, 0xDB, 0xDC,
    0xDD, 0xDF, 0xE1, 0xE2, 0xE5, 0xE8, 0xE9, 0xEB, 0xEC, 0xED, 0xEF, 0xF1,
    0xF2, 0xF3, 0xF5, 0xF8, 0xF9, 0xFA, 0xFC, 0xFD, 0xFE,
};
#define NMMX (sizeof(mmx_ops) / sizeof(mmx_ops[0]))

static bool mmx_is_shift(uint8_t op)
{
    return op == 0xD1 || op == 0xD2 || op == 0xD3 || op == 0xE1 ||
           op == 0xE2 || op == 0xF1 || op == 0xF2 || op == 0xF3;
}

static uint64_t mmx_value(Rig *r)
{
    static const uint64_t edge[] = {
        0, ~0ull, 0x8000800080008000ull, 0x7FFF7FFF7FFF7FFFull,
        0x8080808080808080ull, 0x7F7F7F7F7F7F7F7Full, 0x00FF00FF00FF00FFull,
        0x8000000080000000ull, 0x7FFFFFFF7FFFFFFFull, 0x0001000200030004ull,
    };
    uint32_t k = rnd(r) % 16;
    if (k < 10) {
        return edge[k];
    }
    return (uint64_t)rnd(r) << 32 | rnd(r);
}

/* ops: 2 or 3 instruction bytes plus an optional memory operand form. */
static void mmx_case(Rig *r, const uint8_t *insn, unsigned len, bool mem,
                     bool small_count)
{
    uint8_t in[0x100] = {0}, u[0x100], o[0x100];
    Code c = {.n = 0};
    static const uint8_t tail[] = {0xA3, 0xC4, 0x40, 0, 0};
    char name[32];

    for (unsigned i = 0; i < 8; i++) {
        uint64_t v = mmx_value(r);
        if (small_count && (rnd(r) & 1)) {
            v = rnd(r) % 70;
        }
        memcpy(in + 0x40 + 8 * i, &v, 8);
    }
    for (unsigned i = 0; i < 2; i++) {
        uint64_t v = small_count ? rnd(r) % 70 : mmx_value(r);
        memcpy(in + 0x80 + 8 * i, &v, 8);
    }
    for (unsigned i = 0; i < 8; i++) {
        emit_abs(&c, 0x0F, 0x6F, 1, (uint8_t)(0x05 | i << 3), IN + 0x40 + 8 * i);
    }
    if (mem) {
        emit(&c, insn, len - 1);
        uint8_t tailm[5] = {(uint8_t)(insn[len - 1] & 0x38) | 0x05};
        uint32_t a = MEMOP;
        memcpy(tailm + 1, &a, 4);
        emit(&c, tailm, 5);
    } else {
        emit(&c, insn, len);
    }
    for (unsigned i = 0; i < 8; i++) {
        emit_abs(&c, 0x0F, 0x7F, 1, (uint8_t)(0x05 | i << 3), OUT + 0x80 + 8 * i);
    }
    emit_abs(&c, 0xDD, 0, 0, 0x35, OUT); /* fnsave */
    emit(&c, tail, sizeof(tail));
    snprintf(name, sizeof(name), "0f %02x %02x", insn[1], insn[2]);
    r->cases++;
    if (!run_both(r, &c, in, sizeof(in))) {
        report(r, name, &c, "exception in x86bt");
        return;
    }
    read_both(r, OUT, u, o, 0xC8);
    if (memcmp(u + 0x80, o + 0x80, 0x40) || memcmp(u + 0xC4, o + 0xC4, 4)) {
        report(r, name, &c, "MMX registers / EAX");
        return;
    }
    /* TOP = 0 and all registers valid (not empty) after MMX code. */
    if (((w16(o, 4) >> 11) & 7) != 0 || ((w16(u, 4) >> 11) & 7) != 0) {
        report(r, name, &c, "TOP");
        return;
    }
    for (unsigned p = 0; p < 8; p++) {
        if (((w16(o, 8) >> (2 * p)) & 3) == 3 ||
            ((w16(u, 8) >> (2 * p)) & 3) == 3) {
            report(r, name, &c, "tags");
            return;
        }
    }
    read_both(r, MEMOP, u, o, 16);
    if (memcmp(u, o, 16)) {
        report(r, name, &c, "memory operand");
    }
}

START_TEST(mmx_forms)
{
    Rig r;
    rig_init(&r);
    for (unsigned k = 0; k < NMMX; k++) {
        for (unsigned n = 0; n < 64; n++) {
            uint8_t insn[3] = {0x0F, mmx_ops[k], (uint8_t)(0xC0 | n)};
            mmx_case(&r, insn, 3, false, mmx_is_shift(mmx_ops[k]));
            mmx_case(&r, insn, 3, true, mmx_is_shift(mmx_ops[k]));
        }
    }
    /* Shifts by immediate: 0F 71/72/73 /2 /4 /6 ib. */
    for (unsigned op = 0x71; op <= 0x73; op++) {
        for (unsigned reg = 2; reg <= 6; reg += 2) {
            if (op == 0x73 && reg == 4) {
                continue; /* no PSRAQ */
            }
            for (unsigned n = 0; n < 48; n++) {
                uint8_t insn[4] = {0x0F, (uint8_t)op,
                                   (uint8_t)(0xC0 | reg << 3 | (n & 7)),
                                   (uint8_t)(n < 40 ? n * 2 : rnd(&r))};
                mmx_case(&r, insn, 4, false, false);
            }
        }
    }
    /* MOVD both ways, register and memory forms; MOVQ store; EMMS. */
    for (unsigned n = 0; n < 64; n++) {
        uint8_t to_mm[3] = {0x0F, 0x6E, (uint8_t)(0xC0 | n)};
        uint8_t to_r[3] = {0x0F, 0x7E, (uint8_t)(0xC0 | (n & 0x38))};
        uint8_t movq_st[3] = {0x0F, 0x7F, (uint8_t)(0x05 | (n & 0x38))};
        mmx_case(&r, to_mm, 3, false, false);
        mmx_case(&r, to_mm, 3, true, false);
        mmx_case(&r, to_r, 3, false, false);
        mmx_case(&r, to_r, 3, true, false);
        mmx_case(&r, movq_st, 3, true, false);
    }
    printf("fpu_exec_diff: MMX %u cases, %u mismatches\n", r.cases, r.bad);
    ck_assert_uint_gt(r.cases, 5000);
    ck_assert_uint_eq(r.bad, 0);
    rig_fini(&r);
}
END_TEST

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    Suite *s = suite_create("fpu_exec_diff");
    TCase *tc = tcase_create("unicorn");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, x87_forms);
    tcase_add_test(tc, mmx_forms);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
