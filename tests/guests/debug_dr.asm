; debug_dr.asm — MOV SS delays a single-step trap by one instruction (SDM
; vol. 3 section 6.8.3); DR0 instruction breakpoints are faults and DR1
; write watchpoints are traps (chapter 17).
%include "lib/x86bt.inc"

test_main:
    ; MOV SS: the trap is held until after the next instruction.
    pushfd
    or dword [esp], 0x100
    mov bx, ss
    FAULT_BEGIN_NOEIP 1, NOERR
    popfd
    mov ss, bx
    nop
.after_ss:
    FAULT_END
    ASSERT_EQ [v_eip], .after_ss, "MOV SS shadow"

    ; DR0 execution breakpoint: a fault before the instruction executes.
    xor eax, eax
    mov dr6, eax
    mov eax, .bp_target
    mov dr0, eax
    mov eax, 0x1                ; L0, R/W0=00 (execute), LEN0=00
    mov dr7, eax
    mov dword [v_tmp], 0
    FAULT_BEGIN_NOEIP 1, NOERR
    nop
.bp_target:
    mov dword [v_tmp], 1
    FAULT_END
    ASSERT_EQ [v_eip], .bp_target, "instruction breakpoint eip"
    ASSERT_EQ [v_tmp], 0, "breakpoint is a fault"
    mov eax, dr6
    and eax, 0xF
    ASSERT_EQ eax, 1, "DR6.B0"

    ; DR1 data write breakpoint (4 bytes): a trap after the store.
    xor eax, eax
    mov dr6, eax
    mov eax, v_tmp + 8
    mov dr1, eax
    mov eax, 0x00D00004         ; L1, R/W1=01 (write), LEN1=11 (4 bytes)
    mov dr7, eax
    FAULT_BEGIN_NOEIP 1, NOERR
    mov dword [v_tmp + 8], 0x42
.after_store:
    FAULT_END
    ASSERT_EQ [v_eip], .after_store, "data breakpoint eip"
    ASSERT_EQ [v_tmp + 8], 0x42, "store done before the trap"
    mov eax, dr6
    and eax, 0xF
    ASSERT_EQ eax, 2, "DR6.B1"
    xor eax, eax
    mov dr7, eax
    ret
