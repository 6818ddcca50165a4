; legacy.asm — the classic PC devices as a guest sees them through the CPU:
; CMOS checksum and RTC register D (MC146818A), the RTC periodic interrupt
; delivered through the slave 8259A and the cascade (IRQ 8 -> master IR2),
; 16550A loopback on COM2, 8042 self test, 8254 counter 2 gated from port
; 0x61 (OUT2 in bit 5), DMA page registers and the 82077AA VERSION command.
%include "lib/x86bt.inc"

MASTER_VEC equ 0x20
SLAVE_VEC  equ 0x28
IRQ8_COUNT equ v_tmp
IRQ8_REGC  equ v_tmp + 4
COM2       equ 0x2F8
POLL_MAX   equ 10000000

test_main:
    call cmos_checks
    call rtc_irq8
%ifndef QEMU                        ; run.sh starts QEMU with -serial none
    call uart_loopback
%endif
    call kbc_self_test
    call pit_counter2
    call dma_pages
    call fdc_version
    ret

; --- CMOS ---------------------------------------------------------------
cmos_read:                          ; al = index -> al = value
    out 0x70, al
    in al, 0x71
    ret

cmos_checks:
    mov al, 0x0D                    ; register D: VRT (valid RAM and time)
    call cmos_read
    movzx eax, al
    ASSERT_EQ eax, 0x80, "RTC register D"
%ifndef QEMU                        ; QEMU leaves the checksum to the BIOS
    xor ebx, ebx                    ; checksum: sum of 0x10-0x2D
    mov cl, 0x10
.sum:
    mov al, cl
    call cmos_read
    movzx eax, al
    add ebx, eax
    inc cl
    cmp cl, 0x2E
    jb .sum
    mov al, 0x2E
    call cmos_read
    movzx edx, al
    shl edx, 8
    mov al, 0x2F
    call cmos_read
    mov dl, al
    ASSERT_EQ edx, ebx, "CMOS checksum at 0x2E/0x2F"
%endif
    ret

; --- RTC periodic interrupt through the cascade -----------------------------
pic_init:
    PIC_INIT MASTER_VEC, SLAVE_VEC, 0xFB, 0xFE
    ret

rtc_irq8:
    IDT_SET SLAVE_VEC, irq8, GATE_INT32
    call pic_init
    mov dword [IRQ8_COUNT], 0
    mov al, 0x0A                    ; 32.768 kHz time base, 1024 Hz
    out 0x70, al
    mov al, 0x26
    out 0x71, al
    mov al, 0x0C                    ; clear pending flags
    call cmos_read
    mov al, 0x0B                    ; PIE, 24 hour, BCD
    out 0x70, al
    mov al, 0x42
    out 0x71, al
    sti
    hlt
    cli
    mov eax, [IRQ8_COUNT]
    cmp eax, 1
    jae .got
    FAIL "no RTC periodic interrupt on IRQ 8"
.got:
    mov eax, [IRQ8_REGC]
    and eax, 0xC0
    ASSERT_EQ eax, 0xC0, "register C: IRQF and PF"
    mov al, 0x0B                    ; PIE off again
    out 0x70, al
    mov al, 0x02
    out 0x71, al
    mov al, 0x0C
    call cmos_read
    mov al, 0xFF
    out 0x21, al
    out 0xA1, al
    ret

irq8:
    push eax
    inc dword [ss:IRQ8_COUNT]
    mov al, 0x0C                    ; reading C acknowledges the RTC
    out 0x70, al
    in al, 0x71
    movzx eax, al
    mov [ss:IRQ8_REGC], eax
    mov al, 0x20                    ; EOI slave, then master
    out 0xA0, al
    out 0x20, al
    pop eax
    iretd

; --- 16550A loopback on COM2 ------------------------------------------------
uart_loopback:
    mov dx, COM2 + 3
    mov al, 0x03                    ; 8N1, DLAB off
    out dx, al
    mov dx, COM2 + 4
    mov al, 0x10                    ; loopback
    out dx, al
    mov dx, COM2
    mov al, 0x5A
    out dx, al
    mov dx, COM2 + 5
    in al, dx
    movzx eax, al
    and eax, 0x61
    ASSERT_EQ eax, 0x61, "LSR: data ready, THRE, TEMT"
    mov dx, COM2
    in al, dx
    movzx eax, al
    ASSERT_EQ eax, 0x5A, "loopback byte"
    mov dx, COM2 + 4
    mov al, 0x00
    out dx, al
    ret

; --- 8042 self test -------------------------------------------------------------
kbc_wait_write:
    mov ecx, POLL_MAX
.w: in al, 0x64
    test al, 2
    loopnz .w
    ret

kbc_self_test:
    call kbc_wait_write
    mov al, 0xAA
    out 0x64, al
    mov ecx, POLL_MAX
.r: in al, 0x64
    test al, 1
    loopz .r
    in al, 0x60
    movzx eax, al
    ASSERT_EQ eax, 0x55, "8042 self test"
    ret

; --- 8254 counter 2 through port 0x61 ------------------------------------------
pit_counter2:
    in al, 0x61
    and al, 0xFC
    or al, 1                        ; gate 2 high, speaker off
    out 0x61, al
    mov al, 0xB0                    ; counter 2, LSB/MSB, mode 0
    out 0x43, al
    mov al, 0xFF
    out 0x42, al
    mov al, 0x00
    out 0x42, al                    ; 255 clocks: ~214 us
    in al, 0x61
    movzx eax, al
    and eax, 0x20
    ASSERT_EQ eax, 0, "OUT2 low while counting"
    mov ecx, POLL_MAX
.w: in al, 0x61
    test al, 0x20
    loopz .w
    movzx eax, al
    and eax, 0x20
    ASSERT_EQ eax, 0x20, "OUT2 high at terminal count"
    ret

; --- DMA page registers -------------------------------------------------------------
dma_pages:
    mov al, 0x5A
    out 0x81, al
    mov al, 0xA5
    out 0x82, al
    in al, 0x81
    movzx eax, al
    ASSERT_EQ eax, 0x5A, "DMA page register channel 2"
    in al, 0x82
    movzx eax, al
    ASSERT_EQ eax, 0xA5, "DMA page register channel 3"
    ret

; --- 82077AA VERSION -----------------------------------------------------------------
fdc_wait_rqm:                       ; al <- MSR once RQM is set
    mov dx, 0x3F4
    mov ecx, POLL_MAX
.w: in al, dx
    test al, 0x80
    loopz .w
    ret

fdc_version:
    mov dx, 0x3F2
    mov al, 0x08                    ; reset, DMA/IRQ gate on
    out dx, al
    mov al, 0x0C                    ; leave reset
    out dx, al
    call fdc_wait_rqm
    mov dx, 0x3F5
    mov al, 0x10
    out dx, al
    call fdc_wait_rqm
    movzx eax, al
    and eax, 0xC0
    ASSERT_EQ eax, 0xC0, "FDC result phase"
    mov dx, 0x3F5
    in al, dx
    movzx eax, al
    ASSERT_EQ eax, 0x90, "FDC VERSION (82077AA)"
    ret
