/*
 * fdc_test.c — 82077AA through ports 0x3F0-0x3F7 with DMA channel 2 and a
 * 1.44 MB image (Intel 82077AA datasheet 290166-007, "Command set",
 * "Status registers", "Reset").
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices/devices.h"
#include "devices/fdc.h"
#include "devtest.h"

#define IMG_SIZE 1474560
#define EXEC_NS 200000

static VM *vm;
static FdcState *fdc;
static char img_path[64];

/* Sector n of the image is filled with n & 0xFF, first byte n >> 8. */
static void make_image(void)
{
    strcpy(img_path, "/tmp/x86bt-fdc-XXXXXX");
    int fd = mkstemp(img_path);
    ck_assert_int_ge(fd, 0);
    uint8_t sec[512];
    for (unsigned n = 0; n < IMG_SIZE / 512; n++) {
        memset(sec, n & 0xFF, sizeof(sec));
        sec[0] = (uint8_t)(n >> 8);
        ck_assert_int_eq(write(fd, sec, 512), 512);
    }
    close(fd);
}

static uint8_t msr(void)
{
    return inb(vm, 0x3F4);
}

static void cmd(const uint8_t *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        ck_assert_msg((msr() & 0xC0) == 0x80, "FIFO not ready for command");
        outb(vm, 0x3F5, b[i]);
    }
}

static uint8_t res(void)
{
    ck_assert_msg((msr() & 0xC0) == 0xC0, "no result byte");
    return inb(vm, 0x3F5);
}

static void sense_int(uint8_t st0, uint8_t pcn)
{
    static const uint8_t c = 0x08;
    cmd(&c, 1);
    ck_assert_uint_eq(res(), st0);
    ck_assert_uint_eq(res(), pcn);
}

/* A VM with the DMA pair and the FDC on img_path, out of reset. */
static void fdc_open(void)
{
    vm = devtest_vm();
    ck_assert_ptr_nonnull(vm_add_device(vm, &dma8237_device, NULL));
    char arg[96];
    snprintf(arg, sizeof(arg), "drive0=%s", img_path);
    fdc = vm_add_device(vm, &fdc_device, arg);
    ck_assert_ptr_nonnull(fdc);
    /* Leave reset with DMA/IRQ enabled, motor A on, drive 0 selected, and
     * consume the four polling interrupts. */
    outb(vm, 0x3F2, 0x1C);
    devtest_advance(vm, EXEC_NS);
    for (unsigned d = 0; d < 4; d++)
        sense_int((uint8_t)(0xC0 | d), 0);
}

static void fdc_setup(void)
{
    make_image();
    fdc_open();
}

static void fdc_teardown(void)
{
    devtest_free(vm);
    unlink(img_path);
}

static void dma_ch2(uint8_t mode, uint32_t addr, uint16_t len)
{
    outb(vm, 0x0A, 0x06);
    outb(vm, 0x0C, 0);
    outb(vm, 0x0B, mode);
    outb(vm, 0x04, addr & 0xFF);
    outb(vm, 0x04, (addr >> 8) & 0xFF);
    outb(vm, 0x81, (uint8_t)(addr >> 16));
    outb(vm, 0x05, (len - 1) & 0xFF);
    outb(vm, 0x05, (len - 1) >> 8);
    outb(vm, 0x0A, 0x02);
}

static uint8_t mem(uint64_t pa)
{
    uint8_t b;
    phys_read(&vm->mem, pa, &b, 1);
    return b;
}

/* Issue READ/WRITE DATA and return the 7 result bytes. */
static void rw(uint8_t op, uint8_t hds, uint8_t c, uint8_t h, uint8_t r,
               uint8_t eot, uint8_t out[7])
{
    const uint8_t b[9] = {op, hds, c, h, r, 2, eot, 0x1B, 0xFF};
    cmd(b, 9);
    ck_assert_uint_eq(msr() & 0x10, 0x10); /* busy in execution */
    devtest_advance(vm, EXEC_NS);
    ck_assert(irq_level(&vm->irq, 6));
    for (int i = 0; i < 7; i++)
        out[i] = res();
    ck_assert(!irq_level(&vm->irq, 6));
    ck_assert_uint_eq(msr(), 0x80);
}

START_TEST(test_reset_polling)
{
    /* After reset exactly four "ready changed" polling statuses are
     * pending (datasheet "Polling"); a fifth SENSE INTERRUPT is invalid. */
    static const uint8_t c = 0x08;
    ck_assert(!irq_level(&vm->irq, 6));
    cmd(&c, 1);
    ck_assert_uint_eq(res(), 0x80);
    outb(vm, 0x3F2, 0x08); /* enter reset */
    ck_assert_uint_eq(msr(), 0x00);
    outb(vm, 0x3F2, 0x0C);
    devtest_advance(vm, EXEC_NS);
    ck_assert(irq_level(&vm->irq, 6));
    sense_int(0xC0, 0);
    sense_int(0xC1, 0);
    sense_int(0xC2, 0);
    sense_int(0xC3, 0);
    ck_assert(!irq_level(&vm->irq, 6));
}
END_TEST

START_TEST(test_version_invalid_dumpreg)
{
    /* VERSION answers 0x90 (82077AA); an undefined opcode gives ST0 0x80;
     * SPECIFY values come back in DUMPREG bytes 5/6. */
    static const uint8_t ver = 0x10, bad = 0x1F;
    static const uint8_t spec[3] = {0x03, 0xAF, 0x02}, dump = 0x0E;
    cmd(&ver, 1);
    ck_assert_uint_eq(res(), 0x90);
    cmd(&bad, 1);
    ck_assert_uint_eq(res(), 0x80);
    ck_assert_uint_eq(msr(), 0x80);
    cmd(spec, 3);
    ck_assert_uint_eq(msr(), 0x80);
    cmd(&dump, 1);
    uint8_t d[10];
    for (int i = 0; i < 10; i++)
        d[i] = res();
    ck_assert_uint_eq(d[4], 0xAF);
    ck_assert_uint_eq(d[5], 0x02);
}
END_TEST

START_TEST(test_seek_recal)
{
    /* SEEK: the drive is busy (MSR bit 0) until the seek-end interrupt;
     * SENSE INTERRUPT gives ST0 with SE and the new cylinder. */
    static const uint8_t seek[3] = {0x0F, 0x04, 5}, recal[2] = {0x07, 0};
    cmd(seek, 3);
    ck_assert_uint_eq(msr(), 0x81);
    devtest_advance(vm, EXEC_NS);
    ck_assert(irq_level(&vm->irq, 6));
    sense_int(0x24, 5);
    ck_assert(!irq_level(&vm->irq, 6));
    cmd(recal, 2);
    devtest_advance(vm, EXEC_NS);
    sense_int(0x20, 0);
}
END_TEST

START_TEST(test_read_multi_sector)
{
    /* READ DATA of two sectors ending at DMA terminal count: normal
     * termination, result ID is the next sector (datasheet "Read data"). */
    uint8_t r[7];
    dma_ch2(0x46, 0x10000, 1024);
    rw(0xE6, 0x00, 0, 0, 1, 18, r);
    ck_assert_uint_eq(r[0], 0x00);
    ck_assert_uint_eq(r[1], 0x00);
    ck_assert_uint_eq(r[3], 0);
    ck_assert_uint_eq(r[4], 0);
    ck_assert_uint_eq(r[5], 3);
    ck_assert_uint_eq(r[6], 2);
    ck_assert_uint_eq(mem(0x10001), 0x00);
    ck_assert_uint_eq(mem(0x10201), 0x01);
}
END_TEST

START_TEST(test_read_multitrack)
{
    /* MT: after sector EOT on head 0 the read continues on head 1 sector
     * 1 (LBA 18); the result reports H=1, R=2. */
    uint8_t r[7];
    dma_ch2(0x46, 0x20000, 1024);
    rw(0xE6, 0x00, 0, 0, 18, 18, r);
    ck_assert_uint_eq(r[0] & 0xC0, 0x00);
    ck_assert_uint_eq(r[4], 1);
    ck_assert_uint_eq(r[5], 2);
    ck_assert_uint_eq(mem(0x20001), 17);
    ck_assert_uint_eq(mem(0x20201), 18);
}
END_TEST

START_TEST(test_read_other_cylinder)
{
    /* C=2 H=1 R=3: LBA (2*2+1)*18+2 = 92. */
    uint8_t r[7];
    dma_ch2(0x46, 0x30000, 512);
    rw(0xE6, 0x04, 2, 1, 3, 18, r);
    ck_assert_uint_eq(r[0], 0x04);
    ck_assert_uint_eq(mem(0x30001), 92);
    ck_assert_uint_eq(r[3], 2);
    ck_assert_uint_eq(r[5], 4);
}
END_TEST

START_TEST(test_end_of_cylinder)
{
    /* EOT reached before terminal count without MT: abnormal termination
     * with EN (datasheet ST1 bit 7); the sector itself was transferred. */
    uint8_t r[7];
    dma_ch2(0x46, 0x10000, 1024);
    rw(0x66, 0x00, 0, 0, 1, 1, r);
    ck_assert_uint_eq(r[0], 0x40);
    ck_assert_uint_eq(r[1], 0x80);
    ck_assert_uint_eq(r[3], 1); /* C+1, R=1 */
    ck_assert_uint_eq(r[5], 1);
    ck_assert_uint_eq(mem(0x10001), 0);
}
END_TEST

START_TEST(test_write_reaches_file)
{
    /* WRITE DATA: memory to sector C1 H1 R5 (LBA 58) of the image file. */
    uint8_t buf[512], r[7];
    memset(buf, 0xA5, sizeof(buf));
    phys_write(&vm->mem, 0x40000, buf, sizeof(buf));
    dma_ch2(0x4A, 0x40000, 512);
    rw(0xC5, 0x04, 1, 1, 5, 18, r);
    ck_assert_uint_eq(r[0], 0x04);
    FILE *f = fopen(img_path, "rb");
    fseek(f, 58 * 512, SEEK_SET);
    ck_assert_uint_eq(fread(buf, 1, 512, f), 512);
    fclose(f);
    ck_assert_uint_eq(buf[0], 0xA5);
    ck_assert_uint_eq(buf[511], 0xA5);
}
END_TEST

START_TEST(test_no_media_and_overrun)
{
    /* Drive 1 has no disk: missing address mark. A masked DMA channel
     * gives an overrun (ST1 OR). */
    uint8_t r[7];
    dma_ch2(0x46, 0x10000, 512);
    rw(0xE6, 0x01, 0, 0, 1, 18, r);
    ck_assert_uint_eq(r[0], 0x41);
    ck_assert_uint_eq(r[1], 0x01);
    outb(vm, 0x0A, 0x06);
    rw(0xE6, 0x00, 0, 0, 1, 18, r);
    ck_assert_uint_eq(r[0], 0x40);
    ck_assert_uint_eq(r[1], 0x10);
}
END_TEST

START_TEST(test_read_id_and_drive_status)
{
    /* READ ID reports the current cylinder; SENSE DRIVE STATUS gives ST3
     * with ready, track 0 and two-sided. */
    static const uint8_t rid[2] = {0x4A, 0x00}, sds[2] = {0x04, 0x00};
    cmd(rid, 2);
    devtest_advance(vm, EXEC_NS);
    ck_assert(irq_level(&vm->irq, 6));
    ck_assert_uint_eq(res(), 0x00);
    res();
    res();
    ck_assert_uint_eq(res(), 0);
    ck_assert_uint_eq(res(), 0);
    ck_assert_uint_eq(res(), 1);
    ck_assert_uint_eq(res(), 2);
    cmd(sds, 2);
    ck_assert_uint_eq(res(), 0x38);
}
END_TEST

START_TEST(test_disk_change_line)
{
    /* DIR bit 7 (DSKCHG) is set for a new disk until a seek steps the
     * head (datasheet "Digital input register"). */
    static const uint8_t seek[3] = {0x0F, 0x00, 1};
    ck_assert_uint_eq(inb(vm, 0x3F7) & 0x80, 0x80);
    cmd(seek, 3);
    devtest_advance(vm, EXEC_NS);
    sense_int(0x20, 1);
    ck_assert_uint_eq(inb(vm, 0x3F7) & 0x80, 0x00);
}
END_TEST

START_TEST(test_format_track)
{
    /* FORMAT TRACK takes C,H,R,N per sector by DMA and fills each sector
     * with the filler byte. */
    uint8_t ids[18 * 4], r;
    for (int i = 0; i < 18; i++) {
        ids[4 * i] = 3;
        ids[4 * i + 1] = 0;
        ids[4 * i + 2] = (uint8_t)(i + 1);
        ids[4 * i + 3] = 2;
    }
    phys_write(&vm->mem, 0x50000, ids, sizeof(ids));
    dma_ch2(0x4A, 0x50000, sizeof(ids));
    static const uint8_t fmt[6] = {0x4D, 0x00, 2, 18, 0x54, 0xF6};
    cmd(fmt, 6);
    devtest_advance(vm, EXEC_NS);
    ck_assert_uint_eq(res() & 0xC0, 0);
    for (int i = 0; i < 6; i++)
        r = res();
    (void)r;
    uint8_t sec[512];
    FILE *f = fopen(img_path, "rb");
    fseek(f, (3 * 2 * 18 + 17) * 512, SEEK_SET);
    ck_assert_uint_eq(fread(sec, 1, 512, f), 512);
    fclose(f);
    ck_assert_uint_eq(sec[0], 0xF6);
    ck_assert_uint_eq(sec[511], 0xF6);
}
END_TEST

START_TEST(test_cmos_type_and_irq_gate)
{
    /* A 1.44 MB image is CMOS type 4; drive 1 absent. DOR bit 3 gates the
     * IRQ line. */
    ck_assert_uint_eq(fdc_drive_type(fdc, 0), 4);
    ck_assert_uint_eq(fdc_drive_type(fdc, 1), 0);
    static const uint8_t recal[2] = {0x07, 0};
    outb(vm, 0x3F2, 0x14);
    cmd(recal, 2);
    devtest_advance(vm, EXEC_NS);
    ck_assert(!irq_level(&vm->irq, 6));
    outb(vm, 0x3F2, 0x1C);
    ck_assert(irq_level(&vm->irq, 6));
    sense_int(0x20, 0);
}
END_TEST

START_TEST(test_short_image)
{
    /* A file shorter than any format (Debian's GRUB rescue floppy, 1296384
     * bytes) is a 1.44 MB disk (CMOS type 4) whose sectors past the end of
     * the file read as zeros: READ DATA of LBA 2531 (the file's last, C70
     * H0 R12) and 2532 terminates normally ("Read data", ST0 IC = 00). */
    devtest_free(vm);
    ck_assert_int_eq(truncate(img_path, 1296384), 0);
    fdc_open();
    ck_assert_uint_eq(fdc_drive_type(fdc, 0), 4);
    uint8_t r[7];
    dma_ch2(0x46, 0x10000, 1024);
    rw(0xE6, 0x00, 70, 0, 12, 18, r);
    ck_assert_uint_eq(r[0] & 0xC0, 0x00);
    ck_assert_uint_eq(r[1], 0x00);
    ck_assert_uint_eq(r[5], 14);
    ck_assert_uint_eq(mem(0x10000), 2531 >> 8);
    ck_assert_uint_eq(mem(0x101FF), 2531 & 0xFF);
    ck_assert_uint_eq(mem(0x10200), 0);
    ck_assert_uint_eq(mem(0x103FF), 0);
}
END_TEST

START_TEST(test_bad_image_sizes)
{
    /* Empty files and files larger than 2.88 MB are refused at init. */
    VM *v = devtest_vm();
    ck_assert_ptr_nonnull(vm_add_device(v, &dma8237_device, NULL));
    char arg[96];
    snprintf(arg, sizeof(arg), "drive0=%s", img_path);
    ck_assert_int_eq(truncate(img_path, 0), 0);
    ck_assert_ptr_null(vm_add_device(v, &fdc_device, arg));
    ck_assert_int_eq(truncate(img_path, 2949120 + 512), 0);
    ck_assert_ptr_null(vm_add_device(v, &fdc_device, arg));
    /* Between 1.44 and 2.88 MB (and not a 1.68 MB DMF image): 2.88 MB,
     * CMOS type 5. */
    ck_assert_int_eq(truncate(img_path, 1474560 + 512), 0);
    FdcState *f = vm_add_device(v, &fdc_device, arg);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fdc_drive_type(f, 0), 5);
    devtest_free(v);
}
END_TEST

static Suite *fdc_suite(void)
{
    Suite *s = suite_create("fdc");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, fdc_setup, fdc_teardown);
    tcase_add_test(tc, test_reset_polling);
    tcase_add_test(tc, test_version_invalid_dumpreg);
    tcase_add_test(tc, test_seek_recal);
    tcase_add_test(tc, test_read_multi_sector);
    tcase_add_test(tc, test_read_multitrack);
    tcase_add_test(tc, test_read_other_cylinder);
    tcase_add_test(tc, test_end_of_cylinder);
    tcase_add_test(tc, test_write_reaches_file);
    tcase_add_test(tc, test_no_media_and_overrun);
    tcase_add_test(tc, test_read_id_and_drive_status);
    tcase_add_test(tc, test_disk_change_line);
    tcase_add_test(tc, test_format_track);
    tcase_add_test(tc, test_cmos_type_and_irq_gate);
    tcase_add_test(tc, test_short_image);
    tcase_add_test(tc, test_bad_image_sizes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fdc_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
