/*
 * decode.h — x86 instruction decoder (16/32-bit code, P6 instruction set).
 *
 * The instruction table is src/frontend/insn.def (X-macro rows, see the
 * comment at its top). decode_insn() parses prefixes, the opcode (one-byte
 * and 0F maps), ModRM/SIB/displacement and immediates into a DecodedInsn
 * and picks the table row, whose handler implements the semantics:
 *     void exec_<name>(CPUState *cpu, const DecodedInsn *d);
 * Handlers are entered with cpu->eip = address of the instruction and
 * cpu->next_eip = eip + length (wrapped to 16 bits in 16-bit code); they
 * change next_eip to transfer control. They raise exceptions with
 * cpu_raise() before changing any architectural state.
 */
#ifndef X86BT_DECODE_H
#define X86BT_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "frontend/cpu_state.h"

#define INSN_MAX_LEN 15
#define DEC_NOREG 0xFF

/* Operand kinds, SDM appendix A notation. __ = no operand. */
typedef enum OpKind {
    OPK___ = 0,
    OPK_Eb, OPK_Ew, OPK_Ed, OPK_Ev, OPK_Gb, OPK_Gw, OPK_Gd, OPK_Gv,
    OPK_M, OPK_Mp, OPK_Mq, OPK_Ma, OPK_Ms, OPK_Mf, /* memory only */
    OPK_Rd, OPK_Cd, OPK_Dd, OPK_Sw,                  /* ModRM register */
    OPK_Ib, OPK_Iw, OPK_Iz, OPK_Ibs,                 /* immediates */
    OPK_Jb, OPK_Jz, OPK_Ap, OPK_Ob, OPK_Ov,
    OPK_AL, OPK_CL, OPK_DX, OPK_eAX, OPK_Zb, OPK_Zv, OPK_1, OPK_Sr,
    OPK_Xb, OPK_Xv, OPK_Yb, OPK_Yv,                   /* string operands */
    OPK_Pq, OPK_Qq, OPK_Qd, OPK_Nq, OPK_Fx,           /* MMX, x87 */
    OPK_COUNT
} OpKind;

/* Flag sets for the flags-read/written/undefined columns. */
#define FL__ 0u
#define FL_C EFL_CF
#define FL_Z EFL_ZF
#define FL_O EFL_OF
#define FL_A EFL_AF
#define FL_D EFL_DF
#define FL_I EFL_IF
#define FL_OC (EFL_OF | EFL_CF)
#define FL_AC (EFL_AF | EFL_CF)
#define FL_OA (EFL_OF | EFL_AF)
#define FL_SZP (EFL_SF | EFL_ZF | EFL_PF)
#define FL_OSZAP (EFL_OF | EFL_SF | EFL_ZF | EFL_AF | EFL_PF)
#define FL_OSZAPC EFL_ARITH
#define FL_SZAPC (EFL_SF | EFL_ZF | EFL_AF | EFL_PF | EFL_CF)
#define FL_SZAP (EFL_SF | EFL_ZF | EFL_AF | EFL_PF)
#define FL_OSZP (EFL_OF | EFL_SF | EFL_ZF | EFL_PF)
#define FL_OAC (EFL_OF | EFL_AF | EFL_CF)
#define FL_OSAPC (EFL_OF | EFL_SF | EFL_AF | EFL_PF | EFL_CF)
#define FL_OSZPC (EFL_OF | EFL_SF | EFL_ZF | EFL_PF | EFL_CF)
#define FL_OSAP (EFL_OF | EFL_SF | EFL_AF | EFL_PF)
#define FL_ALL 0x00257FD5u /* whole EFLAGS (POPF, IRET) */
/* Condition-code reads (Jcc/SETcc/CMOVcc): see cc_cond(). */
#define FL_CC FL_OSZAPC

/* Row attributes. */
enum {
    A__ = 0,
    A_LOCK = 1 << 0,   /* LOCK allowed with a memory destination */
    A_REP = 1 << 1,    /* string op: F3/F2 repeat it */
    A_REPZ = 1 << 2,   /* CMPS/SCAS: F3 = REPE, F2 = REPNE */
    A_BRANCH = 1 << 3, /* ends a basic block */
    A_PRIV = 1 << 4,   /* privileged or I/O-sensitive */
    A_MODREG = 1 << 5, /* ModRM always a register (MOV CR/DR) */
    A_O32 = 1 << 6,    /* mnemonic "a/b": b with 32-bit operand size */
    A_A32 = 1 << 7,    /* mnemonic "a/b": b with 32-bit address size */
    A_NODIFF = 1 << 8, /* not comparable in the Unicorn differential */
};

/* CPUID feature that makes a row exist (all present on the modelled P6). */
enum {
    CPUF_base, CPUF_486, CPUF_586, CPUF_cx8, CPUF_tsc, CPUF_msr, CPUF_cmov,
    CPUF_sep, CPUF_mmx, CPUF_fpu, CPUF_p6,
};

/* Instruction classes (test enumeration, statistics). */
enum {
    CLS_alu, CLS_shift, CLS_muldiv, CLS_bcd, CLS_bit, CLS_string,
    CLS_stack, CLS_ctrl, CLS_mov, CLS_misc, CLS_io, CLS_flag, CLS_sys,
    CLS_fpu, CLS_mmx, CLS_COUNT,
};

/* Row selectors. */
enum { DEC_REG_0, DEC_REG_1, DEC_REG_2, DEC_REG_3, DEC_REG_4, DEC_REG_5,
       DEC_REG_6, DEC_REG_7, DEC_REG_any };
enum { DEC_MOD_any, DEC_MOD_mem, DEC_MOD_reg };

typedef struct InsnRow {
    const char *name;   /* row id, e.g. "ADD_Eb_Gb" */
    const char *mnem;   /* Intel mnemonic ("cbw/cwde": by operand size) */
    ExecFn handler;
    uint32_t flags_read, flags_written, flags_undef;
    uint16_t attr;
    uint8_t map, opcode, reg, mod;
    uint8_t ops[3];     /* OpKind */
    uint8_t feature, cls;
} InsnRow;

/* Row ids, one per insn.def line. */
typedef enum InsnId {
#define X(id, map, op, reg, mod, mnem, o1, o2, o3, feat, fr, fw, fu, h, cls, \
          attr)                                                             \
    INSN_##id,
#include "frontend/insn.def"
#undef X
    INSN_COUNT
} InsnId;

extern const InsnRow insn_rows[INSN_COUNT];

typedef struct DecodedInsn {
    ExecFn handler;
    uint32_t disp;
    uint32_t imm;      /* first immediate (sign-extended where the SDM says) */
    uint32_t imm2;     /* second immediate: ENTER Ib, far pointer selector */
    uint16_t row;      /* InsnId */
    uint8_t len;
    uint8_t map;       /* 0: one-byte, 1: 0F */
    uint8_t opcode;
    uint8_t modrm;     /* raw byte, 0 if none */
    uint8_t mod, reg, rm;
    uint8_t base, index, scale; /* DEC_NOREG if absent; scale = shift */
    uint8_t seg;       /* segment of the memory operand (override or default) */
    uint8_t seg_ovr;   /* SEG_NONE or the override prefix's segment */
    uint8_t rep;       /* 0, 0xF3 or 0xF2 (last one seen) */
    bool o32, a32, lock, has_modrm;
} DecodedInsn;

/* Lookup from (map, opcode, mod kind, reg) to row + 1 (0: undefined). */
typedef struct DecodeTable {
    uint16_t idx[2][256][2][8];
    uint8_t rowflags[INSN_COUNT]; /* DEC_RF_*, derived from the operands */
} DecodeTable;

enum { DEC_RF_MODRM = 1, DEC_RF_IMM = 2 };

void decode_table_init(DecodeTable *t);

enum {
    DEC_NEED_MORE = -1, /* ran out of the `avail` bytes given */
    DEC_TOO_LONG = -2,  /* > 15 bytes: #GP(0) */
    DEC_UD = -3,        /* undefined/unsupported encoding or bad LOCK: #UD */
};

/* Decode one instruction from buf[0..avail) for 32-bit (code32) or 16-bit
 * code. Returns the length, or DEC_* < 0. */
int decode_insn(const DecodeTable *t, DecodedInsn *d, const uint8_t *buf,
                unsigned avail, bool code32);

/* Mnemonic of a decoded instruction (picks the o16/o32 or a16/a32 name). */
const char *decode_mnemonic(const DecodedInsn *d, char *buf, unsigned len);

#endif
