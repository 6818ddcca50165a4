#!/usr/bin/env python3
"""Make the SeaBIOS boot-test images: a 1 MB disk whose MBR prints "BOK" on
port 0xE9 and exits through port 0xF4 (status 1), and a 2048-byte El Torito
no-emulation boot image that prints "CD" the same way (the ISO is built by
xorriso when available)."""
import sys

def prog(text):
    code = bytearray()
    for ch in text + "\n":
        code += bytes([0xB0, ord(ch), 0xE6, 0xE9])  # mov al,ch; out 0xe9,al
    code += bytes([0xB0, 0x00, 0xE6, 0xF4])          # mov al,0; out 0xf4,al
    code += bytes([0xF4, 0xEB, 0xFD])                # hlt; jmp $-1
    return code

def sector(text, size):
    b = bytearray(size)
    c = prog(text)
    b[:len(c)] = c
    b[510], b[511] = 0x55, 0xAA
    return b

out = sys.argv[1]
with open(out + "/disk.img", "wb") as f:
    f.write(sector("BOK", 512) + bytearray(512 * 2047))
with open(out + "/iso/boot.bin", "wb") as f:
    f.write(sector("CD", 2048))
