; legacy16.asm — 16-bit system structures and conforming code (SDM vol. 3
; sections 5.8.1.2, 6.12, 7.6): a 16-bit interrupt gate (IP/CS/FLAGS word
; frame, IRET back), a JMP to a 16-bit TSS and back, and a far call from
; ring 3 into a conforming DPL-0 code segment (CPL stays 3).
%include "lib/x86bt.inc"

S_TSS16  equ GDT_FREE + 0x00
S_CONF   equ GDT_FREE + 0x08   ; conforming code, DPL 0
TSS16    equ 0x24000
R_IP     equ v_tmp
R_CS     equ v_tmp + 4
R_FL     equ v_tmp + 8
R_AX     equ v_tmp + 12
R_CPL    equ v_tmp + 16

test_main:
    ; 16-bit interrupt gate into the 16-bit code segment (base 0xF0000).
    GATE_SET IDT_ADDR(0x61), int16_handler, SEL_CODE16, GATE_INT16, 0
    call SEL_CODE16:int16_caller
    ASSERT_EQ [R_IP], int16_caller.after, "16-bit frame IP"
    ASSERT_EQ [R_CS], SEL_CODE16, "16-bit frame CS"
    mov eax, [R_FL]
    and eax, 0x0002
    ASSERT_EQ eax, 2, "16-bit frame FLAGS"

    ; JMP to a 16-bit TSS (IP, FLAGS, registers, selectors) and back.
    mov edi, TSS16
    mov ecx, 0x2C / 4 + 1
    xor eax, eax
    rep stosd
    mov word [TSS16 + 14], task16        ; IP
    mov word [TSS16 + 16], 2             ; FLAGS
    mov word [TSS16 + 18], 0x1616        ; AX
    mov word [TSS16 + 26], 0x7000        ; SP
    mov word [TSS16 + 34], SEL_DATA0     ; ES
    mov word [TSS16 + 36], SEL_CODE16    ; CS
    mov word [TSS16 + 38], SEL_DATA0     ; SS
    mov word [TSS16 + 40], SEL_DATA0     ; DS
    GDT_SET S_TSS16, TSS16, 0x2B, ACC_TSS16, 0
    jmp S_TSS16:0
tss_back:
    ASSERT_EQ [R_AX], 0x1616, "AX from the 16-bit TSS"
    movzx eax, byte [GDT_ADDR(S_TSS16) + 5]
    ASSERT_EQ eax, ACC_TSS16, "16-bit TSS not busy after JMP away"
    movzx eax, word [TSS16 + 18]
    ASSERT_EQ eax, 0x1617, "AX saved in the 16-bit TSS"

    ; Conforming code called from ring 3 runs at CPL 3.
    GDT_SET S_CONF, 0, 0xFFFFF, ACC_CONF, FL_G | FL_DB
    mov eax, user
    xor ebx, ebx
    call run_ring3
    ASSERT_EQ [R_CPL], 3, "CPL in conforming code"
    ret

user:
    call (S_CONF | 3):conf_code
    RING0

conf_code:
    mov eax, cs
    and eax, 3
    mov [R_CPL], eax
    retf

section .rm
bits 16
int16_caller:
    int 0x61
.after:
    o32 retf

int16_handler:
    movzx eax, word [esp]
    mov [R_IP], eax
    movzx eax, word [esp + 2]
    mov [R_CS], eax
    movzx eax, word [esp + 4]
    mov [R_FL], eax
    iret

task16:
    movzx ebx, ax
    mov [R_AX], ebx
    inc ax
    jmp SEL_TSS:0
section .text
bits 32
