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

uint8_t cpu_ld8(CPUState *cpu, int seg, uint32_t off);
uint16_t cpu_ld16(CPUState *cpu, int seg, uint32_t off);
uint32_t cpu_ld32(CPUState *cpu, int seg, uint32_t off);
void cpu_st8(CPUState *cpu, int seg, uint32_t off, uint8_t val);
void cpu_st16(CPUState *cpu, int seg, uint32_t off, uint16_t val);
void cpu_st32(CPUState *cpu, int seg, uint32_t off, uint32_t val);
/* Size-generic forms (size 1, 2 or 4 bytes). */
uint32_t cpu_ld(CPUState *cpu, int seg, uint32_t off, unsigned size);
void cpu_st(CPUState *cpu, int seg, uint32_t off, uint32_t val,
            unsigned size);
/* Check that [off, off+size) of seg may be accessed (acc ACC_*) and return
 * its linear address; raises #GP/#SS otherwise (seg.c). */
uint32_t seg_linear(CPUState *cpu, int seg, uint32_t off, unsigned size,
                    int acc);

uint8_t cpu_ld_linear8(CPUState *cpu, uint32_t lin);
uint16_t cpu_ld_linear16(CPUState *cpu, uint32_t lin);
uint32_t cpu_ld_linear32(CPUState *cpu, uint32_t lin);
void cpu_st_linear8(CPUState *cpu, uint32_t lin, uint8_t val);
void cpu_st_linear16(CPUState *cpu, uint32_t lin, uint16_t val);
void cpu_st_linear32(CPUState *cpu, uint32_t lin, uint32_t val);
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

#endif
