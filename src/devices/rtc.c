/*
 * rtc.c — Motorola MC146818A real-time clock with CMOS RAM, as integrated
 * in the PIIX4 (MC146818A datasheet, Motorola, rev. 1984 "Real-time clock
 * plus RAM"; PIIX4 datasheet 290562-001 section 4.x "RTC registers" for
 * the NMI-enable bit and the extended bank at 0x72/0x73).
 *
 * Modelled: time and calendar in BCD or binary, 12/24 hour, registers A-D,
 * the divider (DV=010 runs, anything else halts the clock), SET, update-in-
 * progress timing (UIP set 244 us before each update), alarm with don't-
 * care values, periodic interrupt at the RS rate, update-ended interrupt,
 * IRQF on ISA IRQ 8, register C cleared on read, 114 bytes of CMOS RAM plus
 * a 128-byte extended bank, century byte 0x32, NMI mask (bit 7 of the
 * index write), board presets with the 0x10-0x2D checksum at 0x2E/0x2F.
 * Time is kept as "RTC ns at virtual time base_ns": it starts from the
 * host's UTC time (or a fixed time given as an option) and then advances
 * with the virtual clock, so it is reproducible under -icount.
 * Not modelled: daylight saving (DSE is stored only), square-wave output,
 * the periodic flag when the divider runs at a non-32.768 kHz base.
 */
#include "devices/rtc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "devices/devarg.h"
#include "devices/devices.h"
#include "machine/vm.h"

#define RTC_BASE 0x70
#define RTC_EXT_BASE 0x72
#define RTC_IRQ 8
#define RTC_UIP_NS 244000      /* UIP leads the update (datasheet Fig. 16) */
#define RTC_BASE_HZ 32768

/* Register indices (datasheet "Address map"). */
enum {
    RTC_SEC = 0x00,
    RTC_SEC_ALARM = 0x01,
    RTC_MIN = 0x02,
    RTC_MIN_ALARM = 0x03,
    RTC_HOUR = 0x04,
    RTC_HOUR_ALARM = 0x05,
    RTC_WDAY = 0x06,
    RTC_MDAY = 0x07,
    RTC_MONTH = 0x08,
    RTC_YEAR = 0x09,
    RTC_REG_A = 0x0A,
    RTC_REG_B = 0x0B,
    RTC_REG_C = 0x0C,
    RTC_REG_D = 0x0D,
};

#define RTC_A_UIP 0x80
#define RTC_A_DV_MASK 0x70
#define RTC_A_DV_RUN 0x20
#define RTC_A_RS_MASK 0x0F
#define RTC_B_SET 0x80
#define RTC_B_PIE 0x40
#define RTC_B_AIE 0x20
#define RTC_B_UIE 0x10
#define RTC_B_SQWE 0x08
#define RTC_B_DM_BINARY 0x04
#define RTC_B_24H 0x02
#define RTC_C_IRQF 0x80
#define RTC_C_PF 0x40
#define RTC_C_AF 0x20
#define RTC_C_UF 0x10
#define RTC_D_VRT 0x80
#define RTC_HOUR_PM 0x80
#define RTC_ALARM_DONT_CARE 0xC0

struct RtcState {
    VM *vm;
    uint8_t cmos[128];     /* 0x00-0x0D clock registers, then RAM */
    uint8_t ext[128];      /* extended bank (0x72/0x73) */
    uint8_t index;
    uint8_t ext_index;
    bool nmi_masked;
    int64_t rtc_ns;        /* RTC time (ns since 1970) at base_ns */
    int64_t base_ns;       /* virtual time of rtc_ns; clock frozen if halted */
    int64_t pf_seen_ns;    /* virtual time PF was last consumed */
    Timer update_timer;    /* once per second: UF, AF */
    Timer periodic_timer;  /* PF when PIE is set */
};

/* --- time keeping ----------------------------------------------------- */

static bool rtc_running(const RtcState *s)
{
    return (s->cmos[RTC_REG_A] & RTC_A_DV_MASK) == RTC_A_DV_RUN &&
           !(s->cmos[RTC_REG_B] & RTC_B_SET);
}

static int64_t rtc_now_ns(const RtcState *s)
{
    if (!rtc_running(s))
        return s->rtc_ns;
    return s->rtc_ns + (clock_now(&s->vm->clock) - s->base_ns);
}

static int64_t rtc_load_time(const RtcState *s);

int64_t rtc_time(const RtcState *s)
{
    if (!rtc_running(s))
        return rtc_load_time(s); /* halted: the registers are the time */
    int64_t ns = rtc_now_ns(s);
    return ns >= 0 ? ns / NS_PER_SEC : (ns - NS_PER_SEC + 1) / NS_PER_SEC;
}

static uint8_t rtc_encode(const RtcState *s, unsigned v)
{
    if (s->cmos[RTC_REG_B] & RTC_B_DM_BINARY)
        return (uint8_t)v;
    return (uint8_t)((v / 10) << 4 | (v % 10));
}

static unsigned rtc_decode(const RtcState *s, uint8_t v)
{
    if (s->cmos[RTC_REG_B] & RTC_B_DM_BINARY)
        return v;
    return (v >> 4) * 10 + (v & 0x0F);
}

static uint8_t rtc_encode_hour(const RtcState *s, unsigned h)
{
    if (s->cmos[RTC_REG_B] & RTC_B_24H)
        return rtc_encode(s, h);
    unsigned h12 = h % 12 ? h % 12 : 12;
    return (uint8_t)(rtc_encode(s, h12) | (h >= 12 ? RTC_HOUR_PM : 0));
}

static unsigned rtc_decode_hour(const RtcState *s, uint8_t v)
{
    if (s->cmos[RTC_REG_B] & RTC_B_24H)
        return rtc_decode(s, v);
    unsigned h = rtc_decode(s, v & 0x7F) % 12;
    return (v & RTC_HOUR_PM) ? h + 12 : h;
}

/* Write the calendar registers (and century byte) for time `sec`. */
static void rtc_store_time(RtcState *s, int64_t sec)
{
    time_t t = (time_t)sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    unsigned year = (unsigned)tm.tm_year + 1900;
    s->cmos[RTC_SEC] = rtc_encode(s, (unsigned)tm.tm_sec);
    s->cmos[RTC_MIN] = rtc_encode(s, (unsigned)tm.tm_min);
    s->cmos[RTC_HOUR] = rtc_encode_hour(s, (unsigned)tm.tm_hour);
    s->cmos[RTC_WDAY] = rtc_encode(s, (unsigned)tm.tm_wday + 1);
    s->cmos[RTC_MDAY] = rtc_encode(s, (unsigned)tm.tm_mday);
    s->cmos[RTC_MONTH] = rtc_encode(s, (unsigned)tm.tm_mon + 1);
    s->cmos[RTC_YEAR] = rtc_encode(s, year % 100);
    s->cmos[RTC_CMOS_CENTURY] = rtc_encode(s, year / 100);
}

/* Seconds since 1970 described by the calendar registers. */
static int64_t rtc_load_time(const RtcState *s)
{
    unsigned century = rtc_decode(s, s->cmos[RTC_CMOS_CENTURY]);
    unsigned yy = rtc_decode(s, s->cmos[RTC_YEAR]) % 100;
    if (century < 19 || century > 29)
        century = yy < 70 ? 20 : 19;
    struct tm tm = {
        .tm_sec = (int)rtc_decode(s, s->cmos[RTC_SEC]),
        .tm_min = (int)rtc_decode(s, s->cmos[RTC_MIN]),
        .tm_hour = (int)rtc_decode_hour(s, s->cmos[RTC_HOUR]),
        .tm_mday = (int)rtc_decode(s, s->cmos[RTC_MDAY]),
        .tm_mon = (int)rtc_decode(s, s->cmos[RTC_MONTH]) - 1,
        .tm_year = (int)(century * 100 + yy) - 1900,
    };
    return (int64_t)timegm(&tm);
}

/* Bring the calendar registers up to date (no-op while halted: then the
 * registers themselves are the time). */
static void rtc_refresh(RtcState *s)
{
    if (rtc_running(s))
        rtc_store_time(s, rtc_time(s));
}

/* Restart counting from the registers, keeping `frac` ns into the second. */
static void rtc_rebase(RtcState *s, int64_t frac)
{
    s->rtc_ns = rtc_load_time(s) * NS_PER_SEC + frac;
    s->base_ns = clock_now(&s->vm->clock);
}

/* --- interrupts ---------------------------------------------------------- */

static void rtc_update_irq(RtcState *s)
{
    uint8_t c = s->cmos[RTC_REG_C] & ~RTC_C_IRQF;
    uint8_t en = s->cmos[RTC_REG_B];
    if (((c & RTC_C_PF) && (en & RTC_B_PIE)) ||
        ((c & RTC_C_AF) && (en & RTC_B_AIE)) ||
        ((c & RTC_C_UF) && (en & RTC_B_UIE)))
        c |= RTC_C_IRQF;
    s->cmos[RTC_REG_C] = c;
    irq_set(&s->vm->irq, RTC_IRQ, 0, c & RTC_C_IRQF);
}

/* Periodic rate as a shift of the 32.768 kHz base (datasheet Table 5:
 * RS=1,2 behave as 8,9 with a 32.768 kHz time base); -1 if off. */
static int rtc_periodic_shift(const RtcState *s)
{
    unsigned rs = s->cmos[RTC_REG_A] & RTC_A_RS_MASK;
    if (rs == 0 || (s->cmos[RTC_REG_A] & RTC_A_DV_MASK) != RTC_A_DV_RUN)
        return -1;
    if (rs < 3)
        rs += 7;
    return (int)rs - 1;
}

static uint64_t rtc_period_index(int64_t ns, int shift)
{
    return clock_ns_to_ticks(ns, RTC_BASE_HZ) >> shift;
}

/* PF is set at every period end whether or not PIE is set; account for
 * the periods that passed since PF was last consumed. */
static void rtc_catch_up_pf(RtcState *s)
{
    int shift = rtc_periodic_shift(s);
    int64_t now = clock_now(&s->vm->clock);
    if (shift >= 0 &&
        rtc_period_index(now, shift) > rtc_period_index(s->pf_seen_ns, shift))
        s->cmos[RTC_REG_C] |= RTC_C_PF;
    s->pf_seen_ns = now;
}

static void rtc_arm_periodic(RtcState *s)
{
    int shift = rtc_periodic_shift(s);
    timer_del(&s->periodic_timer);
    if (shift < 0 || !(s->cmos[RTC_REG_B] & RTC_B_PIE))
        return;
    uint64_t k = rtc_period_index(clock_now(&s->vm->clock), shift) + 1;
    timer_mod(&s->periodic_timer,
              clock_ticks_to_ns(k << shift, RTC_BASE_HZ));
}

static void rtc_periodic_cb(void *opaque)
{
    RtcState *s = opaque;
    rtc_catch_up_pf(s);
    rtc_update_irq(s);
    rtc_arm_periodic(s);
}

static void rtc_arm_update(RtcState *s)
{
    timer_del(&s->update_timer);
    if (!rtc_running(s))
        return;
    int64_t next_sec = (rtc_time(s) + 1) * NS_PER_SEC;
    timer_mod(&s->update_timer, s->base_ns + (next_sec - s->rtc_ns));
}

static bool rtc_alarm_match(const RtcState *s, unsigned alarm, unsigned reg)
{
    uint8_t a = s->cmos[alarm];
    return (a & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE ||
           a == s->cmos[reg];
}

/* End of an update cycle (datasheet "Update cycle"): UF, then AF if the
 * new time matches the alarm. */
static void rtc_update_cb(void *opaque)
{
    RtcState *s = opaque;
    rtc_refresh(s);
    s->cmos[RTC_REG_C] |= RTC_C_UF;
    if (rtc_alarm_match(s, RTC_SEC_ALARM, RTC_SEC) &&
        rtc_alarm_match(s, RTC_MIN_ALARM, RTC_MIN) &&
        rtc_alarm_match(s, RTC_HOUR_ALARM, RTC_HOUR))
        s->cmos[RTC_REG_C] |= RTC_C_AF;
    rtc_update_irq(s);
    rtc_arm_update(s);
}

/* --- register access ---------------------------------------------------- */

static bool rtc_uip(const RtcState *s)
{
    if (!rtc_running(s))
        return false;
    int64_t ns = rtc_now_ns(s) % NS_PER_SEC;
    return ns >= NS_PER_SEC - RTC_UIP_NS;
}

static uint8_t rtc_read_reg(RtcState *s, unsigned idx)
{
    switch (idx) {
    case RTC_REG_A:
        return (uint8_t)((s->cmos[RTC_REG_A] & ~RTC_A_UIP) |
                         (rtc_uip(s) ? RTC_A_UIP : 0));
    case RTC_REG_C: {
        rtc_catch_up_pf(s);
        rtc_update_irq(s);
        uint8_t v = s->cmos[RTC_REG_C];
        s->cmos[RTC_REG_C] = 0;
        rtc_update_irq(s);
        return v;
    }
    case RTC_REG_D:
        return RTC_D_VRT;
    case RTC_SEC:
    case RTC_MIN:
    case RTC_HOUR:
    case RTC_WDAY:
    case RTC_MDAY:
    case RTC_MONTH:
    case RTC_YEAR:
    case RTC_CMOS_CENTURY:
        rtc_refresh(s);
        return s->cmos[idx];
    default:
        return s->cmos[idx];
    }
}

/* Stop or restart the clock around a change of SET or the divider. */
static void rtc_write_control(RtcState *s, unsigned idx, uint8_t v)
{
    bool was = rtc_running(s);
    rtc_refresh(s);
    uint8_t old_dv = s->cmos[RTC_REG_A] & RTC_A_DV_MASK;
    if (idx == RTC_REG_A) {
        s->cmos[RTC_REG_A] = v & ~RTC_A_UIP;
    } else {
        /* Setting SET also clears UIE (datasheet "Register B"). */
        if (v & RTC_B_SET)
            v &= ~RTC_B_UIE;
        s->cmos[RTC_REG_B] = v;
    }
    if (!was && rtc_running(s)) {
        /* After a divider reset the first update comes 500 ms later
         * (datasheet "Divider control"); after SET, a full second. While
         * halted the registers hold the time, so restart from them. */
        bool divider = old_dv != RTC_A_DV_RUN;
        rtc_rebase(s, divider ? NS_PER_SEC / 2 : 0);
    }
    rtc_update_irq(s);
    rtc_arm_update(s);
    rtc_arm_periodic(s);
}

static void rtc_write_reg(RtcState *s, unsigned idx, uint8_t v)
{
    switch (idx) {
    case RTC_REG_A:
    case RTC_REG_B:
        rtc_write_control(s, idx, v);
        break;
    case RTC_REG_C:
    case RTC_REG_D:
        break; /* read-only */
    case RTC_SEC:
    case RTC_MIN:
    case RTC_HOUR:
    case RTC_WDAY:
    case RTC_MDAY:
    case RTC_MONTH:
    case RTC_YEAR:
    case RTC_CMOS_CENTURY:
        if (rtc_running(s)) {
            /* Writing while running: the clock continues from the new
             * value, keeping its position within the second. */
            int64_t frac = rtc_now_ns(s) % NS_PER_SEC;
            rtc_refresh(s);
            s->cmos[idx] = v;
            rtc_rebase(s, frac);
            rtc_arm_update(s);
        } else {
            s->cmos[idx] = v;
        }
        break;
    default:
        s->cmos[idx] = v;
        break;
    }
}

static uint32_t rtc_io_read(void *opaque, uint32_t off, unsigned size)
{
    RtcState *s = opaque;
    (void)size;
    if (off == 0)
        return 0xFF; /* the index register is write-only */
    return rtc_read_reg(s, s->index);
}

static void rtc_io_write(void *opaque, uint32_t off, uint32_t v,
                         unsigned size)
{
    RtcState *s = opaque;
    (void)size;
    if (off == 0) {
        s->index = v & 0x7F;
        s->nmi_masked = (v & 0x80) != 0;
    } else {
        rtc_write_reg(s, s->index, (uint8_t)v);
    }
}

static uint32_t rtc_ext_read(void *opaque, uint32_t off, unsigned size)
{
    RtcState *s = opaque;
    (void)size;
    return off == 0 ? 0xFF : s->ext[s->ext_index];
}

static void rtc_ext_write(void *opaque, uint32_t off, uint32_t v,
                          unsigned size)
{
    RtcState *s = opaque;
    (void)size;
    if (off == 0)
        s->ext_index = v & 0x7F;
    else
        s->ext[s->ext_index] = (uint8_t)v;
}

static const IoOps rtc_ops = {rtc_io_read, rtc_io_write, 1, 1};
static const IoOps rtc_ext_ops = {rtc_ext_read, rtc_ext_write, 1, 1};

/* --- board API ------------------------------------------------------------ */

static void rtc_update_checksum(RtcState *s)
{
    unsigned sum = 0;
    for (unsigned i = RTC_CMOS_FLOPPY; i < RTC_CMOS_CSUM_HI; i++)
        sum += s->cmos[i];
    s->cmos[RTC_CMOS_CSUM_HI] = (uint8_t)(sum >> 8);
    s->cmos[RTC_CMOS_CSUM_LO] = (uint8_t)sum;
}

void rtc_set_cmos(RtcState *s, unsigned index, uint8_t value)
{
    if (index >= 256 || index <= RTC_REG_D)
        return;
    if (index >= 128) {
        s->ext[index - 128] = value;
        return;
    }
    s->cmos[index] = value;
    if (index >= RTC_CMOS_FLOPPY && index < RTC_CMOS_CSUM_HI)
        rtc_update_checksum(s);
}

uint8_t rtc_get_cmos(const RtcState *s, unsigned index)
{
    if (index >= 256)
        return 0xFF;
    return index >= 128 ? s->ext[index - 128] : s->cmos[index];
}

bool rtc_nmi_masked(const RtcState *s)
{
    return s->nmi_masked;
}

/* --- lifecycle ------------------------------------------------------------- */

static int rtc_parse_fixed(const char *str, int64_t *sec)
{
    struct tm tm = {0};
    char tail;
    if (sscanf(str, "%d-%d-%dT%d:%d:%d%c", &tm.tm_year, &tm.tm_mon,
               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
               &tail) != 6)
        return -EINVAL;
    if (tm.tm_year < 1970 || tm.tm_year > 2999 || tm.tm_mon < 1 ||
        tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
        return -EINVAL;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *sec = (int64_t)timegm(&tm);
    return 0;
}

/* Machine reset drives the chip's RESET pin (datasheet "RESET"): the
 * interrupt enables and flags clear; time, A and RAM are kept. */
static void rtc_reset(void *opaque)
{
    RtcState *s = opaque;
    s->cmos[RTC_REG_B] &=
        ~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE | RTC_B_SQWE);
    s->cmos[RTC_REG_C] = 0;
    s->pf_seen_ns = clock_now(&s->vm->clock);
    rtc_update_irq(s);
    rtc_arm_update(s);
    rtc_arm_periodic(s);
}

static int rtc_init(void *opaque, VM *vm, const char *arg)
{
    RtcState *s = opaque;
    char fixed[64];
    s->vm = vm;
    timer_init(&s->update_timer, &vm->clock, rtc_update_cb, s);
    timer_init(&s->periodic_timer, &vm->clock, rtc_periodic_cb, s);
    s->cmos[RTC_REG_A] = RTC_A_DV_RUN | 0x06; /* 32.768 kHz, 1024 Hz */
    s->cmos[RTC_REG_B] = RTC_B_24H;
    s->cmos[RTC_REG_D] = RTC_D_VRT;
    s->base_ns = clock_now(&vm->clock);
    if (devarg_get(arg, "fixed", fixed, sizeof(fixed))) {
        int64_t sec;
        if (rtc_parse_fixed(fixed, &sec) < 0) {
            log_msg(&vm->log, LOG_ERROR,
                    "rtc: bad fixed time '%s' (want YYYY-MM-DDTHH:MM:SS)\n",
                    fixed);
            return -EINVAL;
        }
        s->rtc_ns = sec * NS_PER_SEC;
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        s->rtc_ns = (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
    }
    rtc_refresh(s);
    int r = io_register(&vm->io, RTC_BASE, 2, &rtc_ops, s, "rtc");
    if (r >= 0)
        r = io_register(&vm->io, RTC_EXT_BASE, 2, &rtc_ext_ops, s,
                        "rtc-ext");
    if (r < 0)
        return r;
    rtc_reset(s);
    return 0;
}

static void rtc_fini(void *opaque)
{
    RtcState *s = opaque;
    timer_del(&s->update_timer);
    timer_del(&s->periodic_timer);
}

static int rtc_post_load(void *opaque)
{
    RtcState *s = opaque;
    rtc_update_irq(s);
    return 0;
}

static const StateField rtc_state_fields[] = {
    STATE_FIELD(RtcState, cmos),
    STATE_FIELD(RtcState, ext),
    STATE_FIELD(RtcState, index),
    STATE_FIELD(RtcState, ext_index),
    STATE_FIELD(RtcState, nmi_masked),
    STATE_FIELD(RtcState, rtc_ns),
    STATE_FIELD(RtcState, base_ns),
    STATE_FIELD(RtcState, pf_seen_ns),
    STATE_TIMER_FIELD(RtcState, update_timer),
    STATE_TIMER_FIELD(RtcState, periodic_timer),
    STATE_END,
};

const DeviceInfo rtc_device = {
    .name = "mc146818",
    .state_size = sizeof(RtcState),
    .state_version = 1,
    .init = rtc_init,
    .reset = rtc_reset,
    .fini = rtc_fini,
    .fields = rtc_state_fields,
    .post_load = rtc_post_load,
};
