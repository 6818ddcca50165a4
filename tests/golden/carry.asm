; ADC/SBB inline (emit_carry.c): the carry from the host flags of the CMP
; just before (cmp; sbb r, r), from a replay of the block's last flag
; writer, and from the <cond> trampoline after a handler; register, memory-source and
; immediate forms, each storing the ADD/SUB lazy state with its carry-in.
%include "lib/golden.inc"
    mov ebx, 0x100000
    mov dword [ebx], 0xFFFFFFFF
    mov eax, 5
    mov ecx, 7
    cmp eax, ecx
    sbb edx, edx
    add eax, [ebx]
    mov esi, 1
    adc esi, [ebx]
    std
    sbb eax, 3
    adc eax, 0x12345
    GOLDEN_END
