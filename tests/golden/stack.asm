; PUSH/POP, CALL (direct exit) and RET (helper + indirect lookup).
%include "lib/golden.inc"
    push eax
    push 0x1234
    pop ebx
    pop ecx
    call func
    GOLDEN_END
func:
    ret
