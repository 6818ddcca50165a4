/*
 * devtest.h — a minimal VM for device unit tests: log, a little RAM, the
 * port bus, IRQ lines and an icount-mode clock (1 ns per instruction), with
 * no CPU and no board. Time advances only through devtest_advance().
 */
#ifndef X86BT_DEVTEST_H
#define X86BT_DEVTEST_H

#include <stdlib.h>

#include "machine/vm.h"

static inline VM *devtest_vm(void)
{
    VM *vm = calloc(1, sizeof(*vm));
    vm_config_defaults(&vm->cfg);
    log_init(&vm->log, 0);
    mem_init(&vm->mem, 1 << 20, &vm->log);
    io_init(&vm->io, &vm->log);
    irq_init(&vm->irq);
    clock_init(&vm->clock, true, 0);
    vm->a20_mask = ~0ull;
    return vm;
}

static inline void devtest_free(VM *vm)
{
    for (unsigned i = vm->ndevices; i-- > 0;) {
        if (vm->devices[i].info->fini)
            vm->devices[i].info->fini(vm->devices[i].state);
        free(vm->devices[i].state);
        free(vm->devices[i].arg);
    }
    mem_fini(&vm->mem);
    free(vm);
}

/* Advance virtual time by ns nanoseconds, firing each timer at its own
 * deadline (as the icount main loop does by warping to deadlines). */
static inline void devtest_advance(VM *vm, int64_t ns)
{
    int64_t target = clock_now(&vm->clock) + ns;
    for (;;) {
        int64_t next = clock_next_deadline(&vm->clock);
        if (next > target)
            break;
        if (next > clock_now(&vm->clock))
            vm->clock.icount = (uint64_t)next;
        clock_run_timers(&vm->clock);
    }
    vm->clock.icount = (uint64_t)target;
    clock_run_timers(&vm->clock);
}

static inline uint8_t inb(VM *vm, uint16_t port)
{
    return (uint8_t)io_read(&vm->io, port, 1);
}

static inline void outb(VM *vm, uint16_t port, uint8_t v)
{
    io_write(&vm->io, port, v, 1);
}

#endif
