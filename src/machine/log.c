/* log.c — per-VM logging; see log.h. */
#include "machine/log.h"

#include <stdarg.h>
#include <string.h>

void log_init(Log *log, unsigned mask)
{
    memset(log, 0, sizeof(*log));
    log->mask = mask;
}

static void log_vprint(Log *log, const char *fmt, va_list ap)
{
    FILE *out = log->out ? log->out : stderr;
    vfprintf(out, fmt, ap);
    fflush(out);
}

void log_msg(Log *log, unsigned level, const char *fmt, ...)
{
    if (!log_enabled(log, level))
        return;
    va_list ap;
    va_start(ap, fmt);
    log_vprint(log, fmt, ap);
    va_end(ap);
}

void log_once(Log *log, unsigned level, const char *fmt, ...)
{
    if (!log_enabled(log, level))
        return;
    for (unsigned i = 0; i < log->once_count; i++)
        if (log->once[i] == fmt)
            return;
    if (log->once_count < LOG_ONCE_MAX)
        log->once[log->once_count++] = fmt;
    va_list ap;
    va_start(ap, fmt);
    log_vprint(log, fmt, ap);
    va_end(ap);
}

int log_parse_trace(const char *list, unsigned *mask)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {
        {"insn", LOG_TRACE_INSN}, {"translate", LOG_TRACE_TRANSLATE},
        {"int", LOG_TRACE_INT},   {"io", LOG_TRACE_IO},
        {"unimp", LOG_UNIMP},     {"guest", LOG_GUEST_ERROR},
        {"info", LOG_INFO},
    };
    char buf[256];
    if (strlen(list) >= sizeof(buf))
        return -1;
    strcpy(buf, list);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        size_t i;
        for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            if (strcmp(tok, names[i].name) == 0)
                break;
        if (i == sizeof(names) / sizeof(names[0]))
            return -1;
        *mask |= names[i].bit;
    }
    return 0;
}
