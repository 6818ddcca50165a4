/*
 * exec_string.c — MOVS CMPS SCAS LODS STOS INS OUTS with REP/REPE/REPNE
 * (SDM vol. 2 "REP/REPE/REPZ/REPNE/REPNZ"). The count register is CX or
 * ECX and the index registers SI/DI or ESI/EDI by address size. The source
 * segment honours overrides, the destination is always ES. Registers are
 * updated after every element, so a fault in the middle leaves a
 * restartable state (EIP still at the instruction); long repeats yield to
 * pending interrupts between elements by not advancing EIP. REP MOVS/STOS
 * with 32-bit addresses move runs of elements directly between
 * TLB-mapped host pages (str_bulk); everything else, and the element at
 * which a run stops (a page end, a TLB miss, a segment limit), goes
 * through str_one, which raises any fault with the registers exact.
 */
#include "frontend/exec.h"

#include <string.h>

#include "frontend/alu.h"
#include "frontend/debug.h"
#include "frontend/seg.h"
#include "machine/vm.h"

enum { STR_MOVS, STR_CMPS, STR_SCAS, STR_LODS, STR_STOS, STR_INS,
       STR_OUTS };

static uint32_t str_idx(const CPUState *cpu, const DecodedInsn *d, int r)
{
    return d->a32 ? cpu->regs[r] : cpu->regs[r] & 0xFFFF;
}

static void str_adv(CPUState *cpu, const DecodedInsn *d, int r, unsigned sz)
{
    uint32_t delta = (cpu->eflags & EFL_DF) ? (uint32_t)-sz : sz;
    if (d->a32)
        cpu->regs[r] += delta;
    else
        cpu->regs[r] = (cpu->regs[r] & 0xFFFF0000u) |
                       ((cpu->regs[r] + delta) & 0xFFFF);
}

/* One element. */
static void str_one(CPUState *cpu, const DecodedInsn *d, unsigned kind,
                    unsigned sz)
{
    uint32_t v, port = cpu->regs[R_EDX] & 0xFFFF;
    switch (kind) {
    case STR_MOVS:
        v = cpu_ld(cpu, d->seg, str_idx(cpu, d, R_ESI), sz);
        cpu_st(cpu, SEG_ES, str_idx(cpu, d, R_EDI), v, sz);
        str_adv(cpu, d, R_ESI, sz);
        str_adv(cpu, d, R_EDI, sz);
        break;
    case STR_CMPS:
        v = cpu_ld(cpu, d->seg, str_idx(cpu, d, R_ESI), sz);
        alu_op(cpu, ALU_CMP, v, cpu_ld(cpu, SEG_ES, str_idx(cpu, d, R_EDI), sz),
               sz);
        str_adv(cpu, d, R_ESI, sz);
        str_adv(cpu, d, R_EDI, sz);
        break;
    case STR_SCAS:
        v = cpu_ld(cpu, SEG_ES, str_idx(cpu, d, R_EDI), sz);
        alu_op(cpu, ALU_CMP, reg_get(cpu, R_EAX, sz), v, sz);
        str_adv(cpu, d, R_EDI, sz);
        break;
    case STR_LODS:
        v = cpu_ld(cpu, d->seg, str_idx(cpu, d, R_ESI), sz);
        reg_set(cpu, R_EAX, v, sz);
        str_adv(cpu, d, R_ESI, sz);
        break;
    case STR_STOS:
        cpu_st(cpu, SEG_ES, str_idx(cpu, d, R_EDI), reg_get(cpu, R_EAX, sz),
               sz);
        str_adv(cpu, d, R_EDI, sz);
        break;
    case STR_INS:
        /* Check the destination before the (side-effecting) port read. */
        seg_linear(cpu, SEG_ES, str_idx(cpu, d, R_EDI), sz, ACC_WRITE);
        v = io_read(&cpu->vm->io, (uint16_t)port, sz);
        cpu_st(cpu, SEG_ES, str_idx(cpu, d, R_EDI), v, sz);
        str_adv(cpu, d, R_EDI, sz);
        break;
    default: /* STR_OUTS */
        v = cpu_ld(cpu, d->seg, str_idx(cpu, d, R_ESI), sz);
        io_write(&cpu->vm->io, (uint16_t)port, v, sz);
        str_adv(cpu, d, R_ESI, sz);
        break;
    }
}

static bool str_should_yield(const CPUState *cpu)
{
    const VM *vm = cpu->vm;
    return cpu->kick || vm->nmi_line ||
           (vm->intr_line && (cpu->eflags & EFL_IF));
}

/* Would seg_linear() accept [off, off+len) of seg for acc without a
 * fault? Only the plain case (expand-up, no wrap); false means "check
 * element by element", not "faults". */
static bool str_seg_ok(const CPUState *cpu, int seg, uint32_t off,
                       uint32_t len, int acc)
{
    const SegCache *s = &cpu->seg[seg];
    uint32_t attr = s->attr, last = off + len - 1;
    if (cpu->pe && !cpu->vm86) {
        if (attr & SEG_ATTR_UNUSABLE)
            return false;
        if (acc == ACC_WRITE && (attr & 0xA) != 0x2)
            return false;
        if (acc == ACC_READ && (attr & 0xA) == 0x8)
            return false;
    }
    if (!(attr & 0x8) && (attr & 0x4))
        return false; /* expand-down */
    return last >= off && last <= s->limit;
}

/* Copy k elements of sz bytes between the runs at dst and src (their
 * lowest bytes) as one element after the other in the direction of DF
 * would: an element reads bytes an earlier one stored only when the
 * destination lies ahead of the source in that direction, overlapping
 * it (the pattern repeats); otherwise that is what memmove gives. */
static void str_copy(uint8_t *dst, const uint8_t *src, uint32_t k,
                     unsigned sz, bool down)
{
    size_t n = (size_t)k * sz;
    bool ahead = down ? src > dst && src < dst + n
                      : dst > src && dst < src + n;
    if (!ahead) {
        memmove(dst, src, n);
        return;
    }
    for (uint32_t i = 0; i < k; i++) {
        size_t j = (size_t)(down ? k - 1 - i : i) * sz;
        uint32_t v;
        memcpy(&v, src + j, sz);
        memcpy(dst + j, &v, sz);
    }
}

/* How many sz-byte elements from linear lin on, in the direction of DF,
 * lie in lin's page (0: the first one crosses its end). */
static uint32_t str_room(uint32_t lin, unsigned sz, bool down)
{
    uint32_t o = lin & 0xFFF;
    if (o > 0x1000 - sz)
        return 0;
    return down ? o / sz + 1 : (0x1000 - o) / sz;
}

/* The lowest linear address and offset of a run of k elements from
 * (lin, off) in the direction of DF; false if the offsets wrap. */
static bool str_run_low(uint32_t *lin, uint32_t *off, uint32_t k,
                        unsigned sz, bool down)
{
    if (!down)
        return true;
    uint32_t back = (k - 1) * sz;
    if (*off < back)
        return false;
    *lin -= back;
    *off -= back;
    return true;
}

/* One run of REP MOVS/STOS (32-bit addresses) within a page of the
 * source and of the destination, both in the TLB, at most ECX elements:
 * moved directly, then ECX/ESI/EDI advanced. Returns the elements done
 * (0: take one element through str_one). Stores never reach a code page:
 * the TLB has no write entry for one (mmu.c), so SMC needs no check. */
static uint32_t str_bulk(CPUState *cpu, const DecodedInsn *d, unsigned kind,
                         unsigned sz)
{
    bool down = cpu->eflags & EFL_DF;
    uint32_t edi = cpu->regs[R_EDI], esi = cpu->regs[R_ESI];
    uint32_t k = cpu->regs[R_ECX], room;
    int user = cpu->cpl == 3;
    uint32_t ldst = cpu->seg[SEG_ES].base + edi, lsrc = 0;
    if ((room = str_room(ldst, sz, down)) < k)
        k = room;
    if (kind == STR_MOVS) {
        lsrc = cpu->seg[d->seg].base + esi;
        if ((room = str_room(lsrc, sz, down)) < k)
            k = room;
    }
    uint32_t n = k * sz, doff = edi, soff = esi;
    if (k == 0 || !str_run_low(&ldst, &doff, k, sz, down) ||
        !str_seg_ok(cpu, SEG_ES, doff, n, ACC_WRITE))
        return 0;
    uint8_t *dst = mmu_tlb_ptr(cpu, ldst, n, ACC_WRITE, user);
    if (!dst)
        return 0;
    uint32_t delta = down ? -n : n;
    if (kind == STR_MOVS) {
        const uint8_t *src;
        if (!str_run_low(&lsrc, &soff, k, sz, down) ||
            !str_seg_ok(cpu, d->seg, soff, n, ACC_READ) ||
            !(src = mmu_tlb_ptr(cpu, lsrc, n, ACC_READ, user)))
            return 0;
        str_copy(dst, src, k, sz, down);
        cpu->regs[R_ESI] = esi + delta;
    } else if (sz == 1) {
        memset(dst, (int)(cpu->regs[R_EAX] & 0xFF), k);
    } else {
        uint32_t v = cpu->regs[R_EAX];
        for (uint32_t i = 0; i < k; i++)
            memcpy(dst + (size_t)i * sz, &v, sz);
    }
    cpu->regs[R_EDI] = edi + delta;
    cpu->regs[R_ECX] -= k;
    return k;
}

static void str_exec(CPUState *cpu, const DecodedInsn *d, unsigned kind,
                     unsigned sz)
{
    if (kind == STR_INS || kind == STR_OUTS)
        cpu_check_io(cpu, cpu->regs[R_EDX] & 0xFFFF, sz);
    if (!d->rep) {
        str_one(cpu, d, kind, sz);
        return;
    }
    bool cond = kind == STR_CMPS || kind == STR_SCAS;
    uint32_t cmask = d->a32 ? 0xFFFFFFFFu : 0xFFFFu;
    bool bulk = (kind == STR_MOVS || kind == STR_STOS) && d->a32 &&
                !dbg_any_enabled(cpu);
    for (unsigned n = 0;; n++) {
        if ((cpu->regs[R_ECX] & cmask) == 0)
            return;
        if (n >= 64 && str_should_yield(cpu)) {
            cpu->next_eip = cpu->eip; /* resume this instruction later */
            return;
        }
        /* A run counts as 64 elements toward the yield check: a pending
         * interrupt waits at most about one page of work. */
        if (bulk && str_bulk(cpu, d, kind, sz)) {
            n += 63;
            continue;
        }
        str_one(cpu, d, kind, sz);
        cpu->regs[R_ECX] = (cpu->regs[R_ECX] & ~cmask) |
                           ((cpu->regs[R_ECX] - 1) & cmask);
        if (cond) {
            bool zf = cc_flags(cpu) & EFL_ZF;
            if ((d->rep == 0xF3) != zf)
                return;
        }
    }
}

void exec_MOVSB(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_MOVS, 1);
}
void exec_MOVSW(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_MOVS, insn_osize(d));
}
void exec_CMPSB(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_CMPS, 1);
}
void exec_CMPSW(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_CMPS, insn_osize(d));
}
void exec_SCASB(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_SCAS, 1);
}
void exec_SCASW(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_SCAS, insn_osize(d));
}
void exec_LODSB(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_LODS, 1);
}
void exec_LODSW(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_LODS, insn_osize(d));
}
void exec_STOSB(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_STOS, 1);
}
void exec_STOSW(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_STOS, insn_osize(d));
}
void exec_INSB(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_INS, 1);
}
void exec_INSW(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_INS, insn_osize(d));
}
void exec_OUTSB(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_OUTS, 1);
}
void exec_OUTSW(CPUState *cpu, const DecodedInsn *d)
{
    str_exec(cpu, d, STR_OUTS, insn_osize(d));
}
