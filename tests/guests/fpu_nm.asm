; fpu_nm.asm — CR0.EM/TS/MP and the x87/MMX/WAIT/FXSAVE device-not-available
; rules (SDM vol. 3 section 2.5, table 2-2), and the CPUID feature bits the
; FPU advertises (FPU, MMX, FXSR: SDM vol. 2 CPUID table 3-11).
%include "lib/x86bt.inc"

CR0_MP equ 1 << 1
CR0_EM equ 1 << 2
CR0_TS equ 1 << 3
CR0_NE equ 1 << 5

%macro SET_CR0 1            ; clear MP/EM/TS, then set %1 (NE always on)
    mov eax, cr0
    and eax, ~(CR0_MP | CR0_EM | CR0_TS)
    or eax, CR0_NE | (%1)
    mov cr0, eax
%endmacro

test_main:
    PUTS "fpu_nm: cpuid and #NM rules", 10
    mov eax, 1
    cpuid
    and edx, (1 << 0) | (1 << 23) | (1 << 24)
    ASSERT_EQ edx, (1 << 0) | (1 << 23) | (1 << 24), "cpuid fpu/mmx/fxsr"

    SET_CR0 0
    fninit
    fld1                    ; plain x87 works

    SET_CR0 CR0_EM          ; EM: x87 -> #NM, MMX -> #UD, WAIT unaffected
    FAULT_BEGIN 7, NOERR
    fld1
    FAULT_END
    FAULT_BEGIN 7, NOERR
    fnstsw ax               ; non-waiting forms too
    FAULT_END
%ifndef QEMU                ; QEMU 7.2 runs MMX with CR0.EM=1
    FAULT_BEGIN 6, NOERR
    paddb mm0, mm1
    FAULT_END
    FAULT_BEGIN 6, NOERR
    emms
    FAULT_END
%endif
    fwait

    SET_CR0 CR0_TS          ; TS without MP: x87/MMX/FXSAVE -> #NM, WAIT ok
    FAULT_BEGIN 7, NOERR
    fadd st0, st0
    FAULT_END
    FAULT_BEGIN 7, NOERR
    paddb mm0, mm1
    FAULT_END
    FAULT_BEGIN 7, NOERR
    fxsave [FREE_BASE]
    FAULT_END
    fwait

    SET_CR0 CR0_TS | CR0_MP ; TS and MP: WAIT -> #NM as well
    FAULT_BEGIN 7, NOERR
    fwait
    FAULT_END
    clts
    fwait
    fld1
    fnstsw ax
    shr eax, 11
    and eax, 7
    ASSERT_EQ eax, 6, "two pushes since fninit"

    SET_CR0 CR0_MP          ; MP alone changes nothing
    fwait
    emms
    mov eax, cr4            ; CR4.OSFXSR is writable with FXSR
    or eax, 1 << 9
    mov cr4, eax
    fxsave [FREE_BASE]
%ifndef QEMU                ; QEMU keeps OSFXSR clear without SSE
    mov eax, cr4
    and eax, 1 << 9
    ASSERT_EQ eax, 1 << 9, "CR4.OSFXSR"
%endif
    mov eax, cr4
    and eax, ~(1 << 9)
    mov cr4, eax
    ret
