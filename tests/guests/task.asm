; task.asm — hardware task switching (SDM vol. 3 chapter 7): CALL/JMP to a
; TSS, IRET with NT back to the caller, task gates in the GDT and IDT, busy
; bits, backlink, register save/restore in the TSS, #GP on a busy target,
; #TS on a too-small TSS, CR3 and LDTR loaded from the new TSS.
%include "lib/x86bt.inc"

TSS_B    equ 0x24000
TSS_C    equ 0x25000
S_TSSB   equ GDT_FREE + 0x00
S_TSSC   equ GDT_FREE + 0x08
S_TGATE  equ GDT_FREE + 0x10   ; task gate -> TSS B (DPL3)
S_TSMALL equ GDT_FREE + 0x18   ; TSS with limit 0x60 (< 0x67)
S_LDT    equ GDT_FREE + 0x20
LDT_B    equ 0x26000
STACK_B  equ 0x27000
VEC_TASK equ 0x60
B_LOG    equ v_tmp             ; what task B saw
B_RUNS   equ v_tmp + 4

; Build a 32-bit TSS at edi for code ebx, stack ecx, LDT selector edx.
tss_init:
    push edi
    push ecx
    push eax
    mov eax, 0
    push edi
    mov ecx, 0x68 / 4
    rep stosd
    pop edi
    pop eax
    pop ecx
    mov dword [edi + 0x1C], PG_NONE   ; CR3
    mov [edi + 0x20], ebx             ; EIP
    mov dword [edi + 0x24], 2         ; EFLAGS
    mov [edi + 0x38], ecx             ; ESP
    mov dword [edi + 0x48], SEL_DATA0 ; ES
    mov dword [edi + 0x4C], SEL_CODE0 ; CS
    mov dword [edi + 0x50], SEL_DATA0 ; SS
    mov dword [edi + 0x54], SEL_DATA0 ; DS
    mov dword [edi + 0x58], SEL_DATA0 ; FS
    mov dword [edi + 0x5C], SEL_DATA0 ; GS
    mov [edi + 0x60], edx             ; LDT
    mov word [edi + 0x66], 0x68       ; no I/O bitmap
    pop edi
    ret
PG_NONE equ 0

test_main:
    mov edi, TSS_B
    mov ebx, task_b
    mov ecx, STACK_B
    mov edx, S_LDT
    call tss_init
    mov dword [TSS_B + 0x28], 0xB0B0   ; EAX of task B
    GDT_SET S_TSSB, TSS_B, 0x67, ACC_TSS32, 0
    GDT_SET S_TSSC, TSS_C, 0x67, ACC_TSS32, 0
    GDT_SET S_TSMALL, TSS_C, 0x60, ACC_TSS32, 0
    GDT_SET S_LDT, LDT_B, 7, ACC_LDT, 0
    GATE_SET GDT_ADDR(S_TGATE), 0, S_TSSB, GATE_TASK | ACC_DPL3, 0
    GATE_SET IDT_ADDR(VEC_TASK), 0, S_TSSB, GATE_TASK, 0

    ; CALL to a TSS: nested switch.
    mov eax, 0x1234A
    mov ebp, 0x5150
    call S_TSSB:0
    ASSERT_EQ [B_RUNS], 1, "task B ran"
    ASSERT_EQ ebp, 0x5150, "EBP restored from the TSS"
    ASSERT_EQ eax, 0x1234A, "EAX restored"
    movzx eax, byte [GDT_ADDR(S_TSSB) + 5]
    ASSERT_EQ eax, ACC_TSS32, "B not busy after IRET"
    movzx eax, byte [GDT_ADDR(SEL_TSS) + 5]
    ASSERT_EQ eax, ACC_TSS32 | 2, "A busy"
    str eax
    ASSERT_EQ eax, SEL_TSS, "TR back to A"
    pushfd
    pop eax
    and eax, 0x4000
    ASSERT_EQ eax, 0, "NT clear in A"
    ; Task B's EIP was saved after its IRET: a second CALL resumes there.
    mov eax, 0x1234A
    call S_TSSB:0
    ASSERT_EQ [B_RUNS], 2, "task B resumed after its IRET"

    ; Through a task gate in the GDT (offset ignored) and in the IDT.
    mov eax, 0x1234A
    call S_TGATE:0x12345678
    ASSERT_EQ [B_RUNS], 3, "GDT task gate"
    mov eax, 0x1234A
    int VEC_TASK
    ASSERT_EQ [B_RUNS], 4, "IDT task gate"

    ; CALL to the busy current task: #GP(sel).
    FAULT_BEGIN 13, SEL_TSS
    call SEL_TSS:0
    FAULT_END
    ; A TSS limit below 0x67: #TS(sel).
    FAULT_BEGIN 10, S_TSMALL
    jmp S_TSMALL:0
    FAULT_END
    ; IRET with NT=1 to a backlink that is not busy: #TS(backlink).
    mov word [TSS_BASE], S_TSSC
    pushfd
    or dword [esp], 0x4000
    popfd
    FAULT_BEGIN 10, S_TSSC
    iretd
    FAULT_END

    ; JMP to a task: no nesting, old task not busy; B jumps back.
    mov dword [B_LOG], 0
    mov edi, TSS_B
    mov ebx, task_b_jmp
    mov ecx, STACK_B
    xor edx, edx
    call tss_init
    jmp S_TSSB:0
.back:
    ASSERT_EQ [B_LOG], 0x600D, "JMP task ran"
    movzx eax, byte [GDT_ADDR(S_TSSB) + 5]
    ASSERT_EQ eax, ACC_TSS32, "B not busy after JMP away"
    ; A's saved EIP in its TSS was the instruction after the JMP.
    ret

; ----------------------------------------------------------- task B
task_b:
    inc dword [B_RUNS]
    ASSERT_EQ eax, 0xB0B0, "B EAX loaded from TSS"
    str eax
    ASSERT_EQ eax, S_TSSB, "TR is B"
    sldt eax
    ASSERT_EQ eax, S_LDT, "LDTR from TSS"
    pushfd
    pop eax
    and eax, 0x4000
    ASSERT_EQ eax, 0x4000, "NT set in the nested task"
    movzx eax, word [TSS_B]
    ASSERT_EQ eax, SEL_TSS, "backlink"
    movzx eax, byte [GDT_ADDR(S_TSSB) + 5]
    ASSERT_EQ eax, ACC_TSS32 | 2, "B busy"
    movzx eax, byte [GDT_ADDR(SEL_TSS) + 5]
    ASSERT_EQ eax, ACC_TSS32 | 2, "A still busy (nested)"
    ASSERT_EQ [TSS_BASE + 0x28], 0x1234A, "A's EAX saved in its TSS"
    mov eax, 0xB0B0
    iretd
    jmp task_b

task_b_jmp:
    pushfd
    pop eax
    and eax, 0x4000
    ASSERT_EQ eax, 0, "NT clear after JMP"
    movzx eax, byte [GDT_ADDR(SEL_TSS) + 5]
    ASSERT_EQ eax, ACC_TSS32, "A not busy after JMP"
    ASSERT_EQ [TSS_BASE + 0x20], test_main.back, "A's saved EIP"
    mov dword [B_LOG], 0x600D
    jmp SEL_TSS:0
