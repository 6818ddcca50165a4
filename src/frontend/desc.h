/*
 * desc.h — descriptor-table access shared by the system model (desc.c):
 * reading GDT/LDT entries, accessed/busy bits, segment-cache fills, SS
 * validation, pushes and pops on an explicit stack segment (stack switches
 * for gates, interrupts and task switches), TSS stack pointers. Used by
 * seg.c, except.c, task.c and exec_system.c; not by the semantics of
 * ordinary instructions.
 */
#ifndef X86BT_DESC_H
#define X86BT_DESC_H

#include <stdbool.h>
#include <stdint.h>

#include "frontend/cpu_mem.h"
#include "frontend/cpu_state.h"

typedef struct Desc {
    uint32_t lo, hi;
} Desc;

/* Descriptor type field including S (bit 4): 0x10-0x17 data, 0x18-0x1F
 * code, 0x00-0x0F system (SDM vol. 3 tables 3-1 and 3-2). */
enum {
    DT_TSS16_AVAIL = 0x01, DT_LDT = 0x02, DT_TSS16_BUSY = 0x03,
    DT_CALL16 = 0x04, DT_TASK = 0x05, DT_INT16 = 0x06, DT_TRAP16 = 0x07,
    DT_TSS32_AVAIL = 0x09, DT_TSS32_BUSY = 0x0B, DT_CALL32 = 0x0C,
    DT_INT32 = 0x0E, DT_TRAP32 = 0x0F,
};

static inline unsigned desc_type(const Desc *d)
{
    return (d->hi >> 8) & 0x1F;
}
static inline unsigned desc_dpl(const Desc *d)
{
    return (d->hi >> 13) & 3;
}
static inline bool desc_present(const Desc *d)
{
    return d->hi & (1u << 15);
}
static inline bool desc_is_code(const Desc *d)
{
    return (desc_type(d) & 0x18) == 0x18;
}
static inline bool desc_is_data(const Desc *d)
{
    return (desc_type(d) & 0x18) == 0x10;
}
static inline bool desc_conforming(const Desc *d)
{
    return (desc_type(d) & 0x1C) == 0x1C;
}
/* Code readable or data (what LAR/VERR/segment loads call "readable"). */
static inline bool desc_readable(const Desc *d)
{
    return desc_is_data(d) || (desc_type(d) & 0x1A) == 0x1A;
}
static inline uint16_t gate_sel(const Desc *d)
{
    return (uint16_t)(d->lo >> 16);
}
static inline uint32_t gate_off(const Desc *d)
{
    uint32_t off = (d->lo & 0xFFFF) | (d->hi & 0xFFFF0000u);
    return (desc_type(d) & 0x08) ? off : off & 0xFFFF;
}
static inline bool desc_is_tss(const Desc *d)
{
    unsigned t = desc_type(d);
    return t == DT_TSS16_AVAIL || t == DT_TSS16_BUSY ||
           t == DT_TSS32_AVAIL || t == DT_TSS32_BUSY;
}
static inline uint32_t desc_base(const Desc *d)
{
    return (d->lo >> 16) | ((d->hi & 0xFF) << 16) | (d->hi & 0xFF000000u);
}
static inline uint32_t desc_limit(const Desc *d)
{
    uint32_t limit = (d->lo & 0xFFFF) | (d->hi & 0x000F0000u);
    return (d->hi & (1u << 23)) ? (limit << 12) | 0xFFF : limit;
}

/* Read the descriptor of sel (GDT or LDT by TI); false if it lies beyond
 * the table limit or TI=1 with no usable LDT. */
bool desc_read(CPUState *cpu, uint16_t sel, Desc *d);
/* Linear address of sel's descriptor (GDT or LDT by TI): false if it lies
 * beyond the table limit or TI=1 with no usable LDT. */
static inline bool desc_lin(const CPUState *cpu, uint16_t sel, uint32_t *lin)
{
    uint32_t base = cpu->gdtr.base, limit = cpu->gdtr.limit;
    if (sel & 4) {
        if (cpu->ldtr.attr & SEG_ATTR_UNUSABLE)
            return false;
        base = cpu->ldtr.base;
        limit = cpu->ldtr.limit;
    }
    if ((uint32_t)(sel | 7) > limit)
        return false;
    *lin = base + (sel & ~7u);
    return true;
}
/* A DescRef (cpu_state.h) for the 8 bytes at lin, which the supervisor
 * TLB maps for reading now (the caller just read them through it). */
static inline void desc_ref_set(CPUState *cpu, DescRef *r, uint32_t lin)
{
    const TlbEntry *te = &cpu->tlb.e[0][(lin >> 12) & (TLB_SIZE - 1)];
    r->te = te;
    r->addend = te->addend;
    r->lin = lin;
}
/* Read into *raw the 8 bytes r refers to if they are still at linear
 * address lin and the TLB still maps them to the same host bytes; false
 * otherwise (the caller takes its uncached path). */
static inline bool desc_ref_read(const DescRef *r, uint32_t lin,
                                 uint64_t *raw)
{
    const TlbEntry *te = r->te;
    if (lin != r->lin || !te || te->tag_read != (lin & 0xFFFFF000u) ||
        te->addend != r->addend)
        return false;
    __builtin_memcpy(raw, (const uint8_t *)(r->addend + lin), 8);
    return true;
}
/* desc_read() on the fast path only: true (and *d) if the descriptor is
 * within the table limit and its 8 bytes are in one page that the
 * supervisor TLB already maps for reading; false means "use desc_read"
 * (not: "invalid"). No side effects. */
static inline bool desc_read_fast(CPUState *cpu, uint16_t sel, Desc *d)
{
    uint32_t lin;
    if (!desc_lin(cpu, sel, &lin))
        return false;
    const uint8_t *p = mmu_tlb_ptr(cpu, lin, 8, ACC_READ, 0);
    if (!p)
        return false;
    __builtin_memcpy(&d->lo, p, 4);
    __builtin_memcpy(&d->hi, p + 4, 4);
    return true;
}
/* Accessed bit of a code/data descriptor (desc_set_accessed writes it). */
static inline bool desc_accessed(const Desc *d)
{
    return d->hi & (1u << 8);
}
/* Same, raising `vec` with error code (sel & 0xFFFC) | ext on failure. */
void desc_fetch(CPUState *cpu, uint16_t sel, Desc *d, int vec, uint32_t ext);
/* Set the accessed bit of a code/data descriptor in memory. */
void desc_set_accessed(CPUState *cpu, uint16_t sel, Desc *d);
/* Set or clear the busy bit of a TSS descriptor in the GDT. */
void desc_set_busy(CPUState *cpu, uint16_t sel, bool busy);

static inline __attribute__((always_inline)) void
seg_cache_fill(SegCache *s, uint16_t sel, const Desc *d)
{
    s->sel = sel;
    s->base = desc_base(d);
    s->limit = desc_limit(d);
    s->attr = ((d->hi >> 8) & 0xFF) | ((d->hi >> 8) & 0xF000);
}
void seg_cache_null(SegCache *s, uint16_t sel);

/* Validate sel as the stack segment for privilege cpl (SDM vol. 3
 * section 5.8.5 / 6.12.1): raise `vec`(sel|ext) for a null selector (error
 * ext only), bad RPL/DPL/type, and #SS(sel|ext) if not present. */
void seg_check_ss(CPUState *cpu, uint16_t sel, unsigned cpl, SegCache *out,
                  int vec, uint32_t ext);
/* Is [off, off+size) inside segment s (expand-down aware)? */
bool seg_in_limit(const SegCache *s, uint32_t off, unsigned size);

/* Push/pop on an explicit stack (its B bit selects SP or ESP) with a limit
 * check raising #SS(err); `user` selects the paging privilege. */
void sys_push(CPUState *cpu, const SegCache *ss, uint32_t *esp,
              uint32_t val, unsigned size, uint32_t err, int user);
uint32_t sys_pop(CPUState *cpu, const SegCache *ss, uint32_t *esp,
                 unsigned size, uint32_t err, int user);

/* SS:ESP for privilege `dpl` from the current TSS; #TS(tr|ext) if the TSS
 * is too small. */
void tss_stack(CPUState *cpu, unsigned dpl, uint16_t *ss, uint32_t *esp,
               uint32_t ext);
/* After a return to an outer privilege: null ES/DS/FS/GS that the new CPL
 * may not use (data or non-conforming code with DPL < CPL). False when all
 * four were usable or null, i.e. nothing changed. */
bool seg_null_invalid(CPUState *cpu);

/* Task switches (task.c). */
typedef enum TaskSrc { TASK_JMP, TASK_CALL, TASK_IRET, TASK_INT } TaskSrc;
/* Switch to the task whose TSS descriptor (already checked for type,
 * privilege and presence by the caller) is d. ret_eip is saved as the old
 * task's EIP. */
void task_switch(CPUState *cpu, uint16_t sel, Desc *d, TaskSrc src,
                 uint32_t ret_eip, uint32_t ext);

#endif
