; faults.asm — exceptions with their class, saved EIP and error code
; (SDM vol. 3 section 6.15): #DE, #DB (ICEBP), #BP, #OF, #BR, #UD, #GP for
; privileged instructions at CPL 3, IDT checks (limit, not present, gate
; DPL) with error code vector*8+2 (IDT bit) and EXT.
%include "lib/x86bt.inc"

; EXT (error-code bit 0) is set for faults while delivering a CPU-raised
; exception (SDM vol. 3 section 6.13); QEMU 7.2 sets it only for external
; interrupts.
%ifdef QEMU
EXT equ 0
%else
EXT equ 1
%endif

test_main:
    ; #DE: divide by zero and quotient overflow (fault: EIP of the DIV).
    xor edx, edx
    xor ecx, ecx
    mov eax, 1
    FAULT_BEGIN 0, NOERR
    div ecx
    FAULT_END
    mov eax, 0x80000000
    cdq
    mov ecx, -1
    FAULT_BEGIN 0, NOERR
    idiv ecx
    FAULT_END
    mov ax, 0x1000
    mov cl, 2
    FAULT_BEGIN 0, NOERR
    div cl
    FAULT_END
    ; INT3 and INTO are traps: EIP after the instruction.
    FAULT_BEGIN_NOEIP 3, NOERR
    int3
.after_bp:
    FAULT_END
    ASSERT_EQ [v_eip], .after_bp, "int3 saved eip"
    mov al, 0x7F
    add al, 1
    FAULT_BEGIN_NOEIP 4, NOERR
    into
.after_of:
    FAULT_END
    ASSERT_EQ [v_eip], .after_of, "into saved eip"
    ; INT1/ICEBP (F1): #DB as a trap (QEMU 7.2 decodes it as #UD).
%ifndef QEMU
    FAULT_BEGIN_NOEIP 1, NOERR
    db 0xF1
.after_db:
    FAULT_END
    ASSERT_EQ [v_eip], .after_db, "icebp saved eip"
%endif
    ; BOUND: #BR is a fault.
    mov eax, 30
    FAULT_BEGIN 5, NOERR
    bound eax, [bounds]
    FAULT_END
    mov eax, 15
    bound eax, [bounds]
    ; #UD: UD2, LOCK on a non-memory instruction, LOCK MOV, bad opcode.
    FAULT_BEGIN 6, NOERR
    ud2
    FAULT_END
    ; Faults save RF=1 in the EFLAGS image (SDM vol. 3 17.3.1.1; QEMU 7.2
    ; does not).
%ifndef QEMU
    mov eax, [v_eflags]
    and eax, 0x10000
    ASSERT_EQ eax, 0x10000, "RF in a fault's saved EFLAGS"
%endif
    FAULT_BEGIN 6, NOERR
    db 0xF0, 0x90               ; lock nop
    FAULT_END
%ifndef QEMU
    FAULT_BEGIN 6, NOERR
    db 0xF0, 0x89, 0x03         ; lock mov [ebx], eax (not lockable)
    FAULT_END
%endif
    FAULT_BEGIN 6, NOERR
    db 0xF0, 0x01, 0xC0         ; lock add eax, eax (register destination)
    FAULT_END
    FAULT_BEGIN 6, NOERR
    db 0x0F, 0x0B               ; ud2 again, via bytes
    FAULT_END
    FAULT_BEGIN 6, NOERR
    db 0x8D, 0xC3               ; LEA with a register source
    FAULT_END
    jmp idt_checks

bounds: dd 10, 20

idt_checks:
    ; Software INT to a gate with DPL < CPL: #GP(vec*8+2).
    mov eax, user_int
    xor ebx, ebx
    call run_ring3
    ; INT beyond the IDT limit: #GP(vec*8+2).
    mov word [v_tmp + 0x20], 0x40 * 8 - 1
    mov dword [v_tmp + 0x22], IDT_BASE
    lidt [v_tmp + 0x20]
    FAULT_BEGIN 13, 0x41 * 8 + 2
    int 0x41
    FAULT_END
    lidt [idtr]
    ; A not-present gate: #NP(vec*8+2).
    and byte [IDT_ADDR(0x42) + 5], 0x7F
    FAULT_BEGIN 11, 0x42 * 8 + 2
    int 0x42
    FAULT_END
    or byte [IDT_ADDR(0x42) + 5], 0x80
    ; A gate of a bad type (0x8A): #GP(vec*8+2).
    mov byte [IDT_ADDR(0x43) + 5], 0x8A
    FAULT_BEGIN 13, 0x43 * 8 + 2
    int 0x43
    FAULT_END
    ; An exception (#UD) whose gate is not present: #NP(6*8+2+EXT).
    and byte [IDT_ADDR(6) + 5], 0x7F
    FAULT_BEGIN_NOEIP 11, 6 * 8 + 2 + EXT
    ud2
    FAULT_END
    or byte [IDT_ADDR(6) + 5], 0x80
    ; Gate whose target selector is null: #GP(EXT) for an exception.
    mov word [IDT_ADDR(6) + 2], 0
    FAULT_BEGIN_NOEIP 13, EXT
    ud2
    FAULT_END
    mov word [IDT_ADDR(6) + 2], SEL_CODE0
    ret

; Ring 3: privileged instructions are #GP(0); INT n checks the gate DPL.
user_int:
    FAULT_BEGIN 13, 0x44 * 8 + 2
    int 0x44
    FAULT_END
    FAULT_BEGIN 13, 0
    hlt
    FAULT_END
    FAULT_BEGIN 13, 0
    cli
    FAULT_END
    FAULT_BEGIN 13, 0
    mov eax, cr0
    FAULT_END
    FAULT_BEGIN 13, 0
    mov cr3, eax
    FAULT_END
    FAULT_BEGIN 13, 0
    lgdt [idtr]
    FAULT_END
    FAULT_BEGIN 13, 0
    lidt [idtr]
    FAULT_END
    FAULT_BEGIN 13, 0
    lldt ax
    FAULT_END
    FAULT_BEGIN 13, 0
    ltr ax
    FAULT_END
    FAULT_BEGIN 13, 0
    lmsw ax
    FAULT_END
    FAULT_BEGIN 13, 0
    clts
    FAULT_END
    FAULT_BEGIN 13, 0
    mov eax, dr7
    FAULT_END
    FAULT_BEGIN 13, 0
    invd
    FAULT_END
    FAULT_BEGIN 13, 0
    wbinvd
    FAULT_END
    FAULT_BEGIN 13, 0
    invlpg [0]
    FAULT_END
    FAULT_BEGIN 13, 0
    rdmsr
    FAULT_END
    FAULT_BEGIN 13, 0
    wrmsr
    FAULT_END
    FAULT_BEGIN 13, 0
    in al, 0x80
    FAULT_END
    FAULT_BEGIN 13, 0
    out 0x80, al
    FAULT_END
    ; Unprivileged at CPL 3: SGDT, SMSW, STR, INT3 (DPL3 gate).
    sgdt [v_tmp]
    smsw eax
    str eax
    ASSERT_EQ eax, SEL_TSS, "str at cpl3"
    FAULT_BEGIN_NOEIP 3, NOERR
    int3
    FAULT_END
    RING0
