/*
 * jit_diff_test.c — the translation tier against the reference tier.
 *
 * Two VMs get the same random memory image and CPU state; one runs
 * interp_run(), the other jit_run(), in the same sequence of random
 * budgets. After every slice the exit reason, instruction count, GPRs,
 * EIP, EFLAGS, segment registers and the first megabyte of RAM must be
 * identical. Code is a mix of generated hot instructions (ALU, MOV, LEA,
 * PUSH/POP, INC/DEC, Jcc, CALL/RET, shifts, string ops...) and random
 * bytes, in 16-bit real mode and 32-bit flat protected mode, so it also
 * covers faults in the middle of blocks (precise state), stores into the
 * code being run (SMC) and blocks larger than the remaining budget.
 * A second suite repeats this with a 64 KB cache (flush under pressure).
 *
 * X86BT_JIT_DIFF_TRIALS: trials per mode (default 200).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/cpu_state.h"
#include "frontend/flags.h"
#include "machine/vm.h"
#include "codecache/codecache.h"
#include "translator/jit.h"

#define RAM_MB 8
#define CMP_BYTES (1u << 20)
#define CODE_PHYS 0x10000u
#define CODE_LEN 0x4000u

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

static VM *make_vm(bool jit, uint64_t tcache_kb)
{
    VMConfig cfg;
    char err[256] = "";
    vm_config_defaults(&cfg);
    cfg.ram_mb = RAM_MB;
    cfg.bios = "build/jit-diff-bios.bin";
    cfg.icount_shift = 0;
    cfg.jit = jit;
    cfg.tcache_kb = tcache_kb;
    cfg.serial[0] = cfg.serial[1] = "none";
    cfg.nographic = false;
    cfg.display = "none";
    VM *vm = vm_create(&cfg, err, sizeof err);
    ck_assert_msg(vm != NULL, "vm_create: %s", err);
    return vm;
}

static void write_bios(void)
{
    size_t len = 65536;
    uint8_t *img = malloc(len);
    memset(img, 0xF4, len);
    FILE *f = fopen("build/jit-diff-bios.bin", "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(img, 1, len, f);
    fclose(f);
    free(img);
}

/* Emit one instruction of a "hot" shape with a random ModRM. */
typedef struct Gen {
    uint8_t *p, *end;
    Rng *r;
    bool code32;
} Gen;

static void put(Gen *g, uint8_t b)
{
    if (g->p < g->end)
        *g->p++ = b;
}

/* The SIB byte and displacement that follow ModRM byte m (32-bit
 * displacements stay small so accesses land in the test's RAM). */
static void put_modrm_tail(Gen *g, uint8_t m)
{
    unsigned mod = m >> 6, rm = m & 7;
    if (mod == 3)
        return;
    if (g->code32) {
        if (rm == 4)
            put(g, (uint8_t)rnd(g->r));
        if (mod == 1)
            put(g, (uint8_t)rnd(g->r));
        if (mod == 2 || (mod == 0 && rm == 5))
            for (int i = 0; i < 4; i++)
                put(g, (uint8_t)(i < 2 ? rnd(g->r) : 0));
    } else {
        if (mod == 1)
            put(g, (uint8_t)rnd(g->r));
        if (mod == 2 || (mod == 0 && rm == 6)) {
            put(g, (uint8_t)rnd(g->r));
            put(g, (uint8_t)rnd(g->r));
        }
    }
}

static void put_modrm(Gen *g)
{
    uint8_t m = (uint8_t)rnd(g->r);
    put(g, m);
    put_modrm_tail(g, m);
}

static void put_imm(Gen *g, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        put(g, (uint8_t)rnd(g->r));
}

/* Opcode shapes: first byte, ModRM?, immediate bytes (0xFF = operand
 * size). Chosen to hit the inline translations and common helpers. */
typedef struct Shape {
    uint8_t op;
    uint8_t modrm;
    uint8_t imm;
} Shape;

static const Shape shapes[] = {
    { 0x00, 1, 0 }, { 0x01, 1, 0 }, { 0x02, 1, 0 }, { 0x03, 1, 0 },
    { 0x04, 0, 1 }, { 0x05, 0, 0xFF }, { 0x09, 1, 0 }, { 0x0B, 1, 0 },
    { 0x11, 1, 0 }, { 0x19, 1, 0 }, { 0x21, 1, 0 }, { 0x23, 1, 0 },
    { 0x29, 1, 0 }, { 0x2B, 1, 0 }, { 0x31, 1, 0 }, { 0x33, 1, 0 },
    { 0x38, 1, 0 }, { 0x39, 1, 0 }, { 0x3B, 1, 0 }, { 0x3D, 0, 0xFF },
    { 0x40, 0, 0 }, { 0x43, 0, 0 }, { 0x48, 0, 0 }, { 0x4E, 0, 0 },
    { 0x50, 0, 0 }, { 0x53, 0, 0 }, { 0x58, 0, 0 }, { 0x5B, 0, 0 },
    { 0x68, 0, 0xFF }, { 0x6A, 0, 1 }, { 0x6B, 1, 1 }, { 0x69, 1, 0xFF },
    { 0x74, 0, 1 }, { 0x75, 0, 1 }, { 0x7C, 0, 1 }, { 0x72, 0, 1 },
    { 0x80, 1, 1 }, { 0x81, 1, 0xFF }, { 0x83, 1, 1 }, { 0x84, 1, 0 },
    { 0x85, 1, 0 }, { 0x86, 1, 0 }, { 0x88, 1, 0 }, { 0x89, 1, 0 },
    { 0x8A, 1, 0 }, { 0x8B, 1, 0 }, { 0x8D, 1, 0 }, { 0x91, 0, 0 },
    { 0x98, 0, 0 }, { 0x99, 0, 0 }, { 0xA8, 0, 1 }, { 0xA9, 0, 0xFF },
    { 0xAA, 0, 0 }, { 0xAB, 0, 0 }, { 0xAC, 0, 0 }, { 0xA4, 0, 0 },
    { 0xB0, 0, 1 }, { 0xBA, 0, 0xFF }, { 0xBE, 0, 0xFF }, { 0xC1, 1, 1 },
    { 0xD1, 1, 0 }, { 0xD3, 1, 0 }, { 0xEB, 0, 1 }, { 0xE8, 0, 0xFF },
    { 0xC3, 0, 0 }, { 0xF7, 1, 0 }, { 0xFF, 1, 0 }, { 0xFE, 1, 0 },
    { 0xE2, 0, 1 }, { 0xF8, 0, 0 }, { 0xF9, 0, 0 }, { 0x9C, 0, 0 },
    { 0xF6, 1, 0 }, { 0x13, 1, 0 }, { 0x1B, 1, 0 }, { 0x15, 0, 0xFF },
    { 0x1D, 0, 0xFF }, { 0xC9, 0, 0 },
};

static const uint8_t ops_0f[] = { 0x84, 0x85, 0x94, 0x9C, 0xB6,
                                  0xB7, 0xBE, 0xBF, 0x44, 0xAF,
                                  0x92, 0x97, 0x9A, 0x9F };

/* A 32-bit shift by an immediate or CL (flags deferred by the translator),
 * a load that may fault (real mode: a word at offset 0xFFFF raises #GP,
 * which pushes the shift's flags), then a CMP that overwrites them. */
static void gen_deferred_shift(Gen *g)
{
    bool cl = rnd(g->r) % 2; /* by CL (count may be 0) or by imm */
    if (!g->code32)
        put(g, 0x66);
    put(g, cl ? 0xD3 : 0xC1);
    put(g, (uint8_t)(0xE0 | ((rnd(g->r) % 4) << 3) | (rnd(g->r) % 8)));
    if (!cl)
        put(g, (uint8_t)(1 + rnd(g->r) % 31));
    if (g->code32) {
        put(g, 0x8B);
        put(g, (uint8_t)(0x40 | ((rnd(g->r) % 8) << 3) | (rnd(g->r) % 8)));
        put(g, (uint8_t)rnd(g->r));
    } else {
        put(g, 0x8B);
        put(g, (uint8_t)(0x06 | ((rnd(g->r) % 8) << 3)));
        put(g, 0xFF);
        put(g, rnd(g->r) % 2 ? 0xFF : (uint8_t)rnd(g->r));
    }
    put(g, 0x3B);
    put(g, (uint8_t)(0xC0 | (rnd(g->r) % 64)));
}

/* A short self-loop (flat mode): counter = X; L: memory move through a
 * random base (may hit the code: SMC); [register move]; add counter, 1;
 * cmp counter, X + n; jne L (or counter = n; ...; sub counter, 1; jne).
 * The translator does not store the compare's flags on the back edge.
 * Walking loops address through the counter itself, from near the end
 * of a page (RAM, the code, the ROM), or backwards from near its start:
 * the loop's copy of the TLB entry is refilled, a word access crosses
 * the page (in both directions), and a store to the code
 * or ROM after a load from it must not use a copy of the read entry. */
static void gen_self_loop(Gen *g)
{
    unsigned c = 1 + rnd(g->r) % 3, other = (c + 1 + rnd(g->r) % 2) % 4;
    uint32_t x = rnd(g->r), n = 1 + rnd(g->r) % 12;
    bool down = rnd(g->r) % 3 == 0; /* counter = n; ...; sub c, 1; jne */
    bool walk = !down && rnd(g->r) % 3 != 0;
    bool back = walk && rnd(g->r) % 3 == 0; /* add counter, -1: a word
                                             * crosses into the page */
    uint8_t *start;
    if (down)
        x = n;
    if (walk) {
        static const uint32_t page[4] = { 0x40000, CODE_PHYS,
                                          0xFFFFE000u, 0xFFFFE000u };
        unsigned w = rnd(g->r) % 4; /* RAM, the code, the BIOS ROM */
        x = page[w] + (w < 1 ? x & 0x7F000 : 0);
        if (back && w == 1)
            x = CODE_PHYS + CODE_LEN; /* a word reaching into the code */
        x += back                ? rnd(g->r) % 16
             : rnd(g->r) % 2 ? 0xFC0 + rnd(g->r) % 64
                             : rnd(g->r) & 0xFFF;
        x -= 0x40; /* the disp8 below is 0x40..0x7F */
    }
    /* A walking load loop, a store loop of the counter over the same
     * bytes, a load loop again (a wrong store to the ROM shows). */
    unsigned passes = walk && rnd(g->r) % 2 ? 3 : 1;
    uint8_t wide = (uint8_t)(rnd(g->r) % 2), disp = (uint8_t)rnd(g->r);
    if (walk)
        disp = (uint8_t)(0x40 + disp % 64);
    for (unsigned pass = 0; pass < passes; pass++) {
    put(g, (uint8_t)(0xB8 + c));
    for (int i = 0; i < 4; i++)
        put(g, (uint8_t)(x >> (8 * i)));
    start = g->p;
    static const uint8_t movs[] = { 0x88, 0x89, 0x8A, 0x8B };
    bool st = pass == 1;
    put(g, passes == 3 ? (uint8_t)((st ? 0x88 : 0x8A) | wide)
                       : movs[rnd(g->r) % 4]);
    put(g, (uint8_t)(0x40 | ((passes == 3 && st ? c : other) << 3) |
                     (walk ? c : rnd(g->r) % 2 ? 6 : 7)));
    put(g, disp);
    if (rnd(g->r) % 2) {
        put(g, 0x89);
        put(g, (uint8_t)(0xC0 | (c << 3) | other));
    }
    if (down) {
        put(g, 0x83);
        put(g, (uint8_t)(0xE8 | c));
        put(g, 1);
    } else {
        put(g, 0x83);
        put(g, (uint8_t)(0xC0 | c));
        put(g, back ? 0xFF : 1);
        put(g, 0x81);
        put(g, (uint8_t)(0xF8 | c));
        for (int i = 0; i < 4; i++)
            put(g, (uint8_t)((back ? x - n : x + n) >> (8 * i)));
    }
    put(g, 0x75);
    put(g, (uint8_t)(start - (g->p + 1)));
    }
}

/* MUL/IMUL (one-operand Eb/Ev, IMUL Gv, Ev (, imm)) with a register or
 * memory operand, then a reader of its flags: PUSHF, SETcc Eb, ADC or
 * Jcc (emit_muldiv.c inlines them with their flags live). */
static void gen_mul(Gen *g)
{
    static const uint8_t setcc[] = { 0x90, 0x92, 0x94, 0x95, 0x98,
                                     0x9A, 0x9B, 0x9C, 0x9F };
    unsigned form = rnd(g->r) % 5;
    if (rnd(g->r) % 4 == 0)
        put(g, 0x66);
    uint8_t m = (uint8_t)rnd(g->r);
    if (form < 2) {
        put(g, form ? 0xF7 : 0xF6);
        m = (uint8_t)((m & 0xC7) | ((4 + rnd(g->r) % 2) << 3));
    } else if (form == 2) {
        put(g, 0x0F);
        put(g, 0xAF);
    } else {
        put(g, form == 3 ? 0x6B : 0x69);
    }
    if (rnd(g->r) % 2)
        m |= 0xC0;
    put(g, m);
    put_modrm_tail(g, m);
    if (form == 3)
        put_imm(g, 1);
    else if (form == 4)
        put_imm(g, 4); /* imm32 (with 66: imm16 + one more byte) */
    switch (rnd(g->r) % 4) {
    case 0:
        put(g, 0x9C);
        break;
    case 1:
        put(g, 0x0F);
        put(g, setcc[rnd(g->r) % sizeof setcc]);
        put(g, (uint8_t)(0xC0 | (rnd(g->r) % 8)));
        break;
    case 2:
        put(g, 0x11);
        put(g, (uint8_t)(0xC0 | (rnd(g->r) % 64)));
        break;
    default:
        put(g, (uint8_t)(0x70 | (rnd(g->r) % 16)));
        put(g, (uint8_t)(rnd(g->r) % 16));
        break;
    }
}

/* A flag writer of any lazy kind and size (ADD/ADC/SUB/SBB/CMP/AND,
 * INC/DEC, NOT/NEG; SAHF, STC/CLC/CMC: eager), half the time a JMP to the next
 * instruction (the reader's block does not know the kind: emit_cond.c
 * evaluates it at run time), then a reader: SETcc, Jcc, CMOVcc, ADC or
 * INC (which keeps CF). */
static void gen_lazy_cond(Gen *g)
{
    static const uint8_t writers[] = { 0x00, 0x01, 0x10, 0x11, 0x18, 0x19,
                                       0x28, 0x29, 0x38, 0x39, 0x20, 0x21,
                                       0xFE, 0xFF, 0x9E, 0xF5, 0xF8, 0xF9,
                                       0xF6, 0xF7 };
    uint8_t w = writers[rnd(g->r) % sizeof writers];
    if (rnd(g->r) % 3 == 0)
        put(g, 0x66);
    put(g, w);
    if (w == 0xFE || w == 0xFF)
        put(g, (uint8_t)(0xC0 | (rnd(g->r) % 16))); /* INC/DEC reg */
    else if (w == 0xF6 || w == 0xF7) { /* NOT/NEG, register or memory */
        uint8_t m = (uint8_t)((rnd(g->r) & 0xC7) | (2 + rnd(g->r) % 2) << 3);
        put(g, m);
        put_modrm_tail(g, m);
    }
    else if (w < 0x40)
        put(g, (uint8_t)(0xC0 | (rnd(g->r) % 64)));
    if (rnd(g->r) % 2) {
        put(g, 0xEB);
        put(g, 0x00);
    }
    unsigned cc = rnd(g->r) % 16;
    switch (rnd(g->r) % 5) {
    case 0:
        put(g, 0x0F);
        put(g, (uint8_t)(0x90 | cc));
        put(g, (uint8_t)(0xC0 | (rnd(g->r) % 8)));
        break;
    case 1:
        put(g, (uint8_t)(0x70 | cc));
        put(g, (uint8_t)(rnd(g->r) % 16));
        break;
    case 2:
        put(g, 0x0F);
        put(g, (uint8_t)(0x40 | cc));
        put(g, (uint8_t)(0xC0 | (rnd(g->r) % 64)));
        break;
    case 3:
        put(g, rnd(g->r) % 2 ? 0x11 : 0x19);
        put(g, (uint8_t)(0xC0 | (rnd(g->r) % 64)));
        break;
    default:
        put(g, (uint8_t)(0x40 | (rnd(g->r) % 16)));
        put(g, 0x9C);
        break;
    }
}

/* A flag writer (SUB/AND/INC), then ROL/ROR by an immediate (Eb/Ev,
 * register or memory; counts 0, 1, size-1, size, size+1, 31, 32 or
 * random), then PUSHF: the rotate keeps SF ZF AF PF of the writer. */
static void gen_rotate(Gen *g)
{
    static const uint8_t counts[] = { 0, 1, 7, 8, 9, 15, 16, 17, 31, 32 };
    static const uint8_t writers[] = { 0x29, 0x21, 0x28, 0xFF };
    uint8_t w = writers[rnd(g->r) % sizeof writers];
    put(g, w);
    put(g, (uint8_t)(0xC0 | (rnd(g->r) % (w == 0xFF ? 16 : 64))));
    if (rnd(g->r) % 3 == 0)
        put(g, 0x66);
    uint8_t op = (uint8_t)(0xC0 + rnd(g->r) % 2 + (rnd(g->r) % 2) * 0x10);
    uint8_t m = (uint8_t)((rnd(g->r) & 0xC7) | (rnd(g->r) % 2) << 3);
    if (rnd(g->r) % 3)
        m |= 0xC0;
    put(g, op);
    put(g, m);
    put_modrm_tail(g, m);
    if (op < 0xD0)
        put(g, rnd(g->r) % 4 ? counts[rnd(g->r) % sizeof counts]
                             : (uint8_t)rnd(g->r));
    put(g, 0x9C);
}

/* A flag writer, MOV CL, imm (counts 0, 1, 31, 32, 33 or random), a
 * shift by CL (SHL/SHR/SAR, mostly 32-bit registers), then PUSHF: a zero
 * count must leave the writer's flags. */
static void gen_shift_cl(Gen *g)
{
    static const uint8_t counts[] = { 0, 1, 31, 32, 33 };
    put(g, 0x39);
    put(g, (uint8_t)(0xC0 | (rnd(g->r) % 64)));
    put(g, 0xB1);
    put(g, rnd(g->r) % 4 ? counts[rnd(g->r) % sizeof counts]
                         : (uint8_t)rnd(g->r));
    if (rnd(g->r) % 4 == 0)
        put(g, 0x66);
    put(g, 0xD3);
    put(g, (uint8_t)(0xC0 | (4 + rnd(g->r) % 4) << 3 | rnd(g->r) % 8));
    put(g, 0x9C);
}

/* DIV r32 after EDX = 0, after the divisor = 0, or with random EDX
 * (mostly a quotient overflow): #DE must be raised as the handler does. */
static void gen_div(Gen *g)
{
    unsigned r = rnd(g->r) % 8, k = rnd(g->r) % 3;
    if (k < 2) {
        if (!g->code32)
            put(g, 0x66);
        put(g, 0x31);
        put(g, (uint8_t)(0xC0 | (k ? r * 9 : 0x12))); /* xor r/edx, itself */
    }
    if (!g->code32)
        put(g, 0x66);
    put(g, 0xF7);
    put(g, (uint8_t)(0xF0 | r));
}

static void gen_insn(Gen *g)
{
    if (rnd(g->r) % 30 == 0) {
        gen_div(g);
        return;
    }
    if (rnd(g->r) % 40 == 0) {
        /* LEAVE with BP at the top of a 16-bit stack: SP wraps to 0. */
        if (g->code32)
            put(g, 0x66);
        put(g, 0xBD);
        put(g, 0xFE);
        put(g, 0xFF);
        put(g, 0xC9);
        return;
    }
    if (rnd(g->r) % 24 == 0) {
        gen_shift_cl(g);
        return;
    }
    if (rnd(g->r) % 24 == 0) {
        gen_rotate(g);
        return;
    }
    unsigned k = rnd(g->r) % 8;
    if (rnd(g->r) % 12 == 0) {
        gen_lazy_cond(g);
        return;
    }
    if (rnd(g->r) % 20 == 0) {
        gen_mul(g);
        return;
    }
    if (rnd(g->r) % 24 == 0) {
        gen_deferred_shift(g);
        return;
    }
    if (g->code32 && rnd(g->r) % 12 == 0) {
        gen_self_loop(g);
        return;
    }
    if (k == 0) {
        /* A random byte now and then (no REP: counts would be huge). */
        uint8_t byte = (uint8_t)rnd(g->r);
        put(g, (byte & 0xFE) == 0xF2 ? 0x90 : byte);
        return;
    }
    if (k == 1)
        put(g, 0x66);
    if (rnd(g->r) % 16 == 0) {
        /* 0F: Jcc rel32 (short range), SETcc, MOVZX/MOVSX, CMOV, IMUL */
        uint8_t op = ops_0f[rnd(g->r) % sizeof ops_0f];
        put(g, 0x0F);
        put(g, op);
        if (op == 0x84 || op == 0x85) {
            put(g, (uint8_t)(rnd(g->r) % 32));
            put(g, 0);
            if (g->code32) {
                put(g, 0);
                put(g, 0);
            }
        } else {
            put_modrm(g);
        }
        return;
    }
    const Shape *s = &shapes[rnd(g->r) % (sizeof shapes / sizeof *shapes)];
    put(g, s->op);
    if (s->modrm)
        put_modrm(g);
    unsigned imm = s->imm == 0xFF ? (g->code32 && k != 1 ? 4 : 2) : s->imm;
    if (s->op == 0xE8 || s->op == 0xEB || (s->op & 0xF0) == 0x70 ||
        s->op == 0xE2) {
        /* Branches: mostly short hops forward or backward. */
        int rel = (int)(rnd(g->r) % 40) - 12;
        put(g, (uint8_t)rel);
        for (unsigned i = 1; i < imm; i++)
            put(g, rel < 0 ? 0xFF : 0);
        return;
    }
    put_imm(g, imm);
}

static void gen_image(uint8_t *ram, Rng *r, bool code32)
{
    /* Data: random; IVT: vectors into the code area. */
    for (uint32_t i = 0; i < CMP_BYTES; i += 4) {
        uint32_t v = rnd(r);
        memcpy(ram + i, &v, 4);
    }
    for (unsigned v = 0; v < 256; v++) {
        uint16_t ip = (uint16_t)(rnd(r) % CODE_LEN), cs = CODE_PHYS >> 4;
        memcpy(ram + 4 * v, &ip, 2);
        memcpy(ram + 4 * v + 2, &cs, 2);
    }
    Gen g = { ram + CODE_PHYS, ram + CODE_PHYS + CODE_LEN, r, code32 };
    while (g.p < g.end)
        gen_insn(&g);
    /* No REP anywhere in the code (also not inside immediates that a
     * misaligned jump could execute): random counts take too long. */
    for (uint8_t *p = ram + CODE_PHYS; p < g.end; p++)
        if ((*p & 0xFE) == 0xF2)
            *p = 0x90;
}

static void set_cpu(CPUState *cpu, Rng *r, bool code32)
{
    cpu_reset(cpu);
    if (code32) {
        cpu_boot_flat32(cpu, CODE_PHYS + rnd(r) % 64, 0, 0);
    } else {
        cpu->seg[SEG_CS].sel = CODE_PHYS >> 4;
        cpu->seg[SEG_CS].base = CODE_PHYS;
        cpu->eip = rnd(r) % 64;
        cpu->seg[SEG_DS].sel = 0x2000;
        cpu->seg[SEG_DS].base = 0x20000;
        cpu->seg[SEG_SS].sel = 0x3000;
        cpu->seg[SEG_SS].base = 0x30000;
    }
    for (int i = 0; i < 8; i++) {
        uint32_t v = rnd(r);
        /* Flat mode: keep pointers mostly inside RAM (fast path). */
        cpu->regs[i] = code32 ? 0x40000 + (v & 0x7FFFF) : v;
    }
    cpu->regs[R_ESP] = code32 ? 0x80000 : 0x8000 + (rnd(r) & 0xFFE);
    cpu->regs[R_ECX] &= 0x3FF; /* REP counts: keep string ops short */
    cpu->eflags = EFL_FIXED1 | (rnd(r) & (EFL_ARITH | EFL_DF));
    cpu->cc_op = CC_OP_EFLAGS;
    cpu->next_eip = cpu->eip;
    cpu->insn_count = 0;
}

static void expect_same(VM *a, VM *b, const char *what, unsigned trial,
                        unsigned slice)
{
    CPUState *x = a->cpu, *y = b->cpu;
    char where[128];
    snprintf(where, sizeof where, "%s trial %u slice %u", what, trial, slice);
    for (int i = 0; i < 8; i++)
        ck_assert_msg(x->regs[i] == y->regs[i],
                      "%s: reg %d interp %08x jit %08x (eip %08x/%08x)",
                      where, i, x->regs[i], y->regs[i], x->eip, y->eip);
    ck_assert_msg(x->eip == y->eip, "%s: eip %08x vs %08x", where, x->eip,
                  y->eip);
    uint32_t fa = cpu_get_eflags(x), fb = cpu_get_eflags(y);
    ck_assert_msg(fa == fb, "%s: eflags %08x vs %08x (eip %08x)", where, fa,
                  fb, x->eip);
    for (int s = 0; s < SEG_COUNT; s++)
        ck_assert_msg(x->seg[s].sel == y->seg[s].sel &&
                          x->seg[s].base == y->seg[s].base,
                      "%s: seg %d", where, s);
    ck_assert_msg(x->insn_count == y->insn_count,
                  "%s: insn_count %llu vs %llu", where,
                  (unsigned long long)x->insn_count,
                  (unsigned long long)y->insn_count);
    ck_assert_msg(x->halted == y->halted, "%s: halted", where);
    uint8_t *ra = a->mem.ram, *rb = b->mem.ram;
    if (memcmp(ra, rb, CMP_BYTES) != 0) {
        uint32_t i = 0;
        while (ra[i] == rb[i])
            i++;
        ck_assert_msg(0, "%s: memory differs at %05x: %02x vs %02x", where,
                      i, ra[i], rb[i]);
    }
}

static bool same_state(VM *a, VM *b)
{
    CPUState *x = a->cpu, *y = b->cpu;
    return memcmp(x->regs, y->regs, sizeof x->regs) == 0 &&
           x->eip == y->eip && cpu_get_eflags(x) == cpu_get_eflags(y) &&
           x->insn_count == y->insn_count &&
           memcmp(a->mem.ram, b->mem.ram, CMP_BYTES) == 0;
}

/* Debug aid (X86BT_JIT_DIFF_DEBUG=1): replay the failing trial with the
 * same slices, then grow the last slice one instruction at a time until
 * the tiers differ, and show the instruction there. */
static void debug_trial(VM *a, VM *b, bool code32, uint64_t seed0,
                        unsigned t, const int64_t *budgets, unsigned s)
{
    bool traced = false;
    for (int64_t n = 1; n <= budgets[s]; n++) {
        Rng r = { seed0 * 7919 + t * 104729 + 1 };
        gen_image(a->mem.ram, &r, code32);
        memcpy(b->mem.ram, a->mem.ram, CMP_BYTES);
        mem_note_write(&b->mem, 0, CMP_BYTES);
        Rng rc = r;
        set_cpu(a->cpu, &r, code32);
        set_cpu(b->cpu, &rc, code32);
        for (unsigned k = 0; k < s; k++) {
            interp_run(a->cpu, budgets[k]);
            jit_run(b->cpu, budgets[k]);
            a->cpu->halted = b->cpu->halted = false;
        }
        CPUState *x = a->cpu;
        interp_run(x, n - 1);
        uint32_t eip0 = x->eip;
        interp_run(x, 1);
        jit_run(b->cpu, n);
        if (!same_state(a, b) && !traced) {
            /* Once more, with -trace translate. */
            traced = true;
            b->log.mask |= LOG_TRACE_TRANSLATE;
            jit_destroy(b);
            n--;
            continue;
        }
        if (!same_state(a, b)) {
            uint8_t *code = a->mem.ram + x->seg[SEG_CS].base;
            fprintf(stderr, "first difference at slice %u + %lld, insn at "
                    "%08x: %02x %02x %02x %02x %02x %02x\n", s,
                    (long long)n, eip0, code[eip0], code[eip0 + 1],
                    code[eip0 + 2], code[eip0 + 3], code[eip0 + 4],
                    code[eip0 + 5]);
            cpu_dump(a->cpu, stderr);
            cpu_dump(b->cpu, stderr);
            return;
        }
    }
}

static void run_trials(bool code32, uint64_t tcache_kb, uint64_t seed0)
{
    write_bios();
    VM *a = make_vm(false, tcache_kb), *b = make_vm(true, tcache_kb);
    unsigned trials = (unsigned)strtoul(
        getenv("X86BT_JIT_DIFF_TRIALS") ? getenv("X86BT_JIT_DIFF_TRIALS")
                                        : "200",
        NULL, 0);
    for (unsigned t = 0; t < trials; t++) {
        Rng r = { seed0 * 7919 + t * 104729 + 1 };
        gen_image(a->mem.ram, &r, code32);
        memcpy(b->mem.ram, a->mem.ram, CMP_BYTES);
        /* As a DMA write would: translations of the old image go. */
        mem_note_write(&b->mem, 0, CMP_BYTES);
        Rng rc = r;
        set_cpu(a->cpu, &r, code32);
        set_cpu(b->cpu, &rc, code32);
        int64_t budgets[12];
        for (unsigned s = 0; s < 12; s++)
            budgets[s] = 1 + rnd(&r) % (s & 1 ? 400 : 40);
        for (unsigned s = 0; s < 12; s++) {
            int64_t budget = budgets[s];
            CpuExit ea = interp_run(a->cpu, budget);
            CpuExit eb = jit_run(b->cpu, budget);
            if (getenv("X86BT_JIT_DIFF_DEBUG") &&
                (ea != eb || !same_state(a, b))) {
                debug_trial(a, b, code32, seed0, t, budgets, s);
                ck_abort_msg("see the first difference above");
            }
            ck_assert_msg(ea == eb, "%s trial %u slice %u: exit %d vs %d",
                          code32 ? "flat32" : "real16", t, s, ea, eb);
            expect_same(a, b, code32 ? "flat32" : "real16", t, s);
            if (ea == CPU_EXIT_SHUTDOWN)
                break;
            a->cpu->halted = b->cpu->halted = false;
            a->requests = b->requests = 0;
        }
    }
    if (tcache_kb <= 64)
        ck_assert_msg(b->cc && b->cc->stats.flushes > 0,
                      "a 64 KB cache should have been flushed");
    vm_destroy(a);
    vm_destroy(b);
}

START_TEST(real_mode_random)
{
    run_trials(false, 32768, 1);
}
END_TEST

START_TEST(flat32_random)
{
    run_trials(true, 32768, 2);
}
END_TEST

START_TEST(tiny_cache_flushes)
{
    run_trials(false, 64, 3);
    run_trials(true, 64, 4);
}
END_TEST

static Suite *jit_diff_suite(void)
{
    Suite *s = suite_create("jit_diff");
    TCase *tc = tcase_create("tiers");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, real_mode_random);
    tcase_add_test(tc, flat32_random);
    tcase_add_test(tc, tiny_cache_flushes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(jit_diff_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
