/*
 * task.c — hardware task switching (SDM vol. 3 chapter 7).
 *
 * Owns task_switch(): the switch started by JMP or CALL to a TSS or task
 * gate, by an interrupt or exception through a task gate, and by IRET with
 * NT set. 32-bit (type 9/B) and 16-bit (type 1/3) TSS formats. Implements
 * the sequence of SDM section 7.3: new TSS limit check (#TS), save of the
 * outgoing state (EIP, EFLAGS with NT cleared for IRET, general and
 * segment registers), busy bits (cleared for JMP/IRET, set for the new task
 * unless IRET), backlink and NT for CALL/INT, TR and CR0.TS, CR3 reload
 * (non-global TLB flush) when paging is on, LDTR, then the segment
 * registers with their checks. Faults after the commit point (LDT, segment
 * registers, EIP) are raised in the context of the new task, as on
 * hardware. The I/O permission bitmap is read by cpu_check_io (seg.c).
 */
#include "frontend/cpu_mem.h"
#include "frontend/desc.h"
#include "frontend/except.h"
#include "frontend/flags.h"
#include "frontend/mmu.h"
#include "frontend/seg.h"
#include "machine/vm.h"

/* Register state as stored in a TSS. */
typedef struct TaskImage {
    uint32_t cr3, eip, eflags;
    uint32_t regs[8];
    uint16_t sel[SEG_COUNT];
    uint16_t ldt;
} TaskImage;

/* Offsets of ES, CS, SS, DS, FS, GS (SEG_* order) in each format. */
static const uint8_t task_sel_off32[SEG_COUNT] = {0x48, 0x4C, 0x50,
                                                  0x54, 0x58, 0x5C};
static const uint8_t task_sel_off16[SEG_COUNT] = {34, 36, 38, 40, 0, 0};
static const int task_data_segs[] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};

static void task_read(CPUState *cpu, uint32_t b, bool t32, TaskImage *img)
{
    if (t32) {
        img->cr3 = cpu_ld_sys32(cpu, b + 0x1C);
        img->eip = cpu_ld_sys32(cpu, b + 0x20);
        img->eflags = cpu_ld_sys32(cpu, b + 0x24);
        for (unsigned i = 0; i < 8; i++)
            img->regs[i] = cpu_ld_sys32(cpu, b + 0x28 + i * 4);
        for (unsigned s = 0; s < SEG_COUNT; s++)
            img->sel[s] = cpu_ld_sys16(cpu, b + task_sel_off32[s]);
        img->ldt = cpu_ld_sys16(cpu, b + 0x60);
        return;
    }
    img->cr3 = cpu->cr3;
    img->eip = cpu_ld_sys16(cpu, b + 14);
    img->eflags = (cpu->eflags & 0xFFFF0000u) | cpu_ld_sys16(cpu, b + 16);
    for (unsigned i = 0; i < 8; i++)
        img->regs[i] = (cpu->regs[i] & 0xFFFF0000u) |
                       cpu_ld_sys16(cpu, b + 18 + i * 2);
    for (unsigned s = 0; s < SEG_COUNT; s++)
        img->sel[s] = task_sel_off16[s]
                          ? cpu_ld_sys16(cpu, b + task_sel_off16[s])
                          : 0;
    img->ldt = cpu_ld_sys16(cpu, b + 42);
}

/* Store the outgoing task's dynamic state into its TSS. */
static void task_save(CPUState *cpu, uint32_t eflags, uint32_t eip)
{
    uint32_t b = cpu->tr.base;
    if (cpu->tr.attr & 0x8) {
        cpu_st_sys32(cpu, b + 0x20, eip);
        cpu_st_sys32(cpu, b + 0x24, eflags);
        for (unsigned i = 0; i < 8; i++)
            cpu_st_sys32(cpu, b + 0x28 + i * 4, cpu->regs[i]);
        for (unsigned s = 0; s < SEG_COUNT; s++)
            cpu_st_sys16(cpu, b + task_sel_off32[s], cpu->seg[s].sel);
        return;
    }
    cpu_st_sys16(cpu, b + 14, (uint16_t)eip);
    cpu_st_sys16(cpu, b + 16, (uint16_t)eflags);
    for (unsigned i = 0; i < 8; i++)
        cpu_st_sys16(cpu, b + 18 + i * 2, (uint16_t)cpu->regs[i]);
    for (unsigned s = 0; s < SEG_COUNT; s++)
        if (task_sel_off16[s])
            cpu_st_sys16(cpu, b + task_sel_off16[s], cpu->seg[s].sel);
}

static _Noreturn void task_ts(CPUState *cpu, uint16_t sel, uint32_t ext)
{
    cpu_raise(cpu, EXC_TS, (sel & 0xFFFC) | ext);
}

static void task_load_ldt(CPUState *cpu, uint16_t sel, uint32_t ext)
{
    if ((sel & 0xFFFC) == 0) {
        seg_cache_null(&cpu->ldtr, sel);
        return;
    }
    Desc d;
    if ((sel & 4) || !desc_read(cpu, sel, &d) || desc_type(&d) != DT_LDT)
        task_ts(cpu, sel, ext);
    if (!desc_present(&d))
        task_ts(cpu, sel, ext);
    seg_cache_fill(&cpu->ldtr, sel, &d);
}

static void task_load_cs(CPUState *cpu, uint16_t sel, uint32_t ext)
{
    Desc d;
    unsigned cpl = sel & 3;
    if ((sel & 0xFFFC) == 0 || !desc_read(cpu, sel, &d) || !desc_is_code(&d))
        task_ts(cpu, sel, ext);
    if (desc_conforming(&d) ? desc_dpl(&d) > cpl : desc_dpl(&d) != cpl)
        task_ts(cpu, sel, ext);
    if (!desc_present(&d))
        cpu_raise(cpu, EXC_NP, (sel & 0xFFFC) | ext);
    desc_set_accessed(cpu, sel, &d);
    seg_cache_fill(&cpu->seg[SEG_CS], sel, &d);
}

static void task_load_data(CPUState *cpu, int seg, uint16_t sel,
                           unsigned cpl, uint32_t ext)
{
    if ((sel & 0xFFFC) == 0) {
        seg_cache_null(&cpu->seg[seg], sel);
        return;
    }
    Desc d;
    if (!desc_read(cpu, sel, &d) || !desc_readable(&d))
        task_ts(cpu, sel, ext);
    unsigned rpl = sel & 3, dpl = desc_dpl(&d);
    if (!desc_conforming(&d) && (dpl < cpl || dpl < rpl))
        task_ts(cpu, sel, ext);
    if (!desc_present(&d))
        cpu_raise(cpu, EXC_NP, (sel & 0xFFFC) | ext);
    desc_set_accessed(cpu, sel, &d);
    seg_cache_fill(&cpu->seg[seg], sel, &d);
}

/* Load the segment registers of the new task (SDM 7.3 step 12). */
static void task_load_segs(CPUState *cpu, const TaskImage *img,
                           uint32_t ext)
{
    for (unsigned s = 0; s < SEG_COUNT; s++)
        seg_cache_null(&cpu->seg[s], img->sel[s]);
    if (cpu->eflags & EFL_VM) {
        cpu_update_mode(cpu);
        for (unsigned s = 0; s < SEG_COUNT; s++)
            seg_load_real(cpu, (int)s, img->sel[s]);
        return;
    }
    unsigned cpl = img->sel[SEG_CS] & 3;
    task_load_cs(cpu, img->sel[SEG_CS], ext);
    SegCache ss;
    seg_check_ss(cpu, img->sel[SEG_SS], cpl, &ss, EXC_TS, ext);
    cpu->seg[SEG_SS] = ss;
    cpu_update_mode(cpu);
    for (unsigned i = 0; i < 4; i++)
        task_load_data(cpu, task_data_segs[i], img->sel[task_data_segs[i]],
                       cpl, ext);
}

void task_switch(CPUState *cpu, uint16_t sel, Desc *d, TaskSrc src,
                 uint32_t ret_eip, uint32_t ext)
{
    bool new32 = desc_type(d) & 0x8;
    uint32_t nbase = desc_base(d);
    if (desc_limit(d) < (new32 ? 0x67u : 0x2Bu))
        task_ts(cpu, sel, ext);
    if (log_enabled(&cpu->vm->log, LOG_TRACE_INT))
        log_msg(&cpu->vm->log, LOG_TRACE_INT,
                "task: switch %#x -> %#x (source %d)\n", cpu->tr.sel, sel,
                (int)src);
    TaskImage img;
    task_read(cpu, nbase, new32, &img);
    uint32_t old_fl = cpu_get_eflags(cpu);
    if (src == TASK_IRET)
        old_fl &= ~EFL_NT;
    task_save(cpu, old_fl, ret_eip);
    if (src == TASK_JMP || src == TASK_IRET)
        desc_set_busy(cpu, cpu->tr.sel, false);
    if (src == TASK_CALL || src == TASK_INT) {
        cpu_st_sys16(cpu, nbase, cpu->tr.sel);
        img.eflags |= EFL_NT;
    }
    if (src != TASK_IRET)
        desc_set_busy(cpu, sel, true);
    /* Commit point: from here on faults belong to the new task. */
    Desc busy = *d;
    busy.hi |= 0x200;
    seg_cache_fill(&cpu->tr, sel, &busy);
    cpu->cr0 |= CR0_TS;
    cpu->dr[7] &= ~0x155u; /* local breakpoint enables L0-L3 and LE */
    if (new32 && (cpu->cr0 & CR0_PG)) {
        cpu->cr3 = img.cr3;
        mmu_flush_nonglobal(cpu);
    }
    for (unsigned i = 0; i < 8; i++)
        cpu->regs[i] = img.regs[i];
    cpu_set_eflags(cpu, img.eflags | EFL_FIXED1,
                   new32 ? 0x3F7FD5u : 0xFFD5u);
    cpu->eip = cpu->next_eip = new32 ? img.eip : img.eip & 0xFFFF;
    task_load_ldt(cpu, img.ldt, ext);
    task_load_segs(cpu, &img, ext);
    if (cpu->eip > cpu->seg[SEG_CS].limit)
        cpu_raise(cpu, EXC_GP, ext);
}
