; rings.asm — privilege transitions (SDM vol. 3 sections 5.8, 6.12, 5.8.7):
; 0 -> 3 by IRET, 3 -> 0 by call gate with parameter copy and TSS stack
; switch, RETF n back to ring 3 (data segments above CPL are nulled),
; call gate to ring 1, interrupt vs trap gates from ring 3 (IF, frame),
; gate DPL / not-present errors, SYSENTER/SYSEXIT.
%include "lib/x86bt.inc"

S_GATE0  equ GDT_FREE + 0x00   ; call gate DPL3 -> ring 0, 2 dword params
S_GATE1  equ GDT_FREE + 0x08   ; call gate DPL3 -> ring 1, 0 params
S_GATEP  equ GDT_FREE + 0x10   ; call gate DPL0 (not callable from ring 3)
S_GATENP equ GDT_FREE + 0x18   ; call gate DPL3, not present

R_ESP    equ v_tmp + 0x00      ; ring-0 ESP seen in the gate target
R_SS     equ v_tmp + 0x04
R_P1     equ v_tmp + 0x08      ; copied parameters
R_P2     equ v_tmp + 0x0C
R_OSS    equ v_tmp + 0x10      ; caller SS:ESP on the new stack
R_OESP   equ v_tmp + 0x14
R_CS     equ v_tmp + 0x18
R_FL     equ v_tmp + 0x1C
R_U      equ v_tmp + 0x20      ; values checked by the ring-3 code
R_ES     equ v_tmp + 0x24

MSR_SYSENTER_CS  equ 0x174
MSR_SYSENTER_ESP equ 0x175
MSR_SYSENTER_EIP equ 0x176

test_main:
    GATE_SET GDT_ADDR(S_GATE0), gate0_target, SEL_CODE0, GATE_CALL32 | ACC_DPL3, 2
    GATE_SET GDT_ADDR(S_GATE1), gate1_target, SEL_CODE1, GATE_CALL32 | ACC_DPL3, 0
    GATE_SET GDT_ADDR(S_GATEP), gate0_target, SEL_CODE0, GATE_CALL32, 0
    GATE_SET GDT_ADDR(S_GATENP), gate0_target, SEL_CODE0, (GATE_CALL32 | ACC_DPL3) ^ ACC_NP, 0
    IDT_SET 0x50, int_target, GATE_INT32 | ACC_DPL3
    IDT_SET 0x51, int_target, GATE_TRAP32 | ACC_DPL3
    mov eax, 0
    mov ecx, SEL_CODE0
    xor edx, edx
    mov ecx, MSR_SYSENTER_CS
    mov eax, SEL_CODE0
    wrmsr
    mov ecx, MSR_SYSENTER_ESP
    mov eax, STACKX_TOP
    wrmsr
    mov ecx, MSR_SYSENTER_EIP
    mov eax, sysenter_target
    wrmsr

    mov eax, user
    mov ebx, 0x200              ; IF=1 in ring 3 (no IRQs are unmasked)
    call run_ring3
    ASSERT_EQ [R_U], 0x600D, "ring-3 code completed"
    ret

; ---------------------------------------------------------- ring 3 code
user:
    ; Call gate to ring 0 with two dword parameters.
    push dword 0x1111
    push dword 0x2222
    mov ebp, esp
    call S_GATE0:0
    mov ebx, esp
    sub ebx, 8
    ASSERT_EQ ebx, ebp, "retf 8 pops the caller's parameters"
    ASSERT_EQ [R_P1], 0x2222, "param 1 copied"
    ASSERT_EQ [R_P2], 0x1111, "param 2 copied"
    ASSERT_EQ [R_SS], SEL_DATA0, "new SS from TSS.SS0"
    ASSERT_EQ [R_OSS], SEL_DATA3, "caller SS on the ring-0 stack"
    ASSERT_EQ [R_OESP], ebp, "caller ESP on the ring-0 stack"
    ASSERT_EQ [R_CS], SEL_CODE3, "caller CS on the ring-0 stack"
    ; RETF to ring 3 nulled ES (the target loaded DPL0 data into it).
    mov eax, es
    ASSERT_EQ eax, 0, "ES nulled on return to ring 3"
    mov ax, SEL_DATA3
    mov es, ax
    ; Ring-1 gate: stack from TSS.SS1:ESP1.
    call S_GATE1:0
    ASSERT_EQ [R_SS], SEL_DATA1, "ring-1 SS from TSS.SS1"
    ASSERT_EQ [R_CS], SEL_CODE1, "ring-1 CS"
    ; Gate DPL 0 from ring 3: #GP(gate selector).
    FAULT_BEGIN 13, S_GATEP
    call S_GATEP:0
    FAULT_END
    ; Not-present gate: #NP(gate selector).
    FAULT_BEGIN 11, S_GATENP
    call S_GATENP:0
    FAULT_END
    ; JMP through a call gate to a more privileged ring: #GP(target sel).
    FAULT_BEGIN 13, SEL_CODE0
    jmp S_GATE0:0
    FAULT_END
    ; Interrupt gate: IF cleared in the handler; trap gate: IF kept.
    int 0x50
    ASSERT_EQ [R_FL], 0, "IF cleared by interrupt gate"
    ASSERT_EQ [R_CS], SEL_CODE3, "int frame CS"
    ASSERT_EQ [R_OSS], SEL_DATA3, "int frame SS"
    int 0x51
    ASSERT_EQ [R_FL], 0x200, "IF kept by trap gate"
    ; SYSENTER -> ring 0 (CS=MSR, SS=MSR+8, ESP/EIP from MSRs);
    ; SYSEXIT -> ring 3 (CS=MSR+16|3, SS=MSR+24|3, EIP=EDX, ESP=ECX).
    mov ecx, esp
    mov edx, .after_sysexit
    sysenter
.after_sysexit:
    ASSERT_EQ [R_CS], SEL_CODE0, "sysenter CS"
    ASSERT_EQ [R_SS], SEL_DATA0, "sysenter SS"
    ASSERT_EQ [R_ESP], STACKX_TOP, "sysenter ESP"
    mov eax, cs
    ASSERT_EQ eax, SEL_CODE3, "sysexit CS"
    mov eax, ss
    ASSERT_EQ eax, SEL_DATA3, "sysexit SS"
    ; SYSEXIT at CPL 3: #GP(0).
    FAULT_BEGIN 13, 0
    sysexit
    FAULT_END
    mov dword [R_U], 0x600D
    RING0

; ---------------------------------------------------------- ring 0 code
gate0_target:
    mov [R_ESP], esp
    mov eax, ss
    mov [R_SS], eax
    mov eax, [esp + 8]
    mov [R_P1], eax
    mov eax, [esp + 12]
    mov [R_P2], eax
    mov eax, [esp + 16]
    mov [R_OESP], eax
    mov eax, [esp + 20]
    mov [R_OSS], eax
    mov eax, [esp + 4]
    mov [R_CS], eax
    mov ax, SEL_DATA0
    mov es, ax
    retf 8

gate1_target:
    mov eax, ss
    mov [R_SS], eax
    mov eax, cs
    mov [R_CS], eax
    retf


int_target:
    pushfd
    pop eax
    and eax, 0x200
    mov [R_FL], eax
    mov eax, [esp + 4]
    mov [R_CS], eax
    mov eax, [esp + 16]
    mov [R_OSS], eax
    iretd

sysenter_target:
    mov [R_ESP], esp
    mov eax, cs
    mov [R_CS], eax
    mov eax, ss
    mov [R_SS], eax
    sysexit
