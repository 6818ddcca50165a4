/*
 * decode.c — table-driven decoder for 16- and 32-bit x86 code (SDM vol. 2
 * chapter 2: prefixes, opcode, ModRM, SIB, displacement, immediate).
 *
 * insn_rows[] is insn.def expanded; decode_table_init() indexes it by
 * (map, opcode, ModRM.mod == 3, ModRM.reg). Prefixes may repeat and come in
 * any order; the last segment override and the last F2/F3 win. Instructions
 * longer than 15 bytes are DEC_TOO_LONG (#GP(0)).
 */
#include "frontend/decode.h"

#include <string.h>

#include "frontend/exec.h"

const InsnRow insn_rows[INSN_COUNT] = {
#define X(id, map_, op, reg_, mod_, mnem_, o1, o2, o3, feat, fr, fw, fu, h,  \
          cls_, attr_)                                                      \
    [INSN_##id] = {.name = #id,                                             \
                   .mnem = mnem_,                                           \
                   .handler = exec_##h,                                     \
                   .flags_read = FL_##fr,                                   \
                   .flags_written = FL_##fw,                                \
                   .flags_undef = FL_##fu,                                  \
                   .attr = (attr_),                                         \
                   .map = map_,                                             \
                   .opcode = op,                                            \
                   .reg = DEC_REG_##reg_,                                   \
                   .mod = DEC_MOD_##mod_,                                   \
                   .ops = {OPK_##o1, OPK_##o2, OPK_##o3},                   \
                   .feature = CPUF_##feat,                                  \
                   .cls = CLS_##cls_},
#include "frontend/insn.def"
#undef X
};

static bool opk_is_modrm(unsigned k)
{
    return (k >= OPK_Eb && k <= OPK_Sw) || (k >= OPK_Pq && k <= OPK_Fx);
}

static bool row_has_modrm(const InsnRow *r)
{
    return opk_is_modrm(r->ops[0]) || opk_is_modrm(r->ops[1]) ||
           opk_is_modrm(r->ops[2]);
}

static bool row_has_zreg(const InsnRow *r)
{
    return r->ops[0] == OPK_Zb || r->ops[0] == OPK_Zv;
}

static bool row_has_imm(const InsnRow *r)
{
    for (unsigned k = 0; k < 3; k++)
        if ((r->ops[k] >= OPK_Ib && r->ops[k] <= OPK_Ov))
            return true;
    return false;
}

void decode_table_init(DecodeTable *t)
{
    memset(t, 0, sizeof(*t));
    for (unsigned i = 0; i < INSN_COUNT; i++) {
        const InsnRow *r = &insn_rows[i];
        t->rowflags[i] = (row_has_modrm(r) ? DEC_RF_MODRM : 0) |
                         (row_has_imm(r) ? DEC_RF_IMM : 0);
        unsigned last = row_has_zreg(r) ? (r->opcode | 7u) : r->opcode;
        for (unsigned op = r->opcode; op <= last; op++) {
            for (unsigned m = 0; m < 2; m++) {
                if ((r->mod == DEC_MOD_mem && m == 1) ||
                    (r->mod == DEC_MOD_reg && m == 0))
                    continue;
                for (unsigned g = 0; g < 8; g++)
                    if (r->reg == DEC_REG_any || r->reg == g)
                        t->idx[r->map][op][m][g] = (uint16_t)(i + 1);
            }
        }
    }
}

/* Check that n more bytes from offset i exist. */
static int dec_need(unsigned i, unsigned n, unsigned avail)
{
    if (i + n > INSN_MAX_LEN)
        return DEC_TOO_LONG;
    if (i + n > avail)
        return DEC_NEED_MORE;
    return 0;
}

static uint32_t dec_le(const uint8_t *p, unsigned n)
{
    uint32_t v = 0;
    for (unsigned k = 0; k < n; k++)
        v |= (uint32_t)p[k] << (8 * k);
    return v;
}

/* 16-bit ModRM (SDM vol. 2 table 2-1). */
static const uint8_t dec_base16[8] = {R_EBX, R_EBX, R_EBP, R_EBP,
                                      DEC_NOREG, DEC_NOREG, R_EBP, R_EBX};
static const uint8_t dec_index16[8] = {R_ESI, R_EDI, R_ESI, R_EDI,
                                       R_ESI, R_EDI, DEC_NOREG, DEC_NOREG};

static int dec_modrm16(DecodedInsn *d, const uint8_t *buf, unsigned *ip,
                       unsigned avail)
{
    unsigned i = *ip, n = 0;
    d->base = dec_base16[d->rm];
    d->index = dec_index16[d->rm];
    if (d->mod == 0 && d->rm == 6) {
        d->base = DEC_NOREG;
        n = 2;
    } else if (d->mod == 1) {
        n = 1;
    } else if (d->mod == 2) {
        n = 2;
    }
    int e = dec_need(i, n, avail);
    if (e)
        return e;
    d->disp = n == 1 ? (uint32_t)(int32_t)(int8_t)buf[i] : dec_le(buf + i, n);
    *ip = i + n;
    return d->base == R_EBP ? SEG_SS : SEG_DS;
}

static int dec_modrm32(DecodedInsn *d, const uint8_t *buf, unsigned *ip,
                       unsigned avail)
{
    unsigned i = *ip, n = 0;
    d->base = d->rm;
    if (d->rm == 4) {
        int e = dec_need(i, 1, avail);
        if (e)
            return e;
        uint8_t sib = buf[i++];
        d->scale = sib >> 6;
        d->index = (sib >> 3) & 7;
        if (d->index == 4)
            d->index = DEC_NOREG;
        d->base = sib & 7;
        if (d->base == 5 && d->mod == 0) {
            d->base = DEC_NOREG;
            n = 4;
        }
    } else if (d->rm == 5 && d->mod == 0) {
        d->base = DEC_NOREG;
        n = 4;
    }
    if (d->mod == 1)
        n = 1;
    else if (d->mod == 2)
        n = 4;
    int e = dec_need(i, n, avail);
    if (e)
        return e;
    d->disp = n == 1 ? (uint32_t)(int32_t)(int8_t)buf[i] : dec_le(buf + i, n);
    *ip = i + n;
    return (d->base == R_ESP || d->base == R_EBP) ? SEG_SS : SEG_DS;
}

/* Size in bytes of an immediate operand kind. */
static unsigned dec_imm_size(const DecodedInsn *d, unsigned k)
{
    switch (k) {
    case OPK_Ib: case OPK_Ibs: case OPK_Jb:
        return 1;
    case OPK_Iw:
        return 2;
    case OPK_Iz: case OPK_Jz:
        return d->o32 ? 4 : 2;
    case OPK_Ap:
        return d->o32 ? 6 : 4;
    case OPK_Ob: case OPK_Ov:
        return d->a32 ? 4 : 2;
    default:
        return 0;
    }
}

static int dec_imms(DecodedInsn *d, const InsnRow *r, const uint8_t *buf,
                    unsigned *ip, unsigned avail)
{
    unsigned i = *ip, nimm = 0;
    for (unsigned k = 0; k < 3; k++) {
        unsigned n = dec_imm_size(d, r->ops[k]);
        if (!n)
            continue;
        int e = dec_need(i, n, avail);
        if (e)
            return e;
        uint32_t v;
        if (r->ops[k] == OPK_Ap) {
            unsigned off = n - 2;
            v = dec_le(buf + i, off);
            d->imm2 = dec_le(buf + i + off, 2);
        } else {
            v = dec_le(buf + i, n);
            if (r->ops[k] == OPK_Ibs || r->ops[k] == OPK_Jb ||
                (r->ops[k] == OPK_Jz && n == 2))
                v = sext(v, n);
        }
        if (nimm++ == 0)
            d->imm = v;
        else
            d->imm2 = v;
        i += n;
    }
    *ip = i;
    return 0;
}

static int dec_prefixes(DecodedInsn *d, const uint8_t *buf, unsigned avail,
                        bool code32, unsigned *ip)
{
    static const uint8_t seg_of[8] = {SEG_ES, SEG_CS, SEG_SS, SEG_DS};
    unsigned i = 0;
    for (;; i++) {
        int e = dec_need(i, 1, avail);
        if (e)
            return e;
        uint8_t b = buf[i];
        switch (b) {
        case 0x26: case 0x2E: case 0x36: case 0x3E:
            d->seg_ovr = seg_of[(b >> 3) & 3];
            break;
        case 0x64: case 0x65:
            d->seg_ovr = b == 0x64 ? SEG_FS : SEG_GS;
            break;
        case 0x66:
            d->o32 = !code32;
            break;
        case 0x67:
            d->a32 = !code32;
            break;
        case 0xF0:
            d->lock = true;
            break;
        case 0xF2: case 0xF3:
            d->rep = b;
            break;
        default:
            *ip = i;
            return 0;
        }
    }
}

static void dec_reset(DecodedInsn *d, bool code32)
{
    d->disp = d->imm = d->imm2 = 0;
    d->modrm = d->mod = d->reg = d->rm = 0;
    d->base = d->index = DEC_NOREG;
    d->scale = 0;
    d->seg_ovr = SEG_NONE;
    d->rep = 0;
    d->o32 = d->a32 = code32;
    d->lock = d->has_modrm = false;
}

int decode_insn(const DecodeTable *t, DecodedInsn *d, const uint8_t *buf,
                unsigned avail, bool code32)
{
    unsigned i;
    dec_reset(d, code32);
    int e = dec_prefixes(d, buf, avail, code32, &i);
    if (e)
        return e;
    d->map = 0;
    if (buf[i] == 0x0F) {
        d->map = 1;
        if ((e = dec_need(++i, 1, avail)))
            return e;
    }
    d->opcode = buf[i++];
    const uint16_t(*ent)[8] = t->idx[d->map][d->opcode];
    unsigned rowi = ent[0][0] ? ent[0][0] : ent[1][0];
    for (unsigned k = 0; !rowi && k < 16; k++)
        rowi = ent[k >> 3][k & 7];
    if (!rowi)
        return DEC_UD;
    const InsnRow *r = &insn_rows[rowi - 1];
    int seg = SEG_DS;
    if (t->rowflags[rowi - 1] & DEC_RF_MODRM) {
        if ((e = dec_need(i, 1, avail)))
            return e;
        d->has_modrm = true;
        d->modrm = buf[i++];
        d->mod = d->modrm >> 6;
        d->reg = (d->modrm >> 3) & 7;
        d->rm = d->modrm & 7;
        if (r->attr & A_MODREG)
            d->mod = 3;
        if (d->mod != 3) {
            seg = d->a32 ? dec_modrm32(d, buf, &i, avail)
                         : dec_modrm16(d, buf, &i, avail);
            if (seg < 0)
                return seg;
        }
        rowi = ent[d->mod == 3][d->reg];
        if (!rowi)
            return DEC_UD;
        r = &insn_rows[rowi - 1];
        /* Only six segment registers exist: sreg 6 and 7 are #UD. */
        if ((r->ops[0] == OPK_Sw || r->ops[1] == OPK_Sw) && d->reg > 5)
            return DEC_UD;
    }
    if ((t->rowflags[rowi - 1] & DEC_RF_IMM) &&
        (e = dec_imms(d, r, buf, &i, avail)))
        return e;
    if (d->lock && (!(r->attr & A_LOCK) || d->mod == 3 || !d->has_modrm))
        return DEC_UD;
    d->seg = d->seg_ovr != SEG_NONE ? d->seg_ovr : (uint8_t)seg;
    d->row = (uint16_t)(rowi - 1);
    d->handler = r->handler;
    d->len = (uint8_t)i;
    return (int)i;
}

const char *decode_mnemonic(const DecodedInsn *d, char *buf, unsigned len)
{
    const InsnRow *r = &insn_rows[d->row];
    const char *slash = strchr(r->mnem, '/');
    if (!slash || len == 0)
        return r->mnem;
    bool second = (r->attr & A_A32) ? d->a32 : d->o32;
    const char *s = second ? slash + 1 : r->mnem;
    size_t n = second ? strlen(s) : (size_t)(slash - r->mnem);
    if (n >= len)
        n = len - 1;
    memcpy(buf, s, n);
    buf[n] = 0;
    return buf;
}
