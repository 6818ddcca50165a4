# Linux test guest images (kernel, initramfs, bootable disks) built from
# Debian i386 packages by roms/guests/build-linux.sh into build/guests/.
# The script is incremental, so the targets are phony.
# Root Makefile:  include roms/guests/guests.mk

LINUX_GUESTS_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

.PHONY: linux-guests linux-guests-qemu-check linux-guests-clean

linux-guests:
	$(LINUX_GUESTS_DIR)/build-linux.sh

# Reference boots under QEMU TCG (needs qemu-system-x86; not in make test).
linux-guests-qemu-check: linux-guests
	$(LINUX_GUESTS_DIR)/qemu-check.sh

linux-guests-clean:
	rm -rf build/guests
