/*
 * cpuvm.h — test fixture for frontend unit tests: a bare VM (1 MB RAM,
 * port bus, deterministic clock) with a CPU, without board devices.
 * Include after <check.h>.
 */
#ifndef X86BT_TEST_CPUVM_H
#define X86BT_TEST_CPUVM_H

#include <stdlib.h>

#include "frontend/cpu.h"
#include "machine/vm.h"

static inline VM *make_vm(CPUState **cpu)
{
    VM *vm = calloc(1, sizeof(*vm));
    ck_assert_ptr_nonnull(vm);
    log_init(&vm->log, LOG_ERROR);
    ck_assert_int_eq(mem_init(&vm->mem, 1u << 20, &vm->log), 0);
    io_init(&vm->io, &vm->log);
    clock_init(&vm->clock, true, 0);
    vm->a20_mask = ~0ull;
    *cpu = cpu_create(vm);
    ck_assert_ptr_nonnull(*cpu);
    vm->cpu = *cpu;
    return vm;
}

static inline void free_vm(VM *vm)
{
    cpu_destroy(vm->cpu);
    mem_fini(&vm->mem);
    free(vm);
}

#endif
