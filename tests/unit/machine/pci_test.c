/* Unit tests for src/machine/pci.c: configuration mechanism #1, BAR
 * sizing and mapping (PCI 2.2 section 6.2.5.1), write masks, INTx routing
 * through PIRQ A-D. */
#include <check.h>
#include <stdlib.h>

#include "machine/ioport.h"
#include "machine/irq.h"
#include "machine/log.h"
#include "machine/memmap.h"
#include "machine/pci.h"

static Log tlog;
static IoBus io;
static PhysMem mem;
static IrqCtl irq;
static PciBus bus;
static PciDevice dev;
static uint8_t regs[256];
static bool lines[16];

static uint32_t r_read(void *o, uint32_t off, unsigned size)
{
    (void)o;
    (void)size;
    return regs[off];
}
static const IoOps r_ops = {r_read, NULL, 1, 4};

static void sink(void *o, unsigned line, bool level)
{
    (void)o;
    lines[line] = level;
}

static uint32_t cfg_read(uint8_t devfn, uint8_t off)
{
    io_write(&io, 0xCF8, 0x80000000u | devfn << 8 | (off & 0xFC), 4);
    return io_read(&io, 0xCFC, 4);
}

static void cfg_write(uint8_t devfn, uint8_t off, uint32_t v)
{
    io_write(&io, 0xCF8, 0x80000000u | devfn << 8 | (off & 0xFC), 4);
    io_write(&io, 0xCFC, v, 4);
}

static void setup(void)
{
    log_init(&tlog, 0);
    io_init(&io, &tlog);
    mem_init(&mem, 1 << 20, &tlog);
    irq_init(&irq);
    irq_set_sink(&irq, sink, NULL);
    pci_bus_init(&bus, &io, &mem, &irq, &tlog);
    ck_assert_int_eq(pci_bus_attach_ports(&bus), 0);
    for (int i = 0; i < 256; i++)
        regs[i] = (uint8_t)i;
    for (int i = 0; i < 16; i++)
        lines[i] = false;
    ck_assert_int_eq(pci_register(&bus, &dev, PCI_DEVFN(3, 0), 0x1022,
                                  0x2000, 0x10, 0x020000, "nic"),
                     0);
    pci_set_bar(&dev, 0, PCI_BAR_IO, 32, &r_ops, NULL);
    pci_set_bar(&dev, 1, PCI_BAR_MEM32, 4096, &r_ops, NULL);
    dev.config[PCI_INTERRUPT_PIN] = 1;
}

static void teardown(void)
{
    mem_fini(&mem);
}

START_TEST(ids_and_absent_devices)
{
    ck_assert_uint_eq(cfg_read(PCI_DEVFN(3, 0), 0), 0x20001022u);
    ck_assert_uint_eq(cfg_read(PCI_DEVFN(3, 0), 8), 0x02000010u);
    ck_assert_uint_eq(cfg_read(PCI_DEVFN(4, 0), 0), 0xFFFFFFFFu);
    /* CONFIG_ADDRESS reads back, enable bit clear means no cycle */
    io_write(&io, 0xCF8, 0x80001800u, 4);
    ck_assert_uint_eq(io_read(&io, 0xCF8, 4), 0x80001800u);
    io_write(&io, 0xCF8, 0x00001800u, 4);
    ck_assert_uint_eq(io_read(&io, 0xCFC, 4), 0xFFFFFFFFu);
    /* byte access within the data window */
    io_write(&io, 0xCF8, 0x80000000u | PCI_DEVFN(3, 0) << 8, 4);
    ck_assert_uint_eq(io_read(&io, 0xCFE, 2), 0x2000);
}
END_TEST

START_TEST(bar_sizing)
{
    uint8_t df = PCI_DEVFN(3, 0);
    cfg_write(df, 0x10, 0xFFFFFFFFu);
    ck_assert_uint_eq(cfg_read(df, 0x10), 0xFFFFFFE1u); /* 32 B I/O: 32 bits */
    cfg_write(df, 0x14, 0xFFFFFFFFu);
    ck_assert_uint_eq(cfg_read(df, 0x14), 0xFFFFF000u); /* 4 KB mem */
    cfg_write(df, 0x18, 0xFFFFFFFFu);
    ck_assert_uint_eq(cfg_read(df, 0x18), 0); /* unimplemented BAR */
    /* read-only ID registers */
    cfg_write(df, 0x00, 0);
    ck_assert_uint_eq(cfg_read(df, 0), 0x20001022u);
}
END_TEST

START_TEST(bar_mapping_follows_command)
{
    uint8_t df = PCI_DEVFN(3, 0);
    cfg_write(df, 0x10, 0xC100);
    cfg_write(df, 0x14, 0xFEB00000u);
    ck_assert_uint_eq(io_read(&io, 0xC105, 1), 0xFF); /* I/O disabled */
    cfg_write(df, 0x04, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    ck_assert_uint_eq(io_read(&io, 0xC105, 1), 5);
    ck_assert_uint_eq(mem_read_slow(&mem, 0xFEB00007u, 1), 7);
    /* remap */
    cfg_write(df, 0x10, 0xD000);
    ck_assert_uint_eq(io_read(&io, 0xC105, 1), 0xFF);
    ck_assert_uint_eq(io_read(&io, 0xD01F, 1), 0x1F);
    cfg_write(df, 0x04, 0);
    ck_assert_uint_eq(io_read(&io, 0xD01F, 1), 0xFF);
    ck_assert_uint_eq(mem_read_slow(&mem, 0xFEB00007u, 1), 0xFF);
}
END_TEST

START_TEST(status_w1c)
{
    uint8_t df = PCI_DEVFN(3, 0);
    dev.config[PCI_STATUS + 1] = 0xF9; /* error bits set */
    cfg_write(df, 0x04, 0x20000000u); /* clear only bit 13 */
    ck_assert_uint_eq(dev.config[PCI_STATUS + 1], 0xD9);
}
END_TEST

/* PIIX4 datasheet 4.1.10 (PIRQRC): the route register picks the ISA line;
 * swizzle: slot 3 INTA -> PIRQ (3 + 1 - 2) & 3 = C. */
START_TEST(intx_routing)
{
    pci_set_irq(&dev, true);
    ck_assert(!lines[11]); /* no route yet */
    pci_set_pirq_route(&bus, 2, 11);
    ck_assert(lines[11]);
    pci_set_pirq_route(&bus, 2, 10);
    ck_assert(!lines[11]);
    ck_assert(lines[10]);
    /* INTx disable bit masks the pin */
    pci_config_write(&bus, PCI_DEVFN(3, 0), PCI_COMMAND,
                     PCI_COMMAND_INTX_DISABLE, 2);
    ck_assert(!lines[10]);
    pci_config_write(&bus, PCI_DEVFN(3, 0), PCI_COMMAND, 0, 2);
    ck_assert(lines[10]);
    pci_set_irq(&dev, false);
    ck_assert(!lines[10]);
    ck_assert_uint_eq(dev.config[PCI_STATUS] & PCI_STATUS_INTERRUPT, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pci");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, ids_and_absent_devices);
    tcase_add_test(tc, bar_sizing);
    tcase_add_test(tc, bar_mapping_follows_command);
    tcase_add_test(tc, status_w1c);
    tcase_add_test(tc, intx_routing);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
