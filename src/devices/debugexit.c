/*
 * debugexit.c — the test exit port (QEMU isa-debug-exit convention).
 *
 * A write of value v to port 0xF4 powers the VM off with exit status
 * (v << 1) | 1, so a guest can report a result to the host harness
 * (status 1 = success by our tests' convention). Not part of any real PC;
 * the port is otherwise unused on the 440BX/PIIX4 board.
 */
#include "machine/vm.h"

#define DEBUGEXIT_PORT 0xF4

typedef struct DebugexitState {
    VM *vm;
} DebugexitState;

static void debugexit_write(void *opaque, uint32_t off, uint32_t val,
                            unsigned size)
{
    DebugexitState *s = opaque;
    (void)off;
    (void)size;
    vm_poweroff(s->vm, (int)(((val & 0x7F) << 1) | 1));
}

static const IoOps debugexit_ops = {
    .write = debugexit_write,
    .max_size = 4,
};

static int debugexit_init(void *state, VM *vm, const char *arg)
{
    DebugexitState *s = state;
    (void)arg;
    s->vm = vm;
    int id = io_register(&vm->io, DEBUGEXIT_PORT, 4, &debugexit_ops, s,
                         "debug-exit");
    return id < 0 ? id : 0;
}

static void debugexit_reset(void *state)
{
    (void)state;
}

const DeviceInfo debugexit_device = {
    .name = "debug-exit",
    .state_size = sizeof(DebugexitState),
    .state_version = 1,
    .init = debugexit_init,
    .reset = debugexit_reset,
};
