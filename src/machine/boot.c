/*
 * boot.c — multiboot v1 direct start (see boot.h).
 *
 * The kernel file is read once at VM creation and kept in vm->kernel_image;
 * every machine reset reloads it, so a guest reset re-runs the kernel.
 * Layout chosen here: the MBI at 0x9000, the command line and the memory
 * map right after it, all below 0xA0000 (never overlapping a kernel that
 * the specification requires to load at or above 1 MB... we check).
 */
#include "machine/boot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "frontend/cpu.h"

#define MB_SEARCH 8192
#define MB_FLAG_AOUT_KLUDGE (1u << 16)
#define MBI_ADDR 0x9000u
#define MBI_INFO_MEM (1u << 0)
#define MBI_INFO_CMDLINE (1u << 2)
#define MBI_INFO_MMAP (1u << 6)
#define MBI_INFO_LOADER_NAME (1u << 9)

static uint32_t rd32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

int boot_find_multiboot(const uint8_t *img, size_t len, size_t *hdr_off)
{
    size_t lim = len < MB_SEARCH ? len : MB_SEARCH;
    for (size_t off = 0; off + 12 <= lim; off += 4) {
        uint32_t magic = rd32(img + off), flags = rd32(img + off + 4);
        if (magic == MULTIBOOT_HEADER_MAGIC &&
            (uint32_t)(magic + flags + rd32(img + off + 8)) == 0) {
            *hdr_off = off;
            return 1;
        }
    }
    return 0;
}

/* Copy [src, src+n) of the file to guest physical `pa`, refusing ranges
 * outside RAM (a hostile ELF must not write anywhere else). */
static int load_bytes(VM *vm, uint32_t pa, const uint8_t *src, size_t n,
                      size_t memsz, char *err, size_t errlen)
{
    if ((uint64_t)pa + memsz > vm->mem.ram_size || memsz < n) {
        snprintf(err, errlen,
                 "-kernel: segment at %#x (+%#zx) does not fit in guest RAM",
                 pa, memsz);
        return -EINVAL;
    }
    if (phys_write(&vm->mem, pa, src, n))
        return -EFAULT;
    uint8_t zero[256] = {0};
    for (size_t done = n; done < memsz;) {
        size_t c = memsz - done < sizeof(zero) ? memsz - done : sizeof(zero);
        phys_write(&vm->mem, pa + (uint32_t)done, zero, c);
        done += c;
    }
    return 0;
}

static int load_elf(VM *vm, const uint8_t *img, size_t len, uint32_t *entry,
                    char *err, size_t errlen)
{
    if (len < 52 || img[4] != 1 || img[5] != 1 || rd16(img + 18) != 3) {
        snprintf(err, errlen, "-kernel: not a 32-bit little-endian i386 ELF");
        return -EINVAL;
    }
    uint32_t phoff = rd32(img + 28);
    uint16_t phentsize = rd16(img + 42), phnum = rd16(img + 44);
    if (phentsize < 32 || (uint64_t)phoff + (uint64_t)phnum * phentsize > len) {
        snprintf(err, errlen, "-kernel: corrupt ELF program headers");
        return -EINVAL;
    }
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + i * phentsize;
        if (rd32(ph) != 1) /* PT_LOAD */
            continue;
        uint32_t off = rd32(ph + 4), pa = rd32(ph + 12);
        uint32_t filesz = rd32(ph + 16), memsz = rd32(ph + 20);
        if ((uint64_t)off + filesz > len) {
            snprintf(err, errlen, "-kernel: ELF segment beyond end of file");
            return -EINVAL;
        }
        int rc = load_bytes(vm, pa, img + off, filesz, memsz, err, errlen);
        if (rc)
            return rc;
    }
    *entry = rd32(img + 24);
    return 0;
}

/* Multiboot spec 3.1.3: header fields 12-28 give the load addresses. */
static int load_aout(VM *vm, const uint8_t *img, size_t len, size_t hoff,
                     uint32_t *entry, char *err, size_t errlen)
{
    const uint8_t *h = img + hoff;
    if (hoff + 32 > len) {
        snprintf(err, errlen, "-kernel: truncated multiboot header");
        return -EINVAL;
    }
    uint32_t header_addr = rd32(h + 12), load_addr = rd32(h + 16);
    uint32_t load_end = rd32(h + 20), bss_end = rd32(h + 24);
    if (load_addr > header_addr || header_addr - load_addr > hoff) {
        snprintf(err, errlen, "-kernel: inconsistent multiboot addresses");
        return -EINVAL;
    }
    size_t file_start = hoff - (header_addr - load_addr);
    size_t n = load_end ? load_end - load_addr : len - file_start;
    if (load_end && load_end < load_addr)
        n = 0;
    if (file_start + n > len) {
        snprintf(err, errlen, "-kernel: image shorter than its header says");
        return -EINVAL;
    }
    size_t memsz = bss_end > load_addr + n ? bss_end - load_addr : n;
    *entry = rd32(h + 28);
    return load_bytes(vm, load_addr, img + file_start, n, memsz, err, errlen);
}

/* Build the MBI, command line and memory map at MBI_ADDR. */
static void build_mbi(VM *vm, const char *cmdline)
{
    uint8_t mbi[88] = {0};
    uint8_t mmap[2 * 24];
    uint64_t ram = vm->mem.ram_size;
    uint32_t cmd_addr = MBI_ADDR + sizeof(mbi);
    size_t cmd_len = strlen(cmdline ? cmdline : "") + 1;
    if (cmd_len > 4096)
        cmd_len = 4096;
    uint32_t mmap_addr = (cmd_addr + (uint32_t)cmd_len + 7) & ~7u;
    uint32_t name_addr = mmap_addr + sizeof(mmap);
    const char name[] = "x86bt";

    wr32(mbi + 0, MBI_INFO_MEM | MBI_INFO_CMDLINE | MBI_INFO_MMAP |
                      MBI_INFO_LOADER_NAME);
    wr32(mbi + 4, 639);
    wr32(mbi + 8, (uint32_t)((ram - 0x100000) >> 10));
    wr32(mbi + 16, cmd_addr);
    wr32(mbi + 44, sizeof(mmap));
    wr32(mbi + 48, mmap_addr);
    wr32(mbi + 64, name_addr);
    /* mmap entries: size(4) base(8) len(8) type(4); size excludes itself */
    const uint64_t ranges[2][2] = {{0, 0x9FC00}, {0x100000, ram - 0x100000}};
    for (int i = 0; i < 2; i++) {
        uint8_t *e = mmap + 24 * i;
        wr32(e, 20);
        wr32(e + 4, (uint32_t)ranges[i][0]);
        wr32(e + 8, (uint32_t)(ranges[i][0] >> 32));
        wr32(e + 12, (uint32_t)ranges[i][1]);
        wr32(e + 16, (uint32_t)(ranges[i][1] >> 32));
        wr32(e + 20, 1);
    }
    phys_write(&vm->mem, MBI_ADDR, mbi, sizeof(mbi));
    phys_write(&vm->mem, cmd_addr, cmdline ? cmdline : "", cmd_len - 1);
    phys_write(&vm->mem, cmd_addr + (uint32_t)cmd_len - 1, "", 1);
    phys_write(&vm->mem, mmap_addr, mmap, sizeof(mmap));
    phys_write(&vm->mem, name_addr, name, sizeof(name));
}

int boot_load_multiboot(VM *vm, const uint8_t *img, size_t len,
                        const char *cmdline, BootImage *out, char *err,
                        size_t errlen)
{
    size_t hoff;
    if (!boot_find_multiboot(img, len, &hoff)) {
        snprintf(err, errlen, "-kernel: no multiboot header found");
        return -EINVAL;
    }
    if (vm->mem.ram_size < (2u << 20)) {
        snprintf(err, errlen, "-kernel: need at least 2 MB of RAM");
        return -EINVAL;
    }
    uint32_t flags = rd32(img + hoff + 4), entry = 0;
    int rc = (flags & MB_FLAG_AOUT_KLUDGE)
                 ? load_aout(vm, img, len, hoff, &entry, err, errlen)
                 : load_elf(vm, img, len, &entry, err, errlen);
    if (rc)
        return rc;
    build_mbi(vm, cmdline);
    out->entry = entry;
    out->mbi_addr = MBI_ADDR;
    return 0;
}

int boot_multiboot_reset(VM *vm, char *err, size_t errlen)
{
    BootImage bi;
    int rc = boot_load_multiboot(vm, vm->kernel_image, vm->kernel_size,
                                 vm->cfg.append, &bi, err, errlen);
    if (rc)
        return rc;
    cpu_boot_flat32(vm->cpu, bi.entry, MULTIBOOT_BOOTLOADER_MAGIC,
                    bi.mbi_addr);
    return 0;
}
