/*
 * fpu_host_x86.c — the x87 backend for x86-64 hosts (see fpu_host.h).
 *
 * On x86-64 the host FPU is an x87 with the same 80-bit format, so each
 * guest operation runs as the same host instruction under the guest's
 * precision and rounding control with all host exceptions masked. The
 * result, the exception flags (which are exactly the masked-response
 * flags of SDM vol. 1 4.9 and 8.5) and C0..C3 are read back. Each
 * primitive is one asm statement that leaves the host x87 stack empty and
 * restores the host control word, as the SysV ABI requires.
 */
#include "frontend/fpu_host.h"

#if !defined(__x86_64__) && !defined(__i386__)
#error "fpu_host_x86.c needs an x86 host; a soft-float backend is TODO"
#endif

/* Enter: save host CW, load the guest CW (all exceptions masked), clear
 * flags. Leave: read SW into %ax, clear flags, restore host CW. */
#define FPH_ENTER "fnstcw %[save]\n\tfldcw %[cw]\n\tfnclex\n\t"
#define FPH_LEAVE "fnclex\n\tfldcw %[save]\n\t"
/* The statements use up to three x87 stack slots and leave them empty. */
#define FPH_CLOBBERS "st", "st(1)", "st(2)", "cc"

typedef uint16_t (*FphFn)(uint16_t cw, FpuHostIo *io);

static uint16_t fph_add(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[b]\n\tfldt %[a]\n\t"
                     "fadd %%st(1), %%st\n\tfnstsw %%ax\n\t"
                     "fstpt %[r]\n\tfstp %%st(0)\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [a] "m"(io->a), [b] "m"(io->b), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_mul(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[b]\n\tfldt %[a]\n\t"
                     "fmul %%st(1), %%st\n\tfnstsw %%ax\n\t"
                     "fstpt %[r]\n\tfstp %%st(0)\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [a] "m"(io->a), [b] "m"(io->b), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

/* In AT&T syntax the forms with %st as destination are unambiguous:
 * "fsub %st(1), %st" is Intel "fsub st(0), st(1)": st0 = st0 - st1. */
static uint16_t fph_sub(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[b]\n\tfldt %[a]\n\t"
                     "fsub %%st(1), %%st\n\tfnstsw %%ax\n\t"
                     "fstpt %[r]\n\tfstp %%st(0)\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [a] "m"(io->a), [b] "m"(io->b), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_subr(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[b]\n\tfldt %[a]\n\t"
                     "fsubr %%st(1), %%st\n\tfnstsw %%ax\n\t"
                     "fstpt %[r]\n\tfstp %%st(0)\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [a] "m"(io->a), [b] "m"(io->b), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_div(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[b]\n\tfldt %[a]\n\t"
                     "fdiv %%st(1), %%st\n\tfnstsw %%ax\n\t"
                     "fstpt %[r]\n\tfstp %%st(0)\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [a] "m"(io->a), [b] "m"(io->b), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_divr(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[b]\n\tfldt %[a]\n\t"
                     "fdivr %%st(1), %%st\n\tfnstsw %%ax\n\t"
                     "fstpt %[r]\n\tfstp %%st(0)\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [a] "m"(io->a), [b] "m"(io->b), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_com(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[b]\n\tfldt %[a]\n\t"
                     "fcompp\n\tfnstsw %%ax\n\t" FPH_LEAVE
                     : "=a"(sw), [save] "=m"(save)
                     : [a] "m"(io->a), [b] "m"(io->b), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_ucom(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[b]\n\tfldt %[a]\n\t"
                     "fucompp\n\tfnstsw %%ax\n\t" FPH_LEAVE
                     : "=a"(sw), [save] "=m"(save)
                     : [a] "m"(io->a), [b] "m"(io->b), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_prem(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[b]\n\tfldt %[a]\n\t"
                     "fprem\n\tfnstsw %%ax\n\t"
                     "fstpt %[r]\n\tfstp %%st(0)\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [a] "m"(io->a), [b] "m"(io->b), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_prem1(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[b]\n\tfldt %[a]\n\t"
                     "fprem1\n\tfnstsw %%ax\n\t"
                     "fstpt %[r]\n\tfstp %%st(0)\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [a] "m"(io->a), [b] "m"(io->b), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_scale(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[b]\n\tfldt %[a]\n\t"
                     "fscale\n\tfnstsw %%ax\n\t"
                     "fstpt %[r]\n\tfstp %%st(0)\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [a] "m"(io->a), [b] "m"(io->b), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_patan(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[b]\n\tfldt %[a]\n\t"
                     "fpatan\n\tfnstsw %%ax\n\tfstpt %[r]\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [a] "m"(io->a), [b] "m"(io->b), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_yl2x(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[b]\n\tfldt %[a]\n\t"
                     "fyl2x\n\tfnstsw %%ax\n\tfstpt %[r]\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [a] "m"(io->a), [b] "m"(io->b), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_yl2xp1(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[b]\n\tfldt %[a]\n\t"
                     "fyl2xp1\n\tfnstsw %%ax\n\tfstpt %[r]\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [a] "m"(io->a), [b] "m"(io->b), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_sqrt(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[a]\n\tfsqrt\n\tfnstsw %%ax\n\t"
                     "fstpt %[r]\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [a] "m"(io->a), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_rndint(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[a]\n\tfrndint\n\tfnstsw %%ax\n\t"
                     "fstpt %[r]\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [a] "m"(io->a), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_sin(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[a]\n\tfsin\n\tfnstsw %%ax\n\t"
                     "fstpt %[r]\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [a] "m"(io->a), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_cos(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[a]\n\tfcos\n\tfnstsw %%ax\n\t"
                     "fstpt %[r]\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [a] "m"(io->a), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_2xm1(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[a]\n\tf2xm1\n\tfnstsw %%ax\n\t"
                     "fstpt %[r]\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [a] "m"(io->a), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_xam(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[a]\n\tfxam\n\tfnstsw %%ax\n\t"
                     "fstp %%st(0)\n\t" FPH_LEAVE
                     : "=a"(sw), [save] "=m"(save)
                     : [a] "m"(io->a), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_tst(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[a]\n\tftst\n\tfnstsw %%ax\n\t"
                     "fstp %%st(0)\n\t" FPH_LEAVE
                     : "=a"(sw), [save] "=m"(save)
                     : [a] "m"(io->a), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

/* FSINCOS and FPTAN leave the stack unchanged when C2 reports an operand
 * outside +-2^63 (SDM vol. 2 FSINCOS, FPTAN). */
static uint16_t fph_sincos(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[a]\n\tfsincos\n\tfnstsw %%ax\n\t"
                     "fstpt %[r0]\n\ttestw $0x400, %%ax\n\tjnz 1f\n\t"
                     "fstpt %[r1]\n1:\n\t" FPH_LEAVE
                     : "=a"(sw), [r0] "=m"(io->r0), [r1] "=m"(io->r1),
                       [save] "=m"(save)
                     : [a] "m"(io->a), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_ptan(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[a]\n\tfptan\n\tfnstsw %%ax\n\t"
                     "fstpt %[r0]\n\ttestw $0x400, %%ax\n\tjnz 1f\n\t"
                     "fstpt %[r1]\n1:\n\t" FPH_LEAVE
                     : "=a"(sw), [r0] "=m"(io->r0), [r1] "=m"(io->r1),
                       [save] "=m"(save)
                     : [a] "m"(io->a), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_xtract(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[a]\n\tfxtract\n\tfnstsw %%ax\n\t"
                     "fstpt %[r0]\n\tfstpt %[r1]\n\t" FPH_LEAVE
                     : "=a"(sw), [r0] "=m"(io->r0), [r1] "=m"(io->r1),
                       [save] "=m"(save)
                     : [a] "m"(io->a), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_ld_f32(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "flds %[m]\n\tfnstsw %%ax\n\tfstpt %[r]\n\t"
                     FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [m] "m"(io->mem), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_ld_f64(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldl %[m]\n\tfnstsw %%ax\n\tfstpt %[r]\n\t"
                     FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [m] "m"(io->mem), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_ld_i16(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "filds %[m]\n\tfnstsw %%ax\n\tfstpt %[r]\n\t"
                     FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [m] "m"(io->mem), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_ld_i32(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fildl %[m]\n\tfnstsw %%ax\n\tfstpt %[r]\n\t"
                     FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [m] "m"(io->mem), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_ld_i64(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fildll %[m]\n\tfnstsw %%ax\n\t"
                     "fstpt %[r]\n\t" FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [m] "m"(io->mem), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_ld_bcd(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fbld %[m]\n\tfnstsw %%ax\n\tfstpt %[r]\n\t"
                     FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [m] "m"(io->mem), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_st_f32(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[a]\n\tfstps %[m]\n\tfnstsw %%ax\n\t"
                     FPH_LEAVE
                     : "=a"(sw), [m] "=m"(io->mem), [save] "=m"(save)
                     : [a] "m"(io->a), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_st_f64(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[a]\n\tfstpl %[m]\n\tfnstsw %%ax\n\t"
                     FPH_LEAVE
                     : "=a"(sw), [m] "=m"(io->mem), [save] "=m"(save)
                     : [a] "m"(io->a), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_st_i16(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[a]\n\tfistps %[m]\n\tfnstsw %%ax\n\t"
                     FPH_LEAVE
                     : "=a"(sw), [m] "=m"(io->mem), [save] "=m"(save)
                     : [a] "m"(io->a), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_st_i32(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[a]\n\tfistpl %[m]\n\tfnstsw %%ax\n\t"
                     FPH_LEAVE
                     : "=a"(sw), [m] "=m"(io->mem), [save] "=m"(save)
                     : [a] "m"(io->a), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_st_i64(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[a]\n\tfistpll %[m]\n\t"
                     "fnstsw %%ax\n\t" FPH_LEAVE
                     : "=a"(sw), [m] "=m"(io->mem), [save] "=m"(save)
                     : [a] "m"(io->a), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_st_bcd(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldt %[a]\n\tfbstp %[m]\n\tfnstsw %%ax\n\t"
                     FPH_LEAVE
                     : "=a"(sw), [m] "=m"(io->mem), [save] "=m"(save)
                     : [a] "m"(io->a), [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_ld1(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fld1\n\tfnstsw %%ax\n\tfstpt %[r]\n\t"
                     FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_ldl2t(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldl2t\n\tfnstsw %%ax\n\tfstpt %[r]\n\t"
                     FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_ldl2e(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldl2e\n\tfnstsw %%ax\n\tfstpt %[r]\n\t"
                     FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_ldpi(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldpi\n\tfnstsw %%ax\n\tfstpt %[r]\n\t"
                     FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_ldlg2(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldlg2\n\tfnstsw %%ax\n\tfstpt %[r]\n\t"
                     FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_ldln2(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldln2\n\tfnstsw %%ax\n\tfstpt %[r]\n\t"
                     FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static uint16_t fph_ldz(uint16_t cw, FpuHostIo *io)
{
    uint16_t sw, save;
    __asm__ volatile(FPH_ENTER "fldz\n\tfnstsw %%ax\n\tfstpt %[r]\n\t"
                     FPH_LEAVE
                     : "=a"(sw), [r] "=m"(io->r0), [save] "=m"(save)
                     : [cw] "m"(cw)
                     : FPH_CLOBBERS);
    return sw;
}

static const FphFn fph_table[FPH_NOPS] = {
    [FPH_ADD] = fph_add,       [FPH_MUL] = fph_mul,
    [FPH_SUB] = fph_sub,       [FPH_SUBR] = fph_subr,
    [FPH_DIV] = fph_div,       [FPH_DIVR] = fph_divr,
    [FPH_COM] = fph_com,       [FPH_UCOM] = fph_ucom,
    [FPH_PREM] = fph_prem,     [FPH_PREM1] = fph_prem1,
    [FPH_SCALE] = fph_scale,   [FPH_PATAN] = fph_patan,
    [FPH_YL2X] = fph_yl2x,     [FPH_YL2XP1] = fph_yl2xp1,
    [FPH_SQRT] = fph_sqrt,     [FPH_RNDINT] = fph_rndint,
    [FPH_SIN] = fph_sin,       [FPH_COS] = fph_cos,
    [FPH_2XM1] = fph_2xm1,     [FPH_XAM] = fph_xam,
    [FPH_TST] = fph_tst,       [FPH_SINCOS] = fph_sincos,
    [FPH_PTAN] = fph_ptan,     [FPH_XTRACT] = fph_xtract,
    [FPH_LD_F32] = fph_ld_f32, [FPH_LD_F64] = fph_ld_f64,
    [FPH_LD_I16] = fph_ld_i16, [FPH_LD_I32] = fph_ld_i32,
    [FPH_LD_I64] = fph_ld_i64, [FPH_LD_BCD] = fph_ld_bcd,
    [FPH_ST_F32] = fph_st_f32, [FPH_ST_F64] = fph_st_f64,
    [FPH_ST_I16] = fph_st_i16, [FPH_ST_I32] = fph_st_i32,
    [FPH_ST_I64] = fph_st_i64, [FPH_ST_BCD] = fph_st_bcd,
    [FPH_LD1] = fph_ld1,       [FPH_LDL2T] = fph_ldl2t,
    [FPH_LDL2E] = fph_ldl2e,   [FPH_LDPI] = fph_ldpi,
    [FPH_LDLG2] = fph_ldlg2,   [FPH_LDLN2] = fph_ldln2,
    [FPH_LDZ] = fph_ldz,
};

uint16_t fpu_host_exec(FpuHostOp op, uint16_t cw, FpuHostIo *io)
{
    uint16_t hcw = (uint16_t)(cw | FPU_SW_EXC); /* mask all on the host */
    uint16_t sw = fph_table[op](hcw, io);
    bool pushed = op == FPH_XTRACT ||
                  ((op == FPH_SINCOS || op == FPH_PTAN) && !(sw & FPU_SW_C2));
    /* The host TOP field is noise; keep only what the interface defines. */
    sw &= FPU_SW_EXC | FPU_SW_SF | FPU_SW_CC;
    return (uint16_t)(pushed ? sw | FPH_PUSHED : sw);
}
