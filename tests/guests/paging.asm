; paging.asm — 32-bit paging (SDM vol. 3 chapter 4.3, 4.7, 4.8): A/D bits
; set by the walker, #PF error codes (P, W/R, U/S) and CR2, CR0.WP, U/S and
; R/W at CPL 3, page-crossing faults, 4 MB pages (CR4.PSE), INVLPG and the
; CR3-reload flush, global pages (CR4.PGE) surviving INVLPG only when asked.
%include "lib/x86bt.inc"
%include "lib/paging.inc"

PAGE_A   equ 0x200000       ; test pages inside the identity map
PAGE_B   equ 0x201000
PAGE_NP  equ 0x202000       ; made not present
PAGE_RO  equ 0x203000       ; read-only user page
PAGE_SUP equ 0x204000       ; supervisor-only page
BIG_LIN  equ 0x1000000      ; 16 MB: a 4 MB page -> physical 0x800000

test_main:
    call paging_build
    mov eax, PAGE_NP
    call pte_of
    mov dword [eax], 0
    mov eax, PAGE_RO
    call pte_of
    and dword [eax], ~PTE_W
    mov eax, PAGE_SUP
    call pte_of
    and dword [eax], ~PTE_U
    call paging_on

    ; A and D: a read sets A only, a write sets D.
    mov eax, PAGE_A
    call pte_of
    mov esi, eax
    mov ebx, [PAGE_A]
    mov eax, [esi]
    and eax, PTE_A | PTE_D
    ASSERT_EQ eax, PTE_A, "read sets A, not D"
    mov dword [PAGE_A], 5
    mov eax, [esi]
    and eax, PTE_A | PTE_D
    ASSERT_EQ eax, PTE_A | PTE_D, "write sets D"
    mov eax, [PG_PD + (PAGE_A >> 22) * 4]
    and eax, PTE_A
    ASSERT_EQ eax, PTE_A, "PDE accessed"

    ; Not present: read err=0, write err=2, CR2 = address.
    FAULT_BEGIN 14, 0
    mov eax, [PAGE_NP + 0x10]
    FAULT_END
    ASSERT_EQ [v_cr2], PAGE_NP + 0x10, "cr2 read"
    FAULT_BEGIN 14, 2
    mov dword [PAGE_NP + 0x24], 1
    FAULT_END
    ASSERT_EQ [v_cr2], PAGE_NP + 0x24, "cr2 write"
    ; A dword crossing into the missing page: CR2 = first missing byte.
    FAULT_BEGIN 14, 0
    mov eax, [PAGE_NP - 2]
    FAULT_END
    ASSERT_EQ [v_cr2], PAGE_NP, "cr2 page crossing"
    ; Instruction fetch from a missing page (no I/D bit without NX).
    FAULT_BEGIN_NOEIP 14, 0
    call PAGE_NP
    FAULT_END
    add esp, 4                  ; the CALL pushed before the fetch faulted
    ASSERT_EQ [v_eip], PAGE_NP, "fetch fault eip"

    ; CR0.WP=0: ring 0 writes to read-only pages; WP=1: #PF err=3.
    mov dword [PAGE_RO], 1
    mov eax, cr0
    or eax, 0x10000
    mov cr0, eax
    FAULT_BEGIN 14, 3
    mov dword [PAGE_RO], 2
    FAULT_END
    ASSERT_EQ [v_cr2], PAGE_RO, "cr2 wp"
    mov eax, cr0
    and eax, ~0x10000
    mov cr0, eax

    ; CPL 3: supervisor page -> err 5 (read) / 7 (write); read-only -> 7.
    mov eax, user
    xor ebx, ebx
    call run_ring3
    ASSERT_EQ [v_tmp], 3, "ring-3 checks done"

    call tlb_checks
    call pse_checks
    ret

user:
    FAULT_BEGIN 14, 5
    mov eax, [PAGE_SUP]
    FAULT_END
    FAULT_BEGIN 14, 7
    mov dword [PAGE_SUP], 1
    FAULT_END
    mov eax, [PAGE_RO]
    FAULT_BEGIN 14, 7
    mov dword [PAGE_RO], 1
    FAULT_END
    FAULT_BEGIN 14, 6
    mov dword [PAGE_NP], 1
    FAULT_END
    ASSERT_EQ [v_cr2], PAGE_NP, "cr2 user"
    mov dword [v_tmp], 3
    RING0

; Remapping: a changed PTE is seen after INVLPG or a CR3 reload.
tlb_checks:
    mov dword [PAGE_A], 0xAAAA
    mov dword [PAGE_B], 0xBBBB
    mov eax, PAGE_A
    call pte_of
    mov esi, eax
    mov eax, [PAGE_A]           ; cache the translation
    mov dword [esi], PAGE_B | PTE_P | PTE_W | PTE_U
    invlpg [PAGE_A]
    ASSERT_EQ [PAGE_A], 0xBBBB, "invlpg"
    mov dword [esi], PAGE_A | PTE_P | PTE_W | PTE_U
    mov eax, cr3
    mov cr3, eax
    ASSERT_EQ [PAGE_A], 0xAAAA, "cr3 reload flush"
    ; Global page: INVLPG still removes it.
    mov eax, cr4
    or eax, 0x80
    mov cr4, eax
    mov dword [esi], PAGE_A | PTE_P | PTE_W | PTE_U | PTE_G
    invlpg [PAGE_A]
    mov eax, [PAGE_A]
    mov dword [esi], PAGE_B | PTE_P | PTE_W | PTE_U | PTE_G
    invlpg [PAGE_A]
    ASSERT_EQ [PAGE_A], 0xBBBB, "invlpg of a global page"
    mov dword [esi], PAGE_A | PTE_P | PTE_W | PTE_U
    invlpg [PAGE_A]
    ; Toggling CR4.PGE flushes global entries too.
    mov eax, cr4
    and eax, ~0x80
    mov cr4, eax
    ASSERT_EQ [PAGE_A], 0xAAAA, "pge toggle flush"
    ret

; CR4.PSE: a 4 MB page at 16 MB -> physical 8 MB; its PDE gets A and D.
pse_checks:
    mov dword [0x800010], 0x12345678
    mov eax, cr4
    or eax, 0x10
    mov cr4, eax
    mov dword [PG_PD + (BIG_LIN >> 22) * 4], 0x800000 | PTE_P | PTE_W | PTE_PS
    ASSERT_EQ [BIG_LIN + 0x10], 0x12345678, "4 MB page read"
    mov eax, [PG_PD + (BIG_LIN >> 22) * 4]
    and eax, PTE_A | PTE_D
    ASSERT_EQ eax, PTE_A, "4 MB PDE accessed"
    mov dword [BIG_LIN + 0x3FFFFC], 0x55
    ASSERT_EQ [0xBFFFFC], 0x55, "4 MB page write at its end"
    mov eax, [PG_PD + (BIG_LIN >> 22) * 4]
    and eax, PTE_A | PTE_D
    ASSERT_EQ eax, PTE_A | PTE_D, "4 MB PDE dirty"
    ; Supervisor-only 4 MB page from ring 3: #PF err=5.
    mov eax, user_big
    xor ebx, ebx
    call run_ring3
    call paging_off
    ret

user_big:
    FAULT_BEGIN 14, 5
    mov eax, [BIG_LIN]
    FAULT_END
    RING0
