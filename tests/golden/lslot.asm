; A self-loop with two memory accesses (the CRC's table lookup): each has
; a TLB slot (cpu.tlb.slot[i]) that the normal entry invalidates before
; the budget check; the probe compares the address with the slot's page
; (64-bit subtract: also rejects a straddling access and an invalid
; slot), and a miss refills the slot from the TLB out of line before the
; usual slow path, whose return from C invalidates the slots again.
%include "lib/golden.inc"
    mov edx, 0x200000
    mov ebx, -1
.crc:
    movzx ecx, byte [edx]
    add edx, 1
    xor ecx, ebx
    shr ebx, 8
    movzx ecx, cl
    xor ebx, [ecx * 4 + 0x210000]
    cmp edx, 0x200040
    jne .crc
    GOLDEN_END
