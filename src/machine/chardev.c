/*
 * chardev.c — host byte streams for serial ports: stdio, file, Unix socket,
 * none. See chardev.h.
 */
#include "machine/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CHARDEV_CTRL_A 0x01

static void chardev_init_fields(Chardev *c, Log *log)
{
    memset(c, 0, sizeof(*c));
    c->in_fd = c->out_fd = c->listen_fd = -1;
    c->log = log;
}

/* Raw terminal: no line editing, echo or signals (Ctrl-C goes to the
 * guest), but keep output post-processing so "\n" still returns. */
static void chardev_stdio_raw(Chardev *c)
{
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &c->saved_tio))
        return;
    struct termios t = c->saved_tio;
    t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
                   ICRNL | IXON);
    t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
        c->raw = true;
}

static int chardev_open_unix(Chardev *c, const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        log_msg(c->log, LOG_ERROR, "serial: socket path too long: %s\n",
                path);
        return -ENAMETOOLONG;
    }
    strcpy(sa.sun_path, path);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path); /* stale socket from an earlier run */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, 1) < 0) {
        int e = errno;
        close(fd);
        log_msg(c->log, LOG_ERROR, "serial: cannot listen on %s: %s\n",
                path, strerror(e));
        return -e;
    }
    c->listen_fd = fd;
    strcpy(c->path, path);
    return 0;
}

int chardev_open(Chardev *c, const char *spec, Log *log)
{
    chardev_init_fields(c, log);
    if (!spec || strcmp(spec, "none") == 0) {
        c->kind = CHARDEV_NONE;
        return 0;
    }
    if (strcmp(spec, "stdio") == 0) {
        c->kind = CHARDEV_STDIO;
        c->in_fd = STDIN_FILENO;
        c->out_fd = STDOUT_FILENO;
        chardev_stdio_raw(c);
        return 0;
    }
    if (strncmp(spec, "file:", 5) == 0) {
        c->kind = CHARDEV_FILE;
        c->out_fd = open(spec + 5, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                         0644);
        if (c->out_fd < 0) {
            int e = errno;
            log_msg(log, LOG_ERROR, "serial: cannot open %s: %s\n",
                    spec + 5, strerror(e));
            return -e;
        }
        return 0;
    }
    if (strncmp(spec, "unix:", 5) == 0) {
        c->kind = CHARDEV_UNIX;
        return chardev_open_unix(c, spec + 5);
    }
    log_msg(log, LOG_ERROR, "serial: unknown backend '%s'\n", spec);
    return -EINVAL;
}

static void chardev_drop_client(Chardev *c)
{
    if (c->in_fd >= 0)
        close(c->in_fd);
    c->in_fd = c->out_fd = -1;
}

void chardev_close(Chardev *c)
{
    if (c->raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &c->saved_tio);
    c->raw = false;
    switch (c->kind) {
    case CHARDEV_FILE:
        if (c->out_fd >= 0)
            close(c->out_fd);
        break;
    case CHARDEV_UNIX:
        chardev_drop_client(c);
        if (c->listen_fd >= 0) {
            close(c->listen_fd);
            unlink(c->path);
        }
        break;
    default:
        break;
    }
    c->in_fd = c->out_fd = c->listen_fd = -1;
    c->kind = CHARDEV_NONE;
}

bool chardev_has_input(const Chardev *c)
{
    return c->kind == CHARDEV_STDIO || c->kind == CHARDEV_UNIX;
}

void chardev_write(Chardev *c, const uint8_t *buf, size_t len)
{
    while (len > 0 && c->out_fd >= 0) {
        ssize_t n = c->kind == CHARDEV_UNIX
                        ? send(c->out_fd, buf, len, MSG_NOSIGNAL)
                        : write(c->out_fd, buf, len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            if (errno == EAGAIN) {
                struct pollfd p = {.fd = c->out_fd, .events = POLLOUT};
                poll(&p, 1, 100);
            }
            continue;
        }
        if (n <= 0) {
            if (c->kind == CHARDEV_UNIX)
                chardev_drop_client(c);
            else
                c->out_fd = -1; /* stdout closed: discard from now on */
            return;
        }
        buf += n;
        len -= (size_t)n;
    }
}

/* Ctrl-A escapes on stdio (like QEMU): Ctrl-A x quits, Ctrl-A Ctrl-A is a
 * literal Ctrl-A, anything else after Ctrl-A is swallowed. */
static size_t chardev_filter_escapes(Chardev *c, uint8_t *buf, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = buf[i];
        if (c->escape) {
            c->escape = false;
            if (b == 'x' && c->quit)
                c->quit(c->quit_opaque);
            else if (b == CHARDEV_CTRL_A)
                buf[out++] = b;
        } else if (b == CHARDEV_CTRL_A) {
            c->escape = true;
        } else {
            buf[out++] = b;
        }
    }
    return out;
}

static void chardev_accept(Chardev *c)
{
    int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    c->in_fd = c->out_fd = fd;
    log_msg(c->log, LOG_INFO, "serial: client connected on %s\n", c->path);
}

size_t chardev_read(Chardev *c, uint8_t *buf, size_t len)
{
    if (c->kind == CHARDEV_UNIX && c->in_fd < 0 && c->listen_fd >= 0)
        chardev_accept(c);
    if (c->in_fd < 0 || len == 0)
        return 0;
    struct pollfd p = {.fd = c->in_fd, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR)))
        return 0;
    ssize_t n = read(c->in_fd, buf, len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (n <= 0) {
        if (c->kind == CHARDEV_UNIX)
            chardev_drop_client(c);
        else
            c->in_fd = -1; /* EOF on stdin: no more input */
        return 0;
    }
    if (c->kind == CHARDEV_STDIO && c->raw)
        return chardev_filter_escapes(c, buf, (size_t)n);
    return (size_t)n;
}
