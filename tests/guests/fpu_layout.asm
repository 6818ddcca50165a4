; fpu_layout.asm — memory images of the x87 state (SDM vol. 1 8.1.10,
; figures 8-9 to 8-12; vol. 2 FXSAVE table 3-53): FSAVE/FRSTOR in the
; 32-bit protected format, FSTENV in the 16-bit protected format, the
; 16-bit real-mode FSTENV (linear FIP/FDP, FOP packed with FIP[19:16]),
; FXSAVE/FXRSTOR with the abridged tag byte, and FSAVE re-initializing.
%define RM_TEST
%include "lib/x86bt.inc"

BUF   equ FREE_BASE           ; FSAVE image
ENV16 equ FREE_BASE + 0x100   ; FSTENV o16
FXBUF equ FREE_BASE + 0x200   ; FXSAVE (16-byte aligned)
RMENV equ 0x600               ; real-mode FSTENV image (DS = 0)

section .rm
bits 16
rm_test:
    xor ax, ax
    mov ds, ax
    mov eax, cr0
    and eax, ~0x0C            ; EM = TS = 0
    mov cr0, eax
    fninit
rm_fld:
    fld dword [RMENV + 0x40]  ; FDP = 0x640 (DS = 0), FOP = 0x106
    fnstenv [RMENV]           ; o16 real format, 14 bytes
    fninit
    ret

section .text
bits 32
test_main:
    PUTS "fpu_layout: FSAVE/FSTENV/FXSAVE images", 10
    ; real-mode image written by rm_test
    movzx eax, word [RMENV + 6]
    ASSERT_EQ eax, rm_fld, "rm FIP[15:0] (linear F0000 + ip)"
    movzx eax, word [RMENV + 8]
%ifdef QEMU                   ; QEMU 7.2 leaves FOP out of this format
    and eax, 0xF000
    ASSERT_EQ eax, 0xF000, "rm FIP[19:16]"
%else
    ASSERT_EQ eax, 0xF106, "rm FIP[19:16] | FOP (D9 06)"
%endif
    movzx eax, word [RMENV + 10]
    ASSERT_EQ eax, RMENV + 0x40, "rm FDP[15:0]"
    movzx eax, word [RMENV + 12]
    ASSERT_EQ eax, 0, "rm FDP[19:16]"

    mov eax, cr0
    and eax, ~0x0C
    or eax, 0x20
    mov cr0, eax
    fninit
    fldcw [cw]
    fld1                      ; R7 = 1.0
    fldz                      ; R6 = +0
last_insn:
    fld dword [pi_f]          ; R5 = (float) pi, TOP = 5
    fnsave [BUF]
    ; control/status/tag words (low halves)
    movzx eax, word [BUF]
    ASSERT_EQ eax, 0x0E7F, "FCW"
    movzx eax, word [BUF + 4]
    ASSERT_EQ eax, 0x2800, "FSW: TOP=5"
    movzx eax, word [BUF + 8]
    ASSERT_EQ eax, 0x13FF, "FTW: R7 valid, R6 zero, R5 valid"
%ifndef QEMU                  ; QEMU writes zeros in the reserved halves
    movzx eax, word [BUF + 2]
    ASSERT_EQ eax, 0xFFFF, "FCW reserved half"
%endif
    ASSERT_EQ [BUF + 12], last_insn, "FIP"
    movzx eax, word [BUF + 16]
    ASSERT_EQ eax, SEL_CODE0, "FCS"
%ifndef QEMU                  ; QEMU 7.2 does not track FOP
    movzx eax, word [BUF + 18]
    ASSERT_EQ eax, 0x105, "FOP (D9 05)"
%endif
    ASSERT_EQ [BUF + 20], pi_f, "FDP"
    movzx eax, word [BUF + 24]
    ASSERT_EQ eax, SEL_DATA0, "FDS"
    ; registers in stack order, 10 bytes each
    ASSERT_EQ [BUF + 28 + 4], 0xC90FDB00, "ST0 mantissa high"
    movzx eax, word [BUF + 28 + 8]
    ASSERT_EQ eax, 0x4000, "ST0 exponent"
    movzx eax, word [BUF + 38 + 8]
    ASSERT_EQ eax, 0, "ST1 = +0"
    ASSERT_EQ [BUF + 48 + 4], 0x80000000, "ST2 = 1.0 mantissa"
    movzx eax, word [BUF + 48 + 8]
    ASSERT_EQ eax, 0x3FFF, "ST2 exponent"
    ; FSAVE leaves the FPU initialized
    fnstcw [v_tmp]
    movzx eax, word [v_tmp]
    ASSERT_EQ eax, 0x037F, "FCW after FSAVE"
    fnstsw ax
    movzx eax, ax
    ASSERT_EQ eax, 0, "FSW after FSAVE"
    ; FRSTOR brings everything back
    frstor [BUF]
    fnstsw ax
    movzx eax, ax
    ASSERT_EQ eax, 0x2800, "FSW after FRSTOR"
    ; 16-bit protected FSTENV: 7 words
    o16 fnstenv [ENV16]
    movzx eax, word [ENV16 + 4]
    ASSERT_EQ eax, 0x13FF, "o16 FTW"
%ifndef QEMU                  ; QEMU 7.2: FNSTSW AX above moved FIP
    movzx eax, word [ENV16 + 6]
    ASSERT_EQ eax, (last_insn - $$), "o16 FIP"
%endif
    movzx eax, word [ENV16 + 8]
    ASSERT_EQ eax, SEL_CODE0, "o16 FCS"
%ifndef QEMU                  ; QEMU 7.2: FRSTOR does not reload FDP
    movzx eax, word [ENV16 + 10]
    ASSERT_EQ eax, (pi_f - $$), "o16 FDP"
%endif
    fldcw [cw]                ; FSTENV masked everything
    ; FXSAVE: abridged tags, FOP, pointers, registers at 32 + 16 * i
    fxsave [FXBUF]
    movzx eax, word [FXBUF]
    ASSERT_EQ eax, 0x0E7F, "fx FCW"
    movzx eax, word [FXBUF + 2]
    ASSERT_EQ eax, 0x2800, "fx FSW"
    movzx eax, byte [FXBUF + 4]
    ASSERT_EQ eax, 0xE0, "fx abridged FTW"
%ifndef QEMU
    movzx eax, word [FXBUF + 6]
    ASSERT_EQ eax, 0x105, "fx FOP"
%endif
%ifndef QEMU
    ASSERT_EQ [FXBUF + 8], last_insn, "fx FIP"
%endif
%ifndef QEMU
    ASSERT_EQ [FXBUF + 16], pi_f, "fx FDP"
%endif
    ASSERT_EQ [FXBUF + 32 + 4], 0xC90FDB00, "fx ST0"
    ASSERT_EQ [FXBUF + 64 + 4], 0x80000000, "fx ST2"
    fninit
    fxrstor [FXBUF]
    fnstsw ax
    movzx eax, ax
    ASSERT_EQ eax, 0x2800, "FSW after FXRSTOR"
    fstp st0
    fstp st0
    fstp dword [v_tmp]
    ASSERT_EQ [v_tmp], 0x3F800000, "ST2 back as 1.0"
    ; FXSAVE needs a 16-byte aligned operand
    FAULT_BEGIN 13, 0
    fxsave [FXBUF + 8]
    FAULT_END
    ret

align 4
cw:   dw 0x0E7F             ; RC = up, PC = double
align 4
pi_f: dd 0x40490FDB
