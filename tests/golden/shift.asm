; Shifts by immediate with eager flags, CMOVcc, a helper-called MUL.
%include "lib/golden.inc"
    mov eax, 0x81
    shl eax, 3
    shr eax, 1
    sar eax, 2
    cmp eax, 0x40
    cmovb eax, ecx
    mul ecx
    GOLDEN_END
