; Privileged and sensitive instructions: reference handlers that check
; CPL/IOPL/VM, never executed natively; each ends its block.
%include "lib/golden.inc"
    cli
    mov eax, cr0
    mov dx, 0x80
    out dx, al
    sti
    GOLDEN_END
