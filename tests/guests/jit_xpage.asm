; jit_xpage.asm — control transfers to another guest page under paging:
; the translation tier chains them through a guard on the target page's
; TLB entry (docs/JIT.md "Lookup and chaining"), which must never outlive
; the mapping it was made under. Each case runs its code often enough to
; be chained, changes the mapping of the target page, and runs it again.
;   1. CALL rel32 and a taken JNE rel32 to another page; the target page
;      remapped (PTE + INVLPG) to a page with other code, and back by a
;      CR3 reload
;   2. the same from ring 3 (the CPL 3 TLB)
;   3. a store into the (chained) target page's code
;   4. a block falling through from the end of its page into the next
;      page, which is remapped
;   5. an instruction straddling a page boundary whose second page is
;      remapped (SDM vol. 3 section 4.10.4.1: the changed PTE is used
;      after INVLPG)
%include "lib/x86bt.inc"
%include "lib/paging.inc"

CLIN    equ 0x50000          ; caller (identity-mapped)
P1      equ 0x52000          ; mov eax, 1; ret
P2      equ 0x53000          ; mov eax, 2; ret
XLIN    equ 0x54000          ; linear page mapped to P1 or P2
FLIN    equ 0x55FF8          ; falls through into the page FNEXT
FNEXT   equ 0x56000          ; linear page mapped to itself or P3
P3      equ 0x57000
SLIN    equ 0x58FFE          ; mov eax, imm32 straddling into SNEXT
SNEXT   equ 0x59000          ; linear page mapped to itself or P4
P4      equ 0x5A000
LOOPS   equ 20

; Map linear page %1 to physical page %2 and invalidate its TLB entry.
%macro REMAP 2
    mov eax, %1
    call pte_of
    mov dword [eax], %2 | PTE_P | PTE_W | PTE_U
    invlpg [%1]
%endmacro

test_main:
    PUTS "jit_xpage: cross-page chains under paging", 10
    cld
    call paging_build
    call paging_on
    COPY tc, tc_end, CLIN
    COPY t1, t1_end, P1
    COPY t2, t2_end, P2
    ; 1. CALL and JNE into XLIN, remapped by INVLPG and by a CR3 reload
    REMAP XLIN, P1
    call CLIN
    ASSERT_EQ eax, 2 * LOOPS, "case 1 P1"
    REMAP XLIN, P2
    call CLIN
    ASSERT_EQ eax, 4 * LOOPS, "case 1 remapped by invlpg"
    mov eax, XLIN
    call pte_of
    mov dword [eax], P1 | PTE_P | PTE_W | PTE_U
    mov eax, cr3
    mov cr3, eax
    call CLIN
    ASSERT_EQ eax, 2 * LOOPS, "case 1 remapped by cr3 reload"
    ; 2. the same at CPL 3
    mov eax, user
    xor ebx, ebx
    call run_ring3
    ASSERT_EQ [v_tmp], 2 * LOOPS, "case 2 ring 3 P1"
    REMAP XLIN, P2
    mov eax, user
    xor ebx, ebx
    call run_ring3
    ASSERT_EQ [v_tmp], 4 * LOOPS, "case 2 ring 3 remapped"
    ; 3. store into the chained target's code (through the identity map)
    mov byte [P2 + (t2_imm - t2) + 1], 3
    call CLIN
    ASSERT_EQ eax, 6 * LOOPS, "case 3 target patched"
    ; 4. fall-through from the end of a page into a remapped page
    COPY tf, tf_end, FLIN
    COPY tn, tn_end, FNEXT
    COPY t3, t3_end, P3
    call run_tf
    ASSERT_EQ eax, 7 * LOOPS, "case 4 fall-through"
    REMAP FNEXT, P3
    call run_tf
    ASSERT_EQ eax, 8 * LOOPS, "case 4 next page remapped"
    REMAP FNEXT, FNEXT
    call run_tf
    ASSERT_EQ eax, 7 * LOOPS, "case 4 mapped back"
    ; 5. a straddling instruction whose second page is remapped
    COPY ts, ts_end, SLIN
    mov eax, [SNEXT]           ; 22 33 44 C3
    mov [P4], eax
    mov byte [P4], 0x77        ; the immediate's 2nd byte, on page 2
    call run_ts
    ASSERT_EQ eax, (LOOPS * 0x44332211) & 0xFFFFFFFF, "case 5 straddle"
    REMAP SNEXT, P4
    call run_ts
    ASSERT_EQ eax, (LOOPS * 0x44337711) & 0xFFFFFFFF, "case 5 second page remapped"
    REMAP SNEXT, SNEXT
    ret

user:
    call CLIN
    mov [v_tmp], eax
    RING0

; Sum of LOOPS calls of the fall-through function at FLIN.
run_tf:
    xor edx, edx
    mov ecx, LOOPS
.l: push ecx
    push edx
    mov eax, FLIN
    call eax
    pop edx
    pop ecx
    add edx, eax
    loop .l
    mov eax, edx
    ret

run_ts:
    xor edx, edx
    mov ecx, LOOPS
.l: push ecx
    push edx
    mov eax, SLIN
    call eax
    pop edx
    pop ecx
    add edx, eax
    loop .l
    mov eax, edx
    ret

; Copied to CLIN: LOOPS times CALL XLIN and JNE XLIN (with a pushed
; return address); returns the sum of what they returned.
tc:
    xor edx, edx
    mov ecx, LOOPS
.l:
    db 0xE8                    ; call XLIN
    dd XLIN - (CLIN + ($ + 4 - tc))
    add edx, eax
    push dword CLIN + (.back - tc)
    cmp ecx, 0
    db 0x0F, 0x85              ; jne XLIN (always taken)
    dd XLIN - (CLIN + ($ + 4 - tc))
.back:
    add edx, eax
    dec ecx
    jnz .l
    mov eax, edx
    ret
tc_end:

t1:
    mov eax, 1
    ret
t1_end:
t2:
t2_imm:
    mov eax, 2
    ret
t2_end:

; Copied to FLIN (8 bytes before the page end): no branch before the end.
tf:
    mov eax, 7                 ; 5 bytes
    nop
    nop
    nop                        ; the page ends here: fall through
tf_end:
tn:
    ret
tn_end:
t3:
    inc eax
    ret
t3_end:

; Copied to SLIN (2 bytes before the page end): B8 11 | 22 33 44 C3.
ts:
    mov eax, 0x44332211
    ret
ts_end:
