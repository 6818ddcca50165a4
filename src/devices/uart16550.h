/*
 * uart16550.h — 16550A serial port (COM1-COM4) with a host chardev.
 */
#ifndef X86BT_UART16550_H
#define X86BT_UART16550_H

#include <stddef.h>
#include <stdint.h>

typedef struct UartState UartState;

/* Feed received bytes as if they arrived on the line (for frontends and
 * tests); returns how many fit in the receiver (never overruns). */
size_t uart_receive(UartState *s, const uint8_t *buf, size_t len);

#endif
