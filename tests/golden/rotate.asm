; ROL/ROR by an immediate (emit_shift.c): the result by a host rotate, CF
; and OF from it, the other four flags from the lazy state through the
; <arith> trampoline; NOT in place (AH: xor of bits 8-15), NEG with the
; SUB lazy state (0 - x), register and memory forms; SHR r32, CL with
; its flags live (a zero count skips everything, flags included).
%include "lib/golden.inc"
    mov ebx, 0x100000
    mov eax, 0x80000001
    cmp eax, ecx
    rol eax, 5
    ror byte [ebx], 1
    not eax
    not ah
    not dword [ebx]
    neg ecx
    neg word [ebx]
    shr edx, cl
    setc al
    GOLDEN_END
