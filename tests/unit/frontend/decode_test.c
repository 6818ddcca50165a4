/*
 * Unit tests for the decoder (src/frontend/decode.c, insn.def): ModRM/SIB
 * forms (SDM vol. 2 tables 2-1..2-3), prefixes and the 15-byte limit
 * (SDM vol. 2 section 2.1), LOCK rules, immediates, #UD encodings, and
 * that every insn.def row is reachable from its own encoding.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/decode.h"

static DecodeTable *tab;

static int dec(DecodedInsn *d, const char *hex, bool code32)
{
    uint8_t b[32];
    unsigned n = 0;
    for (const char *p = hex; p[0] && p[1]; p += 2) {
        if (*p == ' ')
            p--;
        else
            b[n++] = (uint8_t)strtoul((char[]){p[0], p[1], 0}, NULL, 16);
    }
    return decode_insn(tab, d, b, n, code32);
}

static void setup(void)
{
    tab = malloc(sizeof(*tab));
    decode_table_init(tab);
}

static void teardown(void)
{
    free(tab);
}

START_TEST(modrm_register_form)
{
    DecodedInsn d;
    ck_assert_int_eq(dec(&d, "01d8", true), 2); /* add eax, ebx */
    ck_assert_int_eq(d.row, INSN_ADD_Ev_Gv);
    ck_assert_uint_eq(d.mod, 3);
    ck_assert_uint_eq(d.reg, R_EBX);
    ck_assert_uint_eq(d.rm, R_EAX);
    ck_assert(d.o32 && d.a32);
}
END_TEST

START_TEST(modrm16_bp_uses_ss)
{
    DecodedInsn d;
    ck_assert_int_eq(dec(&d, "8b46fe", false), 3); /* mov ax, [bp-2] */
    ck_assert_uint_eq(d.base, R_EBP);
    ck_assert_uint_eq(d.index, DEC_NOREG);
    ck_assert_uint_eq(d.disp, 0xFFFFFFFEu);
    ck_assert_uint_eq(d.seg, SEG_SS);
    ck_assert_int_eq(dec(&d, "8b060012", false), 4); /* mov ax, [1200h] */
    ck_assert_uint_eq(d.base, DEC_NOREG);
    ck_assert_uint_eq(d.disp, 0x1200);
    ck_assert_uint_eq(d.seg, SEG_DS);
    ck_assert_int_eq(dec(&d, "8b00", false), 2); /* mov ax, [bx+si] */
    ck_assert_uint_eq(d.base, R_EBX);
    ck_assert_uint_eq(d.index, R_ESI);
}
END_TEST

START_TEST(sib_forms)
{
    DecodedInsn d;
    ck_assert_int_eq(dec(&d, "8b442408", true), 4); /* [esp+8] */
    ck_assert_uint_eq(d.base, R_ESP);
    ck_assert_uint_eq(d.index, DEC_NOREG);
    ck_assert_uint_eq(d.seg, SEG_SS);
    ck_assert_uint_eq(d.disp, 8);
    ck_assert_int_eq(dec(&d, "8b048d00100000", true), 7); /* [ecx*4+1000h] */
    ck_assert_uint_eq(d.base, DEC_NOREG);
    ck_assert_uint_eq(d.index, R_ECX);
    ck_assert_uint_eq(d.scale, 2);
    ck_assert_uint_eq(d.disp, 0x1000);
    ck_assert_uint_eq(d.seg, SEG_DS);
    ck_assert_int_eq(dec(&d, "8b0500200000", true), 6); /* [2000h] */
    ck_assert_uint_eq(d.base, DEC_NOREG);
    /* 67h in 32-bit code switches to 16-bit addressing */
    ck_assert_int_eq(dec(&d, "678b4602", true), 4);
    ck_assert_uint_eq(d.base, R_EBP);
    ck_assert(!d.a32);
}
END_TEST

START_TEST(prefixes_and_limit)
{
    DecodedInsn d;
    ck_assert_int_eq(dec(&d, "2e66678b07", false), 5);
    ck_assert(d.o32 && d.a32);
    ck_assert_uint_eq(d.seg, SEG_CS);
    ck_assert_uint_eq(d.seg_ovr, SEG_CS);
    /* last segment override wins */
    ck_assert_int_eq(dec(&d, "26648b07", true), 4);
    ck_assert_uint_eq(d.seg, SEG_FS);
    /* 14 prefixes + opcode = 15 bytes is fine; 16 is #GP */
    ck_assert_int_eq(dec(&d, "6666666666666666666666666666" "90", true), 15);
    ck_assert_int_eq(dec(&d, "666666666666666666666666666666" "90", true),
                     DEC_TOO_LONG);
    ck_assert_int_eq(dec(&d, "66666666666666666666666666668b8000000000", true),
                     DEC_TOO_LONG);
    ck_assert_int_eq(dec(&d, "f3a5", true), 2);
    ck_assert_uint_eq(d.rep, 0xF3);
}
END_TEST

START_TEST(lock_rules)
{
    DecodedInsn d;
    ck_assert_int_eq(dec(&d, "f00118", true), 3); /* lock add [eax], ebx */
    ck_assert(d.lock);
    ck_assert_int_eq(dec(&d, "f001d8", true), DEC_UD); /* register dest */
    ck_assert_int_eq(dec(&d, "f08b00", true), DEC_UD); /* mov: not lockable */
    ck_assert_int_eq(dec(&d, "f03900", true), DEC_UD);  /* cmp */
    ck_assert_int_eq(dec(&d, "f00fc70f", true), 4);    /* cmpxchg8b [edi] */
}
END_TEST

START_TEST(immediates)
{
    DecodedInsn d;
    ck_assert_int_eq(dec(&d, "c8100002", true), 4); /* enter 10h, 2 */
    ck_assert_uint_eq(d.imm, 0x10);
    ck_assert_uint_eq(d.imm2, 2);
    ck_assert_int_eq(dec(&d, "ea785634120f0f", true), 7); /* jmp far */
    ck_assert_uint_eq(d.imm, 0x12345678);
    ck_assert_uint_eq(d.imm2, 0x0F0F);
    ck_assert_int_eq(dec(&d, "ea34120f0f", false), 5);
    ck_assert_uint_eq(d.imm, 0x1234);
    ck_assert_int_eq(dec(&d, "a13412", false), 3); /* mov ax, [1234h] */
    ck_assert_int_eq(dec(&d, "67a13412", true), 4);
    ck_assert_int_eq(dec(&d, "74fe", true), 2);
    ck_assert_uint_eq(d.imm, 0xFFFFFFFEu);
    ck_assert_int_eq(dec(&d, "e9fdff", false), 3);
    ck_assert_uint_eq(d.imm, 0xFFFFFFFDu);
    ck_assert_int_eq(dec(&d, "83c0ff", true), 3);
    ck_assert_uint_eq(d.imm, 0xFFFFFFFFu);
    ck_assert_int_eq(dec(&d, "6681c03412", true), 5); /* add ax, 1234h */
    ck_assert_int_eq(dec(&d, "f6c0ff", true), 3);      /* test al, imm8 */
    ck_assert_int_eq(dec(&d, "f6d0", true), 2);        /* not al: no imm */
}
END_TEST

START_TEST(undefined_encodings)
{
    DecodedInsn d;
    ck_assert_int_eq(dec(&d, "0f0d00", true), DEC_UD);   /* 3DNow! prefetch */
    ck_assert_int_eq(dec(&d, "0f5800", true), DEC_UD);   /* SSE addps */
    ck_assert_int_eq(dec(&d, "0f380000", true), DEC_UD); /* SSSE3 */
    ck_assert_int_eq(dec(&d, "0f05", true), DEC_UD);     /* syscall */
    ck_assert_int_eq(dec(&d, "8dc0", true), DEC_UD);     /* lea eax, eax */
    ck_assert_int_eq(dec(&d, "8cf0", true), DEC_UD);     /* sreg 6 */
    ck_assert_int_eq(dec(&d, "c6c800", true), DEC_UD);   /* C6 /1 */
    ck_assert_int_eq(dec(&d, "0fc7c8", true), DEC_UD);   /* cmpxchg8b reg */
    ck_assert_int_eq(dec(&d, "0f7100", true), DEC_UD);   /* psrlw mem,ib */
    ck_assert_int_eq(dec(&d, "0f", true), DEC_NEED_MORE);
    ck_assert_int_eq(dec(&d, "8b", true), DEC_NEED_MORE);
    ck_assert_int_eq(dec(&d, "0f0b", true), 2); /* ud2 is an instruction */
    ck_assert_int_eq(dec(&d, "0f20c0", true), 3); /* mov eax, cr0 */
    ck_assert_int_eq(dec(&d, "0f2000", true), 3); /* mod ignored */
    ck_assert_uint_eq(d.mod, 3);
}
END_TEST

/* Every row decodes from an encoding built from its own columns. */
START_TEST(every_row_reachable)
{
    for (unsigned i = 0; i < INSN_COUNT; i++) {
        const InsnRow *r = &insn_rows[i];
        uint8_t b[16] = {0};
        unsigned n = 0;
        if (r->map == 1)
            b[n++] = 0x0F;
        b[n++] = r->opcode;
        unsigned reg = r->reg == DEC_REG_any ? 2 : r->reg;
        unsigned mod = r->mod == DEC_MOD_reg ? 3 : 0;
        b[n++] = (uint8_t)(mod << 6 | reg << 3 | 1); /* [ecx] or ecx */
        DecodedInsn d;
        int len = decode_insn(tab, &d, b, sizeof(b), true);
        ck_assert_msg(len > 0, "row %s does not decode", r->name);
        const InsnRow *got = &insn_rows[d.row];
        /* rows sharing an encoding differ only in name (e.g. 80/82) */
        ck_assert_msg(got->handler == r->handler &&
                          strcmp(got->mnem, r->mnem) == 0,
                      "row %s decodes as %s", r->name, got->name);
        ck_assert_ptr_nonnull(r->handler);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("decode");
    TCase *tc = tcase_create("decode");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, modrm_register_form);
    tcase_add_test(tc, modrm16_bp_uses_ss);
    tcase_add_test(tc, sib_forms);
    tcase_add_test(tc, prefixes_and_limit);
    tcase_add_test(tc, lock_rules);
    tcase_add_test(tc, immediates);
    tcase_add_test(tc, undefined_encodings);
    tcase_add_test(tc, every_row_reachable);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
