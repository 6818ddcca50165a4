; Conditions from a lazy state (emit_cond.c): a Jcc whose flag writer ran
; in the block before calls the shared <cond> trampoline; INC/DEC fold the
; current CF into eflags (they keep it) from the host flags of the
; instruction just before, from a replay of the block's last writer, or
; through <cond>; a CF condition after INC replays it with CF from eflags.
%include "lib/golden.inc"
    mov eax, 5
    cmp eax, 7
    jmp second
second:
    jb third
third:
    inc eax
    setc dl
    cmp eax, 3
    dec ecx
    sbb edx, edx
    add eax, ebx
    mov esi, eax
    inc esi
    cmovbe edi, esi
    GOLDEN_END
