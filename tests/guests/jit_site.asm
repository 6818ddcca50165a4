; jit_site.asm — site copies of TLB entries (docs/JIT.md "Site copies"):
; outside self-loops, each memory access of translated code keeps the
; last TLB entry it used, tagged with a generation that every event
; removing or narrowing a translation advances. Each case runs an access
; in a block of its own (a called function) until it is translated and
; its copy filled, changes the mapping, and runs the same block again:
;   1. PTE remapped + INVLPG: the load reads the new frame
;   2. PTE remapped + CR3 reload: the same
;   3. a store whose page then holds translated code: the next store
;      through the same copy must reach the SMC hook (the patched
;      function runs its new code)
;   4. the store's page made read-only + INVLPG (CR0.WP): #PF at the
;      store, error code 3 (present, write)
;   5. a dword load whose copy holds its page, then at the page's last
;      two bytes (the next page mapped elsewhere): the straddling load
;      must not be served by the copy
%include "lib/x86bt.inc"
%include "lib/paging.inc"

PG_A    equ 0x240000            ; linear page remapped in cases 1, 2
FR_A1   equ 0x320000            ; its frames (dword 0 = 0x1111 / 0x2222)
FR_A2   equ 0x321000
PG_C    equ 0x250000            ; case 3: data, then code
PG_W    equ 0x260000            ; case 4
PG_X    equ 0x270000            ; case 5: the next page is elsewhere
FR_X2   equ 0x322000

test_main:
    PUTS "jit_site: per-site TLB copies and their generation", 10
    cld
    call paging_build
    mov dword [FR_A1], 0x1111
    mov dword [FR_A2], 0x2222
    REMAP PG_A, FR_A1
    REMAP PG_X + 0x1000, FR_X2
    mov dword [PG_X + 0xFFC], 0x44332211
    mov dword [FR_X2], 0x88776655
    mov dword [PG_X + 0x1000], 0xEEEEEEEE ; the identity frame: wrong
    call paging_on

    ; 1. INVLPG
    mov ecx, 3
.w1:
    call load_a
    ASSERT_EQ eax, 0x1111, "case 1 before the remap"
    loop .w1
    REMAP PG_A, FR_A2
    invlpg [PG_A]
    call load_a
    ASSERT_EQ eax, 0x2222, "case 1 after INVLPG"

    ; 2. CR3 reload (after runs that refill the copy from the new entry)
    mov ecx, 2
.w2:
    call load_a
    ASSERT_EQ eax, 0x2222, "case 2 before the remap"
    loop .w2
    REMAP PG_A, FR_A1
    mov eax, cr3
    mov cr3, eax
    call load_a
    ASSERT_EQ eax, 0x1111, "case 2 after the CR3 reload"

    ; 3. stores into a page that then holds translated code
    mov ecx, 3
.w3:
    mov esi, code_v1
    call put_code               ; data stores, copy filled
    loop .w3
    call PG_C                   ; translated: the page is code now
    ASSERT_EQ eax, 0x1111, "case 3 first version"
    call PG_C
    mov esi, code_v2
    call put_code               ; the same stores, now SMC
    call PG_C
    ASSERT_EQ eax, 0x2222, "case 3 code patched through the copy"

    ; 4. the store's page turns read-only
    mov eax, cr0
    or eax, 0x10000             ; CR0.WP
    mov cr0, eax
    mov ecx, 3
.w4:
    mov eax, ecx
    call store_w
    loop .w4
    ASSERT_EQ [PG_W + 0x20], 1, "case 4 warm stores"
    mov eax, PG_W
    call pte_of
    and dword [eax], ~PTE_W
    invlpg [PG_W]
    mov eax, [PG_W + 0x20]      ; a read entry for the page
    mov eax, 7
    FAULT_BEGIN_NOEIP 14, 3
    call store_w
    FAULT_END
    ASSERT_EQ [v_eip], store_w, "case 4 eip at the store"
    ASSERT_EQ [v_cr2], PG_W + 0x20, "case 4 cr2"
    ASSERT_EQ [PG_W + 0x20], 1, "case 4 memory unchanged"
    mov eax, PG_W
    call pte_of
    or dword [eax], PTE_W
    invlpg [PG_W]

    ; 5. a straddling load after aligned ones on the same page
    mov ecx, 3
.w5:
    mov esi, PG_X + 0x10
    call load_x
    loop .w5
    mov esi, PG_X + 0xFFE
    call load_x
    ASSERT_EQ eax, 0x66554433, "case 5 straddling load"
    mov esi, PG_X + 0xFFC
    call load_x
    ASSERT_EQ eax, 0x44332211, "case 5 last dword of the page"
    jmp pass

load_a:
    mov eax, [PG_A]
    ret

; Copy the 6 bytes of code at esi to PG_C (one block: no loop).
put_code:
    mov eax, [esi]
    mov [PG_C], eax
    mov ax, [esi + 4]
    mov [PG_C + 4], ax
    ret

store_w:
    mov [PG_W + 0x20], eax
    ret

load_x:
    mov eax, [esi]
    ret

code_v1:
    mov eax, 0x1111
    ret
code_v2:
    mov eax, 0x2222
    ret
