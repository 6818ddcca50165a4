/*
 * piix4_pm.h — PIIX4 function 3 (power management, SMBus); see piix4_pm.c.
 * The state is public for the board (SCI, power button) and unit tests.
 */
#ifndef X86BT_PIIX4_PM_H
#define X86BT_PIIX4_PM_H

#include <stdint.h>

#include "machine/clock.h"
#include "machine/device.h"
#include "machine/pci.h"

#define PIIX4_PM_TIMER_HZ 3579545u

struct VM;

typedef struct Piix4PmState {
    PciDevice pci;
    struct VM *vm;
    uint16_t pmsts, pmen, pmcntrl;
    uint16_t gpsts, gpen;
    uint8_t apmc, apms;
    uint8_t misc[0x30]; /* PM block +0x10..+0x3F: plain storage */
    uint8_t smb[16];
    Timer ovf_timer;
    int pm_region, smb_region, gpe_region, apm_region;
} Piix4PmState;

/* Press the power button (monitor "system_powerdown"): sets PWRBTN_STS,
 * which raises the SCI if the guest enabled PWRBTN_EN (ACPI 4.7.2.2.1). */
void piix4_pm_power_button(Piix4PmState *s);

/* Current 24-bit PM timer count. */
uint32_t piix4_pm_timer_value(const Piix4PmState *s);

extern const DeviceInfo piix4_pm_device;

#endif
