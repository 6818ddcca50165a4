/*
 * except.c — exception and interrupt delivery (SDM vol. 3 chapter 6; real
 * mode: vol. 3 section 20.1.4).
 *
 * Owns: real-mode delivery through the IVT; protected-mode delivery
 * through interrupt, trap and task gates (16 and 32 bit), with the gate
 * DPL check for software interrupts, the privilege change with a stack
 * switch from the TSS, delivery from V86 mode (segment registers pushed
 * and nulled), error codes with the EXT bit for events not caused by a
 * software interrupt (SDM vol. 3 section 6.13); the benign/contributory/
 * page-fault classes that turn a second exception into #DF and a fault
 * during #DF into shutdown (SDM vol. 3 section 6.15, tables 6-4 and 6-5).
 */
#include "frontend/except.h"

#include <string.h>

#include "frontend/cpu_mem.h"
#include "frontend/desc.h"
#include "frontend/flags.h"
#include "frontend/seg.h"
#include "frontend/stack.h"
#include "machine/vm.h"

_Noreturn void cpu_raise(CPUState *cpu, int vector, uint32_t err)
{
    cpu->exc_vector = vector;
    cpu->exc_error = err;
    cpu->exc_has_error = cpu_exc_has_error(vector);
    longjmp(cpu->jmp, 1);
}

_Noreturn void cpu_raise_noerr(CPUState *cpu, int vector)
{
    cpu_raise(cpu, vector, 0);
}

_Noreturn void cpu_raise_gp0(CPUState *cpu)
{
    cpu_raise(cpu, EXC_GP, 0);
}

_Noreturn void cpu_raise_ud(CPUState *cpu)
{
    cpu_raise(cpu, EXC_UD, 0);
}

bool cpu_exc_has_error(int vector)
{
    return vector == EXC_DF || (vector >= EXC_TS && vector <= EXC_PF) ||
           vector == EXC_AC;
}

static void except_real(CPUState *cpu, int vector, uint32_t ret_eip)
{
    uint32_t ent = (uint32_t)vector * 4;
    if (ent + 3 > cpu->idtr.limit)
        cpu_raise(cpu, EXC_GP, (uint32_t)vector * 8 + 2);
    uint32_t vec = cpu_ld_sys32(cpu, cpu->idtr.base + ent);
    uint32_t esp = cpu->regs[R_ESP];
    stack_push(cpu, &esp, cpu_get_eflags(cpu) & 0xFFFF, 2);
    stack_push(cpu, &esp, cpu->seg[SEG_CS].sel, 2);
    stack_push(cpu, &esp, ret_eip & 0xFFFF, 2);
    stack_set_esp(cpu, esp);
    cpu->eflags &= ~(EFL_IF | EFL_TF | EFL_AC | EFL_RF);
    seg_load_real(cpu, SEG_CS, (uint16_t)(vec >> 16));
    cpu->eip = cpu->next_eip = vec & 0xFFFF;
}

/* Push the frame for a gate whose target is at the same privilege. */
static void except_same(CPUState *cpu, const Desc *g, uint16_t csel,
                        Desc *cd, bool has_err, uint32_t err,
                        uint32_t ret_eip, uint32_t ext)
{
    unsigned sz = (desc_type(g) & 0x8) ? 4 : 2;
    uint32_t off = gate_off(g);
    if (off > desc_limit(cd))
        cpu_raise(cpu, EXC_GP, ext);
    uint32_t esp = cpu->regs[R_ESP];
    stack_push(cpu, &esp, cpu_get_eflags(cpu), sz);
    stack_push(cpu, &esp, cpu->seg[SEG_CS].sel, sz);
    stack_push(cpu, &esp, ret_eip, sz);
    if (has_err)
        stack_push(cpu, &esp, err, sz);
    stack_set_esp(cpu, esp);
    desc_set_accessed(cpu, csel, cd);
    seg_cache_fill(&cpu->seg[SEG_CS],
                   (uint16_t)((csel & ~3u) | cpu->cpl), cd);
    cpu->next_eip = off;
}

/* Gate to a more privileged level: new stack from the TSS; from V86 mode
 * the data segment registers are pushed and nulled (SDM vol. 3 6.12.1,
 * 20.3.1.1). */
static void except_inner(CPUState *cpu, const Desc *g, uint16_t csel,
                         Desc *cd, bool has_err, uint32_t err,
                         uint32_t ret_eip, uint32_t ext)
{
    unsigned dpl = desc_dpl(cd);
    bool from_v86 = cpu->vm86;
    if (from_v86 && dpl != 0)
        cpu_raise(cpu, EXC_GP, (csel & 0xFFFC) | ext);
    uint16_t ss_sel;
    uint32_t nesp;
    tss_stack(cpu, dpl, &ss_sel, &nesp, ext);
    SegCache nss;
    seg_check_ss(cpu, ss_sel, dpl, &nss, EXC_TS, ext);
    unsigned sz = (desc_type(g) & 0x8) ? 4 : 2;
    uint32_t off = gate_off(g);
    if (off > desc_limit(cd))
        cpu_raise(cpu, EXC_GP, ext);
    uint32_t serr = (ss_sel & 0xFFFC) | ext, e = nesp;
    if (from_v86) {
        sys_push(cpu, &nss, &e, cpu->seg[SEG_GS].sel, sz, serr, 0);
        sys_push(cpu, &nss, &e, cpu->seg[SEG_FS].sel, sz, serr, 0);
        sys_push(cpu, &nss, &e, cpu->seg[SEG_DS].sel, sz, serr, 0);
        sys_push(cpu, &nss, &e, cpu->seg[SEG_ES].sel, sz, serr, 0);
    }
    sys_push(cpu, &nss, &e, cpu->seg[SEG_SS].sel, sz, serr, 0);
    sys_push(cpu, &nss, &e, cpu->regs[R_ESP], sz, serr, 0);
    sys_push(cpu, &nss, &e, cpu_get_eflags(cpu), sz, serr, 0);
    sys_push(cpu, &nss, &e, cpu->seg[SEG_CS].sel, sz, serr, 0);
    sys_push(cpu, &nss, &e, ret_eip, sz, serr, 0);
    if (has_err)
        sys_push(cpu, &nss, &e, err, sz, serr, 0);
    if (from_v86) {
        seg_cache_null(&cpu->seg[SEG_ES], 0);
        seg_cache_null(&cpu->seg[SEG_DS], 0);
        seg_cache_null(&cpu->seg[SEG_FS], 0);
        seg_cache_null(&cpu->seg[SEG_GS], 0);
    }
    cpu->seg[SEG_SS] = nss;
    cpu->regs[R_ESP] = (nss.attr & SEG_ATTR_DB)
                           ? e
                           : (cpu->regs[R_ESP] & 0xFFFF0000u) | (e & 0xFFFF);
    cpu->eflags &= ~EFL_VM;
    desc_set_accessed(cpu, csel, cd);
    seg_cache_fill(&cpu->seg[SEG_CS], (uint16_t)((csel & ~3u) | dpl), cd);
    cpu->next_eip = off;
}

/* Interrupt through a task gate (SDM vol. 3 section 6.12.2): switch
 * tasks, then push the error code on the new task's stack. */
static void except_task(CPUState *cpu, const Desc *g, bool has_err,
                        uint32_t err, uint32_t ret_eip, uint32_t ext)
{
    uint16_t tsel = gate_sel(g);
    Desc t;
    if ((tsel & 4) || !desc_read(cpu, tsel, &t))
        cpu_raise(cpu, EXC_GP, (tsel & 0xFFFC) | ext);
    unsigned ty = desc_type(&t);
    if (ty != DT_TSS16_AVAIL && ty != DT_TSS32_AVAIL)
        cpu_raise(cpu, EXC_GP, (tsel & 0xFFFC) | ext);
    if (!desc_present(&t))
        cpu_raise(cpu, EXC_NP, (tsel & 0xFFFC) | ext);
    task_switch(cpu, tsel, &t, TASK_INT, ret_eip, ext);
    if (has_err)
        cpu_push(cpu, err, ty == DT_TSS32_AVAIL ? 4 : 2);
}

static bool except_gate_type_ok(unsigned ty)
{
    return ty == DT_TASK || ty == DT_INT16 || ty == DT_TRAP16 ||
           ty == DT_INT32 || ty == DT_TRAP32;
}

/* Protected-mode delivery through the IDT (SDM vol. 3 section 6.12). */
static void except_protected(CPUState *cpu, int vector, IntKind kind,
                             bool has_err, uint32_t err, uint32_t ret_eip)
{
    uint32_t ext = kind == INT_SOFTWARE ? 0 : 1;
    uint32_t gerr = (uint32_t)vector * 8 + 2 + ext;
    if ((uint32_t)vector * 8 + 7 > cpu->idtr.limit)
        cpu_raise(cpu, EXC_GP, gerr);
    Desc g;
    g.lo = cpu_ld_sys32(cpu, cpu->idtr.base + (uint32_t)vector * 8);
    g.hi = cpu_ld_sys32(cpu, cpu->idtr.base + (uint32_t)vector * 8 + 4);
    unsigned ty = desc_type(&g);
    if (!except_gate_type_ok(ty))
        cpu_raise(cpu, EXC_GP, gerr);
    if (kind == INT_SOFTWARE && desc_dpl(&g) < cpu->cpl)
        cpu_raise(cpu, EXC_GP, gerr);
    if (!desc_present(&g))
        cpu_raise(cpu, EXC_NP, gerr);
    if (ty == DT_TASK) {
        except_task(cpu, &g, has_err, err, ret_eip, ext);
        return;
    }
    uint16_t csel = gate_sel(&g);
    if ((csel & 0xFFFC) == 0)
        cpu_raise(cpu, EXC_GP, ext);
    Desc cd;
    desc_fetch(cpu, csel, &cd, EXC_GP, ext);
    if (!desc_is_code(&cd) || desc_dpl(&cd) > cpu->cpl)
        cpu_raise(cpu, EXC_GP, (csel & 0xFFFC) | ext);
    if (!desc_present(&cd))
        cpu_raise(cpu, EXC_NP, (csel & 0xFFFC) | ext);
    if (!desc_conforming(&cd) && desc_dpl(&cd) < cpu->cpl) {
        except_inner(cpu, &g, csel, &cd, has_err, err, ret_eip, ext);
    } else {
        if (cpu->vm86)
            cpu_raise(cpu, EXC_GP, (csel & 0xFFFC) | ext);
        except_same(cpu, &g, csel, &cd, has_err, err, ret_eip, ext);
    }
    cpu->eflags &= ~(EFL_TF | EFL_NT | EFL_VM | EFL_RF);
    if (!(ty & 1))
        cpu->eflags &= ~EFL_IF;
    cpu_update_mode(cpu);
}

/* ------------------------------------------------------------ fast path
 *
 * The common protected-mode case — a present 32-bit interrupt or trap gate
 * to a present, accessed, non-conforming code segment at the same or a
 * more privileged level, not from V86 mode, pushing on a 32-bit expand-up
 * stack (the TSS's on a privilege change), with every byte it reads or
 * writes already mapped by the software TLB on one page — done with direct
 * host accesses. When any of that does not hold it changes nothing and
 * returns false, and except_protected() does the whole delivery, raising
 * whatever exception is due. Every check of except_protected() on the
 * taken path is repeated here, so a successful fast delivery leaves
 * exactly the state the full one would (tests/guests/int_fast.asm covers
 * the fallbacks).
 */

/* Host address of the `size`-byte push area below `top` on the 32-bit
 * expand-up writable stack s (each push within the limit, no wrap), or
 * NULL. */
static uint8_t *except_fast_frame(CPUState *cpu, const SegCache *s,
                                  uint32_t top, unsigned size, int user)
{
    if ((s->attr & (SEG_ATTR_UNUSABLE | SEG_ATTR_DB | 0xE)) !=
            (SEG_ATTR_DB | 0x2) ||
        top < size || top - 1 > s->limit)
        return NULL;
    return mmu_tlb_ptr(cpu, s->base + top - size, size, ACC_WRITE, user);
}

static void except_fast_store(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

/* Write the frame [err] EIP CS EFLAGS [ESP SS] upwards from p. */
static void except_fast_push(CPUState *cpu, uint8_t *p, bool has_err,
                             uint32_t err, uint32_t ret_eip, bool outer)
{
    if (has_err) {
        except_fast_store(p, err);
        p += 4;
    }
    except_fast_store(p, ret_eip);
    except_fast_store(p + 4, cpu->seg[SEG_CS].sel);
    except_fast_store(p + 8, cpu_get_eflags(cpu));
    if (outer) {
        except_fast_store(p + 12, cpu->regs[R_ESP]);
        except_fast_store(p + 16, cpu->seg[SEG_SS].sel);
    }
}

/* SS for privilege dpl from the 32-bit TSS, checked as seg_check_ss()
 * does (and already accessed); false to take the full path. Records
 * where the slot and the descriptor were in c. */
static bool except_fast_tss_ss(CPUState *cpu, unsigned dpl, IntCache *c,
                               uint32_t *nesp)
{
    uint32_t off = 4 + dpl * 8, lin = cpu->tr.base + off;
    if (!(cpu->tr.attr & 0x8) || off + 7 > cpu->tr.limit)
        return false;
    const uint8_t *t = mmu_tlb_ptr(cpu, lin, 8, ACC_READ, 0);
    if (!t)
        return false;
    desc_ref_set(cpu, &c->tss, lin);
    uint16_t sel;
    memcpy(nesp, t, 4);
    memcpy(&sel, t + 4, 2);
    Desc d;
    if ((sel & 0xFFFC) == 0 || !desc_read_fast(cpu, sel, &d) ||
        (sel & 3) != dpl || desc_dpl(&d) != dpl ||
        (desc_type(&d) & 0x1A) != 0x12 || !desc_present(&d) ||
        !desc_accessed(&d))
        return false;
    desc_lin(cpu, sel, &lin);
    desc_ref_set(cpu, &c->ss, lin);
    c->ss_raw = (uint64_t)d.hi << 32 | d.lo;
    seg_cache_fill(&c->nss, sel, &d);
    return true;
}

/* Commit a delivery the checks of c allow: push the frame at p (below
 * the new ESP top `esp`), load CS (and SS for an inner one) from c. */
static inline void except_fast_commit(CPUState *cpu, const IntCache *c,
                                      uint8_t *p, uint32_t esp,
                                      unsigned size, bool has_err,
                                      uint32_t err, uint32_t ret_eip)
{
    except_fast_push(cpu, p, has_err, err, ret_eip, c->inner);
    if (c->inner)
        cpu->seg[SEG_SS] = c->nss;
    cpu->regs[R_ESP] = esp - size;
    cpu->seg[SEG_CS] = c->ncs;
    cpu->eflags &= ~(EFL_TF | EFL_NT | EFL_VM | EFL_RF);
    if (!c->trap)
        cpu->eflags &= ~EFL_IF;
    cpu_update_mode_pm(cpu);
    cpu->eip = cpu->next_eip = c->eip;
    cpu->xfer_fast = true;
    cpu->xfer_id = c->id;
}

/* Host address of the frame for c on the stack it uses, with that stack's
 * ESP top in *esp, or NULL. */
static uint8_t *except_fast_stack(CPUState *cpu, const IntCache *c,
                                  uint32_t *esp, unsigned size)
{
    if (c->inner)
        return except_fast_frame(cpu, &c->nss, *esp, size, 0);
    *esp = cpu->regs[R_ESP];
    return except_fast_frame(cpu, &cpu->seg[SEG_SS], *esp, size,
                             cpu->cpl == 3);
}

static unsigned except_cache_idx(int vector)
{
    return ((unsigned)vector ^ ((unsigned)vector >> 5)) % INT_CACHE_SIZE;
}

static bool except_fast(CPUState *cpu, int vector, IntKind kind,
                        bool has_err, uint32_t err, uint32_t ret_eip)
{
    uint32_t glin = cpu->idtr.base + (uint32_t)vector * 8;
    if (cpu->vm86 || (uint32_t)vector * 8 + 7 > cpu->idtr.limit)
        return false;
    const uint8_t *gp = mmu_tlb_ptr(cpu, glin, 8, ACC_READ, 0);
    if (!gp)
        return false;
    IntCache c = {0};
    Desc g, cd;
    memcpy(&g.lo, gp, 4);
    memcpy(&g.hi, gp + 4, 4);
    unsigned ty = desc_type(&g);
    if ((ty != DT_INT32 && ty != DT_TRAP32) || !desc_present(&g) ||
        (kind == INT_SOFTWARE && desc_dpl(&g) < cpu->cpl))
        return false;
    uint16_t csel = gate_sel(&g);
    uint32_t clin = 0;
    if ((csel & 0xFFFC) == 0 || !desc_read_fast(cpu, csel, &cd) ||
        !desc_is_code(&cd) || desc_conforming(&cd) || !desc_present(&cd) ||
        !desc_accessed(&cd) || desc_dpl(&cd) > cpu->cpl ||
        gate_off(&g) > desc_limit(&cd))
        return false;
    unsigned dpl = desc_dpl(&cd);
    c.inner = dpl < cpu->cpl;
    unsigned size = (has_err ? 16 : 12) + (c.inner ? 8 : 0);
    uint32_t esp = 0;
    if (c.inner && !except_fast_tss_ss(cpu, dpl, &c, &esp))
        return false;
    uint8_t *p = except_fast_stack(cpu, &c, &esp, size);
    if (!p)
        return false;
    desc_ref_set(cpu, &c.gate, glin);
    desc_lin(cpu, csel, &clin);
    desc_ref_set(cpu, &c.cs, clin);
    c.gate_raw = (uint64_t)g.hi << 32 | g.lo;
    c.cs_raw = (uint64_t)cd.hi << 32 | cd.lo;
    seg_cache_fill(&c.ncs, (uint16_t)((csel & ~3u) | dpl), &cd);
    c.eip = gate_off(&g);
    c.vector = (uint8_t)vector;
    c.cpl = cpu->cpl;
    c.trap = ty & 1;
    c.soft_ok = desc_dpl(&g) >= cpu->cpl;
    c.id = ++cpu->int_cache_ids;
    c.valid = true;
    IntCache *slot = &cpu->int_cache[except_cache_idx(vector)];
    *slot = c;
    except_fast_commit(cpu, slot, p, esp, size, has_err, err, ret_eip);
    return true;
}

/* ---------------------------------------------------- delivery cache
 *
 * except_fast() re-reads and re-checks the gate, the CS descriptor, the
 * TSS stack slot and the SS descriptor on every delivery: a chain of
 * dependent loads, each address coming from the bytes read before. After
 * a fast delivery, cpu->int_cache keeps for that vector and CPL where
 * those bytes were (DescRef), the bytes, and the segment caches they
 * gave. The next delivery through the vector at the same CPL checks that
 * the table registers still give the same linear addresses, that the TLB
 * still maps them to the same host bytes and that the bytes are the same
 * (loads whose addresses are all known up front): then each check of
 * except_fast() has the outcome it had, and the cached segment caches are
 * what it would fill. Nothing has to invalidate the cache: LIDT, LGDT,
 * LLDT, LTR, a task switch, a TLB change or a store to a descriptor shows
 * up as a mismatch, and except_fast() runs (and refills the entry).
 */
static bool except_cached(CPUState *cpu, int vector, IntKind kind,
                          bool has_err, uint32_t err, uint32_t ret_eip)
{
    const IntCache *c = &cpu->int_cache[except_cache_idx(vector)];
    uint32_t off = 4 + (c->ncs.sel & 3) * 8, clin, slin;
    uint64_t g, cd, t, sd;
    if (!c->valid || c->vector != vector || c->cpl != cpu->cpl ||
        cpu->vm86 || (kind == INT_SOFTWARE && !c->soft_ok) ||
        (uint32_t)vector * 8 + 7 > cpu->idtr.limit ||
        !desc_ref_read(&c->gate, cpu->idtr.base + (uint32_t)vector * 8,
                       &g) ||
        !desc_lin(cpu, c->ncs.sel, &clin) ||
        !desc_ref_read(&c->cs, clin, &cd) || g != c->gate_raw ||
        cd != c->cs_raw)
        return false;
    uint32_t esp = 0;
    if (c->inner) {
        if (!(cpu->tr.attr & 0x8) || off + 7 > cpu->tr.limit ||
            !desc_ref_read(&c->tss, cpu->tr.base + off, &t) ||
            !desc_lin(cpu, c->nss.sel, &slin) ||
            !desc_ref_read(&c->ss, slin, &sd) ||
            (uint16_t)(t >> 32) != c->nss.sel || sd != c->ss_raw)
            return false;
        esp = (uint32_t)t;
    }
    unsigned size = (has_err ? 16 : 12) + (c->inner ? 8 : 0);
    uint8_t *p = except_fast_stack(cpu, c, &esp, size);
    if (!p)
        return false;
    except_fast_commit(cpu, c, p, esp, size, has_err, err, ret_eip);
    return true;
}

void cpu_interrupt(CPUState *cpu, int vector, IntKind kind, bool has_err,
                   uint32_t err, uint32_t ret_eip)
{
    if (log_enabled(&cpu->vm->log, LOG_TRACE_INT))
        log_msg(&cpu->vm->log, LOG_TRACE_INT,
                "int: vector %#x kind %d err %#x at %04x:%08x\n", vector,
                (int)kind, err, cpu->seg[SEG_CS].sel, cpu->eip);
    cpu->halted = false;
    if (!cpu->pe) {
        except_real(cpu, vector, ret_eip);
        cpu->next_eip = cpu->eip;
        return;
    }
    if (except_cached(cpu, vector, kind, has_err, err, ret_eip) ||
        except_fast(cpu, vector, kind, has_err, err, ret_eip))
        return;
    except_protected(cpu, vector, kind, has_err, err, ret_eip);
    cpu->eip = cpu->next_eip;
}

/* SDM vol. 3 table 6-4: benign (0), contributory (1), page fault (2). */
static int except_class(int v)
{
    if (v == EXC_DE || (v >= EXC_TS && v <= EXC_GP))
        return 1;
    return v == EXC_PF ? 2 : 0;
}

bool cpu_deliver_pending(CPUState *cpu)
{
    int v = cpu->exc_vector;
    /* The faulting instruction did not complete: no debug traps for it. */
    cpu->dbg_pending = 0;
    cpu->dbg_tf_deferred = false;
    if (cpu->cur_exc >= 0) {
        int prev = cpu->cur_exc;
        int cp = except_class(prev), cn = except_class(v);
        if (prev == EXC_DF) {
            log_msg(&cpu->vm->log, LOG_GUEST_ERROR,
                    "cpu: triple fault (vector %d during #DF)\n", v);
            cpu->shutdown = true;
            cpu->cur_exc = -1;
            return false;
        }
        if ((cp == 1 && cn == 1) || (cp == 2 && cn != 0)) {
            v = EXC_DF;
            cpu->exc_error = 0;
            cpu->exc_has_error = true;
        }
    }
    cpu->cur_exc = v;
    cpu->exc_vector = v;
    /* Faults other than instruction breakpoints save RF=1 so that IRET
     * does not re-trigger a breakpoint on the restarted instruction (SDM
     * vol. 3 section 17.3.1.1, P6 and later); delivery clears it again. */
    if (v != EXC_DB && v != EXC_BP && v != EXC_OF && cpu->pe)
        cpu->eflags |= EFL_RF;
    cpu_interrupt(cpu, v, INT_EXCEPTION, cpu->exc_has_error && cpu->pe,
                  cpu->exc_error, cpu->eip);
    cpu->cur_exc = -1;
    return true;
}
