#!/bin/sh
# run.sh — golden tests of the translator: each tests/golden/NAME.asm is
# booted with `-trace translate`; the explain output (guest instruction
# beside the host code emitted, printed position-independently) must match
# tests/golden/NAME.expected exactly, in both the release and asan builds.
# usage: tests/golden/run.sh EMULATOR IMAGE.bin...   (GOLDEN_UPDATE=1 to
# rewrite the .expected files after an intended change; review the diff)
set -u
# Host-independent output: no BMI2 instructions in the TLB probe.
export X86BT_JIT_NO_BMI2=1
emu=$1; shift
pass=0; fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for img in "$@"; do
    name=$(basename "$img" .bin)
    exp=tests/golden/$name.expected
    timeout 20 "$emu" -kernel "$img" -display none -nographic \
        -trace translate 2>&1 >/dev/null </dev/null |
        grep -E '^(translate:|  )' >"$out"
    if [ "${GOLDEN_UPDATE:-0}" = 1 ]; then
        cp "$out" "$exp"
        echo "UPDATED $name"
        continue
    fi
    if [ -f "$exp" ] && diff -u "$exp" "$out" >/dev/null; then
        pass=$((pass + 1))
        echo "PASS golden $name"
    else
        fail=$((fail + 1))
        echo "FAIL golden $name"
        [ -f "$exp" ] && diff -u "$exp" "$out" | head -40
    fi
done
echo "golden tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
