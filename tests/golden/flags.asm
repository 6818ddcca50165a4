; Pinned registers and flag liveness: shift by CL and IMUL inline when a
; later instruction overwrites their flags; CMP/ALU with a memory operand
; on the pinned registers; a shift whose flags are computed only in the
; slow paths before the instruction that overwrites them; Jcc on the host
; flags of the CMP just before it; MOV of an immediate to memory.
%include "lib/golden.inc"
    mov ecx, 3
    mov eax, 0x1234
    mov ebx, 0x100000
    shl eax, cl
    add eax, ecx
    imul eax, ecx
    imul edx, eax, 5
    add eax, edx
    shr eax, 4
    mov dword [ebx], 7
    mov edx, [ebx + 4]
    xor eax, [ebx]
    cmp [ebx], ecx
    jb .skip
    cmp eax, ecx
    jne .skip
    nop
.skip:
    GOLDEN_END
