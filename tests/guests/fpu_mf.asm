; fpu_mf.asm — native x87 error reporting with CR0.NE=1 (SDM vol. 1 8.7,
; vol. 3 6.15 #MF): an unmasked exception is pending after the faulting
; instruction (destination and TOP unchanged, ES and B set) and #MF is
; raised by the next waiting x87 instruction, at that instruction; the
; last-instruction pointers still name the faulting one. FNSTSW and FNCLEX
; do not wait. MMX instructions also report the pending exception.
%include "lib/x86bt.inc"

test_main:
    PUTS "fpu_mf: #MF with CR0.NE=1", 10
    mov eax, cr0
    and eax, ~(0xC)         ; EM = TS = 0
    or eax, 0x22            ; NE, MP
    mov cr0, eax
    fninit
    fldcw [cw_ze]
    fld1
    fldz
fdiv_insn:
    fdivp st1, st0          ; 1 / 0 with ZE unmasked: pending
    fnstsw ax
%ifndef QEMU                ; QEMU 7.2 stores the result and pops anyway
    and eax, 0xB8FF
    ASSERT_EQ eax, 0xB084, "B, TOP=6, ES, ZE"
%else
    and eax, 0x80FF
    ASSERT_EQ eax, 0x8084, "B, ES, ZE"
%endif
    FAULT_BEGIN 16, NOERR
    fwait
    FAULT_END
%ifndef QEMU                ; QEMU 7.2 checks pending errors at FWAIT only
    FAULT_BEGIN 16, NOERR
    fld1
    FAULT_END
    FAULT_BEGIN 16, NOERR
    paddb mm0, mm1
    FAULT_END
%endif
    fnstenv [FREE_BASE]     ; also masks all exceptions
%ifndef QEMU                ; QEMU 7.2 lets FNSTSW AX update FIP/FOP
    ASSERT_EQ [FREE_BASE + 12], fdiv_insn, "FIP -> fdivp"
    movzx eax, word [FREE_BASE + 18]
    ASSERT_EQ eax, 0x6F9, "FOP of DE F9"
%endif
    movzx eax, word [FREE_BASE + 16]
    ASSERT_EQ eax, SEL_CODE0, "FCS"
%ifdef QEMU                 ; QEMU 7.2 keeps ES set when FNSTENV masks
    fnclex
%endif
    fwait                   ; all masked now: ES clear, no #MF
%ifndef QEMU
    fldcw [cw_ze]
    FAULT_BEGIN 16, NOERR   ; unmasking a pending flag re-arms #MF
    fwait
    FAULT_END
%endif
    fnclex
    fwait
%ifndef QEMU
    ; destination unchanged and no pop: ST(0) = 0, ST(1) = 1
    fstp dword [FREE_BASE]
    fstp dword [FREE_BASE + 4]
    ASSERT_EQ [FREE_BASE], 0, "st0 = 0"
    ASSERT_EQ [FREE_BASE + 4], 0x3F800000, "st1 = 1"
%endif
    ; masked exception: no #MF, result stored
    fninit
    fld1
    fldz
    fdivp st1, st0
    fwait
    fstp dword [FREE_BASE]
    ASSERT_EQ [FREE_BASE], 0x7F800000, "1/0 = +inf"
    ret

cw_ze: dw 0x037B
