; rm_ivt.asm — real-mode interrupt delivery through the IVT (SDM vol. 3
; section 20.1.4): INT n, INT3, INTO, #DE, #UD, BOUND, saved CS:IP/FLAGS,
; IF/TF cleared on entry, IRET, and LIDT moving the IVT.
%define RM_TEST
%include "lib/x86bt.inc"

RM_VEC    equ 0x500   ; last vector seen by rm_common
RM_IP     equ 0x502   ; saved IP
RM_CS     equ 0x504   ; saved CS
RM_FL     equ 0x506   ; saved FLAGS
RM_RESUME equ 0x508   ; if non-zero, the handler returns there
RM_INFL   equ 0x50A   ; FLAGS inside the handler

section .rm
bits 16

%macro RM_HANDLER 1
rm_h%1:
    push word %1
    jmp rm_common
%endmacro
RM_HANDLER 0
RM_HANDLER 3
RM_HANDLER 4
RM_HANDLER 5
RM_HANDLER 6
RM_HANDLER 0x21

rm_common:
    push bp
    mov bp, sp
    push ax
    push ds
    xor ax, ax
    mov ds, ax
    pushf
    pop ax
    mov [RM_INFL], ax
    mov ax, [bp + 2]
    mov [RM_VEC], ax
    mov ax, [bp + 4]
    mov [RM_IP], ax
    mov ax, [bp + 6]
    mov [RM_CS], ax
    mov ax, [bp + 8]
    mov [RM_FL], ax
    mov ax, [RM_RESUME]
    test ax, ax
    jz .ret
    mov [bp + 4], ax
    mov word [RM_RESUME], 0
.ret:
    pop ds
    pop ax
    pop bp
    add sp, 2
    iret

%macro SETVEC 2   ; vector, handler
    mov word [(%1) * 4], %2
    mov word [(%1) * 4 + 2], 0xF000
%endmacro

bound_pair: dw 10, 20

rm_test:
    xor ax, ax
    mov ds, ax
    SETVEC 0, rm_h0
    SETVEC 3, rm_h3
    SETVEC 4, rm_h4
    SETVEC 5, rm_h5
    SETVEC 6, rm_h6
    SETVEC 0x21, rm_h0x21
    mov word [RM_RESUME], 0

    ; INT n: pushes FLAGS, CS, IP (of the next instruction); clears IF, TF.
    mov ax, 0x0202          ; IF=1
    push ax
    popf
    int 0x21
.after_int:
    cli
    cmp word [RM_VEC], 0x21
    RM_CHECK 1
    cmp word [RM_IP], .after_int
    RM_CHECK 2
    cmp word [RM_CS], 0xF000
    RM_CHECK 3
    test word [RM_FL], 0x200
    jz .f4
    test word [RM_INFL], 0x200
    jnz .f4
    jmp .ok4
.f4: mov al, 4
    jmp rm_fail
.ok4:
    ; #DE: a fault, saved IP is the DIV itself.
    mov word [RM_RESUME], .r5
    xor dx, dx
    xor cx, cx
    mov ax, 7
.de: div cx
    mov al, 5
    jmp rm_fail
.r5: cmp word [RM_VEC], 0
    RM_CHECK 6
    cmp word [RM_IP], .de
    RM_CHECK 7
    ; INT3: a trap, saved IP follows the CC byte.
    int3
.after3:
    cmp word [RM_VEC], 3
    RM_CHECK 8
    cmp word [RM_IP], .after3
    RM_CHECK 9
    ; INTO with OF=0 does nothing; with OF=1 raises vector 4 (trap).
    mov word [RM_VEC], 0xFFFF
    xor ax, ax
    add ax, 1
    into
    cmp word [RM_VEC], 0xFFFF
    RM_CHECK 0x0A
    mov al, 0x7F
    add al, 1
    into
.after4:
    cmp word [RM_VEC], 4
    RM_CHECK 0x0B
    cmp word [RM_IP], .after4
    RM_CHECK 0x0C
    ; #UD (UD2), a fault.
    mov word [RM_RESUME], .r6
.ud: ud2
    mov al, 0x0D
    jmp rm_fail
.r6: cmp word [RM_VEC], 6
    RM_CHECK 0x0E
    cmp word [RM_IP], .ud
    RM_CHECK 0x0F
    ; BOUND out of range: #BR (vector 5), a fault.
    push ds
    push cs
    pop ds
    mov ax, 15
    bound ax, [bound_pair]
    mov ax, 25
    mov word [ss:RM_RESUME], .r7  ; DS=CS here
.br: bound ax, [bound_pair]
    pop ds
    mov al, 0x10
    jmp rm_fail
.r7: pop ds
    cmp word [RM_VEC], 5
    RM_CHECK 0x11
    cmp word [RM_IP], .br
    RM_CHECK 0x12
    ; LIDT moves the real-mode IVT: a copy at 0x8000 whose vector 0x21
    ; entry points at the vector-3 handler.
    mov si, 0
    mov di, 0x8000
    push ds
    pop es
    mov cx, 0x200
    rep movsw
    mov word [0x8000 + 0x21 * 4], rm_h3
    lidt [cs:ivt_8000]
    int 0x21
    lidt [cs:ivt_0]
    cmp word [RM_VEC], 3
    RM_CHECK 0x13
    int 0x21
    cmp word [RM_VEC], 0x21
    RM_CHECK 0x14
    ; IRET restores FLAGS from the stack (here: CF set on return).
    pushf
    push cs
    push word .iret_to
    mov bp, sp
    or word [ss:bp + 4], 1
    iret
.iret_to:
    jc .cf_ok
    mov al, 0x15
    jmp rm_fail
.cf_ok:
    ret

ivt_8000: dw 0x3FF
          dd 0x8000
ivt_0:    dw 0x3FF
          dd 0

section .text
bits 32
test_main:
    PUTS "rm_ivt: real-mode checks passed", 10
    ret
