; PUSH/POP, CALL (direct exit), LEAVE (the load before ESP changes) and
; RET (helper + indirect lookup).
%include "lib/golden.inc"
    push eax
    push 0x1234
    pop ebx
    pop ecx
    call func
    jmp done
func:
    push ebp
    mov ebp, esp
    leave
    ret
done:
    GOLDEN_END
