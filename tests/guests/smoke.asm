; smoke.asm — the harness itself: protected-mode entry, output, a recorded
; #UD and #DE with their saved EIP, ring 3 round trip through VEC_RING0.
%include "lib/x86bt.inc"

test_main:
    PUTS "smoke: protected mode", 10
    mov eax, cr0
    and eax, 1
    ASSERT_EQ eax, 1, "cr0.pe"
    FAULT_BEGIN 6, NOERR
    ud2
    FAULT_END
    xor edx, edx
    xor ecx, ecx
    mov eax, 1
    FAULT_BEGIN 0, NOERR
    div ecx
    FAULT_END
    mov eax, user
    xor ebx, ebx
    call run_ring3
    ASSERT_EQ [v_tmp], 0x1234, "ring 3 ran"
    ret

user:
    mov ax, cs
    and eax, 3
    cmp eax, 3
    jne .bad
    mov dword [v_tmp], 0x1234
.bad:
    RING0
