; segments.asm — protected-mode segment register loads and limit checks
; (SDM vol. 3 sections 5.3-5.5, 5.10, 6.15 #GP/#NP/#SS; instruction pages
; for MOV Sreg, LLDT, LAR). Error codes are the selector with EXT/IDT/TI.
%include "lib/x86bt.inc"

S_NP     equ GDT_FREE + 0x00   ; data, not present
S_RO     equ GDT_FREE + 0x08   ; read-only data
S_XO     equ GDT_FREE + 0x10   ; execute-only code
S_LIM    equ GDT_FREE + 0x18   ; data base 0x20000 limit 0xFFF bytes
S_GRAN   equ GDT_FREE + 0x20   ; data limit 0 with G=1 -> 0xFFF
S_ED32   equ GDT_FREE + 0x28   ; expand-down, B=1, limit 0xFFF
S_ED16   equ GDT_FREE + 0x30   ; expand-down, B=0, limit 0xFFF
S_LDT    equ GDT_FREE + 0x38   ; LDT at 0x21000, 2 entries
S_CNP    equ GDT_FREE + 0x40   ; code, not present
S_D3     equ GDT_FREE + 0x48   ; data DPL3
S_STK    equ GDT_FREE + 0x50 + 3 ; small DPL3 stack: base 0x22000, limit 0xFFF
LDT_BASE equ 0x21000

test_main:
    GDT_SET S_NP, 0, 0xFFFFF, ACC_DATA ^ ACC_NP, FL_G | FL_DB
    GDT_SET S_RO, 0, 0xFFFFF, ACC_DATA_RO, FL_G | FL_DB
    GDT_SET S_XO, 0, 0xFFFFF, ACC_CODE_XO, FL_G | FL_DB
    GDT_SET S_LIM, 0x20000, 0xFFF, ACC_DATA, FL_DB
    GDT_SET S_GRAN, 0, 0, ACC_DATA, FL_G | FL_DB
    GDT_SET S_ED32, 0, 0xFFF, ACC_DATA_ED, FL_DB
    GDT_SET S_ED16, 0, 0xFFF, ACC_DATA_ED, 0
    GDT_SET S_LDT, LDT_BASE, 15, ACC_LDT, 0
    GDT_SET S_CNP, 0, 0xFFFFF, ACC_CODE ^ ACC_NP, FL_G | FL_DB
    GDT_SET S_D3, 0, 0xFFFFF, ACC_DATA | ACC_DPL3, FL_G | FL_DB
    GDT_SET S_STK, 0x22000, 0xFFF, ACC_DATA | ACC_DPL3, FL_DB

    ; Null selectors load into DS but any use faults with #GP(0).
    xor eax, eax
    mov es, ax
%ifndef QEMU
    FAULT_BEGIN 13, 0
    mov eax, [es:0x1000]
    FAULT_END
%endif
    mov ax, SEL_DATA0
    mov ds, ax
    mov es, ax
    ; SS may not be null: #GP(0).
    xor eax, eax
    FAULT_BEGIN 13, 0
    mov ss, ax
    FAULT_END
    ; Selector beyond the GDT limit: #GP(selector).
    mov ax, 0x800
    FAULT_BEGIN 13, 0x800
    mov fs, ax
    FAULT_END
    ; Not present: #NP(sel) for data, #SS(sel) for SS.
    mov ax, S_NP
    FAULT_BEGIN 11, S_NP
    mov gs, ax
    FAULT_END
    FAULT_BEGIN 12, S_NP
    mov ss, ax
    FAULT_END
    ; Read-only data: fine in DS, #GP(sel) in SS, #GP(0) on write.
    mov ax, S_RO
    mov fs, ax
    mov ebx, [fs:VARS_BASE]
    FAULT_BEGIN 13, S_RO
    mov ss, ax
    FAULT_END
%ifndef QEMU
    FAULT_BEGIN 13, 0
    mov dword [fs:v_tmp], 1
    FAULT_END
%endif
    ; Execute-only code cannot be loaded into a data register; readable
    ; code can, but is never writable.
    mov ax, S_XO
    FAULT_BEGIN 13, S_XO
    mov es, ax
    FAULT_END
    mov ax, SEL_CODE0
    mov es, ax
    mov eax, [es:pm_entry]
%ifndef QEMU
    FAULT_BEGIN 13, 0
    mov [es:v_tmp], eax
    FAULT_END
%endif
    mov ax, SEL_DATA0
    mov es, ax
    ; RPL > DPL: #GP(sel) (effective privilege is max(CPL, RPL)).
    mov ax, SEL_DATA0 | 3
    FAULT_BEGIN 13, SEL_DATA0
    mov es, ax
    FAULT_END
    ; SS: RPL must equal CPL, DPL must equal CPL.
    mov ax, SEL_DATA1
    FAULT_BEGIN 13, SEL_DATA1 & ~3
    mov ss, ax
    FAULT_END
    mov ax, S_D3
    FAULT_BEGIN 13, S_D3
    mov ss, ax
    FAULT_END
    mov es, ax               ; DPL3 data is fine in ES at CPL0
    ; Loading sets the accessed bit in the descriptor.
    movzx ebx, byte [GDT_ADDR(S_D3) + 5]
    ASSERT_EQ ebx, ACC_DATA | ACC_DPL3 | 1, "accessed bit"

    ; Byte-granular limit 0xFFF: a dword at 0xFFC is fine, at 0xFFD not.
    mov ax, S_LIM
    mov fs, ax
    mov dword [fs:0xFFC], 0x11223344
    ASSERT_EQ [0x20FFC], 0x11223344, "base applied"
%ifndef QEMU
    FAULT_BEGIN 13, 0
    mov eax, [fs:0xFFD]
    FAULT_END
%endif
%ifndef QEMU
    FAULT_BEGIN 13, 0
    mov byte [fs:0x1000], 0
    FAULT_END
%endif
    ; G=1 with limit 0: effective limit 0xFFF.
    mov ax, S_GRAN
    mov fs, ax
    mov eax, [fs:0xFFC]
%ifndef QEMU
    FAULT_BEGIN 13, 0
    mov al, [fs:0x1000]
    FAULT_END
%endif
    ; Expand-down, B=1: valid offsets are 0x1000..0xFFFFFFFF.
    mov ax, S_ED32
    mov fs, ax
    mov eax, [fs:0x1000]
    mov eax, [fs:0xFFFFFF00]
%ifndef QEMU
    FAULT_BEGIN 13, 0
    mov al, [fs:0xFFF]
    FAULT_END
%endif
    ; Expand-down, B=0: valid offsets are 0x1000..0xFFFF.
    mov ax, S_ED16
    mov fs, ax
    mov ax, [fs:0xFFFE]
%ifndef QEMU
    FAULT_BEGIN 13, 0
    mov al, [fs:0x10000]
    FAULT_END
%endif
%ifndef QEMU
    FAULT_BEGIN 13, 0
    mov ax, [fs:0xFFFF]
    FAULT_END
%endif

    ; Stack-segment limit violations raise #SS(0); run in ring 3 so that
    ; the #SS handler gets a good ring-0 stack.
    mov eax, user_stack
    xor ebx, ebx
    call run_ring3
    ASSERT_EQ [v_tmp], 0x55, "ring-3 stack checks ran"

    call ldt_checks
    call cs_checks
    ret

; LLDT and TI=1 selectors.
ldt_checks:
    mov edi, LDT_BASE
    mov ebx, 0x20000
    mov ecx, 0xFFFF
    mov edx, ACC_DATA
    call desc_write                  ; LDT entry 0 = selector 0x04
    add edi, 8
    mov ebx, 0
    mov edx, ACC_DATA ^ ACC_NP
    call desc_write                  ; LDT entry 1 = selector 0x0C
    ; TI=1 with a null LDTR: #GP(sel).
    xor eax, eax
    lldt ax
    mov ax, 0x04
    FAULT_BEGIN 13, 0x04
    mov fs, ax
    FAULT_END
    ; LLDT of something that is not an LDT descriptor: #GP(sel).
    mov ax, SEL_DATA0
    FAULT_BEGIN 13, SEL_DATA0
    lldt ax
    FAULT_END
    mov ax, S_LDT
    lldt ax
    sldt ebx
    ASSERT_EQ ebx, S_LDT, "sldt"
    mov ax, 0x04
    mov fs, ax
    mov dword [fs:0x10], 0xCAFE
    ASSERT_EQ [0x20010], 0xCAFE, "ldt base"
    mov ax, 0x0C
    FAULT_BEGIN 11, 0x0C
    mov fs, ax
    FAULT_END
    ; Beyond the LDT limit (15): #GP(sel).
    mov ax, 0x14
    FAULT_BEGIN 13, 0x14
    mov fs, ax
    FAULT_END
    xor eax, eax
    lldt ax
    ret

; Far transfers to bad code selectors.
cs_checks:
    FAULT_BEGIN 13, SEL_DATA0
    jmp SEL_DATA0:cs_checks
    FAULT_END
    FAULT_BEGIN 11, S_CNP
    jmp S_CNP:cs_checks
    FAULT_END
    FAULT_BEGIN 13, 0
    jmp 0:cs_checks
    FAULT_END
    ; Non-conforming code with DPL != CPL (direct, no gate): #GP(sel).
    FAULT_BEGIN 13, SEL_CODE3 & ~3
    call (SEL_CODE3 & ~3):cs_checks
    FAULT_END
    ; A far call within ring 0 works and RETF returns.
    mov dword [v_tmp], 0
    call SEL_CODE0:far_target
    ASSERT_EQ [v_tmp], 0x77, "far call"
    ; A 16-bit code segment (base 0xF0000).
    call SEL_CODE16:(seg16_code - 0)
    ASSERT_EQ [v_tmp], 0x16, "16-bit code segment"
    ret

far_target:
    mov dword [v_tmp], 0x77
    retf

section .rm
bits 16
seg16_code:
    mov dword [v_tmp], 0x16
    o32 retf
section .text
bits 32

user_stack:
    mov ax, S_STK
    mov ss, ax
    mov esp, 0x1000
    push eax
%ifndef QEMU
    FAULT_BEGIN_NOEIP 12, 0
    mov esp, 0x2
.f1: push eax
    FAULT_END
    ASSERT_EQ [v_eip], .f1, "push below the stack limit"
    FAULT_BEGIN_NOEIP 12, 0
    mov esp, 0x2000
.f2: mov eax, [esp]
    FAULT_END
    ASSERT_EQ [v_eip], .f2, "esp beyond the stack limit"
    FAULT_BEGIN_NOEIP 12, 0
    xor ebp, ebp
.f3: mov eax, [ebp + 0x1FFF]
    FAULT_END
    ASSERT_EQ [v_eip], .f3, "ebp-based access beyond the limit"
%endif
    mov esp, 0x1000
    mov dword [v_tmp], 0x55
    RING0
