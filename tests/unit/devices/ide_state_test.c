/*
 * ide_state_test.c — PIIX4 IDE save state: a VM stopped in the middle of
 * an ATA READ MULTIPLE (ATA/ATAPI-6 section 8.30, DRQ data blocks) on the
 * primary channel and an ATAPI READ(10) PIO data phase (section 9.9,
 * byte count limit per DRQ) on the secondary is saved and loaded into a
 * fresh VM with the same images; both must then answer the same status,
 * data and bus-master registers, the loaded VM's PCI decode and bus-master
 * BAR (PIIX4 290562 section 3.2) must be live, and a corrupted image must
 * be tamed rather than overflow the PIO window.
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
#define DISK_SECTORS 2048
#define CD_BLOCKS 64

static char disk_path[64], cd_path[64];

static VM *make_vm(void)
{
    VM *vm = testvm_create(16);
    char arg[200];
    snprintf(arg, sizeof(arg), "hda=%s,cdrom=%s", disk_path, cd_path);
    ck_assert_ptr_nonnull(testvm_add(vm, &ide_device, arg));
    return vm;
}

static void setup(void)
{
    idetest_make_image(disk_path, "/tmp/x86bt-sdisk-XXXXXX", DISK_SECTORS, 512);
    idetest_make_image(cd_path, "/tmp/x86bt-scd-XXXXXX", CD_BLOCKS, 2048);
}

static void teardown(void)
{
    unlink(disk_path);
    unlink(cd_path);
}

static uint8_t inb(VM *vm, uint16_t p) { return (uint8_t)io_read(&vm->io, p, 1); }
static uint16_t inw(VM *vm, uint16_t p) { return (uint16_t)io_read(&vm->io, p, 2); }
static void outb(VM *vm, uint16_t p, uint8_t v) { io_write(&vm->io, p, v, 1); }
static void outw(VM *vm, uint16_t p, uint16_t v) { io_write(&vm->io, p, v, 2); }

static IdeState *ide_of(VM *vm)
{
    return vm_find_device(vm, &ide_device);
}

/* SeaBIOS's programming: I/O + bus master, both channels decoding, BAR4. */
static void bios_setup(VM *vm)
{
    testvm_cfg_write(vm, IDE, 0x20, BMBASE | 1, 4);
    testvm_cfg_write(vm, IDE, 0x04, 0x0005, 2);
    testvm_cfg_write(vm, IDE, 0x40, 0x8000, 2);
    testvm_cfg_write(vm, IDE, 0x42, 0x8000, 2);
}

static void packet(VM *vm, const uint8_t cdb[12], uint16_t limit)
{
    outb(vm, 0x176, 0xA0);
    outb(vm, 0x171, 0);
    outb(vm, 0x174, (uint8_t)limit);
    outb(vm, 0x175, (uint8_t)(limit >> 8));
    outb(vm, 0x177, 0xA0);
    for (int i = 0; i < 12; i += 2)
        outw(vm, 0x170, (uint16_t)(cdb[i] | cdb[i + 1] << 8));
}

/* Leave both channels in the middle of a PIO data transfer. */
static void make_busy(VM *vm)
{
    outb(vm, 0x1F6, 0xA0);
    outb(vm, 0x1F2, 4);
    outb(vm, 0x1F7, 0xC6); /* SET MULTIPLE 4 */
    ck_assert_uint_eq(inb(vm, 0x1F7), 0x50);
    outb(vm, 0x1F6, 0xE0);
    outb(vm, 0x1F2, 8);
    outb(vm, 0x1F3, 100);
    outb(vm, 0x1F4, 0);
    outb(vm, 0x1F5, 0);
    outb(vm, 0x1F7, 0xC4); /* READ MULTIPLE 8 at LBA 100 */
    for (int i = 0; i < 300; i++)
        inw(vm, 0x1F0);
    static const uint8_t tur[12] = {0};
    packet(vm, tur, 0); /* consumes the media-change UNIT ATTENTION */
    inb(vm, 0x177);
    static const uint8_t rd[12] = {0x28, 0, 0, 0, 0, 10, 0, 0, 2};
    packet(vm, rd, 1000);
    for (int i = 0; i < 100; i++)
        inw(vm, 0x170);
    io_write(&vm->io, BMBASE + 12, 0x5000, 4); /* secondary PRD address */
}

static VM *save_and_load(VM *from)
{
    VM *to = make_vm();
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    Device *src = &from->devices[0], *dst = &to->devices[0];
    ck_assert_int_eq(device_save(src, f), 0);
    rewind(f);
    ck_assert_int_eq(device_load(dst, f), 0);
    fclose(f);
    return to;
}

START_TEST(test_round_trip_mid_transfer)
{
    VM *a = make_vm();
    bios_setup(a);
    make_busy(a);
    ck_assert(irq_level(&a->irq, 14)); /* READ MULTIPLE block ready */
    VM *b = save_and_load(a);
    /* Config space, decode and the bus-master BAR came along. */
    for (unsigned off = 0; off < 0x48; off += 4)
        ck_assert_uint_eq(testvm_cfg_read(b, IDE, off, 4),
                          testvm_cfg_read(a, IDE, off, 4));
    ck_assert_uint_eq(io_read(&b->io, BMBASE + 12, 4), 0x5000);
    ck_assert(irq_level(&b->irq, 14));
    ck_assert(!irq_level(&b->irq, 15) == !irq_level(&a->irq, 15));
    /* The rest of both transfers is identical, word by word. */
    for (unsigned ch = 0; ch < 2; ch++) {
        uint16_t base = ch ? 0x170 : 0x1F0;
        unsigned words = 0;
        for (unsigned guard = 0; guard < 8192; guard++) {
            uint8_t st = inb(a, base + 7);
            ck_assert_uint_eq(inb(b, base + 7), st);
            if (!(st & IDE_ST_DRQ))
                break;
            ck_assert_uint_eq(inb(b, base + 2), inb(a, base + 2));
            ck_assert_uint_eq(inb(b, base + 4), inb(a, base + 4));
            ck_assert_uint_eq(inw(b, base), inw(a, base));
            words++;
        }
        ck_assert_uint_gt(words, 100);
        ck_assert_uint_eq(inb(b, base + 7), 0x50);
    }
    /* The loaded VM runs a bus-master DMA read (PIIX4 5.4). */
    uint8_t prd[8] = {0x00, 0x00, 0x02, 0x00, 0x00, 0x02, 0x00, 0x80};
    phys_write(&b->mem, 0x1000, prd, sizeof(prd)); /* 0x20000, 512, EOT */
    io_write(&b->io, BMBASE + 4, 0x1000, 4);
    outb(b, 0x1F6, 0xE0);
    outb(b, 0x1F2, 1);
    outb(b, 0x1F3, 40);
    outb(b, 0x1F7, 0xC8);
    outb(b, BMBASE, 0x09);
    ck_assert_uint_eq(inb(b, 0x1F7), 0x50);
    ck_assert_uint_eq(b->mem.ram[0x20000], 40);
    testvm_destroy(b);
    testvm_destroy(a);
}
END_TEST

START_TEST(test_corrupt_image_is_tamed)
{
    /* Out-of-range indexes and enums in an image: loading clamps them,
     * and the guest's data-port accesses stay inside the PIO window. */
    VM *a = make_vm();
    bios_setup(a);
    IdeState *s = ide_of(a);
    IdeDrive *d = &s->ch[0].drive[0];
    d->status = IDE_ST_DRDY | IDE_ST_DRQ;
    d->pos = IDE_BUF_SIZE - 2;
    d->end = 0xFFFFFFF0u;
    d->xfer = (IdeXfer)77;
    d->dma = (IdeDma)9;
    d->block = 5000;
    d->remaining = 3;
    s->ch[0].cur = 6;
    IdeDrive *c = &s->ch[1].drive[0];
    c->status = IDE_ST_DRDY | IDE_ST_DRQ;
    c->pos = 10;
    c->end = 20;
    c->atapi_len = 0xFFFFFF00u;
    c->xfer = IDE_XFER_ATAPI_DATA;
    VM *b = save_and_load(a);
    IdeState *t = ide_of(b);
    ck_assert_uint_le(t->ch[0].drive[0].end, IDE_BUF_SIZE);
    ck_assert_uint_le(t->ch[0].drive[0].pos, t->ch[0].drive[0].end);
    ck_assert_uint_le(t->ch[0].drive[0].xfer, IDE_XFER_ATAPI_DATA);
    ck_assert_uint_le(t->ch[0].drive[0].dma, IDE_DMA_ATAPI);
    ck_assert_uint_le(t->ch[0].drive[0].block, IDE_MAX_MULT);
    ck_assert_uint_le(t->ch[0].cur, 1);
    ck_assert_uint_le(t->ch[1].drive[0].pos + t->ch[1].drive[0].atapi_len,
                      IDE_BUF_SIZE);
    for (int i = 0; i < 40000; i++) {
        inw(b, 0x1F0);
        inw(b, 0x170);
        outw(b, 0x1F0, 0x1234);
    }
    /* A truncated image is refused. */
    FILE *f = tmpfile();
    ck_assert_int_eq(device_save(&a->devices[0], f), 0);
    fflush(f);
    long len = ftell(f);
    ck_assert_int_eq(ftruncate(fileno(f), len / 2), 0);
    rewind(f);
    ck_assert_int_ne(device_load(&b->devices[0], f), 0);
    fclose(f);
    testvm_destroy(b);
    testvm_destroy(a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ide_state");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_round_trip_mid_transfer);
    tcase_add_test(tc, test_corrupt_image_is_tamed);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
