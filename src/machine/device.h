/*
 * device.h — the device contract (see STYLE.md section 2).
 *
 * Each device file ends with `const DeviceInfo <chip>_device`. The VM
 * allocates state_size bytes (zeroed), calls init(state, vm, arg) once
 * (register ports/MMIO/PCI functions, timers, backends), reset(state) at
 * power-on and on every machine reset, and fini(state) at destruction.
 * Save/restore walks `fields`: plain-data members by offset and size, and
 * timers (saved as deadline + pending) re-armed on load; post_load rebuilds
 * derived state (IRQ lines, mappings).
 */
#ifndef X86BT_DEVICE_H
#define X86BT_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct VM;

typedef enum StateFieldKind { STATE_BYTES, STATE_TIMER } StateFieldKind;

typedef struct StateField {
    const char *name;
    size_t offset;
    size_t size;
    StateFieldKind kind;
} StateField;

#define STATE_FIELD(type, member)                                          \
    {#member, offsetof(type, member), sizeof(((type *)0)->member),          \
     STATE_BYTES}
#define STATE_TIMER_FIELD(type, member)                                    \
    {#member, offsetof(type, member), sizeof(((type *)0)->member),          \
     STATE_TIMER}
#define STATE_END {NULL, 0, 0, STATE_BYTES}

typedef struct DeviceInfo {
    const char *name;
    size_t state_size;
    uint32_t state_version;
    /* arg: per-instance option string (may be NULL). 0 or -errno. */
    int (*init)(void *state, struct VM *vm, const char *arg);
    void (*reset)(void *state);
    void (*fini)(void *state);
    const StateField *fields; /* terminated by STATE_END; may be NULL */
    int (*post_load)(void *state);
} DeviceInfo;

typedef struct Device {
    const DeviceInfo *info;
    void *state;
    char *arg;
} Device;

int device_save(const Device *dev, FILE *f);
int device_load(Device *dev, FILE *f);

#endif
