/*
 * explain.c — `-trace translate`: for each new block, every guest
 * instruction (Capstone, 16- or 32-bit) beside the host code emitted for
 * it (Capstone, x86-64), with how it was translated: inline fast path,
 * reference-tier call, or privileged/sensitive instruction (the handler
 * checks CPL/IOPL/VM and either acts on the emulated machine or raises
 * the guest exception; generated code never runs it natively).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/cpu_mem.h"
#include "machine/vm.h"
#include "translator/jit_int.h"

static bool jit_explain_open(JitState *js)
{
    if (js->cs_ready)
        return true;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &js->cs_host) != CS_ERR_OK)
        return false;
    if (cs_open(CS_ARCH_X86, CS_MODE_16, &js->cs_guest16) != CS_ERR_OK) {
        cs_close(&js->cs_host);
        return false;
    }
    if (cs_open(CS_ARCH_X86, CS_MODE_32, &js->cs_guest32) != CS_ERR_OK) {
        cs_close(&js->cs_host);
        cs_close(&js->cs_guest16);
        return false;
    }
    js->cs_ready = true;
    return true;
}

static const char *const gpr_names[8] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
};
static const char *const seg_names[SEG_COUNT] = {
    "es", "cs", "ss", "ds", "fs", "gs",
};

/* Name of the CPUState (rbx) or CodeCache field at off, so that
 * the trace reads "cpu.ecx" rather than a layout-dependent offset. */
static bool jit_field_name(char *out, size_t n, bool cc, bool indexed,
                           long off)
{
    if (cc) {
        const char *f = off == OFF_CC_BUDGET   ? "cc.budget"
                        : off == OFF_CC_CUR_TB ? "cc.cur_tb"
                        : off == OFF_CC_SMC    ? "cc.smc_flag"
                                               : NULL;
        return f && snprintf(out, n, "%s", f) > 0;
    }
    long tlb0 = OFF_TLB(0), tlb_end = OFF_TLB(2);
    if (indexed && off >= tlb0 && off < tlb_end) {
        long u = off >= OFF_TLB(1) ? 1 : 0, r = off - OFF_TLB(u);
        const char *f = r == (long)offsetof(TlbEntry, tag_read)    ? "tag_read"
                        : r == (long)offsetof(TlbEntry, tag_write) ? "tag_write"
                        : r == (long)offsetof(TlbEntry, tag_code)  ? "tag_code"
                                                                   : "addend";
        return snprintf(out, n, "cpu.tlb[%s][idx].%s", u ? "user" : "sup",
                        f) > 0;
    }
    if (off >= OFF_REG(0) && off < OFF_REG(8)) {
        long r = (off - OFF_REG(0)) / 4, byte = (off - OFF_REG(0)) % 4;
        return snprintf(out, n, "cpu.%s%s", gpr_names[r],
                        byte == 1 ? ".hi8" : byte ? ".b?" : "") > 0;
    }
    for (int sg = 0; sg < SEG_COUNT; sg++) {
        if (off == OFF_SEG_BASE(sg))
            return snprintf(out, n, "cpu.%s.base", seg_names[sg]) > 0;
        if (off == OFF_SEG_LIMIT(sg))
            return snprintf(out, n, "cpu.%s.limit", seg_names[sg]) > 0;
    }
    if (off == OFF_SITE_GEN)
        return snprintf(out, n, "cpu.tlb.site_gen") > 0;
    if (off >= OFF_SITE_KEY(0) && off < OFF_SITE_KEY(TLB_NSITE)) {
        long i = (off - OFF_SITE_KEY(0)) / 16;
        return snprintf(out, n, "cpu.tlb.site[%ld].%s", i,
                        (off - OFF_SITE_KEY(0)) % 16 ? "addend" : "key") > 0;
    }
    for (int i = 0; i < (int)TLB_NSLOT; i++) {
        if (off == OFF_SLOT_PAGE(i))
            return snprintf(out, n, "cpu.tlb.slot[%d].page", i) > 0;
        if (off == OFF_SLOT_ADDEND(i))
            return snprintf(out, n, "cpu.tlb.slot[%d].addend", i) > 0;
    }
    const char *f = off == OFF_EIP        ? "cpu.eip"
                    : off == OFF_NEXT_EIP ? "cpu.next_eip"
                    : off == OFF_EFLAGS   ? "cpu.eflags"
                    : off == OFF_CC_OP    ? "cpu.cc_op"
                    : off == OFF_CC_RES   ? "cpu.cc_res"
                    : off == OFF_CC_OP1   ? "cpu.cc_op1"
                    : off == OFF_CC_OP2   ? "cpu.cc_op2"
                    : off == OFF_KICK     ? "cpu.kick"
                    : off == OFF_XFER_FAST ? "cpu.xfer_fast"
                    : off == OFF_XFER_ID ? "cpu.xfer_id"
                                         : NULL;
    return f && snprintf(out, n, "%s", f) > 0;
}

/* Rewrite "[rbx + 0xNN]" / "[rbx + rbp + 0xNN]" (a TLB entry). */
static const char *jit_explain_field(char *out, size_t n, const char *op,
                                     size_t *used)
{
    if (strncmp(op, "[rbx]", 5) == 0 &&
        jit_field_name(out, n, false, false, 0)) {
        *used = strlen(out);
        return op + 5;
    }
    bool cc = false; /* CodeCache fields are reached by absolute address */
    bool idx = strncmp(op, "[rbx + rbp + ", 13) == 0;
    bool cpu = strncmp(op, "[rbx + ", 7) == 0;
    if (!cc && !idx && !cpu)
        return NULL;
    const char *num = op + (idx ? 13 : 7);
    char *end;
    long off = strtol(num, &end, 0);
    if (*end != ']' || !jit_field_name(out, n, cc, idx, off))
        return NULL;
    *used = strlen(out);
    return end + 1;
}

/* Host operands are printed position-independently (golden tests):
 * addresses inside the block as +offset, other host addresses (helpers,
 * trampolines, descriptors) as <host>; guest-sized values stay. */
static void jit_explain_operands(const JitState *js, char *out, size_t n,
                                 const char *op, uintptr_t start, size_t len)
{
    size_t o = 0;
    while (*op && o + 1 < n) {
        size_t used;
        const char *next = op[0] == '[' ? jit_explain_field(out + o, n - o,
                                                             op, &used)
                                        : NULL;
        if (next) {
            o += used;
            op = next;
            continue;
        }
        if (op[0] == '0' && op[1] == 'x') {
            char *end;
            unsigned long long v = strtoull(op, &end, 16);
            if (v >= start && v < start + len)
                o += (size_t)snprintf(out + o, n - o, "+0x%llx",
                                      v - (unsigned long long)start);
            else if (v == js->spill)
                o += (size_t)snprintf(out + o, n - o, "<spill>");
            else if (v == js->fill)
                o += (size_t)snprintf(out + o, n - o, "<fill>");
            else if (v == js->cond)
                o += (size_t)snprintf(out + o, n - o, "<cond>");
            else if (v == js->jc_probe[0] || v == js->jc_probe[1])
                o += (size_t)snprintf(out + o, n - o, "<jc_probe>");
            else if (v == js->arith)
                o += (size_t)snprintf(out + o, n - o, "<arith>");
            else if (v > 0xFFFFFFFFull)
                o += (size_t)snprintf(out + o, n - o, "<host>");
            else
                o += (size_t)snprintf(out + o, n - o, "%.*s",
                                      (int)(end - op), op);
            op = end;
            if (o >= n)
                o = n - 1;
            continue;
        }
        out[o++] = *op++;
    }
    out[o] = 0;
}

static void jit_explain_host(JitState *js, Log *log, const uint8_t *code,
                             size_t len, uintptr_t addr, const TBlock *tb)
{
    cs_insn *insn;
    uintptr_t start = (uintptr_t)tb->code;
    size_t n = cs_disasm(js->cs_host, code, len, addr, 0, &insn);
    for (size_t i = 0; i < n; i++) {
        char ops[256];
        jit_explain_operands(js, ops, sizeof ops, insn[i].op_str, start,
                             tb->code_len);
        log_msg(log, LOG_TRACE_TRANSLATE, "    +%04" PRIx64 ":  %s %s\n",
                insn[i].address - start, insn[i].mnemonic, ops);
    }
    if (n)
        cs_free(insn, n);
}

static const char *jit_explain_kind(const BlockBuilder *b, unsigned i,
                                    const InsnRow *r)
{
    if (r->attr & A_PRIV)
        return "privileged/sensitive: reference handler checks CPL/IOPL/VM,"
               " acts on the machine or raises #GP/#UD (never native)";
    if (b->insn_inline[i])
        return "inline";
    return "reference handler call (exec_*)";
}

static void jit_explain_guest(JitState *js, const BlockBuilder *b,
                              unsigned i)
{
    Log *log = &js->cpu->vm->log;
    uint8_t buf[INSN_MAX_LEN];
    uint32_t eip = b->insn_eip[i];
    unsigned avail = cpu_fetch_avail(js->cpu, eip, INSN_MAX_LEN);
    cpu_fetch_code(js->cpu, eip, buf, avail);
    csh cs = b->code32 ? js->cs_guest32 : js->cs_guest16;
    cs_insn *insn;
    size_t n = cs_disasm(cs, buf, avail, eip, 1, &insn);
    DecodedInsn d;
    int len = decode_insn(js->cpu->dtab, &d, buf, avail, b->code32);
    const InsnRow *r = len > 0 ? &insn_rows[d.row] : NULL;
    char text[192];
    snprintf(text, sizeof text, "%.31s %.150s", n ? insn[0].mnemonic : "(?)",
             n ? insn[0].op_str : "");
    log_msg(log, LOG_TRACE_TRANSLATE, "  %08x: %-32s ; %s\n", eip, text,
            r ? jit_explain_kind(b, i, r) : "?");
    if (n)
        cs_free(insn, n);
}

void jit_explain_block(JitState *js, const BlockBuilder *b)
{
    Log *log = &js->cpu->vm->log;
    const TBlock *tb = b->tb;
    if (!jit_explain_open(js))
        return;
    log_msg(log, LOG_TRACE_TRANSLATE,
            "translate: block %04x:%08x phys %08" PRIx64 " mode %s%s cpl %u"
            " fastseg %02x: %u insns, %u guest bytes -> %u host bytes\n",
            b->cpu->seg[SEG_CS].sel, tb->eip, tb->phys,
            b->code32 ? "code32" : "code16",
            (tb->flags & JIT_F_VM86) ? " v86" : "", tb->flags & JIT_F_CPL,
            (tb->flags >> JIT_F_FASTSEG_SHIFT) & 0x3F, tb->ninsn,
            tb->guest_len, tb->code_len);
    log_msg(log, LOG_TRACE_TRANSLATE,
            "  entry: budget (r12) -= %u; guest eax..edi in r8d"
            " ecx edx r9d r10d r11d esi edi\n", tb->ninsn);
    jit_explain_host(js, log, b->a.buf, b->insn_code[0], (uintptr_t)tb->code,
                     tb);
    for (unsigned i = 0; i < tb->ninsn; i++) {
        jit_explain_guest(js, b, i);
        jit_explain_host(js, log, b->a.buf + b->insn_code[i],
                         b->insn_code[i + 1] - b->insn_code[i],
                         (uintptr_t)tb->code + b->insn_code[i], tb);
    }
    log_msg(log, LOG_TRACE_TRANSLATE,
            "  exits and stubs (a fault anywhere above: cpu_raise longjmps "
            "to the dispatcher with EIP of the faulting instruction already "
            "stored; the boundary table gives the retired count):\n");
    jit_explain_host(js, log, b->a.buf + b->insn_code[tb->ninsn],
                     b->a.len - b->insn_code[tb->ninsn],
                     (uintptr_t)tb->code + b->insn_code[tb->ninsn], tb);
}
