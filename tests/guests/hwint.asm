; hwint.asm — external interrupts through the 8259 PIC from the 8254 PIT
; (SDM vol. 3 sections 6.3.1, 6.8.3): IF=0 holds a pending IRQ, STI lets
; exactly one more instruction run first (interrupt shadow), HLT wakes on
; an interrupt, an IRQ taken in ring 3 switches to the ring-0 stack, and
; the handler's EOI re-arms the PIC.
%include "lib/x86bt.inc"

IRQ_VEC   equ 0x20
H_COUNT   equ v_tmp          ; interrupts taken
H_MARK    equ v_tmp + 4      ; value of MARK when the handler ran
MARK      equ v_tmp + 8
H_CS      equ v_tmp + 12     ; CS interrupted

test_main:
    IDT_SET IRQ_VEC, irq0, GATE_INT32
    call pic_init
    call pit_init
    ; IF=0: the request stays pending in IRR; nothing is delivered.
    call wait_irr
    mov ecx, 100000
.spin:
    loop .spin
    ASSERT_EQ [H_COUNT], 0, "IRQ delivered with IF=0"
    ; STI shadow: the MOV after STI completes before the interrupt.
    mov dword [MARK], 0
    sti
    mov dword [MARK], 1
%ifdef QEMU
    jmp .tb                     ; QEMU polls interrupts between TBs only
.tb:
%endif
    mov dword [MARK], 2
    cli
    ASSERT_EQ [H_COUNT], 1, "IRQ taken after STI"
    ASSERT_EQ [H_MARK], 1, "instruction after STI ran first"
    ; HLT waits for the next interrupt.
    sti
    hlt
    cli
    ASSERT_EQ [H_COUNT], 2, "HLT woken by IRQ0"
    ; From ring 3 with IF=1: the handler runs in ring 0.
    mov eax, user
    mov ebx, 0x200
    call run_ring3
    ASSERT_EQ [H_CS], SEL_CODE3, "IRQ interrupted ring 3"
    ; Quiesce: mask the PIC again.
    mov al, 0xFF
    out 0x21, al
    ret

user:
    mov eax, [H_COUNT]
.wait:
    cmp eax, [H_COUNT]
    je .wait
    RING0

wait_irr:
    mov al, 0x0A                ; OCW3: read IRR
    out 0x20, al
.w: in al, 0x20
    test al, 1
    jz .w
    ret

pic_init:
    PIC_INIT IRQ_VEC, IRQ_VEC + 8, 0xFE, 0xFF
    ret

pit_init:
    mov al, 0x34                ; channel 0, lo/hi, mode 2
    out 0x43, al
    mov al, 0x00
    out 0x40, al
    mov al, 0x10                ; 4096 ticks: ~290 Hz
    out 0x40, al
    ret

irq0:
    push eax
    inc dword [ss:H_COUNT]
    mov eax, [ss:MARK]
    mov [ss:H_MARK], eax
    mov eax, [esp + 8]
    mov [ss:H_CS], eax
    mov al, 0x20                ; non-specific EOI
    out 0x20, al
    pop eax
    iretd
