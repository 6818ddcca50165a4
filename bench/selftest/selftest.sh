#!/bin/sh
# selftest.sh - checks run.py itself without a real x86bt: the fake x86bt
# (fake_x86bt.sh, which runs the guest under QEMU) is made to succeed, crash
# and compute a wrong checksum, and the report must say so.
# Usage (from bench/): selftest/selftest.sh   (needs qemu-system-i386 and `make build`)
set -u
cd "$(dirname "$0")/.." || exit 1
out=build/selftest
mkdir -p "$out"
fails=0

run() {   # run MODE: run.py with the fake x86bt in MODE, "int" only, one run per cell
    FAKE_X86BT=$1 python3 run.py --x86bt selftest/fake_x86bt.sh --n 1 --only int \
        --timeout 20 --perf off --linux off --out "$out/$1.md" > "$out/$1.log" 2>&1
}

expect() {  # expect MODE PATTERN: the report of MODE contains PATTERN (grep -E)
    if grep -Eq "$2" "$out/$1.md"; then
        echo "selftest: ok    $1: $2"
    else
        echo "selftest: FAIL  $1: expected /$2/ in $out/$1.md"
        fails=$((fails + 1))
    fi
}

run ok
expect ok '^\| `int` \| [0-9]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| `0x[0-9a-f]{8}` ok \(4 columns\)'
run crash
expect crash 'n/a \(x86bt failed: exit 3 before BENCH-END: x86bt: unsupported opcode'
expect crash '^\| `int` \| [0-9]+ \| n/a \(x86bt failed\) \| n/a \(x86bt failed\) \| [0-9.]+ \| [0-9.]+ \|'
run wrong
expect wrong '^\| `int` .*\*\*MISMATCH\*\*'
run nojit
expect nojit '^\| `int` \| [0-9]+ \| [0-9.]+ \| n/a \(x86bt failed\) \| [0-9.]+ \| [0-9.]+ \| `0x[0-9a-f]{8}` ok \(3 columns\)'

[ "$fails" -eq 0 ] && echo "selftest: all passed" && exit 0
echo "selftest: $fails failed"
exit 1
