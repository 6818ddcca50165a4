; jit_icount.asm — under -icount the time a guest reads is exact at the
; instruction that reads it, in both tiers: the translation tier counts a
; run of blocks only when it ends, so an RDTSC after other instructions of
; its block, or after a run of chained blocks, must still see every
; instruction before it. -icount 0: 1 ns per instruction; the TSC runs at
; 400 MHz, so K instructions are exactly 0.4 K ticks when K is a multiple
; of 5 (SDM vol. 3 section 17.17: RDTSC).
;   1. straight line: RDTSC, MOV, 48 NOPs, RDTSC (K = 50: 20 ticks)
;   2. a loop of chained blocks between the two reads (K = 25: 10 ticks)
;   3. handler calls (CPUID ends a block, PUSHF is a handler) (K = 10)
;   4. RDTSC at the start of a block, right after a taken branch (K = 5)
; x86bt-args: -icount 0
%include "lib/x86bt.inc"

test_main:
    PUTS "jit_icount: exact instruction count at RDTSC", 10
%ifdef QEMU
    ret                         ; needs x86bt's -icount 0
%endif
    ; 1.
    rdtsc                       ; count c
    mov esi, eax                ; c + 1
    times 48 nop
    rdtsc                       ; c + 50
    sub eax, esi
    mov [v_tmp], eax
    ASSERT_EQ [v_tmp], 20, "case 1: 50 instructions = 20 ticks"
    ; 2.
    rdtsc                       ; c
    mov esi, eax                ; c + 1
    mov ecx, 10                 ; c + 2
.l: dec ecx                     ; 10 x (dec, jnz)
    jnz .l
    nop
    nop                         ; c + 24
    rdtsc                       ; c + 25
    sub eax, esi
    mov [v_tmp], eax
    ASSERT_EQ [v_tmp], 10, "case 2: 25 instructions = 10 ticks"
    ; 3.
    rdtsc                       ; c
    mov esi, eax                ; c + 1
    pushfd                      ; c + 2
    popfd                       ; c + 3
    push ebx                    ; c + 4
    xor eax, eax                ; c + 5
    cpuid                       ; c + 6
    pop ebx                     ; c + 7
    nop
    nop                         ; c + 9
    rdtsc                       ; c + 10
    sub eax, esi
    mov [v_tmp], eax
    ASSERT_EQ [v_tmp], 4, "case 3: 10 instructions = 4 ticks"
    ; 4.
    rdtsc                       ; c
    mov esi, eax                ; c + 1
    nop
    nop                         ; c + 3
    jmp .t                      ; c + 4
.t: rdtsc                       ; c + 5
    sub eax, esi
    mov [v_tmp], eax
    ASSERT_EQ [v_tmp], 2, "case 4: 5 instructions = 2 ticks"
    ret
