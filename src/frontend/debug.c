/*
 * debug.c — debug exceptions (SDM vol. 3 chapter 17): the four address
 * breakpoints of DR0-DR3 as configured by DR7 (instruction breakpoints are
 * faults checked before the instruction unless EFLAGS.RF is set; data
 * write and read/write breakpoints of 1, 2 or 4 bytes are traps reported
 * after the instruction), single-step traps (TF, DR6.BS), and the MOV SS /
 * POP SS shadow that holds those traps for one more instruction (section
 * 6.8.3). I/O breakpoints (R/W = 10 with CR4.DE) and DR7.GD are not
 * modelled. The translator leaves blocks to the interpreter while DR7
 * enables breakpoints.
 */
#include "frontend/debug.h"

#include "frontend/decode.h"
#include "frontend/except.h"

enum { DR6_BS = 1u << 14, DR_RW_EXEC = 0, DR_RW_WRITE = 1, DR_RW_RW = 3 };

static bool dbg_enabled(const CPUState *cpu, unsigned n)
{
    return (cpu->dr[7] >> (n * 2)) & 3;
}

static unsigned dbg_rw(const CPUState *cpu, unsigned n)
{
    return (cpu->dr[7] >> (16 + n * 4)) & 3;
}

/* Length encoding 00/01/11 = 1/2/4 bytes (10 is undefined on a P6). */
static const uint8_t dbg_len_bytes[4] = {1, 2, 4, 4};

static unsigned dbg_len(const CPUState *cpu, unsigned n)
{
    return dbg_len_bytes[(cpu->dr[7] >> (18 + n * 4)) & 3];
}

void dbg_before_insn(CPUState *cpu)
{
    if (!dbg_any_enabled(cpu) || (cpu->eflags & EFL_RF))
        return;
    uint32_t lin = cpu->seg[SEG_CS].base + cpu->eip, hit = 0;
    for (unsigned n = 0; n < 4; n++)
        if (dbg_enabled(cpu, n) && dbg_rw(cpu, n) == DR_RW_EXEC &&
            cpu->dr[n] == lin)
            hit |= 1u << n;
    if (!hit)
        return;
    cpu->dr[6] = (cpu->dr[6] & ~0xFu) | hit;
    cpu_raise(cpu, EXC_DB, 0);
}

void dbg_note_access(CPUState *cpu, uint32_t lin, unsigned size, bool write)
{
    uint32_t last = lin + size - 1;
    for (unsigned n = 0; n < 4; n++) {
        unsigned rw = dbg_rw(cpu, n);
        if (!dbg_enabled(cpu, n) || rw == DR_RW_EXEC || rw == 2)
            continue;
        if (rw == DR_RW_WRITE && !write)
            continue;
        unsigned len = dbg_len(cpu, n);
        uint32_t a = cpu->dr[n] & ~(len - 1);
        if (a <= last && lin <= a + len - 1)
            cpu->dbg_pending |= 1u << n;
    }
}

bool dbg_watch_page(const CPUState *cpu, uint32_t lin)
{
    for (unsigned n = 0; n < 4; n++) {
        unsigned rw = dbg_rw(cpu, n);
        if (dbg_enabled(cpu, n) && (rw == DR_RW_WRITE || rw == DR_RW_RW) &&
            ((cpu->dr[n] ^ lin) & 0xFFFFF000u) == 0)
            return true;
    }
    return false;
}

static bool dbg_is_mov_ss(const DecodedInsn *d)
{
    if (d->map != 0)
        return false;
    return d->opcode == 0x17 || (d->opcode == 0x8E && d->reg == SEG_SS);
}

void dbg_after_insn(CPUState *cpu, const DecodedInsn *d, bool tf)
{
    uint32_t bits = cpu->dbg_pending;
    bool step = tf || cpu->dbg_tf_deferred;
    cpu->dbg_pending = 0;
    cpu->dbg_tf_deferred = false;
    if (dbg_is_mov_ss(d) && (step || bits)) {
        cpu->dbg_tf_deferred = step;
        cpu->dbg_pending = bits;
        return;
    }
    if (!(d->map == 0 && d->opcode == 0xCF)) /* IRET may set RF */
        cpu->eflags &= ~EFL_RF;
    if (!step && !bits)
        return;
    cpu->dr[6] = (cpu->dr[6] & ~0xFu) | bits | (step ? DR6_BS : 0);
    cpu_interrupt(cpu, EXC_DB, INT_EXCEPTION, false, 0, cpu->eip);
}
