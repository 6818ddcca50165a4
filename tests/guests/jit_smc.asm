; jit_smc.asm — self-modifying code and precise faults, the cases a
; translator gets wrong (SDM vol. 3 section 11.6: a store to code that is
; already fetched must be seen by the next execution of that code). Run by
; run.sh in both tiers; each case returns a value through EAX.
;   1. code patched from another block, run again
;   2. a store into the block being executed, to a later instruction
;   3. an instruction straddling a page boundary, patched on its 2nd page
;   4. REP MOVSD copying new code over a function
;   5. a loop rewriting its own immediate every iteration
;   6. precise #GP in the middle of a block: the saved EIP is the faulting
;      instruction's, earlier results are visible, later ones not executed
;      (flags at the fault are compared by tests/unit/translator/jit_diff)
%include "lib/x86bt.inc"

CODE    equ 0x40000          ; RAM copy of the templates
XPAGE   equ 0x42000          ; page boundary for the straddling case
S_LIM   equ GDT_FREE         ; data segment, limit 0xFFF

test_main:
    PUTS "jit_smc: self-modifying code, precise faults", 10
    cld
    ; 1. patched from outside
    COPY t1, t1_end, CODE
    mov eax, CODE
    call eax
    ASSERT_EQ eax, 0x11, "case 1 first run"
    mov dword [CODE + (t1_imm - t1) + 1], 0x22
    mov eax, CODE
    call eax
    ASSERT_EQ eax, 0x22, "case 1 after patch"
    ; 2. store into the running block, to a later instruction
    COPY t2, t2_end, CODE + 0x100
    mov eax, CODE + 0x100
    call eax
    ASSERT_EQ eax, 0x55, "case 2 same-block store"
    mov eax, CODE + 0x100      ; and again: the retranslated block
    call eax
    ASSERT_EQ eax, 0x55, "case 2 second run"
    ; 3. straddling instruction: B8 at XPAGE-2, imm32 across the page
    COPY t3, t3_end, XPAGE - 2
    mov eax, XPAGE - 2
    call eax
    ASSERT_EQ eax, 0x44332211, "case 3 first run"
    mov byte [XPAGE + 2], 0x99
    mov eax, XPAGE - 2
    call eax
    ASSERT_EQ eax, 0x99332211, "case 3 patched on page 2"
    ; 4. REP MOVSD over a function that has run
    COPY t4a, t4a_end, CODE + 0x200
    mov eax, CODE + 0x200
    call eax
    ASSERT_EQ eax, 0xA, "case 4 before"
    mov esi, t4b
    mov edi, CODE + 0x200
    mov ecx, (t4b_end - t4b + 3) / 4
    rep movsd
    mov eax, CODE + 0x200
    call eax
    ASSERT_EQ eax, 0xB, "case 4 after rep movsd"
    ; 5. a loop rewriting its own ADD immediate
    COPY t5, t5_end, CODE + 0x300
    mov eax, CODE + 0x300
    call eax
    ASSERT_EQ eax, 10, "case 5 self-rewriting loop"   ; 0+1+2+3+4
    ; 6. precise #GP(0) at the 4th instruction of a block
    GDT_SET S_LIM, 0x20000, 0xFFF, ACC_DATA, FL_DB
    mov ax, S_LIM
    mov fs, ax
    mov esi, 0x1234
    mov eax, 1
    mov ecx, 0xFFFFFFFF
    add eax, ecx               ; eax = 0, ZF = 1, CF = 1
    FAULT_BEGIN 13, 0
    mov edx, [fs:0x2000]       ; beyond the limit
    mov esi, 0xDEAD            ; must not run
    FAULT_END
    ASSERT_EQ eax, 0, "case 6 eax"
    ASSERT_EQ esi, 0x1234, "case 6 later instruction not executed"
    mov ax, SEL_DATA0
    mov fs, ax
    ret

t1:
t1_imm:
    mov eax, 0x11
    ret
t1_end:

t2:
    mov dword [CODE + 0x100 + (t2_imm - t2) + 1], 0x55
    nop
t2_imm:
    mov eax, 0x33
    ret
t2_end:

t3:
    mov eax, 0x44332211        ; 5 bytes: starts 2 bytes before XPAGE
    ret
t3_end:

t4a:
    mov eax, 0xA
    ret
t4a_end:
t4b:
    mov eax, 0xB
    ret
    nop
    nop
t4b_end:

t5:
    xor eax, eax
    xor ecx, ecx
t5_loop:
t5_add:
    add eax, 0                 ; 83 C0 ib: the immediate is rewritten
    inc ecx
    mov [CODE + 0x300 + (t5_add - t5) + 2], cl
    cmp ecx, 5
    jne t5_loop
    ret
t5_end:
