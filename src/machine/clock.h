/*
 * clock.h — the virtual clock and its timers.
 *
 * Virtual time is in nanoseconds since power-on. Two sources:
 *  - host mode (default): host CLOCK_MONOTONIC, minus time spent stopped;
 *  - icount mode (-icount N): time advances 2^N ns per executed guest
 *    instruction, so runs are reproducible; the CPU adds to clock->icount.
 * Timers are owned by their device (embedded in its state), linked into the
 * clock's list sorted by deadline. clock_run_timers() fires expired ones.
 */
#ifndef X86BT_CLOCK_H
#define X86BT_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define NS_PER_SEC 1000000000ll

typedef void (*TimerFn)(void *opaque);

typedef struct Timer {
    int64_t expire;      /* virtual ns; valid while pending */
    bool pending;
    TimerFn cb;
    void *opaque;
    struct Timer *next;
    struct Clock *clock;
} Timer;

typedef struct Clock {
    bool icount_mode;
    unsigned icount_shift;  /* ns per instruction = 1 << shift */
    uint64_t icount;        /* instructions executed (icount mode) */
    /* icount mode: instructions retired in the CPU slice running now and
     * not yet in icount (set by the VM), so that time read inside a slice
     * is exact at the instruction; NULL: none. */
    uint64_t (*icount_live)(void *opaque);
    void *icount_live_opaque;
    int64_t host_origin;    /* host ns at virtual time 0 */
    int64_t stopped_at;     /* host ns when stopped, or -1 */
    Timer *head;
} Clock;

void clock_init(Clock *clock, bool icount_mode, unsigned icount_shift);
int64_t clock_now(const Clock *clock);
int64_t clock_host_ns(void);
void clock_stop(Clock *clock);
void clock_resume(Clock *clock);

void timer_init(Timer *t, Clock *clock, TimerFn cb, void *opaque);
/* Arm (or re-arm) at absolute virtual time `expire`. */
void timer_mod(Timer *t, int64_t expire);
void timer_del(Timer *t);
static inline bool timer_pending(const Timer *t) { return t->pending; }
/* Fire every timer whose deadline <= now. Returns the number fired. */
int clock_run_timers(Clock *clock);
/* Deadline of the earliest pending timer, or INT64_MAX. */
int64_t clock_next_deadline(const Clock *clock);

/* Convert virtual ns to ticks of a `hz` clock and back (no overflow for
 * hundreds of years of virtual time). */
uint64_t clock_ns_to_ticks(int64_t ns, uint64_t hz);
int64_t clock_ticks_to_ns(uint64_t ticks, uint64_t hz);

#endif
