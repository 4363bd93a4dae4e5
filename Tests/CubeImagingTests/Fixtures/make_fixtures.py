#!/usr/bin/env python3
"""Writes small PNG fixtures with an encoder independent of CubeImaging (zlib + struct).

Run from this folder: `python3 make_fixtures.py`. The pixel formulas are repeated in
Tests/CubeImagingTests/IndependentPNGTests.swift, which decodes these files.
Each file cycles the five PNG filters row by row (row y uses filter y % 5).
"""
import struct
import zlib


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(kind, row, prev, bpp):
    out = bytearray()
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out.append((x - pred) & 0xFF)
    return bytes([kind]) + bytes(out)


def write_png(path, width, height, color_type, bit_depth, rows, bpp, extra=b""):
    prev = bytes(len(rows[0]))
    raw = b""
    for y, row in enumerate(rows):
        raw += filter_row(y % 5, row, prev, bpp)
        prev = row
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra
    data += chunk(b"tEXt", b"Software\x00make_fixtures.py")
    compressed = zlib.compress(raw, 9)
    half = len(compressed) // 2  # two IDAT chunks, to exercise concatenation
    data += chunk(b"IDAT", compressed[:half]) + chunk(b"IDAT", compressed[half:]) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


def rgb(x, y):
    return ((x * 37 + y * 11) % 256, (x * x + 3 * y) % 256, (x * y * 5 + 7) % 256)


def gray16(x, y):
    return (x * 4099 + y * 257) % 65536


def index2(x, y):
    return (x + 2 * y) % 4


W, H = 13, 10
write_png("python_rgb8.png", W, H, 2, 8,
          [bytes(v for x in range(W) for v in rgb(x, y)) for y in range(H)], 3)
write_png("python_gray16.png", W, H, 0, 16,
          [b"".join(struct.pack(">H", gray16(x, y)) for x in range(W)) for y in range(H)], 2)
rows = []
for y in range(H):
    packed = bytearray((W * 2 + 7) // 8)
    for x in range(W):
        packed[x // 4] |= index2(x, y) << (6 - 2 * (x % 4))
    rows.append(bytes(packed))
palette = bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255])
write_png("python_indexed2.png", W, H, 3, 2, rows, 1,
          extra=chunk(b"PLTE", palette) + chunk(b"tRNS", bytes([0, 128])))
