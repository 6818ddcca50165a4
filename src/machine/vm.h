/*
 * vm.h — the virtual machine: every piece of state hangs off struct VM.
 *
 * There are no mutable globals anywhere in x86bt; two VMs in one process
 * are independent. The board (pc.c) creates devices from a table, the main
 * loop (vm_run) alternates CPU slices with timers and host events.
 */
#ifndef X86BT_VM_H
#define X86BT_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/clock.h"
#include "machine/device.h"
#include "machine/ioport.h"
#include "machine/irq.h"
#include "machine/log.h"
#include "machine/memmap.h"
#include "machine/pci.h"

#define VM_MAX_DEVICES 64
#define VM_MAX_SENDKEY 16

/* One -sendkey-at SECONDS:KEYS (machine/sendkey.h). */
typedef struct VMSendKey {
    int64_t ns;
    const char *keys;
} VMSendKey;

/* Everything the command line (or a .vmx file) can set. */
typedef struct VMConfig {
    uint64_t ram_mb;
    const char *bios;        /* NULL: the default SeaBIOS image */
    const char *hda, *hdb, *cdrom, *fda;
    char boot[8];            /* boot order letters: a c d n */
    bool boot_menu;          /* -boot menu=on: SeaBIOS offers its menu */
    int boot_menu_ms;        /* -boot splash-time=MS, or -1 (SeaBIOS's) */
    const char *kernel, *initrd, *append;
    const char *serial[2];   /* "stdio", "file:PATH", "unix:PATH", "none" */
    unsigned serial_set;     /* how many -serial options were given */
    const char *display;     /* "sdl", "none", "curses-like text" */
    const char *debugcon;    /* SeaBIOS log port 0x402 backend, or NULL */
    bool nographic;
    bool jit;                /* translation tier (default) or reference */
    int icount_shift;        /* -1: host time; else 2^N ns per instruction */
    unsigned trace_mask;
    uint64_t tcache_kb;      /* translation cache size */
    bool no_reboot;          /* exit instead of resetting */
    const char *rtc_base;    /* NULL: RTC starts at host UTC time; else a
                                fixed UTC start "YYYY-MM-DDTHH:MM:SS" */
    /* -screenshot-at / -screenshot-text-at SECONDS:PATH: virtual time in
     * ns (-1: none) at which the VGA writes a PNG / its text screen. */
    int64_t shot_ns, shot_text_ns;
    const char *shot_path, *shot_text_path;
    VMSendKey sendkey[VM_MAX_SENDKEY]; /* -sendkey-at, in option order */
    unsigned nsendkey;
} VMConfig;

/* Requests to the main loop (vm->requests bits). */
enum {
    VM_REQ_RESET = 1 << 0,    /* machine reset (0xCF9, 8042, triple fault) */
    VM_REQ_POWEROFF = 1 << 1, /* ACPI S5 or exit device: stop, exit_status */
    VM_REQ_STOP = 1 << 2,     /* pause (monitor) */
};

typedef struct VM {
    VMConfig cfg;
    Log log;
    PhysMem mem;
    IoBus io;
    IrqCtl irq;
    PciBus pci;
    Clock clock;
    struct CPUState *cpu;
    struct CodeCache *cc;      /* translation tier, NULL with -jit off */
    Device devices[VM_MAX_DEVICES];
    unsigned ndevices;

    /* The CPU's INTR pin (driven by the 8259 output) and the interrupt
     * acknowledge cycle (returns the vector); set up by the board. */
    bool intr_line;
    int (*intr_ack)(void *opaque);
    void *intr_ack_opaque;
    bool nmi_line;
    /* A20 gate (port 0x92, 8042): CPU physical addresses are ANDed. */
    uint64_t a20_mask;

    uint8_t *bios_image; /* firmware bytes (owned) */
    uint8_t *kernel_image; /* -kernel file bytes (owned), or NULL */
    size_t kernel_size;
    bool kernel_multiboot; /* start the kernel directly at every reset */

    double insn_per_us;  /* measured execution rate (host-time slices) */

    uint32_t requests;   /* VM_REQ_* */
    int exit_status;     /* process exit status after VM_REQ_POWEROFF */
    uint64_t resets;     /* number of machine resets so far */
    struct SendKeyQueue *sendkey; /* -sendkey-at events (sendkey.c) */
} VM;

/* Create a VM from a configuration: RAM, buses, board devices, CPU. On
 * failure returns NULL with a one-line reason in err (size errlen). */
VM *vm_create(const VMConfig *cfg, char *err, size_t errlen);
void vm_destroy(VM *vm);
/* Power-on / machine reset of every device and the CPU. */
void vm_reset(VM *vm);
/* Run until power-off; returns the exit status. */
int vm_run(VM *vm);
/* Add a device instance; returns its state or NULL (err logged). */
void *vm_add_device(VM *vm, const DeviceInfo *info, const char *arg);
/* Find the first device of a given kind (for tests and the board). */
void *vm_find_device(VM *vm, const DeviceInfo *info);

void vm_request(VM *vm, uint32_t req);
void vm_poweroff(VM *vm, int status);
void vm_set_a20(VM *vm, bool on);
/* Called by the board's interrupt controller output. */
void vm_set_intr(VM *vm, bool level);

/* Defaults for a VMConfig (64 MB RAM, jit on, host clock, serial stdio). */
void vm_config_defaults(VMConfig *cfg);

#endif
