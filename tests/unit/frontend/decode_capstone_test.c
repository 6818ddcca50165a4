/*
 * Decoder vs Capstone on random byte streams (tests/diff/README.md lists
 * the justified exceptions). For every stream that our decoder accepts,
 * Capstone must decode the same length and the same mnemonic (x87 rows:
 * length only). Streams we reject as #UD must be instructions that a
 * Pentium II does not have (SSE, 3DNow!, later integer extensions).
 * X86BT_DECODE_COUNT overrides the number of streams (default 1,000,000;
 * 200,000 under ASan); X86BT_DECODE_SEED the random seed.
 */
#include <capstone/capstone.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/decode.h"

typedef struct Rng {
    uint64_t s;
} Rng;

static uint32_t rng_next(Rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return (uint32_t)(r->s >> 11);
}

static long env_long(const char *name, long def)
{
    const char *v = getenv(name);
    return v ? strtol(v, NULL, 0) : def;
}

/* Random instruction bytes biased towards interesting encodings. */
static void gen_stream(Rng *r, uint8_t *b)
{
    static const uint8_t prefixes[] = {0x66, 0x67, 0xF2, 0xF3, 0xF0, 0x26,
                                       0x2E, 0x36, 0x3E, 0x64, 0x65};
    unsigned i = 0;
    for (unsigned k = 0; k < INSN_MAX_LEN + 1; k++)
        b[k] = (uint8_t)rng_next(r);
    while (i < 4 && rng_next(r) % 4 == 0)
        b[i++] = prefixes[rng_next(r) % sizeof(prefixes)];
    if (rng_next(r) % 3 == 0)
        b[i] = 0x0F;
}

static void strip_prefix_words(char *m)
{
    static const char *const words[] = {"lock ", "rep ", "repe ", "repne ",
                                        "repz ", "repnz ", "bnd ",
                                        "notrack ", "xacquire ",
                                        "xrelease ", "data16 ", "addr32 "};
    for (int again = 1; again;) {
        again = 0;
        for (unsigned w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
            size_t n = strlen(words[w]);
            if (strncmp(m, words[w], n) == 0) {
                memmove(m, m + n, strlen(m + n) + 1);
                again = 1;
            }
        }
    }
}

/* Our mnemonics that Capstone spells differently. */
static bool mnem_equal(const char *ours, const char *cs)
{
    static const char *const alias[][2] = {
        {"pause", "nop"},     /* F3 90 in 32-bit mode */
        {"int3", "int3"},
    };
    if (strcmp(ours, cs) == 0)
        return true;
    for (unsigned i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
        if (strcmp(cs, alias[i][0]) == 0 && strcmp(ours, alias[i][1]) == 0)
            return true;
    return false;
}

/* Capstone decodes it; we say #UD. Fine if the P6 lacks the instruction. */
static bool post_p6(csh h, const cs_insn *ci)
{
    static const char *const later[] = {
        "syscall", "sysret", "swapgs", "rdtscp", "movbe", "popcnt",
        "lzcnt", "tzcnt", "crc32", "monitor", "mwait", "xgetbv", "xsetbv",
        "vmcall", "vmlaunch", "vmresume", "vmxoff", "rdrand", "rdseed",
        "femms", "prefetch", "prefetchw", "prefetchnta", "prefetcht0",
        "prefetcht1", "prefetcht2", "ud0", "clflush", "lfence", "mfence",
        "sfence", "getsec", "invept", "invvpid", "vmread", "vmwrite",
        "xsave", "xrstor", "xsaveopt", "fxsave", "fxrstor", "ldmxcsr",
        "stmxcsr", "rdfsbase", "rdgsbase", "wrfsbase", "wrgsbase",
        "clac", "stac", "encls", "enclu", "xend", "xtest", "rdpkru",
        "wrpkru", "clflushopt", "clwb", "pcommit", "movnti", "maskmovq",
        "pavgb", "pavgw", "pmaxsw", "pmaxub", "pminsw", "pminub",
        "pmovmskb", "pmulhuw", "psadbw", "pshufw", "pextrw", "pinsrw",
        "movntq", "paddq", "psubq", "pmuludq", "vmptrld", "vmptrst",
        "vmclear", "vmxon", "vmfunc", "xabort", "xbegin", "nop", "ud1",
        "cmpxchg16b", "rdpid", "ptwrite", "invpcid", "adcx", "adox",
        "andn", "bextr", "blsi", "blsmsk", "blsr", "bzhi", "pdep", "pext",
        "rorx", "sarx", "shlx", "shrx", "mulx", "sha1msg1", "emms",
        "sysexit", "sysenter", "endbr32", "endbr64", "rdsspd", "incsspd",
        "saveprevssp", "rstorssp", "wrssd", "wrussd", "setssbsy",
        "clrssbsy", "movdir64b", "movdiri", "tpause", "umonitor",
        "umwait", "cldemote", "enqcmd", "enqcmds", "serialize",
        "xsusldtrk", "xresldtrk", "hreset", "rdmsrlist", "uiret",
        "testui", "clui", "stui", "senduipi", "xsaves", "xrstors",
        "xsavec", "xsave64", "skinit", "vmrun", "vmload", "vmsave",
        "stgi", "clgi", "invlpga", "rdpru", "monitorx", "mwaitx", "clzero",
        "montmul", "xstorerng", "xcryptecb", "xcryptcbc", "xcryptctr",
        "xcryptcfb", "xcryptofb", "xsha1", "xsha256",
    };
    if (strstr(ci->op_str, "xmm") || strstr(ci->op_str, "ymm") ||
        strstr(ci->op_str, "zmm") || ci->mnemonic[0] == 'v' ||
        strstr(ci->op_str, "bnd") || ci->mnemonic[0] == 'k')
        return true;
    cs_detail *det = ci->detail;
    for (unsigned g = 0; det && g < det->groups_count; g++) {
        unsigned grp = det->groups[g];
        if ((grp >= X86_GRP_3DNOW && grp <= X86_GRP_XOP) ||
            grp == X86_GRP_SSE1 || grp == X86_GRP_SSE2)
            return true;
    }
    (void)h;
    char m[64];
    snprintf(m, sizeof(m), "%s", ci->mnemonic);
    strip_prefix_words(m);
    for (unsigned i = 0; i < sizeof(later) / sizeof(later[0]); i++)
        if (strcmp(m, later[i]) == 0)
            return true;
    return false;
}

typedef struct Stats {
    long valid, ud_ok, cs_invalid_ok, mismatch;
} Stats;

static void report(const char *what, const uint8_t *b, int ours,
                   const cs_insn *ci, const char *om, bool code32)
{
    fprintf(stderr, "%s (%s): ", what, code32 ? "32" : "16");
    for (int k = 0; k < 15; k++)
        fprintf(stderr, "%02x", b[k]);
    fprintf(stderr, " ours len %d %s | capstone %d %s %s\n", ours,
            om ? om : "-", ci ? (int)ci->size : 0, ci ? ci->mnemonic : "-",
            ci ? ci->op_str : "");
}

static bool has_prefix(const uint8_t *b, uint8_t p, int times)
{
    int n = 0;
    for (unsigned i = 0; i < INSN_MAX_LEN; i++) {
        uint8_t x = b[i];
        bool pre = x == 0x66 || x == 0x67 || x == 0xF0 || x == 0xF2 ||
                   x == 0xF3 || x == 0x26 || x == 0x2E || x == 0x36 ||
                   x == 0x3E || x == 0x64 || x == 0x65;
        if (!pre)
            break;
        n += x == p;
    }
    return n >= times;
}

/* Capstone 4 drops 66/67 prefixes in some prefix combinations (with
 * F2/F3, with a later segment prefix, on 98/99 and E3). Does our decode of
 * the bytes with that prefix neutralised (made a segment prefix, which
 * changes neither length nor mnemonic) match Capstone? */
static bool cs_drops_prefix(const DecodeTable *t, const uint8_t *b,
                            bool code32, const cs_insn *ci, const char *cm,
                            uint8_t which)
{
    uint8_t c[INSN_MAX_LEN + 1];
    memcpy(c, b, sizeof(c));
    bool had = false;
    for (unsigned i = 0; i < 4; i++) {
        if (c[i] == which) {
            c[i] = 0x26;
            had = true;
        }
    }
    DecodedInsn e;
    char buf[32];
    if (!had || decode_insn(t, &e, c, INSN_MAX_LEN, code32) != (int)ci->size)
        return false;
    return strcmp(decode_mnemonic(&e, buf, sizeof(buf)), cm) == 0;
}

/* Known Capstone 4 differences (tests/diff/README.md). */
static bool cs_name_differs(const DecodeTable *t, const DecodedInsn *d,
                            const uint8_t *b, bool code32, const cs_insn *ci,
                            const char *cm)
{
    const InsnRow *r = &insn_rows[d->row];
    /* 1. CBW/CWD in 16-bit mode are always named cwde/cdq. */
    if (!code32 && d->map == 0 && (d->opcode == 0x98 || d->opcode == 0x99))
        return strcmp(cm, d->opcode == 0x98 ? "cwde" : "cdq") == 0;
    /* 2. Lost 66/67 prefixes. */
    if (cs_drops_prefix(t, b, code32, ci, cm, 0x66) ||
        cs_drops_prefix(t, b, code32, ci, cm, 0x67))
        return true;
    /* 3. Prefixed MMX opcodes are SSE2 on later CPUs; a P6 ignores the
     * prefix. F3 0F BC/BD are TZCNT/LZCNT later, BSF/BSR on a P6. */
    if (r->cls == CLS_mmx && strstr(ci->op_str, "xmm"))
        return (int)ci->size == d->len;
    if (d->map == 1 && (d->opcode == 0xBC || d->opcode == 0xBD))
        return strcmp(cm, d->opcode == 0xBC ? "tzcnt" : "lzcnt") == 0 &&
               (int)ci->size == d->len;
    return false;
}

/* We reject a LOCK prefix that Capstone accepts: valid if the same bytes
 * without LOCK decode (LOCK on a non-lockable form is #UD, SDM "LOCK"). */
static bool lock_ud(const DecodeTable *t, const uint8_t *b, bool code32)
{
    uint8_t c[INSN_MAX_LEN + 1];
    memcpy(c, b, sizeof(c));
    bool had = false;
    for (unsigned i = 0; i < 4; i++) {
        if (c[i] == 0xF0) {
            c[i] = 0x3E;
            had = true;
        }
    }
    DecodedInsn d;
    return had && decode_insn(t, &d, c, INSN_MAX_LEN, code32) > 0;
}

static void check_one(const DecodeTable *t, csh h, const uint8_t *b,
                      bool code32, Stats *st)
{
    DecodedInsn d;
    cs_insn *ci = NULL;
    int n = decode_insn(t, &d, b, INSN_MAX_LEN, code32);
    size_t c = cs_disasm(h, b, INSN_MAX_LEN, 0x1000, 1, &ci);
    if (n > 0) {
        char buf[32], cm[64];
        const char *om = decode_mnemonic(&d, buf, sizeof(buf));
        const InsnRow *r = &insn_rows[d.row];
        if (!c) {
            if (r->cls == CLS_fpu ||
                (d.map == 1 && (d.opcode == 0xB9 ||
                                (d.opcode >= 0x19 && d.opcode <= 0x1F))) ||
                (has_prefix(b, 0x66, 1) &&
                 (has_prefix(b, 0xF2, 1) || has_prefix(b, 0xF3, 1)))) {
                st->cs_invalid_ok++;
            } else {
                st->mismatch++;
                if (st->mismatch < 20)
                    report("capstone invalid", b, n, NULL, om, code32);
            }
        } else {
            snprintf(cm, sizeof(cm), "%s", ci->mnemonic);
            strip_prefix_words(cm);
            bool len_ok = (int)ci->size == n;
            bool mn_ok = r->cls == CLS_fpu || mnem_equal(om, cm);
            if (!len_ok || !mn_ok)
                len_ok = mn_ok = cs_name_differs(t, &d, b, code32, ci, cm);
            if (d.map == 1 && d.opcode == 0xB9)
                len_ok = mn_ok = true; /* UD1: see README */
            if (len_ok && mn_ok) {
                st->valid++;
            } else {
                st->mismatch++;
                if (st->mismatch < 20)
                    report("mismatch", b, n, ci, om, code32);
            }
        }
    } else if (n == DEC_UD && c) {
        if (post_p6(h, ci) || lock_ud(t, b, code32)) {
            st->ud_ok++;
        } else {
            st->mismatch++;
            if (st->mismatch < 20)
                report("we #UD", b, n, ci, NULL, code32);
        }
    }
    if (c)
        cs_free(ci, c);
}

START_TEST(decode_vs_capstone)
{
    DecodeTable *t = malloc(sizeof(*t));
    ck_assert_ptr_nonnull(t);
    decode_table_init(t);
    csh h16, h32;
    ck_assert_int_eq(cs_open(CS_ARCH_X86, CS_MODE_16, &h16), CS_ERR_OK);
    ck_assert_int_eq(cs_open(CS_ARCH_X86, CS_MODE_32, &h32), CS_ERR_OK);
    cs_option(h16, CS_OPT_DETAIL, CS_OPT_ON);
    cs_option(h32, CS_OPT_DETAIL, CS_OPT_ON);
#ifdef X86BT_ASAN
    long count = env_long("X86BT_DECODE_COUNT", 200000);
#else
    long count = env_long("X86BT_DECODE_COUNT", 1000000);
#endif
    Rng r = {(uint64_t)env_long("X86BT_DECODE_SEED", 0x5eed1234) | 1};
    Stats st = {0};
    uint8_t b[INSN_MAX_LEN + 1];
    for (long i = 0; i < count; i++) {
        gen_stream(&r, b);
        bool code32 = i & 1;
        check_one(t, code32 ? h32 : h16, b, code32, &st);
    }
    fprintf(stderr,
            "decode vs capstone: %ld streams, %ld agree, %ld #UD on P6 "
            "(capstone decodes later ISA), %ld capstone-invalid x87/UD1, "
            "%ld mismatches\n",
            count, st.valid, st.ud_ok, st.cs_invalid_ok, st.mismatch);
    cs_close(&h16);
    cs_close(&h32);
    free(t);
    ck_assert_int_eq(st.mismatch, 0);
    ck_assert_int_gt(st.valid, count / 4);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("decode_capstone");
    TCase *tc = tcase_create("random");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, decode_vs_capstone);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
