#!/bin/bash
# Host (amd64) Debian packages that building and testing x86bt needs; CI
# runs this as root.  Keep one comment per group saying who needs it.
set -euo pipefail

PKGS=(
    # roms/guests/build-linux.sh: unpack Debian i386 packages (downloaded
    # only), build the initramfs and the syslinux FAT disk image
    cpio kmod dosfstools mtools syslinux syslinux-common
    # roms/guests/qemu-check.sh: reference boots of the Linux guest
    qemu-system-x86
)

export DEBIAN_FRONTEND=noninteractive
apt-get update -q || echo "deps.sh: apt-get update reported errors" >&2
apt-get install -y -q --no-install-recommends "${PKGS[@]}"
