#!/bin/bash
# Boots the Linux test guest (build/guests, from build-linux.sh) under
# QEMU TCG as a reference: disk image and -kernel boots, test mode and the
# interactive shell.  Prints the wall time to X86BT-LINUX-READY and to the
# end of each run.  Needs qemu-system-x86 (amd64).  Not part of make test.
#
# Usage: roms/guests/qemu-check.sh [case...]
#   cases: disk-test disk-shell kernel-test kernel-shell (default: all)
# Logs: build/guests/qemu-<case>.log

set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT=${GUESTS_OUT:-$TOP/build/guests}
QEMU=${QEMU:-qemu-system-i386}
QEMU_ARGS=(-accel tcg -cpu pentium2 -m 128 -nographic -no-reboot)
APPEND="console=ttyS0,115200 console=tty0"
TIMEOUT=${TIMEOUT:-300}

FAILS=0

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# wait_for LOG STRING SECONDS PID: poll LOG until STRING shows up.
wait_for() {
    local n=0
    while ! grep -qaF -- "$2" "$1"; do
        kill -0 "$4" 2>/dev/null || return 1
        [ "$n" -ge $(($3 * 10)) ] && return 1
        sleep 0.1
        n=$((n + 1))
    done
}

# wait_exit PID SECONDS: wait for QEMU to leave by itself, else kill it.
wait_exit() {
    local n=0
    while kill -0 "$1" 2>/dev/null; do
        if [ "$n" -ge $(($2 * 10)) ]; then
            kill "$1"
            return 1
        fi
        sleep 0.1
        n=$((n + 1))
    done
}

# fail CASE WHY: report a failed check; the case counts as failed once.
fail() {
    echo "FAIL $1: $2"
    CASE_FAILED=1
}

run_case() {
    local name=$1 args=() shell=0 t0 ready log="$OUT/qemu-$1.log"
    local fifo="$OUT/qemu-$1.in" pid
    case $name in
    disk-test) args=(-drive "file=$OUT/linux-test.img,format=raw") ;;
    disk-shell) args=(-drive "file=$OUT/linux.img,format=raw") shell=1 ;;
    kernel-test)
        args=(-kernel "$OUT/vmlinuz" -initrd "$OUT/initrd.gz"
            -append "$APPEND x86bt.test=1")
        ;;
    kernel-shell)
        args=(-kernel "$OUT/vmlinuz" -initrd "$OUT/initrd.gz"
            -append "$APPEND")
        shell=1
        ;;
    *)
        fail "$name" "unknown case"
        return
        ;;
    esac
    rm -f "$fifo"
    mkfifo "$fifo"
    t0=$(now)
    "$QEMU" "${QEMU_ARGS[@]}" "${args[@]}" <"$fifo" >"$log" 2>&1 &
    pid=$!
    exec 3>"$fifo"
    if ! wait_for "$log" X86BT-LINUX-READY "$TIMEOUT" "$pid"; then
        fail "$name" "no X86BT-LINUX-READY (see $log)"
        kill "$pid" 2>/dev/null
        exec 3>&-
        rm -f "$fifo"
        return
    fi
    ready=$(elapsed "$t0")
    if [ "$shell" = 1 ]; then
        sleep 1
        echo 'echo X86BT-SHELL-$((6 * 7))' >&3
        wait_for "$log" X86BT-SHELL-42 30 "$pid" ||
            fail "$name" "the shell did not answer"
        echo exit >&3
    else
        wait_for "$log" X86BT-TEST-DONE "$TIMEOUT" "$pid" ||
            fail "$name" "no X86BT-TEST-DONE"
        grep -qa X86BT-MD5-FAIL "$log" && fail "$name" "md5 mismatch"
        grep -qa X86BT-MD5-OK "$log" || fail "$name" "no md5 checked"
    fi
    wait_exit "$pid" 60 || fail "$name" "QEMU did not power off"
    exec 3>&-
    rm -f "$fifo"
    echo "$name: ready after ${ready}s, finished after $(elapsed "$t0")s" \
        "($(grep -ac X86BT-MD5-OK "$log") md5 ok)"
}

if [ ! -f "$OUT/linux.img" ]; then
    echo "run roms/guests/build-linux.sh first"
    exit 1
fi
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(disk-test disk-shell kernel-test kernel-shell)
for c in "${cases[@]}"; do
    CASE_FAILED=0
    run_case "$c"
    FAILS=$((FAILS + CASE_FAILED))
done
echo "$((${#cases[@]} - FAILS)) passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
