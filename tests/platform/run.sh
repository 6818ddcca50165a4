#!/usr/bin/env bash
# tests/platform/run.sh X86BT BUILD — PC platform system tests with real
# software from Debian, checked by the text on the VGA screen (-display
# none mirrors changed text rows to stdout; see tests/platform/lib.sh):
#  1. memtest86+ (package memtest86+) through SeaBIOS, both as a Linux
#     boot-protocol kernel (-kernel /boot/memtest86+ia32.bin, both tiers)
#     and from its CD image (El Torito floppy emulation, translation tier):
#     the first pass must reach test #4, so tests #0, #2 and #3 (#1 is not
#     in memtest's first pass) have completed, with "Errors: 0" throughout
#     (the reference tier: test #3, i.e. the first test and #2 completed).
#  2. GRUB's rescue floppy (package grub-rescue-pc, a copy: the guest may
#     write to its floppy) boots from -fda through SeaBIOS to the GRUB menu.
#  3. The keyboard: SeaBIOS's boot menu (-boot menu=on) and GRUB's command
#     line, typed with -sendkey-at on a deterministic clock (-icount 3, a
#     fixed RTC: the keys land at the same guest instant every run). The
#     CD (memtest86+) is first in the boot order; ESC opens the menu, "2"
#     picks the floppy, GRUB's menu takes "c", and "echo X86BT-KEYS" at
#     grub> must print X86BT-KEYS (the reference tier: the boot menu up to
#     GRUB's start).
# Prints "N passed, N failed" and fails on any failure.
set -u
X86BT=$1
B=$2/platform
mkdir -p "$B"
. tests/platform/lib.sh
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "PASS $1 (${RUN_SECS}s)"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
# A test whose Debian package is missing is a failure: scripts/deps.sh
# installs them (scripts/deps-extra.txt).
need() { [ -r "$1" ] || { bad "$2" "$1 missing (scripts/deps.sh installs it)"; return 1; }; }

MT_BIN=/boot/memtest86+ia32.bin
MT_ISO=/usr/lib/memtest86+/memtest86+ia32.iso
MT_TEST3='Test #3  \[Moving inversions, 1s & 0s\]'
MT_TEST4='Test #4  \[Moving inversions, 8 bit pattern\]'
memtest() { # name until args...
    local name=$1 until=$2; shift 2
    local out="$B/${name//\//-}.screen"
    if ! run_until "$until" 120 "$out" -m 16 "$@"; then
        bad "$name" "'$until' never showed (last screen rows: $(grep -a 'Test #\|Status' "$out" | tail -2 | tr -s ' '))"
        return
    fi
    local why=""
    grep -aEq 'Memtest86\+ v6\.[0-9]+ +\| Pentium II' "$out" || why="$why; no 'Memtest86+ v6.x | Pentium II' header"
    grep -aq 'Memory  :   16MB' "$out" || why="$why; memory size is not 16MB"
    grep -aq 'Pass:  0        Errors: 0' "$out" || why="$why; no 'Errors: 0' row"
    grep -aEq 'Errors: *[1-9]|Failing' "$out" && why="$why; memtest reported errors"
    if [ -n "$why" ]; then bad "$name" "${why#; }"; else ok "$name"; fi
}

if need "$MT_BIN" memtest; then
    memtest memtest-kernel/jit-on "$MT_TEST4" -jit on -kernel "$MT_BIN"
    memtest memtest-kernel/jit-off "$MT_TEST3" -jit off -kernel "$MT_BIN"
fi
need "$MT_ISO" memtest-cdrom &&
    memtest memtest-cdrom/jit-on "$MT_TEST4" -cdrom "$MT_ISO" -boot d

GRUB_FD=/usr/lib/grub-rescue/grub-rescue-floppy.img
GRUB_MENU='The highlighted entry will be executed automatically in [0-9]+s'
grub_menu() { # jit
    local name=grub-floppy/jit-$1 out="$B/grub-floppy-$1.screen"
    cp "$GRUB_FD" "$B/grub.img"
    if ! run_until "$GRUB_MENU" 120 "$out" -jit "$1" -fda "$B/grub.img" -boot a; then
        bad "$name" "no GRUB menu countdown (last rows: $(tail -2 "$out" | tr -s ' '))"
        return
    fi
    local why=""
    grep -aq '^Booting from Floppy' "$out" || why="$why; SeaBIOS did not boot the floppy"
    grep -aEq 'GNU GRUB  version 2\.[0-9]+' "$out" || why="$why; no GNU GRUB banner"
    grep -aq '|\*GNU/Linux  ' "$out" || why="$why; first entry 'GNU/Linux' not highlighted"
    grep -aq '| Memtest86+  ' "$out" || why="$why; no Memtest86+ entry"
    if [ -n "$why" ]; then bad "$name" "${why#; }"; else ok "$name"; fi
}
if need "$GRUB_FD" grub-floppy; then
    grub_menu on
    grub_menu off
fi

# Virtual times (s) under -icount 3: SeaBIOS's prompt is up before 1 s
# and waits splash-time 5 s; the GRUB menu is up at about 5.3 s.
# The reference tier stops once GRUB starts (its command line idles slowly:
# GRUB's real-mode calls cost a retranslation each in the translation tier
# and are slow in both).
bootmenu_keys() { # jit
    local name=bootmenu-keys/jit-$1 out="$B/bootmenu-keys-$1.screen"
    local until='^X86BT-KEYS$' full=1
    [ "$1" = off ] && { until='^Welcome to GRUB!'; full=0; name=bootmenu/jit-off; }
    cp "$GRUB_FD" "$B/grub-keys.img"
    if ! run_until "$until" 180 "$out" -jit "$1" -icount 3 \
        -rtc base=2020-01-01T00:00:00 -fda "$B/grub-keys.img" \
        -cdrom "$MT_ISO" -boot d,menu=on,splash-time=5000 \
        -sendkey-at 2:esc -sendkey-at 3:2 -sendkey-at 6:c \
        -sendkey-at 6.5:e,c,h,o,spc,X,8,6,B,T,minus,K,E,Y,S,ret; then
        bad "$name" "'$until' never appeared (last rows: $(tail -3 "$out" | tr -s ' '))"
        return
    fi
    local why=""
    grep -aq '^Press ESC for boot menu\.' "$out" || why="$why; no SeaBIOS boot-menu prompt"
    grep -aq '^Select boot device:' "$out" || why="$why; ESC did not open the boot menu"
    grep -aq '^1\. DVD/CD \[ata1-0: ' "$out" || why="$why; no '1. DVD/CD' entry"
    grep -aq '^2\. Floppy \[drive A\]' "$out" || why="$why; no '2. Floppy' entry"
    grep -aq '^Booting from Floppy\.\.\.' "$out" || why="$why; '2' did not boot the floppy"
    grep -aq 'Booting from DVD/CD' "$out" && why="$why; the CD booted"
    if [ $full = 1 ]; then
        grep -aq 'executed automatically in' "$out" || why="$why; no GRUB menu"
        grep -aq '^grub> echo X86BT-KEYS' "$out" || why="$why; the typed line is not on the screen"
    fi
    if [ -n "$why" ]; then bad "$name" "${why#; }"; else ok "$name"; fi
}
if [ -r "$GRUB_FD" ] && [ -r "$MT_ISO" ]; then
    bootmenu_keys on
    bootmenu_keys off
fi

echo "platform tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
