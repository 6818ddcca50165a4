/*
 * vm.c — VM lifetime and the main loop.
 *
 * The loop alternates CPU slices with timers: each slice runs until the
 * earliest timer deadline (bounded so host events are polled often), then
 * expired timers fire. HLT with interrupts pending-free sleeps (host time)
 * or warps the clock to the next deadline (icount mode).
 */
#include "machine/vm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontend/cpu.h"
#include "machine/boot.h"
#include "machine/pc.h"
#include "machine/sendkey.h"
#include "translator/jit.h"

/* Longest CPU slice between timer checks, in instructions. */
#define VM_SLICE_MAX 200000
/* Shortest slice in host-time mode (bounds the per-slice overhead). */
#define VM_SLICE_MIN 500
/* Lowest stall ceiling in host-time mode, ns per instruction. */
#define VM_NS_PER_INSN_MIN 20
/* Longest host sleep while halted, ns (host events are polled). */
#define VM_HALT_SLEEP_MAX 10000000

void vm_config_defaults(VMConfig *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->ram_mb = 64;
    strcpy(cfg->boot, "cad");
    cfg->boot_menu_ms = -1;
    cfg->display = "sdl";
    cfg->jit = true;
    cfg->icount_shift = -1;
    cfg->tcache_kb = 32768;
    cfg->shot_ns = -1;
    cfg->shot_text_ns = -1;
}

void *vm_add_device(VM *vm, const DeviceInfo *info, const char *arg)
{
    if (vm->ndevices >= VM_MAX_DEVICES)
        return NULL;
    Device *dev = &vm->devices[vm->ndevices];
    dev->info = info;
    dev->state = calloc(1, info->state_size ? info->state_size : 1);
    dev->arg = arg ? strdup(arg) : NULL;
    if (!dev->state || (arg && !dev->arg)) {
        free(dev->state);
        free(dev->arg);
        return NULL;
    }
    int rc = info->init ? info->init(dev->state, vm, dev->arg) : 0;
    if (rc < 0) {
        log_msg(&vm->log, LOG_ERROR, "x86bt: device %s: %s\n", info->name,
                strerror(-rc));
        if (info->fini)
            info->fini(dev->state);
        free(dev->state);
        free(dev->arg);
        return NULL;
    }
    vm->ndevices++;
    return dev->state;
}

void *vm_find_device(VM *vm, const DeviceInfo *info)
{
    for (unsigned i = 0; i < vm->ndevices; i++)
        if (vm->devices[i].info == info)
            return vm->devices[i].state;
    return NULL;
}

/* Read the -kernel file; multiboot kernels start directly at reset, Linux
 * bzImages go through the firmware (fw_cfg), anything else is refused. */
static int vm_load_kernel(VM *vm, char *err, size_t errlen)
{
    FILE *f = fopen(vm->cfg.kernel, "rb");
    if (!f) {
        snprintf(err, errlen, "-kernel: cannot open '%s': %s",
                 vm->cfg.kernel, strerror(errno));
        return -errno;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (size <= 0 || size > (256l << 20)) {
        fclose(f);
        snprintf(err, errlen, "-kernel: '%s' is empty or larger than 256 MB",
                 vm->cfg.kernel);
        return -EINVAL;
    }
    vm->kernel_image = malloc((size_t)size);
    if (!vm->kernel_image ||
        fread(vm->kernel_image, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        snprintf(err, errlen, "-kernel: cannot read '%s'", vm->cfg.kernel);
        return -EIO;
    }
    fclose(f);
    vm->kernel_size = (size_t)size;
    size_t hoff;
    bool linux_hdr = size > 0x206 &&
                     !memcmp(vm->kernel_image + 0x202, "HdrS", 4);
    if (!linux_hdr &&
        boot_find_multiboot(vm->kernel_image, vm->kernel_size, &hoff)) {
        vm->kernel_multiboot = true;
        if (vm->cfg.initrd) {
            snprintf(err, errlen, "-initrd: not supported for multiboot "
                                  "kernels");
            return -EINVAL;
        }
        BootImage bi;
        return boot_load_multiboot(vm, vm->kernel_image, vm->kernel_size,
                                   vm->cfg.append, &bi, err, errlen);
    }
    if (!linux_hdr) {
        snprintf(err, errlen, "-kernel: '%s' is neither a Linux bzImage "
                              "nor a multiboot kernel",
                 vm->cfg.kernel);
        return -EINVAL;
    }
    return 0;
}

/* The clock's view of retired instructions: exact mid-slice in both
 * tiers (cpu_insn_count adds what generated code retired so far). */
static uint64_t vm_insn_now(void *opaque)
{
    VM *vm = opaque;
    return vm->cpu ? cpu_insn_count(vm->cpu) : 0;
}

VM *vm_create(const VMConfig *cfg, char *err, size_t errlen)
{
    VM *vm = calloc(1, sizeof(*vm));
    if (!vm) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    vm->cfg = *cfg;
    log_init(&vm->log, LOG_DEFAULT_MASK | cfg->trace_mask);
    if (mem_init(&vm->mem, cfg->ram_mb << 20, &vm->log)) {
        snprintf(err, errlen, "cannot allocate %llu MB of guest RAM",
                 (unsigned long long)cfg->ram_mb);
        free(vm);
        return NULL;
    }
    io_init(&vm->io, &vm->log);
    irq_init(&vm->irq);
    pci_bus_init(&vm->pci, &vm->io, &vm->mem, &vm->irq, &vm->log);
    clock_init(&vm->clock, cfg->icount_shift >= 0,
               cfg->icount_shift >= 0 ? (unsigned)cfg->icount_shift : 0);
    vm->a20_mask = ~0ull;
    if ((cfg->kernel && vm_load_kernel(vm, err, errlen) < 0) ||
        pci_bus_attach_ports(&vm->pci) < 0 || pc_init(vm, err, errlen) < 0) {
        if (!err[0])
            snprintf(err, errlen, "cannot build the machine");
        vm_destroy(vm);
        return NULL;
    }
    vm->cpu = cpu_create(vm);
    if (!vm->cpu) {
        snprintf(err, errlen, "cannot create the CPU");
        vm_destroy(vm);
        return NULL;
    }
    if (sendkey_start(vm) < 0) {
        snprintf(err, errlen, "-sendkey-at: cannot schedule the keys");
        vm_destroy(vm);
        return NULL;
    }
    clock_set_insn_source(&vm->clock, vm_insn_now, vm);
    vm_reset(vm);
    return vm;
}

void vm_destroy(VM *vm)
{
    if (!vm)
        return;
    sendkey_stop(vm);
    jit_destroy(vm);
    if (vm->cpu)
        cpu_destroy(vm->cpu);
    /* Devices unmapping regions in fini must not call into the freed CPU
     * and code cache. */
    vm->mem.map_changed = NULL;
    vm->mem.code_write = NULL;
    for (unsigned i = vm->ndevices; i-- > 0;) {
        Device *dev = &vm->devices[i];
        if (dev->info->fini)
            dev->info->fini(dev->state);
        free(dev->state);
        free(dev->arg);
    }
    mem_fini(&vm->mem);
    free(vm->bios_image);
    free(vm->kernel_image);
    free(vm);
}

void vm_reset(VM *vm)
{
    mem_reset(&vm->mem);
    vm_set_a20(vm, true);
    for (unsigned i = 0; i < vm->ndevices; i++)
        if (vm->devices[i].info->reset)
            vm->devices[i].info->reset(vm->devices[i].state);
    if (vm->cpu)
        cpu_reset(vm->cpu);
    if (vm->cpu && vm->kernel_multiboot) {
        char err[256];
        if (boot_multiboot_reset(vm, err, sizeof(err)))
            log_msg(&vm->log, LOG_ERROR, "x86bt: %s\n", err);
    }
}

void vm_request(VM *vm, uint32_t req)
{
    vm->requests |= req;
    if (vm->cpu)
        cpu_kick(vm->cpu);
}

void vm_poweroff(VM *vm, int status)
{
    vm->exit_status = status;
    vm_request(vm, VM_REQ_POWEROFF);
}

void vm_set_a20(VM *vm, bool on)
{
    uint64_t mask = on ? ~0ull : ~(1ull << 20);
    if (mask != vm->a20_mask) {
        vm->a20_mask = mask;
        if (vm->cpu)
            cpu_tlb_flush(vm->cpu);
    }
}

void vm_set_intr(VM *vm, bool level)
{
    vm->intr_line = level;
    if (level && vm->cpu)
        cpu_kick(vm->cpu);
}

static CpuExit vm_run_cpu(VM *vm, int64_t budget)
{
    uint64_t before = cpu_insn_count(vm->cpu);
    int64_t t0 = vm->clock.icount_mode ? 0 : clock_host_ns();
    /* icount mode: virtual time advances with retired instructions. */
    clock_slice_begin(&vm->clock);
    CpuExit e = vm->cfg.jit ? jit_run(vm->cpu, budget)
                            : interp_run(vm->cpu, budget);
    clock_slice_end(&vm->clock);
    uint64_t done = cpu_insn_count(vm->cpu) - before;
    if (!vm->clock.icount_mode && done >= 1000) {
        /* Host time: learn the execution rate (instructions per us,
         * smoothed) so that slices end near the next timer deadline. */
        int64_t ns = clock_host_ns() - t0;
        if (ns > 0) {
            double rate = (double)done * 1000.0 / (double)ns;
            vm->insn_per_us = vm->insn_per_us > 0
                                  ? 0.75 * vm->insn_per_us + 0.25 * rate
                                  : rate;
            /* Stall ceiling (clock.h): 4x the usual cost of one
             * instruction, between VM_NS_PER_INSN_MIN and the clock's. */
            double cost = 4000.0 / vm->insn_per_us;
            vm->clock.max_ns_per_insn =
                cost < VM_NS_PER_INSN_MIN     ? VM_NS_PER_INSN_MIN
                : cost > CLOCK_MAX_NS_PER_INSN ? CLOCK_MAX_NS_PER_INSN
                                               : (int64_t)cost;
        }
    }
    return e;
}

/* How many instructions may run before the next timer is due. */
static int64_t vm_slice(VM *vm)
{
    int64_t deadline = clock_next_deadline(&vm->clock);
    if (deadline == INT64_MAX)
        return VM_SLICE_MAX;
    int64_t delta = deadline - clock_now(&vm->clock);
    if (delta <= 0)
        return 1;
    int64_t n;
    if (vm->clock.icount_mode) {
        n = (delta >> vm->clock.icount_shift) + 1;
    } else {
        /* Host time: a timer must not wait for a whole long slice (an
         * IRQ would be late by milliseconds under the reference tier). */
        double rate = vm->insn_per_us > 0 ? vm->insn_per_us : 10.0;
        n = (int64_t)((double)delta / 1000.0 * rate) + 1;
        if (n < VM_SLICE_MIN)
            n = VM_SLICE_MIN;
    }
    return n < VM_SLICE_MAX ? n : VM_SLICE_MAX;
}

/* The CPU is halted: let virtual time reach the next timer. */
static void vm_idle(VM *vm)
{
    int64_t deadline = clock_next_deadline(&vm->clock);
    if (vm->clock.icount_mode) {
        /* Deterministic time: skip straight to the next event. */
        if (deadline != INT64_MAX)
            vm->clock.icount =
                (uint64_t)(deadline >> vm->clock.icount_shift) + 1;
        return;
    }
    /* Host time: hidden lag first moves time to the deadline (no sleep;
     * one timer at a time, so no periodic tick is skipped), then sleep. */
    clock_catch_up(&vm->clock, deadline);
    int64_t wait = deadline - clock_now(&vm->clock);
    if (wait <= 0)
        return;
    if (wait > VM_HALT_SLEEP_MAX)
        wait = VM_HALT_SLEEP_MAX;
    struct timespec ts = {0, (long)wait};
    nanosleep(&ts, NULL);
    clock_catch_up(&vm->clock, deadline); /* oversleep beyond it: lag */
}

/* -trace info: what the run cost (instructions, virtual and host time). */
static void vm_run_summary(VM *vm, int64_t host0)
{
    if (!log_enabled(&vm->log, LOG_INFO))
        return;
    double host = (double)(clock_host_ns() - host0) / 1e9;
    uint64_t n = cpu_insn_count(vm->cpu);
    log_msg(&vm->log, LOG_INFO,
            "x86bt: %llu instructions, %.3f s virtual, %.3f s host "
            "(%.1f MIPS), %.3f s hidden host stalls\n",
            (unsigned long long)n, (double)clock_now(&vm->clock) / 1e9, host,
            host > 0 ? (double)n / host / 1e6 : 0.0,
            (double)vm->clock.lag / 1e9);
    if (vm->cfg.jit)
        jit_stats_print(vm, stderr);
}

int vm_run(VM *vm)
{
    int64_t host0 = clock_host_ns();
    for (;;) {
        if (vm->requests & VM_REQ_POWEROFF)
            break;
        if (vm->requests & VM_REQ_RESET) {
            vm->requests &= ~(uint32_t)VM_REQ_RESET;
            vm->resets++;
            if (vm->cfg.no_reboot) {
                vm->exit_status = 0;
                break;
            }
            vm_reset(vm);
        }
        clock_run_timers(&vm->clock);
        CpuExit e = vm_run_cpu(vm, vm_slice(vm));
        if (e == CPU_EXIT_HALT)
            vm_idle(vm);
        else if (e == CPU_EXIT_SHUTDOWN) {
            log_msg(&vm->log, LOG_GUEST_ERROR,
                    "x86bt: triple fault, resetting the machine\n");
            vm->requests |= VM_REQ_RESET;
        }
    }
    vm_run_summary(vm, host0);
    return vm->exit_status;
}
