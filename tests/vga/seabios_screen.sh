#!/usr/bin/env bash
# seabios_screen.sh EMU — system check of the VGA with real firmware:
# boot SeaBIOS (no disks) under both tiers with -display none and take the
# text screen at 4 s of virtual time; it must show SeaBIOS's banner, which
# the BIOS prints through the VGA BIOS (vgabios-stdvga.bin) into text mode.
# A tier whose SeaBIOS never reaches its VGA option-ROM scan (firmware or
# CPU problem, seen in the debugcon log) is reported as SKIP, not FAIL.
set -u
emu=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for jit in off on; do
    timeout 8 "$emu" -jit "$jit" -display none -serial none \
        -debugcon "file:$tmp/log.$jit" \
        -screenshot-text-at "4:$tmp/screen.$jit" >"$tmp/out.$jit" 2>&1 </dev/null
    if ! grep -q "Scan for VGA option rom" "$tmp/log.$jit" 2>/dev/null; then
        echo "SKIP vga-seabios (-jit $jit): SeaBIOS did not reach VGA init"
        continue
    fi
    if grep -q "^SeaBIOS (version" "$tmp/screen.$jit" 2>/dev/null; then
        echo "PASS vga-seabios (-jit $jit)"
    else
        echo "FAIL vga-seabios (-jit $jit): no SeaBIOS banner on the screen"
        sed 's/^/    /' "$tmp/screen.$jit" 2>/dev/null | head -10
        fail=1
    fi
done
exit $fail
