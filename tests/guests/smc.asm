; smc.asm — self-modifying code in RAM (SDM vol. 3 section 11.6: a write to
; code already fetched/translated takes effect for the next instruction).
; Modelled on SeaBIOS reloc_preinit(): a loop `add [base + off], delta`
; patches dwords of code that has already run, in the page that holds the
; running loop. Each patch must be applied exactly once: the translation
; tier once left such a loop at a stale EIP after the SMC invalidation and
; ran the `add` a second time (SeaBIOS then faulted in its relocated init).
; Also: REP MOVSD over translated code, a store into the next instruction
; of the same block, stores done by reference handlers (ADC, STOSD), and a
; CALL whose return-address push overwrites translated code (it once left
; the block at the return address instead of the call target).
%include "lib/x86bt.inc"

RAM_CODE equ 0x30000            ; one page of code, copied from `chunk`
TABLE    equ 0x32000            ; patch offsets (relative to RAM_CODE)
DELTA    equ 0x02F16A00
ORIG1    equ 0x000E9464
ORIG2    equ 0x12345678

%define R(l) (RAM_CODE + (l) - chunk)

test_main:
    PUTS "smc: copy code to RAM", 10
    cld
    mov esi, chunk
    mov edi, RAM_CODE
    mov ecx, chunk_end - chunk
    rep movsb

    ; run the victims once (they get translated), then patch them and
    ; the data dword with the reloc loop (handler-called CLD before the
    ; inline ADD that writes to translated code)
    call R(victim1)
    ASSERT_EQ eax, ORIG1, "victim1 before"
    call R(victim2)
    ASSERT_EQ eax, ORIG2, "victim2 before"
    mov dword [TABLE + 0], R(victim1) + 1 - RAM_CODE
    mov dword [TABLE + 4], R(data1) - RAM_CODE
    mov dword [TABLE + 8], R(victim2) + 1 - RAM_CODE
    mov ebx, RAM_CODE
    mov esi, TABLE
    mov ecx, 3
    mov edx, DELTA
    call R(reloc_cld)
    call R(victim1)
    ASSERT_EQ eax, ORIG1 + DELTA, "reloc_cld victim1 patched once"
    call R(victim2)
    ASSERT_EQ eax, ORIG2 + DELTA, "reloc_cld victim2 patched once"
    ASSERT_EQ [R(data1)], ORIG1 + DELTA, "reloc_cld data patched once"

    ; the same with only inline instructions in the loop
    mov ebx, RAM_CODE
    mov esi, TABLE
    mov ecx, 3
    mov edx, DELTA
    call R(reloc_inline)
    call R(victim1)
    ASSERT_EQ eax, ORIG1 + 2 * DELTA, "reloc_inline victim1"
    call R(victim2)
    ASSERT_EQ eax, ORIG2 + 2 * DELTA, "reloc_inline victim2"
    ASSERT_EQ [R(data1)], ORIG1 + 2 * DELTA, "reloc_inline data"

    ; a reference-handler store (ADC with CF=0) doing the patching
    mov ebx, RAM_CODE
    mov esi, TABLE
    mov ecx, 3
    mov edx, DELTA
    call R(reloc_adc)
    call R(victim1)
    ASSERT_EQ eax, ORIG1 + 3 * DELTA, "reloc_adc victim1"
    call R(victim2)
    ASSERT_EQ eax, ORIG2 + 3 * DELTA, "reloc_adc victim2"
    ASSERT_EQ [R(data1)], ORIG1 + 3 * DELTA, "reloc_adc data"

    ; store into the next instruction of the running block
    call R(next_insn)
    ASSERT_EQ eax, 0x5A5A5A5A, "store into next instruction (inline)"
    call R(next_insn_stos)
    ASSERT_EQ eax, 0x6B6B6B6B, "store into next instruction (STOSD)"
    call R(next_insn_cld)
    ASSERT_EQ eax, 0x7C7C7C7C, "store into next insn after CLD"
    ASSERT_EQ ecx, 1, "instruction after the store ran once"

    ; REP MOVSD copies a new body over translated victim3, in the page
    ; that holds the running copy loop; the copy runs exactly once
    call R(victim3)
    ASSERT_EQ eax, 0x11111111, "victim3 before"
    mov dword [R(count)], 0
    call R(copy_over)
    ASSERT_EQ [R(count)], 1, "copy loop ran once"
    call R(victim3)
    ASSERT_EQ eax, 0x22222222, "victim3 after REP MOVSD"

    ; CALL whose return-address push overwrites translated code (victim4):
    ; the call must still reach its target
    call R(victim4)
    ASSERT_EQ eax, 0x44444444, "victim4 before"
    mov dword [R(count)], 0
    mov [v_tmp], esp
    mov esp, R(victim4) + 8     ; the push writes victim4+4..+7
    call R(bump_count)
    mov esp, [v_tmp]
    ASSERT_EQ [R(count)], 1, "CALL pushing over translated code reached its target"

    ; run the whole sequence again: retranslated code, patched again
    call R(victim1)
    ASSERT_EQ eax, ORIG1 + 3 * DELTA, "victim1 stable"
    ret

; ---- copied to RAM_CODE (position independent except for R()) ----
chunk:
reloc_cld:                      ; ebx base, esi table, ecx count, edx delta
.l: mov eax, [esi]
    cld
    add [ebx + eax], edx
    add esi, 4
    dec ecx
    jnz .l
    ret

reloc_inline:
.l: mov eax, [esi]
    add [ebx + eax], edx
    add esi, 4
    dec ecx
    jnz .l
    ret

reloc_adc:
.l: mov eax, [esi]
    clc
    adc [ebx + eax], edx
    add esi, 4
    dec ecx
    jnz .l
    ret

next_insn:
    mov dword [R(.x) + 1], 0x5A5A5A5A
.x: mov eax, 0
    ret

next_insn_stos:
    mov edi, R(.x) + 1
    mov eax, 0x6B6B6B6B
    stosd
.x: mov eax, 0
    ret

next_insn_cld:
    xor ecx, ecx
    cld
    mov dword [R(.x) + 1], 0x7C7C7C7C
.x: mov eax, 0
    inc ecx
    ret

copy_over:
    mov esi, R(new_body)
    mov edi, R(victim3)
    mov ecx, (new_body_end - new_body) / 4
    inc dword [R(count)]
    rep movsd
    ret

bump_count:
    inc dword [R(count)]
    ret

    align 16
victim1:
    mov eax, ORIG1
    ret
    align 16
victim2:
    mov eax, ORIG2
    ret
    align 16
victim4:
    mov eax, 0x44444444
    ret
    align 16
victim3:
    mov eax, 0x11111111
    ret
    nop
    nop
    align 4
new_body:
    mov eax, 0x22222222
    ret
    nop
    nop
new_body_end:
    align 4
data1:
    dd ORIG1
count:
    dd 0
chunk_end:
