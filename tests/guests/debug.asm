; debug.asm — single-step (SDM vol. 3 chapter 17): TF traps after the
; instruction following the POPF that set it, with DR6.BS and TF in the
; saved EFLAGS.
%include "lib/x86bt.inc"

test_main:
    ; TF: #DB after the first instruction following POPFD.
    mov eax, 0
    mov dr6, eax
    pushfd
    or dword [esp], 0x100
    FAULT_BEGIN_NOEIP 1, NOERR
    popfd
    nop                         ; TF takes effect after POPF: trap here
.after_nop:
    FAULT_END
    ASSERT_EQ [v_eip], .after_nop, "single-step eip"
    mov eax, dr6
    and eax, 0x4000
    ASSERT_EQ eax, 0x4000, "DR6.BS"
    mov eax, [v_eflags]
    and eax, 0x100
    ASSERT_EQ eax, 0x100, "TF in the saved EFLAGS"

    ret
