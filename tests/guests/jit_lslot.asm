; jit_lslot.asm — self-loops with several memory accesses: in the
; translation tier each access keeps a copy of the TLB entry it hit in a
; slot of its own (docs/JIT.md "TLB slots"), valid while the loop runs.
; Each loop runs long enough to be chained to its own entry; the results
; are compared with loops closed by LOOP (never slot loops).
;   1. a table lookup (byte load, then a dword load indexed by it) over
;      source bytes on 5 pages, some mapped to distant physical pages
;   2. the table's page remapped (PTE + INVLPG) between two runs: the
;      second run must read the new page
;   3. dword loads stepping by one byte across a page end (the next page
;      mapped elsewhere): the loads that straddle it must not be served by
;      the slot of the first page (loop.c E1 form: compare with an imm)
;   4. a not-present source page in the middle of a running lookup: #PF
;      at the byte load with CR2, EIP, the loop registers and the sum so
;      far exact; resumed after mapping the page
;   5. a byte copy whose destination page turns read-only (CR0.WP) after
;      warm runs: #PF (present, write) at the store, exact registers
;   6. the same copy writing over translated code in RAM: the new code
;      runs when called next
%include "lib/x86bt.inc"
%include "lib/paging.inc"

TBL     equ 0x23F000            ; 256 dwords: tbl[i] = i * 3 + 1
TBL2P   equ 0x330000            ; physical page of the second table (i * 5 + 7)
SRC     equ 0x241000 - 5        ; source bytes on pages 0x240000 .. 0x243000
SRCN    equ 3 * 4096 + 11
SRCEND  equ SRC + SRCN
HOLE    equ 0x242000            ; not present in case 4
XSRC    equ 0x245000 - 12       ; case 3: dwords from here, byte steps
XSTOP    equ 0x245000 + 8
XDST    equ 0x246000
DBUF    equ 0x250000            ; case 5: 3 pages
DRO     equ DBUF + 0x1000       ; made read-only
SUM_ALL equ 0x28000             ; sums kept across the fault handler
SUM_NEW equ 0x28004
SUM_HOLE equ 0x28008
CODEPG  equ 0x260000            ; case 6: translated code in RAM

test_main:
    PUTS "jit_lslot: self-loops whose accesses keep TLB slots", 10
    cld
    call paging_build
    REMAP SRC & ~0xFFF, 0x320000
    REMAP 0x242000, 0x321000
    REMAP 0x245000, 0x322000
    ; tables: tbl at TBL (identity), tbl2 at physical TBL2P
    xor eax, eax
    mov edi, TBL
    mov ecx, 256
.t1:
    lea edx, [eax * 2 + eax + 1]
    mov [edi], edx
    add edi, 4
    inc eax
    loop .t1
    xor eax, eax
    mov edi, TBL2P
    mov ecx, 256
.t2:
    lea edx, [eax * 4 + eax + 7]
    mov [edi], edx
    add edi, 4
    inc eax
    loop .t2
    call paging_on
    ; source bytes (through the new mappings): byte i = i * 13 + 5
    mov edi, SRC
    mov ecx, SRCN
    mov al, 5
.fill:
    stosb
    add al, 13
    loop .fill

    ; 1. table lookup
    mov esi, SRC
    mov ecx, SRCN
    call ref_sum
    mov [SUM_ALL], ebx
    mov edi, 3
.c1:
    mov esi, SRC
    xor ebx, ebx
    call lookup_loop
    ASSERT_EQ ebx, [SUM_ALL], "case 1 lookup sum"
    ASSERT_EQ esi, SRCEND, "case 1 loop register"
    dec edi
    jnz .c1

    ; 2. remap the table's page, then run the (chained) loop again
    REMAP TBL, TBL2P
    invlpg [TBL]
    mov esi, SRC
    xor ebx, ebx
    call lookup_loop
    mov [SUM_NEW], ebx
    mov esi, SRC
    mov ecx, SRCN
    call ref_sum
    ASSERT_EQ ebx, [SUM_NEW], "case 2 sum after the remap"
    cmp ebx, [SUM_ALL]
    jne .c2ok
    FAIL "case 2 the remapped table gave the old sum"
.c2ok:
    REMAP TBL, TBL
    invlpg [TBL]

    ; 3. straddling dword loads (source bytes: byte i = i * 29 + 3)
    mov edi, XSRC
    mov ecx, XSTOP + 4 - XSRC
    mov al, 3
.fill3:
    stosb
    add al, 29
    loop .fill3
    mov edx, 3
.c3:
    mov edi, XDST
    xor eax, eax
    mov ecx, 64
    rep stosd
    mov esi, XSRC
    mov edi, XDST
    call cross_loop
    ASSERT_EQ esi, XSTOP, "case 3 loop register"
    mov esi, XSRC              ; check: the same dwords, loaded by LODSD
    mov edi, XDST
    mov ecx, XSTOP - XSRC
.chk3:
    mov eax, [esi]
    cmp eax, [edi]
    jne .bad3
    inc esi
    add edi, 4
    loop .chk3
    dec edx
    jnz .c3
    jmp .case4
.bad3:
    sub esi, XSRC
    FAIL "case 3 dword at a wrong offset"

.case4:
    ; 4. #PF in the middle of the lookup
    mov eax, HOLE
    call pte_of
    and dword [eax], ~PTE_P
    invlpg [HOLE]
    mov esi, SRC
    mov ecx, HOLE - SRC
    call ref_sum
    mov [SUM_HOLE], ebx
    mov esi, SRC
    xor ebx, ebx
    FAULT_BEGIN_NOEIP 14, 0
    call lookup_loop
    FAULT_END
    ASSERT_EQ [v_eip], lookup_loop, "case 4 eip at the byte load"
    ASSERT_EQ [v_cr2], HOLE, "case 4 cr2"
    ASSERT_EQ esi, HOLE, "case 4 loop register"
    ASSERT_EQ ebx, [SUM_HOLE], "case 4 sum so far"
    mov eax, HOLE
    call pte_of
    or dword [eax], PTE_P
    invlpg [HOLE]
    mov esi, HOLE
    call lookup_loop           ; resume at the byte load
    ASSERT_EQ ebx, [SUM_ALL], "case 4 resumed"

    ; 5. the copy's destination turns read-only
    mov eax, cr0
    or eax, 0x10000            ; CR0.WP: ring 0 honours read-only pages
    mov cr0, eax
    mov ebp, 2
.c5:
    mov esi, SRC
    mov edi, DBUF
    mov edx, DBUF + 3 * 4096
    call copy_loop
    dec ebp
    jnz .c5
    mov eax, DRO
    call pte_of
    and dword [eax], ~PTE_W
    invlpg [DRO]
    mov eax, [DRO]             ; the TLB holds the page for reads only
    mov esi, SRC
    mov edi, DBUF
    mov edx, DBUF + 3 * 4096
    FAULT_BEGIN_NOEIP 14, 3
    call copy_loop
    FAULT_END
    ASSERT_EQ [v_eip], copy_store, "case 5 eip at the store"
    ASSERT_EQ [v_cr2], DRO, "case 5 cr2"
    ASSERT_EQ edi, DRO, "case 5 destination register"
    ASSERT_EQ esi, SRC + 0x1000, "case 5 source register"
    mov eax, DRO
    call pte_of
    or dword [eax], PTE_W
    invlpg [DRO]

    ; 6. the copy writes new code over translated code
    COPY code_v1, code_v1_end, CODEPG
    call CODEPG
    ASSERT_EQ eax, 0x1111, "case 6 first version"
    call CODEPG
    mov esi, code_v2
    mov edi, CODEPG
    mov edx, CODEPG + (code_v2_end - code_v2)
    call copy_loop
    call CODEPG
    ASSERT_EQ eax, 0x2222, "case 6 code written by the loop"
    jmp pass

; ebx = sum of tbl[byte] over ecx source bytes from esi (LOOP: no slots).
ref_sum:
    push esi
    xor ebx, ebx
.next:
    movzx eax, byte [esi]
    add ebx, [eax * 4 + TBL]
    inc esi
    loop .next
    pop esi
    ret

; ebx += tbl[byte [esi]] for esi up to SRCEND.
lookup_loop:
    movzx eax, byte [esi]
    add ebx, [eax * 4 + TBL]
    add esi, 1
    cmp esi, SRCEND
    jne lookup_loop
    ret

; dword [edi] = dword [esi]; esi += 1, edi += 4, up to esi = XSTOP.
cross_loop:
    mov eax, [esi]
    mov [edi], eax
    add esi, 1
    add edi, 4
    cmp esi, XSTOP
    jne cross_loop
    ret

; byte [edi] = byte [esi]; both += 1, up to edi = edx.
copy_loop:
    mov al, [esi]
copy_store:
    mov [edi], al
    add esi, 1
    add edi, 1
    cmp edi, edx
    jne copy_loop
    ret

code_v1:
    mov eax, 0x1111
    ret
code_v1_end:
code_v2:
    mov eax, 0x2222
    ret
code_v2_end:
