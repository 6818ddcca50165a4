/*
 * exec_fpu_env.c — x87 control and state-image instructions and the
 * checks every x87/MMX instruction makes.
 *
 * Owns: #NM (SDM vol. 3 2.5 table 2-2), the pending-exception check with
 * its two reporting paths (vol. 1 8.7: native #MF with CR0.NE=1; with
 * CR0.NE=0 the PC-compatible path: FERR# latched by the chipset onto ISA
 * IRQ13, the waiting instruction freezes until the interrupt handler
 * writes port 0xF0, which clears the latch and asserts IGNNE#; IGNNE#
 * falls when FERR# does), memory access for x87 operands, FLDCW/FSTCW,
 * FSTSW m16, FLDENV/FSTENV, FRSTOR/FSAVE and FXSAVE/FXRSTOR.
 */
#include "frontend/exec.h"
#include "frontend/exec_fpu.h"
#include "frontend/fpu_core.h"
#include "machine/vm.h"

#define FPU_FERR_IRQ 13
#define FPU_FERR_PORT 0xF0

bool fpu_check_pending(CPUState *cpu)
{
    FpuState *fs = &cpu->fpu;

    if (!fpu_pending(fs)) {
        return true;
    }
    if (cpu->cr0 & CR0_NE) {
        cpu_raise_noerr(cpu, EXC_MF);
    }
    if (fs->ignne) {
        return true;
    }
    if (!fs->ferr) {
        fs->ferr = true;
        irq_raise(&cpu->vm->irq, FPU_FERR_IRQ);
    }
    cpu->next_eip = cpu->eip; /* frozen: retried after the interrupt */
    return false;
}

void fpu_ferr_update(CPUState *cpu)
{
    FpuState *fs = &cpu->fpu;

    if (!fpu_pending(fs)) {
        fs->ferr = false;
        fs->ignne = false;
    }
}

static void fpu_port_write(void *opaque, uint32_t offset, uint32_t value,
                           unsigned size)
{
    CPUState *cpu = opaque;

    (void)offset;
    (void)value;
    (void)size;
    irq_lower(&cpu->vm->irq, FPU_FERR_IRQ);
    if (cpu->fpu.ferr) {
        cpu->fpu.ignne = true;
    }
}

static const IoOps fpu_port_ops = {
    .read = NULL,
    .write = fpu_port_write,
    .min_size = 1,
    .max_size = 1,
};

void fpu_ferr_attach(CPUState *cpu)
{
    if (io_register(&cpu->vm->io, FPU_FERR_PORT, 1, &fpu_port_ops, cpu,
                    "fpu-ferr") < 0) {
        log_msg(&cpu->vm->log, LOG_ERROR, "fpu: port 0xF0 is taken\n");
    }
}

bool fpu_begin(CPUState *cpu, const DecodedInsn *d, FpuCheck chk)
{
    FpuState *fs = &cpu->fpu;

    if (cpu->cr0 & (CR0_EM | CR0_TS)) {
        cpu_raise_noerr(cpu, EXC_NM);
    }
    if (!(chk & FPU_NOWAIT) && !fpu_check_pending(cpu)) {
        return false;
    }
    if (!(chk & FPU_CONTROL)) {
        fpu_note_insn(fs, cpu->seg[SEG_CS].sel, cpu->eip,
                      (uint16_t)((d->opcode & 7) << 8 | d->modrm));
        if (!insn_is_reg(d)) {
            fpu_note_data(fs, cpu->seg[d->seg].sel, insn_ea(cpu, d));
        }
    }
    return true;
}

static uint32_t fpu_off(const DecodedInsn *d, uint32_t ea, unsigned i)
{
    uint32_t off = ea + i;
    return d->a32 ? off : off & 0xFFFF;
}

void fpu_read_mem(CPUState *cpu, const DecodedInsn *d, uint8_t *buf,
                  unsigned n)
{
    uint32_t ea = insn_ea(cpu, d);
    unsigned i = 0;

    for (; i + 4 <= n; i += 4) {
        uint32_t v = cpu_ld32(cpu, d->seg, fpu_off(d, ea, i));
        memcpy(buf + i, &v, 4);
    }
    if (i < n) {
        uint16_t v = cpu_ld16(cpu, d->seg, fpu_off(d, ea, i));
        memcpy(buf + i, &v, 2);
    }
}

void fpu_probe_write(CPUState *cpu, const DecodedInsn *d, unsigned n)
{
    uint32_t lin = seg_linear(cpu, d->seg, insn_ea(cpu, d), n, ACC_WRITE);
    uint32_t last = (lin + n - 1) & ~0xFFFu;

    if (!cpu->paging) {
        return;
    }
    for (uint32_t p = lin & ~0xFFFu;; p += 0x1000) {
        mmu_translate(cpu, p < lin ? lin : p, ACC_WRITE, cpu->cpl == 3);
        if (p == last) {
            break;
        }
    }
}

void fpu_write_mem(CPUState *cpu, const DecodedInsn *d, const uint8_t *buf,
                   unsigned n)
{
    uint32_t ea = insn_ea(cpu, d);
    unsigned i = 0;

    for (; i + 4 <= n; i += 4) {
        uint32_t v;
        memcpy(&v, buf + i, 4);
        cpu_st32(cpu, d->seg, fpu_off(d, ea, i), v);
    }
    if (i < n) {
        uint16_t v;
        memcpy(&v, buf + i, 2);
        cpu_st16(cpu, d->seg, fpu_off(d, ea, i), v);
    }
}

/* Real-address and virtual-8086 mode use the real-mode image layouts. */
static bool fpu_real_layout(const CPUState *cpu)
{
    return !cpu->pe || cpu->vm86;
}

void fpu_exec_fldcw(CPUState *cpu, const DecodedInsn *d)
{
    uint8_t b[2];

    fpu_read_mem(cpu, d, b, 2);
    fpu_set_cw(&cpu->fpu, (uint16_t)(b[0] | b[1] << 8));
    fpu_ferr_update(cpu);
}

void fpu_exec_fnstcw(CPUState *cpu, const DecodedInsn *d)
{
    uint8_t b[2] = {(uint8_t)cpu->fpu.cw, (uint8_t)(cpu->fpu.cw >> 8)};
    fpu_write_mem(cpu, d, b, 2);
}

void fpu_exec_fnstsw(CPUState *cpu, const DecodedInsn *d)
{
    uint16_t sw = fpu_get_sw(&cpu->fpu);
    uint8_t b[2] = {(uint8_t)sw, (uint8_t)(sw >> 8)};
    fpu_write_mem(cpu, d, b, 2);
}

void fpu_exec_fldenv(CPUState *cpu, const DecodedInsn *d)
{
    uint8_t b[28];

    fpu_read_mem(cpu, d, b, (unsigned)fpu_env_size(d->o32));
    fpu_load_env(&cpu->fpu, b, d->o32, fpu_real_layout(cpu));
    fpu_ferr_update(cpu);
}

/* FSTENV masks all exceptions after storing (SDM vol. 2 FSTENV). */
void fpu_exec_fnstenv(CPUState *cpu, const DecodedInsn *d)
{
    FpuState *fs = &cpu->fpu;
    uint8_t b[28];
    unsigned n = (unsigned)fpu_env_size(d->o32);

    fpu_probe_write(cpu, d, n);
    fpu_store_env(fs, b, d->o32, fpu_real_layout(cpu));
    fpu_write_mem(cpu, d, b, n);
    fpu_set_cw(fs, (uint16_t)(fs->cw | FPU_SW_EXC));
    fpu_ferr_update(cpu);
}

void fpu_exec_frstor(CPUState *cpu, const DecodedInsn *d)
{
    uint8_t b[108];

    fpu_read_mem(cpu, d, b, (unsigned)fpu_env_size(d->o32) + 80);
    fpu_restore(&cpu->fpu, b, d->o32, fpu_real_layout(cpu));
    fpu_ferr_update(cpu);
}

void fpu_exec_fnsave(CPUState *cpu, const DecodedInsn *d)
{
    uint8_t b[108];
    unsigned n = (unsigned)fpu_env_size(d->o32) + 80;

    fpu_probe_write(cpu, d, n);
    fpu_save(&cpu->fpu, b, d->o32, fpu_real_layout(cpu));
    fpu_write_mem(cpu, d, b, n);
    fpu_ferr_update(cpu);
}

/* FXSAVE/FXRSTOR (0F AE /0, /1): #NM on EM or TS, #GP(0) unless the
 * operand is 16-byte aligned; they do not check pending exceptions. */
static void fpu_fx_checks(CPUState *cpu, const DecodedInsn *d, int acc)
{
    if (cpu->cr0 & (CR0_EM | CR0_TS)) {
        cpu_raise_noerr(cpu, EXC_NM);
    }
    if (seg_linear(cpu, d->seg, insn_ea(cpu, d), FPU_FXSAVE_SIZE, acc) &
        15) {
        cpu_raise_gp0(cpu);
    }
}

void exec_fpu_FXSAVE(CPUState *cpu, const DecodedInsn *d)
{
    uint8_t b[FPU_FXSAVE_SIZE];

    fpu_fx_checks(cpu, d, ACC_WRITE);
    /* Only the x87/MMX part (bytes 0..159) is written: no SSE on the P6. */
    fpu_probe_write(cpu, d, 160);
    fpu_fxsave(&cpu->fpu, b);
    fpu_write_mem(cpu, d, b, 160);
}

void exec_fpu_FXRSTOR(CPUState *cpu, const DecodedInsn *d)
{
    uint8_t b[FPU_FXSAVE_SIZE];

    fpu_fx_checks(cpu, d, ACC_READ);
    fpu_read_mem(cpu, d, b, 160);
    fpu_fxrstor(&cpu->fpu, b);
    fpu_ferr_update(cpu);
}
