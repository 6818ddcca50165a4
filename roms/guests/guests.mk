# Linux test guest images (kernel, initramfs, bootable disks) built from
# Debian i386 packages by roms/guests/build-linux.sh into build/guests/.
# The script is incremental, so the targets are phony.
# Root Makefile:  include roms/guests/guests.mk

GUESTS_MK_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

.PHONY: guests guests-qemu-check guests-clean

guests:
	$(GUESTS_MK_DIR)/build-linux.sh

# Reference boots under QEMU TCG (needs qemu-system-x86; not in make test).
guests-qemu-check: guests
	$(GUESTS_MK_DIR)/qemu-check.sh

guests-clean:
	rm -rf build/guests
