#!/bin/sh
# run.sh — boot each guest test image and collect verdicts.
#
# usage: tests/guests/run.sh [--qemu] EMULATOR IMAGE.bin...
#
# Each image runs as `EMULATOR -bios IMAGE -display none -nographic -jit off`
# and again with `-jit on`. A test passes when the emulator exits with status
# 1 (the guest wrote 0 to port 0xF4) after printing a line starting with
# "PASS" (so that an emulator failing with status 1 is not a pass). If the emulator rejects `-jit on`
# (prints "unsupported"/"not supported" or exits 2 at once), that pass is
# skipped with a notice. A source line "; x86bt-args: OPTS" adds OPTS to
# the x86bt command line (e.g. -icount 0). With --qemu the tests run under qemu-system-i386 as
# a reference (to validate the tests themselves, not x86bt).
# Environment: GUEST_TIMEOUT (seconds, default 10), GUEST_VERBOSE=1,
# GUEST_ARGS (more x86bt options, e.g. -icount 2).
set -u
qemu=0
if [ "${1:-}" = "--qemu" ]; then qemu=1; shift; fi
emu=$1; shift
timeout_s=${GUEST_TIMEOUT:-10}
pass=0; fail=0; skip=0; failed=""
out=$(mktemp)
trap 'rm -f "$out"' EXIT

run_one() { # image mode
    case $(basename "$1") in triple*) noreboot= ;; *) noreboot=-no-reboot ;; esac
    if [ $qemu = 1 ]; then
        timeout "$timeout_s" qemu-system-i386 -M pc -cpu pentium2,-apic -m 64 \
            -bios "$1" -display none -serial none -monitor none \
            -device isa-debug-exit,iobase=0xf4,iosize=1 \
            -debugcon stdio $noreboot >"$out" 2>&1 </dev/null
    else
        # A test may ask for options with a line "; x86bt-args: ..." in
        # its source (tests/guests/NAME.asm).
        src="tests/guests/$(basename "$1" .bin).asm"
        args=$(sed -n 's/^; x86bt-args: //p' "$src" 2>/dev/null)
        # shellcheck disable=SC2086
        timeout "$timeout_s" "$emu" -bios "$1" -display none -nographic \
            -jit "$2" $args ${GUEST_ARGS:-} >"$out" 2>&1 </dev/null
    fi
}

for img in "$@"; do
    name=$(basename "$img" .bin)
    for mode in off on; do
        if [ $qemu = 1 ] && [ $mode = on ]; then continue; fi
        run_one "$img" "$mode"
        rc=$?
        if [ $mode = on ] && [ $rc != 1 ] && \
           grep -qiE 'jit.*(unsupported|not supported|not available)' "$out"; then
            echo "SKIP $name (-jit on unsupported by this build)"
            skip=$((skip + 1))
            continue
        fi
        if [ $rc = 1 ] && grep -q '^PASS' "$out"; then
            pass=$((pass + 1))
            echo "PASS $name (-jit $mode)"
            [ "${GUEST_VERBOSE:-0}" = 1 ] && sed 's/^/    /' "$out"
        else
            fail=$((fail + 1))
            failed="$failed $name/jit-$mode"
            if [ $rc = 124 ]; then why="timeout ${timeout_s}s"; else why="exit $rc"; fi
            echo "FAIL $name (-jit $mode): $why"
            tail -n 20 "$out" | sed 's/^/    /'
        fi
    done
done
echo "guest tests: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ] || { echo "failed:$failed"; exit 1; }
exit 0
