/*
 * seg.c — segmentation: limit/type checks on every access, segment register
 * loads, far control transfers, I/O permission (SDM vol. 3 chapters 3 and
 * 5, vol. 1 section 18.5).
 *
 * Minimal model, to be completed by the system helper: real and V86 mode
 * are complete; in protected mode descriptors are loaded from GDT/LDT with
 * the basic null/present/type checks, far JMP/CALL/RET to code segments at
 * the same privilege work, IRET supports same-privilege returns and return
 * to V86 is not modelled. Gates, task switches and privilege changes log
 * LOG_UNIMP and raise #GP.
 */
#include "frontend/seg.h"

#include "frontend/cpu_mem.h"
#include "frontend/except.h"
#include "frontend/flags.h"
#include "frontend/stack.h"
#include "machine/vm.h"

static _Noreturn void seg_fault(CPUState *cpu, int seg)
{
    cpu_raise(cpu, seg == SEG_SS ? EXC_SS : EXC_GP, 0);
}

uint32_t seg_linear(CPUState *cpu, int seg, uint32_t off, unsigned size,
                    int acc)
{
    const SegCache *s = &cpu->seg[seg];
    uint32_t attr = s->attr;
    uint32_t last = off + size - 1;
    if (cpu->pe && !cpu->vm86) {
        if (attr & SEG_ATTR_UNUSABLE)
            seg_fault(cpu, seg);
        bool code = attr & 0x8;
        if (acc == ACC_WRITE && (code || !(attr & 0x2)))
            seg_fault(cpu, seg);
        if (acc == ACC_READ && code && !(attr & 0x2))
            seg_fault(cpu, seg);
        if (!code && (attr & 0x4)) {
            /* Expand-down: valid offsets are (limit, top]. */
            uint32_t top = (attr & SEG_ATTR_DB) ? 0xFFFFFFFFu : 0xFFFFu;
            if (off <= s->limit || last > top || last < off)
                seg_fault(cpu, seg);
            return s->base + off;
        }
    }
    if (last < off || last > s->limit)
        seg_fault(cpu, seg);
    return s->base + off;
}

void seg_load_real(CPUState *cpu, int seg, uint16_t sel)
{
    SegCache *s = &cpu->seg[seg];
    s->sel = sel;
    s->base = (uint32_t)sel << 4;
    if (cpu->vm86) {
        /* V86: every segment is a 64 KB, DPL 3 read/write data segment. */
        s->limit = 0xFFFF;
        s->attr = SEG_ATTR_REALMODE | (3u << SEG_ATTR_DPL_SHIFT);
        if (seg == SEG_CS)
            s->attr |= 0x8;
    }
    /* Real mode keeps limit and attributes (unreal mode). */
    if (seg == SEG_CS || seg == SEG_SS)
        cpu_update_mode(cpu);
}

/* Read the 8-byte descriptor for sel; #GP(sel) if outside the table. */
static void seg_read_desc(CPUState *cpu, uint16_t sel, uint32_t *lo,
                          uint32_t *hi)
{
    uint32_t base, limit;
    if (sel & 4) {
        base = cpu->ldtr.base;
        limit = cpu->ldtr.limit;
        if (cpu->ldtr.attr & SEG_ATTR_UNUSABLE)
            cpu_raise(cpu, EXC_GP, sel & 0xFFFC);
    } else {
        base = cpu->gdtr.base;
        limit = cpu->gdtr.limit;
    }
    if ((uint32_t)(sel | 7) > limit)
        cpu_raise(cpu, EXC_GP, sel & 0xFFFC);
    *lo = cpu_ld_sys32(cpu, base + (sel & ~7u));
    *hi = cpu_ld_sys32(cpu, base + (sel & ~7u) + 4);
}

static void seg_cache_from_desc(SegCache *s, uint16_t sel, uint32_t lo,
                                uint32_t hi)
{
    s->sel = sel;
    s->base = (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000u);
    uint32_t limit = (lo & 0xFFFF) | (hi & 0x000F0000u);
    if (hi & (1u << 23))
        limit = (limit << 12) | 0xFFF;
    s->limit = limit;
    s->attr = ((hi >> 8) & 0xFF) | ((hi >> 8) & 0xF000);
}

void seg_load(CPUState *cpu, int seg, uint16_t sel)
{
    if (!cpu->pe || cpu->vm86) {
        seg_load_real(cpu, seg, sel);
        return;
    }
    SegCache *s = &cpu->seg[seg];
    if ((sel & 0xFFFC) == 0) {
        if (seg == SEG_SS)
            cpu_raise(cpu, EXC_GP, 0);
        s->sel = sel;
        s->base = 0;
        s->limit = 0;
        s->attr = SEG_ATTR_UNUSABLE;
        return;
    }
    uint32_t lo, hi;
    seg_read_desc(cpu, sel, &lo, &hi);
    uint32_t type = (hi >> 8) & 0x1F; /* S + type */
    unsigned dpl = (hi >> 13) & 3, rpl = sel & 3;
    if (seg == SEG_SS) {
        if (rpl != cpu->cpl || dpl != cpu->cpl || (type & 0x1A) != 0x12)
            cpu_raise(cpu, EXC_GP, sel & 0xFFFC);
        if (!(hi & (1u << 15)))
            cpu_raise(cpu, EXC_SS, sel & 0xFFFC);
    } else {
        /* Data or readable code; non-conforming needs max(CPL,RPL) <= DPL */
        if (!(type & 0x10) || (type & 0x1A) == 0x18)
            cpu_raise(cpu, EXC_GP, sel & 0xFFFC);
        bool conforming = (type & 0x1C) == 0x1C;
        if (!conforming && (rpl > dpl || cpu->cpl > dpl))
            cpu_raise(cpu, EXC_GP, sel & 0xFFFC);
        if (!(hi & (1u << 15)))
            cpu_raise(cpu, EXC_NP, sel & 0xFFFC);
    }
    if (!(hi & (1u << 8))) {
        hi |= 1u << 8; /* set the accessed bit in memory */
        uint32_t base = (sel & 4) ? cpu->ldtr.base : cpu->gdtr.base;
        cpu_st_sys32(cpu, base + (sel & ~7u) + 4, hi);
    }
    seg_cache_from_desc(s, sel, lo, hi);
    if (seg == SEG_SS)
        cpu_update_mode(cpu);
}

/* Protected-mode far JMP/CALL target: a code segment at the same privilege
 * (conforming or not, no gates). Returns the loaded cache in *out. */
static void seg_pm_code(CPUState *cpu, uint16_t sel, SegCache *out)
{
    if ((sel & 0xFFFC) == 0)
        cpu_raise(cpu, EXC_GP, 0);
    uint32_t lo, hi;
    seg_read_desc(cpu, sel, &lo, &hi);
    uint32_t type = (hi >> 8) & 0x1F;
    unsigned dpl = (hi >> 13) & 3, rpl = sel & 3;
    if ((type & 0x18) != 0x18) {
        log_once(&cpu->vm->log, LOG_UNIMP,
                 "cpu: far transfer through gate/TSS not modelled yet\n");
        cpu_raise(cpu, EXC_GP, sel & 0xFFFC);
    }
    bool conforming = type & 4;
    if (conforming ? dpl > cpu->cpl : (rpl > cpu->cpl || dpl != cpu->cpl))
        cpu_raise(cpu, EXC_GP, sel & 0xFFFC);
    if (!(hi & (1u << 15)))
        cpu_raise(cpu, EXC_NP, sel & 0xFFFC);
    seg_cache_from_desc(out, (sel & ~3u) | cpu->cpl, lo, hi);
}

static void seg_set_cs_eip(CPUState *cpu, uint16_t sel, uint32_t off,
                           bool o32)
{
    if (!o32)
        off &= 0xFFFF;
    if (!cpu->pe || cpu->vm86) {
        if (off > cpu->seg[SEG_CS].limit)
            cpu_raise(cpu, EXC_GP, 0);
        seg_load_real(cpu, SEG_CS, sel);
    } else {
        SegCache cs;
        seg_pm_code(cpu, sel, &cs);
        if (off > cs.limit)
            cpu_raise(cpu, EXC_GP, 0);
        cpu->seg[SEG_CS] = cs;
        cpu_update_mode(cpu);
    }
    cpu->next_eip = off;
}

void seg_far_jump(CPUState *cpu, uint16_t sel, uint32_t off, bool o32)
{
    seg_set_cs_eip(cpu, sel, off, o32);
}

void seg_far_call(CPUState *cpu, uint16_t sel, uint32_t off, bool o32)
{
    unsigned sz = o32 ? 4 : 2;
    uint32_t esp = cpu->regs[R_ESP];
    uint32_t ret = cpu->next_eip;
    uint16_t old_cs = cpu->seg[SEG_CS].sel;
    /* Push, then load CS; ESP is committed last (restartable). */
    stack_push(cpu, &esp, old_cs, sz);
    stack_push(cpu, &esp, ret, sz);
    seg_set_cs_eip(cpu, sel, off, o32);
    stack_set_esp(cpu, esp);
}

void seg_far_ret(CPUState *cpu, uint16_t pop, bool o32)
{
    unsigned sz = o32 ? 4 : 2;
    uint32_t esp = cpu->regs[R_ESP];
    uint32_t off = stack_pop(cpu, &esp, sz);
    uint16_t sel = (uint16_t)stack_pop(cpu, &esp, sz);
    if (cpu->pe && !cpu->vm86 && (sel & 3) != cpu->cpl) {
        log_once(&cpu->vm->log, LOG_UNIMP,
                 "cpu: RETF to another privilege not modelled yet\n");
        cpu_raise(cpu, EXC_GP, sel & 0xFFFC);
    }
    seg_set_cs_eip(cpu, sel, off, o32);
    stack_set_esp(cpu, esp + pop);
}

void seg_iret(CPUState *cpu, bool o32)
{
    unsigned sz = o32 ? 4 : 2;
    if (cpu->pe && (cpu->vm86 || (cpu->eflags & EFL_NT))) {
        log_once(&cpu->vm->log, LOG_UNIMP,
                 "cpu: IRET from V86 / nested task not modelled yet\n");
        cpu_raise(cpu, EXC_GP, 0);
    }
    uint32_t esp = cpu->regs[R_ESP];
    uint32_t off = stack_pop(cpu, &esp, sz);
    uint16_t sel = (uint16_t)stack_pop(cpu, &esp, sz);
    uint32_t fl = stack_pop(cpu, &esp, sz);
    if (cpu->pe && (sel & 3) != cpu->cpl) {
        log_once(&cpu->vm->log, LOG_UNIMP,
                 "cpu: IRET to another privilege not modelled yet\n");
        cpu_raise(cpu, EXC_GP, sel & 0xFFFC);
    }
    seg_set_cs_eip(cpu, sel, off, o32);
    stack_set_esp(cpu, esp);
    /* Real mode: all of FLAGS / EFLAGS except VM, VIP, VIF (SDM IRET). In
     * protected mode IOPL only at CPL 0 and IF only if CPL <= IOPL. */
    uint32_t mask = o32 ? 0x257FD5u : 0x7FD5u;
    if (cpu->pe) {
        unsigned iopl = (cpu->eflags & EFL_IOPL) >> EFL_IOPL_SHIFT;
        if (cpu->cpl > 0)
            mask &= ~EFL_IOPL;
        if (cpu->cpl > iopl)
            mask &= ~EFL_IF;
    }
    cpu_set_eflags(cpu, fl, mask);
    cpu->nmi_blocked = false;
}

void cpu_check_io(CPUState *cpu, uint16_t port, unsigned size)
{
    (void)port;
    (void)size;
    if (!cpu->pe)
        return;
    unsigned iopl = (cpu->eflags & EFL_IOPL) >> EFL_IOPL_SHIFT;
    if (!cpu->vm86 && cpu->cpl <= iopl)
        return;
    log_once(&cpu->vm->log, LOG_UNIMP,
             "cpu: TSS I/O permission bitmap not modelled yet\n");
    cpu_raise(cpu, EXC_GP, 0);
}

void cpu_update_mode(CPUState *cpu)
{
    cpu->pe = cpu->cr0 & CR0_PE;
    cpu->paging = (cpu->cr0 & CR0_PG) && cpu->pe;
    cpu->vm86 = cpu->pe && (cpu->eflags & EFL_VM);
    if (!cpu->pe)
        cpu->cpl = 0;
    else if (cpu->vm86)
        cpu->cpl = 3;
    else
        cpu->cpl = cpu->seg[SEG_CS].sel & 3;
    cpu->code32 = !cpu->vm86 && (cpu->seg[SEG_CS].attr & SEG_ATTR_DB);
    cpu->stack32 = !cpu->vm86 && (cpu->seg[SEG_SS].attr & SEG_ATTR_DB);
}
