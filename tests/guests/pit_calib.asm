; pit_calib.asm — Linux's quick_pit_calibrate (arch/x86/kernel/tsc.c) as
; a guest test: 8254 counter 2 in mode 0 gated from port 0x61, counting
; down from 0xFFFF, its MSB polled (LSB read and dropped) with RDTSC after
; every read. The count must move smoothly with virtual time inside one
; CPU slice (in both tiers, in host-time and -icount mode): each MSB value
; is seen by more than 5 reads (Linux's "count > 5"), the MSB never skips
; a value, and the TSC advances by 256 PIT clocks' worth per MSB step
; (400 MHz TSC / 1.193182 MHz PIT: 85 819 ticks per step, checked to 1%
; over 16 steps).
%include "lib/x86bt.inc"

STEPS      equ 16
TSC_STEP   equ 85819                ; 256 * 400e6 / 1193182
POLL_MAX   equ 1000000
V_TSC0     equ v_tmp                ; TSC at the first read of MSB 0xFF-1

test_main:
    in al, 0x61
    and al, 0xFC
    or al, 1                        ; gate 2 high, speaker off
    out 0x61, al
    mov al, 0xB0                    ; counter 2, LSB/MSB, mode 0, binary
    out 0x43, al
    mov al, 0xFF
    out 0x42, al
    out 0x42, al                    ; count 0xFFFF
    call read_msb                   ; the first decrement (Linux: verify 0)
    mov bl, 0xFF                    ; expected MSB
    call wait_msb                   ; MSB 0xFF ends: bl = 0xFE, edx:eax TSC
    mov [V_TSC0], eax
    mov esi, STEPS
.step:
    call wait_msb
    dec esi
    jnz .step
%ifndef QEMU                        ; QEMU's TSC runs at the host's rate
    sub eax, [V_TSC0]               ; TSC for STEPS MSB steps
    cmp eax, STEPS * TSC_STEP * 99 / 100
    jb .bad
    cmp eax, STEPS * TSC_STEP * 101 / 100
    ja .bad
%endif
    ret
.bad:
    ASSERT_EQ eax, STEPS * TSC_STEP, "TSC per 16 PIT MSB steps"
    ret

read_msb:                           ; al <- counter 2 MSB (LSB dropped)
    in al, 0x42
    in al, 0x42
    ret

; Poll while the MSB is bl; it must then be bl - 1, after more than 5
; reads. Returns bl decremented and edx:eax = TSC at the first new read.
wait_msb:
    xor edi, edi                    ; reads seeing bl
    mov ecx, POLL_MAX
.poll:
    call read_msb
    cmp al, bl
    jne .changed
    inc edi
    loop .poll
    FAIL "the PIT counter 2 MSB does not move"
.changed:
    dec bl
    movzx eax, al
    movzx ebx, bl
    ASSERT_EQ eax, ebx, "MSB steps by one (no skipped value)"
    cmp edi, 5
    ja .enough
    ASSERT_EQ edi, 6, "reads per MSB value (Linux requires > 5)"
.enough:
    rdtsc
    ret
