#!/usr/bin/env bash
# Install every Debian package the build, tests, demo and benchmarks need,
# when missing. Runs `apt-get update` once, then `apt-get install -y`.
# Called by make before the first build (stamp: build/.deps-ok), by
# .ci/run, and by hand: scripts/deps.sh
set -euo pipefail

PKGS=(
    gcc make pkg-config nasm        # toolchain; nasm for guest tests
    check                           # unit-test framework
    libcapstone-dev                 # disassembly: traces, explain mode, decoder oracle
    libunicorn-dev                  # reference CPU for differential tests
    libsdl2-dev                     # display window and input
    libffi-dev                      # see README (libffi)
    seabios                         # firmware: /usr/share/seabios/bios-256k.bin
    python3                         # test and bench harness scripts
)
# Extra packages named by sub-systems (one per line, '#' comments) are
# listed in scripts/deps-extra.txt so each can document its own.
if [ -f "$(dirname "$0")/deps-extra.txt" ]; then
    while read -r p _; do
        [ -n "$p" ] && [ "${p#\#}" = "$p" ] && PKGS+=("$p")
    done < "$(dirname "$0")/deps-extra.txt"
fi

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || {
            echo "deps: missing packages (${missing[*]}) and not root; install them" >&2
            exit 1
        }
        SUDO=sudo
    fi
    export DEBIAN_FRONTEND=noninteractive
    # One failing index (a mirror in sync, often the i386 lists that
    # roms/guests/build-linux.sh enables) must not stop the install.
    $SUDO apt-get update -q || echo "deps: apt-get update reported errors" >&2
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
mkdir -p build && touch build/.deps-ok
