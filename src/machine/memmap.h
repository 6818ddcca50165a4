/*
 * memmap.h — guest physical address space.
 *
 * Guest RAM is one host mapping. On top of it:
 *  - ROM regions (read-only host buffers, e.g. the BIOS at 4 GB - size),
 *  - MMIO regions dispatched through IoOps,
 *  - 0xA0000-0xBFFFF: RAM instead of its regions while SMRAM is open,
 *  - the legacy 0xC0000-0xFFFFF window, 16 chunks of 16 KB whose read and
 *    write routing (RAM or ROM/PCI) is switched by the chipset's PAM
 *    registers; "ROM" there means the BIOS alias (the last 128 KB of the BIOS
 *    image appears at 0xE0000-0xFFFFF) and reads of unbacked space give 0xFF,
 *  - per-page flags used by the CPU: pages holding translated code are write
 *    tracked so that stores invalidate translations.
 * Devices touch guest memory only through phys_read/phys_write (bounds
 * checked: out-of-range returns -EFAULT and never touches host memory) or
 * mem_ram_ptr(), which checks a whole range once.
 */
#ifndef X86BT_MEMMAP_H
#define X86BT_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/ioops.h"

#define MEM_PAGE_SHIFT 12
#define MEM_PAGE_SIZE (1u << MEM_PAGE_SHIFT)
#define MEM_MAX_REGIONS 64
#define MEM_PAM_BASE 0xC0000u
#define MEM_PAM_CHUNKS 16 /* 16 KB each, 0xC0000-0xFFFFF */
#define MEM_PHYS_LIMIT (1ull << 36) /* PAE: 36-bit physical addresses */

/* Per-page flags (mem->page_flags, one byte per RAM page). */
enum {
    MEM_PF_CODE = 1 << 0, /* translated code lives here: writes must notify */
    MEM_PF_DIRTY = 1 << 1, /* written since last dirty-log reset */
    /* mem_page_ptr() handed out a write pointer for this page since the
     * flag was last cleared: a CPU TLB may hold a fast write entry for it
     * (cleared by mmu_protect_code_page() once it dropped them). */
    MEM_PF_WPTR = 1 << 2,
};

typedef enum MemRegionKind {
    MEM_REGION_ROM,  /* read-only host buffer; writes ignored */
    MEM_REGION_RAM,  /* writable host buffer (e.g. a framebuffer) */
    MEM_REGION_MMIO, /* dispatched through IoOps */
} MemRegionKind;

typedef struct MemRegion {
    uint64_t base, len;
    MemRegionKind kind;
    uint8_t *buf;        /* MEM_REGION_ROM / MEM_REGION_RAM */
    uint8_t *dirty;      /* MEM_REGION_RAM: optional per-page dirty bytes */
    const IoOps *ops;    /* MEM_REGION_MMIO */
    void *opaque;
    const char *name;
    bool used;
} MemRegion;

typedef struct PamRoute {
    bool read_ram;  /* reads come from RAM (else ROM alias / 0xFF) */
    bool write_ram; /* writes go to RAM (else discarded) */
} PamRoute;

typedef struct PhysMem {
    uint8_t *ram;
    uint64_t ram_size;        /* bytes, multiple of 4 KB */
    uint8_t *page_flags;      /* ram_size >> 12 entries */
    MemRegion regions[MEM_MAX_REGIONS];
    int nregions;             /* 1 + highest index ever used (loop bound) */
    PamRoute pam[MEM_PAM_CHUNKS];
    /* The host bridge opened its compatible SMRAM (82443BX SMRAMC
     * G_SMRAME with D_OPEN): 0xA0000-0xBFFFF is RAM, not the regions
     * (VGA) mapped there. */
    bool smram_open;
    const uint8_t *bios;      /* BIOS image (also mapped as a ROM region) */
    size_t bios_size;
    /* Memory-map generation: bumped whenever routing changes so that the
     * CPU can flush cached translations of physical pages (its TLB). */
    uint32_t map_gen;
    /* Called after every map_gen change (the CPU flushes its TLB). */
    void (*map_changed)(void *opaque);
    void *map_opaque;
    /* Called on a write to a MEM_PF_CODE page (by phys_write and by the
     * CPU's slow store path); set by the code cache. */
    void (*code_write)(void *opaque, uint64_t pa, unsigned len);
    void *code_opaque;
    struct Log *log;
} PhysMem;

/* Allocate ram_size bytes of guest RAM (rounded up to 4 KB). 0 or -ENOMEM. */
int mem_init(PhysMem *mem, uint64_t ram_size, struct Log *log);
void mem_fini(PhysMem *mem);
/* Reset PAM routing to power-on state: reads and writes go to ROM/PCI. */
void mem_reset(PhysMem *mem);

/* Map a ROM image at [base, base+len); the buffer stays owned by caller. */
int mem_map_rom(PhysMem *mem, uint64_t base, const uint8_t *data, uint64_t len,
                const char *name);
/* Map a writable host buffer (framebuffer); if dirty is non-NULL, it has
 * one byte per 4 KB page, set to 1 on every write (display refresh). */
int mem_map_ram(PhysMem *mem, uint64_t base, uint8_t *buf, uint64_t len,
                uint8_t *dirty, const char *name);
int mem_map_mmio(PhysMem *mem, uint64_t base, uint64_t len, const IoOps *ops,
                 void *opaque, const char *name);
void mem_unmap(PhysMem *mem, int id);
int mem_move(PhysMem *mem, int id, uint64_t new_base);
/* Install the BIOS: mapped at 4 GB - size, last 128 KB aliased below 1 MB. */
int mem_set_bios(PhysMem *mem, const uint8_t *data, size_t size);
/* PAM routing for chunk 0..15 (0xC0000 + 16 KB * chunk). */
void mem_set_pam(PhysMem *mem, unsigned chunk, PamRoute route);

/* Route 0xA0000-0xBFFFF to RAM (open) or to what is mapped there, as a
 * host bridge's SMRAM control says. */
void mem_set_smram_open(PhysMem *mem, bool open);

/* Device access: bounds-checked. 0 on success, -EFAULT if any byte of the
 * range is outside RAM/ROM/MMIO (the in-range part is still performed for
 * reads of unbacked space, which return 0xFF like a floating bus). */
int phys_read(PhysMem *mem, uint64_t pa, void *buf, size_t len);
int phys_write(PhysMem *mem, uint64_t pa, const void *buf, size_t len);
/* Host pointer to [pa, pa+len) if it is all plain RAM (no PAM window
 * shadow-ROM routing, no MMIO), else NULL. Writes through the pointer must
 * be followed by mem_note_write(). */
void *mem_ram_ptr(PhysMem *mem, uint64_t pa, size_t len);
void mem_note_write(PhysMem *mem, uint64_t pa, size_t len);

/* CPU fast path: host pointer to the start of the 4 KB page containing pa,
 * for direct reads (write=false) or writes (write=true); NULL if the page
 * needs the slow path (MMIO, ROM on write, PAM routing, code page on write
 * when track_code). */
uint8_t *mem_page_ptr(PhysMem *mem, uint64_t pa, bool write);
/* CPU slow path: one access of 1, 2 or 4 bytes (may be MMIO). */
uint32_t mem_read_slow(PhysMem *mem, uint64_t pa, unsigned size);
void mem_write_slow(PhysMem *mem, uint64_t pa, uint32_t val, unsigned size);

/* Code-page tracking for the translation cache. */
void mem_set_code_page(PhysMem *mem, uint64_t pa, bool on);
static inline bool mem_is_ram(const PhysMem *mem, uint64_t pa)
{
    return pa < mem->ram_size;
}

#endif
