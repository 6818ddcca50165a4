#!/bin/bash
# Builds the x86bt Linux test guest from Debian 12 i386 packages (see
# README.md beside this file): build/guests/{vmlinuz,initrd.gz,linux.img,
# linux-test.img,linux-test.md5,linux.manifest}.
#
# i386 packages are only downloaded (apt-get download) and unpacked
# (dpkg-deb -x), never installed, and nothing i386 is executed: the busybox
# applet links come from the applet-name table inside the binary, module
# order from the host's kmod (modprobe --show-depends on the unpacked tree).
# The disk image is made with mkfs.fat, mtools and syslinux on plain files
# (no loop devices, no mounts).  Every step is skipped when its outputs are
# newer than its inputs.
#
# Environment:
#   GUESTS_OUT   output directory (default: <repo>/build/guests)
#   LINUX_PKG    kernel package (default: what linux-image-686:i386 needs)
#   GUESTS_OFFLINE=1  never call apt (use the .debs already downloaded)

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT=${GUESTS_OUT:-$TOP/build/guests}
SCRIPT="$HERE/build-linux.sh"
INIT="$HERE/linux/init"
TEST="$HERE/linux/test.sh"

META_PKG=linux-image-686
BUSYBOX_PKG=busybox-static
# Module names; dependencies and soft dependencies are added by modprobe.
MODULES="sd_mod ata_piix vfat nls_cp437 nls_ascii pcnet32 vmxnet3 mptspi"
# Applets the init and test scripts use: the applet table must have them.
NEEDED_APPLETS="sh mount umount insmod md5sum cat ls dmesg poweroff setsid
stty sleep grep hostname mkdir"
IMG_MB=32
PART_START=2048
MBR_BIN=/usr/lib/syslinux/mbr/mbr.bin
# Host packages (amd64) the build needs, as "command:package".
HOST_TOOLS="dpkg-deb:dpkg apt-get:apt cpio:cpio gzip:gzip modprobe:kmod
depmod:kmod mkfs.fat:dosfstools mcopy:mtools syslinux:syslinux"

export PATH="$PATH:/usr/sbin:/sbin"
export LC_ALL=C
umask 022
export MTOOLS_SKIP_CHECK=1
# Timestamps in the initramfs and on the FAT file system (mtools reads it).
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-946684800}

log() { echo "build-linux: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}
is_root() { [ "$(id -u)" -eq 0 ]; }

# up_to_date OUT IN...: OUT exists and no IN is newer than it.
up_to_date() {
    local out=$1 in
    shift
    [ -e "$out" ] || return 1
    for in in "$@"; do
        [ "$in" -nt "$out" ] && return 1
    done
    return 0
}

# ---------------------------------------------------------------- host tools

host_tools() {
    local pair missing=()
    for pair in $HOST_TOOLS; do
        command -v "${pair%%:*}" >/dev/null && continue
        case " ${missing[*]} " in
        *" ${pair#*:} "*) ;;
        *) missing+=("${pair#*:}") ;;
        esac
    done
    [ -f "$MBR_BIN" ] || missing+=(syslinux-common)
    [ ${#missing[@]} -eq 0 ] && return 0
    is_root || die "missing host packages: ${missing[*]} (apt-get install)"
    log "installing host packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
        { apt_update && apt-get install -y -q --no-install-recommends \
            "${missing[@]}" >&2; } || die "cannot install ${missing[*]}"
}

# ------------------------------------------------------------ i386 packages

# apt_update: refresh the lists.  A failed index (e.g. a mirror in sync)
# is not fatal: what matters is that the packages resolve afterwards.
apt_update() {
    is_root || die "apt lists lack i386 packages; run as root once"
    apt-get update -q >&2 || log "warning: apt-get update reported errors"
}

enable_i386() {
    dpkg --print-foreign-architectures | grep -qx i386 && return 0
    is_root || die "i386 is not a dpkg architecture; as root run:" \
        "dpkg --add-architecture i386 && apt-get update"
    log "enabling the i386 architecture for downloads"
    dpkg --add-architecture i386
    apt_update
}

# kernel_pkg: the linux-image-6.1.0-NN-686 package the meta package wants.
kernel_pkg() {
    apt-cache depends "$META_PKG:i386" 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ {
            sub(/:i386$/, "", $2); print $2; exit }'
}

# local_deb PKG [VERSION]: a downloaded .deb of PKG (of VERSION if given);
# PKG may be a glob pattern.
local_deb() {
    local f
    for f in "$OUT/debs/"$1_*_i386.deb; do
        [ -f "$f" ] || continue
        if [ -z "${2:-}" ] || [ "$(dpkg-deb -f "$f" Version)" = "$2" ]; then
            echo "$f"
            return 0
        fi
    done
    return 1
}

# fetch PKG VERSION: make sure debs/ has PKG at VERSION, drop other versions.
fetch() {
    local pkg=$1 ver=$2 f
    local_deb "$pkg" "$ver" >/dev/null && return 0
    log "downloading $pkg:i386 $ver"
    mkdir -p "$OUT/debs"
    local sandbox=()
    is_root && sandbox=(-o APT::Sandbox::User=root)
    (cd "$OUT/debs" && apt-get download -q "${sandbox[@]}" \
        "$pkg:i386=$ver" >&2) || die "apt-get download $pkg:i386=$ver failed"
    for f in "$OUT/debs/$pkg"_*_i386.deb; do
        [ "$(dpkg-deb -f "$f" Version)" = "$ver" ] || rm -f "$f"
    done
    local_deb "$pkg" "$ver" >/dev/null || die "no .deb for $pkg $ver"
}

# resolve: sets KPKG, KVERS, BVERS (kernel package, versions apt would
# fetch) with one apt-cache policy call; false when apt does not know them.
resolve() {
    local vers
    KPKG=${LINUX_PKG:-$(kernel_pkg)}
    [ -n "$KPKG" ] || return 1
    vers=$(apt-cache policy "$KPKG:i386" "$BUSYBOX_PKG:i386" 2>/dev/null |
        awk '/^[^ ]/ { pkg = $1 }
            $1 == "Candidate:" && $2 != "(none)" { print pkg, $2 }')
    KVERS=$(echo "$vers" | awk -v p="$KPKG:i386:" '$1 == p { print $2 }')
    BVERS=$(echo "$vers" | awk -v p="$BUSYBOX_PKG:i386:" '$1 == p { print $2 }')
    [ -n "$KVERS" ] && [ -n "$BVERS" ]
}

# get_packages: sets KDEB and BDEB to the kernel and busybox .debs.
get_packages() {
    if [ "${GUESTS_OFFLINE:-0}" = 1 ]; then
        KDEB=$(local_deb "${LINUX_PKG:-linux-image-[0-9]*-686}") ||
            die "offline: no kernel .deb in $OUT/debs"
        BDEB=$(local_deb "$BUSYBOX_PKG") || die "offline: no busybox .deb"
        return 0
    fi
    enable_i386
    if ! resolve; then
        apt_update
        resolve || die "apt has no i386 candidate for" \
            "${KPKG:-$META_PKG} or $BUSYBOX_PKG"
    fi
    fetch "$KPKG" "$KVERS"
    fetch "$BUSYBOX_PKG" "$BVERS"
    KDEB=$(local_deb "$KPKG" "$KVERS")
    BDEB=$(local_deb "$BUSYBOX_PKG" "$BVERS")
}

# extract: unpack both .debs into root/ and index the modules (depmod).
extract() {
    local root="$OUT/root" stamp="$OUT/root/.x86bt-extracted"
    if ! up_to_date "$stamp" "$KDEB" "$BDEB" "$SCRIPT"; then
        log "unpacking $(basename "$KDEB") $(basename "$BDEB")"
        rm -rf "$root"
        mkdir -p "$root"
        dpkg-deb -x "$KDEB" "$root"
        dpkg-deb -x "$BDEB" "$root"
        set -- "$root"/lib/modules/*
        if [ $# -ne 1 ] || [ ! -d "$1" ]; then
            die "expected one modules directory in $KDEB"
        fi
        depmod -b "$root" "$(basename "$1")"
        touch "$stamp"
    fi
    set -- "$root"/lib/modules/*
    KVER=$(basename "$1")
    [ -f "$root/boot/vmlinuz-$KVER" ] || die "no vmlinuz-$KVER in $KDEB"
    [ -x "$root/bin/busybox" ] || die "no bin/busybox in $BDEB"
}

# ---------------------------------------------------------------- initramfs

# applets BUSYBOX: the applet names, read from the binary's packed,
# sorted, NUL-separated name table (it starts "[", "[[").  Busybox is not
# run: it is an i386 binary.
applets() {
    tr '\0' '\n' <"$1" | awk '
        state == 0 && prev == "[" && $0 == "[[" {
            state = 1; print "["; print "[["; last = $0; next }
        state == 0 { prev = $0; next }
        state == 2 { next }
        $0 ~ /^[a-z0-9][a-z0-9._-]*$/ && $0 > last { print; last = $0; next }
        { state = 2 }'
}

# module_order: guest paths of MODULES and their dependencies, load order.
module_order() {
    local m root="$OUT/root"
    for m in $MODULES; do
        modprobe -d "$root" -S "$KVER" --show-depends "$m" ||
            die "module $m not found in $KVER"
    done | awk -v root="$root" '
        $1 == "insmod" && !seen[$2]++ { print substr($2, length(root) + 1) }'
}

# cpio_entry NAME MODE RDEVMAJOR RDEVMINOR INO: one empty newc entry.
cpio_entry() {
    local name=$1 size=$((${#1} + 1)) pad
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        "$5" "$2" 0 0 1 0 0 0 0 "$3" "$4" "$size" 0
    printf '%s\0' "$name"
    pad=$(((4 - (110 + size) % 4) % 4))
    head -c "$pad" /dev/zero
}

# device_archive: a cpio archive with /dev/console (char 5:1), written
# by hand so that no mknod (root) is needed.  The kernel opens it for
# PID 1's stdio before /init mounts devtmpfs.
device_archive() {
    cpio_entry dev $((0040755)) 0 0 1
    cpio_entry dev/console $((0020600)) 5 1 2
    cpio_entry 'TRAILER!!!' 0 0 0 0
}

build_initramfs() {
    local out="$OUT/initrd.gz" stage="$OUT/initramfs" root="$OUT/root"
    local a n mods ksum vsum
    up_to_date "$out" "$OUT/root/.x86bt-extracted" "$SCRIPT" "$INIT" \
        "$TEST" && return 0
    log "building initrd.gz ($KVER)"
    rm -rf "$stage"
    mkdir -p "$stage"/{bin,dev,etc/x86bt,lib/modules/"$KVER",mnt,proc,root}
    mkdir -p "$stage"/{run,sys,tmp,usr}
    ln -s bin "$stage/sbin"
    ln -s ../bin "$stage/usr/bin"
    ln -s ../bin "$stage/usr/sbin"
    cp "$root/bin/busybox" "$stage/bin/busybox"

    applets "$root/bin/busybox" >"$OUT/applets.txt"
    n=$(wc -l <"$OUT/applets.txt")
    [ "$n" -ge 100 ] || die "only $n applets found in busybox"
    for a in $NEEDED_APPLETS; do
        grep -qx -- "$a" "$OUT/applets.txt" || die "busybox lacks $a"
    done
    while read -r a; do
        [ "$a" = busybox ] || ln -s busybox "$stage/bin/$a"
    done <"$OUT/applets.txt"

    mods=$(module_order)
    for a in $mods; do
        mkdir -p "$stage/$(dirname "$a")"
        cp "$root$a" "$stage$a"
    done
    echo "$mods" >"$stage/etc/x86bt/modules"
    echo "$mods" | sed "s|^/lib/modules/$KVER/||" \
        >"$stage/lib/modules/$KVER/modules.order"
    cp "$root/lib/modules/$KVER/modules.builtin" \
        "$root/lib/modules/$KVER/modules.builtin.modinfo" \
        "$stage/lib/modules/$KVER/"
    depmod -b "$stage" "$KVER"

    seq 1 32768 >"$stage/etc/x86bt/known.txt"
    ksum=$(md5sum <"$stage/etc/x86bt/known.txt" | cut -d' ' -f1)
    vsum=$(md5sum <"$root/boot/vmlinuz-$KVER" | cut -d' ' -f1)
    printf '%s  %s\n' "$ksum" /etc/x86bt/known.txt "$ksum" /mnt/known.txt \
        "$vsum" /mnt/vmlinuz >"$stage/etc/x86bt/expected.md5"
    cp "$stage/etc/x86bt/expected.md5" "$OUT/linux-test.md5"
    for a in "$root"/usr/share/doc/*/copyright; do
        a=${a#"$root"/}
        mkdir -p "$stage/$(dirname "$a")"
        cp "$root/$a" "$stage/$a"
    done
    echo "root:x:0:0:root:/root:/bin/sh" >"$stage/etc/passwd"
    echo "root:x:0:" >"$stage/etc/group"
    install -m 755 "$INIT" "$stage/init"
    install -m 755 "$TEST" "$stage/test.sh"

    # Fixed times, owners and order: the same inputs give the same bytes.
    find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    (
        device_archive
        cd "$stage" && find . -mindepth 1 | sed 's|^\./||' | sort |
            cpio --quiet -o -H newc -R 0:0 --reproducible
    ) | gzip -9 -n >"$out.tmp"
    mv "$out.tmp" "$out"
}

# ---------------------------------------------------------------- disk image

# le32 N: N as 4 little-endian bytes (printf escapes).
le32() {
    printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) \
        $((($1 >> 16) & 255)) $((($1 >> 24) & 255))
}

# chs LBA: the 3 CHS bytes of LBA for 255 heads, 63 sectors per track
# (cylinders above 1023 are clamped to 1023/254/63).
chs() {
    local c=$(($1 / (255 * 63))) h=$((($1 / 63) % 255)) s=$(($1 % 63 + 1))
    if [ "$c" -gt 1023 ]; then c=1023 h=254 s=63; fi
    printf '\\x%02x\\x%02x\\x%02x' "$h" $((s | ((c >> 2) & 0xc0))) \
        $((c & 255))
}

# mbr IMG SECTORS: syslinux's mbr.bin plus one active FAT16 (type 06)
# partition from PART_START to the end of the disk.
mbr() {
    local img=$1 total=$2 size=$(($2 - PART_START)) entry
    dd if="$MBR_BIN" of="$img" bs=440 count=1 conv=notrunc status=none
    entry="\\x80$(chs $PART_START)\\x06$(chs $((total - 1)))"
    entry="$entry$(le32 $PART_START)$(le32 $size)"
    printf '%b' "$entry" | dd of="$img" bs=1 seek=446 conv=notrunc status=none
    printf '\x55\xaa' | dd of="$img" bs=1 seek=510 conv=notrunc status=none
}

# syslinux_cfg DEFAULT: the boot menu, DEFAULT being "linux" or "test".
syslinux_cfg() {
    cat <<EOF
SERIAL 0 115200
PROMPT 0
TIMEOUT 0
DEFAULT $1
LABEL linux
  LINUX /vmlinuz
  INITRD /initrd.gz
  APPEND console=ttyS0,115200 console=tty0
LABEL test
  LINUX /vmlinuz
  INITRD /initrd.gz
  APPEND console=ttyS0,115200 console=tty0 x86bt.test=1
EOF
}

# build_disk IMG DEFAULT: MBR + FAT16 partition with syslinux, the kernel,
# initrd.gz and known.txt, booting label DEFAULT.
build_disk() {
    local img=$1 label=$2 part="$1.part" total=$((IMG_MB * 2048))
    up_to_date "$img" "$OUT/vmlinuz" "$OUT/initrd.gz" "$SCRIPT" && return 0
    log "building $(basename "$img") (default label $label)"
    rm -f "$part" "$img.tmp"
    mkfs.fat --invariant -F 16 -n X86BT -i 58864254 -h "$PART_START" -g 255/63 \
        -C "$part" $(((total - PART_START) / 2)) >/dev/null
    mcopy -i "$part" "$OUT/vmlinuz" ::/vmlinuz
    mcopy -i "$part" "$OUT/initrd.gz" ::/initrd.gz
    seq 1 32768 | mcopy -i "$part" - ::/known.txt
    syslinux_cfg "$label" | mcopy -i "$part" - ::/syslinux.cfg
    syslinux --install "$part"
    truncate -s $((IMG_MB * 1024 * 1024)) "$img.tmp"
    mbr "$img.tmp" "$total"
    dd if="$part" of="$img.tmp" bs=512 seek="$PART_START" conv=notrunc \
        status=none
    rm -f "$part"
    mv "$img.tmp" "$img"
}

manifest() {
    {
        echo "kernel_deb=$(basename "$KDEB")"
        echo "kernel_version=$(dpkg-deb -f "$KDEB" Version)"
        echo "kernel_release=$KVER"
        echo "kernel_source=$(dpkg-deb -f "$KDEB" Source)"
        echo "busybox_deb=$(basename "$BDEB")"
        echo "busybox_version=$(dpkg-deb -f "$BDEB" Version)"
        echo "busybox_source=$(dpkg-deb -f "$BDEB" Source)"
        echo "syslinux_version=$(dpkg-query -W -f '${Version}' syslinux \
            2>/dev/null || echo unknown)"
        echo "modules=$MODULES"
    } >"$OUT/linux.manifest.tmp"
    mv "$OUT/linux.manifest.tmp" "$OUT/linux.manifest"
}

main() {
    mkdir -p "$OUT"
    host_tools
    get_packages
    extract
    build_initramfs
    if ! up_to_date "$OUT/vmlinuz" "$OUT/root/boot/vmlinuz-$KVER"; then
        cp "$OUT/root/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
    fi
    build_disk "$OUT/linux.img" linux
    build_disk "$OUT/linux-test.img" test
    manifest
    log "ready: $OUT/{vmlinuz,initrd.gz,linux.img,linux-test.img} ($KVER)"
}

main "$@"
