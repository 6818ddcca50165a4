; v86.asm — virtual-8086 mode (SDM vol. 3 chapter 20): entry by IRETD with
; VM=1, real-mode addressing, IOPL-sensitive CLI/STI/PUSHF/POPF/INT n/IRET
; (#GP(0) when IOPL < 3), INT n to a ring-0 handler (segment registers
; pushed and nulled), INT3 not IOPL-sensitive, I/O always checked against
; the TSS bitmap, IRETD back to V86.
%include "lib/x86bt.inc"

V86_SS    equ 0x2000
V86_SP    equ 0x1000
V_FRAME   equ v_tmp           ; 9 dwords copied from the INT 0x31 frame
V_SEGS    equ v_tmp + 0x24    ; DS, ES, FS, GS seen by the handler
V_DONE    equ v_tmp + 0x34
IOPL3     equ 0x3000

%macro V86_EXPECT_GP 1         ; run V86 code at %1 (IOPL 0), expect #GP(0)
    FAULT_BEGIN_NOEIP 13, 0
    mov eax, 0xF0000000 + %1
    mov ecx, (V86_SS << 16) | V86_SP
    xor ebx, ebx
    call run_v86
    FAULT_END
    ASSERT_EQ [v_eip], %1, "V86 #GP eip"
    ASSERT_EQ [v_cs], 0xF000, "V86 #GP cs"
%endmacro

test_main:
    IDT_SET 0x31, int31, GATE_INT32 | ACC_DPL3
    ; IOPL 3: everything runs; INT 0x31 reaches ring 0 and returns.
    mov eax, 0xF0000000 + v86_main
    mov ecx, (V86_SS << 16) | V86_SP
    mov ebx, IOPL3
    call run_v86
    ASSERT_EQ [V_DONE], 0x600D, "V86 code completed"
    movzx eax, word [0x20020]
    ASSERT_EQ eax, 0xBEEF, "V86 store at 2000:0020"
    ASSERT_EQ [V_FRAME + 4], 0xF000, "frame CS"
    mov eax, [V_FRAME + 8]
    and eax, 0x20000
    ASSERT_EQ eax, 0x20000, "frame EFLAGS.VM"
    ASSERT_EQ [V_FRAME + 16], V86_SS, "frame SS"
    ASSERT_EQ [V_FRAME + 20], 0x1234, "frame ES"
    ASSERT_EQ [V_FRAME + 24], 0x2000, "frame DS"
    ASSERT_EQ [V_SEGS], 0, "DS nulled on entry from V86"
    ASSERT_EQ [V_SEGS + 4], 0, "ES nulled"
    ASSERT_EQ [V_SEGS + 8], 0, "FS nulled"
    ASSERT_EQ [V_SEGS + 12], 0, "GS nulled"

    ; IOPL 0: the IOPL-sensitive instructions fault with #GP(0).
    V86_EXPECT_GP v86_cli
    V86_EXPECT_GP v86_sti
    V86_EXPECT_GP v86_pushf
    V86_EXPECT_GP v86_popf
    V86_EXPECT_GP v86_int
    V86_EXPECT_GP v86_iret
    ; I/O: port 0x80 is denied by the bitmap, even with IOPL 3.
    V86_EXPECT_GP v86_in80
    FAULT_BEGIN_NOEIP 13, 0
    mov eax, 0xF0000000 + v86_in80
    mov ecx, (V86_SS << 16) | V86_SP
    mov ebx, IOPL3
    call run_v86
    FAULT_END
    ; Allowed by the bitmap: runs even with IOPL 0 (then INT3 exits).
    and byte [IOMAP_BASE + (0x80 >> 3)], ~1
    FAULT_BEGIN_NOEIP 3, NOERR
    mov eax, 0xF0000000 + v86_in80
    mov ecx, (V86_SS << 16) | V86_SP
    xor ebx, ebx
    call run_v86
    FAULT_END
    ; INT3 is not IOPL-sensitive: vector 3 through the DPL-3 gate.
    mov eax, [v_eflags]
    and eax, 0x20000
    ASSERT_EQ eax, 0x20000, "INT3 frame from V86"
    ASSERT_EQ [v_eip], v86_in80.after, "INT3 eip"
    ret

; INT 0x31 from V86: copy the frame, note the data segment registers.
int31:
    push ebp
    lea ebp, [esp + 4]
    push eax
    push ecx
    xor ecx, ecx
.copy:
    mov eax, [ss:ebp + ecx * 4]
    mov [ss:V_FRAME + ecx * 4], eax
    inc ecx
    cmp ecx, 9
    jne .copy
    mov eax, ds
    mov [ss:V_SEGS], eax
    mov eax, es
    mov [ss:V_SEGS + 4], eax
    mov eax, fs
    mov [ss:V_SEGS + 8], eax
    mov eax, gs
    mov [ss:V_SEGS + 12], eax
    pop ecx
    pop eax
    pop ebp
    iretd

section .rm
bits 16
v86_main:
    cli
    sti
    pushf
    popf
    mov ax, 0x2000
    mov ds, ax
    mov word [0x20], 0xBEEF
    mov ax, 0x1234
    mov es, ax
    int 0x31                   ; to ring 0 and back
    xor ax, ax
    mov ds, ax
    mov dword [V_DONE], 0x600D
    int VEC_RING0

v86_cli:   cli
v86_sti:   sti
v86_pushf: pushf
v86_popf:  popf
v86_int:   int 0x31
v86_iret:  iret
v86_in80:
    in al, 0x80
    int3
.after:
    hlt

section .text
bits 32
