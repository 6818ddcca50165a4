; vga.asm — the VGA through the CPU (both tiers): port writes (also as
; words: index in the low byte, data in the high byte), the 0xA0000-0xBFFFF
; MMIO window with byte/dword and string accesses, odd/even text memory,
; chain-4, write mode 0 set/reset with bit mask and latches, read mode 1,
; and the Bochs DISPI ID register. References: FreeVGA register pages;
; QEMU docs/specs/standard-vga.txt. Runs on QEMU's stdvga as well.
%include "lib/x86bt.inc"

%macro SEQ 2
    mov ax, (%2 << 8) | %1
    mov dx, 0x3C4
    out dx, ax
%endmacro
%macro GRC 2
    mov ax, (%2 << 8) | %1
    mov dx, 0x3CE
    out dx, ax
%endmacro

test_main:
    PUTS "vga: ports, window, planes", 10
    mov dx, 0x3C2
    mov al, 0x67              ; colour CRTC at 0x3D4
    out dx, al
    mov dx, 0x3CC
    in al, dx
    movzx eax, al
    ASSERT_EQ eax, 0x67, "misc output readback"

    ; Text: odd/even, map B8000, planes 0 and 1.
    SEQ 2, 0x03
    SEQ 4, 0x02
    GRC 5, 0x10
    GRC 6, 0x0E
    GRC 8, 0xFF
    mov edi, 0xB8000
    mov eax, 0x1F421F41       ; "A" "B", attribute 0x1F
    mov ecx, 16
    rep stosd
    ASSERT_EQ [0xB8000], 0x1F421F41, "text dword readback"
    movzx eax, byte [0xB803E]
    ASSERT_EQ eax, 0x42, "text byte readback"
    movzx eax, byte [0xA0000]
    ASSERT_EQ eax, 0xFF, "A0000 outside the B8000 map floats"

    ; Chain-4 (mode 13h layout): address bits 1:0 pick the plane.
    SEQ 4, 0x0E
    GRC 5, 0x40
    GRC 6, 0x05
    SEQ 2, 0x0F
    mov dword [0xA0100], 0x44332211
    ASSERT_EQ [0xA0100], 0x44332211, "chain-4 readback"
    ; Planar view of the same bytes: plane 2 holds 0x33.
    SEQ 4, 0x06
    GRC 5, 0x00
    GRC 4, 0x02
    movzx eax, byte [0xA0040]
    ASSERT_EQ eax, 0x33, "chain-4 byte seen in plane 2"

    ; Write mode 0: set/reset planes 0 and 2, bit mask 0xF0, latches.
    GRC 1, 0x0F
    GRC 0, 0x05
    GRC 8, 0xFF
    mov byte [0xA2000], 0
    GRC 0, 0x0A
    GRC 8, 0xF0
    mov al, [0xA2000]         ; load latches
    mov byte [0xA2000], 0
    GRC 4, 0x00
    movzx eax, byte [0xA2000]
    ASSERT_EQ eax, 0x0F, "plane 0 after masked set/reset"
    GRC 4, 0x01
    movzx eax, byte [0xA2000]
    ASSERT_EQ eax, 0xF0, "plane 1 after masked set/reset"
    ; Read mode 1: colour 0xA in the high nibble, 0x5 in the low one.
    GRC 5, 0x08
    GRC 2, 0x0A
    GRC 7, 0x0F
    movzx eax, byte [0xA2000]
    ASSERT_EQ eax, 0xF0, "colour compare 0xA"
    GRC 2, 0x05
    movzx eax, byte [0xA2000]
    ASSERT_EQ eax, 0x0F, "colour compare 0x5"
    GRC 5, 0x00
    GRC 1, 0x00
    GRC 8, 0xFF

    ; Attribute controller flip-flop: reset by reading input status 1.
    mov dx, 0x3DA
    in al, dx
    mov dx, 0x3C0
    mov al, 0x13
    out dx, al
    mov dx, 0x3DA
    in al, dx
    mov dx, 0x3C0
    mov al, 0x32              ; index 0x12 (PAS set), not data
    out dx, al
    mov al, 0x0F
    out dx, al
    mov dx, 0x3C1
    in al, dx
    movzx eax, al
    ASSERT_EQ eax, 0x0F, "attribute 0x12 after flip-flop reset"

    ; Bochs DISPI ID.
    mov dx, 0x1CE
    xor ax, ax
    out dx, ax
    mov dx, 0x1CF
    mov ax, 0xB0C5
    out dx, ax
    in ax, dx
    movzx eax, ax
    ASSERT_EQ eax, 0xB0C5, "DISPI ID"
    PUTS "vga: ok", 10
    ret
