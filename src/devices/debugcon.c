/*
 * debugcon.c — debug console ports.
 *
 * Port 0x402 (QEMU/SeaBIOS convention): SeaBIOS probes it by reading, and
 * writes its log there if it reads back 0xE9. Present only with -debugcon.
 * Port 0xE9 (Bochs "port E9 hack"): bytes written appear on stdout; used by
 * our bare-metal test programs. Reads return 0xE9 as on Bochs and QEMU.
 * arg: "0x402:stdio", "0x402:file:PATH" or "0xe9:stdio".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/vm.h"

typedef struct DebugconState {
    FILE *out;
    bool own_file;
    uint16_t port;
} DebugconState;

static uint32_t debugcon_read(void *opaque, uint32_t off, unsigned size)
{
    (void)opaque;
    (void)off;
    (void)size;
    return 0xE9;
}

static void debugcon_write(void *opaque, uint32_t off, uint32_t val,
                           unsigned size)
{
    DebugconState *s = opaque;
    (void)off;
    (void)size;
    fputc((int)(val & 0xFF), s->out);
    if ((val & 0xFF) == '\n')
        fflush(s->out);
}

static const IoOps debugcon_ops = {
    .read = debugcon_read,
    .write = debugcon_write,
    .max_size = 1,
};

static int debugcon_init(void *state, VM *vm, const char *arg)
{
    DebugconState *s = state;
    char *end;
    unsigned long port = strtoul(arg ? arg : "0xe9", &end, 0);
    if (port > 0xFFFF || *end != ':')
        return -EINVAL;
    const char *backend = end + 1;
    s->port = (uint16_t)port;
    if (!strcmp(backend, "stdio")) {
        s->out = stdout;
    } else if (!strncmp(backend, "file:", 5)) {
        s->out = fopen(backend + 5, "w");
        if (!s->out)
            return -errno;
        s->own_file = true;
    } else {
        return -EINVAL;
    }
    int id = io_register(&vm->io, s->port, 1, &debugcon_ops, s, "debugcon");
    return id < 0 ? id : 0;
}

static void debugcon_reset(void *state)
{
    (void)state;
}

static void debugcon_fini(void *state)
{
    DebugconState *s = state;
    if (s->out)
        fflush(s->out);
    if (s->own_file && s->out)
        fclose(s->out);
}

const DeviceInfo debugcon_device = {
    .name = "debugcon",
    .state_size = sizeof(DebugconState),
    .state_version = 1,
    .init = debugcon_init,
    .reset = debugcon_reset,
    .fini = debugcon_fini,
};
