# roms/seabios.mk — SeaBIOS for the 440BX board (see roms/README.md).
# `make` produces build/roms/bios.bin: Debian's SeaBIOS source package with
# roms/seabios-440bx.patch applied, or, when the source cannot be fetched or
# built, Debian's prebuilt bios-256k.bin (the emulator then pre-shadows).
# The route taken is written to build/roms/bios.route.

SEABIOS_OUT := build/roms/bios.bin

all: $(SEABIOS_OUT)

$(SEABIOS_OUT): roms/seabios-440bx.patch roms/build-seabios.sh roms/seabios.mk
	@roms/build-seabios.sh build/roms

seabios: $(SEABIOS_OUT)

seabios-clean:
	rm -rf build/roms

.PHONY: seabios seabios-clean
