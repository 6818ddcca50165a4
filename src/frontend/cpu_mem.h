/*
 * cpu_mem.h — guest memory as the instruction semantics see it.
 *
 * Two layers:
 *  - segmented: cpu_ld8/16/32(cpu, seg, off) and cpu_st8/16/32: segment limit and
 *    type checks (seg.c; #GP(0), or #SS(0) for SS), then the linear layer;
 *  - linear: cpu_ld_linear8/16/32 and cpu_st_linear8/16/32: paging (mmu.c; #PF) with the
 *    privilege of the current CPL, through the software TLB.
 * cpu_ld_sys8/16/32 and cpu_st_sys8/16/32 are supervisor-privilege linear accesses for
 * descriptor tables, TSS and IDT (SDM vol. 3 section 5.5: implicit
 * supervisor accesses). All may raise guest exceptions (longjmp).
 * Accesses are little-endian; unaligned and page-crossing accesses work
 * (split into bytes on the slow path).
 */
#ifndef X86BT_CPU_MEM_H
#define X86BT_CPU_MEM_H

#include <stdint.h>

#include "frontend/cpu_state.h"

/* Access kinds for seg/mmu checks. */
enum { ACC_READ = 0, ACC_WRITE = 1, ACC_CODE = 2 };

/* The accessors below with all checks, out of line (mmu.c); the inline
 * forms at the end of this file call them whenever their fast path does
 * not apply. */
uint32_t cpu_ld_full(CPUState *cpu, int seg, uint32_t off, unsigned size);
void cpu_st_full(CPUState *cpu, int seg, uint32_t off, uint32_t val,
                 unsigned size);
uint32_t cpu_ld_linear_full(CPUState *cpu, uint32_t lin, unsigned size);
void cpu_st_linear_full(CPUState *cpu, uint32_t lin, uint32_t val,
                        unsigned size);
/* Check that [off, off+size) of seg may be accessed (acc ACC_*) and return
 * its linear address; raises #GP/#SS otherwise (seg.c). */
uint32_t seg_linear(CPUState *cpu, int seg, uint32_t off, unsigned size,
                    int acc);

/* Supervisor-privilege (implicit system) accesses. */
uint8_t cpu_ld_sys8(CPUState *cpu, uint32_t lin);
uint16_t cpu_ld_sys16(CPUState *cpu, uint32_t lin);
uint32_t cpu_ld_sys32(CPUState *cpu, uint32_t lin);
void cpu_st_sys8(CPUState *cpu, uint32_t lin, uint8_t val);
void cpu_st_sys16(CPUState *cpu, uint32_t lin, uint16_t val);
void cpu_st_sys32(CPUState *cpu, uint32_t lin, uint32_t val);
/* Instruction fetch of `len` bytes at CS:off (CS limit, then paging with
 * code access); faults only if a byte actually needed is inaccessible. */
void cpu_fetch_code(CPUState *cpu, uint32_t off, uint8_t *buf, unsigned len);
/* How many bytes from CS:off can be fetched without a fault check beyond
 * what the first page / CS limit allow (0 if CS:off itself faults). */
unsigned cpu_fetch_avail(CPUState *cpu, uint32_t off, unsigned want);

/* Software-TLB probe without side effects: the host address of
 * [lin, lin+size) for an access of kind acc (ACC_*) at privilege `user`
 * (0 supervisor, 1 user) if the TLB already allows it on the fast path
 * (same page, entry present), else NULL. A hit means exactly what the
 * accessors above would do without walking: for writes, the page is
 * dirty, writable and not a code page. */
static inline uint8_t *mmu_tlb_ptr(CPUState *cpu, uint32_t lin,
                                   unsigned size, int acc, int user)
{
    if ((lin & 0xFFF) > 0x1000 - size)
        return NULL;
    TlbEntry *e = &cpu->tlb.e[user][(lin >> 12) & (TLB_SIZE - 1)];
    uint32_t tag = acc == ACC_WRITE  ? e->tag_write
                   : acc == ACC_CODE ? e->tag_code
                                     : e->tag_read;
    if (tag != (lin & 0xFFFFF000u))
        return NULL;
    return (uint8_t *)(e->addend + lin);
}

/* Host pointer for the code byte at linear lin if its page is plain RAM,
 * else NULL (the caller then uses cpu_fetch_code). May raise #PF. */
const uint8_t *mmu_code_ptr(CPUState *cpu, uint32_t lin);

/* Translate a linear address for an access (ACC_*) at privilege `user`
 * (0 supervisor, 1 user); raises #PF. Returns the physical address. */
uint64_t mmu_translate(CPUState *cpu, uint32_t lin, int acc, int user);

/* ------------------------------------------------ inline fast paths
 *
 * seg_linear()'s checks (seg.c) for the plain case, then a TLB hit: a
 * usable segment that is not expand-down, readable for a read (not
 * execute-only code), a writable data segment for a write, and the
 * whole access within the limit without wrapping. In real and V86 mode
 * seg_linear() checks no type, so these conditions are only stricter.
 * Anything else (expand-down or unusable segments, limit faults, page
 * crossings, TLB misses, MMIO, ROM or code pages for stores, which have
 * no write TLB entry) takes the *_full path, which raises what is due.
 */
static inline bool cpu_seg_fast(const SegCache *s, uint32_t off,
                                unsigned size, int acc)
{
    uint32_t a = s->attr, last = off + size - 1;
    bool type_ok = acc == ACC_WRITE
                       ? (a & (SEG_ATTR_UNUSABLE | 0xE)) == 0x2
                       : !(a & SEG_ATTR_UNUSABLE) && (a & 0xC) != 0x4 &&
                             (a & 0xA) != 0x8;
    return type_ok && last >= off && last <= s->limit;
}

static inline uint32_t cpu_ld_linear(CPUState *cpu, uint32_t lin,
                                     unsigned size)
{
    const uint8_t *p = mmu_tlb_ptr(cpu, lin, size, ACC_READ, cpu->cpl == 3);
    if (p) {
        uint32_t v = 0;
        __builtin_memcpy(&v, p, size);
        return v;
    }
    return cpu_ld_linear_full(cpu, lin, size);
}

static inline void cpu_st_linear(CPUState *cpu, uint32_t lin, uint32_t val,
                                 unsigned size)
{
    uint8_t *p = mmu_tlb_ptr(cpu, lin, size, ACC_WRITE, cpu->cpl == 3);
    if (p) {
        __builtin_memcpy(p, &val, size);
        return;
    }
    cpu_st_linear_full(cpu, lin, val, size);
}

/* Size-generic segmented forms (size 1, 2 or 4 bytes). */
static inline uint32_t cpu_ld(CPUState *cpu, int seg, uint32_t off,
                              unsigned size)
{
    const SegCache *s = &cpu->seg[seg];
    if (cpu_seg_fast(s, off, size, ACC_READ)) {
        const uint8_t *p = mmu_tlb_ptr(cpu, s->base + off, size, ACC_READ,
                                       cpu->cpl == 3);
        if (p) {
            uint32_t v = 0;
            __builtin_memcpy(&v, p, size);
            return v;
        }
    }
    return cpu_ld_full(cpu, seg, off, size);
}

static inline void cpu_st(CPUState *cpu, int seg, uint32_t off,
                          uint32_t val, unsigned size)
{
    const SegCache *s = &cpu->seg[seg];
    if (cpu_seg_fast(s, off, size, ACC_WRITE)) {
        uint8_t *p = mmu_tlb_ptr(cpu, s->base + off, size, ACC_WRITE,
                                 cpu->cpl == 3);
        if (p) {
            __builtin_memcpy(p, &val, size);
            return;
        }
    }
    cpu_st_full(cpu, seg, off, val, size);
}

static inline uint8_t cpu_ld8(CPUState *cpu, int seg, uint32_t off)
{
    return (uint8_t)cpu_ld(cpu, seg, off, 1);
}
static inline uint16_t cpu_ld16(CPUState *cpu, int seg, uint32_t off)
{
    return (uint16_t)cpu_ld(cpu, seg, off, 2);
}
static inline uint32_t cpu_ld32(CPUState *cpu, int seg, uint32_t off)
{
    return cpu_ld(cpu, seg, off, 4);
}
static inline void cpu_st8(CPUState *cpu, int seg, uint32_t off, uint8_t val)
{
    cpu_st(cpu, seg, off, val, 1);
}
static inline void cpu_st16(CPUState *cpu, int seg, uint32_t off,
                            uint16_t val)
{
    cpu_st(cpu, seg, off, val, 2);
}
static inline void cpu_st32(CPUState *cpu, int seg, uint32_t off,
                            uint32_t val)
{
    cpu_st(cpu, seg, off, val, 4);
}
static inline uint8_t cpu_ld_linear8(CPUState *cpu, uint32_t lin)
{
    return (uint8_t)cpu_ld_linear(cpu, lin, 1);
}
static inline uint16_t cpu_ld_linear16(CPUState *cpu, uint32_t lin)
{
    return (uint16_t)cpu_ld_linear(cpu, lin, 2);
}
static inline uint32_t cpu_ld_linear32(CPUState *cpu, uint32_t lin)
{
    return cpu_ld_linear(cpu, lin, 4);
}
static inline void cpu_st_linear8(CPUState *cpu, uint32_t lin, uint8_t val)
{
    cpu_st_linear(cpu, lin, val, 1);
}
static inline void cpu_st_linear16(CPUState *cpu, uint32_t lin, uint16_t val)
{
    cpu_st_linear(cpu, lin, val, 2);
}
static inline void cpu_st_linear32(CPUState *cpu, uint32_t lin, uint32_t val)
{
    cpu_st_linear(cpu, lin, val, 4);
}

#endif
