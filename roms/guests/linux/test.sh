#!/bin/sh
# x86bt Linux test guest: the self test /init runs when the kernel command
# line has x86bt.test=1.  Argument: the console device it writes to.
#
# Each step prints a "=== name" header (mount, ls /proc, md5sums,
# partitions, net, cpuinfo, dmesg).  The md5 sums are checked in the
# guest against /etc/x86bt/expected.md5 (made on the host at build time);
# the harness can also compare the printed lines with
# build/guests/linux-test.md5.  Ends with X86BT-TEST-DONE and poweroff -f.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
console=${1:-/dev/console}

section() {
    echo "=== $*"
}

# md5_check FILE...: print the sums and check them against expected.md5.
md5_check() {
    md5sum "$@"
    for f in "$@"; do
        if grep -q "  $f\$" /etc/x86bt/expected.md5 &&
            grep "  $f\$" /etc/x86bt/expected.md5 | md5sum -c -s; then
            echo "X86BT-MD5-OK $f"
        else
            echo "X86BT-MD5-FAIL $f"
        fi
    done
}

# wait_for_block DEV SECONDS: wait until DEV exists (SCSI disks attach
# asynchronously after ata_piix probed).
wait_for_block() {
    n=0
    while [ ! -b "$1" ] && [ "$n" -lt "$2" ]; do
        sleep 1
        n=$((n + 1))
    done
    [ -b "$1" ]
}

section mount
mount

section ls /proc
ls /proc

section md5sum initramfs
md5_check /etc/x86bt/known.txt

# syslinux adds BOOT_IMAGE= to the command line: then the guest came from
# the disk image and the disk must be there.
case " $(cat /proc/cmdline) " in
*" BOOT_IMAGE="*) disk_wait=30 ;;
*) disk_wait=2 ;;
esac
section md5sum disk
if wait_for_block /dev/sda1 "$disk_wait"; then
    if mount -t vfat -o ro /dev/sda1 /mnt; then
        md5_check /mnt/known.txt /mnt/vmlinuz
        umount /mnt
    else
        echo "X86BT-MD5-FAIL mount /dev/sda1"
    fi
elif [ "$disk_wait" -gt 2 ]; then
    echo "X86BT-MD5-FAIL no /dev/sda1"
else
    echo "no disk (booted without the disk image)"
fi

section partitions
cat /proc/partitions

section net
ip link

section cpuinfo
cat /proc/cpuinfo

section dmesg
dmesg

echo "X86BT-TEST-DONE"
stty -F "$console" "$(stty -F "$console" -g)" 2>/dev/null
poweroff -f
