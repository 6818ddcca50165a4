; fpu_irq13.asm — PC-compatible x87 error reporting with CR0.NE=0 (SDM
; vol. 1 8.7 and appendix D): the pending exception asserts FERR#, which the
; chipset latches onto IRQ13 at the next waiting instruction (not before);
; the handler writes port 0xF0 (clears the latch, asserts IGNNE#) and
; clears the exception; the waiting instruction then completes.
%include "lib/x86bt.inc"

IRQ_BASE equ 0x50           ; master 0x50-0x57, slave 0x58-0x5F
VEC_IRQ13 equ IRQ_BASE + 8 + 5

test_main:
    PUTS "fpu_irq13: FERR# -> IRQ13 with CR0.NE=0", 10
%ifdef QEMU
    PUTS "skipped: QEMU 7.2 (-M pc) raises no IRQ13 here", 10
    ret
%endif
    call pic_init
    GATE_SET IDT_BASE + VEC_IRQ13 * 8, irq13, SEL_CODE0, GATE_INT32, 0
    mov eax, cr0
    and eax, ~(0x2C)        ; EM = TS = NE = 0
    or eax, 0x02            ; MP
    mov cr0, eax
    mov dword [v_tmp], 0
    fninit
    fldcw [cw_ze]
    fld1
    fldz
    fdivp st1, st0          ; pending ZE
    sti
    nop
    nop
    ASSERT_EQ [v_tmp], 0, "no IRQ13 before a waiting instruction"
    fwait                   ; IRQ13 -> handler -> fwait completes
    nop
    cli
    ASSERT_EQ [v_tmp], 1, "IRQ13 taken once"
    fnstsw ax
    and eax, 0x80
    ASSERT_EQ eax, 0, "ES cleared by the handler"
    sti
    fld1                    ; nothing pending: no interrupt
    nop
    cli
    ASSERT_EQ [v_tmp], 1, "no second IRQ13"
    ret

irq13:
    push eax
    xor al, al
    out 0xF0, al            ; clear the FERR# latch (IGNNE#)
    fnclex
    inc dword [v_tmp]
    mov al, 0x20
    out 0xA0, al
    out 0x20, al
    pop eax
    iret

pic_init:
    PIC_INIT IRQ_BASE, IRQ_BASE + 8, 0xFB, 0xDF
    ret

cw_ze: dw 0x037B
