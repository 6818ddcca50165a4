; jit_cslimit.asm — the CS limit belongs to what a translation assumed
; (SDM vol. 3 section 5.3: fetching an instruction, or a near branch to a
; target, beyond the CS limit raises #GP(0)). The same code, at the same
; physical address, EIP, CS base and mode, runs first under the flat CS and
; then under a CS whose limit ends inside it: the second run must fault as
; the reference tier does, not reuse the translation (or chains) made under
; the larger limit.
;   1. straight-line code: #GP(0) at the first instruction beyond the limit
;   2. a near JMP whose target is beyond the limit: #GP(0) at the JMP
;   3. a block whose fall-through exit was chained (same page) to a block
;      beyond the limit: #GP(0) at the first byte beyond it
;   4. back under the flat CS: the original translation still works
%include "lib/x86bt.inc"

S_CLIM1  equ GDT_FREE + 0x00    ; code, base 0, limit c1_x - 1
S_CLIM2  equ GDT_FREE + 0x08    ; code, base 0, limit c2_jmp + 1
S_CLIM3  equ GDT_FREE + 0x10    ; code, base 0, limit c3_b - 1

%macro WARM 1                   ; run %1 under the flat CS, twice
    call %1
    call %1
%endmacro

test_main:
    PUTS "jit_cslimit: CS limit in the translation key", 10
    GDT_SET S_CLIM1, 0, c1_x - 1, ACC_CODE, FL_DB
    GDT_SET S_CLIM2, 0, c2_jmp + 1, ACC_CODE, FL_DB
    GDT_SET S_CLIM3, 0, c3_b - 1, ACC_CODE, FL_DB
%ifdef QEMU
    ret                         ; QEMU's TCG does not check the CS limit
%endif

    ; 1. straight-line code
    WARM c1
    ASSERT_EQ [v_tmp], 3, "case 1 flat"
    FAULT_BEGIN_NOEIP 13, 0
    call S_CLIM1:c1
    FAULT_END
    ASSERT_EQ [v_eip], c1_x, "case 1 #GP at the first byte beyond the limit"
    ASSERT_EQ [v_tmp], 1, "case 1 instructions before the limit ran"

    ; 2. near jump beyond the limit
    WARM c2
    ASSERT_EQ [v_tmp], 7, "case 2 flat"
    FAULT_BEGIN_NOEIP 13, 0
    call S_CLIM2:c2
    FAULT_END
    ASSERT_EQ [v_eip], c2_jmp, "case 2 #GP at the JMP"
    ASSERT_EQ [v_tmp], 5, "case 2 before the JMP"

    ; 3. chained blocks
    WARM c3
    ASSERT_EQ [v_tmp], 0x30, "case 3 flat"
    FAULT_BEGIN_NOEIP 13, 0
    call S_CLIM3:c3
    FAULT_END
    ASSERT_EQ [v_eip], c3_b, "case 3 #GP at the first byte beyond the limit"
    ASSERT_EQ [v_tmp], 0x10, "case 3 first block ran"

    ; 4. the flat translations are still good
    call c1
    ASSERT_EQ [v_tmp], 3, "case 4 c1"
    call c3
    ASSERT_EQ [v_tmp], 0x30, "case 4 c3"
    ret

; Each routine leaves its result in [v_tmp] (the fault handler's return
; path does not preserve registers). Under the small limits it faults
; before reaching its RET, so a near RET serves both kinds of call.
align 64
c1:
    mov dword [v_tmp], 1
    nop
    nop
c1_x:
    add dword [v_tmp], 2
    ret

align 64
c2:
    mov dword [v_tmp], 5
c2_jmp:
    jmp short .far
    times 32 nop
.far:
    add dword [v_tmp], 2
    ret

align 64
c3:
    mov dword [v_tmp], 0x10
    mov ecx, 3
.l: dec ecx
    jnz .l                      ; not taken: falls through to c3_b
c3_b:
    add dword [v_tmp], 0x20
    ret
