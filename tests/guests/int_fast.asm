; int_fast.asm — interrupt delivery and IRET, run often enough that the
; fast paths of except.c / seg.c (32-bit gates, TLB-mapped descriptors and
; frames) handle the later runs, and the cases that must fall back to the
; full path (SDM vol. 3 sections 6.12, 6.13; vol. 2 IRET):
;   1. ring 3 -> 0 interrupt gate, trap gate: frame, IF, TSS stack
;   2. ring 3 -> 1 through a gate, ring-1 stack with a non-zero base
;   3. a handler in a code segment with a non-zero base
;   4. a conforming handler (no stack switch: full path)
;   5. the ring-1 stack segment not present: #SS(sel) at the INT
;   6. paging on: #PF(W, supervisor) on the new stack, CR2 = first push;
;      a frame straddling into a not-present page: CR2 = the first push
;      that does not fit; afterwards delivery works again
;   7. IRET to ring 3 through a conforming code segment (full path)
;   8. IRET to ring 3 with DS/ES/FS/GS holding a DPL0 segment: the fast
;      IRET nulls them, so the translation tier must not keep the ring-0
;      block's segment mode bits (a block for the same ring-3 code with
;      usable DS exists from run_ring3): the load through DS is #GP(0)
;   9. the cached deliveries and IRETs (except.c, seg.c keep the checked
;      descriptors and compare their bytes): after warm runs, the gate's
;      DPL lowered (#GP(vec*8+2)), its CS not present (#NP(sel)), its
;      offset moved (the new handler runs), the gate made a trap gate (IF
;      kept); a changed TSS stack (cases 2b, 5) is covered above; IRET
;      to ring 3 with its CS made not present (#NP), its SS read-only (#GP)
; Every successful case runs three times and must give the same frame.
%include "lib/x86bt.inc"
%include "lib/paging.inc"

S_CONF   equ GDT_FREE + 0x00       ; conforming code DPL0, base 0
S_CODEB  equ GDT_FREE + 0x08       ; code DPL0, base 0x10000
S_SS1B   equ GDT_FREE + 0x10 + 1   ; data DPL1, base 0x20000, limit 0xFFFF
S_SS1NP  equ GDT_FREE + 0x18 + 1   ; data DPL1, not present
CODEB    equ 0x10000

R_EIP    equ v_tmp + 0x00          ; the frame as the handler saw it
R_CS     equ v_tmp + 0x04
R_FL     equ v_tmp + 0x08
R_ESP    equ v_tmp + 0x0C
R_SS     equ v_tmp + 0x10
R_KESP   equ v_tmp + 0x14          ; handler ESP at entry (frame start)
R_HFL    equ v_tmp + 0x18          ; handler EFLAGS, CS, SS
R_HCS    equ v_tmp + 0x1C
R_HSS    equ v_tmp + 0x20
R_UFL    equ v_tmp + 0x24          ; ring-3 EFLAGS and ESP before INT
R_UESP   equ v_tmp + 0x28
R_DONE   equ v_tmp + 0x2C
R_XCS    equ v_tmp + 0x30
R_AFL    equ v_tmp + 0x34          ; ring-3 EFLAGS right after the IRET

PF_LO    equ 0x40000               ; two not-present pages (case 6)
PF_HI    equ 0x41000

test_main:
    PUTS "int_fast: interrupt/IRET fast paths and their fallbacks", 10
    GDT_SET S_CONF, 0, 0xFFFFF, ACC_CONF, FL_G | FL_DB
    GDT_SET S_CODEB, CODEB, 0xFFFFF, ACC_CODE, FL_G | FL_DB
    GDT_SET S_SS1B, 0x20000, 0xFFFF, ACC_DATA | ACC_DPL1, FL_DB
    GDT_SET S_SS1NP, 0, 0xFFFFF, (ACC_DATA | ACC_DPL1) ^ ACC_NP, FL_G | FL_DB
    IDT_SET 0x60, handler, GATE_INT32 | ACC_DPL3
    IDT_SET 0x61, handler, GATE_TRAP32 | ACC_DPL3
    GATE_SET IDT_ADDR(0x62), handler, SEL_CODE1, GATE_INT32 | ACC_DPL3, 0
    GATE_SET IDT_ADDR(0x63), handler, S_CONF, GATE_INT32 | ACC_DPL3, 0
    GATE_SET IDT_ADDR(0x64), handler - CODEB, S_CODEB, GATE_INT32 | ACC_DPL3, 0

    mov eax, user_ok
    mov ebx, 0x200
    call run_ring3
    ASSERT_EQ [R_DONE], 1, "ring-3 part 1 completed"

    ; 2b. ring-1 stack with a base
    mov dword [TSS_BASE + 16], S_SS1B
    mov dword [TSS_BASE + 12], 0x8000
    mov eax, user_ss1b
    mov ebx, 0x200
    call run_ring3
    ASSERT_EQ [R_DONE], 2, "ring-3 part 2 completed"

    ; 5. ring-1 SS not present
    mov dword [TSS_BASE + 16], S_SS1NP
    mov eax, user_ssnp
    mov ebx, 0x200
    call run_ring3
    ASSERT_EQ [R_DONE], 3, "ring-3 part 3 completed"

    ; 6. paging, not-present pages under the ring-1 stack
    call paging_build
    mov eax, PF_LO
    call pte_of
    and dword [eax], ~PTE_P
    mov eax, PF_HI
    call pte_of
    and dword [eax], ~PTE_P
    call paging_on
    mov dword [TSS_BASE + 16], SEL_DATA1
    mov eax, user_pf
    mov ebx, 0x200
    call run_ring3
    ASSERT_EQ [R_DONE], 4, "ring-3 part 4 completed"
    mov dword [TSS_BASE + 12], STACK1_TOP
    call paging_off

    ; 7. IRET to ring 3 through a conforming code segment
    call iret_conf
    ASSERT_EQ [R_XCS], S_CONF | 3, "CS after IRET to conforming code"

    ; 8. IRET nulling the data segments
%rep 2
    mov eax, user_nullds
    mov ebx, 0x200
    call run_ring3
%endrep
%rep 3
    call iret_nullds
%endrep

    ; 9. cached deliveries see every change
    mov eax, user_cache
    mov ebx, 0x200
    call run_ring3
    ASSERT_EQ [R_DONE], 5, "ring-3 part 5 completed"
    ; the IRET to ring 3 (cached by the runs above) with its CS not
    ; present, then with its SS read-only
    and byte [GDT_ADDR(SEL_CODE3) + 5], ~0x80
%rep 2
    mov [R_UESP], esp               ; a same-ring fault resumes with
    FAULT_BEGIN_NOEIP 11, SEL_CODE3 & 0xFFFC
    call iret_user
    FAULT_END
    mov esp, [R_UESP]               ; the frame still pushed
%endrep
    or byte [GDT_ADDR(SEL_CODE3) + 5], 0x80
    and byte [GDT_ADDR(SEL_DATA3) + 5], ~0x02
%rep 2
    mov [R_UESP], esp               ; a same-ring fault resumes with
    FAULT_BEGIN_NOEIP 13, SEL_DATA3 & 0xFFFC
    call iret_user
    FAULT_END
    mov esp, [R_UESP]               ; the frame still pushed
%endrep
    or byte [GDT_ADDR(SEL_DATA3) + 5], 0x02
    mov eax, user_ok2
    mov ebx, 0x200
    call run_ring3
    ASSERT_EQ [R_DONE], 6, "ring-3 part 6 completed"
    ret

; IRETD to user_nullds in ring 3 (case 9: it faults in ring 0).
iret_user:
    push dword SEL_DATA3
    push dword STACK3_TOP
    push dword 0x202
    push dword SEL_CODE3
    push dword user_nullds
    iretd

; IRET to user_nullds in ring 3 with DS..GS = SEL_DATA0 (nulled by it);
; the load there must raise #GP(0), which resumes here in ring 0.
iret_nullds:
    mov [TSS_BASE + 4], esp
    FAULT_BEGIN_NOEIP 13, 0
    push dword SEL_DATA3
    push dword STACK3_TOP
    push dword 0x202
    push dword SEL_CODE3
    push dword user_nullds
    iretd
    FAULT_END
    ret

; As run_ring3, with CS = the conforming segment (RPL 3); the ring-3 code
; comes back with RING0, which returns from here.
iret_conf:
    mov [v_r0_esp], esp
    mov [TSS_BASE + 4], esp
    push dword SEL_DATA3
    push dword STACK3_TOP
    push dword 0x202
    push dword S_CONF | 3
    push dword user_conf
    mov cx, SEL_DATA3
    mov ds, cx
    mov es, cx
    iretd

; Records the frame and its own state, for every gate above. Runs at
; ring 0 or 1 (or 3 through the conforming gate, where the frame has no
; ESP/SS and the last two reads see the ring-3 stack).
handler:
    push eax
    mov eax, [esp + 4]
    mov [R_EIP], eax
    mov eax, [esp + 8]
    mov [R_CS], eax
    mov eax, [esp + 12]
    mov [R_FL], eax
    mov eax, [esp + 16]
    mov [R_ESP], eax
    mov eax, [esp + 20]
    mov [R_SS], eax
    lea eax, [esp + 4]
    mov [R_KESP], eax
    pushfd
    pop eax
    and eax, 0x200
    mov [R_HFL], eax
    mov eax, cs
    mov [R_HCS], eax
    mov eax, ss
    mov [R_HSS], eax
    pop eax
    iretd

; Gate 0x64's handler while case 9 moves its offset (CS = S_CODEB).
handler2:
    mov dword [R_DONE], 0x64
    iretd

; ------------------------------------------------------------ ring 3

; CASE vec, handler CS, handler SS, handler IF, expected handler ESP (in
; ebx), outer (1: frame has ESP/SS). Three runs each.
%macro CASE1 5
    pushfd
    pop dword [R_UFL]
    mov [R_UESP], esp
    int %1
%%ret:
    pushfd
    pop dword [R_AFL]
    ASSERT_EQ [R_EIP], %%ret, "frame EIP"
    ASSERT_EQ [R_CS], SEL_CODE3, "frame CS"
    mov eax, [R_UFL]
    ASSERT_EQ [R_FL], eax, "frame EFLAGS"
%if %5
    mov eax, [R_UESP]
    ASSERT_EQ [R_ESP], eax, "frame ESP"
    ASSERT_EQ [R_SS], SEL_DATA3, "frame SS"
%endif
    ASSERT_EQ [R_HCS], %2, "handler CS"
    ASSERT_EQ [R_HSS], %3, "handler SS"
    ASSERT_EQ [R_HFL], %4, "handler IF"
    ASSERT_EQ [R_KESP], ebx, "handler ESP"
    mov eax, [R_UFL]
    ASSERT_EQ [R_AFL], eax, "EFLAGS after IRET"
    mov eax, ss
    ASSERT_EQ eax, SEL_DATA3, "SS after IRET"
    mov eax, ds
    ASSERT_EQ eax, SEL_DATA3, "DS after IRET"
%endmacro
%macro CASE 5
%rep 3
    CASE1 %1, %2, %3, %4, %5
%endrep
%endmacro

user_ok:
    ; 1. ring 0, interrupt and trap gate (TSS.ESP0 = run_ring3's ESP)
    mov ebx, [TSS_BASE + 4]
    sub ebx, 20
    CASE 0x60, SEL_CODE0, SEL_DATA0, 0, 1
    CASE 0x61, SEL_CODE0, SEL_DATA0, 0x200, 1
    ; 2. ring 1
    mov ebx, STACK1_TOP - 20
    CASE 0x62, SEL_CODE1, SEL_DATA1, 0, 1
    ; 3. handler CS with a base
    mov ebx, [TSS_BASE + 4]
    sub ebx, 20
    CASE 0x64, S_CODEB, SEL_DATA0, 0, 1
    ; 4. conforming handler: same privilege, on this stack
    mov ebx, esp
    sub ebx, 12
    CASE 0x63, S_CONF | 3, SEL_DATA3, 0, 0
    mov dword [R_DONE], 1
    RING0

user_ss1b:
    mov ebx, 0x8000 - 20
    CASE 0x62, SEL_CODE1, S_SS1B, 0, 1
    ASSERT_EQ [0x28000 - 4], SEL_DATA3, "SS pushed at SS1 base + ESP1 - 4"
    mov dword [R_DONE], 2
    RING0

user_ssnp:
%rep 2
%ifdef QEMU
    FAULT_BEGIN 10, S_SS1NP & 0xFFFC ; QEMU's TCG raises #TS here
%else
    FAULT_BEGIN 12, S_SS1NP & 0xFFFC ; SDM vol. 2 INT n: #SS(SS selector)
%endif
    int 0x62
    FAULT_END
%endrep
    mov dword [R_DONE], 3
    RING0

user_pf:
%rep 2
    mov dword [TSS_BASE + 12], PF_HI
    FAULT_BEGIN 14, 2
    int 0x62
    FAULT_END
    ASSERT_EQ [v_cr2], PF_HI - 4, "CR2: first push (SS) on a not-present page"
    mov dword [TSS_BASE + 12], PF_HI + 0x1008
    FAULT_BEGIN 14, 2
    int 0x62
    FAULT_END
    ASSERT_EQ [v_cr2], PF_HI + 0xFFC, "CR2: EFLAGS push below the page"
    ; the ring-1 stack back on a present page: delivery works again
    mov dword [TSS_BASE + 12], PF_HI + 0x2000
    mov ebx, PF_HI + 0x2000 - 20
    CASE 0x62, SEL_CODE1, SEL_DATA1, 0, 1
%endrep
    mov dword [R_DONE], 4
    RING0

user_cache:
    mov ebx, [TSS_BASE + 4]
    sub ebx, 20
    CASE 0x64, S_CODEB, SEL_DATA0, 0, 1
    ; the gate's DPL 0 (paging is off: ring 3 can write the tables)
    and byte [IDT_ADDR(0x64) + 5], ~0x60
%rep 2
    FAULT_BEGIN 13, 0x64 * 8 + 2
    int 0x64
    FAULT_END
%endrep
    or byte [IDT_ADDR(0x64) + 5], 0x60
    CASE 0x64, S_CODEB, SEL_DATA0, 0, 1
    ; its code segment not present
    and byte [GDT_ADDR(S_CODEB) + 5], ~0x80
%rep 2
    FAULT_BEGIN 11, S_CODEB
    int 0x64
    FAULT_END
%endrep
    or byte [GDT_ADDR(S_CODEB) + 5], 0x80
    CASE 0x64, S_CODEB, SEL_DATA0, 0, 1
    ; the offset moved to handler2 (marks R_DONE)
    mov dword [R_DONE], 0
    mov eax, handler2 - CODEB
    call set_gate64
    int 0x64
    ASSERT_EQ [R_DONE], 0x64, "moved gate offset: handler2 ran"
    mov eax, handler - CODEB
    call set_gate64
    CASE 0x64, S_CODEB, SEL_DATA0, 0, 1
    ; an interrupt gate turned into a trap gate: IF stays set
    or byte [IDT_ADDR(0x64) + 5], 1
    CASE 0x64, S_CODEB, SEL_DATA0, 0x200, 1
    and byte [IDT_ADDR(0x64) + 5], ~1
    CASE 0x64, S_CODEB, SEL_DATA0, 0, 1
    mov dword [R_DONE], 5
    RING0

; Gate 0x64's offset := eax.
set_gate64:
    mov [IDT_ADDR(0x64)], ax
    shr eax, 16
    mov [IDT_ADDR(0x64) + 6], ax
    ret

user_ok2:
    mov dword [R_DONE], 6
    RING0

user_conf:
    mov eax, cs
    mov [R_XCS], eax
    RING0

user_nullds:
    mov eax, [ss:R_XCS]             ; the ring-3 TLB maps the page now
    mov eax, [ds:R_XCS]             ; #GP(0) when DS is null
    mov eax, ds
    test eax, eax
    jnz .ok                         ; from run_ring3: DS usable
    ud2                             ; DS null and no fault: wrong
.ok:
    RING0
