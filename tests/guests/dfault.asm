; dfault.asm — exception classes and double faults (SDM vol. 3 section
; 6.15, tables 6-4/6-5; interrupt 8): contributory + contributory and
; page fault + page fault/contributory give #DF with error code 0; benign
; followed by anything is handled serially; #DF through a task gate.
%include "lib/x86bt.inc"
%include "lib/paging.inc"

TSS_DF  equ 0x24000
S_TSSDF equ GDT_FREE

%ifdef QEMU
EXT equ 0
%else
EXT equ 1
%endif

test_main:
    ; #GP whose gate is not present -> #NP during delivery -> #DF.
    and byte [IDT_ADDR(13) + 5], 0x7F
    mov ax, 0x800
    FAULT_BEGIN_NOEIP 8, 0
    mov fs, ax
    FAULT_END
    or byte [IDT_ADDR(13) + 5], 0x80
    ; #DE (contributory) with a bad gate type -> #GP -> #DF.
    mov byte [IDT_ADDR(0) + 5], 0x8A
    xor ecx, ecx
    FAULT_BEGIN_NOEIP 8, 0
    div ecx
    FAULT_END
    mov byte [IDT_ADDR(0) + 5], GATE_INT32
    ; #UD (benign) with its gate not present -> just #NP(6*8+2+EXT).
    and byte [IDT_ADDR(6) + 5], 0x7F
    FAULT_BEGIN_NOEIP 11, 6 * 8 + 2 + EXT
    ud2
    FAULT_END
    or byte [IDT_ADDR(6) + 5], 0x80
    ; #PF whose gate is not present -> #NP (contributory) -> #DF.
    call paging_build
    mov eax, 0x202000
    call pte_of
    mov dword [eax], 0
    call paging_on
    and byte [IDT_ADDR(14) + 5], 0x7F
    FAULT_BEGIN_NOEIP 8, 0
    mov eax, [0x202000]
    FAULT_END
    or byte [IDT_ADDR(14) + 5], 0x80
    ; #PF while pushing the #PF frame (stack page missing) -> #DF, here
    ; through a task gate so that the handler gets a good stack.
    mov edi, TSS_DF
    mov ecx, 0x68 / 4
    xor eax, eax
    rep stosd
    mov dword [TSS_DF + 0x1C], PG_PD
    mov dword [TSS_DF + 0x20], df_task
    mov dword [TSS_DF + 0x24], 2
    mov dword [TSS_DF + 0x38], STACKX_TOP
    mov dword [TSS_DF + 0x48], SEL_DATA0
    mov dword [TSS_DF + 0x4C], SEL_CODE0
    mov dword [TSS_DF + 0x50], SEL_DATA0
    mov dword [TSS_DF + 0x54], SEL_DATA0
    mov word [TSS_DF + 0x66], 0x68
    GDT_SET S_TSSDF, TSS_DF, 0x67, ACC_TSS32, 0
    GATE_SET IDT_ADDR(8), 0, S_TSSDF, GATE_TASK, 0
    IDT_SET 14, pf_handler, GATE_INT32
    mov esp, 0x203000           ; pushing the #PF frame hits 0x202FFC
    mov eax, [0x202000]
    FAIL "no double fault"

pf_handler:
    FAIL "the #PF handler must not run"

; Task for #DF: error code 0 on its stack, backlink to the main task.
df_task:
    ASSERT_EQ [STACKX_TOP - 4], 0, "#DF error code in the task"
    movzx eax, word [TSS_DF]
    ASSERT_EQ eax, SEL_TSS, "#DF task backlink"
    str eax
    ASSERT_EQ eax, S_TSSDF, "running in the #DF task"
    PUTS "dfault: #DF task ok", 10
    jmp pass
