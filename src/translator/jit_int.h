/*
 * jit_int.h — what the translator's files share: per-cache translator
 * state, the block builder, offsets of CPUState fields used by generated
 * code and the fixed host registers.
 *
 * Host register use inside generated code (see docs/JIT.md):
 *   rbx  CPUState *            (callee-saved, fixed)
 *   r12  instruction budget    (callee-saved; CodeCache.budget outside)
 *   r13  value to store / result        \ callee-saved temporaries that
 *   r14  effective address / host addr  | survive slow-path helper calls
 *   r15  first operand                  |
 *   rbp  second operand; TLB index     /
 *   rax  scratch, helper results
 *   r8 rcx rdx r9 r10 r11 rsi rdi  guest EAX ECX EDX EBX ESP EBP ESI EDI
 * The eight guest registers are pinned in host registers for the whole
 * time generated code runs: `enter` loads them from CPUState, the exit
 * path stores them back, and every call into C is bracketed by the
 * spill/fill trampolines (spill also stores the budget and cc->cur_tb),
 * so a helper, and a guest exception raised by one, sees CPUState
 * exactly as at the instruction being executed.
 */
#ifndef X86BT_JIT_INT_H
#define X86BT_JIT_INT_H

#include <capstone/capstone.h>
#include <stddef.h>

#include "codecache/codecache.h"
#include "frontend/cpu_state.h"
#include "frontend/decode.h"
#include "translator/x64_asm.h"

#define JIT_REG_CPU X64_RBX
#define JIT_REG_BUDGET X64_R12
#define JIT_REG_VAL X64_R13
#define JIT_REG_EA X64_R14
#define JIT_REG_OP1 X64_R15
#define JIT_REG_OP2 X64_RBP
/* The induction-form loop copy (loop.c): bound and addend, kept across
 * iterations in two of the temporaries. */
#define JIT_REG_LEND X64_R15
#define JIT_REG_LADD X64_RBP

#define JIT_MAX_INSNS 64
#define JIT_MAX_STUBS (3 * JIT_MAX_INSNS + 8)
/* Code memory that must be free before a block is started. */
#define JIT_BLOCK_RESERVE 16384

/* Mode bits of the lookup key (besides phys, EIP and CS base). */
enum {
    JIT_F_CPL = 3u << 0,
    JIT_F_CODE32 = 1u << 2,
    JIT_F_STACK32 = 1u << 3,
    JIT_F_PE = 1u << 4,
    JIT_F_VM86 = 1u << 5,
    JIT_F_PAGING = 1u << 6,
    JIT_F_FASTSEG_SHIFT = 8, /* one bit per segment: fast path allowed */
    JIT_F_FLATSEG_SHIFT = 16, /* ... and base 0, limit 4 GB: no checks */
};

/* Offsets of CPUState fields addressed from generated code. */
#define OFF_REG(n) ((int32_t)(offsetof(CPUState, regs) + 4 * (n)))
#define OFF_REG8(n) ((int32_t)(OFF_REG((n) & 3) + (((n) >> 2) & 1)))
#define OFF_EIP ((int32_t)offsetof(CPUState, eip))
#define OFF_NEXT_EIP ((int32_t)offsetof(CPUState, next_eip))
#define OFF_XFER_FAST ((int32_t)offsetof(CPUState, xfer_fast))
#define OFF_XFER_ID ((int32_t)offsetof(CPUState, xfer_id))
#define OFF_EFLAGS ((int32_t)offsetof(CPUState, eflags))
#define OFF_CC_OP ((int32_t)offsetof(CPUState, cc_op))
#define OFF_CC_RES ((int32_t)offsetof(CPUState, cc_res))
#define OFF_CC_OP1 ((int32_t)offsetof(CPUState, cc_op1))
#define OFF_CC_OP2 ((int32_t)offsetof(CPUState, cc_op2))
#define OFF_KICK ((int32_t)offsetof(CPUState, kick))
#define OFF_SEG_BASE(s)                                                     \
    ((int32_t)(offsetof(CPUState, seg) + (s) * sizeof(SegCache) +          \
               offsetof(SegCache, base)))
#define OFF_SEG_LIMIT(s)                                                    \
    ((int32_t)(offsetof(CPUState, seg) + (s) * sizeof(SegCache) +          \
               offsetof(SegCache, limit)))
#define OFF_TLB(user)                                                       \
    ((int32_t)(offsetof(CPUState, tlb) +                                    \
               (user) * TLB_SIZE * sizeof(TlbEntry)))
#define OFF_CC_BUDGET ((int32_t)offsetof(CodeCache, budget))
#define OFF_CC_CUR_TB ((int32_t)offsetof(CodeCache, cur_tb))
#define OFF_CC_SMC ((int32_t)offsetof(CodeCache, smc_flag))

/* Flag state known at translation time (for fusing CMP + Jcc). */
typedef enum JitFlagKind {
    JIT_FK_UNKNOWN, JIT_FK_ADD, JIT_FK_SUB, JIT_FK_LOGIC, JIT_FK_INC,
    JIT_FK_DEC,
} JitFlagKind;

/* Out-of-line exit stubs emitted after the block body. */
typedef enum JitStubKind {
    JIT_STUB_BUDGET, /* block entry, budget short: refund it all, leave */
    JIT_STUB_AFTER,  /* after instruction idx: leave at its next EIP */
    JIT_STUB_NEXT,   /* after instruction idx: leave at cpu->next_eip */
} JitStubKind;

/* A TLB-miss slow path, emitted after the body (out of line): the fast
 * path falls through, the slow one jumps back to `resume`. */
typedef struct JitSlow {
    size_t site[2];      /* jcc sites to the slow path (SIZE_MAX: none) */
    size_t resume;       /* code offset to continue at */
    DecodedInsn *dcopy;  /* the instruction (rmw helpers) */
    uint32_t eip, next_eip;
    unsigned idx;
    uint8_t seg, size;
    bool store, rmw;
    bool check;          /* store: may write code (not CALL's push) */
    bool smc_here;       /* ... check SMC in the slow path itself */
    bool is_imm;         /* ... of the immediate imm, not r13d */
    uint32_t imm;
    bool pend;           /* materialize a deferred shift's flags first */
    uint8_t pend_op, pend_count;
    bool loopflags;      /* ... or the self-loop compare's (loop.c) */
    int8_t dst;          /* load: host register receiving the value */
    bool sign;           /* ... sign-extended (else zero-extended) */
    bool lcache;         /* invalidate the self-loop's TLB copy first */
    size_t refill;       /* jcc site to the copy's refill (0: none) */
    size_t refill_resume; /* ... which continues here on a TLB hit */
    int tag_off;         /* ... probing this TlbEntry tag */
    int32_t copy_key;    /* refill of the copy (slot or site) whose key
                          * is at this CPUState offset (0: none) */
    bool copy_gen;       /* ... a site copy: the key has site_gen in it */
} JitSlow;

typedef struct JitStub {
    size_t site;       /* rel32 of the jcc that goes to the stub */
    JitStubKind kind;
    uint32_t eip;      /* BUDGET: block EIP; AFTER: next EIP */
    unsigned idx;      /* instruction index (AFTER/NEXT) */
    bool loopflags;    /* materialize the self-loop compare's flags */
} JitStub;

/* Per-block data kept in side memory: instruction boundaries for precise
 * exception recovery (and the explain trace). */
typedef struct JitBlockInfo {
    uint32_t ninsn;
    uint32_t eip[JIT_MAX_INSNS];
} JitBlockInfo;

typedef struct JitState JitState;

/* Why generated code returned to the dispatcher (-trace info). A helper
 * returning js->exit0 records its reason; a stub leaves the default. */
typedef enum JitExitWhy {
    JIT_EXIT_STUB,        /* privileged insn, SMC, redirected next_eip */
    JIT_EXIT_BUDGET,      /* budget used up (or parked by a kick) */
    JIT_EXIT_DIRECT,      /* direct exit not chained, same guest page */
    JIT_EXIT_DIRECT_PAGE, /* ... to another guest page */
    JIT_EXIT_NOTLB,       /* lookup: no TLB code entry (or not RAM) */
    JIT_EXIT_MISS,        /* lookup: no block for the key yet */
    JIT_EXIT_KICK,        /* lookup: kick pending */
    JIT_EXIT_MODE_CHECK,  /* after INT/IRET/far: dispatcher rules apply */
    JIT_EXIT_COUNT
} JitExitWhy;

typedef struct JitStats {
    uint64_t exits[JIT_EXIT_COUNT];
    uint64_t lookup_near, lookup_mode; /* lookups from generated code */
    uint64_t xfer_recs;   /* INT/IRET successors recorded (JitXferRec) */
    uint64_t interp;      /* boundaries handed to the reference tier */
} JitStats;

typedef struct BlockBuilder {
    JitState *js;
    CPUState *cpu;
    CodeCache *cc;
    TBlock *tb;
    X64Asm a;
    uint32_t flags;
    bool code32, user;
    /* The instruction being translated. */
    const DecodedInsn *d;
    DecodedInsn *dcopy;   /* its copy in side memory, for helper calls */
    uint32_t eip, next_eip;
    unsigned idx;          /* index in the block */
    bool ended;            /* the instruction ended the block */
    JitFlagKind fk;        /* what the last flag writer in the block was */
    unsigned hf_at;        /* idx + 1 of the insn that left the guest
                            * flags in host EFLAGS (0: none) */
    bool store_ends;       /* the store being emitted ends the block */
    bool smc_tail;         /* a slow-path store was emitted: check SMC at
                            * the end of the instruction */
    bool store_last;       /* the store being emitted ends its instruction */
    bool store_is_imm;     /* ... stores store_imm rather than r13d */
    uint32_t store_imm;
    unsigned fk_size;
    size_t budget_imm;     /* offset of the entry's budget immediate */
    JitStub stubs[JIT_MAX_STUBS];
    unsigned nstubs;
    JitSlow slows[JIT_MAX_STUBS];
    unsigned nslows;
    uint32_t insn_eip[JIT_MAX_INSNS];
    DecodedInsn *insns[JIT_MAX_INSNS];     /* pre-decoded block */
    uint32_t insn_next[JIT_MAX_INSNS];
    bool flags_dead[JIT_MAX_INSNS];        /* see flags.c */
    uint8_t flags_defer[JIT_MAX_INSNS];    /* k + 1: see flags.c */
    unsigned ninsn;        /* instructions in the block */
    bool loop;             /* self-loop with a pending compare (loop.c) */
    bool loop_pending;     /* ... whose flags are not stored now */
    unsigned loop_k, loop_op, loop_reg;
    size_t loop_entry;     /* offset of E1 (0: none) */
    uint32_t loop_imm;
    bool loop_cache;       /* ... whose only memory access, in [0, k),
                            * probes a copy of its TLB entry (loop.c) */
    bool lc_ind;           /* ... in its induction form: [r + disp], r
                            * stepped by one ADD (loop.c) */
    unsigned lc_ind_reg;   /* ... r */
    int lc_step_reg;       /* ... the step's register (-1: immediate) */
    size_t lc_refill, lc_resume; /* its refill site (emit_mem.c) */
    int lc_tag_off;
    bool lslots;           /* self-loop whose accesses probe TLB slots
                            * (cpu->tlb.slot, loop.c) */
    unsigned lslot_next;   /* ... the next access's slot */
    size_t lslot_entry;    /* ... offset of the entry after the
                            * invalidation, where its back edge chains */
    int32_t copy_key;      /* the access being emitted probes the copy
                            * (slot or site) with its key here (0: none) */
    bool copy_gen;         /* ... a site copy */
    bool pend;             /* a deferred shift's flags are pending ... */
    uint8_t pend_op, pend_count;
    unsigned pend_end;     /* ... until instruction pend_end - 1 */
    uint32_t insn_code[JIT_MAX_INSNS + 1]; /* host offset of each insn */
    bool insn_inline[JIT_MAX_INSNS];
} BlockBuilder;

/* The translator's state for one code cache (cc->owner). */
struct JitState {
    CodeCache *cc;
    CPUState *cpu;
    /* X86BT_PERF_MAP: /tmp/perf-<pid>.map, one line per block and
     * trampoline, so that `perf report` names generated code. */
    FILE *perf_map;
    /* Trampolines at the start of code memory (re-emitted after flush):
     * enter(cpu, cc, code) runs generated code and returns what the exit
     * path left in rax; epilogue is that exit path; exit0 is
     * "xor eax, eax; jmp epilogue" for the indirect-branch lookup. */
    uintptr_t enter, epilogue, exit0;
    /* spill: store the pinned guest registers to CPUState, r12 to
     * cc->budget and rax to cc->cur_tb; fill: reload the registers.
     * Both are `call`ed around every helper call. */
    uintptr_t spill, fill;
    /* cond: host flags = the guest's from the lazy state (emit_cond.c) */
    uintptr_t cond;
    /* jc_probe[user]: near indirect branches of flat-CS blocks (block.c
     * jit_emit_jc_probe): the jump cache probed inline, else the C
     * lookup. */
    uintptr_t jc_probe[2];
    /* arith: eax = the six arithmetic flags as EFL_* bits (emit_cond.c) */
    uintptr_t arith;
    int64_t parked_budget; /* budget set aside by a kick (fill) */
    bool bmi2;             /* host has BMI2 (RORX in the TLB probe) */
    bool no_sites;         /* X86BT_JIT_NO_SITES: no site copies */
    /* The next site copy of each part (user * 2 + write), handed out
     * round-robin: two accesses sharing one only miss more. */
    unsigned site_next[4];
    uint32_t a20_mask;     /* A20 state the cache was built with */
    uint32_t map_gen;      /* memory-map generation ditto */
    uintptr_t last_exit;   /* TBlock * | slot of the last direct exit */
    int64_t run_budget;    /* budget when generated code was entered */
    bool in_native;        /* generated code is running (for recovery) */
    JitExitWhy exit_why;   /* reason of the current exit to the dispatcher */
    bool exit_low_budget;  /* ... budget below one block when it left */
    JitStats stats;
    bool cs_ready;         /* Capstone handles open (explain mode) */
    csh cs_host, cs_guest16, cs_guest32;
    BlockBuilder builder;  /* scratch for the block being translated */
};

/* flags.c: which inline flag writers may skip their cc_* stores. */
void jit_flags_liveness(const DecodedInsn *const *insns, unsigned n,
                        bool *dead, uint8_t *defer);

/* block.c */
TBlock *jit_translate(JitState *js, uint64_t phys, uint32_t eip,
                      uint32_t flags);
uint32_t jit_mode_flags(const CPUState *cpu);
/* jit_mode_flags() after an INT/IRET fast path (cpu->xfer_fast) that ran
 * in a block with mode bits `prev`: ES/DS/FS/GS, PE, paging and VM86 did
 * not change, so their bits are taken from prev; CPL, code and stack size
 * and the SS bits are recomputed. */
uint32_t jit_mode_flags_xfer(const CPUState *cpu, uint32_t prev);
void jit_emit_trampolines(JitState *js);

/* Emission helpers shared by emit_*.c (block.c). */
void jit_emit_store_eip(BlockBuilder *b);
/* A call into C: cpu->eip = this instruction, pinned registers spilled
 * (call_begin), then the caller loads the arguments and calls; fill
 * reloads the pinned registers (call_end; rax is kept). */
void jit_emit_call_begin(BlockBuilder *b);
void jit_emit_helper_call(BlockBuilder *b, uintptr_t fn);
void jit_emit_call_end(BlockBuilder *b);
void jit_emit_row_handler_call(BlockBuilder *b);

void jit_emit_stub_jcc(BlockBuilder *b, X64Cond cc, JitStubKind kind);
void jit_emit_direct_exit(BlockBuilder *b, unsigned slot, uint32_t target);
/* The stub of direct exit `slot` whose jmp/jcc rel32 is at site. */
void jit_emit_exit_stub(BlockBuilder *b, unsigned slot, uint32_t target,
                        size_t site);
void jit_emit_indirect_exit(BlockBuilder *b);
void jit_emit_smc_check(BlockBuilder *b);
bool jit_seg_fast(const BlockBuilder *b, unsigned seg);
bool jit_seg_flat(const BlockBuilder *b, unsigned seg);

/* flags.c: writes all six flags, reads none, cannot fault (register
 * forms), translated inline. */
bool jit_flags_full_writer(const DecodedInsn *d);

/* loop.c: self-loop blocks whose closing compare's flags are not stored
 * on the back edge. detect: after liveness; producer: the compare
 * (false if this is not it); loop_flags: store them into CPUState
 * (clobbers rax); loop_entry: the second entry, before insn loop_k. */
void jit_loop_detect(BlockBuilder *b, unsigned n);
bool jit_emit_loop_producer(BlockBuilder *b);
void jit_emit_loop_flags(BlockBuilder *b);
void jit_emit_loop_entry(BlockBuilder *b);
/* emit_mem.c: the single access of a loop_cache self-loop. */
#define OFF_SLOT_PAGE(i)                                                    \
    ((int32_t)(offsetof(CPUState, tlb) + offsetof(SoftTlb, slot) +         \
               (i) * 16))
#define OFF_SLOT_ADDEND(i) (OFF_SLOT_PAGE(i) + 8)
#define OFF_SITE_GEN                                                        \
    ((int32_t)(offsetof(CPUState, tlb) + offsetof(SoftTlb, site_gen)))
#define OFF_SITE_KEY(i)                                                     \
    ((int32_t)(offsetof(CPUState, tlb) + offsetof(SoftTlb, site) +         \
               (i) * 16))
#define OFF_SITE_ADDEND(i) (OFF_SITE_KEY(i) + 8)
/* loop.c: the TLB slots of a self-loop (lslots). detect: after the
 * predecode; invalidate: mark all TLB_NSLOT invalid (4 stores, no
 * registers or flags touched). */
bool jit_lslots_detect(const BlockBuilder *b, unsigned n);
void jit_emit_lslots_invalidate(BlockBuilder *b);

/* emit_reg.c: pinned guest registers. jit_hreg(n) is the host register
 * holding guest register n (0-7, ModRM order). get: zero-extended value of
 * the size-1/2/4 register n (size 1: AL..BL, AH..BH) into dst. set: write
 * the low `size` bytes of src to guest register n, keeping the rest (an
 * 8-bit high register clobbers rax and host flags). */
int jit_hreg(unsigned n);
void jit_get_reg(BlockBuilder *b, unsigned size, int dst, unsigned n);
void jit_set_reg(BlockBuilder *b, unsigned size, unsigned n, int src);
/* Is guest register n of this size directly a host register operand
 * (4 bytes, or 2 bytes: 16-bit host form)? */
bool jit_reg_direct(unsigned size, unsigned n);

/* emit_mem.c: effective address and inline-TLB memory accesses.
 * EA (offset in the segment) is computed into r14d. */
void jit_emit_ea(BlockBuilder *b);
/* ... into another 32-bit host register (LEA to a pinned register). */
void jit_emit_ea_to(BlockBuilder *b, int dst);
/* Load `size` bytes at seg:r14d into eax (zero-extended). rmw: probe as
 * a write (leaves the host address in r14, or 0 after the slow path). */
void jit_emit_load(BlockBuilder *b, unsigned seg, unsigned size, bool rmw);
/* Load `size` bytes at seg:r14d straight into the 32-bit host register
 * dst, zero- or sign-extended (MOV/MOVZX/MOVSX to a 32-bit register). */
void jit_emit_load_to(BlockBuilder *b, unsigned seg, unsigned size, int dst,
                      bool sign);
/* Store r13d to seg:r14d; after an rmw load, store to the same place. */
void jit_emit_store(BlockBuilder *b, unsigned seg, unsigned size, bool rmw);
/* After an instruction whose store took the slow path (r14 = 0), leave
 * at the next instruction if guest code was invalidated. */
void jit_emit_smc_tail(BlockBuilder *b);
/* The deferred TLB-miss slow paths, after the body (block.c calls it). */
void jit_emit_slow_paths(BlockBuilder *b);

/* emit_*.c: inline translations; return false to fall back to a helper
 * call (nothing emitted in that case). */
bool jit_emit_alu(BlockBuilder *b);
bool jit_emit_mov(BlockBuilder *b);
bool jit_emit_stack(BlockBuilder *b);
bool jit_emit_branch(BlockBuilder *b);
bool jit_row_jcc(unsigned row);
bool jit_emit_shift(BlockBuilder *b);
/* MUL/IMUL with their flags, SETcc (emit_muldiv.c). */
bool jit_emit_muldiv(BlockBuilder *b);
/* ADC/SBB, 32-bit, register destination (emit_carry.c). */
bool jit_emit_carry(BlockBuilder *b);
/* Slow paths between a deferred shift and the instruction overwriting
 * its flags: compute them from r15 (the operand) into eflags, so that a
 * fault there sees them (emit_shift.c; clobbers rax, rbp, host flags). */
void jit_emit_pending_flags(BlockBuilder *b, unsigned op, unsigned count);
#define JIT_PEND_CL 0xFF /* pend_count: the count is in CL */
/* Set host flags so that `jcc <returned cond>` is guest condition cc,
 * replaying the block's last flag writer when known (emit_branch.c). */
X64Cond jit_emit_cond(BlockBuilder *b, unsigned cc);
/* emit_cond.c: the shared `cond` and `arith` trampolines (emitted with
 * the others); cond_lazy: call `cond`, host flags then hold the guest's
 * (returns cc); cond_incdec: replay a lazy INC/DEC of size sz (clobbers
 * rax). */
void jit_emit_cond_trampolines(JitState *js, X64Asm *a);
X64Cond jit_emit_cond_lazy(BlockBuilder *b, unsigned cc);
void jit_emit_cond_incdec(X64Asm *a, bool dec, unsigned sz);
/* Push an immediate (size 2 or 4) as PUSH/CALL do (emit_stack.c). */
void jit_emit_push_value(BlockBuilder *b, unsigned size, uint32_t value,
                         bool ends);

/* helpers.c: C functions called from generated code. */
uintptr_t jit_helper_lookup(CPUState *cpu, CodeCache *cc);
/* The block at CS:EIP with mode bits `flags`, or NULL when the dispatcher
 * must decide (no TLB code entry, code outside RAM, not translated yet;
 * js->exit_why says which); jit_lookup_flags: its host code, or
 * js->exit0. */
TBlock *jit_lookup_block(CPUState *cpu, CodeCache *cc, uint32_t flags);
uintptr_t jit_lookup_flags(CPUState *cpu, CodeCache *cc, uint32_t flags);
/* jit.c: the same after INT/IRET/far transfers: the mode bits are
 * recomputed and the dispatcher's boundary checks applied first. */
uintptr_t jit_helper_lookup_mode(CPUState *cpu, CodeCache *cc);

/* The successor of an INT n or IRET block seen after its last fast
 * transfer (block side data; block.c reads it inline, jit.c fills it):
 * when cpu->xfer_id is again `id` (the same IntCache or IretCache fill,
 * hence the same target CS, SS and mode bits), EIP is again `eip` and the
 * TLB code entry at `tlb_off` in CPUState still has tag `tag` and addend
 * `addend` (the same physical page), the next block is `tb` if it is
 * still valid. id ~0: empty. */
typedef struct JitXferRec {
    uint64_t id;
    uint64_t addend;
    TBlock *tb;
    uint32_t tlb_off, tag, eip;
} JitXferRec;
/* jit_helper_lookup_mode(), then rec filled from what it found. */
uintptr_t jit_helper_lookup_xfer(CPUState *cpu, CodeCache *cc,
                                 JitXferRec *rec);
uint32_t jit_helper_ld(CPUState *cpu, unsigned seg, uint32_t off,
                       unsigned size);
void jit_helper_st(CPUState *cpu, unsigned seg, uint32_t off, uint32_t val,
                   unsigned size);
uint32_t jit_helper_rmw_ld(CPUState *cpu, const DecodedInsn *d,
                           unsigned size, uint32_t *lin);
void jit_helper_rmw_st(CPUState *cpu, const DecodedInsn *d, unsigned size,
                       uint32_t *lin, uint32_t val);

/* explain.c: -trace translate. */
void jit_explain_block(JitState *js, const BlockBuilder *b);

#endif
