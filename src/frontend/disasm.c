/*
 * disasm.c — Capstone (4.x) wrapper, see disasm.h. Two handles, one per
 * code size, opened once per owner (the CPU opens one lazily for -trace
 * insn). Capstone only names instructions here; decoding for execution is
 * decode.c's job.
 */
#include "frontend/disasm.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>

struct Disasm {
    csh h16, h32;
};

Disasm *disasm_create(void)
{
    Disasm *ds = calloc(1, sizeof(*ds));
    if (!ds)
        return NULL;
    if (cs_open(CS_ARCH_X86, CS_MODE_16, &ds->h16) != CS_ERR_OK) {
        free(ds);
        return NULL;
    }
    if (cs_open(CS_ARCH_X86, CS_MODE_32, &ds->h32) != CS_ERR_OK) {
        cs_close(&ds->h16);
        free(ds);
        return NULL;
    }
    return ds;
}

void disasm_destroy(Disasm *ds)
{
    if (!ds)
        return;
    cs_close(&ds->h16);
    cs_close(&ds->h32);
    free(ds);
}

unsigned disasm_insn(Disasm *ds, const uint8_t *buf, size_t len,
                     uint32_t addr, bool code32, char *out, size_t outlen)
{
    cs_insn *ci = NULL;
    size_t n = cs_disasm(code32 ? ds->h32 : ds->h16, buf, len, addr, 1, &ci);
    if (n == 0) {
        snprintf(out, outlen, "(bad)");
        return 0;
    }
    snprintf(out, outlen, "%s%s%s", ci->mnemonic, ci->op_str[0] ? " " : "",
             ci->op_str);
    unsigned size = ci->size;
    cs_free(ci, n);
    return size;
}
