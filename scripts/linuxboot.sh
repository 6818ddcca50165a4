#!/usr/bin/env bash
# Time one Linux boot to the initramfs marker (developer tool, not a test).
#   scripts/linuxboot.sh [BINARY] [extra x86bt args...]
#   scripts/linuxboot.sh qemu
# Prints the CPU and wall seconds until X86BT-LINUX-READY appears on COM1.
# Needs build/guests/vmlinuz + initrd.gz (make build/guests/vmlinuz or make test).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/x86bt}; shift || true
k=build/guests/vmlinuz; i=build/guests/initrd.gz
if [ "$bin" = qemu ]; then
    cmd=(qemu-system-i386 -accel tcg -cpu pentium2 -m 64 -display none -serial stdio
         -monitor none -nic none -no-reboot -kernel "$k" -initrd "$i"
         -append "console=ttyS0,115200")
else
    cmd=("$bin" -m 64 -nographic -serial stdio -no-reboot -kernel "$k" -initrd "$i"
         -append "console=ttyS0,115200" "$@")
fi
exec python3 - "${cmd[@]}" <<'PY'
import os, subprocess, sys, time, resource
t0 = time.time()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                     stdin=subprocess.DEVNULL)
buf = b""
ok = False
while True:
    c = p.stdout.read1(4096) if hasattr(p.stdout, "read1") else p.stdout.read(1)
    if not c:
        break
    buf += c
    if b"X86BT-LINUX-READY" in buf:
        ok = True
        break
    if time.time() - t0 > 120:
        break
wall = time.time() - t0
p.kill(); p.wait()
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%s cpu user %.2f sys %.2f wall %.2f" % ("ok" if ok else "FAILED", r.ru_utime, r.ru_stime, wall))
sys.exit(0 if ok else 1)
PY
