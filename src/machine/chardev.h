/*
 * chardev.h — host-side byte streams behind guest serial ports.
 *
 * Specs (as given to -serial): "stdio" (raw terminal when stdin is a tty,
 * restored by chardev_close; Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A),
 * "file:PATH" (output only, truncated), "unix:PATH" (listens on a Unix
 * stream socket and serves one client at a time), "none".
 * Reads never block: the owner polls chardev_read() from a timer.
 */
#ifndef X86BT_CHARDEV_H
#define X86BT_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#include "machine/log.h"

typedef enum ChardevKind {
    CHARDEV_NONE,
    CHARDEV_STDIO,
    CHARDEV_FILE,
    CHARDEV_UNIX,
} ChardevKind;

typedef struct Chardev {
    ChardevKind kind;
    int in_fd;            /* -1 when there is no input (yet) */
    int out_fd;           /* -1 when output is discarded */
    int listen_fd;        /* CHARDEV_UNIX */
    char path[108];       /* CHARDEV_UNIX: socket path, unlinked at close */
    bool raw;             /* saved_tio must be restored */
    struct termios saved_tio;
    bool escape;          /* stdio: Ctrl-A seen */
    /* Called when the user types Ctrl-A x on stdio. */
    void (*quit)(void *opaque);
    void *quit_opaque;
    Log *log;
} Chardev;

/* Open `spec`. 0, or -errno (with a message logged). */
int chardev_open(Chardev *c, const char *spec, Log *log);
void chardev_close(Chardev *c);
/* Whether the backend can ever produce input (stdio, unix). */
bool chardev_has_input(const Chardev *c);
/* Write all of buf (blocking); output to a vanished client is dropped. */
void chardev_write(Chardev *c, const uint8_t *buf, size_t len);
/* Up to len bytes of pending input, without blocking; 0 if none. */
size_t chardev_read(Chardev *c, uint8_t *buf, size_t len);

#endif
