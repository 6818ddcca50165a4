; triple.asm — a triple fault resets the machine (SDM vol. 3 section
; 6.15, interrupt 8: a fault during #DF delivery enters shutdown; the
; chipset turns shutdown into a reset). First boot writes a magic byte to
; RAM (0x500) and CMOS (0x4F), then faults with an empty IDT; the second
; boot finds the magic and passes.
%define RM_TEST
%include "lib/x86bt.inc"

MAGIC equ 0xA5

section .rm
bits 16
rm_test:
    xor ax, ax
    mov ds, ax
    cmp byte [0x500], MAGIC
    je .second
    mov al, 0x4F
    out 0x70, al
    in al, 0x71
    cmp al, MAGIC
    je .second
    mov byte [0x500], MAGIC
    mov al, 0x4F
    out 0x70, al
    mov al, MAGIC
    out 0x71, al
    ret
.second:
    mov byte [0x500], 0
    mov al, 0x4F
    out 0x70, al
    xor al, al
    out 0x71, al
    mov si, .msg
.p: mov al, [cs:si]
    test al, al
    jz .x
    out 0xE9, al
    inc si
    jmp .p
.x: xor al, al
    out 0xF4, al
    hlt
.msg: db "triple: machine reset after triple fault", 10, "PASS", 10, 0

section .text
bits 32
test_main:
    PUTS "triple: faulting with an empty IDT", 10
    lidt [.empty]
    int3
    FAIL "still running after a triple fault"
.empty:
    dw 0
    dd 0
