; Loads, stores and read-modify-write through the inline software TLB.
%include "lib/golden.inc"
    mov ebx, data
    mov eax, [ebx + 4]
    mov [ebx + ecx*4 + 8], eax
    add dword [ebx], 1
    movzx edx, byte [ebx + 1]
    lea esi, [ebx + edx*2 + 0x10]
    GOLDEN_END
data: times 64 db 0
