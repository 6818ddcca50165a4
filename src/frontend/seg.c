/*
 * seg.c — segmentation: limit/type checks on every access, segment register
 * loads, far JMP/CALL/RET (code segments, call gates with parameter copying
 * and stack switch, TSS and task-gate targets), IRET in all its forms
 * (real, V86, same privilege, outer privilege, return to V86, nested task)
 * and the I/O permission check (SDM vol. 3 chapters 3, 5 and 7; vol. 1
 * section 18.5; instruction pages for JMP, CALL, RET, IRET in vol. 2).
 *
 * Error codes follow SDM vol. 3 section 6.13: the selector with RPL bits
 * cleared (TI kept), 0 for null selectors. Everything is checked before
 * any architectural state changes, so a fault leaves the instruction
 * restartable.
 */
#include "frontend/seg.h"

#include <string.h>

#include "frontend/cpu_mem.h"
#include "frontend/desc.h"
#include "frontend/except.h"
#include "frontend/flags.h"
#include "frontend/stack.h"
#include "machine/vm.h"

/* EFLAGS bits IRET/POPF may change: CF PF AF ZF SF TF IF DF OF IOPL NT,
 * plus RF AC ID (VIF/VIP handled separately) for 32-bit operands. */
#define EFL_IRET16 0x7FD5u
#define EFL_IRET32 0x257FD5u

static _Noreturn void seg_fault(CPUState *cpu, int seg)
{
    cpu_raise(cpu, seg == SEG_SS ? EXC_SS : EXC_GP, 0);
}

static _Noreturn void seg_raise(CPUState *cpu, int vec, uint16_t sel)
{
    cpu_raise(cpu, vec, sel & 0xFFFC);
}

uint32_t seg_linear(CPUState *cpu, int seg, uint32_t off, unsigned size,
                    int acc)
{
    const SegCache *s = &cpu->seg[seg];
    uint32_t attr = s->attr;
    if (cpu->pe && !cpu->vm86) {
        if (attr & SEG_ATTR_UNUSABLE)
            seg_fault(cpu, seg);
        bool code = attr & 0x8;
        if (acc == ACC_WRITE && (code || !(attr & 0x2)))
            seg_fault(cpu, seg);
        if (acc == ACC_READ && code && !(attr & 0x2))
            seg_fault(cpu, seg);
    }
    if (!seg_in_limit(s, off, size))
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
    } else if (s->attr & SEG_ATTR_UNUSABLE) {
        s->attr = SEG_ATTR_REALMODE;
        s->limit = 0xFFFF;
    }
    /* Real mode keeps limit and attributes otherwise (unreal mode). */
    if (seg == SEG_CS || seg == SEG_SS)
        cpu_update_mode(cpu);
}

/* MOV/POP/LxS to a data segment register or SS in protected mode
 * (SDM vol. 2 MOV, vol. 3 section 5.6). */
void seg_load(CPUState *cpu, int seg, uint16_t sel)
{
    if (!cpu->pe || cpu->vm86) {
        seg_load_real(cpu, seg, sel);
        return;
    }
    if (seg == SEG_SS) {
        SegCache ss;
        seg_check_ss(cpu, sel, cpu->cpl, &ss, EXC_GP, 0);
        cpu->seg[SEG_SS] = ss;
        cpu_update_mode(cpu);
        return;
    }
    if ((sel & 0xFFFC) == 0) {
        seg_cache_null(&cpu->seg[seg], sel);
        return;
    }
    Desc d;
    desc_fetch(cpu, sel, &d, EXC_GP, 0);
    unsigned dpl = desc_dpl(&d), rpl = sel & 3;
    if (!desc_readable(&d))
        seg_raise(cpu, EXC_GP, sel);
    if (!desc_conforming(&d) && (rpl > dpl || cpu->cpl > dpl))
        seg_raise(cpu, EXC_GP, sel);
    if (!desc_present(&d))
        seg_raise(cpu, EXC_NP, sel);
    desc_set_accessed(cpu, sel, &d);
    seg_cache_fill(&cpu->seg[seg], sel, &d);
}

/* ------------------------------------------------------ far transfers */

/* Commit CS:EIP from a checked code descriptor at privilege cpl. */
static void seg_set_cs(CPUState *cpu, uint16_t sel, Desc *d, unsigned cpl,
                       uint32_t off)
{
    if (off > desc_limit(d))
        cpu_raise(cpu, EXC_GP, 0);
    desc_set_accessed(cpu, sel, d);
    seg_cache_fill(&cpu->seg[SEG_CS], (uint16_t)((sel & ~3u) | cpl), d);
    cpu_update_mode(cpu);
    cpu->next_eip = off;
}

/* Direct JMP/CALL to a code segment: same privilege only. */
static void seg_check_code_direct(CPUState *cpu, uint16_t sel, Desc *d)
{
    unsigned dpl = desc_dpl(d), rpl = sel & 3;
    if (desc_conforming(d) ? dpl > cpu->cpl
                           : (rpl > cpu->cpl || dpl != cpu->cpl))
        seg_raise(cpu, EXC_GP, sel);
    if (!desc_present(d))
        seg_raise(cpu, EXC_NP, sel);
}

/* Code segment named by a call gate; returns its selector in *csel. */
static void seg_gate_target(CPUState *cpu, uint16_t gsel, const Desc *g,
                            uint16_t *csel, Desc *cd)
{
    unsigned gdpl = desc_dpl(g);
    if (gdpl < cpu->cpl || gdpl < (gsel & 3u))
        seg_raise(cpu, EXC_GP, gsel);
    if (!desc_present(g))
        seg_raise(cpu, EXC_NP, gsel);
    *csel = gate_sel(g);
    if ((*csel & 0xFFFC) == 0)
        cpu_raise(cpu, EXC_GP, 0);
    desc_fetch(cpu, *csel, cd, EXC_GP, 0);
    if (!desc_is_code(cd) || desc_dpl(cd) > cpu->cpl)
        seg_raise(cpu, EXC_GP, *csel);
}

/* JMP/CALL to a TSS or through a task gate (SDM vol. 3 section 7.3). */
static void seg_task_target(CPUState *cpu, uint16_t sel, Desc *d,
                            TaskSrc src)
{
    unsigned dpl = desc_dpl(d);
    if (dpl < cpu->cpl || dpl < (sel & 3u))
        seg_raise(cpu, EXC_GP, sel);
    if (!desc_present(d))
        seg_raise(cpu, EXC_NP, sel);
    uint16_t tsel = sel;
    Desc t = *d;
    if (desc_type(d) == DT_TASK) {
        tsel = gate_sel(d);
        if (tsel & 4)
            seg_raise(cpu, EXC_GP, tsel);
        desc_fetch(cpu, tsel, &t, EXC_GP, 0);
        unsigned ty = desc_type(&t);
        if (ty != DT_TSS16_AVAIL && ty != DT_TSS32_AVAIL)
            seg_raise(cpu, EXC_GP, tsel);
        if (!desc_present(&t))
            seg_raise(cpu, EXC_NP, tsel);
    }
    task_switch(cpu, tsel, &t, src, cpu->next_eip, 0);
}

/* Protected-mode far JMP/CALL target descriptor: returns true if the
 * caller should continue with a code segment (d, sel) directly. */
static bool seg_far_system(CPUState *cpu, uint16_t sel, Desc *d,
                           TaskSrc src)
{
    switch (desc_type(d)) {
    case DT_TASK:
    case DT_TSS16_AVAIL:
    case DT_TSS32_AVAIL:
        seg_task_target(cpu, sel, d, src);
        return false;
    case DT_CALL16:
    case DT_CALL32:
        return true;
    default:
        seg_raise(cpu, EXC_GP, sel);
    }
}

static void seg_fetch_far(CPUState *cpu, uint16_t sel, Desc *d)
{
    if ((sel & 0xFFFC) == 0)
        cpu_raise(cpu, EXC_GP, 0);
    desc_fetch(cpu, sel, d, EXC_GP, 0);
}

void seg_far_jump(CPUState *cpu, uint16_t sel, uint32_t off, bool o32)
{
    if (!o32)
        off &= 0xFFFF;
    if (!cpu->pe || cpu->vm86) {
        if (off > cpu->seg[SEG_CS].limit)
            cpu_raise(cpu, EXC_GP, 0);
        seg_load_real(cpu, SEG_CS, sel);
        cpu->next_eip = off;
        return;
    }
    Desc d;
    seg_fetch_far(cpu, sel, &d);
    if (desc_is_code(&d)) {
        seg_check_code_direct(cpu, sel, &d);
        seg_set_cs(cpu, sel, &d, cpu->cpl, off);
        return;
    }
    if (!seg_far_system(cpu, sel, &d, TASK_JMP))
        return;
    uint16_t csel;
    Desc cd;
    seg_gate_target(cpu, sel, &d, &csel, &cd);
    if (!desc_conforming(&cd) && desc_dpl(&cd) != cpu->cpl)
        seg_raise(cpu, EXC_GP, csel);
    if (!desc_present(&cd))
        seg_raise(cpu, EXC_NP, csel);
    seg_set_cs(cpu, csel, &cd, cpu->cpl, gate_off(&d));
}

/* CALL through a call gate to a more privileged non-conforming segment:
 * stack switch from the TSS, copy the parameters (SDM vol. 3 5.8.5). */
static void seg_call_inner(CPUState *cpu, const Desc *g, uint16_t csel,
                           Desc *cd)
{
    unsigned dpl = desc_dpl(cd);
    if (!desc_present(cd))
        seg_raise(cpu, EXC_NP, csel);
    uint16_t ss_sel;
    uint32_t nesp;
    tss_stack(cpu, dpl, &ss_sel, &nesp, 0);
    SegCache nss;
    seg_check_ss(cpu, ss_sel, dpl, &nss, EXC_TS, 0);
    unsigned sz = desc_type(g) == DT_CALL32 ? 4 : 2;
    unsigned n = g->hi & 0x1F;
    uint32_t params[32];
    uint32_t old_esp = cpu->regs[R_ESP];
    for (unsigned i = 0; i < n; i++)
        params[i] = cpu_ld(cpu, SEG_SS,
                           stack_off(cpu, old_esp + i * sz), sz);
    uint32_t off = gate_off(g);
    if (off > desc_limit(cd))
        cpu_raise(cpu, EXC_GP, 0);
    uint32_t err = ss_sel & 0xFFFC, e = nesp;
    sys_push(cpu, &nss, &e, cpu->seg[SEG_SS].sel, sz, err, 0);
    sys_push(cpu, &nss, &e, old_esp, sz, err, 0);
    for (unsigned i = n; i-- > 0;)
        sys_push(cpu, &nss, &e, params[i], sz, err, 0);
    sys_push(cpu, &nss, &e, cpu->seg[SEG_CS].sel, sz, err, 0);
    sys_push(cpu, &nss, &e, cpu->next_eip, sz, err, 0);
    cpu->seg[SEG_SS] = nss;
    cpu->regs[R_ESP] = (nss.attr & SEG_ATTR_DB)
                           ? e
                           : (cpu->regs[R_ESP] & 0xFFFF0000u) | (e & 0xFFFF);
    seg_set_cs(cpu, csel, cd, dpl, off);
}

void seg_far_call(CPUState *cpu, uint16_t sel, uint32_t off, bool o32)
{
    unsigned sz = o32 ? 4 : 2;
    if (!o32)
        off &= 0xFFFF;
    uint32_t esp = cpu->regs[R_ESP];
    uint32_t ret = cpu->next_eip;
    uint16_t old_cs = cpu->seg[SEG_CS].sel;
    if (!cpu->pe || cpu->vm86) {
        stack_push(cpu, &esp, old_cs, sz);
        stack_push(cpu, &esp, ret, sz);
        if (off > cpu->seg[SEG_CS].limit)
            cpu_raise(cpu, EXC_GP, 0);
        seg_load_real(cpu, SEG_CS, sel);
        cpu->next_eip = off;
        stack_set_esp(cpu, esp);
        return;
    }
    Desc d;
    seg_fetch_far(cpu, sel, &d);
    if (desc_is_code(&d)) {
        seg_check_code_direct(cpu, sel, &d);
        stack_push(cpu, &esp, old_cs, sz);
        stack_push(cpu, &esp, ret, sz);
        seg_set_cs(cpu, sel, &d, cpu->cpl, off);
        stack_set_esp(cpu, esp);
        return;
    }
    if (!seg_far_system(cpu, sel, &d, TASK_CALL))
        return;
    uint16_t csel;
    Desc cd;
    seg_gate_target(cpu, sel, &d, &csel, &cd);
    if (!desc_conforming(&cd) && desc_dpl(&cd) < cpu->cpl) {
        seg_call_inner(cpu, &d, csel, &cd);
        return;
    }
    if (!desc_present(&cd))
        seg_raise(cpu, EXC_NP, csel);
    sz = desc_type(&d) == DT_CALL32 ? 4 : 2;
    stack_push(cpu, &esp, old_cs, sz);
    stack_push(cpu, &esp, ret, sz);
    seg_set_cs(cpu, csel, &cd, cpu->cpl, gate_off(&d));
    stack_set_esp(cpu, esp);
}

/* Checks of the CS popped by RETF/IRET (SDM vol. 2 RET, IRET). */
static void seg_check_return_cs(CPUState *cpu, uint16_t sel, Desc *d)
{
    if ((sel & 0xFFFC) == 0)
        cpu_raise(cpu, EXC_GP, 0);
    desc_fetch(cpu, sel, d, EXC_GP, 0);
    unsigned rpl = sel & 3, dpl = desc_dpl(d);
    if (!desc_is_code(d) || rpl < cpu->cpl)
        seg_raise(cpu, EXC_GP, sel);
    if (desc_conforming(d) ? dpl > rpl : dpl != rpl)
        seg_raise(cpu, EXC_GP, sel);
    if (!desc_present(d))
        seg_raise(cpu, EXC_NP, sel);
}

/* Load the outer-level SS:ESP popped by RETF/IRET and commit it. */
static void seg_commit_outer_stack(CPUState *cpu, const SegCache *nss,
                                   uint32_t nesp)
{
    cpu->seg[SEG_SS] = *nss;
    cpu->regs[R_ESP] = (nss->attr & SEG_ATTR_DB)
                           ? nesp
                           : (cpu->regs[R_ESP] & 0xFFFF0000u) |
                                 (nesp & 0xFFFF);
}

void seg_far_ret(CPUState *cpu, uint16_t pop, bool o32)
{
    unsigned sz = o32 ? 4 : 2;
    uint32_t esp = cpu->regs[R_ESP];
    uint32_t off = stack_pop(cpu, &esp, sz);
    uint16_t sel = (uint16_t)stack_pop(cpu, &esp, sz);
    if (!o32)
        off &= 0xFFFF;
    if (!cpu->pe || cpu->vm86) {
        if (off > cpu->seg[SEG_CS].limit)
            cpu_raise(cpu, EXC_GP, 0);
        seg_load_real(cpu, SEG_CS, sel);
        cpu->next_eip = off;
        uint32_t e = esp + pop;
        stack_set_esp(cpu, cpu->stack32 ? e
                                        : (esp & 0xFFFF0000u) | (e & 0xFFFF));
        return;
    }
    Desc d;
    seg_check_return_cs(cpu, sel, &d);
    unsigned rpl = sel & 3;
    if (rpl == cpu->cpl) {
        seg_set_cs(cpu, sel, &d, rpl, off);
        uint32_t e = esp + pop;
        stack_set_esp(cpu, cpu->stack32 ? e
                                        : (esp & 0xFFFF0000u) | (e & 0xFFFF));
        return;
    }
    /* Return to an outer privilege level: release the parameters on
     * both stacks (SDM vol. 2 RET, "RETURN-TO-OUTER-PRIVILEGE-LEVEL"). */
    esp = cpu->stack32 ? esp + pop : (esp & 0xFFFF0000u) | ((esp + pop) & 0xFFFF);
    uint32_t nesp = stack_pop(cpu, &esp, sz);
    uint16_t nss_sel = (uint16_t)stack_pop(cpu, &esp, sz);
    SegCache nss;
    seg_check_ss(cpu, nss_sel, rpl, &nss, EXC_GP, 0);
    if (off > desc_limit(&d))
        cpu_raise(cpu, EXC_GP, 0);
    seg_commit_outer_stack(cpu, &nss, nesp + pop);
    seg_set_cs(cpu, sel, &d, rpl, off);
    seg_null_invalid(cpu);
}

/* ---------------------------------------------------------------- IRET */

static uint32_t seg_iret_mask(const CPUState *cpu, bool o32)
{
    uint32_t mask = o32 ? EFL_IRET32 : EFL_IRET16;
    unsigned iopl = (cpu->eflags & EFL_IOPL) >> EFL_IOPL_SHIFT;
    if (cpu->pe && cpu->cpl > 0)
        mask &= ~EFL_IOPL;
    else if (o32)
        mask |= EFL_VIF | EFL_VIP;
    if (cpu->pe && cpu->cpl > iopl)
        mask &= ~EFL_IF;
    return mask;
}

static void seg_iret_real(CPUState *cpu, bool o32)
{
    unsigned sz = o32 ? 4 : 2;
    uint32_t esp = cpu->regs[R_ESP];
    uint32_t off = stack_pop(cpu, &esp, sz);
    uint16_t sel = (uint16_t)stack_pop(cpu, &esp, sz);
    uint32_t fl = stack_pop(cpu, &esp, sz);
    if (!o32)
        off &= 0xFFFF;
    if (off > cpu->seg[SEG_CS].limit)
        cpu_raise(cpu, EXC_GP, 0);
    uint32_t mask = o32 ? EFL_IRET32 : EFL_IRET16;
    if (cpu->vm86)
        mask &= ~EFL_IOPL; /* V86 IRET (IOPL 3) cannot change IOPL */
    seg_load_real(cpu, SEG_CS, sel);
    stack_set_esp(cpu, esp);
    cpu_set_eflags(cpu, fl, mask);
    cpu->next_eip = off;
}

/* IRETD at CPL 0 with VM set in the popped EFLAGS (SDM vol. 2 IRET,
 * "RETURN-TO-VIRTUAL-8086-MODE"). */
static void seg_iret_to_v86(CPUState *cpu, uint32_t esp, uint32_t off,
                            uint16_t cs, uint32_t fl)
{
    uint32_t nesp = stack_pop(cpu, &esp, 4);
    uint16_t sels[4];
    uint16_t ss = (uint16_t)stack_pop(cpu, &esp, 4);
    for (unsigned i = 0; i < 4; i++)
        sels[i] = (uint16_t)stack_pop(cpu, &esp, 4);
    cpu_set_eflags(cpu, fl, 0x3F7FD5u);
    cpu_update_mode(cpu);
    seg_load_real(cpu, SEG_CS, cs);
    seg_load_real(cpu, SEG_SS, ss);
    seg_load_real(cpu, SEG_ES, sels[0]);
    seg_load_real(cpu, SEG_DS, sels[1]);
    seg_load_real(cpu, SEG_FS, sels[2]);
    seg_load_real(cpu, SEG_GS, sels[3]);
    cpu->regs[R_ESP] = nesp;
    cpu->next_eip = off & 0xFFFF;
}

/* IRET with NT set: return to the task in the backlink (SDM 7.3). */
static void seg_iret_task(CPUState *cpu)
{
    uint16_t link = cpu_ld_sys16(cpu, cpu->tr.base);
    Desc t;
    if ((link & 4) || !desc_read(cpu, link, &t))
        seg_raise(cpu, EXC_TS, link);
    unsigned ty = desc_type(&t);
    if (ty != DT_TSS16_BUSY && ty != DT_TSS32_BUSY)
        seg_raise(cpu, EXC_TS, link);
    if (!desc_present(&t))
        seg_raise(cpu, EXC_NP, link);
    task_switch(cpu, link, &t, TASK_IRET, cpu->next_eip, 0);
}

/* Fast path of a protected-mode IRETD (not V86, NT clear) to a present,
 * accessed, non-conforming code segment at the same or an outer level,
 * popping from a 32-bit expand-up stack whose frame the software TLB
 * already maps on one page (and, for an outer return, a present, accessed
 * stack segment), with direct host reads. Otherwise it changes nothing and
 * returns false, and seg_iret() does the whole job; every check of the
 * taken path is repeated, so a fast IRET leaves the state the full one
 * would (tests/guests/int_fast.asm covers the fallbacks). */
/* cpu_set_eflags(cpu, fl, mask) for the fast IRET: mask (seg_iret_mask)
 * replaces every arithmetic flag and never VM, which is clear (not V86),
 * so there is no lazy state to compute and no mode change. */
_Static_assert((EFL_IRET32 & EFL_ARITH) == EFL_ARITH &&
                   !((EFL_IRET32 | EFL_VIF | EFL_VIP) & EFL_VM),
               "the fast IRET's EFLAGS mask");
static inline void seg_iret_fast_eflags(CPUState *cpu, uint32_t fl,
                                        uint32_t mask)
{
    uint32_t old = cpu->eflags | EFL_FIXED1;
    cpu->cc_op = CC_OP_EFLAGS;
    cpu->eflags = (((old & ~mask) | (fl & mask)) & 0x003F7FD5u) | EFL_FIXED1;
}

/* The fast IRET's code segment sel (at the CPL or an outer level): the
 * checks of seg_iret_fast() on its descriptor, the offset excepted.
 * From cpu->iret_cache[cpl] when it holds sel and its descriptor bytes
 * are unchanged where they were read (as the INT cache in except.c:
 * nothing needs invalidating); else read and checked, and remembered in
 * c. False: take the full path. */
static bool seg_iret_fast_cs(CPUState *cpu, uint16_t sel, IretCache *c)
{
    uint32_t lin;
    uint64_t raw;
    if (!desc_lin(cpu, sel, &lin))
        return false;
    if (c->valid && c->ncs.sel == sel && desc_ref_read(&c->cs, lin, &raw) &&
        raw == c->cs_raw)
        return true;
    Desc d;
    unsigned rpl = sel & 3;
    c->valid = false;
    if ((sel & 0xFFFC) == 0 || !desc_read_fast(cpu, sel, &d) ||
        !desc_is_code(&d) || rpl < cpu->cpl || desc_conforming(&d) ||
        desc_dpl(&d) != rpl || !desc_present(&d) || !desc_accessed(&d))
        return false;
    desc_ref_set(cpu, &c->cs, lin);
    c->cs_raw = (uint64_t)d.hi << 32 | d.lo;
    seg_cache_fill(&c->ncs, sel, &d);
    c->nss.sel = 0; /* the SS part is filled by seg_iret_fast_ss() */
    c->ss.te = NULL;
    c->id = ++cpu->int_cache_ids;
    c->valid = true;
    return true;
}

/* The same for the stack segment of an IRET to the outer level rpl. */
static bool seg_iret_fast_ss(CPUState *cpu, uint16_t sel, unsigned rpl,
                             IretCache *c)
{
    uint32_t lin;
    uint64_t raw;
    if (!desc_lin(cpu, sel, &lin))
        return false;
    if (c->nss.sel == sel && desc_ref_read(&c->ss, lin, &raw) &&
        raw == c->ss_raw)
        return true;
    Desc sd;
    if ((sel & 0xFFFC) == 0 || !desc_read_fast(cpu, sel, &sd) ||
        (sel & 3) != rpl || desc_dpl(&sd) != rpl ||
        (desc_type(&sd) & 0x1A) != 0x12 || !desc_present(&sd) ||
        !desc_accessed(&sd))
        return false;
    desc_ref_set(cpu, &c->ss, lin);
    c->ss_raw = (uint64_t)sd.hi << 32 | sd.lo;
    seg_cache_fill(&c->nss, sel, &sd);
    c->id = ++cpu->int_cache_ids;
    return true;
}

static bool seg_iret_fast(CPUState *cpu)
{
    const SegCache *ss = &cpu->seg[SEG_SS];
    IretCache *c = &cpu->iret_cache[cpu->cpl];
    uint32_t esp = cpu->regs[R_ESP];
    int user = cpu->cpl == 3;
    if ((ss->attr & (SEG_ATTR_UNUSABLE | SEG_ATTR_DB | 0xC)) != SEG_ATTR_DB ||
        esp > 0xFFFFFFFFu - 19 || esp + 11 > ss->limit)
        return false;
    const uint8_t *p = mmu_tlb_ptr(cpu, ss->base + esp, 12, ACC_READ, user);
    if (!p)
        return false;
    uint32_t off, fl;
    uint16_t sel;
    memcpy(&off, p, 4);
    memcpy(&sel, p + 4, 2);
    memcpy(&fl, p + 8, 4);
    unsigned rpl = sel & 3;
    if (((fl & EFL_VM) && cpu->cpl == 0) || !seg_iret_fast_cs(cpu, sel, c) ||
        off > c->ncs.limit)
        return false;
    uint32_t mask = seg_iret_mask(cpu, true);
    if (rpl == cpu->cpl) {
        cpu->seg[SEG_CS] = c->ncs;
        cpu_update_mode_pm(cpu);
        cpu->next_eip = off;
        stack_set_esp(cpu, esp + 12);
        seg_iret_fast_eflags(cpu, fl, mask);
        cpu->xfer_fast = true;
        cpu->xfer_id = c->id;
        return true;
    }
    if (esp + 19 > ss->limit ||
        !(p = mmu_tlb_ptr(cpu, ss->base + esp, 20, ACC_READ, user)))
        return false;
    uint32_t nesp;
    uint16_t nss_sel;
    memcpy(&nesp, p + 12, 4);
    memcpy(&nss_sel, p + 16, 2);
    if (!seg_iret_fast_ss(cpu, nss_sel, rpl, c))
        return false;
    cpu->seg[SEG_SS] = c->nss;
    cpu->regs[R_ESP] = (c->nss.attr & SEG_ATTR_DB)
                           ? nesp
                           : (cpu->regs[R_ESP] & 0xFFFF0000u) |
                                 (nesp & 0xFFFF);
    seg_iret_fast_eflags(cpu, fl, mask);
    cpu->seg[SEG_CS] = c->ncs;
    cpu_update_mode_pm(cpu);
    cpu->next_eip = off;
    cpu->xfer_fast = !seg_null_invalid(cpu);
    /* A data segment nulled: the mode bits are not the fill's alone. */
    cpu->xfer_id = cpu->xfer_fast ? c->id : 0;
    return true;
}

void seg_iret(CPUState *cpu, bool o32)
{
    if (!cpu->pe || cpu->vm86) {
        if (cpu->vm86 && ((cpu->eflags & EFL_IOPL) >> EFL_IOPL_SHIFT) < 3)
            cpu_raise(cpu, EXC_GP, 0);
        seg_iret_real(cpu, o32);
        cpu->nmi_blocked = false;
        return;
    }
    cpu->nmi_blocked = false;
    if (cpu->eflags & EFL_NT) {
        seg_iret_task(cpu);
        return;
    }
    if (o32 && seg_iret_fast(cpu))
        return;
    unsigned sz = o32 ? 4 : 2;
    uint32_t esp = cpu->regs[R_ESP];
    uint32_t off = stack_pop(cpu, &esp, sz);
    uint16_t sel = (uint16_t)stack_pop(cpu, &esp, sz);
    uint32_t fl = stack_pop(cpu, &esp, sz);
    if (o32 && (fl & EFL_VM) && cpu->cpl == 0) {
        seg_iret_to_v86(cpu, esp, off, sel, fl);
        return;
    }
    Desc d;
    seg_check_return_cs(cpu, sel, &d);
    unsigned rpl = sel & 3;
    uint32_t mask = seg_iret_mask(cpu, o32);
    if (rpl == cpu->cpl) {
        seg_set_cs(cpu, sel, &d, rpl, off);
        stack_set_esp(cpu, esp);
        cpu_set_eflags(cpu, fl, mask);
        return;
    }
    uint32_t nesp = stack_pop(cpu, &esp, sz);
    uint16_t nss_sel = (uint16_t)stack_pop(cpu, &esp, sz);
    SegCache nss;
    seg_check_ss(cpu, nss_sel, rpl, &nss, EXC_GP, 0);
    if (off > desc_limit(&d))
        cpu_raise(cpu, EXC_GP, 0);
    seg_commit_outer_stack(cpu, &nss, nesp);
    cpu_set_eflags(cpu, fl, mask);
    seg_set_cs(cpu, sel, &d, rpl, off);
    seg_null_invalid(cpu);
}

/* --------------------------------------------------------------- I/O */

void cpu_check_io(CPUState *cpu, uint16_t port, unsigned size)
{
    if (!cpu->pe)
        return;
    unsigned iopl = (cpu->eflags & EFL_IOPL) >> EFL_IOPL_SHIFT;
    if (!cpu->vm86 && cpu->cpl <= iopl)
        return;
    /* TSS I/O permission bitmap (SDM vol. 1 section 18.5.2): only a
     * 32-bit TSS has one; every bit for the accessed ports must be 0. */
    if (!(cpu->tr.attr & 0x8) || cpu->tr.limit < 0x67)
        cpu_raise(cpu, EXC_GP, 0);
    uint32_t map = cpu_ld_sys16(cpu, cpu->tr.base + 0x66);
    uint32_t byte = map + (port >> 3);
    if (byte + 1 > cpu->tr.limit)
        cpu_raise(cpu, EXC_GP, 0);
    uint32_t bits = cpu_ld_sys16(cpu, cpu->tr.base + byte);
    uint32_t need = ((1u << size) - 1) << (port & 7);
    if (bits & need)
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
