/*
 * Unit tests for the reference tier (interp.c, except.c real-mode delivery,
 * exec_*.c) on behaviour the Unicorn differential cannot check: interrupt
 * delivery through the IVT (SDM vol. 3 section 20.1.4), precise exceptions
 * with EIP at the faulting instruction, resumable REP after a fault, HLT
 * and external interrupts, the STI/MOV SS interrupt shadow (SDM vol. 3
 * section 6.8.3), TF single-step, I/O through the port bus, CPUID.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/cpu_state.h"
#include "frontend/flags.h"
#include "frontend/seg.h"
#include "machine/vm.h"

#define CODE 0x7C00u

typedef struct Bench {
    VM *vm;
    CPUState *cpu;
    int ack_vector;
    unsigned acks;
    uint32_t port_val;
    uint16_t port_last;
} Bench;

static Bench B;

static int ack(void *opaque)
{
    Bench *b = opaque;
    b->acks++;
    b->vm->intr_line = false;
    return b->ack_vector;
}

static uint32_t port_read(void *opaque, uint32_t off, unsigned size)
{
    (void)off;
    (void)size;
    return ((Bench *)opaque)->port_val;
}

static void port_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
    (void)size;
    ((Bench *)opaque)->port_val = v;
    ((Bench *)opaque)->port_last = (uint16_t)off;
}

static const IoOps port_ops = {port_read, port_write, 1, 4};

static void setup(void)
{
    memset(&B, 0, sizeof(B));
    VM *vm = calloc(1, sizeof(*vm));
    log_init(&vm->log, LOG_ERROR);
    ck_assert_int_eq(mem_init(&vm->mem, 1 << 20, &vm->log), 0);
    for (unsigned i = 0; i < MEM_PAM_CHUNKS; i++)
        mem_set_pam(&vm->mem, i, (PamRoute){true, true});
    io_init(&vm->io, &vm->log);
    clock_init(&vm->clock, true, 0);
    vm->a20_mask = ~0ull;
    vm->intr_ack = ack;
    vm->intr_ack_opaque = &B;
    io_register(&vm->io, 0x80, 4, &port_ops, &B, "test");
    B.vm = vm;
    B.cpu = cpu_create(vm);
    vm->cpu = B.cpu;
    /* real mode at 0000:7C00, stack 0000:8000 */
    CPUState *c = B.cpu;
    for (int s = 0; s < SEG_COUNT; s++)
        seg_load_real(c, s, 0);
    c->eip = CODE;
    c->regs[R_ESP] = 0x8000;
}

static void teardown(void)
{
    cpu_destroy(B.cpu);
    mem_fini(&B.vm->mem);
    free(B.vm);
}

static void load(uint32_t addr, const char *hex)
{
    for (const char *p = hex; p[0] && p[1]; p += 2) {
        if (*p == ' ') {
            p--;
            continue;
        }
        B.vm->mem.ram[addr++] =
            (uint8_t)strtoul((char[]){p[0], p[1], 0}, NULL, 16);
    }
}

static void set_ivt(unsigned vec, uint16_t seg, uint16_t off)
{
    uint32_t v = (uint32_t)seg << 16 | off;
    memcpy(B.vm->mem.ram + vec * 4, &v, 4);
}

static uint16_t rd16(uint32_t a)
{
    uint16_t v;
    memcpy(&v, B.vm->mem.ram + a, 2);
    return v;
}

START_TEST(decode_cache_sees_modified_code)
{
    /* The decoded-instruction cache compares the bytes on every use: code
     * rewritten in place (SMC, a loader reusing memory) runs as written,
     * also when the new instruction has another length. */
    load(CODE, "b80100 90");          /* mov ax, 1; nop */
    for (int i = 0; i < 3; i++) {     /* TLB fill, cache fill, cache hit */
        B.cpu->eip = CODE;
        interp_run(B.cpu, 1);
        ck_assert_uint_eq(B.cpu->regs[R_EAX] & 0xFFFF, 1);
        ck_assert_uint_eq(B.cpu->eip, CODE + 3);
    }
    B.cpu->eip = CODE;
    load(CODE, "b80200");             /* mov ax, 2: same length */
    interp_run(B.cpu, 1);
    ck_assert_uint_eq(B.cpu->regs[R_EAX] & 0xFFFF, 2);
    B.cpu->eip = CODE;
    load(CODE, "40 90");              /* inc ax; nop: shorter */
    interp_run(B.cpu, 1);
    ck_assert_uint_eq(B.cpu->regs[R_EAX] & 0xFFFF, 3);
    ck_assert_uint_eq(B.cpu->eip, CODE + 1);
}
END_TEST

START_TEST(int_and_iret_through_ivt)
{
    /* int 42h; inc ax ; handler: mov bx,1234h; iret */
    load(CODE, "cd42 40");
    load(0x500, "bb3412 cf");
    set_ivt(0x42, 0, 0x500);
    B.cpu->eflags |= EFL_IF;
    interp_run(B.cpu, 1);
    ck_assert_uint_eq(B.cpu->eip, 0x500);
    ck_assert_uint_eq(B.cpu->regs[R_ESP], 0x8000 - 6);
    ck_assert_uint_eq(rd16(0x8000 - 6), CODE + 2); /* return IP */
    ck_assert(!(B.cpu->eflags & EFL_IF));          /* IF cleared */
    interp_run(B.cpu, 3);
    ck_assert_uint_eq(B.cpu->regs[R_EBX] & 0xFFFF, 0x1234);
    ck_assert_uint_eq(B.cpu->regs[R_EAX] & 0xFFFF, 1);
    ck_assert(B.cpu->eflags & EFL_IF); /* restored by IRET */
    ck_assert_uint_eq(B.cpu->regs[R_ESP], 0x8000);
}
END_TEST

START_TEST(fault_pushes_faulting_ip)
{
    /* xor cx,cx; div cx  -> #DE with IP of the DIV */
    load(CODE, "31c9 f7f1");
    load(0x600, "f4");
    set_ivt(EXC_DE, 0, 0x600);
    interp_run(B.cpu, 2);
    ck_assert_uint_eq(B.cpu->eip, 0x600);
    ck_assert_uint_eq(rd16(0x8000 - 6), CODE + 2);
}
END_TEST

START_TEST(rep_movs_fault_is_resumable)
{
    /* rep movsw with DI running into the 64 KB limit: the word at FFFFh
     * faults (#GP, real-mode limit) after 2 iterations. */
    load(CODE, "f3a5");
    load(0x600, "f4");
    set_ivt(EXC_GP, 0, 0x600);
    B.cpu->regs[R_ECX] = 10;
    B.cpu->regs[R_ESI] = 0x100;
    B.cpu->regs[R_EDI] = 0xFFFB;
    interp_run(B.cpu, 1);
    ck_assert_uint_eq(B.cpu->eip, 0x600);
    ck_assert_uint_eq(rd16(0x8000 - 6), CODE); /* restart the REP */
    ck_assert_uint_eq(B.cpu->regs[R_ECX], 8);
    ck_assert_uint_eq(B.cpu->regs[R_EDI], 0xFFFF);
    ck_assert_uint_eq(B.cpu->regs[R_ESI], 0x104);
}
END_TEST

START_TEST(hlt_and_external_interrupt)
{
    load(CODE, "fb f4 40"); /* sti; hlt; inc ax */
    load(0x700, "bb0100 cf");
    set_ivt(0x08, 0, 0x700);
    ck_assert_int_eq(interp_run(B.cpu, 10), CPU_EXIT_HALT);
    ck_assert(B.cpu->halted);
    ck_assert_uint_eq(B.cpu->eip, CODE + 2);
    B.ack_vector = 8;
    B.vm->intr_line = true;
    interp_run(B.cpu, 2); /* deliver (not counted), mov bx, iret */
    ck_assert(!B.cpu->halted);
    ck_assert_uint_eq(B.acks, 1);
    ck_assert_uint_eq(B.cpu->regs[R_EBX] & 0xFFFF, 1);
    ck_assert_uint_eq(B.cpu->eip, CODE + 2); /* back after HLT */
    interp_run(B.cpu, 1);
    ck_assert_uint_eq(B.cpu->regs[R_EAX] & 0xFFFF, 1);
}
END_TEST

START_TEST(sti_shadow_delays_interrupt)
{
    load(CODE, "fb 40 40"); /* sti; inc ax; inc ax */
    load(0x700, "f4");
    set_ivt(0x08, 0, 0x700);
    B.ack_vector = 8;
    B.vm->intr_line = true;
    interp_run(B.cpu, 3);
    /* sti, then one more instruction, then the interrupt, then HLT */
    ck_assert_uint_eq(B.cpu->regs[R_EAX] & 0xFFFF, 1);
    ck_assert_uint_eq(rd16(0x8000 - 6), CODE + 2);
}
END_TEST

START_TEST(trap_flag_single_step)
{
    /* pushf; pop ax; or ah,1; push ax; popf; inc bx; inc bx */
    load(CODE, "9c 58 80cc01 50 9d 43 43");
    load(0x800, "f4");
    set_ivt(EXC_DB, 0, 0x800);
    interp_run(B.cpu, 7);
    /* TF takes effect after POPF's successor: one INC runs, then #DB */
    ck_assert_uint_eq(B.cpu->regs[R_EBX] & 0xFFFF, 1);
    ck_assert_uint_eq(rd16(0x8000 - 6), CODE + 8);
    ck_assert(B.cpu->dr[6] & (1u << 14));
}
END_TEST

START_TEST(too_long_and_lock_faults)
{
    load(0x600, "f4");
    set_ivt(EXC_GP, 0, 0x600);
    set_ivt(EXC_UD, 0, 0x600);
    load(CODE, "6666666666666666666666666666666690");
    interp_run(B.cpu, 1);
    ck_assert_uint_eq(B.cpu->eip, 0x600);
    ck_assert_uint_eq(rd16(0x8000 - 6), CODE);
    B.cpu->eip = CODE;
    B.cpu->regs[R_ESP] = 0x8000;
    load(CODE, "f001d8"); /* lock add ax, bx */
    interp_run(B.cpu, 1);
    ck_assert_uint_eq(B.cpu->eip, 0x600);
    ck_assert_uint_eq(rd16(0x8000 - 6), CODE);
}
END_TEST

START_TEST(port_io)
{
    /* mov al,5Ah; out 81h,al; mov dx,82h; in ax,dx */
    load(CODE, "b05a e681 ba8200 ed");
    B.port_val = 0;
    interp_run(B.cpu, 2);
    ck_assert_uint_eq(B.port_val, 0x5A);
    ck_assert_uint_eq(B.port_last, 1);
    B.port_val = 0xBEEF;
    interp_run(B.cpu, 2);
    ck_assert_uint_eq(B.cpu->regs[R_EAX] & 0xFFFF, 0xBEEF);
}
END_TEST

START_TEST(cpuid_pentium2)
{
    load(CODE, "6631c0 0fa2 6689d8 66b801000000 0fa2");
    interp_run(B.cpu, 3);
    ck_assert_uint_eq(B.cpu->regs[R_EBX], 0x756E6547); /* "Genu" */
    ck_assert_uint_eq(B.cpu->regs[R_EDX], 0x49656E69); /* "ineI" */
    ck_assert_uint_eq(B.cpu->regs[R_ECX], 0x6C65746E); /* "ntel" */
    interp_run(B.cpu, 2);
    ck_assert_uint_eq(B.cpu->regs[R_EAX], 0x652);
    ck_assert(B.cpu->regs[R_EDX] & (1u << 15)); /* CMOV */
    ck_assert(B.cpu->regs[R_EDX] & (1u << 23)); /* MMX */
    ck_assert(!(B.cpu->regs[R_EDX] & (1u << 25))); /* no SSE */
}
END_TEST

START_TEST(triple_fault_shuts_down)
{
    /* IDT limit 0 in real mode: #GP delivery fails -> #DF -> shutdown */
    B.cpu->idtr.limit = 0;
    load(CODE, "0f0b"); /* ud2 */
    ck_assert_int_eq(interp_run(B.cpu, 5), CPU_EXIT_SHUTDOWN);
    ck_assert(B.cpu->shutdown);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("interp");
    TCase *tc = tcase_create("real mode");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, int_and_iret_through_ivt);
    tcase_add_test(tc, decode_cache_sees_modified_code);
    tcase_add_test(tc, fault_pushes_faulting_ip);
    tcase_add_test(tc, rep_movs_fault_is_resumable);
    tcase_add_test(tc, hlt_and_external_interrupt);
    tcase_add_test(tc, sti_shadow_delays_interrupt);
    tcase_add_test(tc, trap_flag_single_step);
    tcase_add_test(tc, too_long_and_lock_faults);
    tcase_add_test(tc, port_io);
    tcase_add_test(tc, cpuid_pentium2);
    tcase_add_test(tc, triple_fault_shuts_down);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
