/*
 * mmu.c — paging and the software TLB (SDM vol. 3 chapter 4).
 *
 * Owns: the page walker for 32-bit paging (4 KB pages and, with CR4.PSE,
 * 4 MB pages) and PAE paging (3 levels, 4 KB and 2 MB pages; no NX on a
 * P6), accessed/dirty bit updates, U/S and R/W checks with CR0.WP, reserved
 * bits, #PF error codes and CR2, global pages (CR4.PGE, kept across CR3
 * loads), INVLPG, the A20 mask, and the linear-address access API of
 * cpu_mem.h used by the semantics and the translator.
 *
 * Software TLB (layout in cpu_state.h): one direct-mapped array per
 * privilege (0: supervisor, 1: user = CPL 3). An entry caches one 4 KB
 * linear page that maps plain host memory; tag_read/tag_code are set when
 * the walk allowed a read, tag_write only when it allowed a write and the
 * dirty bit is already set (so the first store still walks and sets D) and
 * mem_page_ptr() gives the same host page for writing (not ROM, MMIO or a
 * translated-code page). Everything else takes the slow path, which walks
 * the page tables and goes through mem_read_slow()/mem_write_slow().
 * TLB entries that came from global pages are remembered so that a CR3
 * load keeps them; large pages make INVLPG flush everything (their 4 KB
 * pieces may sit in any slot).
 */
#include <string.h>

#include "frontend/cpu_mem.h"
#include "frontend/debug.h"
#include "frontend/except.h"
#include "frontend/mmu.h"
#include "machine/vm.h"

#define PAGE_MASK 0xFFFFF000u

/* Paging-structure entry bits (SDM vol. 3 tables 4-4 to 4-20). */
enum {
    PTE_P = 1u << 0,
    PTE_W = 1u << 1,
    PTE_U = 1u << 2,
    PTE_A = 1u << 5,
    PTE_D = 1u << 6,
    PTE_PS = 1u << 7,
    PTE_G = 1u << 8,
};

/* #PF error code bits (SDM vol. 3 section 4.7). */
enum { PFE_P = 1, PFE_W = 2, PFE_U = 4, PFE_RSVD = 8 };

/* PAE: physical addresses are 36 bits; bits 63:36 (incl. XD: no NXE on
 * a P6) are reserved in every entry. */
#define PAE_ADDR_MASK 0x0000000FFFFFF000ull
#define PAE_RSVD_HI 0xFFFFFFF000000000ull
#define PAE_PDPTE_RSVD (PAE_RSVD_HI | 0x1E6ull)
#define PAE_PDE2M_RSVD (PAE_RSVD_HI | 0x1FE000ull)
#define PSE_PDE4M_RSVD 0x003FE000u /* bits 21:13: no PSE-36 on this CPU */

/* What a successful walk found. */
typedef struct MmuWalk {
    uint64_t pa;    /* physical address of `lin` (A20 applied) */
    bool writable;  /* a write at this privilege would be allowed */
    bool dirty;     /* D already set: stores may use the fast path */
    bool global;    /* G set and CR4.PGE */
    bool large;     /* 4 MB / 2 MB page */
} MmuWalk;

static inline int mmu_user(const CPUState *cpu)
{
    return cpu->cpl == 3;
}

/* ---------------------------------------------------------- table access */

static uint32_t pt_read32(CPUState *cpu, uint64_t pa)
{
    PhysMem *mem = &cpu->vm->mem;
    pa &= cpu->vm->a20_mask;
    const uint8_t *p = mem_ram_ptr(mem, pa, 4);
    if (p) {
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    return mem_read_slow(mem, pa, 4);
}

static void pt_write32(CPUState *cpu, uint64_t pa, uint32_t v)
{
    PhysMem *mem = &cpu->vm->mem;
    pa &= cpu->vm->a20_mask;
    uint8_t *p = mem_ram_ptr(mem, pa, 4);
    if (p) {
        memcpy(p, &v, 4);
        mem_note_write(mem, pa, 4);
        return;
    }
    mem_write_slow(mem, pa, v, 4);
}

static uint64_t pt_read64(CPUState *cpu, uint64_t pa)
{
    return pt_read32(cpu, pa) | (uint64_t)pt_read32(cpu, pa + 4) << 32;
}

/* Set A (and D) in the low dword of an entry if not yet set. */
static void pt_mark(CPUState *cpu, uint64_t pa, uint32_t lo, uint32_t bits)
{
    if ((lo & bits) != bits)
        pt_write32(cpu, pa, lo | bits);
}

/* ------------------------------------------------------------- #PF */

static _Noreturn void mmu_fault(CPUState *cpu, uint32_t lin, uint32_t err,
                                int acc, int user)
{
    if (acc == ACC_WRITE)
        err |= PFE_W;
    if (user)
        err |= PFE_U;
    cpu->cr2 = lin;
    cpu_raise(cpu, EXC_PF, err);
}

/* Combined U/S and R/W of all levels: may this access proceed? */
static bool mmu_allowed(const CPUState *cpu, uint32_t flags, int acc,
                        int user)
{
    if (user && !(flags & PTE_U))
        return false;
    if (acc != ACC_WRITE || (flags & PTE_W))
        return true;
    return !user && !(cpu->cr0 & CR0_WP);
}

static bool mmu_writable(const CPUState *cpu, uint32_t flags, int user)
{
    return mmu_allowed(cpu, flags, ACC_WRITE, user);
}

/* --------------------------------------------------------- 32-bit walk */

static void walk32(CPUState *cpu, uint32_t lin, int acc, int user,
                   MmuWalk *w)
{
    uint64_t pde_pa = (cpu->cr3 & PAGE_MASK) + ((lin >> 22) << 2);
    uint32_t pde = pt_read32(cpu, pde_pa);
    if (!(pde & PTE_P))
        mmu_fault(cpu, lin, 0, acc, user);
    if ((pde & PTE_PS) && (cpu->cr4 & CR4_PSE)) {
        if (pde & PSE_PDE4M_RSVD)
            mmu_fault(cpu, lin, PFE_P | PFE_RSVD, acc, user);
        if (!mmu_allowed(cpu, pde, acc, user))
            mmu_fault(cpu, lin, PFE_P, acc, user);
        pt_mark(cpu, pde_pa, pde, acc == ACC_WRITE ? PTE_A | PTE_D : PTE_A);
        w->pa = (pde & 0xFFC00000u) | (lin & 0x003FFFFFu);
        w->writable = mmu_writable(cpu, pde, user);
        w->dirty = acc == ACC_WRITE || (pde & PTE_D);
        w->global = (pde & PTE_G) && (cpu->cr4 & CR4_PGE);
        w->large = true;
        return;
    }
    uint64_t pte_pa = (pde & PAGE_MASK) + (((lin >> 12) & 0x3FF) << 2);
    uint32_t pte = pt_read32(cpu, pte_pa);
    if (!(pte & PTE_P))
        mmu_fault(cpu, lin, 0, acc, user);
    uint32_t flags = pde & pte;
    if (!mmu_allowed(cpu, flags, acc, user))
        mmu_fault(cpu, lin, PFE_P, acc, user);
    pt_mark(cpu, pde_pa, pde, PTE_A);
    pt_mark(cpu, pte_pa, pte, acc == ACC_WRITE ? PTE_A | PTE_D : PTE_A);
    w->pa = (pte & PAGE_MASK) | (lin & 0xFFF);
    w->writable = mmu_writable(cpu, flags, user);
    w->dirty = acc == ACC_WRITE || (pte & PTE_D);
    w->global = (pte & PTE_G) && (cpu->cr4 & CR4_PGE);
    w->large = false;
}

/* ------------------------------------------------------------ PAE walk */

bool mmu_pdpte_valid(CPUState *cpu, uint32_t cr3)
{
    for (unsigned i = 0; i < 4; i++) {
        uint64_t e = pt_read64(cpu, (cr3 & 0xFFFFFFE0u) + i * 8);
        if ((e & PTE_P) && (e & PAE_PDPTE_RSVD))
            return false;
    }
    return true;
}

static void walk_pae(CPUState *cpu, uint32_t lin, int acc, int user,
                     MmuWalk *w)
{
    uint64_t pdpte = pt_read64(cpu, (cpu->cr3 & 0xFFFFFFE0u) + (lin >> 30) * 8);
    if (!(pdpte & PTE_P))
        mmu_fault(cpu, lin, 0, acc, user);
    if (pdpte & PAE_PDPTE_RSVD)
        mmu_fault(cpu, lin, PFE_P | PFE_RSVD, acc, user);
    uint64_t pde_pa = (pdpte & PAE_ADDR_MASK) + ((lin >> 21) & 0x1FF) * 8;
    uint64_t pde = pt_read64(cpu, pde_pa);
    if (!(pde & PTE_P))
        mmu_fault(cpu, lin, 0, acc, user);
    if (pde & PTE_PS) {
        if (pde & PAE_PDE2M_RSVD)
            mmu_fault(cpu, lin, PFE_P | PFE_RSVD, acc, user);
        if (!mmu_allowed(cpu, (uint32_t)pde, acc, user))
            mmu_fault(cpu, lin, PFE_P, acc, user);
        pt_mark(cpu, pde_pa, (uint32_t)pde,
                acc == ACC_WRITE ? PTE_A | PTE_D : PTE_A);
        w->pa = (pde & 0xFFFE00000ull) | (lin & 0x1FFFFFu);
        w->writable = mmu_writable(cpu, (uint32_t)pde, user);
        w->dirty = acc == ACC_WRITE || (pde & PTE_D);
        w->global = (pde & PTE_G) && (cpu->cr4 & CR4_PGE);
        w->large = true;
        return;
    }
    if (pde & PAE_RSVD_HI)
        mmu_fault(cpu, lin, PFE_P | PFE_RSVD, acc, user);
    uint64_t pte_pa = (pde & PAE_ADDR_MASK) + ((lin >> 12) & 0x1FF) * 8;
    uint64_t pte = pt_read64(cpu, pte_pa);
    if (!(pte & PTE_P))
        mmu_fault(cpu, lin, 0, acc, user);
    if (pte & PAE_RSVD_HI)
        mmu_fault(cpu, lin, PFE_P | PFE_RSVD, acc, user);
    uint32_t flags = (uint32_t)pde & (uint32_t)pte;
    if (!mmu_allowed(cpu, flags, acc, user))
        mmu_fault(cpu, lin, PFE_P, acc, user);
    pt_mark(cpu, pde_pa, (uint32_t)pde, PTE_A);
    pt_mark(cpu, pte_pa, (uint32_t)pte,
            acc == ACC_WRITE ? PTE_A | PTE_D : PTE_A);
    w->pa = (pte & PAE_ADDR_MASK) | (lin & 0xFFF);
    w->writable = mmu_writable(cpu, flags, user);
    w->dirty = acc == ACC_WRITE || (pte & PTE_D);
    w->global = (pte & PTE_G) && (cpu->cr4 & CR4_PGE);
    w->large = false;
}

static void mmu_walk(CPUState *cpu, uint32_t lin, int acc, int user,
                     MmuWalk *w)
{
    if (!cpu->paging) {
        w->pa = lin;
        w->writable = w->dirty = true;
        w->global = w->large = false;
    } else if (cpu->cr4 & CR4_PAE) {
        walk_pae(cpu, lin, acc, user, w);
    } else {
        walk32(cpu, lin, acc, user, w);
    }
    w->pa &= cpu->vm->a20_mask;
}

uint64_t mmu_translate(CPUState *cpu, uint32_t lin, int acc, int user)
{
    MmuWalk w;
    mmu_walk(cpu, lin, acc, user, &w);
    return w.pa;
}

/* ------------------------------------------------------------- the TLB */

/* Every translation a site copy may hold from now on is newer. */
static void tlb_sites_invalidate(CPUState *cpu)
{
    SoftTlb *t = &cpu->tlb;
    t->site_gen += 1ull << 32;
    if (t->site_gen == 0) { /* after 2^32 events: start over */
        memset(t->site, 0, sizeof t->site);
        t->site_gen = 1ull << 32;
    }
}

static void tlb_entry_clear(TlbEntry *e)
{
    e->tag_read = e->tag_write = e->tag_code = TLB_TAG_INVALID;
    e->addend = 0;
}

void cpu_tlb_flush(CPUState *cpu)
{
    SoftTlb *t = &cpu->tlb;
    tlb_sites_invalidate(cpu);
    cpu->a20_mask = (uint32_t)cpu->vm->a20_mask;
    t->map_gen = cpu->vm->mem.map_gen;
    for (unsigned u = 0; u < 2; u++) {
        unsigned n = t->ready ? t->nused[u] : TLB_SIZE;
        for (unsigned k = 0; k < n; k++) {
            unsigned i = t->ready ? t->used[u][k] : k;
            tlb_entry_clear(&t->e[u][i]);
            t->global[u][i] = false;
            t->listed[u][i] = false;
        }
        t->nused[u] = 0;
    }
    t->ready = true;
    t->has_large = false;
}

void mmu_flush_nonglobal(CPUState *cpu)
{
    SoftTlb *t = &cpu->tlb;
    if (!t->ready) {
        cpu_tlb_flush(cpu);
        return;
    }
    tlb_sites_invalidate(cpu);
    bool kept = false;
    for (unsigned u = 0; u < 2; u++) {
        unsigned n = 0;
        for (unsigned k = 0; k < t->nused[u]; k++) {
            unsigned i = t->used[u][k];
            if (t->global[u][i]) {
                t->used[u][n++] = (uint16_t)i;
                kept = true;
            } else {
                tlb_entry_clear(&t->e[u][i]);
                t->listed[u][i] = false;
            }
        }
        t->nused[u] = n;
    }
    if (!kept)
        t->has_large = false;
}

void mmu_invlpg(CPUState *cpu, uint32_t lin)
{
    if (cpu->tlb.has_large) {
        cpu_tlb_flush(cpu);
        return;
    }
    /* Site copies outlive the entries they came from: always. */
    tlb_sites_invalidate(cpu);
    unsigned i = (lin >> 12) & (TLB_SIZE - 1);
    for (unsigned u = 0; u < 2; u++) {
        TlbEntry *e = &cpu->tlb.e[u][i];
        uint32_t page = lin & PAGE_MASK;
        if (e->tag_read == page || e->tag_write == page ||
            e->tag_code == page) {
            tlb_entry_clear(e);
            cpu->tlb.global[u][i] = false;
        }
    }
}

static void mmu_map_changed(void *opaque)
{
    CPUState *cpu = opaque;
    cpu_tlb_flush(cpu);
    cpu->kick = 1; /* translated code re-checks at the next block */
}

void mmu_attach(CPUState *cpu)
{
    cpu->vm->mem.map_changed = mmu_map_changed;
    cpu->vm->mem.map_opaque = cpu;
}

void mmu_protect_code_page(CPUState *cpu, uint64_t pa)
{
    PhysMem *mem = &cpu->vm->mem;
    if (!mem_is_ram(mem, pa))
        return;
    /* No write pointer was handed out since the last scan: no TLB entry
     * can hold one (a page that keeps being retranslated, as in SMC
     * loops, costs no scan). */
    uint8_t *f = &mem->page_flags[pa >> MEM_PAGE_SHIFT];
    if (!(*f & MEM_PF_WPTR))
        return;
    *f &= (uint8_t)~MEM_PF_WPTR;
    tlb_sites_invalidate(cpu); /* a site copy may hold the write pointer */
    uintptr_t host = (uintptr_t)(mem->ram + (pa & ~(uint64_t)0xFFF));
    SoftTlb *t = &cpu->tlb;
    if (!t->ready)
        cpu_tlb_flush(cpu);
    for (unsigned u = 0; u < 2; u++) {
        for (unsigned k = 0; k < t->nused[u]; k++) {
            TlbEntry *e = &t->e[u][t->used[u][k]];
            if (e->tag_write != TLB_TAG_INVALID &&
                e->addend + e->tag_write == host)
                e->tag_write = TLB_TAG_INVALID;
        }
    }
}

/* Walk for lin's page and enter it into the TLB if the fast path may
 * serve it; returns the host pointer for lin or NULL (slow path), and the
 * physical address in *pa_out either way. */
static uint8_t *mmu_fill(CPUState *cpu, uint32_t lin, int acc, int user,
                         uint64_t *pa_out)
{
    MmuWalk w;
    mmu_walk(cpu, lin, acc, user, &w);
    *pa_out = w.pa;
    PhysMem *mem = &cpu->vm->mem;
    uint64_t page = w.pa & ~(uint64_t)0xFFF;
    uint8_t *host = mem_page_ptr(mem, page, acc == ACC_WRITE);
    if (!host || (dbg_any_enabled(cpu) && dbg_watch_page(cpu, lin)))
        return NULL;
    if (!cpu->tlb.ready)
        cpu_tlb_flush(cpu);
    unsigned idx = (lin >> 12) & (TLB_SIZE - 1);
    TlbEntry *e = &cpu->tlb.e[user][idx];
    uintptr_t addend = (uintptr_t)host - (uintptr_t)(lin & PAGE_MASK);
    uint32_t tag = lin & PAGE_MASK;
    if (e->addend != addend || cpu->tlb.global[user][idx] != w.global)
        tlb_entry_clear(e);
    e->addend = addend;
    cpu->tlb.global[user][idx] = w.global;
    if (!cpu->tlb.listed[user][idx]) {
        cpu->tlb.listed[user][idx] = true;
        cpu->tlb.used[user][cpu->tlb.nused[user]++] = (uint16_t)idx;
    }
    cpu->tlb.has_large |= w.large;
    e->tag_read = e->tag_code = tag;
    if (acc == ACC_WRITE ||
        (w.writable && w.dirty && mem_page_ptr(mem, page, true) == host))
        e->tag_write = tag;
    else if (e->tag_write == tag) {
        e->tag_write = TLB_TAG_INVALID;
        tlb_sites_invalidate(cpu);
    }
    return host + (lin & 0xFFF);
}

uint64_t mmu_translate_code(CPUState *cpu, uint32_t lin, int user)
{
    uint64_t pa;
    mmu_fill(cpu, lin, ACC_CODE, user, &pa);
    return pa;
}

static inline uint8_t *mmu_lookup(CPUState *cpu, uint32_t lin, unsigned size,
                                  int acc, int user)
{
    return mmu_tlb_ptr(cpu, lin, size, acc, user);
}

/* Page-crossing access: translate both pages before touching anything
 * (so a #PF on the second page leaves no side effects), then go byte by
 * byte. */
static uint32_t mmu_ld_cross(CPUState *cpu, uint32_t lin, unsigned size,
                             int acc, int user)
{
    uint32_t second = (lin | 0xFFF) + 1;
    uint64_t pa0 = mmu_translate(cpu, lin, acc, user);
    uint64_t pa1 = mmu_translate(cpu, second, acc, user);
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint32_t l = lin + i;
        uint64_t pa = l < second ? pa0 + i : pa1 + (l - second);
        v |= mem_read_slow(&cpu->vm->mem, pa, 1) << (8 * i);
    }
    return v;
}

static uint32_t mmu_ld_slow(CPUState *cpu, uint32_t lin, unsigned size,
                            int acc, int user)
{
    if (acc != ACC_CODE && dbg_any_enabled(cpu))
        dbg_note_access(cpu, lin, size, false);
    if ((lin & 0xFFF) > 0x1000 - size)
        return mmu_ld_cross(cpu, lin, size, acc, user);
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
    PhysMem *mem = &cpu->vm->mem;
    if (dbg_any_enabled(cpu))
        dbg_note_access(cpu, lin, size, true);
    if ((lin & 0xFFF) > 0x1000 - size) {
        uint32_t second = (lin | 0xFFF) + 1;
        uint64_t pa0 = mmu_translate(cpu, lin, ACC_WRITE, user);
        uint64_t pa1 = mmu_translate(cpu, second, ACC_WRITE, user);
        for (unsigned i = 0; i < size; i++) {
            uint32_t l = lin + i;
            uint64_t pa = l < second ? pa0 + i : pa1 + (l - second);
            mem_write_slow(mem, pa, (val >> (8 * i)) & 0xFF, 1);
        }
        return;
    }
    uint64_t pa;
    uint8_t *host = mmu_fill(cpu, lin, ACC_WRITE, user, &pa);
    if (host) {
        memcpy(host, &val, size);
        return;
    }
    mem_write_slow(mem, pa, val, size);
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

/* Check that a store of `size` bytes at lin would succeed (for
 * read-modify-write and multi-part stores); raises #PF otherwise. */
void mmu_probe_write(CPUState *cpu, uint32_t lin, unsigned size, int user)
{
    if (mmu_lookup(cpu, lin, size, ACC_WRITE, user))
        return;
    mmu_translate(cpu, lin, ACC_WRITE, user);
    if ((lin & 0xFFF) > 0x1000 - size)
        mmu_translate(cpu, (lin | 0xFFF) + 1, ACC_WRITE, user);
}

/* ------------------------------------------------------ public accessors */

uint32_t cpu_ld_linear_full(CPUState *cpu, uint32_t lin, unsigned size)
{
    return mmu_ld(cpu, lin, size, mmu_user(cpu));
}
void cpu_st_linear_full(CPUState *cpu, uint32_t lin, uint32_t val,
                        unsigned size)
{
    mmu_st(cpu, lin, val, size, mmu_user(cpu));
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

uint32_t cpu_ld_full(CPUState *cpu, int seg, uint32_t off, unsigned size)
{
    uint32_t lin = seg_linear(cpu, seg, off, size, ACC_READ);
    return mmu_ld(cpu, lin, size, mmu_user(cpu));
}

void cpu_st_full(CPUState *cpu, int seg, uint32_t off, uint32_t val,
                 unsigned size)
{
    uint32_t lin = seg_linear(cpu, seg, off, size, ACC_WRITE);
    mmu_st(cpu, lin, val, size, mmu_user(cpu));
}

void cpu_fetch_code(CPUState *cpu, uint32_t off, uint8_t *buf, unsigned len)
{
    int user = mmu_user(cpu);
    /* Whole range inside a usable, not expand-down CS and on one page the
     * TLB maps for fetching: what the byte loop below would read. */
    const SegCache *cs = &cpu->seg[SEG_CS];
    uint32_t last = off + len - 1;
    if (len && last >= off && last <= cs->limit &&
        !(cs->attr & SEG_ATTR_UNUSABLE) && (cs->attr & 0xC) != 0x4) {
        const uint8_t *p = mmu_tlb_ptr(cpu, cs->base + off, len, ACC_CODE, user);
        if (p) {
            memcpy(buf, p, len);
            return;
        }
    }
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

const uint8_t *mmu_code_ptr(CPUState *cpu, uint32_t lin)
{
    int user = mmu_user(cpu);
    uint8_t *p = mmu_lookup(cpu, lin, 1, ACC_CODE, user);
    if (p)
        return p;
    uint64_t pa;
    return mmu_fill(cpu, lin, ACC_CODE, user, &pa);
}
