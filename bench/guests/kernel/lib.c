/* lib.c - serial console on COM1 (0x3F8, 16550 UART) and emulator exit.
 * Exit order: isa-debug-exit at port 0xF4 (QEMU and x86bt: status (v<<1)|1),
 * Bochs "Shutdown" string at port 0x8900, then cli;hlt forever (the runner
 * kills the emulator once it has seen BENCH-END). */
#include "lib.h"

#define COM1 0x3F8
#define DEBUG_EXIT_PORT 0xF4
#define BOCHS_SHUTDOWN_PORT 0x8900

static const char hex_digits[] = "0123456789abcdef";
static const char bochs_shutdown[] = "Shutdown";

void serial_init(void)
{
    outb(COM1 + 1, 0x00);   /* no interrupts */
    outb(COM1 + 3, 0x80);   /* DLAB */
    outb(COM1 + 0, 0x01);   /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);   /* 8N1 */
    outb(COM1 + 2, 0xC7);   /* FIFO on, cleared */
    outb(COM1 + 4, 0x03);   /* DTR, RTS */
}

void putc_serial(char c)
{
    for (uint32_t spin = 0; spin < 1000000; spin++)
        if (inb(COM1 + 5) & 0x20)
            break;
    outb(COM1, (uint8_t)c);
}

void puts_serial(const char *s)
{
    while (*s) {
        if (*s == '\n')
            putc_serial('\r');
        putc_serial(*s++);
    }
}

void put_dec(uint32_t v)
{
    char b[11];
    int i = 10;
    b[i] = 0;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    puts_serial(&b[i]);
}

void put_hex(uint32_t v)
{
    char b[9];
    for (int i = 7; i >= 0; i--) {
        b[i] = hex_digits[v & 15];
        v >>= 4;
    }
    b[8] = 0;
    puts_serial(b);
}

void bench_report(const char *name, uint32_t iters, uint32_t result)
{
    puts_serial("BENCH name=");
    puts_serial(name);
    puts_serial(" iters=");
    put_dec(iters);
    puts_serial(" result=0x");
    put_hex(result);
    puts_serial("\n");
}

void bench_exit(uint8_t code)
{
    puts_serial("BENCH-END\n");
    outb(DEBUG_EXIT_PORT, code);
    for (const char *p = bochs_shutdown; *p; p++)
        __asm__ volatile("outb %0, %1" :: "a"((uint8_t)*p),
                         "d"((uint16_t)BOCHS_SHUTDOWN_PORT));
    for (;;)
        __asm__ volatile("cli; hlt");
}

void *memset(void *d, int c, size_t n)
{
    uint8_t *p = d;
    while (n--) *p++ = (uint8_t)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *p = d;
    const uint8_t *q = s;
    while (n--) *p++ = *q++;
    return d;
}
