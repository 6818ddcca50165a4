/*
 * cpu_state.h — struct CPUState: everything architectural about one guest
 * x86 CPU (P6 family), shared by the reference tier (interp.c + exec_*.c),
 * the system model (seg.c, mmu.c, except.c, task.c), the x87/MMX unit and
 * the translator, which addresses these fields from generated code (keep
 * the hot fields — regs, eip, eflags, cc_* — at the start of the struct).
 *
 * Lazy flags (the six arithmetic flags CF PF AF ZF SF OF):
 *   cc_op says how to compute them. CC_OP_EFLAGS: they are in `eflags`
 *   as-is. Otherwise cc_op = CC_OP_<KIND>8 + size (size 0/1/2 = 8/16/32
 *   bits) and the flags are a pure function of (cc_op, cc_res, cc_op1,
 *   cc_op2) — plus eflags.CF for INC/DEC, which preserve CF:
 *     ADD: res = op1 + op2 (+ carry-in for ADC; carry-in is implied by
 *          res - op1 - op2, so ADC needs no extra field)
 *     SUB: res = op1 - op2 (- borrow for SBB; CMP, NEG with op1 = 0)
 *     LOGIC: res only (CF = OF = 0, AF = 0)
 *     INC/DEC: res = op1 +/- 1, op2 = 1, CF from eflags
 *     ADDN/SUBN: ADD/SUB without a carry-in, res not stored (it is
 *          op1 +/- op2); translated code leaves these, one store fewer
 *   The other bits of `eflags` (TF IF DF IOPL NT RF VM AC ID, bit 1) are
 *   always stored directly. Use cpu_get_eflags()/cpu_set_eflags() (flags.h)
 *   to see or replace the whole register. Generated code may either set
 *   cc_* the same way or compute flags eagerly and set cc_op = CC_OP_EFLAGS.
 *
 * Segment caches keep the descriptor's base, byte-granular limit and the
 * access-rights bits in SEG_ATTR_* layout (descriptor bits 40-47 in bits
 * 0-7, bits 52-55 — AVL, L, D/B, G — in bits 12-15, as in VMX "access
 * rights"). In real mode attr is SEG_ATTR_REALMODE (present data/code,
 * writable, DPL 0; CS keeps D=0).
 *
 * Exceptions: cpu_raise() (except.h) longjmps to cpu->jmp, set once per
 * interpreter slice; guest state then still describes the faulting
 * instruction (eip = its address), which makes exceptions precise.
 */
#ifndef X86BT_CPU_STATE_H
#define X86BT_CPU_STATE_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "frontend/cpu.h"
#include "frontend/fpu_state.h"

struct VM;
struct DecodeTable;

/* General registers, in ModRM encoding order. */
enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI };
/* Segment registers, in ModRM sreg encoding order. SEG_NONE: no override. */
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_COUNT };
#define SEG_NONE 0xFF

/* EFLAGS bits (SDM vol. 1 section 3.4.3). */
enum {
    EFL_CF = 1u << 0, EFL_FIXED1 = 1u << 1, EFL_PF = 1u << 2,
    EFL_AF = 1u << 4, EFL_ZF = 1u << 6, EFL_SF = 1u << 7,
    EFL_TF = 1u << 8, EFL_IF = 1u << 9, EFL_DF = 1u << 10,
    EFL_OF = 1u << 11, EFL_IOPL = 3u << 12, EFL_NT = 1u << 14,
    EFL_RF = 1u << 16, EFL_VM = 1u << 17, EFL_AC = 1u << 18,
    EFL_VIF = 1u << 19, EFL_VIP = 1u << 20, EFL_ID = 1u << 21,
};
#define EFL_ARITH (EFL_CF | EFL_PF | EFL_AF | EFL_ZF | EFL_SF | EFL_OF)
#define EFL_IOPL_SHIFT 12

/* Lazy-flag kinds; add the size index (0: 8, 1: 16, 2: 32 bits). */
enum {
    CC_OP_EFLAGS = 0,
    CC_OP_ADD8 = 1, CC_OP_SUB8 = 4, CC_OP_LOGIC8 = 7,
    CC_OP_INC8 = 10, CC_OP_DEC8 = 13, CC_OP_ADDN8 = 16, CC_OP_SUBN8 = 19,
    CC_OP_COUNT = 22,
};

/* CR0/CR4 bits (SDM vol. 3 section 2.5). */
enum {
    CR0_PE = 1u << 0, CR0_MP = 1u << 1, CR0_EM = 1u << 2, CR0_TS = 1u << 3,
    CR0_ET = 1u << 4, CR0_NE = 1u << 5, CR0_WP = 1u << 16,
    CR0_AM = 1u << 18, CR0_NW = 1u << 29, CR0_CD = 1u << 30,
    CR0_PG = 1u << 31,
};
enum {
    CR4_VME = 1u << 0, CR4_PVI = 1u << 1, CR4_TSD = 1u << 2,
    CR4_DE = 1u << 3, CR4_PSE = 1u << 4, CR4_PAE = 1u << 5,
    CR4_MCE = 1u << 6, CR4_PGE = 1u << 7, CR4_PCE = 1u << 8,
    CR4_OSFXSR = 1u << 9, CR4_OSXMMEXCPT = 1u << 10,
};

/* Exception vectors (SDM vol. 3 table 6-1). */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4,
    EXC_BR = 5, EXC_UD = 6, EXC_NM = 7, EXC_DF = 8, EXC_TS = 10,
    EXC_NP = 11, EXC_SS = 12, EXC_GP = 13, EXC_PF = 14, EXC_MF = 16,
    EXC_AC = 17, EXC_MC = 18, EXC_XM = 19,
};

/* Segment access rights (see header comment). */
enum {
    SEG_ATTR_TYPE = 0x0F,  /* bit 0 accessed, 1 W/R, 2 E/C, 3 code */
    SEG_ATTR_S = 1u << 4,  /* code/data (1) or system (0) */
    SEG_ATTR_DPL_SHIFT = 5,
    SEG_ATTR_DPL = 3u << 5,
    SEG_ATTR_P = 1u << 7,
    SEG_ATTR_AVL = 1u << 12,
    SEG_ATTR_DB = 1u << 14,
    SEG_ATTR_G = 1u << 15,
    SEG_ATTR_UNUSABLE = 1u << 16, /* null selector loaded (pmode) */
};
/* Present, S=1, read/write data, accessed: what real mode leaves behind. */
#define SEG_ATTR_REALMODE (SEG_ATTR_P | SEG_ATTR_S | 0x3)

typedef struct SegCache {
    uint16_t sel;
    uint32_t base;
    uint32_t limit; /* byte granular (G already applied) */
    uint32_t attr;  /* SEG_ATTR_* */
} SegCache;

typedef struct DescTable {
    uint32_t base;
    uint16_t limit;
} DescTable;

/*
 * Software TLB (owned by mmu.c). Direct-mapped, indexed by bits 21:12 of
 * the linear address, one array per privilege (0 = supervisor, 1 = user:
 * CPL 3). A tag is the page-aligned linear address when the page may be
 * accessed that way through the fast path, else TLB_TAG_INVALID. On a hit
 * the host address is lin + addend (addend = host page - linear page).
 * Inline fast paths check (lin & ~0xFFF) == tag and that the access does
 * not cross the page.
 */
#define TLB_BITS 10
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_TAG_INVALID 1u
#define TLB_NSLOT 4
#define TLB_SITE_PART 1024
#define TLB_NSITE (4 * TLB_SITE_PART)
/* Sign-extended from the imm32 0x80000000 that generated code stores. */
#define TLB_SLOT_INVALID 0xFFFFFFFF80000000ull
typedef struct TlbEntry {
    uint32_t tag_read, tag_write, tag_code;
    uintptr_t addend;
    uintptr_t pad; /* 32 bytes: translated code indexes with a shift */
} TlbEntry;
typedef struct SoftTlb {
    TlbEntry e[2][TLB_SIZE];
    bool global[2][TLB_SIZE]; /* entry came from a global page (CR4.PGE) */
    /* The indices of the entries filled since the last flush, so that
     * flushes (every MOV CR3) and scans touch those only: used[u][0..
     * nused[u]) lists each index once (listed[u][i]); an entry cleared
     * by INVLPG may stay listed. ready: the lists describe the array
     * (false until the first full clear). */
    uint16_t used[2][TLB_SIZE];
    uint32_t nused[2];
    bool listed[2][TLB_SIZE];
    bool ready;
    bool has_large;           /* some entry came from a 4 MB / 2 MB page */
    uint32_t map_gen;         /* vm->mem.map_gen when last flushed */
    /* Copies of entries kept by the other accesses of translated
     * self-loops (translator/loop.c, "slots"): the page of the access's
     * first byte (above 4 GB: none, TLB_SLOT_INVALID) and the entry's
     * addend. Valid only while that loop runs: the loop's
     * normal entry and every return from C inside it invalidate them. */
    struct {
        uint64_t page;
        uintptr_t addend;
    } slot[TLB_NSLOT];
    /* Per-access-site copies of entries for translated code outside
     * self-loops (translator/emit_mem.c "site copies"): key = the page
     * of the access's first byte + site_gen, addend. site_gen (a count
     * in bits 32-63, never 0) grows at every event that removes or
     * narrows a translation (flushes, INVLPG, a page becoming code),
     * which makes every older copy miss. Sites are split by privilege
     * and access kind (TLB_SITE_PART each: user, write). */
    uint64_t site_gen;
    struct {
        uint64_t key;
        uintptr_t addend;
    } site[TLB_NSITE];
} SoftTlb;

/*
 * Caches of the INT and IRET fast paths (except.c, seg.c). A DescRef is
 * where a fast path read descriptor-table bytes: their linear address,
 * the supervisor TLB entry that mapped it and that entry's addend. While
 * the entry keeps that tag and addend the bytes are at addend + lin, as
 * a TLB probe would find them; the caches also keep the bytes themselves
 * and compare them on every use, so no event needs to invalidate them.
 */
typedef struct DescRef {
    const TlbEntry *te;
    uintptr_t addend;
    uint32_t lin;
} DescRef;

/* One interrupt delivery through a vector at a CPL (except.c): the gate,
 * the target CS descriptor and, for a privilege change, the TSS stack
 * slot and the SS descriptor, with the segment caches they give. */
typedef struct IntCache {
    DescRef gate, cs, tss, ss;
    uint64_t gate_raw, cs_raw, ss_raw;
    SegCache ncs, nss;
    uint32_t eip;       /* the gate's offset */
    uint8_t vector, cpl;
    bool valid, inner;  /* inner: to a more privileged level (TSS stack) */
    bool trap;          /* trap gate: IF is kept */
    bool soft_ok;       /* gate DPL >= CPL: INT n may use it */
    uint64_t id;        /* this fill's number (CPUState.int_cache_ids) */
} IntCache;
#define INT_CACHE_SIZE 32

/* The last IRET at a CPL (seg.c): the popped CS selector and its
 * descriptor, and for a return to an outer level the popped SS. */
typedef struct IretCache {
    DescRef cs, ss;
    uint64_t cs_raw, ss_raw;
    SegCache ncs, nss;
    bool valid, outer;
    uint64_t id;        /* this fill's number (CPUState.int_cache_ids) */
} IretCache;

#define MSR_MTRR_COUNT 32

typedef struct CpuMsrs {
    uint32_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t apic_base;
    uint64_t tsc_offset;           /* guest TSC = clock ticks + offset */
    uint64_t mtrr_cap, mtrr_def_type;
    uint64_t mtrr_fixed[11];       /* 64K_00000, 16K_80000/A0000, 4K x8 */
    uint64_t mtrr_var[16];         /* PHYSBASE/PHYSMASK pairs 0..7 */
    uint64_t misc[MSR_MTRR_COUNT]; /* spare slots for other MSRs */
    uint64_t mcg_status;
    uint64_t bios_sign_id;
} CpuMsrs;

/* Signature of a semantic handler (exec_*.c); see decode.h. */
struct DecodedInsn;
typedef void (*ExecFn)(struct CPUState *cpu, const struct DecodedInsn *d);

struct CPUState {
    /* --- hot: touched by every instruction and by generated code --- */
    uint32_t regs[8];
    uint32_t eip;      /* offset in CS of the current instruction */
    uint32_t next_eip; /* set before a handler runs: eip + length */
    uint32_t eflags;   /* non-arithmetic bits always; arithmetic if CC_OP_EFLAGS */
    uint32_t cc_op;
    uint32_t cc_res, cc_op1, cc_op2;
    SegCache seg[SEG_COUNT];
    SoftTlb tlb;

    /* --- mode cache, recomputed by cpu_update_mode() --- */
    uint8_t cpl;
    bool pe, vm86, code32, stack32, paging;
    uint32_t a20_mask; /* copy of vm->a20_mask (low 32 bits) */

    /* --- system registers --- */
    SegCache ldtr, tr;
    DescTable gdtr, idtr;
    uint32_t cr0, cr2, cr3, cr4;
    uint32_t dr[8];
    CpuMsrs msr;

    /* --- execution state --- */
    volatile int kick;      /* cpu_kick(): leave the slice at a boundary */
    bool halted;
    bool intr_shadow;       /* STI / MOV SS / POP SS: block one boundary */
    bool nmi_blocked;       /* between NMI delivery and IRET */
    /* Set by the INT/IRET fast paths (except.c, seg.c) when they changed
     * no segment register but CS and SS, and neither PE, paging nor VM86;
     * the translation tier clears it before such an instruction's handler
     * and, when set after it, recomputes only those mode bits. */
    bool xfer_fast;
    /* The IntCache or IretCache fill (its id) the last fast INT or IRET
     * committed from: the same id means the same target CS (and EIP for
     * INT), SS and mode. The translation tier clears it before INT n and
     * IRET and chains on it (docs/JIT.md). Ids count up from 1 and are
     * never reused. */
    uint64_t xfer_id;
    uint64_t int_cache_ids;
    int cur_exc;            /* vector being delivered, -1 if none */
    int exc_depth;          /* nested deliveries (double/triple fault) */
    int exc_vector;         /* last raised exception (cpu_raise) */
    uint32_t exc_error;
    bool exc_has_error;
    bool exc_exit;          /* tests/debugger: stop instead of delivering */
    bool shutdown;          /* triple fault happened */
    uint32_t dbg_pending;   /* DR6.Bn of data breakpoints hit (debug.c) */
    bool dbg_tf_deferred;   /* single-step held by MOV SS / POP SS */
    uint64_t insn_count;    /* retired; see cpu_insn_count() for "now" */
    /* Instructions retired but not yet added to insn_count (the
     * translation tier counts a run of blocks at its end); NULL: none. */
    uint64_t (*insn_pending)(void *opaque);
    void *insn_pending_opaque;
    uint64_t tsc_base;      /* TSC value at insn_count 0 (see exec_misc.c) */

    FpuState fpu;

    /* INT/IRET fast-path caches (except.c, seg.c; self-checking). */
    IntCache int_cache[INT_CACHE_SIZE];
    IretCache iret_cache[4]; /* by CPL */

    struct VM *vm;
    const struct DecodeTable *dtab;
    struct Disasm *disasm;  /* opened on the first -trace insn line */
    struct InterpDecodeCache *dcache; /* reference tier's (interp.c) */
    jmp_buf jmp;
};

#endif
