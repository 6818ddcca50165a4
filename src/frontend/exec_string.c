/*
 * exec_string.c — MOVS CMPS SCAS LODS STOS INS OUTS with REP/REPE/REPNE
 * (SDM vol. 2 "REP/REPE/REPZ/REPNE/REPNZ"). The count register is CX or
 * ECX and the index registers SI/DI or ESI/EDI by address size. The source
 * segment honours overrides, the destination is always ES. Registers are
 * updated after every element, so a fault in the middle leaves a
 * restartable state (EIP still at the instruction); long repeats yield to
 * pending interrupts between elements by not advancing EIP. REP MOVS/STOS
 * with 32-bit addresses and DF=0 move runs of elements directly between
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

/* Copy k elements of sz bytes forward from src to dst as one element
 * after the other would (a destination just above an overlapping source
 * sees the bytes already stored: the pattern repeats). */
static void str_copy_fwd(uint8_t *dst, const uint8_t *src, uint32_t k,
                         unsigned sz)
{
    size_t n = (size_t)k * sz;
    if (dst <= src || dst >= src + n) {
        memmove(dst, src, n);
        return;
    }
    for (uint32_t i = 0; i < k; i++) {
        uint32_t v;
        memcpy(&v, src + (size_t)i * sz, sz);
        memcpy(dst + (size_t)i * sz, &v, sz);
    }
}

/* One run of REP MOVS/STOS (a32, DF=0) within a page of the source and
 * of the destination, both in the TLB, at most ECX elements: moved
 * directly, then ECX/ESI/EDI advanced. Returns the elements done (0: take
 * one element through str_one). Stores never reach a code page: the TLB
 * has no write entry for one (mmu.c), so SMC needs no check here. */
static uint32_t str_bulk(CPUState *cpu, const DecodedInsn *d, unsigned kind,
                         unsigned sz)
{
    uint32_t edi = cpu->regs[R_EDI], esi = cpu->regs[R_ESI];
    uint32_t k = cpu->regs[R_ECX];
    int user = cpu->cpl == 3;
    uint32_t ldst = cpu->seg[SEG_ES].base + edi;
    uint32_t room = (0x1000 - (ldst & 0xFFF)) / sz;
    if (room < k)
        k = room;
    uint32_t lsrc = 0;
    if (kind == STR_MOVS) {
        lsrc = cpu->seg[d->seg].base + esi;
        room = (0x1000 - (lsrc & 0xFFF)) / sz;
        if (room < k)
            k = room;
    }
    if (k == 0 || !str_seg_ok(cpu, SEG_ES, edi, k * sz, ACC_WRITE))
        return 0;
    uint8_t *dst = mmu_tlb_ptr(cpu, ldst, k * sz, ACC_WRITE, user);
    if (!dst)
        return 0;
    if (kind == STR_MOVS) {
        const uint8_t *src;
        if (!str_seg_ok(cpu, d->seg, esi, k * sz, ACC_READ) ||
            !(src = mmu_tlb_ptr(cpu, lsrc, k * sz, ACC_READ, user)))
            return 0;
        str_copy_fwd(dst, src, k, sz);
        cpu->regs[R_ESI] = esi + k * sz;
    } else if (sz == 1) {
        memset(dst, (int)(cpu->regs[R_EAX] & 0xFF), k);
    } else {
        uint32_t v = cpu->regs[R_EAX];
        for (uint32_t i = 0; i < k; i++)
            memcpy(dst + (size_t)i * sz, &v, sz);
    }
    cpu->regs[R_EDI] = edi + k * sz;
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
                !(cpu->eflags & EFL_DF) && !dbg_any_enabled(cpu);
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
