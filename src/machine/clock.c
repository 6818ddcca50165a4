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
    clock->max_ns_per_insn = CLOCK_MAX_NS_PER_INSN;
}

void clock_set_insn_source(Clock *clock, ClockInsnFn fn, void *opaque)
{
    clock->insn_now = fn;
    clock->insn_opaque = opaque;
    clock->last_insn = fn ? fn(opaque) : 0;
}

static uint64_t clock_insns(const Clock *clock)
{
    return clock->insn_now ? clock->insn_now(clock->insn_opaque) : 0;
}

void clock_slice_begin(Clock *clock)
{
    clock->slice_insn0 = clock_insns(clock);
    clock->in_slice = true;
}

void clock_slice_end(Clock *clock)
{
    if (clock->icount_mode)
        clock->icount += clock_insns(clock) - clock->slice_insn0;
    clock->in_slice = false;
}

static int64_t clock_host_raw(const Clock *clock)
{
    int64_t host = clock->stopped_at >= 0 ? clock->stopped_at
                                          : clock_host_ns();
    return host - clock->host_origin;
}

void clock_catch_up(Clock *clock, int64_t limit)
{
    int64_t raw = clock_host_raw(clock), t = raw - clock->lag;
    if (t < limit)
        t = raw < limit ? raw : limit;
    clock->lag = raw - t;
    clock->last = t;
    clock->last_insn = clock_insns(clock);
}

int64_t clock_now(Clock *clock)
{
    if (clock->icount_mode) {
        uint64_t n = clock->icount;
        if (clock->in_slice)
            n += clock_insns(clock) - clock->slice_insn0;
        return (int64_t)(n << clock->icount_shift);
    }
    int64_t t = clock_host_raw(clock) - clock->lag;
    if (!clock->insn_now)
        return t;
    /* Stall ceiling (clock.h); t >= last always, as lag only grows by
     * what the host clock advanced beyond the ceiling. */
    uint64_t insns = clock_insns(clock), n = insns - clock->last_insn;
    if (n > (uint64_t)(INT64_MAX / 2 / CLOCK_MAX_NS_PER_INSN))
        n = (uint64_t)(INT64_MAX / 2 / CLOCK_MAX_NS_PER_INSN);
    int64_t ceiling = clock->last + ((int64_t)n + 1) * clock->max_ns_per_insn;
    if (clock->head) {
        int64_t due = clock->head->expire + CLOCK_DEADLINE_SLACK;
        ceiling = ceiling < due ? ceiling : due;
    }
    if (ceiling < clock->last)
        ceiling = clock->last; /* a timer armed in the past */
    if (t > ceiling) {
        clock->lag += t - ceiling;
        t = ceiling;
    }
    clock->last = t;
    clock->last_insn = insns;
    return t;
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
        clock->last_insn = clock_insns(clock);
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
