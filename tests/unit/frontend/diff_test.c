/*
 * Differential test of the reference tier against Unicorn 2 (QEMU TCG).
 *
 * Random instruction sequences are generated from insn.def (every integer
 * row that Unicorn can run without descriptor tables or devices: classes
 * alu shift muldiv bcd bit string stack ctrl mov misc flag), with random
 * prefixes, ModRM/SIB forms, immediates and register/flag/memory contents,
 * in 32-bit flat protected mode and in 16-bit real mode. Both CPUs are
 * single-stepped; after every instruction the GPRs, EIP and EFLAGS (minus
 * the flags insn.def marks undefined) must agree, an exception must be
 * the same vector, and at the end every byte Unicorn wrote must hold the
 * same value in both memories. Unicorn deviations from hardware that we
 * skip are listed in tests/diff/README.md.
 *
 * X86BT_DIFF_COUNT: instructions to run (default 1,000,000; ASan 100,000).
 * X86BT_DIFF_SEED: random seed. Both for manual soak runs.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "frontend/cpu_state.h"
#include "frontend/decode.h"
#include "frontend/flags.h"
#include "frontend/seg.h"
#include "machine/vm.h"

#define RAM_SIZE (2u << 20)
#define CODE32 0x1000u
#define DATA32 0x100000u
#define DATA_LEN 0x20000u
#define CS16 0x0000u /* code at 0000:1000 (Unicorn starts at EIP = begin) */
#define DS16 0x2000u
#define MAX_SEQ 32
#define MAX_WRITES 4096

typedef struct Rng {
    uint64_t s;
} Rng;

static uint32_t rnd(Rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return (uint32_t)(r->s >> 13);
}

/* Guest memory that exists in Unicorn (everything else is unmapped, so a
 * stray access ends the sequence instead of going unchecked): low memory
 * with the code, the 16-bit data segment and the 32-bit data area. Both
 * memories are compared and restored over these after each sequence.
 * (No Unicorn memory hooks: with a write hook installed Unicorn 2 loses CF
 * of memory-destination shifts — README.) */
static const uint32_t regions[4][2] = {
    {0, 0x1000}, {CODE32, 0x1000}, {DS16 << 4, 0x10000}, {DATA32, DATA_LEN}};
#define NREGIONS 4

typedef struct Harness {
    VM *vm;
    CPUState *cpu;
    uc_engine *uc[2]; /* [0] 16-bit, [1] 32-bit */
    uc_context *clean[2]; /* state right after creation */
    int uc_intno;
    uint8_t *pristine;
    uint8_t scratch[0x20000];
    Rng rng;
    long steps, seqs, exceptions, mismatches;
    long per_class[CLS_COUNT];
    uint32_t pre_regs[8], pre_flags, pre_mem, pre_umem, pre_lin;
    bool aborted;
} Harness;

/* LeakSanitizer hook (the runtime looks this name up; it must stay
 * visible despite -fvisibility=hidden): Unicorn 2.0 leaks a few
 * translation-block bitmaps in tb_invalidate_phys_page_fast. */
__attribute__((visibility("default"))) const char *
__lsan_default_suppressions(void);
__attribute__((visibility("default"))) const char *
__lsan_default_suppressions(void)
{
    return "leak:libunicorn.so\n";
}

static long env_long(const char *name, long def)
{
    const char *v = getenv(name);
    return v ? strtol(v, NULL, 0) : def;
}

static void uc_on_intr(uc_engine *uc, uint32_t intno, void *user)
{
    Harness *h = user;
    h->uc_intno = (int)intno;
    uc_emu_stop(uc);
}

static VM *make_vm(void)
{
    VM *vm = calloc(1, sizeof(*vm));
    ck_assert_ptr_nonnull(vm);
    log_init(&vm->log, LOG_ERROR);
    ck_assert_int_eq(mem_init(&vm->mem, RAM_SIZE, &vm->log), 0);
    for (unsigned i = 0; i < MEM_PAM_CHUNKS; i++)
        mem_set_pam(&vm->mem, i, (PamRoute){true, true});
    io_init(&vm->io, &vm->log);
    clock_init(&vm->clock, true, 0);
    vm->a20_mask = ~0ull;
    return vm;
}

static void harness_init(Harness *h)
{
    memset(h, 0, sizeof(*h));
    h->vm = make_vm();
    h->cpu = cpu_create(h->vm);
    ck_assert_ptr_nonnull(h->cpu);
    h->vm->cpu = h->cpu;
    h->cpu->exc_exit = true;
    h->pristine = calloc(1, RAM_SIZE);
    ck_assert_ptr_nonnull(h->pristine);
    h->rng.s = (uint64_t)env_long("X86BT_DIFF_SEED", 0x1234567) | 1;
    for (uint32_t a = 0; a < DATA_LEN; a++) {
        h->pristine[DATA32 + a] = (uint8_t)rnd(&h->rng);
        h->pristine[(DS16 << 4) + (a & 0xFFFF)] = (uint8_t)rnd(&h->rng);
    }
    memcpy(h->vm->mem.ram, h->pristine, RAM_SIZE);
    for (int m = 0; m < 2; m++) {
        uc_hook hk;
        ck_assert_int_eq(
            uc_open(UC_ARCH_X86, m ? UC_MODE_32 : UC_MODE_16, &h->uc[m]),
            UC_ERR_OK);
        uc_ctl_set_cpu_model(h->uc[m], UC_CPU_X86_PENTIUM2);
        for (int g = 0; g < NREGIONS; g++) {
            /* The code page is not writable: self-modifying sequences
             * end with UC_ERR_WRITE_PROT (Unicorn's single-step SMC
             * handling re-executes the writer, README). Data is not
             * executable: a jump out of the code ends the sequence with
             * UC_ERR_FETCH_PROT (translating random bytes can abort
             * Unicorn with "tcg fatal error"). */
            uint32_t prot = regions[g][0] == CODE32
                                ? UC_PROT_READ | UC_PROT_EXEC
                                : UC_PROT_READ | UC_PROT_WRITE;
            ck_assert_int_eq(uc_mem_map(h->uc[m], regions[g][0], regions[g][1],
                                        prot),
                             UC_ERR_OK);
            uc_mem_write(h->uc[m], regions[g][0], h->pristine + regions[g][0],
                         regions[g][1]);
        }
        uc_hook_add(h->uc[m], &hk, UC_HOOK_INTR, (void *)uc_on_intr, h, 1, 0);
        uc_context_alloc(h->uc[m], &h->clean[m]);
        uc_context_save(h->uc[m], h->clean[m]);
    }
}

static void harness_fini(Harness *h)
{
    for (int m = 0; m < 2; m++) {
        uc_context_free(h->clean[m]);
        uc_close(h->uc[m]);
    }
    cpu_destroy(h->cpu);
    mem_fini(&h->vm->mem);
    free(h->vm);
    free(h->pristine);
}

/* ---- instruction generation ---- */

/* Rows Unicorn does not model like a P6 (tests/diff/README.md). */
static bool row_unicorn_differs(const InsnRow *r)
{
    /* F6/F7 /1: TEST alias, #UD in QEMU. */
    return r->map == 0 && (r->opcode == 0xF6 || r->opcode == 0xF7) &&
           r->reg == 1;
}

/* Segment loads and far transfers compare fine in real mode (no
 * descriptor tables needed). */
static bool row_real_mode_only(unsigned id)
{
    switch (id) {
    case INSN_LES_Gv_Mp: case INSN_LDS_Gv_Mp: case INSN_LSS_Gv_Mp:
    case INSN_LFS_Gv_Mp: case INSN_LGS_Gv_Mp: case INSN_MOV_Sw_Ew:
    case INSN_POP_FS: case INSN_POP_GS: case INSN_POP_ES: case INSN_POP_DS:
    case INSN_POP_SS: case INSN_PUSH_ES: case INSN_PUSH_CS:
    case INSN_PUSH_SS: case INSN_PUSH_DS: case INSN_PUSH_FS:
    case INSN_PUSH_GS: case INSN_MOV_Ev_Sw: case INSN_RETF:
    case INSN_RETF_Iw: case INSN_JMP_Ap: case INSN_CALL_Ap:
    case INSN_JMP_Mp: case INSN_CALL_Mp:
        return true;
    default:
        return false;
    }
}

static bool row_eligible(const InsnRow *r, bool code32)
{
    unsigned id = (unsigned)(r - insn_rows);
    if (row_real_mode_only(id))
        return !code32;
    if ((r->attr & A_NODIFF) || row_unicorn_differs(r))
        return false;
    switch (r->cls) {
    case CLS_fpu: case CLS_mmx: case CLS_sys: case CLS_io:
        return false;
    default:
        return true;
    }
}

typedef struct Gen {
    uint8_t b[16];
    unsigned n;
} Gen;

static void put(Gen *g, uint32_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        g->b[g->n++] = (uint8_t)(v >> (8 * i));
}

static bool row_has_op(const InsnRow *r, unsigned k)
{
    return r->ops[0] == k || r->ops[1] == k || r->ops[2] == k;
}

static bool row_modrm(const InsnRow *r)
{
    for (int k = 0; k < 3; k++)
        if ((r->ops[k] >= OPK_Eb && r->ops[k] <= OPK_Sw))
            return true;
    return false;
}

/* ModRM (+SIB, disp) with a small displacement so that addresses stay in
 * the data area most of the time. */
static void gen_modrm(Harness *h, Gen *g, const InsnRow *r, bool a32,
                      bool *mem)
{
    unsigned mod = rnd(&h->rng) % 4, reg = rnd(&h->rng) % 8;
    unsigned rm = rnd(&h->rng) % 8;
    if (r->mod == DEC_MOD_mem && mod == 3)
        mod = rnd(&h->rng) % 3;
    if (r->mod == DEC_MOD_reg)
        mod = 3;
    if (r->reg != DEC_REG_any)
        reg = r->reg;
    *mem = mod != 3;
    g->b[g->n++] = (uint8_t)(mod << 6 | reg << 3 | rm);
    if (mod == 3)
        return;
    if (a32) {
        bool sib = rm == 4;
        if (sib) {
            unsigned base = rnd(&h->rng) % 8;
            g->b[g->n++] = (uint8_t)((rnd(&h->rng) % 4) << 6 |
                                     (rnd(&h->rng) % 8) << 3 | base);
            if (base == 5 && mod == 0)
                put(g, DATA32 + rnd(&h->rng) % DATA_LEN, 4);
        } else if (rm == 5 && mod == 0) {
            put(g, DATA32 + rnd(&h->rng) % DATA_LEN, 4);
        }
        if (mod == 1)
            put(g, rnd(&h->rng), 1);
        else if (mod == 2)
            put(g, rnd(&h->rng) % 0x1000 - 0x800, 4);
    } else {
        if (mod == 0 && rm == 6)
            put(g, rnd(&h->rng), 2);
        else if (mod == 1)
            put(g, rnd(&h->rng), 1);
        else if (mod == 2)
            put(g, rnd(&h->rng), 2);
    }
}

static unsigned imm_bytes(unsigned k, bool o32, bool a32)
{
    switch (k) {
    case OPK_Ib: case OPK_Ibs: case OPK_Jb: return 1;
    case OPK_Iw: return 2;
    case OPK_Iz: case OPK_Jz: return o32 ? 4 : 2;
    case OPK_Ob: case OPK_Ov: return a32 ? 4 : 2;
    default: return 0;
    }
}

static void gen_imms(Harness *h, Gen *g, const InsnRow *r, bool o32, bool a32,
                     bool *skip_cmc)
{
    for (int k = 0; k < 3; k++) {
        unsigned kind = r->ops[k], n = imm_bytes(kind, o32, a32);
        uint32_t v = rnd(&h->rng);
        if (kind == OPK_Jb || kind == OPK_Jz) {
            v = 1; /* over the CMC that follows */
            *skip_cmc = true;
        } else if (kind == OPK_Ob || kind == OPK_Ov) {
            v = a32 ? DATA32 + rnd(&h->rng) % DATA_LEN : rnd(&h->rng);
        } else if (r->opcode == 0xC8 && r->map == 0 && kind == OPK_Iw) {
            v %= 64; /* ENTER: keep the frame inside the stack area */
        } else if (r->opcode == 0xC2 && r->map == 0) {
            v &= 0x7FFF; /* QEMU sign-extends RET imm16 (README) */
        } else if (rnd(&h->rng) % 4 == 0) {
            v = rnd(&h->rng) % 40; /* interesting shift counts etc. */
        }
        put(g, v, n);
    }
}

/* One instruction from a random eligible row. Returns its class. */
/* One instruction of row `force` (INSN_COUNT: a random eligible row). */
static int gen_insn(Harness *h, Gen *g, bool code32, unsigned force)
{
    const InsnRow *r = force < INSN_COUNT ? &insn_rows[force] : NULL;
    while (!r || !row_eligible(r, code32))
        r = &insn_rows[rnd(&h->rng) % INSN_COUNT];
    g->n = 0;
    bool o32 = code32, a32 = code32, mem = false, skip_cmc = false;
    unsigned np = rnd(&h->rng) % 3;
    for (unsigned i = 0; i < np; i++) {
        static const uint8_t pre[] = {0x66, 0x67, 0x26, 0x2E, 0x36, 0x3E,
                                      0x64, 0x65, 0x66};
        uint8_t p = pre[rnd(&h->rng) % sizeof(pre)];
        if (p == 0x67 && !code32)
            continue; /* see README: QEMU skips real-mode limit checks */
        if (p == 0x2E && code32)
            continue; /* CS writes #GP on hardware, not in QEMU (README) */
        if (p == 0x66)
            o32 = !o32;
        if (p == 0x67)
            a32 = !a32;
        g->b[g->n++] = p;
    }
    if ((r->attr & A_REP) && rnd(&h->rng) % 2)
        g->b[g->n++] = rnd(&h->rng) % 2 ? 0xF3 : 0xF2;
    unsigned lock_at = g->n;
    /* LOCK NEG: QEMU computes the flags wrongly (README). */
    bool lock_neg = r->map == 0 && (r->opcode & 0xFE) == 0xF6 && r->reg == 3;
    bool want_lock = (r->attr & A_LOCK) && !lock_neg && rnd(&h->rng) % 4 == 0;
    if (want_lock)
        g->b[g->n++] = 0xF0;
    if (r->map == 1)
        g->b[g->n++] = 0x0F;
    uint8_t op = r->opcode;
    if (r->ops[0] == OPK_Zb || r->ops[0] == OPK_Zv)
        op = (uint8_t)((op & ~7u) | (((op & 7u) + rnd(&h->rng)) % 8 | (op & 7u)));
    g->b[g->n++] = op;
    if (row_modrm(r))
        gen_modrm(h, g, r, a32, &mem);
    if (want_lock && !mem)
        memmove(&g->b[lock_at], &g->b[lock_at + 1], --g->n - lock_at);
    gen_imms(h, g, r, o32, a32, &skip_cmc);
    if (skip_cmc)
        g->b[g->n++] = 0xF5;
    return r->cls;
}

/* ---- state setup and comparison ---- */

static uint32_t rand_reg(Harness *h, bool code32)
{
    switch (rnd(&h->rng) % 4) {
    case 0: case 1:
        return code32 ? DATA32 + rnd(&h->rng) % DATA_LEN
                      : (rnd(&h->rng) << 16) | (rnd(&h->rng) & 0xFFFF);
    case 2:
        return rnd(&h->rng) % 256;
    default:
        return rnd(&h->rng) ^ (rnd(&h->rng) << 16);
    }
}

static const int uc_gpr[8] = {UC_X86_REG_EAX, UC_X86_REG_ECX, UC_X86_REG_EDX,
                              UC_X86_REG_EBX, UC_X86_REG_ESP, UC_X86_REG_EBP,
                              UC_X86_REG_ESI, UC_X86_REG_EDI};

static void setup_state(Harness *h, bool code32, const uint8_t *code,
                        unsigned len)
{
    CPUState *cpu = h->cpu;
    uc_engine *uc = h->uc[code32];
    uint32_t base = CODE32;
    memcpy(h->vm->mem.ram + base, code, len);
    uc_mem_write(uc, base, code, len);
    /* Unicorn keeps translated blocks across uc_mem_write. */
    uc_ctl_remove_cache(uc, base, base + len);
    /* Unicorn keeps the last exception (for #DF detection) when an
     * interrupt hook stops it; start every sequence from a clean state. */
    uc_context_restore(uc, h->clean[code32]);
    cpu_reset(cpu);
    if (code32) {
        cpu_boot_flat32(cpu, CODE32, 0, 0);
    } else {
        for (int s = 0; s < SEG_COUNT; s++)
            seg_load_real(cpu, s, s == SEG_CS ? CS16 : DS16);
        cpu->eip = CODE32;
    }
    for (int r = 0; r < 8; r++)
        cpu->regs[r] = rand_reg(h, code32);
    cpu->regs[R_ESP] = code32 ? DATA32 + 0x10000 + rnd(&h->rng) % 0x100 * 4
                              : 0x8000 + rnd(&h->rng) % 0x100 * 2;
    cpu->eflags = EFL_FIXED1 | (rnd(&h->rng) & (EFL_ARITH | EFL_DF));
    cpu->cc_op = CC_OP_EFLAGS;
    for (int r = 0; r < 8; r++)
        uc_reg_write(uc, uc_gpr[r], &cpu->regs[r]);
    if (!code32) {
        static const int segs[6] = {UC_X86_REG_ES, UC_X86_REG_CS,
                                    UC_X86_REG_SS, UC_X86_REG_DS,
                                    UC_X86_REG_FS, UC_X86_REG_GS};
        for (int s = 0; s < SEG_COUNT; s++) {
            uint32_t v = cpu->seg[s].sel;
            uc_reg_write(uc, segs[s], &v);
        }
    }
    uc_reg_write(uc, UC_X86_REG_EFLAGS, &cpu->eflags);
    uc_reg_write(uc, UC_X86_REG_EIP, &cpu->eip);
}

static void restore_memory(Harness *h, bool code32)
{
    for (int g = 0; g < NREGIONS; g++) {
        uint32_t a = regions[g][0], n = regions[g][1];
        memcpy(h->vm->mem.ram + a, h->pristine + a, n);
        uc_mem_write(h->uc[code32], a, h->pristine + a, n);
    }
}

static void report(Harness *h, const char *what, const uint8_t *insn,
                   unsigned len, uint32_t ours, uint32_t theirs)
{
    h->mismatches++;
    if (h->mismatches > 30)
        return;
    fprintf(stderr, "diff: %s: ours %08x unicorn %08x insn", what, ours,
            theirs);
    for (unsigned i = 0; i < len; i++)
        fprintf(stderr, " %02x", insn[i]);
    fprintf(stderr, " (%s)\n", h->cpu->code32 ? "32" : "16");
    if (getenv("X86BT_DIFF_VERBOSE")) {
        fprintf(stderr, "  before:");
        for (int r = 0; r < 8; r++)
            fprintf(stderr, " %08x", h->pre_regs[r]);
        fprintf(stderr, " fl %08x mem[%x] %08x/%08x\n", h->pre_flags,
                h->pre_lin, h->pre_mem, h->pre_umem);
    }
}

/* Flags to ignore for the instruction just executed (insn.def undefined
 * set, refined for shift counts). */
static uint32_t undef_mask(const DecodedInsn *d, uint32_t ecx)
{
    const InsnRow *r = &insn_rows[d->row];
    uint32_t m = r->flags_undef;
    if (r->cls == CLS_shift) {
        unsigned cnt = row_has_op(r, OPK_CL) ? ecx & 0xFF
                       : row_has_op(r, OPK_1) ? 1 : d->imm & 0xFF;
        cnt &= 0x1F;
        unsigned bits = (row_has_op(r, OPK_Eb) ? 8 : d->o32 ? 32 : 16);
        if (cnt >= bits && bits < 32)
            m |= EFL_CF | EFL_OF; /* SHL/SHR: CF undefined; SHLD/SHRD too */
        if (r->map == 1 && cnt > bits)
            m |= EFL_ARITH;
    }
    return m;
}

/* Result undefined (SDM): skip comparing registers after it. */
static bool result_undefined(const DecodedInsn *d, uint32_t ecx)
{
    const InsnRow *r = &insn_rows[d->row];
    if (r->map == 1 && (d->opcode == 0xA4 || d->opcode == 0xA5 ||
                        d->opcode == 0xAC || d->opcode == 0xAD) && !d->o32) {
        unsigned cnt = (d->opcode & 1 ? ecx : d->imm) & 0x1F;
        return cnt > 16;
    }
    if (r->map == 1 && d->opcode >= 0xC8 && !d->o32)
        return true; /* BSWAP r16 */
    return false;
}

static unsigned insn_size(const DecodedInsn *d)
{
    return d->o32 ? 4 : 2;
}

/* Instances (reachable also by jumping into the middle of generated code)
 * where Unicorn is known to differ from the hardware (README): end the
 * sequence before them. */
static bool insn_unicorn_differs(const CPUState *cpu, const DecodedInsn *d,
                                 bool code32)
{
    const InsnRow *r = &insn_rows[d->row];
    if (row_unicorn_differs(r))
        return true;
    if (d->map == 0 && (d->opcode == 0xC2 || d->opcode == 0xCA) &&
        (d->imm & 0x8000))
        return true; /* RET imm16 sign-extended */
    if (d->lock && d->map == 0 && (d->opcode & 0xFE) == 0xF6)
        return true; /* LOCK NEG flags */
    if (code32 && d->seg_ovr == SEG_CS)
        return true; /* CS writes not checked */
    if (!code32 && d->a32)
        return true; /* real-mode limits not checked */
    /* Far return popping across the 64 KB stack wrap: QEMU does not wrap
     * the second pop. */
    if (!code32 && d->map == 0 && (d->opcode == 0xCA || d->opcode == 0xCB) &&
        (cpu->regs[R_ESP] & 0xFFFF) > 0x10000u - 2 * insn_size(d))
        return true;
    /* ENTER wrapping a 16-bit SP below 0: QEMU's frame temporary keeps
     * the borrow into bit 16 and up. */
    if (!code32 && d->map == 0 && d->opcode == 0xC8 &&
        (cpu->regs[R_ESP] & 0xFFFF) < 0x100)
        return true;
    return false;
}

/* Debug output for X86BT_DIFF_TRACE / X86BT_DIFF_VERBOSE. */
static void note_before(Harness *h, uc_engine *uc, const DecodedInsn *d,
                        const uint8_t *insn)
{
    CPUState *cpu = h->cpu;
    memcpy(h->pre_regs, cpu->regs, sizeof(h->pre_regs));
    h->pre_flags = cpu_get_eflags(cpu);
    if (getenv("X86BT_DIFF_TRACE")) {
        fprintf(stderr, "  step %08x:", cpu->eip);
        for (unsigned i = 0; i < d->len; i++)
            fprintf(stderr, " %02x", insn[i]);
        fprintf(stderr, "  esp %08x fl %08x\n", cpu->regs[R_ESP],
                h->pre_flags);
    }
    if (getenv("X86BT_DIFF_VERBOSE") && d->has_modrm && d->mod != 3) {
        uint32_t ea = d->disp, v = 0, u = 0;
        if (d->base != DEC_NOREG)
            ea += cpu->regs[d->base];
        if (d->index != DEC_NOREG)
            ea += cpu->regs[d->index] << d->scale;
        uint32_t lin = cpu->seg[d->seg].base + (d->a32 ? ea : ea & 0xFFFF);
        if (lin < RAM_SIZE - 4) {
            memcpy(&v, h->vm->mem.ram + lin, 4);
            uc_mem_read(uc, lin, &u, 4);
        }
        h->pre_mem = v;
        h->pre_umem = u;
        h->pre_lin = lin;
    }
}

/* Run the instruction in Unicorn (every REP iteration is one Unicorn
 * instruction, so step until EIP moves). */
static uc_err step_unicorn(Harness *h, uc_engine *uc, uint32_t lin,
                           uint32_t eip0)
{
    uc_err err = UC_ERR_OK;
    uint32_t ueip = eip0;
    h->uc_intno = -1;
    for (int k = 0; k < 40 && ueip == eip0; k++) {
        err = uc_emu_start(uc, lin, 0xFFFFFFFFull, 0, 1);
        if (err != UC_ERR_OK || h->uc_intno >= 0)
            break;
        uc_reg_read(uc, UC_X86_REG_EIP, &ueip);
    }
    if (err == UC_ERR_INSN_INVALID)
        h->uc_intno = EXC_UD;
    return err;
}

static void compare_regs(Harness *h, uc_engine *uc, const DecodedInsn *d,
                         const uint8_t *insn, uint32_t ecx0, bool code32)
{
    static const char *const names[8] = {"eax", "ecx", "edx", "ebx",
                                         "esp", "ebp", "esi", "edi"};
    static const int segs[6] = {UC_X86_REG_ES, UC_X86_REG_CS, UC_X86_REG_SS,
                                UC_X86_REG_DS, UC_X86_REG_FS, UC_X86_REG_GS};
    CPUState *cpu = h->cpu;
    bool undef = result_undefined(d, ecx0);
    for (int r = 0; r < 8; r++) {
        uint32_t v;
        uc_reg_read(uc, uc_gpr[r], &v);
        if (undef)
            cpu->regs[r] = v;
        else if (v != cpu->regs[r])
            report(h, names[r], insn, d->len, cpu->regs[r], v);
    }
    for (int sg = 0; !code32 && sg < SEG_COUNT; sg++) {
        uint32_t v = 0;
        uc_reg_read(uc, segs[sg], &v);
        if ((v & 0xFFFF) != cpu->seg[sg].sel)
            report(h, "sreg", insn, d->len, cpu->seg[sg].sel, v & 0xFFFF);
    }
}

static void compare_eip_flags(Harness *h, uc_engine *uc, const DecodedInsn *d,
                              const uint8_t *insn, uint32_t ecx0, uc_err err,
                              bool code32)
{
    CPUState *cpu = h->cpu;
    uint32_t ueip, ufl;
    uc_reg_read(uc, UC_X86_REG_EIP, &ueip);
    uc_reg_read(uc, UC_X86_REG_EFLAGS, &ufl);
    /* Unicorn's EIP in 16-bit mode reads as CS.base + IP, except after a
     * fetch fault at the new CS:IP (README). */
    uint32_t our_eip = cpu->eip;
    if (!code32 && err != UC_ERR_FETCH_UNMAPPED && err != UC_ERR_FETCH_PROT)
        our_eip += cpu->seg[SEG_CS].base;
    if (ueip != our_eip)
        report(h, "eip", insn, d->len, our_eip, ueip);
    uint32_t mask = (EFL_ARITH | EFL_DF) & ~undef_mask(d, ecx0);
    uint32_t ofl = cpu_get_eflags(cpu);
    if ((ofl ^ ufl) & mask)
        report(h, "eflags", insn, d->len, ofl & mask, ufl & mask);
    /* Carry Unicorn's values of undefined flags over, so that later
     * instructions start from the same state. */
    cpu_set_eflags(cpu, ufl, EFL_ARITH & ~mask);
    if (ofl & (EFL_TF | EFL_AC)) {
        /* POPF set TF/AC: single-step and alignment checks are the guest
         * tests' business; clear them on both sides. */
        cpu->eflags &= ~(EFL_TF | EFL_AC);
        ufl &= ~(EFL_TF | EFL_AC);
        uc_reg_write(uc, UC_X86_REG_EFLAGS, &ufl);
    }
}

/* Step both; compare; false ends the sequence. */
static bool step_compare(Harness *h, bool code32)
{
    CPUState *cpu = h->cpu;
    uc_engine *uc = h->uc[code32];
    uint32_t csb = cpu->seg[SEG_CS].base, eip0 = cpu->eip;
    uint8_t insn[16];
    DecodedInsn d;
    memcpy(insn, h->vm->mem.ram + csb + eip0, 16);
    if (decode_insn(cpu->dtab, &d, insn, 15, code32) <= 0)
        return false;
    const InsnRow *row = &insn_rows[d.row];
    /* A jump into the middle of the generated code can reach rows we do
     * not compare (I/O, x87, INT n...): stop before them. */
    if (!row_eligible(row, code32) || insn_unicorn_differs(cpu, &d, code32))
        return false;
    if (d.rep && (row->attr & A_REP)) {
        /* Keep repeat counts small: both CPUs run the whole repeat. */
        uint32_t m = d.a32 ? 0xFFFFFFFFu : 0xFFFFu;
        cpu->regs[R_ECX] = (cpu->regs[R_ECX] & ~m) | (cpu->regs[R_ECX] & 0x1F);
        uc_reg_write(uc, UC_X86_REG_ECX, &cpu->regs[R_ECX]);
    }
    uint32_t ecx0 = cpu->regs[R_ECX];
    long before = h->mismatches;
    note_before(h, uc, &d, insn);
    uc_err err = step_unicorn(h, uc, csb + eip0, eip0);
    /* A data access outside the mapped areas aborts the instruction in
     * Unicorn (possibly after partial writes): drop the whole sequence. A
     * fetch fault means the instruction completed and jumped away. */
    if (err == UC_ERR_READ_UNMAPPED || err == UC_ERR_WRITE_UNMAPPED ||
        err == UC_ERR_WRITE_PROT) {
        h->aborted = true;
        return false;
    }
    cpu->exc_vector = -1;
    interp_run(cpu, 1);
    h->steps++;
    h->per_class[row->cls]++;
    if (cpu->exc_vector >= 0 || h->uc_intno >= 0) {
        h->exceptions++;
        if (!code32 && h->uc_intno < 0 &&
            (cpu->exc_vector == EXC_GP || cpu->exc_vector == EXC_SS))
            return false; /* real-mode limit check, README */
        if (cpu->exc_vector != h->uc_intno)
            report(h, "exception", insn, d.len, (uint32_t)cpu->exc_vector,
                   (uint32_t)h->uc_intno);
        return false;
    }
    compare_regs(h, uc, &d, insn, ecx0, code32);
    compare_eip_flags(h, uc, &d, insn, ecx0, err, code32);
    /* Left the generated code (far or indirect transfer): stop here. */
    return before == h->mismatches && cpu->seg[SEG_CS].base == 0 &&
           cpu->eip >= CODE32 && cpu->eip < CODE32 + 16 * MAX_SEQ;
}

static void compare_memory(Harness *h, bool code32)
{
    for (int g = 0; g < NREGIONS; g++) {
        uint32_t a = regions[g][0], n = regions[g][1];
        uc_mem_read(h->uc[code32], a, h->scratch, n);
        if (memcmp(h->scratch, h->vm->mem.ram + a, n) == 0)
            continue;
        for (uint32_t i = 0; i < n; i++) {
            if (h->scratch[i] != h->vm->mem.ram[a + i]) {
                uint32_t at = a + i;
                report(h, "memory", (const uint8_t *)&at, 4,
                       h->vm->mem.ram[at], h->scratch[i]);
                break;
            }
        }
    }
}

/* A sequence of random rows; the first one is `first` if < INSN_COUNT. */
static void run_sequence(Harness *h, bool code32, unsigned first)
{
    uint8_t code[16 * MAX_SEQ + 16];
    unsigned len = 0, n = 4 + rnd(&h->rng) % (MAX_SEQ - 4);
    for (unsigned i = 0; i < n; i++) {
        Gen g;
        gen_insn(h, &g, code32, i == 0 ? first : INSN_COUNT);
        memcpy(code + len, g.b, g.n);
        len += g.n;
    }
    memset(code + len, 0xF4, sizeof(code) - len); /* HLT: end marker */
    setup_state(h, code32, code, sizeof(code));
    h->seqs++;
    for (unsigned i = 0; i < 2 * n; i++) {
        uint32_t eip = h->cpu->eip - CODE32;
        if (eip >= len || !step_compare(h, code32))
            break;
    }
    if (!h->aborted)
        compare_memory(h, code32);
    h->aborted = false;
    restore_memory(h, code32);
}

START_TEST(diff_vs_unicorn)
{
    Harness *h = malloc(sizeof(*h));
    ck_assert_ptr_nonnull(h);
    harness_init(h);
#ifdef X86BT_ASAN
    long target = env_long("X86BT_DIFF_COUNT", 100000);
#else
    long target = env_long("X86BT_DIFF_COUNT", 1000000);
#endif
    /* Enumerated: every eligible row leads 2 x `per_row` sequences in each
     * code size; then random sequences up to the target. */
    long per_row = target / 20000 + 1;
    for (unsigned row = 0; row < INSN_COUNT; row++)
        for (long k = 0; k < 2 * per_row; k++)
            if (row_eligible(&insn_rows[row], k & 1))
                run_sequence(h, k & 1, row);
    while (h->steps < target && h->mismatches < 100)
        run_sequence(h, h->seqs & 1, INSN_COUNT);
    static const char *const cls[CLS_COUNT] = {
        "alu", "shift", "muldiv", "bcd", "bit", "string", "stack", "ctrl",
        "mov", "misc", "io", "flag", "sys", "fpu", "mmx"};
    fprintf(stderr, "diff vs unicorn: %ld instructions in %ld sequences, "
                    "%ld exceptions, %ld mismatches\n  per class:",
            h->steps, h->seqs, h->exceptions, h->mismatches);
    for (int c = 0; c < CLS_COUNT; c++)
        if (h->per_class[c])
            fprintf(stderr, " %s %ld", cls[c], h->per_class[c]);
    fprintf(stderr, "\n");
    long mism = h->mismatches;
    /* Every integer class must have been exercised. */
    for (int c = CLS_alu; c <= CLS_flag; c++)
        if (c != CLS_io)
            ck_assert_msg(h->per_class[c] > target / 1000, "class %s: %ld",
                          cls[c], h->per_class[c]);
    harness_fini(h);
    free(h);
    ck_assert_int_eq(mism, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("diff_unicorn");
    TCase *tc = tcase_create("random");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, diff_vs_unicorn);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
