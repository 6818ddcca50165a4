/*
 * boot.h — direct kernel loading without the BIOS path: multiboot v1
 * kernels (ELF32 or a.out-kludge images) are placed in RAM with a
 * Multiboot Information structure and the CPU starts at their entry in
 * flat 32-bit protected mode, as the Multiboot Specification 0.6.96
 * section 3.2 describes.
 */
#ifndef X86BT_BOOT_H
#define X86BT_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "machine/vm.h"

#define MULTIBOOT_HEADER_MAGIC 0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

typedef struct BootImage {
    uint32_t entry;
    uint32_t mbi_addr;
} BootImage;

/* Is this file image a multiboot v1 kernel? (header in first 8 KB) */
int boot_find_multiboot(const uint8_t *img, size_t len, size_t *hdr_off);
/* Load a multiboot kernel into guest RAM; fill *out. 0, or -errno with a
 * one-line reason in err. Touches guest RAM only through phys_write. */
int boot_load_multiboot(VM *vm, const uint8_t *img, size_t len,
                        const char *cmdline, BootImage *out, char *err,
                        size_t errlen);
/* Called after every machine reset when -kernel names a multiboot
 * kernel: reload it and start the CPU at its entry point. */
int boot_multiboot_reset(VM *vm, char *err, size_t errlen);

#endif
