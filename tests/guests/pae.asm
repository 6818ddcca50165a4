; pae.asm — PAE paging (SDM vol. 3 section 4.4): 3-level tables with
; 8-byte entries, 4 KB and 2 MB pages, physical addresses above 4 GB are
; not needed here; A/D bits in 64-bit entries; reserved bits (above the
; 36-bit physical address width, XD without NXE) give #PF with RSVD (bit 3)
; set; not-present and U/S errors as in 32-bit paging.
%include "lib/x86bt.inc"

PDPT     equ 0x40000          ; 4 entries, 32-byte aligned
PD0      equ 0x41000          ; maps 0-1 GB
PT0      equ 0x42000          ; 4 KB pages for 0-2 MB
PT1      equ 0x43000          ; 4 KB pages for 2-4 MB (test pages)
TEST_4K  equ 0x200000         ; first page mapped through PT1
TEST_NP  equ 0x201000
TEST_RSV equ 0x202000
BIG_LIN  equ 0x800000         ; a 2 MB page -> physical 0xC00000
BIG_RSV  equ 0xA00000         ; a 2 MB page with a reserved bit

; RSVD faults also set P (SDM vol. 3 section 4.7: "bit 3 of the error code
; can be set only if bit 0 is also set"); QEMU 7.2 leaves P clear.
%ifdef QEMU
RSVD_P equ 8
%else
RSVD_P equ 9
%endif

test_main:
    ; Zero the tables.
    mov edi, PDPT
    mov ecx, 0x4000 / 4
    xor eax, eax
    rep stosd
    ; PDPT[0] -> PD0 (only P; other low bits reserved in PAE PDPTEs).
    mov dword [PDPT], PD0 | 1
    ; PD0[0] -> PT0, PD0[1] -> PT1, PD0[2..3] 2 MB pages 4-8 MB identity.
    mov dword [PD0 + 0 * 8], PT0 | 7
    mov dword [PD0 + 1 * 8], PT1 | 7
    mov dword [PD0 + 2 * 8], 0x400000 | 0x87
    mov dword [PD0 + 3 * 8], 0x600000 | 0x87
    mov dword [PD0 + (BIG_LIN >> 21) * 8], 0xC00000 | 0x83
    mov dword [PD0 + (BIG_RSV >> 21) * 8], 0xE00000 | 0x83
    mov dword [PD0 + (BIG_RSV >> 21) * 8 + 4], 0x10   ; bit 36: reserved
    ; PT0: identity 0-2 MB; PT1: identity 2-4 MB.
    mov edi, PT0
    mov eax, 7
    mov ecx, 1024
.fill:
    mov [edi], eax
    add eax, 0x1000
    add edi, 8
    loop .fill
    ; Test pages: one not present, one with a reserved bit (bit 40).
    mov dword [PT1 + ((TEST_NP >> 12) & 511) * 8], 0
    mov dword [PT1 + ((TEST_RSV >> 12) & 511) * 8 + 4], 0x100
    mov dword [0xC00010], 0xFACE
    ; CR4.PAE, CR3, CR0.PG.
    mov eax, cr4
    or eax, 0x20
    mov cr4, eax
    mov eax, PDPT
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    jmp .on
.on:
    ; A and D in an 8-byte PTE.
    mov eax, [TEST_4K]
    mov eax, [PT1 + ((TEST_4K >> 12) & 511) * 8]
    and eax, 0x60
    ASSERT_EQ eax, 0x20, "PAE PTE accessed"
    mov dword [TEST_4K], 1
    mov eax, [PT1 + ((TEST_4K >> 12) & 511) * 8]
    and eax, 0x60
    ASSERT_EQ eax, 0x60, "PAE PTE dirty"
    ; 2 MB page.
    ASSERT_EQ [BIG_LIN + 0x10], 0xFACE, "2 MB page"
    mov eax, [PD0 + (BIG_LIN >> 21) * 8]
    and eax, 0x20
    ASSERT_EQ eax, 0x20, "2 MB PDE accessed"
    ; Not present and reserved-bit faults.
    FAULT_BEGIN 14, 2
    mov dword [TEST_NP], 1
    FAULT_END
    ASSERT_EQ [v_cr2], TEST_NP, "cr2 not present"
    FAULT_BEGIN 14, RSVD_P
    mov eax, [TEST_RSV]
    FAULT_END
    ASSERT_EQ [v_cr2], TEST_RSV, "cr2 reserved"
    FAULT_BEGIN 14, RSVD_P | 2
    mov dword [BIG_RSV + 4], 1
    FAULT_END
    ; U/S: make the 2 MB page supervisor-only and read it from ring 3.
    and dword [PD0 + (BIG_LIN >> 21) * 8], ~4
    invlpg [BIG_LIN]
    mov eax, user
    xor ebx, ebx
    call run_ring3
    ASSERT_EQ [v_tmp], 0x600D, "ring-3 part ran"
    mov eax, cr0
    and eax, 0x7FFFFFFF
    mov cr0, eax
    ret

user:
    FAULT_BEGIN 14, 5
    mov eax, [BIG_LIN]
    FAULT_END
    mov dword [v_tmp], 0x600D
    RING0
