/*
 * explain.c — `-trace translate`: for each new block, every guest
 * instruction (Capstone, 16- or 32-bit) beside the host code emitted for
 * it (Capstone, x86-64), with how it was translated: inline fast path,
 * reference-tier call, or privileged/sensitive instruction (the handler
 * checks CPL/IOPL/VM and either acts on the emulated machine or raises
 * the guest exception; generated code never runs it natively).
 */
#include <inttypes.h>

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

static void jit_explain_host(JitState *js, Log *log, const uint8_t *code,
                             size_t len, uintptr_t addr)
{
    cs_insn *insn;
    size_t n = cs_disasm(js->cs_host, code, len, addr, 0, &insn);
    for (size_t i = 0; i < n; i++)
        log_msg(log, LOG_TRACE_TRANSLATE, "        %012" PRIx64 ":  %s %s\n",
                insn[i].address, insn[i].mnemonic, insn[i].op_str);
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
    return "reference handler call";
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
            "  entry: cur_tb, kick check, budget -= %u\n", tb->ninsn);
    jit_explain_host(js, log, b->a.buf, b->insn_code[0], (uintptr_t)tb->code);
    for (unsigned i = 0; i < tb->ninsn; i++) {
        jit_explain_guest(js, b, i);
        jit_explain_host(js, log, b->a.buf + b->insn_code[i],
                         b->insn_code[i + 1] - b->insn_code[i],
                         (uintptr_t)tb->code + b->insn_code[i]);
    }
    log_msg(log, LOG_TRACE_TRANSLATE,
            "  exits and stubs (a fault anywhere above: cpu_raise longjmps "
            "to the dispatcher with EIP of the faulting instruction already "
            "stored; the boundary table gives the retired count):\n");
    jit_explain_host(js, log, b->a.buf + b->insn_code[tb->ninsn],
                     b->a.len - b->insn_code[tb->ninsn],
                     (uintptr_t)tb->code + b->insn_code[tb->ninsn]);
}
