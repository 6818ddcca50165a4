#!/usr/bin/env bash
# run.sh X86BT OUTDIR [BIOS] — boot SeaBIOS (default build/roms/bios.bin,
# the patched build; Debian's prebuilt image exercises the fallback) on the 440BX
# board from an IDE disk and from an ATAPI CD and check that each boot
# sector ran (it prints a word on port 0xE9 and exits with status 1).
# Skips (passes) when the emulator has no CPU yet.
set -u
X86BT=$1
OUT=$2
BIOS=${3:-build/roms/bios.bin}
mkdir -p "$OUT/iso"
python3 tests/seabios/mkimages.py "$OUT" || exit 1
pass=0; fail=0; skip=0
check() { # name expected-text args...  (runs under both CPU tiers)
    local name=$1 want=$2 jit; shift 2
    for jit in off on; do
        check_one "$name (-jit $jit)" "$OUT/$name-jit$jit.log" "$want" \
            -jit "$jit" "$@"
    done
}
check_one() { # label log expected-text args...
    local name=$1 log=$2 want=$3; shift 3
    timeout 120 "$X86BT" -nographic -display none -m 64 \
        -bios "$BIOS" "$@" > "$log" 2>&1
    local rc=$?
    if grep -q "no CPU in this build" "$log"; then
        echo "SKIP $name (no CPU in this build)"; skip=$((skip + 1)); return
    fi
    if [ $rc -eq 1 ] && grep -aq "$want" "$log"; then
        echo "PASS $name"; pass=$((pass + 1))
    else
        echo "FAIL $name (exit $rc; log $log)"; fail=$((fail + 1))
    fi
}
check seabios-hdd BOK -hda "$OUT/disk.img" -boot c
if command -v xorriso > /dev/null; then
    xorriso -as mkisofs -quiet -o "$OUT/cd.iso" -b boot.bin -no-emul-boot \
        -boot-load-size 4 "$OUT/iso" > /dev/null 2>&1
    check seabios-cdrom CD -cdrom "$OUT/cd.iso" -boot d
else
    echo "SKIP seabios-cdrom (xorriso not installed)"; skip=$((skip + 1))
fi
echo "seabios boot tests: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
