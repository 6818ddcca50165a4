/*
 * ide_test.c — PIIX4 IDE with an ATA disk and an ATAPI CD-ROM: register
 * protocol, PIO and bus-master DMA transfers, and bad guest input.
 * References: ATA/ATAPI-6 (T13 1410D r3b), MMC-2, PIIX4 290562 3.2.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "devices/devices.h"
#include "devices/ide.h"
#include "idetest.h"
#include "testvm.h"

#define IDE PCI_DEVFN(1, 1)
#define BMBASE 0xC000
#define DISK_SECTORS 2048 /* 1 MB */
#define CD_BLOCKS 64

static VM *vm;
static IdeState *ide;
static char disk_path[64], cd_path[64];

static void setup(void)
{
    idetest_make_image(disk_path, "/tmp/x86bt-disk-XXXXXX", DISK_SECTORS, 512);
    idetest_make_image(cd_path, "/tmp/x86bt-cd-XXXXXX", CD_BLOCKS, 2048);
    vm = testvm_create(16);
    char arg[200];
    snprintf(arg, sizeof(arg), "hda=%s,cdrom=%s", disk_path, cd_path);
    ide = testvm_add(vm, &ide_device, arg);
    ck_assert_ptr_nonnull(ide);
    /* What SeaBIOS does: I/O + bus master, decode on, BAR4. */
    testvm_cfg_write(vm, IDE, 0x20, BMBASE | 1, 4);
    testvm_cfg_write(vm, IDE, 0x04, 0x0005, 2);
    testvm_cfg_write(vm, IDE, 0x40, 0x8000, 2);
    testvm_cfg_write(vm, IDE, 0x42, 0x8000, 2);
}

static void teardown(void)
{
    testvm_destroy(vm);
    unlink(disk_path);
    unlink(cd_path);
}

static uint8_t inb(uint16_t p) { return (uint8_t)io_read(&vm->io, p, 1); }
static uint16_t inw(uint16_t p) { return (uint16_t)io_read(&vm->io, p, 2); }
static void outb(uint16_t p, uint8_t v) { io_write(&vm->io, p, v, 1); }
static void outw(uint16_t p, uint16_t v) { io_write(&vm->io, p, v, 2); }
static void outl(uint16_t p, uint32_t v) { io_write(&vm->io, p, v, 4); }

static void lba28(uint16_t base, uint32_t lba, uint8_t count, unsigned dev)
{
    outb(base + 6, (uint8_t)(0xE0 | dev << 4 | (lba >> 24 & 0xF)));
    outb(base + 2, count);
    outb(base + 3, (uint8_t)lba);
    outb(base + 4, (uint8_t)(lba >> 8));
    outb(base + 5, (uint8_t)(lba >> 16));
}

START_TEST(test_identity_and_decode)
{
    /* 3.2: 8086:7111, class 010180 (legacy, bus master). */
    ck_assert_uint_eq(testvm_cfg_read(vm, IDE, 0, 4), 0x71118086);
    ck_assert_uint_eq(testvm_cfg_read(vm, IDE, 0x08, 4) >> 8, 0x010180);
    ck_assert_uint_eq(testvm_cfg_read(vm, IDE, 0x2C, 4), 0x197615AD);
    /* IDETIM bit 15 gates the legacy ports. */
    ck_assert_uint_eq(inb(0x1F7), 0x50);
    testvm_cfg_write(vm, IDE, 0x40, 0x0000, 2);
    ck_assert_uint_eq(inb(0x1F7), 0xFF);
    testvm_cfg_write(vm, IDE, 0x40, 0x8000, 2);
    /* Signatures (ATA-6 9.1): disk 01/01/00/00, ATAPI 01/01/14/EB. */
    ck_assert_uint_eq(inb(0x1F4), 0x00);
    ck_assert_uint_eq(inb(0x174), 0x14);
    ck_assert_uint_eq(inb(0x175), 0xEB);
    /* Absent slave on the primary channel reads 0. */
    outb(0x1F6, 0xB0);
    ck_assert_uint_eq(inb(0x1F7), 0x00);
}
END_TEST

START_TEST(test_identify)
{
    outb(0x1F6, 0xA0);
    outb(0x1F7, 0xEC);
    ck_assert_uint_eq(inb(0x1F7) & 0x08, 0x08); /* DRQ */
    ck_assert(!irq_level(&vm->irq, 14)); /* status read acknowledged */
    uint16_t w[256];
    for (int i = 0; i < 256; i++)
        w[i] = inw(0x1F0);
    ck_assert_uint_eq(inb(0x1F7), 0x50);
    /* 8.15: words 60-61 LBA28 capacity, 100-103 LBA48, 83 bit 10. */
    ck_assert_uint_eq(w[60] | (uint32_t)w[61] << 16, DISK_SECTORS);
    ck_assert_uint_eq(w[100], DISK_SECTORS);
    ck_assert_uint_eq(w[83] & 0x0400, 0x0400);
    ck_assert_uint_eq(w[49] & 0x0300, 0x0300);
    ck_assert_uint_eq(w[27] >> 8, 'x'); /* byte-swapped model string */
    /* IDENTIFY DEVICE on the CD aborts with the packet signature. */
    outb(0x176, 0xA0);
    outb(0x177, 0xEC);
    ck_assert_uint_eq(inb(0x177) & 0x01, 0x01);
    ck_assert_uint_eq(inb(0x171) & 0x04, 0x04);
    ck_assert_uint_eq(inb(0x175), 0xEB);
    /* IDENTIFY PACKET DEVICE: word 0 = 85C0h. */
    outb(0x177, 0xA1);
    ck_assert_uint_eq(inw(0x170), 0x85C0);
}
END_TEST

START_TEST(test_pio_read_write)
{
    lba28(0x1F0, 5, 2, 0);
    outb(0x1F7, 0x20);
    ck_assert(irq_level(&vm->irq, 14));
    ck_assert_uint_eq(inb(0x1F7), 0x58);
    uint16_t first = inw(0x1F0);
    ck_assert_uint_eq(first, 5);
    for (int i = 1; i < 256; i++)
        inw(0x1F0);
    ck_assert_uint_eq(inb(0x1F7) & 0x08, 0x08); /* second sector */
    ck_assert_uint_eq(inw(0x1F0), 6);
    for (int i = 1; i < 256; i++)
        inw(0x1F0);
    ck_assert_uint_eq(inb(0x1F7), 0x50);
    /* WRITE SECTORS (32-bit data accesses), then read back. */
    lba28(0x1F0, 9, 1, 0);
    outb(0x1F7, 0x30);
    ck_assert_uint_eq(inb(0x1F7) & 0x08, 0x08);
    for (int i = 0; i < 128; i++)
        outl(0x1F0, 0xA5A50000u | (uint32_t)i);
    ck_assert_uint_eq(inb(0x1F7), 0x50);
    lba28(0x1F0, 9, 1, 0);
    outb(0x1F7, 0x20);
    ck_assert_uint_eq(io_read(&vm->io, 0x1F0, 4), 0xA5A50000u);
    /* FLUSH CACHE -> fsync; completes without error. */
    for (int i = 1; i < 128; i++)
        io_read(&vm->io, 0x1F0, 4);
    outb(0x1F7, 0xE7);
    ck_assert_uint_eq(inb(0x1F7), 0x50);
}
END_TEST

START_TEST(test_lba48_and_multiple)
{
    /* READ SECTORS EXT: HOB bytes written first (ATA-6 6.20). */
    outb(0x1F6, 0x40);
    outb(0x1F2, 0);
    outb(0x1F2, 1);
    outb(0x1F3, 0);
    outb(0x1F3, 0x10); /* LBA 0x10 + hob 0 */
    outb(0x1F4, 0);
    outb(0x1F4, 0);
    outb(0x1F5, 0);
    outb(0x1F5, 0);
    outb(0x1F7, 0x24);
    ck_assert_uint_eq(inw(0x1F0), 0x10);
    /* HOB read-back through device control bit 7. */
    outb(0x3F6, 0x80);
    ck_assert_uint_eq(inb(0x1F2), 0);
    outb(0x3F6, 0x00);
    /* READ MULTIPLE before SET MULTIPLE aborts. */
    lba28(0x1F0, 0, 4, 0);
    outb(0x1F7, 0xC4);
    ck_assert_uint_eq(inb(0x1F7) & 0x01, 0x01);
    /* SET MULTIPLE 3 (not a power of two) aborts, 4 works. */
    outb(0x1F2, 3);
    outb(0x1F7, 0xC6);
    ck_assert_uint_eq(inb(0x1F1), 0x04);
    outb(0x1F2, 4);
    outb(0x1F7, 0xC6);
    ck_assert_uint_eq(inb(0x1F7), 0x50);
    lba28(0x1F0, 100, 8, 0);
    outb(0x1F7, 0xC4);
    /* One DRQ block is 4 sectors. */
    for (int i = 0; i < 4 * 256; i++)
        inw(0x1F0);
    ck_assert_uint_eq(inb(0x1F7) & 0x08, 0x08);
    ck_assert_uint_eq(inw(0x1F0), 104);
}
END_TEST

START_TEST(test_bad_ranges)
{
    /* Beyond the end (ATA-6 6.2: IDNF). */
    lba28(0x1F0, DISK_SECTORS - 1, 2, 0);
    outb(0x1F7, 0x20);
    ck_assert_uint_eq(inb(0x1F7) & 0x01, 0x01);
    ck_assert_uint_eq(inb(0x1F1) & 0x10, 0x10);
    /* Absurd LBA48 count (65536 sectors) at a huge LBA. */
    outb(0x1F6, 0x40);
    for (int r = 2; r <= 5; r++) {
        outb((uint16_t)(0x1F0 + r), 0xFF);
        outb((uint16_t)(0x1F0 + r), 0xFF);
    }
    outb(0x1F2, 0);
    outb(0x1F2, 0);
    outb(0x1F7, 0x25);
    ck_assert_uint_eq(inb(0x1F1) & 0x10, 0x10);
    /* Data port without DRQ: floats, no crash. */
    ck_assert_uint_eq(inw(0x1F0), 0xFFFF);
    outw(0x1F0, 0x1234);
    /* Unknown command aborts. */
    outb(0x1F7, 0xFE);
    ck_assert_uint_eq(inb(0x1F1), 0x04);
}
END_TEST

/* Write a PRD table entry. */
static void prd(uint32_t at, uint32_t addr, uint16_t count, bool eot)
{
    uint8_t e[8] = {(uint8_t)addr, (uint8_t)(addr >> 8),
                    (uint8_t)(addr >> 16), (uint8_t)(addr >> 24),
                    (uint8_t)count, (uint8_t)(count >> 8), 0,
                    eot ? 0x80 : 0};
    phys_write(&vm->mem, at, e, 8);
}

static void dma_read(uint32_t lba, uint8_t count, uint32_t table)
{
    outl(BMBASE + 4, table);
    outb(BMBASE + 2, 0x06); /* clear error, interrupt */
    lba28(0x1F0, lba, count, 0);
    outb(0x1F7, 0xC8);
    outb(BMBASE, 0x09); /* start, to memory */
}

START_TEST(test_dma_read_write)
{
    /* 290562 5.4: two PRD entries split one 3-sector read. */
    prd(0x1000, 0x20000, 1024, false);
    prd(0x1008, 0x30000, 512, true);
    dma_read(40, 3, 0x1000);
    ck_assert_uint_eq(inb(BMBASE + 2) & 0x07, 0x04); /* INTR, not active */
    ck_assert_uint_eq(inb(0x1F7), 0x50);
    ck_assert_uint_eq(vm->mem.ram[0x20000], 40);
    ck_assert_uint_eq(vm->mem.ram[0x20200], 41);
    ck_assert_uint_eq(vm->mem.ram[0x30000], 42);
    outb(BMBASE, 0x00);
    /* WRITE DMA from memory, read back by PIO. */
    memset(vm->mem.ram + 0x40000, 0x5A, 512);
    prd(0x1000, 0x40000, 512, true);
    outl(BMBASE + 4, 0x1000);
    lba28(0x1F0, 77, 1, 0);
    outb(0x1F7, 0xCA);
    outb(BMBASE, 0x01);
    ck_assert_uint_eq(inb(0x1F7), 0x50);
    outb(BMBASE, 0x00);
    lba28(0x1F0, 77, 1, 0);
    outb(0x1F7, 0x20);
    ck_assert_uint_eq(inw(0x1F0), 0x5A5A);
}
END_TEST

START_TEST(test_dma_bad_input)
{
    /* PRD pointing beyond RAM: BM error, ATA abort, host untouched. */
    prd(0x1000, 0x7FFF0000, 512, true);
    dma_read(0, 1, 0x1000);
    ck_assert_uint_eq(inb(BMBASE + 2) & 0x02, 0x02);
    ck_assert_uint_eq(inb(0x1F7) & 0x01, 0x01);
    outb(BMBASE, 0);
    /* PRD table itself outside RAM. */
    dma_read(0, 1, 0xFFFFF000);
    ck_assert_uint_eq(inb(BMBASE + 2) & 0x02, 0x02);
    outb(BMBASE, 0);
    /* A table with no EOT that "loops" over the same tiny buffer: all
     * entries of 2 bytes, 64 KB of descriptors -> cut at 8192 entries. */
    for (uint32_t i = 0; i < 8192; i++)
        prd(0x100000 + 8 * i, 0x20000, 2, false);
    dma_read(0, 255, 0x100000);
    ck_assert_uint_eq(inb(BMBASE + 2) & 0x02, 0x02);
    ck_assert_uint_eq(inb(0x1F7) & 0x01, 0x01);
    outb(BMBASE, 0);
    /* PRD shorter than the transfer: error. */
    prd(0x1000, 0x20000, 512, true);
    dma_read(0, 2, 0x1000);
    ck_assert_uint_eq(inb(BMBASE + 2) & 0x02, 0x02);
    outb(BMBASE, 0);
    /* Device still works afterwards. */
    prd(0x1000, 0x20000, 512, true);
    dma_read(3, 1, 0x1000);
    ck_assert_uint_eq(inb(BMBASE + 2) & 0x07, 0x04);
    ck_assert_uint_eq(vm->mem.ram[0x20000], 3);
}
END_TEST

START_TEST(test_srst)
{
    lba28(0x1F0, 5, 1, 0);
    outb(0x1F7, 0x20);
    outb(0x3F6, 0x04);
    outb(0x3F6, 0x00);
    /* 9.2: signature and diagnostic code 01h, DRQ gone. */
    ck_assert_uint_eq(inb(0x1F7), 0x50);
    ck_assert_uint_eq(inb(0x1F1), 0x01);
    ck_assert_uint_eq(inb(0x1F2), 0x01);
    ck_assert_uint_eq(inb(0x1F3), 0x01);
    /* nIEN masks INTRQ. */
    outb(0x3F6, 0x02);
    outb(0x1F7, 0xE7);
    ck_assert(!irq_level(&vm->irq, 14));
}
END_TEST

/* Send a 12-byte packet to the secondary master; byte limit `limit`. */
static void packet(const uint8_t *cdb, uint16_t limit)
{
    outb(0x176, 0xA0);
    outb(0x171, 0);
    outb(0x174, (uint8_t)limit);
    outb(0x175, (uint8_t)(limit >> 8));
    outb(0x177, 0xA0);
    ck_assert_uint_eq(inb(0x172), ATAPI_IR_COD);
    for (int i = 0; i < 12; i += 2)
        outw(0x170, (uint16_t)(cdb[i] | cdb[i + 1] << 8));
}

static uint8_t sense_key(void)
{
    uint8_t cdb[12] = {0x03, 0, 0, 0, 18};
    packet(cdb, 18);
    uint8_t s[18];
    for (int i = 0; i < 18; i += 2) {
        uint16_t w = inw(0x170);
        s[i] = (uint8_t)w;
        s[i + 1] = (uint8_t)(w >> 8);
    }
    return s[2];
}

START_TEST(test_atapi_unit_attention_and_read)
{
    uint8_t tur[12] = {0};
    /* First command after media insertion: UNIT ATTENTION (MMC-2). */
    packet(tur, 0);
    ck_assert_uint_eq(inb(0x177) & 0x01, 0x01);
    ck_assert_uint_eq(inb(0x171) >> 4, 0x06);
    ck_assert_uint_eq(sense_key(), 0x06);
    packet(tur, 0);
    ck_assert_uint_eq(inb(0x177), 0x50);
    ck_assert_uint_eq(inb(0x172), 0x03); /* I/O + C/D: completion */
    /* READ CAPACITY: last LBA 63, 2048-byte blocks. */
    uint8_t cap[12] = {0x25};
    packet(cap, 8);
    ck_assert_uint_eq(inb(0x172), ATAPI_IR_IO);
    uint16_t w0 = inw(0x170), w1 = inw(0x170);
    ck_assert_uint_eq(w1, 0x3F00);
    ck_assert_uint_eq(w0, 0);
    inw(0x170);
    inw(0x170);
    /* READ(10) of 2 blocks at LBA 10 with a 1000-byte limit: chunks. */
    uint8_t rd[12] = {0x28, 0, 0, 0, 0, 10, 0, 0, 2};
    packet(rd, 1000);
    unsigned total = 0, chunks = 0;
    uint8_t first[2];
    while (inb(0x177) & 0x08) {
        unsigned n = inb(0x174) | inb(0x175) << 8;
        ck_assert_uint_le(n, 1000);
        for (unsigned i = 0; i < n; i += 2) {
            uint16_t w = inw(0x170);
            if (total + i == 2048) {
                first[0] = (uint8_t)w;
                first[1] = (uint8_t)(w >> 8);
            }
        }
        total += n;
        chunks++;
    }
    ck_assert_uint_eq(total, 4096);
    ck_assert_uint_ge(chunks, 5);
    ck_assert_uint_eq(first[0], 11);
    ck_assert_uint_eq(inb(0x172), 0x03);
    /* READ beyond the medium: ILLEGAL REQUEST / LBA out of range. */
    uint8_t bad[12] = {0x28, 0, 0xFF, 0xFF, 0xFF, 0xF0, 0, 0xFF, 0xFF};
    packet(bad, 2048);
    ck_assert_uint_eq(inb(0x171) >> 4, 0x05);
}
END_TEST

START_TEST(test_atapi_toc_config_eject)
{
    uint8_t tur[12] = {0};
    packet(tur, 0); /* eat the unit attention */
    /* READ TOC format 0: track 1 and lead-out at 64 blocks. */
    uint8_t toc[12] = {0x43, 0, 0, 0, 0, 0, 0, 0, 20};
    packet(toc, 20);
    uint8_t b[20];
    for (int i = 0; i < 20; i += 2) {
        uint16_t w = inw(0x170);
        b[i] = (uint8_t)w;
        b[i + 1] = (uint8_t)(w >> 8);
    }
    ck_assert_uint_eq(b[1], 18);
    ck_assert_uint_eq(b[14], 0xAA);
    ck_assert_uint_eq(b[19], CD_BLOCKS);
    /* GET CONFIGURATION: current profile CD-ROM (0008h). */
    uint8_t gc[12] = {0x46, 0, 0, 0, 0, 0, 0, 0, 8};
    packet(gc, 8);
    inw(0x170);
    inw(0x170);
    inw(0x170);
    ck_assert_uint_eq(inw(0x170), 0x0800);
    /* PREVENT then eject: refused; ALLOW then eject: no medium. */
    uint8_t prevent[12] = {0x1E, 0, 0, 0, 1};
    packet(prevent, 0);
    uint8_t eject[12] = {0x1B, 0, 0, 0, 0x02};
    packet(eject, 0);
    ck_assert_uint_eq(inb(0x171) >> 4, 0x05);
    prevent[4] = 0;
    packet(prevent, 0);
    packet(eject, 0);
    ck_assert_uint_eq(inb(0x177), 0x50);
    packet(tur, 0);
    ck_assert_uint_eq(inb(0x171) >> 4, 0x02); /* NOT READY */
    /* Insert again: unit attention, then ready. */
    ck_assert_int_eq(ide_cdrom_change(ide, 1, 0, cd_path), 0);
    packet(tur, 0);
    ck_assert_uint_eq(inb(0x171) >> 4, 0x06);
    packet(tur, 0);
    ck_assert_uint_eq(inb(0x177), 0x50);
    /* Unknown opcode: ILLEGAL REQUEST. */
    uint8_t junk[12] = {0xEE};
    packet(junk, 0);
    ck_assert_uint_eq(inb(0x171) >> 4, 0x05);
}
END_TEST

START_TEST(test_atapi_dma)
{
    uint8_t tur[12] = {0};
    packet(tur, 0);
    prd(0x1000, 0x50000, 2048, true);
    outl(BMBASE + 8 + 4, 0x1000);
    uint8_t rd[12] = {0x28, 0, 0, 0, 0, 7, 0, 0, 1};
    outb(0x176, 0xA0);
    outb(0x171, 0x01); /* DMA */
    outb(0x177, 0xA0);
    for (int i = 0; i < 12; i += 2)
        outw(0x170, (uint16_t)(rd[i] | rd[i + 1] << 8));
    outb(BMBASE + 8, 0x09);
    ck_assert_uint_eq(inb(BMBASE + 10) & 0x07, 0x04);
    ck_assert_uint_eq(vm->mem.ram[0x50000], 7);
    ck_assert_uint_eq(inb(0x177), 0x50);
}
END_TEST

START_TEST(test_bad_args)
{
    ck_assert_ptr_null(vm_add_device(vm, &ide_device, "hdz=/tmp/x"));
    ck_assert_ptr_null(vm_add_device(vm, &ide_device, "hda=/nonexistent"));
}
END_TEST

static Suite *ide_suite(void)
{
    Suite *s = suite_create("ide");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_identity_and_decode);
    tcase_add_test(tc, test_identify);
    tcase_add_test(tc, test_pio_read_write);
    tcase_add_test(tc, test_lba48_and_multiple);
    tcase_add_test(tc, test_bad_ranges);
    tcase_add_test(tc, test_dma_read_write);
    tcase_add_test(tc, test_dma_bad_input);
    tcase_add_test(tc, test_srst);
    tcase_add_test(tc, test_atapi_unit_attention_and_read);
    tcase_add_test(tc, test_atapi_toc_config_eject);
    tcase_add_test(tc, test_atapi_dma);
    tcase_add_test(tc, test_bad_args);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ide_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
