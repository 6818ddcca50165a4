#!/bin/sh
# fake_x86bt.sh - stands in for build/x86bt to test run.py (`make -C bench selftest`).
# Accepts x86bt's options (-m, -kernel, -fda, -initrd, -append, -nographic,
# -serial stdio, -jit on|off) and behaves according to FAKE_X86BT:
#   ok     run the guest under qemu-system-i386 (default)
#   wrong  the same, but corrupt the checksum of "-jit off" runs
#   crash  print an error on stderr and exit with status 3
#   hang   print nothing and never exit (tests the per-run timeout)
#   nojit  like ok for "-jit on", crash for "-jit off"
#   noexit no debug-exit device: the guest halts after BENCH-END and must be killed
#   slowsmc like ok, but hang on the smc benchmark (a per-benchmark failure)
mode=${FAKE_X86BT:-ok}
jit=on
set -- "$@" END
while [ "$1" != END ]; do
    case "$1" in
        -jit) jit=$2; shift 2 ;;
        -nographic) shift ;;
        -serial) shift 2 ;;
        *) set -- "$@" "$1"; shift ;;
    esac
done
shift
case "$mode" in
    crash) echo "x86bt: unsupported opcode 0f 0b at 0x100000" >&2; exit 3 ;;
    hang) exec sleep 100000 ;;
    nojit) [ "$jit" = off ] && { echo "x86bt: -jit off: not implemented" >&2; exit 2; } ;;
esac
q="qemu-system-i386 -accel tcg -cpu pentium2 -display none -serial stdio -monitor none -nic none
   -device isa-debug-exit,iobase=0xf4,iosize=0x04"
case "$*" in *-fda*) q="$q -boot a" ;; esac
case "$mode" in
    noexit) q=$(echo "$q" | sed 's/-device isa-debug-exit[^ ]*//') ;;
    slowsmc) case "$*" in *smc.*) exec sleep 100000 ;; esac ;;
esac
if [ "$mode" = wrong ] && [ "$jit" = off ]; then
    $q "$@" | sed -u 's/result=0x[0-9a-f]/result=0xf/'
    exit 1
fi
exec $q "$@"
