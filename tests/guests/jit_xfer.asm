; jit_xfer.asm — INT n and IRET whose successors the translation tier
; keeps (docs/JIT.md "Lookup and chaining": a block ending in INT/IRET
; jumps to the block found after its last fast transfer when the same
; descriptor-cache fill, EIP and code page apply). Ring-3 code in RAM calls
; a ring-0 handler in RAM from two sites per iteration, many times, so
; that the kept successors are in use; then each thing they depend on
; changes and the right code must run:
;   1. warm runs: counts exact
;   2. the handler's code patched (its block invalidated)
;   3. the gate moved to another handler (a new IntCache fill)
;   4. the code after the INT patched (the IRET's successor invalidated)
;   5. the two call sites: every IRET returns to the other one (EIP)
;   6. the handler sets TF in the frame: #DB after the first instruction
;      after the IRET, with EIP exact
;   7. the handler raises IRQ1 (8042 command 0xD2) with IF=0; the IRET to
;      ring 3 sets IF: the interrupt is taken before the next instruction
;   8. the handler of call K loads DS with a ring-0 segment: the same
;      IRET fill returns to ring 3 with DS nulled, and the access through
;      DS after it must #GP(0) (not under QEMU, which does not fault there)
;   9. paging on: the handler's page, then the ring-3 code's page, mapped
;      to another frame holding other code (INVLPG), and back
;  10. the handler of call K makes the gate's CS conforming and returns
;      through a conforming CS (both take the full paths, which name no
;      cache fill): call K+1 is delivered at CPL 3, where the handler's
;      load from a supervisor page must fault, which it would not in the
;      CPL-0 block kept from call K
; Cases 6 and 7 run a loop with one call site, so that the IRET's kept
; successor is the one it returns to when TF or the IRQ comes.
%include "lib/x86bt.inc"
%include "lib/paging.inc"

VEC      equ 0x70
IRQ_VEC  equ 0x20             ; PIC base: IRQ1 = 0x21
CNT      equ v_tmp + 0x00     ; handler calls (times its increment)
A_CNT    equ v_tmp + 0x04     ; ring 3, after the first INT
B_CNT    equ v_tmp + 0x08     ; ring 3, after the second INT
DB_CNT   equ v_tmp + 0x0C
DB_EIP   equ v_tmp + 0x10
IRQ_CNT  equ v_tmp + 0x14
IRQ_EIP  equ v_tmp + 0x18
MODE     equ v_tmp + 0x1C     ; 0 plain, 1: set TF, 2: raise IRQ1 ...
KCALL    equ v_tmp + 0x20     ; ... when CNT reaches this value

H1       equ 0x40000          ; RAM copies of the handler and ring-3 code
H2       equ 0x41000
U        equ 0x42000
U1       equ 0x43000          ; the one-site loop
U9       equ 0x44000          ; U with the first site adding 9 (case 8)
SPAGE    equ 0x45000          ; supervisor-only page (case 9)
HS       equ 0x46000          ; handler loading from it
S_CONF   equ GDT_FREE         ; conforming code DPL0, flat
N        equ 3000             ; iterations per run (two INTs each)
K        equ 1500

%macro RUN 0-1 U              ; the ring-3 loop, IF=1
    mov eax, %1
    mov ebx, 0x200
    call run_ring3
%endmacro

%macro SETPTE 2               ; linear page, new PTE (then INVLPG)
    mov eax, %1
    call pte_of
    mov dword [eax], %2
    invlpg [%1]
%endmacro

%macro ZERO 0
    mov dword [CNT], 0
    mov dword [A_CNT], 0
    mov dword [B_CNT], 0
%endmacro

test_main:
    PUTS "jit_xfer: kept INT/IRET successors and what invalidates them", 10
    cld
    COPY h_code, h_code_end, H1
    COPY h_code, h_code_end, H2
    mov byte [H2 + (h_ret - h_code) - 1], 5     ; H2 adds 5
    COPY u_code, u_code_end, U
    COPY u1_code, u1_code_end, U1
    GATE_SET IDT_ADDR(VEC), H1, SEL_CODE0, GATE_INT32 | ACC_DPL3, 0
    IDT_SET 1, db_handler, GATE_INT32
    IDT_SET IRQ_VEC + 1, irq1_handler, GATE_INT32
    mov dword [MODE], 0
    call pic_init               ; every IRQ masked (ring 3 runs with IF=1)
    ; 1. warm runs
    ZERO
    RUN
    ASSERT_EQ [CNT], 2 * N, "case 1 handler calls"
    ASSERT_EQ [A_CNT], N, "case 1 first site"
    ASSERT_EQ [B_CNT], N, "case 1 second site"
    ZERO
    RUN
    ASSERT_EQ [CNT], 2 * N, "case 1 again"
    ; 2. the handler's increment patched to 3
    mov byte [H1 + (h_ret - h_code) - 1], 3
    ZERO
    RUN
    ASSERT_EQ [CNT], 6 * N, "case 2 patched handler"
    ; 3. the gate moved to H2 (adds 5), then back
    GATE_SET IDT_ADDR(VEC), H2, SEL_CODE0, GATE_INT32 | ACC_DPL3, 0
    ZERO
    RUN
    ASSERT_EQ [CNT], 10 * N, "case 3 moved gate"
    GATE_SET IDT_ADDR(VEC), H1, SEL_CODE0, GATE_INT32 | ACC_DPL3, 0
    ZERO
    RUN
    ASSERT_EQ [CNT], 6 * N, "case 3 gate back"
    ; 4. the code after the first INT patched: it adds 2
    mov byte [U + (u_r2 - u_code) - 1], 2
    ZERO
    RUN
    ASSERT_EQ [A_CNT], 2 * N, "case 4 patched return target"
    ASSERT_EQ [B_CNT], N, "case 4 other site"
    ; 5. (every run above alternates the IRET's target; the counts of
    ; both sites were checked) and once more with the sites' roles
    ; swapped by patching the second site's increment
    mov byte [U + (u_r4 - u_code) - 1], 7
    ZERO
    RUN
    ASSERT_EQ [A_CNT], 2 * N, "case 5 first site"
    ASSERT_EQ [B_CNT], 7 * N, "case 5 second site"
    ; 6. TF set in the frame of call K (the one-site loop)
    mov dword [DB_CNT], 0
    mov dword [KCALL], 3 * K
    mov dword [MODE], 1
    ZERO
    RUN U1
    mov dword [MODE], 0
    ASSERT_EQ [DB_CNT], 1, "case 6 one #DB"
    ASSERT_EQ [DB_EIP], U1 + (u1_r2 - u1_code), "case 6 #DB after one instruction"
    ASSERT_EQ [A_CNT], N, "case 6 count"
    ; 7. IRQ1 raised in the handler of call K, taken after its IRET
    mov al, 0x60                ; 8042: write the command byte
    out 0x64, al
    mov al, 0x01                ; keyboard interrupt on, no translation
    out 0x60, al
.drain:
    in al, 0x64                 ; nothing left in the output buffer
    test al, 1
    jz .drained
    in al, 0x60
    jmp .drain
.drained:
    mov al, 0xFD                ; only IRQ1
    out 0x21, al
    mov dword [IRQ_CNT], 0
    mov dword [MODE], 2
    ZERO
    RUN U1
    mov dword [MODE], 0
    mov al, 0xFF
    out 0x21, al
    ASSERT_EQ [IRQ_CNT], 1, "case 7 one IRQ"
    ASSERT_EQ [IRQ_EIP], U1 + (u1_r1 - u1_code), "case 7 IRQ right after IRET"
    ASSERT_EQ [A_CNT], N, "case 7 count"
    ; 8. DS nulled by the IRET of call K (QEMU 7.2's TCG does not fault
    ; on an access through a null DS: not run there)
%ifndef QEMU
    mov dword [MODE], 3
    ZERO
    FAULT_BEGIN_NOEIP 13, 0
    RUN U1
    FAULT_END
    mov dword [MODE], 0
    ASSERT_EQ [v_eip], U1 + (u1_r1 - u1_code), "case 8 #GP at the access through DS"
    ASSERT_EQ [CNT], 3 * K, "case 8 calls before"
%endif
    ; 9. paging: remapped handler and return pages
    COPY u_code, u_code_end, U9
    mov byte [U9 + (u_r2 - u_code) - 1], 9
    call paging_build
    call paging_on
    ZERO
    RUN
    ASSERT_EQ [CNT], 6 * N, "case 9 warm"
    SETPTE H1, H2 | PTE_P | PTE_W | PTE_U
    ZERO
    RUN
    ASSERT_EQ [CNT], 10 * N, "case 9 handler page remapped"
    SETPTE H1, H1 | PTE_P | PTE_W | PTE_U
    ZERO
    RUN
    ASSERT_EQ [CNT], 6 * N, "case 9 handler page back"
    SETPTE U, U9 | PTE_P | PTE_W | PTE_U
    ZERO
    RUN
    ASSERT_EQ [A_CNT], 9 * N, "case 9 return page remapped"
    ASSERT_EQ [B_CNT], N, "case 9 other site (the template adds 1)"
    ; 10. a conforming handler CS: delivery at CPL 3
    COPY hs_code, hs_code_end, HS
    GDT_SET S_CONF, 0, 0xFFFFF, ACC_CONF, FL_G | FL_DB
    SETPTE SPAGE, SPAGE | PTE_P | PTE_W
    GATE_SET IDT_ADDR(VEC), HS, SEL_CODE0, GATE_INT32 | ACC_DPL3, 0
    mov dword [KCALL], K
    ZERO
    FAULT_BEGIN_NOEIP 14, 5         ; user-mode read of a present page
    RUN U1
    FAULT_END
    ASSERT_EQ [v_eip], HS, "case 10 #PF at the handler's load"
    ASSERT_EQ [v_cs], S_CONF | 3, "case 10 handler at CPL 3"
    ASSERT_EQ [v_cr2], SPAGE, "case 10 CR2"
    ASSERT_EQ [CNT], K, "case 10 calls before"
    GATE_SET IDT_ADDR(VEC), H1, SEL_CODE0, GATE_INT32 | ACC_DPL3, 0
    call paging_off
    ret

pic_init:
    PIC_INIT IRQ_VEC, IRQ_VEC + 8, 0xFF, 0xFF
    ret

; #DB from ring 3 (interrupt gate): record, clear TF in the frame.
db_handler:
    push eax
    mov eax, [esp + 4]
    mov [DB_EIP], eax
    add dword [DB_CNT], 1
    and dword [esp + 12], ~0x100
    pop eax
    iretd

; IRQ1: record where ring 3 was interrupted, empty the 8042, EOI.
irq1_handler:
    push eax
    mov eax, [esp + 4]
    mov [IRQ_EIP], eax
    add dword [IRQ_CNT], 1
    in al, 0x60
    mov al, 0x20
    out 0x20, al
    pop eax
    iretd

; ---------------------------------------------- templates copied to RAM

; Ring-0 handler of VEC (DS = the ring-3 flat data segment).
h_code:
    add dword [CNT], strict byte 1
h_ret:
    cmp dword [MODE], 0
    jne .special
    iretd
.special:
    push eax
    mov eax, [CNT]
    cmp eax, [KCALL]
    jne .out
    cmp dword [MODE], 1
    jne .irq
    or dword [esp + 12], 0x100  ; frame EFLAGS (above EIP, CS) |= TF
    jmp .out
.irq:
    cmp dword [MODE], 2
    jne .nullds
    mov al, 0xD2                ; 8042: next byte as if from the keyboard
    out 0x64, al
    mov al, 0x55
    out 0x60, al
    jmp .out
.nullds:
    mov ax, SEL_DATA0           ; the IRET to ring 3 nulls DS
    mov ds, ax
.out:
    pop eax
    iretd
h_code_end:

; Handler of case 9: a load from the supervisor page first.
hs_code:
    mov eax, [SPAGE]
    add dword [CNT], 1
    push eax
    mov eax, [CNT]
    cmp eax, [KCALL]
    pop eax
    jne hs_ret
    mov word [IDT_ADDR(VEC) + 2], S_CONF
    mov dword [esp + 4], S_CONF | 3 ; the frame's CS
hs_ret:
    iretd
hs_code_end:

; Ring 3: two INT sites per iteration, then back to ring 0.
u_code:
    mov ecx, N
u_loop:
    int VEC
u_r1:
    add dword [A_CNT], strict byte 1
u_r2:
    int VEC
u_r3:
    add dword [B_CNT], strict byte 1
u_r4:
    dec ecx
    jnz u_loop
    RING0
u_code_end:

; Ring 3: one INT site per iteration.
u1_code:
    mov ecx, N
u1_loop:
    int VEC
u1_r1:
    add dword [A_CNT], strict byte 1
u1_r2:
    dec ecx
    jnz u1_loop
    RING0
u1_code_end:
