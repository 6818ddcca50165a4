; fpu_mmx.asm — MMX/x87 aliasing (SDM vol. 1 9.5, 9.6): MMi is the
; significand of physical register Ri; an MMX instruction sets TOP = 0 and
; every tag valid, a write to MMi sets the exponent field of Ri to all ones
; (so x87 code reads a NaN and FSTENV reports the tag "special"); EMMS
; empties the tag word; x87 loads overwrite MMX registers.
%include "lib/x86bt.inc"

BUF equ FREE_BASE

test_main:
    PUTS "fpu_mmx: MMX and x87 register aliasing", 10
    mov eax, cr0
    and eax, ~0x0C
    or eax, 0x20
    mov cr0, eax
    fninit
    fld1                      ; TOP = 7, R7 = 1.0
    movq mm3, [val]           ; TOP -> 0, all tags valid, R3 = val | FFFF
    fnstenv [BUF]
    movzx eax, word [BUF + 4]
    shr eax, 11
    and eax, 7
    ASSERT_EQ eax, 0, "TOP = 0 after MMX"
    movzx eax, word [BUF + 8]
    mov ecx, eax              ; no register empty: no tag is 11b
    shr ecx, 1
    and ecx, eax
    and ecx, 0x5555
    ASSERT_EQ ecx, 0, "no empty tag after MMX"
    mov ecx, eax
    shr ecx, 14
    ASSERT_EQ ecx, 0, "R7 (1.0) valid"
%ifndef QEMU                  ; QEMU 7.2 leaves the exponent of R3 alone
    shr eax, 6
    and eax, 3
    ASSERT_EQ eax, 2, "R3 special (exponent all ones)"
%endif
    fldenv [BUF]              ; (FSTENV masked the exceptions; harmless)
    fnsave [BUF]              ; ST(i) = R(i) since TOP = 0
    ASSERT_EQ [BUF + 28 + 30], 0x89ABCDEF, "R3 significand low"
    ASSERT_EQ [BUF + 28 + 34], 0x01234567, "R3 significand high"
%ifndef QEMU
    movzx eax, word [BUF + 28 + 38]
    ASSERT_EQ eax, 0xFFFF, "R3 exponent all ones"
%endif
    frstor [BUF]
    ; the x87 value 1.0 in R7 is visible as MM7 = 8000000000000000
    movq [BUF + 0x100], mm7
    ASSERT_EQ [BUF + 0x104], 0x80000000, "MM7 = significand of 1.0"
    ASSERT_EQ [BUF + 0x100], 0, "MM7 low half"
    emms
    fnstenv [BUF]
    movzx eax, word [BUF + 8]
    ASSERT_EQ eax, 0xFFFF, "EMMS empties every tag"
    fldenv [BUF]
    ; an x87 load into ST(0) with TOP = 0 writes R7 -> MM7
    fld dword [two]           ; TOP = 7, R7 = 2.0
    movq [BUF + 0x100], mm7
    ASSERT_EQ [BUF + 0x104], 0x80000000, "MM7 = significand of 2.0"
    emms
    ret

align 8
val: dq 0x0123456789ABCDEF
two: dd 0x40000000
