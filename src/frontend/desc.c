/*
 * desc.c — descriptor tables and explicit-stack helpers for the system
 * model (SDM vol. 3 chapters 3 and 5; see desc.h).
 */
#include "frontend/desc.h"

#include "frontend/cpu_mem.h"
#include "frontend/except.h"
#include "machine/vm.h"

static uint32_t desc_table_base(const CPUState *cpu, uint16_t sel)
{
    return (sel & 4) ? cpu->ldtr.base : cpu->gdtr.base;
}

bool desc_read(CPUState *cpu, uint16_t sel, Desc *d)
{
    uint32_t limit;
    if (sel & 4) {
        if (cpu->ldtr.attr & SEG_ATTR_UNUSABLE)
            return false;
        limit = cpu->ldtr.limit;
    } else {
        limit = cpu->gdtr.limit;
    }
    if ((uint32_t)(sel | 7) > limit)
        return false;
    uint32_t a = desc_table_base(cpu, sel) + (sel & ~7u);
    d->lo = cpu_ld_sys32(cpu, a);
    d->hi = cpu_ld_sys32(cpu, a + 4);
    return true;
}

void desc_fetch(CPUState *cpu, uint16_t sel, Desc *d, int vec, uint32_t ext)
{
    if (!desc_read(cpu, sel, d))
        cpu_raise(cpu, vec, (sel & 0xFFFC) | ext);
}

void desc_set_accessed(CPUState *cpu, uint16_t sel, Desc *d)
{
    if (d->hi & (1u << 8))
        return;
    d->hi |= 1u << 8;
    cpu_st_sys8(cpu, desc_table_base(cpu, sel) + (sel & ~7u) + 5,
                (uint8_t)(d->hi >> 8));
}

void desc_set_busy(CPUState *cpu, uint16_t sel, bool busy)
{
    uint32_t a = cpu->gdtr.base + (sel & ~7u) + 5;
    uint8_t b = cpu_ld_sys8(cpu, a);
    b = busy ? (uint8_t)(b | 2) : (uint8_t)(b & ~2);
    cpu_st_sys8(cpu, a, b);
}

void seg_cache_null(SegCache *s, uint16_t sel)
{
    s->sel = sel;
    s->base = 0;
    s->limit = 0;
    s->attr = SEG_ATTR_UNUSABLE;
}

void seg_check_ss(CPUState *cpu, uint16_t sel, unsigned cpl, SegCache *out,
                  int vec, uint32_t ext)
{
    if ((sel & 0xFFFC) == 0)
        cpu_raise(cpu, vec, ext);
    Desc d;
    desc_fetch(cpu, sel, &d, vec, ext);
    uint32_t err = (sel & 0xFFFC) | ext;
    if ((sel & 3) != cpl || desc_dpl(&d) != cpl ||
        (desc_type(&d) & 0x1A) != 0x12)
        cpu_raise(cpu, vec, err);
    if (!desc_present(&d))
        cpu_raise(cpu, EXC_SS, err);
    desc_set_accessed(cpu, sel, &d);
    seg_cache_fill(out, sel, &d);
}

bool seg_in_limit(const SegCache *s, uint32_t off, unsigned size)
{
    uint32_t last = off + size - 1;
    if (!(s->attr & 0x8) && (s->attr & 0x4)) {
        uint32_t top = (s->attr & SEG_ATTR_DB) ? 0xFFFFFFFFu : 0xFFFFu;
        return off > s->limit && last <= top && last >= off;
    }
    return last >= off && last <= s->limit;
}

void sys_push(CPUState *cpu, const SegCache *ss, uint32_t *esp,
              uint32_t val, unsigned size, uint32_t err, int user)
{
    bool s32 = ss->attr & SEG_ATTR_DB;
    uint32_t sp = *esp - size;
    if (!s32)
        sp = (*esp & 0xFFFF0000u) | (sp & 0xFFFF);
    uint32_t off = s32 ? sp : sp & 0xFFFF;
    if (!seg_in_limit(ss, off, size))
        cpu_raise(cpu, EXC_SS, err);
    uint32_t lin = ss->base + off;
    for (unsigned i = 0; i < size; i++) {
        uint8_t b = (uint8_t)(val >> (8 * i));
        if (user)
            cpu_st_linear8(cpu, lin + i, b);
        else
            cpu_st_sys8(cpu, lin + i, b);
    }
    *esp = sp;
}

uint32_t sys_pop(CPUState *cpu, const SegCache *ss, uint32_t *esp,
                 unsigned size, uint32_t err, int user)
{
    bool s32 = ss->attr & SEG_ATTR_DB;
    uint32_t off = s32 ? *esp : *esp & 0xFFFF;
    if (!seg_in_limit(ss, off, size))
        cpu_raise(cpu, EXC_SS, err);
    uint32_t lin = ss->base + off, v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint32_t b = user ? cpu_ld_linear8(cpu, lin + i)
                          : cpu_ld_sys8(cpu, lin + i);
        v |= b << (8 * i);
    }
    uint32_t sp = *esp + size;
    *esp = s32 ? sp : (*esp & 0xFFFF0000u) | (sp & 0xFFFF);
    return v;
}

void tss_stack(CPUState *cpu, unsigned dpl, uint16_t *ss, uint32_t *esp,
               uint32_t ext)
{
    bool t32 = (cpu->tr.attr & 0x8) != 0;
    uint32_t off = t32 ? 4 + dpl * 8 : 2 + dpl * 4;
    uint32_t need = t32 ? off + 7 : off + 3;
    if (need > cpu->tr.limit)
        cpu_raise(cpu, EXC_TS, (cpu->tr.sel & 0xFFFC) | ext);
    uint32_t a = cpu->tr.base + off;
    if (t32) {
        *esp = cpu_ld_sys32(cpu, a);
        *ss = cpu_ld_sys16(cpu, a + 4);
    } else {
        *esp = cpu_ld_sys16(cpu, a);
        *ss = cpu_ld_sys16(cpu, a + 2);
    }
}

static const int desc_data_segs[] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};

bool seg_null_invalid(CPUState *cpu)
{
    /* Common case first: every data segment is usable at the new CPL
     * (DPL >= CPL) or already null. */
    uint32_t need = (uint32_t)cpu->cpl << SEG_ATTR_DPL_SHIFT;
    uint32_t es = cpu->seg[SEG_ES].attr, ds = cpu->seg[SEG_DS].attr;
    uint32_t fs = cpu->seg[SEG_FS].attr, gs = cpu->seg[SEG_GS].attr;
    if (((es & SEG_ATTR_UNUSABLE) || (es & SEG_ATTR_DPL) >= need) &&
        ((ds & SEG_ATTR_UNUSABLE) || (ds & SEG_ATTR_DPL) >= need) &&
        ((fs & SEG_ATTR_UNUSABLE) || (fs & SEG_ATTR_DPL) >= need) &&
        ((gs & SEG_ATTR_UNUSABLE) || (gs & SEG_ATTR_DPL) >= need))
        return false;
    for (unsigned i = 0; i < 4; i++) {
        SegCache *s = &cpu->seg[desc_data_segs[i]];
        unsigned dpl = (s->attr & SEG_ATTR_DPL) >> SEG_ATTR_DPL_SHIFT;
        bool conforming_code = (s->attr & 0xC) == 0xC;
        if (s->attr & SEG_ATTR_UNUSABLE)
            continue;
        if (!conforming_code && dpl < cpu->cpl)
            seg_cache_null(s, 0);
    }
    return true;
}
