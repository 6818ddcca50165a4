; MUL/IMUL with their flags live (emit_muldiv.c): one-operand MUL and
; IMUL of a register and of memory (EDX:EAX), byte MUL, IMUL Gv, Ev with
; a memory operand and three-operand IMUL, each followed by a reader of
; its flags (SETcc, Jcc, ADC); SETcc to a high byte register and memory;
; DIV r32 (host div, the handler on a zero divisor or overflow: #DE).
%include "lib/golden.inc"
    mov ebx, 0x100000
    mov dword [ebx], 0x10001
    mov eax, 0x12345
    mov ecx, 0x7000
    mul ecx
    setc dl
    imul dword [ebx]
    seto byte [ebx + 4]
    mov al, 200
    mov cl, 3
    mul cl
    sets ah
    imul esi, [ebx], 3
    adc esi, 0
    imul edi, esi
    jo .skip
    nop
.skip:
    xor edx, edx
    mov ecx, 3
    div ecx
    GOLDEN_END
