/*
 * clock.h — the virtual clock and its timers.
 *
 * Virtual time is in nanoseconds since power-on. Two sources:
 *  - host mode (default): host CLOCK_MONOTONIC, minus time spent stopped,
 *    minus host stalls the guest must not see (below);
 *  - icount mode (-icount N): time advances 2^N ns per executed guest
 *    instruction, so runs are reproducible.
 * Both modes read the CPU's running retired-instruction count (the VM
 * installs it with clock_set_insn_source), so time also advances inside a
 * CPU slice: a guest polling a timer (Linux's PIT/PM-timer calibration
 * loops) sees it move instruction by instruction, in icount mode exactly
 * and identically in both CPU tiers.
 * Host stalls: between two reads of the clock, virtual time advances at
 * most max_ns_per_insn per retired instruction (plus one; the VM sets it
 * from the measured execution rate, at most CLOCK_MAX_NS_PER_INSN). Host
 * time beyond that (the emulator was descheduled, or spent long in one
 * instruction) is kept as `lag` and hidden from the running guest, so a
 * calibration loop never sees a jump of milliseconds between two
 * instructions. The lag is given back while the CPU is halted
 * (clock_catch_up), when no guest code runs, but never beyond the next
 * timer deadline per step. Likewise a running guest never sees time more
 * than CLOCK_DEADLINE_SLACK past the earliest pending timer (it fires
 * between slices): every periodic edge (the PIT tick) is delivered and
 * can be handled before the next one, so no tick is lost to a host stall.
 * Timers are owned by their device (embedded in its state), linked into the
 * clock's list sorted by deadline. clock_run_timers() fires expired ones.
 */
#ifndef X86BT_CLOCK_H
#define X86BT_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define NS_PER_SEC 1000000000ll

/* Ceiling on virtual ns per retired instruction in host mode (the
 * reference tier needs about 100 ns per instruction). */
#define CLOCK_MAX_NS_PER_INSN 500
/* How far host-mode time may run past the earliest pending timer. */
#define CLOCK_DEADLINE_SLACK 500000

typedef void (*TimerFn)(void *opaque);
/* The CPU's retired-instruction count, exact mid-slice. */
typedef uint64_t (*ClockInsnFn)(void *opaque);

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
    uint64_t icount;        /* icount mode: instructions before the slice */
    int64_t host_origin;    /* host ns at virtual time 0 */
    int64_t stopped_at;     /* host ns when stopped, or -1 */
    ClockInsnFn insn_now;   /* CPU's retired count, or NULL (no CPU) */
    void *insn_opaque;
    bool in_slice;          /* a CPU slice is running */
    uint64_t slice_insn0;   /* insn_now() when it began */
    int64_t max_ns_per_insn; /* host mode: stall ceiling (see above) */
    int64_t lag;            /* host mode: host ns hidden from the guest */
    int64_t last;           /* host mode: last value returned */
    uint64_t last_insn;     /* host mode: insn_now() at `last` */
    Timer *head;
} Clock;

void clock_init(Clock *clock, bool icount_mode, unsigned icount_shift);
/* Current virtual time (host mode: records it for the stall ceiling). */
int64_t clock_now(Clock *clock);
int64_t clock_host_ns(void);
void clock_set_insn_source(Clock *clock, ClockInsnFn fn, void *opaque);
/* Bracket a CPU slice; slice_end adds its instructions in icount mode. */
void clock_slice_begin(Clock *clock);
void clock_slice_end(Clock *clock);
/* Host mode, CPU halted: give back hidden lag, moving time ahead to the
 * host clock but not beyond `limit` (the next timer deadline). */
void clock_catch_up(Clock *clock, int64_t limit);
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
