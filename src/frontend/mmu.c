/*
 * mmu.c — linear-address accesses and the software TLB.
 *
 * Minimal model (the system helper replaces mmu_translate with the full
 * page walker: 4 KB/4 MB/PAE pages, A/D bits, U/S and R/W checks, #PF error
 * codes, global pages): without CR0.PG linear = physical, masked by the A20
 * gate. With CR0.PG set this minimal version logs LOG_UNIMP once and still
 * maps linear = physical.
 *
 * Fast path: TlbEntry tags per access kind (cpu_state.h). A page is entered
 * only if mem_page_ptr() gives a host pointer for it (plain RAM; for writes
 * also not a tracked code page), so MMIO, ROM writes and code-page writes
 * always take the slow path through mem_read_slow()/mem_write_slow().
 */
#include <string.h>

#include "frontend/cpu_mem.h"
#include "frontend/except.h"
#include "machine/vm.h"

#define PAGE_MASK 0xFFFFF000u

static inline int mmu_user(const CPUState *cpu)
{
    return cpu->cpl == 3;
}

uint64_t mmu_translate(CPUState *cpu, uint32_t lin, int acc, int user)
{
    (void)acc;
    (void)user;
    if (cpu->cr0 & CR0_PG)
        log_once(&cpu->vm->log, LOG_UNIMP,
                 "cpu: paging not modelled yet (linear = physical)\n");
    return (uint64_t)lin & cpu->a20_mask;
}

void cpu_tlb_flush(CPUState *cpu)
{
    cpu->a20_mask = (uint32_t)cpu->vm->a20_mask;
    for (unsigned u = 0; u < 2; u++) {
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            TlbEntry *e = &cpu->tlb.e[u][i];
            e->tag_read = e->tag_write = e->tag_code = TLB_TAG_INVALID;
            e->addend = 0;
        }
    }
}

/* Fill the TLB entry for lin's page and access kind if the fast path may
 * serve it; returns the host pointer for lin or NULL (slow path). */
static uint8_t *mmu_fill(CPUState *cpu, uint32_t lin, int acc, int user,
                         uint64_t *pa_out)
{
    uint64_t pa = mmu_translate(cpu, lin, acc, user);
    *pa_out = pa;
    uint8_t *host = mem_page_ptr(&cpu->vm->mem, pa & ~(uint64_t)0xFFF,
                                 acc == ACC_WRITE);
    if (!host)
        return NULL;
    TlbEntry *e = &cpu->tlb.e[user][(lin >> 12) & (TLB_SIZE - 1)];
    uintptr_t addend = (uintptr_t)host - (uintptr_t)(lin & PAGE_MASK);
    if (e->addend != addend) {
        e->tag_read = e->tag_write = e->tag_code = TLB_TAG_INVALID;
        e->addend = addend;
    }
    uint32_t tag = lin & PAGE_MASK;
    if (acc == ACC_WRITE)
        e->tag_write = tag;
    else if (acc == ACC_CODE)
        e->tag_code = tag;
    else
        e->tag_read = tag;
    return host + (lin & 0xFFF);
}

static inline uint8_t *mmu_lookup(CPUState *cpu, uint32_t lin, unsigned size,
                                  int acc, int user)
{
    if ((lin & 0xFFF) > 0x1000 - size)
        return NULL;
    TlbEntry *e = &cpu->tlb.e[user][(lin >> 12) & (TLB_SIZE - 1)];
    uint32_t tag = acc == ACC_WRITE  ? e->tag_write
                   : acc == ACC_CODE ? e->tag_code
                                     : e->tag_read;
    if (tag != (lin & PAGE_MASK))
        return NULL;
    return (uint8_t *)(e->addend + lin);
}

static uint32_t mmu_ld_slow(CPUState *cpu, uint32_t lin, unsigned size,
                            int acc, int user)
{
    if ((lin & 0xFFF) > 0x1000 - size) {
        /* Page-crossing: translate both pages before reading anything. */
        uint32_t second = (lin | 0xFFF) + 1;
        mmu_translate(cpu, lin, acc, user);
        mmu_translate(cpu, second, acc, user);
        uint32_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            uint64_t pa = mmu_translate(cpu, lin + i, acc, user);
            v |= mem_read_slow(&cpu->vm->mem, pa, 1) << (8 * i);
        }
        return v;
    }
    uint64_t pa;
    uint8_t *host = mmu_fill(cpu, lin, acc, user, &pa);
    if (host) {
        uint32_t v = 0;
        memcpy(&v, host, size);
        return v;
    }
    return mem_read_slow(&cpu->vm->mem, pa, size);
}

static void mmu_st_slow(CPUState *cpu, uint32_t lin, uint32_t val,
                        unsigned size, int user)
{
    if ((lin & 0xFFF) > 0x1000 - size) {
        uint32_t second = (lin | 0xFFF) + 1;
        mmu_translate(cpu, lin, ACC_WRITE, user);
        mmu_translate(cpu, second, ACC_WRITE, user);
        for (unsigned i = 0; i < size; i++) {
            uint64_t pa = mmu_translate(cpu, lin + i, ACC_WRITE, user);
            mem_write_slow(&cpu->vm->mem, pa, (val >> (8 * i)) & 0xFF, 1);
        }
        return;
    }
    uint64_t pa;
    uint8_t *host = mmu_fill(cpu, lin, ACC_WRITE, user, &pa);
    if (host) {
        memcpy(host, &val, size);
        return;
    }
    mem_write_slow(&cpu->vm->mem, pa, val, size);
}

static inline uint32_t mmu_ld(CPUState *cpu, uint32_t lin, unsigned size,
                              int user)
{
    uint8_t *p = mmu_lookup(cpu, lin, size, ACC_READ, user);
    if (p) {
        uint32_t v = 0;
        memcpy(&v, p, size);
        return v;
    }
    return mmu_ld_slow(cpu, lin, size, ACC_READ, user);
}

static inline void mmu_st(CPUState *cpu, uint32_t lin, uint32_t val,
                          unsigned size, int user)
{
    uint8_t *p = mmu_lookup(cpu, lin, size, ACC_WRITE, user);
    if (p) {
        memcpy(p, &val, size);
        return;
    }
    mmu_st_slow(cpu, lin, val, size, user);
}

uint8_t cpu_ld_linear8(CPUState *cpu, uint32_t lin)
{
    return (uint8_t)mmu_ld(cpu, lin, 1, mmu_user(cpu));
}
uint16_t cpu_ld_linear16(CPUState *cpu, uint32_t lin)
{
    return (uint16_t)mmu_ld(cpu, lin, 2, mmu_user(cpu));
}
uint32_t cpu_ld_linear32(CPUState *cpu, uint32_t lin)
{
    return mmu_ld(cpu, lin, 4, mmu_user(cpu));
}
void cpu_st_linear8(CPUState *cpu, uint32_t lin, uint8_t val)
{
    mmu_st(cpu, lin, val, 1, mmu_user(cpu));
}
void cpu_st_linear16(CPUState *cpu, uint32_t lin, uint16_t val)
{
    mmu_st(cpu, lin, val, 2, mmu_user(cpu));
}
void cpu_st_linear32(CPUState *cpu, uint32_t lin, uint32_t val)
{
    mmu_st(cpu, lin, val, 4, mmu_user(cpu));
}
uint8_t cpu_ld_sys8(CPUState *cpu, uint32_t lin)
{
    return (uint8_t)mmu_ld(cpu, lin, 1, 0);
}
uint16_t cpu_ld_sys16(CPUState *cpu, uint32_t lin)
{
    return (uint16_t)mmu_ld(cpu, lin, 2, 0);
}
uint32_t cpu_ld_sys32(CPUState *cpu, uint32_t lin)
{
    return mmu_ld(cpu, lin, 4, 0);
}
void cpu_st_sys8(CPUState *cpu, uint32_t lin, uint8_t val)
{
    mmu_st(cpu, lin, val, 1, 0);
}
void cpu_st_sys16(CPUState *cpu, uint32_t lin, uint16_t val)
{
    mmu_st(cpu, lin, val, 2, 0);
}
void cpu_st_sys32(CPUState *cpu, uint32_t lin, uint32_t val)
{
    mmu_st(cpu, lin, val, 4, 0);
}

uint32_t cpu_ld(CPUState *cpu, int seg, uint32_t off, unsigned size)
{
    uint32_t lin = seg_linear(cpu, seg, off, size, ACC_READ);
    return mmu_ld(cpu, lin, size, mmu_user(cpu));
}

void cpu_st(CPUState *cpu, int seg, uint32_t off, uint32_t val,
            unsigned size)
{
    uint32_t lin = seg_linear(cpu, seg, off, size, ACC_WRITE);
    mmu_st(cpu, lin, val, size, mmu_user(cpu));
}

uint8_t cpu_ld8(CPUState *cpu, int seg, uint32_t off)
{
    return (uint8_t)cpu_ld(cpu, seg, off, 1);
}
uint16_t cpu_ld16(CPUState *cpu, int seg, uint32_t off)
{
    return (uint16_t)cpu_ld(cpu, seg, off, 2);
}
uint32_t cpu_ld32(CPUState *cpu, int seg, uint32_t off)
{
    return cpu_ld(cpu, seg, off, 4);
}
void cpu_st8(CPUState *cpu, int seg, uint32_t off, uint8_t val)
{
    cpu_st(cpu, seg, off, val, 1);
}
void cpu_st16(CPUState *cpu, int seg, uint32_t off, uint16_t val)
{
    cpu_st(cpu, seg, off, val, 2);
}
void cpu_st32(CPUState *cpu, int seg, uint32_t off, uint32_t val)
{
    cpu_st(cpu, seg, off, val, 4);
}

void cpu_fetch_code(CPUState *cpu, uint32_t off, uint8_t *buf, unsigned len)
{
    int user = mmu_user(cpu);
    for (unsigned i = 0; i < len; i++) {
        uint32_t lin = seg_linear(cpu, SEG_CS, off + i, 1, ACC_CODE);
        uint8_t *p = mmu_lookup(cpu, lin, 1, ACC_CODE, user);
        buf[i] = p ? *p : (uint8_t)mmu_ld_slow(cpu, lin, 1, ACC_CODE, user);
    }
}

unsigned cpu_fetch_avail(CPUState *cpu, uint32_t off, unsigned want)
{
    const SegCache *cs = &cpu->seg[SEG_CS];
    if (off > cs->limit)
        return 0;
    uint32_t in_limit = cs->limit - off;
    unsigned n = in_limit >= want - 1 ? want : in_limit + 1;
    uint32_t lin = cs->base + off;
    uint32_t in_page = 0x1000 - (lin & 0xFFF);
    return n < in_page ? n : in_page;
}

/* Host pointer for code bytes at CS:off if the page is in the fast path
 * (used by the interpreter to decode in place). */
const uint8_t *mmu_code_ptr(CPUState *cpu, uint32_t lin)
{
    int user = mmu_user(cpu);
    uint8_t *p = mmu_lookup(cpu, lin, 1, ACC_CODE, user);
    if (p)
        return p;
    uint64_t pa;
    return mmu_fill(cpu, lin, ACC_CODE, user, &pa);
}
