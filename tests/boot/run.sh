#!/usr/bin/env bash
# tests/boot/run.sh X86BT BUILD — system tests with real firmware and kernels.
#  1. SeaBIOS boots our boot sector (bootmark.asm) from a 1.44 MB floppy, a
#     raw disk (MBR) and an El Torito CD (xorriso), in both tiers: the marker
#     with the BIOS boot drive number must appear (port 0xE9) and the program
#     must leave through the exit port.
#  2. The Debian Linux guest (roms/guests, if built or buildable) boots from
#     its disk through SeaBIOS, runs its test script and powers off through
#     ACPI S5 (exit status 0), in the translation tier; its kernel log must
#     be free of the emulator-caused warnings in DMESG_BAD. The same kernel
#     also boots directly (-kernel/-initrd/-append).
#  3. Both tiers boot it under -icount (direct kernel boot, crypto
#     self-tests off) with byte-identical serial output; set
#     X86BT_BOOT_SLOW=1 to also run the reference tier in host time.
#  4. -icount makes the Linux boot deterministic: two runs give the same
#     serial output byte for byte.
# Prints "N passed, N failed" and fails on any failure.
set -u
X86BT=$1
B=$2/boot
mkdir -p "$B"
pass=0; fail=0; failed=()
ok()   { pass=$((pass + 1)); echo "PASS $1"; }
bad()  { fail=$((fail + 1)); failed+=("$1"); echo "FAIL $1: $2"; }

nasm -f bin -o "$B/bootmark.bin" tests/boot/bootmark.asm || exit 1
cp "$B/bootmark.bin" "$B/fd.img" && truncate -s 1474560 "$B/fd.img"
cp "$B/bootmark.bin" "$B/hd.img" && truncate -s 1M "$B/hd.img"
rm -rf "$B/iso" && mkdir -p "$B/iso" && cp "$B/bootmark.bin" "$B/iso/boot.bin"
xorriso -as mkisofs -quiet -b boot.bin -no-emul-boot -boot-load-size 4 \
    -o "$B/cd.iso" "$B/iso" >/dev/null 2>&1 || { echo "xorriso failed"; exit 1; }

boot_marker() { # name jit expect-dl args...
    local name=$1 jit=$2 dl=$3; shift 3
    local ser="$B/$name-$jit.serial"
    rm -f "$ser"
    timeout 60 "$X86BT" -jit "$jit" -display none -serial "file:$ser" "$@" \
        > "$B/$name-$jit.out" 2>&1
    local rc=$?
    if [ $rc -ne 1 ]; then bad "$name/jit-$jit" "exit status $rc (want 1)"; return; fi
    if ! grep -aq "X86BT-BOOT-OK dl=$dl" "$B/$name-$jit.out"; then
        bad "$name/jit-$jit" "marker 'X86BT-BOOT-OK dl=$dl' not printed"; return
    fi
    ok "$name/jit-$jit"
}

for jit in off on; do
    boot_marker floppy "$jit" 00 -fda "$B/fd.img" -boot a
    boot_marker disk "$jit" 80 -hda "$B/hd.img" -boot c
    boot_marker cdrom "$jit" E0 -cdrom "$B/cd.iso" -boot d
done

# Kernel messages that emulator faults have caused (timer calibration
# against the 8254/PM timer/TSC, firmware tables describing hardware that
# is not there, clocksource or tick trouble, driver timeouts); none may
# appear in a Linux boot log. dmesg_clean FILE prints the first found.
DMESG_BAD=(
    "Fast TSC calibration failed" "Unable to calibrate against PIT"
    "TSC calibration failed" "PM-Timer running at invalid rate"
    "PM-Timer failed consistency check" "PM-Timer had inconsistent results"
    "Marking clocksource" "Marking TSC unstable" "TSC unstable"
    "MPTABLE: no processors registered" "BIOS bug, MP table errors"
    "registers return all ones" "HCRESET not completed"
    "spurious 8259A interrupt" "nobody cared" "lost interrupt"
    "detected stalls" "soft lockup" "hung_task" "timed out"
    "Call Trace" "WARNING:" "BUG:" "Oops" "Unknown NMI"
)
# Debian's prebuilt SeaBIOS (the fallback route, roms/README.md) still
# writes an MP table for the APIC-less CPU.
MP_WARNINGS="MPTABLE: no processors registered|BIOS bug, MP table errors|registers return all ones"
dmesg_clean() {
    local s
    for s in "${DMESG_BAD[@]}"; do
        if grep -q '^prebuilt' build/roms/bios.route 2>/dev/null &&
            [[ "|$MP_WARNINGS|" == *"|$s|"* ]]; then continue; fi
        if grep -aq -- "$s" "$1"; then
            grep -a -m1 -- "$s" "$1" | tr -d '\r'
            return 1
        fi
    done
    return 0
}

linux_test() { # jit extra-args...
    local jit=$1; shift
    local ser="$B/linux-$jit.serial" t0=$SECONDS
    rm -f "$ser"
    timeout "${LINUX_TIMEOUT:-600}" "$X86BT" -m 128 -jit "$jit" -nographic \
        -no-reboot -hda build/guests/linux-test.img -serial "file:$ser" "$@" \
        > "$B/linux-$jit.out" 2>&1
    local rc=$?
    local why=""
    [ $rc -eq 0 ] || why="exit status $rc (want 0: ACPI power-off)"
    grep -aq "X86BT-LINUX-READY" "$ser" || why="$why; no X86BT-LINUX-READY"
    grep -aq "X86BT-TEST-DONE" "$ser" || why="$why; no X86BT-TEST-DONE"
    grep -aq "X86BT-MD5-FAIL" "$ser" && why="$why; md5 mismatch"
    grep -aq "X86BT-MD5-OK" "$ser" || why="$why; no md5 check ran"
    grep -aq "Pentium II" "$ser" || why="$why; cpuinfo lacks the Pentium II profile"
    local w
    w=$(dmesg_clean "$ser") || why="$why; dmesg: $w"
    local took="($((SECONDS - t0)) s${2:+, $1 $2})"
    if [ -n "$why" ]; then bad "linux/jit-$jit" "${why#; } $took"; else ok "linux/jit-$jit $took"; fi
}

if [ "${X86BT_SKIP_LINUX:-0}" != 1 ]; then
    if [ ! -f build/guests/linux-test.img ]; then
        roms/guests/build-linux.sh >/dev/null || bad linux/build "roms/guests/build-linux.sh failed"
    fi
    if [ -f build/guests/linux-test.img ]; then
        linux_test on
        # Direct kernel boot (-kernel/-initrd/-append through fw_cfg and
        # SeaBIOS's linuxboot ROM), no disk attached.
        ser="$B/linux-kernel.serial"
        rm -f "$ser"
        timeout "${LINUX_TIMEOUT:-600}" "$X86BT" -m 128 -nographic -no-reboot \
            -kernel build/guests/vmlinuz -initrd build/guests/initrd.gz \
            -append "console=ttyS0,115200 x86bt.test=1" -serial "file:$ser" \
            > "$B/linux-kernel.out" 2>&1
        rc=$?
        if [ $rc -eq 0 ] && grep -aq "X86BT-TEST-DONE" "$ser" &&
            grep -aq "X86BT-MD5-OK" "$ser" && ! grep -aq "X86BT-MD5-FAIL" "$ser"; then
            if w=$(dmesg_clean "$ser"); then ok linux/direct-kernel
            else bad linux/direct-kernel "dmesg: $w"; fi
        else
            bad linux/direct-kernel "exit status $rc or test markers missing"
        fi
        # Both tiers, -icount: the reference tier boots to the test's end
        # and power-off, and its serial output is byte-identical to the
        # translation tier's (same instructions, same virtual time). The
        # kernel's crypto self-tests are skipped (cryptomgr.notests): they
        # are half of the boot's instructions (3.7 G of 7.3 G), which would
        # double the reference tier's time (about 1 minute at ~57 MIPS).
        for jit in on off; do
            linux_test "$jit" -icount 2 -rtc "base=2020-01-01T00:00:00" \
                -kernel build/guests/vmlinuz -initrd build/guests/initrd.gz \
                -append "console=ttyS0,115200 x86bt.test=1 cryptomgr.notests=1"
            cp "$B/linux-$jit.serial" "$B/tiers-$jit.serial"
        done
        if cmp -s "$B/tiers-on.serial" "$B/tiers-off.serial"; then ok linux/tiers-identical
        else bad linux/tiers-identical "-icount serial output differs between -jit on and off"; fi
        # Host time in the reference tier (a few minutes).
        [ "${X86BT_BOOT_SLOW:-0}" = 1 ] && linux_test off
        # Determinism: -icount (and a fixed RTC start, the one host-time
        # input left) gives identical serial output twice.
        rtc="base=2020-01-01T00:00:00"
        linux_test on -icount 2 -rtc "$rtc"; cp "$B/linux-on.serial" "$B/icount-a.serial"
        linux_test on -icount 2 -rtc "$rtc"; cp "$B/linux-on.serial" "$B/icount-b.serial"
        if cmp -s "$B/icount-a.serial" "$B/icount-b.serial"; then ok linux/icount-deterministic
        else bad linux/icount-deterministic "serial output differs between two -icount runs"; fi
    fi
fi

echo "boot tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
