; A self-loop (the sieve's marking loop): the closing CMP keeps its first
; operand in r15 instead of storing the lazy flags; they are stored on
; the exits, in the second entry's budget stub and in the slow paths of
; the copy of the store that comes before the ADD overwriting them.
%include "lib/golden.inc"
    mov edx, 0x100
    mov ecx, 3
.mark:
    mov byte [edx + 0x200000], 0
    add edx, ecx
    cmp edx, 0x140
    jbe .mark
    GOLDEN_END
