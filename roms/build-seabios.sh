#!/usr/bin/env bash
# build-seabios.sh OUTDIR — build SeaBIOS for x86bt's 440BX board.
#
# Route 1: Debian's source package seabios=$VERSION (apt-get source, with
#          the system's deb-src lines or a private apt configuration in
#          OUTDIR/apt), Debian's own patches, then
#          roms/seabios-440bx.patch, configured like Debian's bios-256k.bin
#          (CONFIG_QEMU=y, 256 KB), tagged "-x86bt-440bx" in its version.
# Route 2: if any step fails, copy Debian's prebuilt bios-256k.bin (package
#          `seabios`); x86bt then pre-shadows the BIOS itself.
set -u
OUT=${1:-build/roms}
VERSION=1.16.2-1
PATCH=$(cd "$(dirname "$0")" && pwd)/seabios-440bx.patch
PREBUILT=/usr/share/seabios/bios-256k.bin
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
LOG="$OUT/seabios-build.log"
: > "$LOG"

fallback() {
    echo "roms: SeaBIOS source build unavailable ($1); using $PREBUILT" >&2
    if [ ! -r "$PREBUILT" ]; then
        echo "roms: $PREBUILT missing: apt-get install seabios" >&2
        exit 1
    fi
    cp "$PREBUILT" "$OUT/bios.bin"
    echo "prebuilt $PREBUILT ($1)" > "$OUT/bios.route"
    exit 0
}

# Without a deb-src line in the system's apt sources, use a private apt
# configuration under $OUT/apt (same Debian archive and keyring, no change
# to the machine) just to fetch the source package.
private_apt_source() {
    local A="$OUT/apt"
    mkdir -p "$A/lists/partial" "$A/cache/archives/partial"
    cat > "$A/sources.list" <<EOS
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
EOS
    local opts=(-o "Dir::Etc::SourceList=$A/sources.list"
                -o "Dir::Etc::SourceParts=/nonexistent"
                -o "Dir::State::Lists=$A/lists"
                -o "Dir::Cache=$A/cache"
                -o "Debug::NoLocking=1")
    echo "roms: no deb-src in the system sources; using $A" >> "$LOG"
    apt-get "${opts[@]}" update >> "$LOG" 2>&1 &&
        (cd "$OUT/dl" && apt-get "${opts[@]}" source --download-only \
            "seabios=$VERSION") >> "$LOG" 2>&1
}

SRC="$OUT/seabios-src"
# The stamp holds the patch's checksum: a changed patch re-extracts the
# source (the downloaded source package is kept).
PATCH_SUM=$(sha256sum < "$PATCH" | cut -d' ' -f1)
if [ "$(cat "$SRC/.x86bt-patched" 2>/dev/null)" != "$PATCH_SUM" ]; then
    rm -rf "$SRC"
    if [ ! -f "$OUT/dl/seabios_$VERSION.dsc" ]; then
        rm -rf "$OUT/dl"
        mkdir -p "$OUT/dl"
        (cd "$OUT/dl" && apt-get source --download-only "seabios=$VERSION") \
            >> "$LOG" 2>&1 || private_apt_source ||
            fallback "apt-get source seabios=$VERSION failed"
    fi
    dpkg-source -x "$OUT/dl/seabios_$VERSION.dsc" "$SRC" >> "$LOG" 2>&1 ||
        fallback "dpkg-source failed"
    patch -d "$SRC" -p1 < "$PATCH" >> "$LOG" 2>&1 ||
        fallback "roms/seabios-440bx.patch does not apply"
    echo "$PATCH_SUM" > "$SRC/.x86bt-patched"
fi

BUILD="$SRC/out-x86bt"
mkdir -p "$BUILD"
printf 'CONFIG_QEMU=y\nCONFIG_ROM_SIZE=256\n' > "$BUILD/.config"
MK=(make -C "$SRC" PYTHON=python3 KCONFIG_CONFIG="$BUILD/.config"
    OUT="$BUILD/" EXTRAVERSION="-debian-$VERSION-x86bt-440bx")
echo "roms: building patched SeaBIOS $VERSION (log: $LOG)" >&2
"${MK[@]}" olddefconfig >> "$LOG" 2>&1 || fallback "configure failed"
"${MK[@]}" -j2 "$BUILD/bios.bin" >> "$LOG" 2>&1 || fallback "build failed"
cp "$BUILD/bios.bin" "$OUT/bios.bin"
echo "source seabios=$VERSION + roms/seabios-440bx.patch" > "$OUT/bios.route"
