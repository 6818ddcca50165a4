; ALU with lazy flags, fused CMP + Jcc, INC/DEC carry fold.
%include "lib/golden.inc"
    mov eax, 5
    mov ecx, 7
    add eax, ecx
    sub eax, 3
    and eax, 0xff
    xor edx, edx
    inc edx
    cmp eax, ecx
    jne .ne
.ne:
    GOLDEN_END
