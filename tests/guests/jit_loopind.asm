; jit_loopind.asm — self-loops whose one memory access is [r + disp] with
; r stepped by one ADD: the translation tier checks r against a bound on
; the page (docs/JIT.md "Self-loops") instead of probing the TLB at every
; iteration. Each loop runs long enough to be chained to its second
; entry; an independent checker (LODSB/LOOP, no self-loop form) verifies
; every byte.
;   1. byte stores, register step 3, across 5 pages
;   2. dword loads, immediate step 4, from an offset of 2 (every page
;      boundary splits one dword)
;   3. register steps of 4096 and -3 (no bound is kept)
;   4. a not-present page in the middle of a running loop: #PF at the
;      store with CR2, the loop register and the flags of the previous
;      compare exact; resumed after mapping the page
;   Some buffer pages are mapped to distant physical pages, so that an
;   access beyond its page's bound would miss its target.
;   5. r wrapping past 4 GB (lin = r + disp stays in RAM): no bound that
;      r could pass by wrapping
%include "lib/x86bt.inc"
%include "lib/paging.inc"

BUF     equ 0x200000
N1      equ 5 * 4096 - 7
BUF2    equ 0x210000
N2      equ 4 * 4096
BUF3    equ 0x220000
NPAGE   equ BUF + 2 * 4096   ; made not present in case 4
BUF5    equ 0x230000

test_main:
    PUTS "jit_loopind: self-loops with an induction-variable access", 10
    cld
    call paging_build
    ; Some pages of the buffers elsewhere: a bound reaching past its page
    ; would touch the wrong physical page.
    REMAP BUF + 0x1000, 0x300000
    REMAP BUF + 0x3000, 0x301000
    REMAP BUF2 + 0x1000, 0x302000
    REMAP BUF2 + 0x2000, 0x303000
    REMAP BUF5 + 0x1000, 0x304000
    call paging_on
    ; 1. byte stores, step ecx = 3
    mov ebx, 3
.c1:
    call clear_buf
    mov eax, cr3               ; the loop's first access misses the TLB
    mov cr3, eax
    mov ecx, 3
    xor edx, edx
    call store_loop
    mov esi, BUF
    mov ecx, 3
    mov edx, N1
    call check_stride
    ASSERT_EQ eax, 0, "case 1 stride 3"
    dec ebx
    jnz .c1
    ; 2. dword loads from BUF2 + 2, step 4 (fill: byte i = i * 7)
    mov edi, BUF2
    xor eax, eax
    mov ecx, N2 + 8
.fill:
    stosb
    add al, 7
    loop .fill
    mov esi, BUF2 + 2          ; reference: LODSD
    mov ecx, N2 / 4
    xor ebx, ebx
.ref:
    lodsd
    add ebx, eax
    loop .ref
    mov [v_tmp], ebx
    mov ecx, 3
.c2:
    push ecx
    mov edx, 2
    xor ebx, ebx
    call load_loop
    ASSERT_EQ ebx, [v_tmp], "case 2 dword sum"
    pop ecx
    loop .c2
    ; 3. step 4096
    call clear_buf
    mov ecx, 4096
    mov edx, 5
    call store_loop
    mov esi, BUF
    mov ecx, 4096
    mov edx, N1
    mov eax, 5
    call check_stride_from
    ASSERT_EQ eax, 0, "case 3 stride 4096"
    ; 3b. step -3 (a register step beyond [1, 4095]: no bound is kept)
    call clear_buf
    mov ecx, -3
    mov edx, N1 - 1            ; 3 * 6824: down to 0, then wraps and ends
    call store_loop
    mov esi, BUF
    mov ecx, 3
    mov edx, N1
    call check_stride
    ASSERT_EQ eax, 0, "case 3b stride -3"
    ; 4. #PF at the store in the middle of the loop
    call clear_buf
    mov ecx, 3
    xor edx, edx
    call store_loop            ; chained, warm
    call clear_buf
    mov eax, NPAGE
    call pte_of
    and dword [eax], ~PTE_P
    invlpg [NPAGE]
    mov ecx, 3
    xor edx, edx
    FAULT_BEGIN_NOEIP 14, 2
    call store_loop
    FAULT_END
    ASSERT_EQ [v_eip], store_insn, "case 4 eip at the store"
    ASSERT_EQ [v_cr2], NPAGE + 1, "case 4 cr2"
    ASSERT_EQ edx, NPAGE + 1 - BUF, "case 4 loop register"
    mov eax, [v_eflags]
    and eax, 0x8C5             ; OF SF ZF PF CF of cmp edx, N1 (edx < N1)
    mov ecx, NPAGE + 1 - BUF   ; the last compare: r after the ADD
    cmp ecx, N1
    pushfd
    pop ecx
    and ecx, 0x8C5
    ASSERT_EQ eax, ecx, "case 4 flags of the previous compare"
    mov eax, NPAGE
    call pte_of
    or dword [eax], PTE_P
    invlpg [NPAGE]
    add esp, 4                 ; store_loop's return address
    mov ecx, 3
    call store_loop.resume     ; continue at the faulting store
    mov esi, BUF
    mov ecx, 3
    mov edx, N1
    call check_stride
    ASSERT_EQ eax, 0, "case 4 resumed"
    ; 5. r from -0x800 to 0x800 (step 8), lin = BUF5 + 0x1004 + r: from
    ;    r = -0x800 the page ends 4 bytes before r reaches 4 GB (a bound
    ;    there would let r = 0 pass, on the next page)
    mov edi, BUF5
    xor eax, eax
    mov ecx, 0x2000
    rep stosb
    mov ebx, 3
.c5:
    mov edx, -0x800
    mov ecx, 8
.l5:
    mov byte [edx + BUF5 + 0x1004], 0x77
    add edx, ecx
    cmp edx, 0x800
    jne .l5
    dec ebx
    jnz .c5
    mov esi, BUF5
    mov ecx, 8
    mov edx, 0x1804
    mov eax, 0x804
    call check_stride_from
    ASSERT_EQ eax, 0, "case 5 wrap"
    jmp pass

; Zero BUF .. BUF + 6 pages.
clear_buf:
    push ecx
    push edi
    xor eax, eax
    mov edi, BUF
    mov ecx, 6 * 4096
    rep stosb
    pop edi
    pop ecx
    ret

; BUF[edx] = 0x5A for edx = edx, edx + ecx, ... below N1.
store_loop:
.resume:
store_insn:
    mov byte [edx + BUF], 0x5A
    add edx, ecx
    cmp edx, N1
    jb store_insn
    ret

; ebx += dword [BUF2 + edx] for edx = edx, edx + 4, ... below N2 + 2.
load_loop:
    mov eax, [edx + BUF2]
    add ebx, eax
    add edx, 4
    cmp edx, N2 + 2
    jb load_loop
    ret

; eax = 0 if the bytes esi[0 .. edx + 16) are 0x5A (or 0x77) exactly at
; offsets from, from + ecx, ... below edx and 0 elsewhere; else the
; offset + 1 of the first wrong byte.
check_stride:
    xor eax, eax
check_stride_from:
    pushad
    mov ebp, eax               ; next expected offset
    mov ebx, esi
    lea ecx, [edx + 16]
    mov edi, [esp + 24]        ; the stride (saved ecx)
.next:
    mov eax, esi
    sub eax, ebx               ; offset of the byte lodsb reads
    mov dl, 0
    cmp eax, ebp
    jne .cmp
    cmp eax, [esp + 20]        ; below the limit (saved edx)?
    jae .cmp
    mov dl, 1
    add ebp, edi
.cmp:
    push eax
    lodsb
    test al, al
    setnz al
    cmp al, dl
    pop eax
    jne .bad
    loop .next
    popad
    xor eax, eax
    ret
.bad:
    inc eax
    mov [esp + 28], eax        ; popad's eax
    popad
    ret
