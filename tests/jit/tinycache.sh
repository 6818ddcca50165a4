#!/bin/sh
# tinycache.sh — every guest test again under the translation tier with a
# 64 KB translation cache, so that the cache is flushed again and again
# while the guest runs (flush under pressure must not change behaviour).
# usage: tests/jit/tinycache.sh EMULATOR IMAGE.bin...
set -u
emu=$1; shift
pass=0; fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for img in "$@"; do
    name=$(basename "$img" .bin)
    args=$(sed -n 's/^; x86bt-args: //p' "tests/guests/$name.asm" 2>/dev/null)
    # shellcheck disable=SC2086
    timeout "${GUEST_TIMEOUT:-20}" "$emu" -bios "$img" -display none \
        -nographic -jit on -tcache 64 $args >"$out" 2>&1 </dev/null
    rc=$?
    if [ $rc = 1 ] && grep -q '^PASS' "$out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name (-jit on -tcache 64): status $rc"
        tail -3 "$out" | sed 's/^/    /'
    fi
done
echo "tiny-cache guest tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
