; PUSH/POP, CALL (direct exit) and RET (helper + indirect lookup).
%include "lib/golden.inc"
    push eax
    push 0x1234
    pop ebx
    pop ecx
    call func
    jmp done
func:
    ret
done:
    GOLDEN_END
