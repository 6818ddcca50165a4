/*
 * clock.c — virtual time and timers; see clock.h.
 *
 * Timers form a singly linked list sorted by deadline: devices have few
 * timers each, and the main loop only needs the head.
 */
#include "machine/clock.h"

#include <string.h>
#include <time.h>

int64_t clock_host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

void clock_init(Clock *clock, bool icount_mode, unsigned icount_shift)
{
    memset(clock, 0, sizeof(*clock));
    clock->icount_mode = icount_mode;
    clock->icount_shift = icount_shift > 20 ? 20 : icount_shift;
    clock->host_origin = clock_host_ns();
    clock->stopped_at = -1;
}

int64_t clock_now(const Clock *clock)
{
    if (clock->icount_mode) {
        uint64_t n = clock->icount;
        if (clock->icount_live)
            n += clock->icount_live(clock->icount_live_opaque);
        return (int64_t)(n << clock->icount_shift);
    }
    int64_t host = clock->stopped_at >= 0 ? clock->stopped_at
                                          : clock_host_ns();
    return host - clock->host_origin;
}

void clock_stop(Clock *clock)
{
    if (clock->stopped_at < 0)
        clock->stopped_at = clock_host_ns();
}

void clock_resume(Clock *clock)
{
    if (clock->stopped_at >= 0) {
        clock->host_origin += clock_host_ns() - clock->stopped_at;
        clock->stopped_at = -1;
    }
}

void timer_init(Timer *t, Clock *clock, TimerFn cb, void *opaque)
{
    memset(t, 0, sizeof(*t));
    t->clock = clock;
    t->cb = cb;
    t->opaque = opaque;
}

void timer_del(Timer *t)
{
    if (!t->pending)
        return;
    for (Timer **pp = &t->clock->head; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->pending = false;
    t->next = NULL;
}

void timer_mod(Timer *t, int64_t expire)
{
    timer_del(t);
    t->expire = expire;
    t->pending = true;
    Timer **pp = &t->clock->head;
    while (*pp && (*pp)->expire <= expire)
        pp = &(*pp)->next;
    t->next = *pp;
    *pp = t;
}

int clock_run_timers(Clock *clock)
{
    int fired = 0;
    int64_t now = clock_now(clock);
    /* A callback may re-arm its own timer in the past; bound the loop so a
     * guest-programmed zero period cannot hang the host. */
    while (clock->head && clock->head->expire <= now && fired < 10000) {
        Timer *t = clock->head;
        clock->head = t->next;
        t->next = NULL;
        t->pending = false;
        t->cb(t->opaque);
        fired++;
    }
    return fired;
}

int64_t clock_next_deadline(const Clock *clock)
{
    return clock->head ? clock->head->expire : INT64_MAX;
}

uint64_t clock_ns_to_ticks(int64_t ns, uint64_t hz)
{
    if (ns <= 0)
        return 0;
    unsigned __int128 t = (unsigned __int128)(uint64_t)ns * hz;
    return (uint64_t)(t / NS_PER_SEC);
}

int64_t clock_ticks_to_ns(uint64_t ticks, uint64_t hz)
{
    unsigned __int128 t = (unsigned __int128)ticks * NS_PER_SEC;
    return (int64_t)((t + hz - 1) / hz);
}
