#!/usr/bin/env bash
# make demo: build the default Linux guest (Debian i386 kernel + busybox)
# and boot it through SeaBIOS from its disk image, serial on this terminal.
set -euo pipefail
X86BT=${1:-build/x86bt}
IMG=build/guests/linux.img
if [ ! -f "$IMG" ]; then
    if [ -x roms/guests/build-linux.sh ]; then
        roms/guests/build-linux.sh
    else
        echo "demo: the guest image builder (roms/guests/build-linux.sh) is not in this tree yet" >&2
        exit 1
    fi
fi
echo "demo: booting $IMG (type 'poweroff' in the guest to end; Ctrl-A x quits)"
exec "$X86BT" -m 128 -hda "$IMG" -nographic
