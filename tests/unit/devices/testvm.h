/*
 * testvm.h — a bare VM for device unit tests: RAM, port bus, IRQ lines,
 * PCI bus and a deterministic (icount) clock, without the board or a CPU.
 * Header-only so each test binary builds from one file.
 */
#ifndef X86BT_TESTVM_H
#define X86BT_TESTVM_H

#include <stdlib.h>
#include <string.h>

#include "machine/vm.h"

static inline VM *testvm_create(uint64_t ram_mb)
{
    VM *vm = calloc(1, sizeof(*vm));
    vm_config_defaults(&vm->cfg);
    vm->cfg.ram_mb = ram_mb;
    log_init(&vm->log, 0); /* quiet: tests provoke guest errors */
    if (mem_init(&vm->mem, ram_mb << 20, &vm->log)) {
        free(vm);
        return NULL;
    }
    io_init(&vm->io, &vm->log);
    irq_init(&vm->irq);
    pci_bus_init(&vm->pci, &vm->io, &vm->mem, &vm->irq, &vm->log);
    pci_bus_attach_ports(&vm->pci);
    clock_init(&vm->clock, true, 0);
    vm->a20_mask = ~0ull;
    return vm;
}

/* Add a device and reset it (as vm_reset would). */
static inline void *testvm_add(VM *vm, const DeviceInfo *info,
                               const char *arg)
{
    void *s = vm_add_device(vm, info, arg);
    if (s && info->reset)
        info->reset(s);
    return s;
}

static inline void testvm_reset(VM *vm)
{
    mem_reset(&vm->mem);
    for (unsigned i = 0; i < vm->ndevices; i++)
        if (vm->devices[i].info->reset)
            vm->devices[i].info->reset(vm->devices[i].state);
}

static inline void testvm_destroy(VM *vm)
{
    for (unsigned i = vm->ndevices; i-- > 0;) {
        Device *dev = &vm->devices[i];
        if (dev->info->fini)
            dev->info->fini(dev->state);
        free(dev->state);
        free(dev->arg);
    }
    mem_fini(&vm->mem);
    free(vm);
}

/* Advance the icount clock by ns nanoseconds (shift 0: 1 ns/insn). */
static inline void testvm_advance(VM *vm, int64_t ns)
{
    vm->clock.icount += (uint64_t)ns;
    clock_run_timers(&vm->clock);
}

/* Config access through the 0xCF8/0xCFC ports, as a guest would. */
static inline uint32_t testvm_cfg_read(VM *vm, uint8_t devfn, uint8_t off,
                                       unsigned size)
{
    io_write(&vm->io, 0xCF8, 0x80000000u | (devfn << 8) | (off & 0xFC), 4);
    return io_read(&vm->io, 0xCFC + (off & 3), size);
}

static inline void testvm_cfg_write(VM *vm, uint8_t devfn, uint8_t off,
                                    uint32_t val, unsigned size)
{
    io_write(&vm->io, 0xCF8, 0x80000000u | (devfn << 8) | (off & 0xFC), 4);
    io_write(&vm->io, 0xCFC + (off & 3), val, size);
}

#endif
