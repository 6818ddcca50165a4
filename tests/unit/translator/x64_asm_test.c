/*
 * x64_asm_test.c — every x64_emit_* helper checked against Capstone's
 * x86-64 disassembly of what it emits: the text must match and Capstone
 * must consume exactly the emitted bytes.
 */
#include <capstone/capstone.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "translator/x64_asm.h"

static const char *const reg_names[4][16] = {
    { "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b",
      "r10b", "r11b", "r12b", "r13b", "r14b", "r15b" },
    { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w",
      "r11w", "r12w", "r13w", "r14w", "r15w" },
    { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d",
      "r10d", "r11d", "r12d", "r13d", "r14d", "r15d" },
    { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9",
      "r10", "r11", "r12", "r13", "r14", "r15" },
};

static const char *const cc_names[16] = {
    "o", "no", "b", "ae", "e", "ne", "be", "a",
    "s", "ns", "p", "np", "l", "ge", "le", "g",
};

static const char *const alu_names[8] = {
    "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp",
};

static const char *const shift_names[8] = {
    "rol", "ror", "rcl", "rcr", "shl", "shr", NULL, "sar",
};

static const char *rn(unsigned sz, int r)
{
    return reg_names[sz == 1 ? 0 : sz == 2 ? 1 : sz == 4 ? 2 : 3][r];
}

static const char *ptr_name(unsigned sz)
{
    return sz == 1 ? "byte" : sz == 2 ? "word" : sz == 4 ? "dword" : "qword";
}

static void fmt_num(char *out, size_t n, uint64_t v)
{
    if (v > 9)
        snprintf(out, n, "0x%llx", (unsigned long long)v);
    else
        snprintf(out, n, "%llu", (unsigned long long)v);
}

/* Capstone 4's Intel syntax for a memory operand. */
static void fmt_mem(char *out, size_t n, unsigned sz, X64Mem m)
{
    char buf[96] = "";
    char num[32];
    if (m.base != X64_NOREG)
        strcat(buf, rn(8, m.base));
    if (m.index != X64_NOREG) {
        if (buf[0])
            strcat(buf, " + ");
        strcat(buf, rn(8, m.index));
        if (m.scale != 1) {
            snprintf(num, sizeof num, "*%u", m.scale);
            strcat(buf, num);
        }
    }
    if (m.disp != 0 || !buf[0]) {
        int64_t d = m.disp;
        if (buf[0]) {
            strcat(buf, d < 0 ? " - " : " + ");
            if (d < 0)
                d = -d;
        }
        fmt_num(num, sizeof num, (uint64_t)d);
        strcat(buf, num);
    }
    snprintf(out, n, "%s ptr [%s]", ptr_name(sz), buf);
}

typedef struct Fixture {
    uint8_t buf[256];
    X64Asm a;
    csh cs;
} Fixture;

static void fx_open(Fixture *f)
{
    ck_assert_int_eq(cs_open(CS_ARCH_X86, CS_MODE_64, &f->cs), CS_ERR_OK);
    x64_init(&f->a, f->buf, sizeof f->buf, 0);
}

static void fx_close(Fixture *f)
{
    cs_close(&f->cs);
}

static void reset(Fixture *f)
{
    x64_init(&f->a, f->buf, sizeof f->buf, 0);
}

/* Disassemble the buffer as exactly one instruction and compare. */
static void expect_at(Fixture *f, const char *want, uint64_t addr, int line)
{
    cs_insn *insn;
    size_t n = cs_disasm(f->cs, f->buf, f->a.len, addr, 0, &insn);
    char got[256] = "(undecodable)";
    size_t used = 0;
    if (n >= 1) {
        snprintf(got, sizeof got, "%s%s%s", insn[0].mnemonic,
                 insn[0].op_str[0] ? " " : "", insn[0].op_str);
        used = insn[0].size;
    }
    if (n)
        cs_free(insn, n);
    ck_assert_msg(!f->a.overflow, "line %d: overflow", line);
    ck_assert_msg(strcmp(got, want) == 0 && n == 1 && used == f->a.len,
                  "line %d: want '%s' got '%s' (%zu insns, %zu/%zu bytes)",
                  line, want, got, n, used, f->a.len);
    reset(f);
}

#define EXPECT(f, ...)                                                        \
    do {                                                                   \
        char want_[160];                                                   \
        snprintf(want_, sizeof want_, __VA_ARGS__);                        \
        expect_at(f, want_, 0x1000, __LINE__);                                \
    } while (0)

static const struct {
    X64Unary op;
    const char *mn;
} un[] = {
    { X64_NOT, "not" }, { X64_NEG, "neg" }, { X64_MUL, "mul" },
    { X64_IMUL1, "imul" }, { X64_DIV, "div" }, { X64_IDIV, "idiv" },
    { X64_INC, "inc" }, { X64_DEC, "dec" },
};

static const unsigned sizes[4] = { 1, 2, 4, 8 };

static const int32_t disps[] = { 0, 8, -8, 0x7f, 0x80, -0x80, -0x81,
                                 0x1000, 0x12345678, -0x1000 };

START_TEST(test_mov_rr_all_regs)
{
    Fixture fxs, *f = &fxs;
    fx_open(f);
    for (unsigned s = 0; s < 4; s++)
        for (int d = 0; d < 16; d++)
            for (int r = 0; r < 16; r++) {
                x64_emit_mov_rr(&f->a, sizes[s], d, r);
                EXPECT(f, "mov %s, %s", rn(sizes[s], d), rn(sizes[s], r));
            }
    fx_close(f);
}
END_TEST

START_TEST(test_mov_ri)
{
    Fixture fxs, *f = &fxs;
    fx_open(f);
    for (int d = 0; d < 16; d++) {
        x64_emit_mov_ri(&f->a, 4, d, 0x12345678);
        EXPECT(f, "mov %s, 0x12345678", rn(4, d));
        x64_emit_mov_ri(&f->a, 1, d, 0xab);
        EXPECT(f, "mov %s, 0xab", rn(1, d));
        x64_emit_mov_ri(&f->a, 2, d, 0xbeef);
        EXPECT(f, "mov %s, 0xbeef", rn(2, d));
        x64_emit_mov_ri(&f->a, 8, d, 0x123456789abcdef0ull);
        EXPECT(f, "movabs %s, 0x123456789abcdef0", rn(8, d));
        /* Fits 32 bits unsigned: shortened to the zero-extending form. */
        x64_emit_mov_ri(&f->a, 8, d, 0x80000000u);
        EXPECT(f, "mov %s, 0x80000000", rn(4, d));
        x64_emit_mov_ri(&f->a, 8, d, (uint64_t)-2);
        EXPECT(f, "mov %s, -2", rn(8, d));
        /* The patchable form is never shortened. */
        size_t site = x64_emit_movabs_site(&f->a, d, 1);
        x64_patch_imm64(f->a.buf + site, 0xfedcba9876543210ull);
        EXPECT(f, "movabs %s, 0xfedcba9876543210", rn(8, d));
    }
    fx_close(f);
}
END_TEST

/* Every base x index x scale x displacement combination. */
START_TEST(test_load_store_addressing)
{
    Fixture fxs, *f = &fxs;
    fx_open(f);
    char mem[128];
    for (int b = -1; b < 16; b++)
        for (int x = -1; x < 16; x++) {
            if (x == X64_RSP)
                continue;
            for (unsigned sc = 1; sc <= 8; sc <<= 1) {
                if (x == -1 && sc != 1)
                    continue;
                for (size_t di = 0; di < sizeof disps / sizeof *disps; di++) {
                    X64Mem m = x64_mem_idx(b, x, sc, disps[di]);
                    /* Capstone 4 truncates negative absolute addresses
                     * when printing; they are not used by the JIT. */
                    if (b == -1 && x == -1 && disps[di] < 0)
                        continue;
                    unsigned sz = sizes[(unsigned)(b + x + 2) % 4];
                    int r = (b + 3 * x + (int)di + 32) % 16;
                    fmt_mem(mem, sizeof mem, sz, m);
                    x64_emit_load(&f->a, sz, r, m);
                    EXPECT(f, "mov %s, %s", rn(sz, r), mem);
                    x64_emit_store(&f->a, sz, m, r);
                    EXPECT(f, "mov %s, %s", mem, rn(sz, r));
                }
            }
        }
    fx_close(f);
}
END_TEST

START_TEST(test_store_imm_lea)
{
    Fixture fxs, *f = &fxs;
    fx_open(f);
    char mem[128];
    X64Mem m = x64_mem_idx(X64_R13, X64_R12, 4, -0x20);
    for (unsigned s = 0; s < 4; s++) {
        fmt_mem(mem, sizeof mem, sizes[s], m);
        x64_emit_store_imm(&f->a, sizes[s], m, 0x5a);
        EXPECT(f, "mov %s, 0x5a", mem);
    }
    fmt_mem(mem, sizeof mem, 8, m);
    x64_emit_store_imm(&f->a, 8, m, -1);
    EXPECT(f, "mov %s, -1", mem);
    x64_emit_lea(&f->a, 4, X64_RAX, m);
    EXPECT(f, "lea eax, %s", mem + strlen("qword ptr "));
    x64_emit_lea(&f->a, 8, X64_R9, x64_mem(X64_RBP, 0));
    EXPECT(f, "lea r9, [rbp]");
    x64_emit_lea(&f->a, 8, X64_R9, x64_mem(X64_RSP, 0x10));
    EXPECT(f, "lea r9, [rsp + 0x10]");
    fx_close(f);
}
END_TEST

START_TEST(test_alu)
{
    Fixture fxs, *f = &fxs;
    fx_open(f);
    char mem[128];
    X64Mem m = x64_mem(X64_RBX, 0x40);
    for (int op = 0; op < 8; op++)
        for (unsigned s = 0; s < 4; s++) {
            unsigned sz = sizes[s];
            const char *mn = alu_names[op];
            fmt_mem(mem, sizeof mem, sz, m);
            x64_emit_alu_rr(&f->a, op, sz, X64_RSI, X64_R10);
            EXPECT(f, "%s %s, %s", mn, rn(sz, X64_RSI), rn(sz, X64_R10));
            x64_emit_alu_ri(&f->a, op, sz, X64_RDI, 0x7f);
            EXPECT(f, "%s %s, 0x7f", mn, rn(sz, X64_RDI));
            x64_emit_alu_rm(&f->a, op, sz, X64_R8, m);
            EXPECT(f, "%s %s, %s", mn, rn(sz, X64_R8), mem);
            x64_emit_alu_mr(&f->a, op, sz, m, X64_RBP);
            EXPECT(f, "%s %s, %s", mn, mem, rn(sz, X64_RBP));
            x64_emit_alu_mi(&f->a, op, sz, m, 3);
            EXPECT(f, "%s %s, 3", mn, mem);
            if (sz == 1)
                continue;
            x64_emit_alu_ri(&f->a, op, sz, X64_R15, 0x1234);
            EXPECT(f, "%s %s, 0x1234", mn, rn(sz, X64_R15));
            x64_emit_alu_mi(&f->a, op, sz, m, 0x1234);
            EXPECT(f, "%s %s, 0x1234", mn, mem);
        }
    fx_close(f);
}
END_TEST

START_TEST(test_test_insn)
{
    Fixture fxs, *f = &fxs;
    fx_open(f);
    char mem[128];
    X64Mem m = x64_mem(X64_R12, 4);
    for (unsigned s = 0; s < 4; s++) {
        unsigned sz = sizes[s];
        x64_emit_test_rr(&f->a, sz, X64_RDX, X64_RSI);
        EXPECT(f, "test %s, %s", rn(sz, X64_RDX), rn(sz, X64_RSI));
        x64_emit_test_ri(&f->a, sz, X64_R9, 0x40);
        EXPECT(f, "test %s, 0x40", rn(sz, X64_R9));
        fmt_mem(mem, sizeof mem, sz, m);
        x64_emit_test_mi(&f->a, sz, m, 0x40);
        EXPECT(f, "test %s, 0x40", mem);
    }
    fx_close(f);
}
END_TEST

START_TEST(test_shift_unary)
{
    Fixture fxs, *f = &fxs;
    fx_open(f);
    char mem[128];
    for (int op = 0; op < 8; op++) {
        if (!shift_names[op])
            continue;
        for (unsigned s = 0; s < 4; s++) {
            unsigned sz = sizes[s];
            x64_emit_shift_ri(&f->a, op, sz, X64_R11, 5);
            EXPECT(f, "%s %s, 5", shift_names[op], rn(sz, X64_R11));
            x64_emit_shift_ri(&f->a, op, sz, X64_RBX, 1);
            EXPECT(f, "%s %s, 1", shift_names[op], rn(sz, X64_RBX));
            x64_emit_shift_cl(&f->a, op, sz, X64_RDI);
            EXPECT(f, "%s %s, cl", shift_names[op], rn(sz, X64_RDI));
        }
    }
    for (int d = 0; d < 16; d++)
        for (int r = 0; r < 16; r += 5)
            for (unsigned sz = 4; sz <= 8; sz += 4) {
                x64_emit_rorx(&f->a, sz, d, r, 12);
                EXPECT(f, "rorx %s, %s, 0xc", rn(sz, d), rn(sz, r));
            }
    for (size_t i = 0; i < sizeof un / sizeof *un; i++)
        for (unsigned s = 0; s < 4; s++) {
            unsigned sz = sizes[s];
            x64_emit_unary(&f->a, un[i].op, sz, X64_RSP + (int)i);
            EXPECT(f, "%s %s", un[i].mn, rn(sz, X64_RSP + (int)i));
            X64Mem m = x64_mem_idx(X64_NOREG, X64_R14, 8, 0x100);
            fmt_mem(mem, sizeof mem, sz, m);
            x64_emit_unary_m(&f->a, un[i].op, sz, m);
            EXPECT(f, "%s %s", un[i].mn, mem);
        }
    fx_close(f);
}
END_TEST

START_TEST(test_imul_ext_cmov_setcc)
{
    Fixture fxs, *f = &fxs;
    fx_open(f);
    char mem[128];
    for (unsigned s = 1; s < 4; s++) {
        unsigned sz = sizes[s];
        x64_emit_imul_rr(&f->a, sz, X64_RAX, X64_R13);
        EXPECT(f, "imul %s, %s", rn(sz, X64_RAX), rn(sz, X64_R13));
        x64_emit_imul_rri(&f->a, sz, X64_R8, X64_RCX, 10);
        EXPECT(f, "imul %s, %s, 0xa", rn(sz, X64_R8), rn(sz, X64_RCX));
        x64_emit_imul_rri(&f->a, sz, X64_R8, X64_RCX, 0x1000);
        EXPECT(f, "imul %s, %s, 0x1000", rn(sz, X64_R8), rn(sz, X64_RCX));
        for (int cc = 0; cc < 16; cc++) {
            x64_emit_cmov(&f->a, cc, sz, X64_R9, X64_RDI);
            EXPECT(f, "cmov%s %s, %s", cc_names[cc], rn(sz, X64_R9),
                   rn(sz, X64_RDI));
        }
    }
    for (int cc = 0; cc < 16; cc++)
        for (int r = 0; r < 16; r++) {
            x64_emit_setcc(&f->a, cc, r);
            EXPECT(f, "set%s %s", cc_names[cc], rn(1, r));
        }
    for (int r = 0; r < 16; r++) {
        x64_emit_movzx_rr(&f->a, 4, 1, X64_RAX, r);
        EXPECT(f, "movzx eax, %s", rn(1, r));
        x64_emit_movzx_rr(&f->a, 4, 2, r, X64_RSI);
        EXPECT(f, "movzx %s, si", rn(4, r));
        x64_emit_movsx_rr(&f->a, 8, 1, r, X64_RDI);
        EXPECT(f, "movsx %s, dil", rn(8, r));
        x64_emit_movsx_rr(&f->a, 4, 2, X64_R12, r);
        EXPECT(f, "movsx r12d, %s", rn(2, r));
        x64_emit_movsx_rr(&f->a, 8, 4, r, X64_RBX);
        EXPECT(f, "movsxd %s, ebx", rn(8, r));
        x64_emit_movsx_rr(&f->a, 2, 1, r, X64_RBX);
        EXPECT(f, "movsx %s, bl", rn(2, r));
    }
    X64Mem m = x64_mem_idx(X64_RBX, X64_RSI, 2, 6);
    fmt_mem(mem, sizeof mem, 1, m);
    x64_emit_movzx_load(&f->a, 4, 1, X64_RDI, m);
    EXPECT(f, "movzx edi, %s", mem);
    fmt_mem(mem, sizeof mem, 2, m);
    x64_emit_movsx_load(&f->a, 4, 2, X64_R10, m);
    EXPECT(f, "movsx r10d, %s", mem);
    fmt_mem(mem, sizeof mem, 4, m);
    x64_emit_movsx_load(&f->a, 8, 4, X64_RAX, m);
    EXPECT(f, "movsxd rax, %s", mem);
    fx_close(f);
}
END_TEST

START_TEST(test_misc)
{
    Fixture fxs, *f = &fxs;
    fx_open(f);
    for (int r = 0; r < 16; r++) {
        x64_emit_push(&f->a, r);
        EXPECT(f, "push %s", rn(8, r));
        x64_emit_pop(&f->a, r);
        EXPECT(f, "pop %s", rn(8, r));
        x64_emit_bswap(&f->a, 4, r);
        EXPECT(f, "bswap %s", rn(4, r));
        x64_emit_bswap(&f->a, 8, r);
        EXPECT(f, "bswap %s", rn(8, r));
        x64_emit_call_r(&f->a, r);
        EXPECT(f, "call %s", rn(8, r));
        x64_emit_jmp_r(&f->a, r);
        EXPECT(f, "jmp %s", rn(8, r));
        x64_emit_xchg_rr(&f->a, 4, r, X64_R10);
        EXPECT(f, "xchg r10d, %s", rn(4, r));
    }
    x64_emit_jmp_m(&f->a, x64_mem(X64_RBX, 0x18));
    EXPECT(f, "jmp qword ptr [rbx + 0x18]");
    x64_emit_ret(&f->a);
    EXPECT(f, "ret");
    x64_emit_ud2(&f->a);
    EXPECT(f, "ud2");
    x64_emit_int3(&f->a);
    EXPECT(f, "int3");
    x64_emit_lahf(&f->a);
    EXPECT(f, "lahf");
    x64_emit_sahf(&f->a);
    EXPECT(f, "sahf");
    x64_emit_pushf(&f->a);
    EXPECT(f, "pushfq");
    x64_emit_popf(&f->a);
    EXPECT(f, "popfq");
    x64_emit_nop(&f->a, 1);
    EXPECT(f, "nop");
    x64_emit_nop(&f->a, 3);
    EXPECT(f, "nop dword ptr [rax]");
    fx_close(f);
}
END_TEST

static void expect_exec(Fixture *f, const char *want, int line)
{
    expect_at(f, want, 0x1000, line);
}

START_TEST(test_branch_targets)
{
    Fixture fxs, *f = &fxs;
    fx_open(f);
    char want[64];
    intptr_t delta = (intptr_t)0x1000 - (intptr_t)(uintptr_t)f->buf;
    for (int cc = 0; cc < 16; cc++) {
        x64_init(&f->a, f->buf, sizeof f->buf, delta);
        x64_emit_jcc(&f->a, cc, 0x2000);
        snprintf(want, sizeof want, "j%s 0x2000", cc_names[cc]);
        expect_exec(f, want, __LINE__);
        x64_init(&f->a, f->buf, sizeof f->buf, delta);
        size_t site = x64_emit_jcc8_site(&f->a, cc);
        x64_emit_nop(&f->a, 4);
        x64_bind8(&f->a, site);
        f->a.len = 2;
        snprintf(want, sizeof want, "j%s 0x1006", cc_names[cc]);
        expect_exec(f, want, __LINE__);
    }
    x64_init(&f->a, f->buf, sizeof f->buf, delta);
    x64_emit_jmp(&f->a, 0x800);
    expect_exec(f, "jmp 0x800", __LINE__);
    x64_init(&f->a, f->buf, sizeof f->buf, delta);
    x64_emit_call(&f->a, 0x7fff0000);
    expect_exec(f, "call 0x7fff0000", __LINE__);
    /* Unbound site jumps to the next instruction; binding retargets it. */
    x64_init(&f->a, f->buf, sizeof f->buf, delta);
    size_t site = x64_emit_jmp_site(&f->a);
    snprintf(want, sizeof want, "jmp 0x%x", 0x1005);
    x64_bind(&f->a, site);
    expect_exec(f, want, __LINE__);
    x64_init(&f->a, f->buf, sizeof f->buf, delta);
    site = x64_emit_jcc_site(&f->a, X64_CC_NE);
    x64_bind_to(&f->a, site, 0x10);
    expect_exec(f, "jne 0x10", __LINE__);
    x64_init(&f->a, f->buf, sizeof f->buf, delta);
    site = x64_emit_jmp_site(&f->a);
    x64_patch_rel32(f->buf + site, 0x1001, 0x4321);
    expect_exec(f, "jmp 0x4321", __LINE__);
    fx_close(f);
}
END_TEST

/* A target more than 2 GB away goes through r11. */
START_TEST(test_far_call)
{
    Fixture fxs, *f = &fxs;
    fx_open(f);
    intptr_t delta = (intptr_t)0x1000 - (intptr_t)(uintptr_t)f->buf;
    x64_init(&f->a, f->buf, sizeof f->buf, delta);
    x64_emit_call(&f->a, 0x123456789000ull);
    ck_assert(x64_reachable(&f->a, 0x2000));
    ck_assert(!x64_reachable(&f->a, 0x123456789000ull));
    cs_insn *insn;
    size_t n = cs_disasm(f->cs, f->buf, f->a.len, 0x1000, 0, &insn);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(insn[0].mnemonic, "movabs");
    ck_assert_str_eq(insn[0].op_str, "r11, 0x123456789000");
    ck_assert_str_eq(insn[1].mnemonic, "call");
    ck_assert_str_eq(insn[1].op_str, "r11");
    cs_free(insn, n);
    reset(f);
    fx_close(f);
}
END_TEST

START_TEST(test_overflow)
{
    Fixture fxs, *f = &fxs;
    fx_open(f);
    uint8_t small[3];
    X64Asm a;
    x64_init(&a, small, sizeof small, 0);
    x64_emit_mov_ri(&a, 4, X64_RAX, 1);
    ck_assert(a.overflow);
    ck_assert_uint_le(a.len, sizeof small);
    fx_close(f);
}
END_TEST

static Suite *x64_asm_suite(void)
{
    Suite *s = suite_create("x64_asm");
    TCase *tc = tcase_create("emit");
    tcase_set_timeout(tc, 120); /* the addressing sweep is long under ASan */
    tcase_add_test(tc, test_mov_rr_all_regs);
    tcase_add_test(tc, test_mov_ri);
    tcase_add_test(tc, test_load_store_addressing);
    tcase_add_test(tc, test_store_imm_lea);
    tcase_add_test(tc, test_alu);
    tcase_add_test(tc, test_test_insn);
    tcase_add_test(tc, test_shift_unary);
    tcase_add_test(tc, test_imul_ext_cmov_setcc);
    tcase_add_test(tc, test_misc);
    tcase_add_test(tc, test_branch_targets);
    tcase_add_test(tc, test_far_call);
    tcase_add_test(tc, test_overflow);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(x64_asm_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
