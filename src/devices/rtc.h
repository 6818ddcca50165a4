/*
 * rtc.h — MC146818 real-time clock and CMOS RAM (ports 0x70-0x73).
 *
 * Option string: "fixed=YYYY-MM-DDTHH:MM:SS" starts the clock at that UTC
 * time instead of the host's; either way time then advances with the
 * virtual clock (so it is reproducible under -icount).
 */
#ifndef X86BT_RTC_H
#define X86BT_RTC_H

#include <stdbool.h>
#include <stdint.h>

typedef struct RtcState RtcState;

/* CMOS layout used by SeaBIOS (QEMU's pc_cmos_init conventions). */
enum {
    RTC_CMOS_FLOPPY = 0x10,
    RTC_CMOS_EQUIPMENT = 0x14,
    RTC_CMOS_BASE_LO = 0x15, /* base memory in KB (640) */
    RTC_CMOS_BASE_HI = 0x16,
    RTC_CMOS_EXT_LO = 0x17,  /* memory above 1 MB in KB, max 65535 */
    RTC_CMOS_EXT_HI = 0x18,
    RTC_CMOS_CSUM_HI = 0x2E, /* sum of bytes 0x10-0x2D */
    RTC_CMOS_CSUM_LO = 0x2F,
    RTC_CMOS_EXT2_LO = 0x30, /* copy of 0x17/0x18 */
    RTC_CMOS_EXT2_HI = 0x31,
    RTC_CMOS_CENTURY = 0x32,
    RTC_CMOS_MEM16_LO = 0x34, /* memory above 16 MB in 64 KB units */
    RTC_CMOS_MEM16_HI = 0x35,
    RTC_CMOS_BOOT1 = 0x38,    /* boot order, 3rd device in bits 7:4 */
    RTC_CMOS_BOOT0 = 0x3D,    /* boot order, 1st/2nd devices */
    RTC_CMOS_MEM4G_0 = 0x5B,  /* memory above 4 GB in 64 KB units */
    RTC_CMOS_MEM4G_1 = 0x5C,
    RTC_CMOS_MEM4G_2 = 0x5D,
    RTC_CMOS_NCPUS = 0x5F,    /* CPUs - 1 */
};

/* Board presets: write CMOS byte `index` (0x0E-0x7F, or 0x80-0xFF for the
 * extended bank). Bytes 0x10-0x2D update the checksum at 0x2E/0x2F. */
void rtc_set_cmos(RtcState *s, unsigned index, uint8_t value);
uint8_t rtc_get_cmos(const RtcState *s, unsigned index);
/* NMI enable from bit 7 of the last index write to port 0x70. */
bool rtc_nmi_masked(const RtcState *s);
/* Current RTC time as seconds since 1970-01-01 UTC. */
int64_t rtc_time(const RtcState *s);

#endif
