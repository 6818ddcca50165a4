; bootmark.asm — a boot sector that proves the BIOS booted it.
; Prints "X86BT-BOOT-OK dl=XX" through INT 10h (teletype; SeaBIOS mirrors it
; to the serial console) and through port 0xE9, then ends the emulator
; through the test exit port 0xF4 (value 0 -> exit status 1 = pass).
; Built as a floppy sector, an MBR and an El Torito no-emulation image.
        bits 16
        org 0x7C00
start:
        cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7C00
        sti
        mov [drive], dl
        mov si, msg
        call puts
        mov al, [drive]
        shr al, 4
        call hexdigit
        mov al, [drive]
        call hexdigit
        mov si, crlf
        call puts
        xor al, al
        out 0xF4, al            ; pass
        cli
.hang:  hlt
        jmp .hang

; print the low nibble of al as hex
hexdigit:
        and al, 0x0F
        add al, '0'
        cmp al, '9'
        jbe .p
        add al, 'A' - '9' - 1
.p:     jmp putc

puts:   lodsb
        test al, al
        jz .done
        call putc
        jmp puts
.done:  ret

putc:   out 0xE9, al
        mov ah, 0x0E
        mov bx, 0x0007
        int 0x10
        ret

msg:    db "X86BT-BOOT-OK dl=", 0
crlf:   db 13, 10, 0
drive:  db 0
        times 446 - ($ - $$) db 0
; one active partition entry so an MBR-style disk looks sane
        db 0x80, 0, 2, 0, 0x01, 0, 0x3F, 0
        dd 1, 2047
        times 510 - ($ - $$) db 0
        dw 0xAA55
