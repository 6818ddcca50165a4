/*
 * memmap.c — guest physical address space: RAM, ROM and MMIO regions, the
 * PAM-routed 0xC0000-0xFFFFF window, bounds-checked device access and the
 * page-level fast path for the CPU. See memmap.h.
 *
 * Lookup order for an address: open SMRAM (0xA0000-0xBFFFF is then RAM),
 * MMIO/ROM regions (e.g. the VGA window at 0xA0000 or the BIOS at
 * 4 GB - size), then the PAM window
 * (routing per 16 KB chunk), then RAM, else unbacked (reads 0xFF).
 */
#include "machine/memmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "machine/log.h"

/* The routing of some physical range changed: tell the CPU (its TLB caches
 * host pointers). */
static void mem_map_bump(PhysMem *mem)
{
    mem->map_gen++;
    if (mem->map_changed)
        mem->map_changed(mem->map_opaque);
}

#define BIOS_ALIAS_BASE 0xE0000u
#define BIOS_ALIAS_SIZE 0x20000u

int mem_init(PhysMem *mem, uint64_t ram_size, struct Log *log)
{
    memset(mem, 0, sizeof(*mem));
    mem->log = log;
    ram_size = (ram_size + MEM_PAGE_SIZE - 1) & ~(uint64_t)(MEM_PAGE_SIZE - 1);
    if (ram_size == 0 || ram_size > (3ull << 30))
        return -EINVAL;
    void *p = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return -ENOMEM;
    mem->ram = p;
    mem->ram_size = ram_size;
    mem->page_flags = calloc(ram_size >> MEM_PAGE_SHIFT, 1);
    if (!mem->page_flags) {
        munmap(p, ram_size);
        mem->ram = NULL;
        return -ENOMEM;
    }
    mem_reset(mem);
    return 0;
}

void mem_fini(PhysMem *mem)
{
    if (mem->ram)
        munmap(mem->ram, mem->ram_size);
    free(mem->page_flags);
    mem->ram = NULL;
    mem->page_flags = NULL;
}

void mem_reset(PhysMem *mem)
{
    for (unsigned i = 0; i < MEM_PAM_CHUNKS; i++)
        mem->pam[i] = (PamRoute){false, false};
    mem->smram_open = false;
    mem_map_bump(mem);
}

void mem_set_smram_open(PhysMem *mem, bool open)
{
    if (mem->smram_open != open) {
        mem->smram_open = open;
        mem_map_bump(mem);
    }
}

#define SMRAM_BASE 0xA0000u
#define SMRAM_END 0xC0000u

/* pa is in the open compatible SMRAM and backed by RAM. */
static bool in_open_smram(const PhysMem *mem, uint64_t pa)
{
    return mem->smram_open && pa >= SMRAM_BASE && pa < SMRAM_END &&
           pa < mem->ram_size;
}

static int mem_add_region(PhysMem *mem, MemRegion r)
{
    if (r.len == 0 || r.base + r.len > MEM_PHYS_LIMIT || r.base + r.len < r.base)
        return -EINVAL;
    for (int i = 0; i < MEM_MAX_REGIONS; i++) {
        if (mem->regions[i].used)
            continue;
        r.used = true;
        mem->regions[i] = r;
        if (i >= mem->nregions)
            mem->nregions = i + 1;
        mem_map_bump(mem);
        return i;
    }
    return -ENOSPC;
}

int mem_map_rom(PhysMem *mem, uint64_t base, const uint8_t *data, uint64_t len,
                const char *name)
{
    return mem_add_region(mem, (MemRegion){.base = base, .len = len,
                                           .kind = MEM_REGION_ROM,
                                           .buf = (uint8_t *)data,
                                           .name = name});
}

int mem_map_ram(PhysMem *mem, uint64_t base, uint8_t *buf, uint64_t len,
                uint8_t *dirty, const char *name)
{
    return mem_add_region(mem, (MemRegion){.base = base, .len = len,
                                           .kind = MEM_REGION_RAM, .buf = buf,
                                           .dirty = dirty, .name = name});
}

int mem_map_mmio(PhysMem *mem, uint64_t base, uint64_t len, const IoOps *ops,
                 void *opaque, const char *name)
{
    return mem_add_region(mem, (MemRegion){.base = base, .len = len,
                                           .kind = MEM_REGION_MMIO, .ops = ops,
                                           .opaque = opaque, .name = name});
}

void mem_unmap(PhysMem *mem, int id)
{
    if (id < 0 || id >= MEM_MAX_REGIONS)
        return;
    mem->regions[id].used = false;
    mem_map_bump(mem);
}

int mem_move(PhysMem *mem, int id, uint64_t new_base)
{
    if (id < 0 || id >= MEM_MAX_REGIONS || !mem->regions[id].used)
        return -EINVAL;
    if (new_base + mem->regions[id].len > MEM_PHYS_LIMIT)
        return -EINVAL;
    mem->regions[id].base = new_base;
    mem_map_bump(mem);
    return 0;
}

int mem_set_bios(PhysMem *mem, const uint8_t *data, size_t size)
{
    if (size < MEM_PAGE_SIZE || size > (16u << 20) ||
        (size & (MEM_PAGE_SIZE - 1)))
        return -EINVAL;
    int id = mem_map_rom(mem, (1ull << 32) - size, data, size, "bios");
    if (id < 0)
        return id;
    mem->bios = data;
    mem->bios_size = size;
    return 0;
}

void mem_set_pam(PhysMem *mem, unsigned chunk, PamRoute route)
{
    if (chunk >= MEM_PAM_CHUNKS)
        return;
    if (mem->pam[chunk].read_ram != route.read_ram ||
        mem->pam[chunk].write_ram != route.write_ram) {
        mem->pam[chunk] = route;
        mem_map_bump(mem);
    }
}

static MemRegion *mem_find_region(PhysMem *mem, uint64_t pa)
{
    for (int i = 0; i < mem->nregions; i++) {
        MemRegion *r = &mem->regions[i];
        if (r->used && pa >= r->base && pa - r->base < r->len)
            return r;
    }
    return NULL;
}

static bool in_pam(uint64_t pa)
{
    return pa >= MEM_PAM_BASE && pa < 0x100000;
}

static const PamRoute *pam_route(const PhysMem *mem, uint64_t pa)
{
    return &mem->pam[(pa - MEM_PAM_BASE) >> 14];
}

/* ROM-side byte of the PAM window: the BIOS alias, else floating bus. */
static const uint8_t *pam_rom_ptr(const PhysMem *mem, uint64_t pa)
{
    size_t alias = mem->bios_size < BIOS_ALIAS_SIZE ? mem->bios_size
                                                    : BIOS_ALIAS_SIZE;
    uint64_t start = 0x100000 - alias;
    if (mem->bios && pa >= start)
        return mem->bios + mem->bios_size - (0x100000 - pa);
    return NULL;
}

/* Where a byte read at pa comes from: host pointer, MMIO region, or NULL
 * for floating bus. */
typedef struct MemTarget {
    uint8_t *ptr;        /* direct host byte (read-only for ROM) */
    MemRegion *mmio;     /* MMIO region */
    bool writable;       /* ptr may be written */
    bool valid;          /* address decodes to something */
} MemTarget;

static MemTarget mem_target(PhysMem *mem, uint64_t pa, bool write)
{
    MemTarget t = {0};
    MemRegion *r = in_open_smram(mem, pa) ? NULL : mem_find_region(mem, pa);
    if (r) {
        t.valid = true;
        if (r->kind == MEM_REGION_MMIO) {
            t.mmio = r;
        } else if (r->kind == MEM_REGION_RAM) {
            t.ptr = r->buf + (pa - r->base);
            t.writable = write;
            if (write && r->dirty)
                r->dirty[(pa - r->base) >> MEM_PAGE_SHIFT] = 1;
        } else if (!write) {
            t.ptr = r->buf + (pa - r->base);
        }
        return t;
    }
    if (in_pam(pa)) {
        const PamRoute *route = pam_route(mem, pa);
        t.valid = true;
        if (write ? route->write_ram : route->read_ram) {
            t.ptr = mem->ram + pa;
            t.writable = write;
        } else if (!write) {
            t.ptr = (uint8_t *)pam_rom_ptr(mem, pa);
        }
        return t;
    }
    if (pa < mem->ram_size) {
        t.valid = true;
        t.ptr = mem->ram + pa;
        t.writable = true;
    }
    return t;
}

static void mem_code_check(PhysMem *mem, uint64_t pa, size_t len)
{
    if (pa >= mem->ram_size)
        return;
    uint64_t end = pa + len;
    if (end > mem->ram_size)
        end = mem->ram_size;
    for (uint64_t p = pa & ~(uint64_t)(MEM_PAGE_SIZE - 1); p < end;
         p += MEM_PAGE_SIZE) {
        uint8_t *f = &mem->page_flags[p >> MEM_PAGE_SHIFT];
        *f |= MEM_PF_DIRTY;
        if ((*f & MEM_PF_CODE) && mem->code_write) {
            uint64_t s = p > pa ? p : pa;
            uint64_t e = p + MEM_PAGE_SIZE < end ? p + MEM_PAGE_SIZE : end;
            mem->code_write(mem->code_opaque, s, (unsigned)(e - s));
        }
    }
}

void mem_note_write(PhysMem *mem, uint64_t pa, size_t len)
{
    mem_code_check(mem, pa, len);
}

uint32_t mem_read_slow(PhysMem *mem, uint64_t pa, unsigned size)
{
    MemTarget t = mem_target(mem, pa, false);
    if (t.mmio && pa + size <= t.mmio->base + t.mmio->len) {
        const IoOps *ops = t.mmio->ops;
        if (!ops->read)
            return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
        unsigned max = ops->max_size ? ops->max_size : 4;
        if (size <= max) {
            uint32_t v = ops->read(t.mmio->opaque,
                                   (uint32_t)(pa - t.mmio->base), size);
            return size == 4 ? v : v & ((1u << (8 * size)) - 1);
        }
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint8_t b = 0xFF;
        MemTarget bt = i == 0 ? t : mem_target(mem, pa + i, false);
        if (bt.ptr)
            b = *bt.ptr;
        else if (bt.mmio && bt.mmio->ops->read)
            b = bt.mmio->ops->read(bt.mmio->opaque,
                                   (uint32_t)(pa + i - bt.mmio->base), 1);
        v |= (uint32_t)b << (8 * i);
    }
    return v;
}

void mem_write_slow(PhysMem *mem, uint64_t pa, uint32_t val, unsigned size)
{
    /* Plain RAM (e.g. a store to a code page): one copy, one check. */
    uint8_t *direct = mem_ram_ptr(mem, pa, size);
    if (direct) {
        memcpy(direct, &val, size);
        mem_code_check(mem, pa, size);
        return;
    }
    MemTarget t = mem_target(mem, pa, true);
    if (t.mmio && pa + size <= t.mmio->base + t.mmio->len) {
        const IoOps *ops = t.mmio->ops;
        unsigned max = ops->max_size ? ops->max_size : 4;
        if (size <= max) {
            if (ops->write)
                ops->write(t.mmio->opaque, (uint32_t)(pa - t.mmio->base), val,
                           size);
            return;
        }
    }
    for (unsigned i = 0; i < size; i++) {
        uint8_t b = (uint8_t)(val >> (8 * i));
        MemTarget bt = i == 0 ? t : mem_target(mem, pa + i, true);
        if (bt.ptr && bt.writable) {
            *bt.ptr = b;
            mem_code_check(mem, pa + i, 1);
        } else if (bt.mmio && bt.mmio->ops->write) {
            bt.mmio->ops->write(bt.mmio->opaque,
                                (uint32_t)(pa + i - bt.mmio->base), b, 1);
        }
    }
}

uint8_t *mem_page_ptr(PhysMem *mem, uint64_t pa, bool write)
{
    uint64_t page = pa & ~(uint64_t)(MEM_PAGE_SIZE - 1);
    /* A page is direct only if no region overlaps any of it. */
    for (int i = 0; i < mem->nregions && !in_open_smram(mem, page); i++) {
        MemRegion *r = &mem->regions[i];
        if (r->used && r->base < page + MEM_PAGE_SIZE &&
            page < r->base + r->len) {
            if (r->kind == MEM_REGION_MMIO || (write && r->kind == MEM_REGION_ROM) ||
                r->base > page || r->base + r->len < page + MEM_PAGE_SIZE)
                return NULL;
            if (write && r->dirty)
                r->dirty[(page - r->base) >> MEM_PAGE_SHIFT] = 1;
            return r->buf + (page - r->base);
        }
    }
    if (in_pam(page)) {
        const PamRoute *route = pam_route(mem, page);
        if (write) {
            uint8_t *f = &mem->page_flags[page >> MEM_PAGE_SHIFT];
            if (!route->write_ram || (*f & MEM_PF_CODE))
                return NULL;
            *f |= MEM_PF_WPTR;
            return mem->ram + page;
        }
        if (route->read_ram)
            return mem->ram + page;
        return (uint8_t *)pam_rom_ptr(mem, page);
    }
    if (page >= mem->ram_size)
        return NULL;
    if (write) {
        uint8_t *f = &mem->page_flags[page >> MEM_PAGE_SHIFT];
        if (*f & MEM_PF_CODE)
            return NULL;
        *f |= MEM_PF_DIRTY | MEM_PF_WPTR;
    }
    return mem->ram + page;
}

void mem_set_code_page(PhysMem *mem, uint64_t pa, bool on)
{
    if (pa >= mem->ram_size)
        return;
    uint8_t *f = &mem->page_flags[pa >> MEM_PAGE_SHIFT];
    if (on)
        *f |= MEM_PF_CODE;
    else
        *f &= (uint8_t)~MEM_PF_CODE;
}

int phys_read(PhysMem *mem, uint64_t pa, void *buf, size_t len)
{
    uint8_t *out = buf;
    int rc = 0;
    if (pa >= MEM_PHYS_LIMIT || len > MEM_PHYS_LIMIT - pa) {
        memset(buf, 0xFF, len);
        return -EFAULT;
    }
    while (len) {
        size_t chunk = MEM_PAGE_SIZE - (pa & (MEM_PAGE_SIZE - 1));
        if (chunk > len)
            chunk = len;
        uint8_t *direct = mem_ram_ptr(mem, pa, chunk);
        if (direct) {
            memcpy(out, direct, chunk);
        } else {
            for (size_t i = 0; i < chunk; i++) {
                MemTarget bt = mem_target(mem, pa + i, false);
                if (!bt.valid)
                    rc = -EFAULT;
                out[i] = bt.ptr ? *bt.ptr : (uint8_t)mem_read_slow(mem, pa + i, 1);
            }
        }
        out += chunk;
        pa += chunk;
        len -= chunk;
    }
    return rc;
}

int phys_write(PhysMem *mem, uint64_t pa, const void *buf, size_t len)
{
    const uint8_t *in = buf;
    int rc = 0;
    if (pa >= MEM_PHYS_LIMIT || len > MEM_PHYS_LIMIT - pa)
        return -EFAULT;
    while (len) {
        size_t chunk = MEM_PAGE_SIZE - (pa & (MEM_PAGE_SIZE - 1));
        if (chunk > len)
            chunk = len;
        uint8_t *direct = mem_ram_ptr(mem, pa, chunk);
        if (direct) {
            memcpy(direct, in, chunk);
            mem_code_check(mem, pa, chunk);
        } else {
            for (size_t i = 0; i < chunk; i++) {
                if (!mem_target(mem, pa + i, true).valid)
                    rc = -EFAULT;
                mem_write_slow(mem, pa + i, in[i], 1);
            }
        }
        in += chunk;
        pa += chunk;
        len -= chunk;
    }
    return rc;
}

void *mem_ram_ptr(PhysMem *mem, uint64_t pa, size_t len)
{
    if (pa >= mem->ram_size || len > mem->ram_size - pa)
        return NULL;
    if (pa < 0x100000 && pa + len > 0xA0000)
        return NULL;
    for (int i = 0; i < mem->nregions; i++) {
        MemRegion *r = &mem->regions[i];
        if (r->used && r->base < pa + len && pa < r->base + r->len)
            return NULL;
    }
    return mem->ram + pa;
}
