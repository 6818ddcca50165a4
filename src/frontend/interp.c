/*
 * interp.c — the reference tier: fetch, decode, execute, retire, one
 * instruction at a time, with interrupts taken at instruction boundaries.
 *
 * Exceptions: cpu_raise() longjmps back to the setjmp in interp_run(),
 * taken once per slice; the instruction's state is untouched (handlers
 * commit last), so the exception is delivered with EIP at the faulting
 * instruction. Interrupt shadow: after STI (IF 0 -> 1), MOV SS and POP SS
 * one more instruction runs before an interrupt (SDM vol. 3 section 6.8.3).
 * Single-step: with TF set at the start of an instruction, a #DB trap
 * follows it (DR6.BS).
 */
#include <stdlib.h>
#include <string.h>

#include "frontend/cpu_mem.h"
#include "frontend/debug.h"
#include "frontend/mmu.h"
#include "frontend/decode.h"
#include "frontend/disasm.h"
#include "frontend/except.h"
#include "frontend/flags.h"
#include "machine/vm.h"

/* Is an external interrupt or NMI deliverable now? Delivers it if so. */
static bool interp_take_irq(CPUState *cpu)
{
    VM *vm = cpu->vm;
    if (cpu->intr_shadow)
        return false;
    if (vm->nmi_line && !cpu->nmi_blocked) {
        vm->nmi_line = false;
        cpu->nmi_blocked = true;
        cpu->next_eip = cpu->eip;
        cpu_interrupt(cpu, EXC_NMI, INT_EXTERNAL, false, 0, cpu->eip);
        return true;
    }
    if (vm->intr_line && (cpu->eflags & EFL_IF) && vm->intr_ack) {
        int vec = vm->intr_ack(vm->intr_ack_opaque);
        if (vec < 0)
            return false;
        cpu->next_eip = cpu->eip;
        cpu_interrupt(cpu, vec & 0xFF, INT_EXTERNAL, false, 0, cpu->eip);
        return true;
    }
    return false;
}

/* Host pointer to 15 code bytes at CS:EIP if the TLB already maps them
 * and neither the page end nor the CS limit is near (the common case). */
static inline const uint8_t *interp_fast_code(const CPUState *cpu)
{
    const SegCache *cs = &cpu->seg[SEG_CS];
    uint32_t eip = cpu->eip, lin = cs->base + eip;
    const TlbEntry *e =
        &cpu->tlb.e[cpu->cpl == 3][(lin >> 12) & (TLB_SIZE - 1)];
    if ((lin & 0xFFF) > 0x1000 - INSN_MAX_LEN ||
        cs->limit < INSN_MAX_LEN - 1 || eip > cs->limit - (INSN_MAX_LEN - 1) ||
        e->tag_code != (lin & ~0xFFFu))
        return NULL;
    return (const uint8_t *)(e->addend + lin);
}

/*
 * Decoded-instruction cache. Decoding is a pure function of the
 * instruction's bytes and the code size (the decode table is fixed per
 * CPU), so an entry keyed by the host address of the first byte is reused
 * when its bytes still match: they are compared on every use, which keeps
 * the cache exact under self-modifying code and remapping without any
 * write tracking. Only the fast path (15 bytes in one TLB-mapped page)
 * uses it; a miss decodes and fills the entry.
 */
#define DCACHE_SIZE 4096

typedef struct DCacheEntry {
    const uint8_t *host;
    uint8_t bytes[INSN_MAX_LEN];
    bool code32;
    DecodedInsn d;
} DCacheEntry;

struct InterpDecodeCache {
    DCacheEntry e[DCACHE_SIZE];
};

static DCacheEntry *interp_dcache(CPUState *cpu, const uint8_t *p)
{
    if (!cpu->dcache) {
        cpu->dcache = calloc(1, sizeof(*cpu->dcache));
        if (!cpu->dcache)
            return NULL; /* decode every time */
    }
    uintptr_t k = (uintptr_t)p;
    return &cpu->dcache->e[(k ^ (k >> 12)) & (DCACHE_SIZE - 1)];
}

/* Decode the instruction at CS:EIP into *d; raises #GP/#PF/#UD. */
static void interp_decode(CPUState *cpu, DecodedInsn *d)
{
    uint8_t buf[INSN_MAX_LEN];
    const uint8_t *p = interp_fast_code(cpu);
    uint32_t eip = cpu->eip;
    unsigned avail = INSN_MAX_LEN;
    if (p) {
        DCacheEntry *e = interp_dcache(cpu, p);
        if (e && e->host == p && e->code32 == cpu->code32 &&
            !memcmp(e->bytes, p, e->d.len)) {
            *d = e->d;
            return;
        }
        int n = decode_insn(cpu->dtab, d, p, avail, cpu->code32);
        if (n > 0 && e) {
            e->host = p;
            e->code32 = cpu->code32;
            memcpy(e->bytes, p, (size_t)n);
            e->d = *d;
            return;
        }
        if (n > 0)
            return;
        if (n == DEC_TOO_LONG)
            cpu_raise(cpu, EXC_GP, 0);
        if (n == DEC_UD)
            cpu_raise(cpu, EXC_UD, 0);
    }
    if (!p) {
        avail = cpu_fetch_avail(cpu, eip, INSN_MAX_LEN);
        if (avail == 0)
            cpu_raise(cpu, EXC_GP, 0); /* EIP beyond the CS limit */
        p = mmu_code_ptr(cpu, cpu->seg[SEG_CS].base + eip);
        if (!p) {
            cpu_fetch_code(cpu, eip, buf, avail);
            p = buf;
        }
    }
    int n = decode_insn(cpu->dtab, d, p, avail, cpu->code32);
    if (n == DEC_NEED_MORE) {
        /* Crosses a page or the CS limit: fetch byte-wise (may fault). */
        unsigned have = avail;
        if (p != buf)
            memcpy(buf, p, avail);
        do {
            cpu_fetch_code(cpu, eip + have, buf + have, 1);
            have++;
            n = decode_insn(cpu->dtab, d, buf, have, cpu->code32);
        } while (n == DEC_NEED_MORE);
    }
    if (n == DEC_TOO_LONG)
        cpu_raise(cpu, EXC_GP, 0);
    if (n == DEC_UD)
        cpu_raise(cpu, EXC_UD, 0);
}

static void interp_trace(CPUState *cpu, const DecodedInsn *d)
{
    uint8_t bytes[INSN_MAX_LEN];
    char text[96];
    if (!cpu->disasm)
        cpu->disasm = disasm_create();
    for (unsigned i = 0; i < d->len; i++)
        bytes[i] = cpu_ld_sys8(cpu, cpu->seg[SEG_CS].base + cpu->eip + i);
    if (cpu->disasm)
        disasm_insn(cpu->disasm, bytes, d->len, cpu->eip, cpu->code32, text,
                    sizeof(text));
    else
        decode_mnemonic(d, text, sizeof(text));
    log_msg(&cpu->vm->log, LOG_TRACE_INSN, "%04x:%08x %s\n",
            cpu->seg[SEG_CS].sel, cpu->eip, text);
}

/* Execute one instruction (no interrupt check). */
static void interp_step(CPUState *cpu)
{
    DecodedInsn d;
    mmu_check_map(cpu);
    dbg_before_insn(cpu);
    interp_decode(cpu, &d);
    if (log_enabled(&cpu->vm->log, LOG_TRACE_INSN))
        interp_trace(cpu, &d);
    bool tf = cpu->eflags & EFL_TF;
    uint32_t next = cpu->eip + d.len;
    cpu->next_eip = cpu->code32 ? next : next & 0xFFFF;
    cpu->intr_shadow = false;
    d.handler(cpu, &d);
    cpu->eip = cpu->next_eip;
    cpu->insn_count++;
    dbg_after_insn(cpu, &d, tf);
}

CpuExit interp_run(CPUState *cpu, int64_t budget)
{
    VM *vm = cpu->vm;
    volatile int64_t left = budget;
    if (setjmp(cpu->jmp)) {
        /* An exception unwound an instruction or a delivery. */
        if (cpu->exc_exit) {
            cpu->cur_exc = -1;
            return CPU_EXIT_KICK;
        }
        if (!cpu_deliver_pending(cpu)) {
            vm_request(vm, VM_REQ_RESET);
            return CPU_EXIT_SHUTDOWN;
        }
        left--;
    }
    while (left > 0) {
        if (cpu->kick) {
            cpu->kick = 0;
            return CPU_EXIT_KICK;
        }
        if ((vm->intr_line || vm->nmi_line) && interp_take_irq(cpu))
            continue;
        if (cpu->halted)
            return CPU_EXIT_HALT;
        interp_step(cpu);
        left--;
    }
    return CPU_EXIT_BUDGET;
}
