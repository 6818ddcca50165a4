/* Unit tests for src/machine/clock.c (virtual time, timers in the
 * deterministic icount mode) and src/machine/irq.c (shared lines). */
#include <check.h>
#include <stdlib.h>

#include "machine/clock.h"
#include "machine/irq.h"

typedef struct Probe {
    int fired;
    int64_t at;
    Timer *rearm;
    int64_t period;
} Probe;

static void probe_cb(void *o)
{
    Probe *p = o;
    p->fired++;
    p->at = clock_now(p->rearm ? p->rearm->clock : NULL);
    if (p->rearm && p->period)
        timer_mod(p->rearm, p->rearm->expire + p->period);
}

static void rearm_now_cb(void *o)
{
    Probe *p = o;
    timer_mod(p->rearm, 0);
}

START_TEST(icount_time)
{
    Clock c;
    clock_init(&c, true, 3); /* 8 ns per instruction */
    ck_assert_int_eq(clock_now(&c), 0);
    c.icount = 1000;
    ck_assert_int_eq(clock_now(&c), 8000);
}
END_TEST

/* A fake CPU: the clock reads its running instruction count. */
static uint64_t fake_insns(void *opaque)
{
    return *(const uint64_t *)opaque;
}

START_TEST(icount_advances_inside_a_slice)
{
    /* Device reads during a CPU slice see the instructions retired so far
     * (Linux's PIT/PM-timer calibration polls inside one slice). */
    Clock c;
    uint64_t insns = 500;
    clock_init(&c, true, 2); /* 4 ns per instruction */
    clock_set_insn_source(&c, fake_insns, &insns);
    c.icount = 100;
    ck_assert_int_eq(clock_now(&c), 400);
    clock_slice_begin(&c);
    insns += 10;
    ck_assert_int_eq(clock_now(&c), 440);
    insns += 5;
    ck_assert_int_eq(clock_now(&c), 460);
    clock_slice_end(&c);
    ck_assert_uint_eq(c.icount, 115);
    insns += 1000; /* outside a slice nothing counts */
    ck_assert_int_eq(clock_now(&c), 460);
}
END_TEST

START_TEST(host_stall_hidden_until_idle)
{
    /* Host mode: a host stall between two instructions advances virtual
     * time by at most CLOCK_MAX_NS_PER_INSN per instruction; the rest is
     * given back at clock_catch_up (CPU halted). stopped_at fakes the host
     * clock. */
    Clock c;
    uint64_t insns = 0;
    clock_init(&c, false, 0);
    c.stopped_at = c.host_origin;
    clock_set_insn_source(&c, fake_insns, &insns);
    ck_assert_int_eq(clock_now(&c), 0);
    insns += 100;
    c.stopped_at += 2000; /* 20 ns per instruction: no stall */
    ck_assert_int_eq(clock_now(&c), 2000);
    insns += 9;
    c.stopped_at += 10000000; /* descheduled for 10 ms */
    int64_t t = clock_now(&c);
    ck_assert_int_eq(t, 2000 + 10 * CLOCK_MAX_NS_PER_INSN);
    ck_assert_int_eq(c.lag, 10000000 - 10 * CLOCK_MAX_NS_PER_INSN);
    insns += 10;
    c.stopped_at += 1000; /* normal again: time moves on from t */
    ck_assert_int_eq(clock_now(&c), t + 1000);
    /* Halted with a timer due 1 ms on: time moves to it, not beyond (the
     * guest handles that edge first), then to the host clock. */
    clock_catch_up(&c, t + 1000 + 1000000);
    ck_assert_int_eq(clock_now(&c), t + 1000 + 1000000);
    clock_catch_up(&c, INT64_MAX);
    ck_assert_int_eq(clock_now(&c), 10000000 + 3000);
    ck_assert_int_eq(c.lag, 0);
}
END_TEST

START_TEST(timers_fire_in_order)
{
    Clock c;
    clock_init(&c, true, 0);
    Timer a, b;
    Probe pa = {0}, pb = {0};
    timer_init(&a, &c, probe_cb, &pa);
    timer_init(&b, &c, probe_cb, &pb);
    pa.rearm = &a; /* only for clock access */
    pb.rearm = &b;
    timer_mod(&a, 500);
    timer_mod(&b, 200);
    ck_assert_int_eq(clock_next_deadline(&c), 200);
    c.icount = 199;
    ck_assert_int_eq(clock_run_timers(&c), 0);
    c.icount = 300;
    ck_assert_int_eq(clock_run_timers(&c), 1);
    ck_assert_int_eq(pb.fired, 1);
    ck_assert(!timer_pending(&b));
    ck_assert_int_eq(clock_next_deadline(&c), 500);
    timer_del(&a);
    ck_assert_int_eq(clock_next_deadline(&c), INT64_MAX);
    c.icount = 1000;
    ck_assert_int_eq(clock_run_timers(&c), 0);
    ck_assert_int_eq(pa.fired, 0);
}
END_TEST

START_TEST(periodic_rearm_and_runaway_bound)
{
    Clock c;
    clock_init(&c, true, 0);
    Timer t;
    Probe p = {0};
    timer_init(&t, &c, probe_cb, &p);
    p.rearm = &t;
    p.period = 100;
    timer_mod(&t, 100);
    c.icount = 1050;
    ck_assert_int_eq(clock_run_timers(&c), 10); /* 100..1000 */
    ck_assert_int_eq(t.expire, 1100);
    /* A zero period would re-fire forever: the run is bounded. */
    p.period = 0;
    timer_mod(&t, 0);
    p.fired = 0;
    ck_assert_int_eq(clock_run_timers(&c), 1); /* no re-arm: fires once */
    /* A callback that re-arms at "now" every time is cut off. */
    p.period = 0;
    t.cb = rearm_now_cb;
    timer_mod(&t, 0);
    ck_assert_int_eq(clock_run_timers(&c), 10000);
}
END_TEST

START_TEST(tick_conversion)
{
    /* 8254 input clock 1.193182 MHz: one second is 1193182 ticks. */
    ck_assert_uint_eq(clock_ns_to_ticks(NS_PER_SEC, 1193182), 1193182);
    ck_assert_uint_eq(clock_ns_to_ticks(-5, 1193182), 0);
    /* 3.579545 MHz PM timer over a century does not overflow. */
    int64_t century = 100ll * 365 * 86400 * NS_PER_SEC;
    ck_assert_uint_eq(clock_ns_to_ticks(century, 3579545),
                      (uint64_t)100 * 365 * 86400 * 3579545);
    ck_assert_int_eq(clock_ticks_to_ns(1193182, 1193182), NS_PER_SEC);
}
END_TEST

START_TEST(host_clock_monotonic_and_stoppable)
{
    Clock c;
    clock_init(&c, false, 0);
    int64_t a = clock_now(&c);
    clock_stop(&c);
    int64_t b = clock_now(&c);
    ck_assert_int_ge(b, a);
    ck_assert_int_eq(clock_now(&c), b); /* frozen */
    clock_resume(&c);
    ck_assert_int_ge(clock_now(&c), b);
}
END_TEST

static int sink_calls;
static bool sink_level[IRQ_LINES];
static void sink(void *o, unsigned line, bool level)
{
    (void)o;
    sink_calls++;
    sink_level[line] = level;
}

START_TEST(irq_shared_line)
{
    IrqCtl irq;
    irq_init(&irq);
    irq_set_sink(&irq, sink, NULL);
    sink_calls = 0;
    irq_set(&irq, 11, 1, true);
    irq_set(&irq, 11, 2, true); /* already high: no new edge */
    ck_assert_int_eq(sink_calls, 1);
    irq_set(&irq, 11, 1, false);
    ck_assert(sink_level[11]); /* source 2 still holds it */
    irq_set(&irq, 11, 2, false);
    ck_assert(!sink_level[11]);
    ck_assert_int_eq(sink_calls, 2);
    irq_pulse(&irq, 4);
    ck_assert_int_eq(sink_calls, 4);
    ck_assert(!irq_level(&irq, 4));
    irq_set(&irq, 99, 0, true); /* out of range: ignored */
    irq_set(&irq, 3, 40, true);
    ck_assert_int_eq(sink_calls, 4);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("clock");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, icount_time);
    tcase_add_test(tc, icount_advances_inside_a_slice);
    tcase_add_test(tc, host_stall_hidden_until_idle);
    tcase_add_test(tc, timers_fire_in_order);
    tcase_add_test(tc, periodic_rearm_and_runaway_bound);
    tcase_add_test(tc, tick_conversion);
    tcase_add_test(tc, host_clock_monotonic_and_stoppable);
    tcase_add_test(tc, irq_shared_line);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
