/*
 * log.h — the one logging and trace facility.
 *
 * Levels: host-side errors, guest mistakes (LOG_GUEST_ERROR: the guest
 * programmed something invalid and we behave as the hardware would),
 * unmodelled features (LOG_UNIMP), and trace classes selected with -trace.
 * The log state lives in the VM (vm->log), like all other state.
 * log_once() prints a given format string at most once per VM, so a
 * misbehaving guest cannot flood the host.
 */
#ifndef X86BT_LOG_H
#define X86BT_LOG_H

#include <stdbool.h>
#include <stdio.h>

enum {
    LOG_ERROR = 1 << 0,           /* host-side failure */
    LOG_GUEST_ERROR = 1 << 1,     /* guest did something invalid */
    LOG_UNIMP = 1 << 2,           /* feature not modelled */
    LOG_INFO = 1 << 3,            /* start-up and state changes */
    LOG_TRACE_INSN = 1 << 8,      /* -trace insn */
    LOG_TRACE_TRANSLATE = 1 << 9, /* -trace translate */
    LOG_TRACE_INT = 1 << 10,      /* -trace int: exceptions, interrupts */
    LOG_TRACE_IO = 1 << 11,       /* -trace io: port and MMIO accesses */
};

#define LOG_DEFAULT_MASK (LOG_ERROR | LOG_GUEST_ERROR | LOG_UNIMP)
#define LOG_ONCE_MAX 256

typedef struct Log {
    unsigned mask;
    FILE *out;                         /* NULL means stderr */
    const char *once[LOG_ONCE_MAX];    /* formats already printed once */
    unsigned once_count;
} Log;

void log_init(Log *log, unsigned mask);
static inline bool log_enabled(const Log *log, unsigned level)
{
    return (log->mask & level) != 0;
}
void log_msg(Log *log, unsigned level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Like log_msg, but each distinct fmt (by pointer) is printed only once. */
void log_once(Log *log, unsigned level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Parse a -trace list ("insn,translate,int,io") into a mask; -1 if bad. */
int log_parse_trace(const char *list, unsigned *mask);

#ifdef X86BT_TRACE
#define TRACE(log, dev, fmt, ...)                                          \
    log_msg((log), LOG_TRACE_IO, "%s: " fmt "\n", (dev), __VA_ARGS__)
#else
#define TRACE(log, dev, fmt, ...) ((void)(log))
#endif

#endif
