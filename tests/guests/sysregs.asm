; sysregs.asm — control registers, MSRs and descriptor-inspection
; instructions (SDM vol. 3 sections 2.5, 2.7, 5.10.x; vol. 2 pages for MOV
; CRn, LMSW, SMSW, CLTS, LAR, LSL, VERR, VERW, ARPL, RDMSR, WRMSR, RDTSC,
; RDPMC; vol. 4 MSR tables for the P6 family), and IOPL rules at CPL 3.
%include "lib/x86bt.inc"

S_GATE equ GDT_FREE          ; a call gate (valid for LAR, not LSL)
S_XO   equ GDT_FREE + 0x08   ; execute-only code
S_RO   equ GDT_FREE + 0x10   ; read-only data, limit 0x1234 bytes

test_main:
    ; CR0: PG without PE, NW without CD -> #GP(0).
    mov eax, cr0
    mov ebx, eax
%ifndef QEMU
    and eax, ~1
    or eax, 0x80000000
    FAULT_BEGIN 13, 0
    mov cr0, eax
    FAULT_END
    mov eax, ebx
    and eax, ~0x40000000
    or eax, 0x20000000
    FAULT_BEGIN 13, 0
    mov cr0, eax
    FAULT_END
%endif
    ; CR4 reserved bit -> #GP(0) (QEMU 7.2 hangs on this one).
%ifndef QEMU
    mov eax, 0x80000000
    FAULT_BEGIN 13, 0
    mov cr4, eax
    FAULT_END
    ; OSXMMEXCPT (bit 10) is reserved without SSE in CPUID.
    mov eax, 0x400
    FAULT_BEGIN 13, 0
    mov cr4, eax
    FAULT_END
%endif
    ; CR4.OSFXSR (bit 9) is writable: CPUID advertises FXSR (Linux's
    ; fpu__init_cpu_generic sets it).
    mov eax, 0x200
    mov cr4, eax
    mov ebx, cr4
    ASSERT_EQ ebx, 0x200, "cr4.osfxsr"
    xor eax, eax
    mov cr4, eax
    ; CR2 is plain storage.
    mov eax, 0x12345678
    mov cr2, eax
    mov ebx, cr2
    ASSERT_EQ ebx, 0x12345678, "cr2"
    ; LMSW sets PE/MP/EM/TS but cannot clear PE; SMSW reads CR0[15:0].
    mov eax, cr0
    and eax, ~0xE
    mov cr0, eax
    mov ax, 0x8
    lmsw ax
    smsw ebx
    and ebx, 0xF
    ASSERT_EQ ebx, 0x9, "lmsw sets TS, keeps PE"
    clts
    mov eax, cr0
    and eax, 0x8
    ASSERT_EQ eax, 0, "clts"
    mov ax, 0
    lmsw ax
    mov eax, cr0
    and eax, 1
    ASSERT_EQ eax, 1, "lmsw cannot clear PE"
    ; Debug registers: storage; DR4/DR5 alias DR6/DR7 while CR4.DE=0.
    mov eax, 0x1000
    mov dr0, eax
    mov ebx, dr0
    ASSERT_EQ ebx, 0x1000, "dr0"
    mov eax, dr7
    mov ebx, eax
    db 0x0F, 0x21, 0xE8         ; mov eax, dr5
    ASSERT_EQ eax, ebx, "dr5 aliases dr7"
    mov eax, cr4
    or eax, 8
    mov cr4, eax
    FAULT_BEGIN 6, NOERR
    db 0x0F, 0x21, 0xE8         ; mov eax, dr5 with CR4.DE=1: #UD
    FAULT_END
    mov eax, cr4
    and eax, ~8
    mov cr4, eax

    ; MSRs: SYSENTER_CS round trip, TSC write, MTRRs, unknown -> #GP(0).
    mov ecx, 0x174
    mov eax, 0x1234
    xor edx, edx
    wrmsr
    xor eax, eax
    rdmsr
    ASSERT_EQ eax, 0x1234, "sysenter_cs"
    ; TSC write: P6 writes the low 32 bits and clears the high half
    ; (SDM vol. 3 section 17.17). QEMU's TCG ignores TSC writes.
%ifndef QEMU
    mov ecx, 0x10
    mov eax, 0x100000
    mov edx, 5
    wrmsr
    rdtsc
    ASSERT_EQ edx, 0, "TSC write clears the high half"
    cmp eax, 0x100000
    jb .tsc_bad
    cmp eax, 0x10000000
    jb .tsc_ok
.tsc_bad:
    FAIL "TSC low half after write"
.tsc_ok:
%endif
    mov ecx, 0xFE               ; MTRRcap: 8 variable, fixed supported
    rdmsr
    and eax, 0x1FF
    ASSERT_EQ eax, 0x108, "MTRRcap"
    mov ecx, 0x2FF
    mov eax, 0xC06
    xor edx, edx
    wrmsr
    xor eax, eax
    rdmsr
    ASSERT_EQ eax, 0xC06, "MTRRdefType"
    mov ecx, 0x200              ; MTRRphysBase0
    mov eax, 0x00000006
    xor edx, edx
    wrmsr
    rdmsr
    ASSERT_EQ eax, 6, "MTRRphysBase0"
    mov ecx, 0x250              ; MTRRfix64K_00000
    mov eax, 0x06060606
    mov edx, eax
    wrmsr
    xor edx, edx
    rdmsr
    ASSERT_EQ edx, 0x06060606, "MTRRfix64K"
    ; Unknown MSR: #GP(0) (QEMU's TCG reads 0 and ignores writes).
%ifndef QEMU
    mov ecx, 0x12345
    FAULT_BEGIN 13, 0
    rdmsr
    FAULT_END
    FAULT_BEGIN 13, 0
    wrmsr
    FAULT_END
%endif
    ; RSM outside SMM: #UD.
    FAULT_BEGIN 6, NOERR
    rsm
    FAULT_END

    call desc_checks
    ; CPL 3 with IOPL 0.
    mov eax, cr4
    or eax, 4                   ; TSD
    mov cr4, eax
    mov eax, user
    xor ebx, ebx
    call run_ring3
    ASSERT_EQ [v_tmp], 0x600D, "ring-3 part done"
    mov eax, cr4
    and eax, ~4
    mov cr4, eax
    ret

desc_checks:
    GATE_SET GDT_ADDR(S_GATE), 0, SEL_CODE0, GATE_CALL32 | ACC_DPL3, 0
    GDT_SET S_XO, 0, 0xFFFFF, ACC_CODE_XO, FL_G | FL_DB
    GDT_SET S_RO, 0, 0x1234, ACC_DATA_RO, FL_DB
    ; LAR: access rights, ZF=1.
    mov eax, SEL_CODE0
    lar ebx, eax
    jnz .f1
    and ebx, 0x00F0FE00         ; QEMU leaves CS's accessed bit clear
    ASSERT_EQ ebx, 0x00C09A00, "lar code0"
    mov eax, S_GATE
    lar ebx, eax
    jnz .f1
    ; LSL: limit with granularity applied.
    mov eax, SEL_DATA0
    lsl ebx, eax
    jnz .f1
    ASSERT_EQ ebx, 0xFFFFFFFF, "lsl data0"
    mov eax, S_RO
    lsl ebx, eax
    jnz .f1
    ASSERT_EQ ebx, 0x1234, "lsl ro"
    ; Gates have no limit; null selectors fail: ZF=0, dest unchanged.
    mov ebx, 0x77
    mov eax, S_GATE
    lsl ebx, eax
    jz .f2
    xor eax, eax
    lar ebx, eax
    jz .f2
    ASSERT_EQ ebx, 0x77, "lar failure leaves dest"
    ; VERR/VERW.
    mov eax, S_XO
    verr ax
    jz .f2
    mov eax, SEL_CODE0
    verr ax
    jnz .f1
    verw ax
    jz .f2
    mov eax, S_RO
    verw ax
    jz .f2
    mov eax, SEL_DATA0
    verw ax
    jnz .f1
    ; ARPL: raise RPL, ZF=1; already high enough: ZF=0.
    mov eax, 0x10
    mov ebx, 0x23
    arpl ax, bx
    jnz .f1
    ASSERT_EQ eax, 0x13, "arpl adjusts"
    arpl ax, bx
    jz .f2
    ; SGDT/SIDT/STR.
    sgdt [v_tmp]
    movzx eax, word [v_tmp]
    ASSERT_EQ eax, 0x7FF, "sgdt limit"
    ASSERT_EQ [v_tmp + 2], GDT_BASE, "sgdt base"
    sidt [v_tmp]
    ASSERT_EQ [v_tmp + 2], IDT_BASE, "sidt base"
    ret
.f1: FAIL "expected ZF=1"
.f2: FAIL "expected ZF=0"

user:
    ; LAR of a DPL-0 data segment from CPL 3: ZF=0.
    mov eax, SEL_DATA0
    lar ebx, eax
    jz .bad
    ; RDTSC with CR4.TSD, RDPMC without CR4.PCE: #GP(0).
    FAULT_BEGIN 13, 0
    rdtsc
    FAULT_END
    xor ecx, ecx
    FAULT_BEGIN 13, 0
    rdpmc
    FAULT_END
    ; POPF at CPL 3 / IOPL 0 silently keeps IF and IOPL.
    pushfd
    pop eax
    mov ebx, eax
    or eax, 0x3200
    push eax
    popfd
    pushfd
    pop eax
    ASSERT_EQ eax, ebx, "popf keeps IF and IOPL"
    ; I/O: the bitmap allows 0xE9 but not 0xE8; a word at 0xE8 needs both.
    mov dx, 0xE8
    FAULT_BEGIN 13, 0
    in ax, dx
    FAULT_END
    FAULT_BEGIN 13, 0
    sti
    FAULT_END
    mov dword [v_tmp], 0x600D
    RING0
.bad:
    FAIL "lar of DPL0 data from CPL3"
