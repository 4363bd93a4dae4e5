#!/usr/bin/env python3
"""An independent PNG reader for tests: `python3 validate_png.py FILE` checks the signature,
chunk order and every CRC, inflates the IDAT stream, reverses the five filters and prints
JSON: width, height, bit_depth, color_type, chunks (types in order), text, palette
(flat RGB), trns (bytes) and samples (unpacked, one integer per sample, row major).
Non-interlaced images only. Exits 1 with a message on any problem."""
import json
import struct
import sys
import zlib


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def main(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("bad signature")
    pos, chunks, idat, text = 8, [], b"", {}
    palette, trns, ihdr = [], [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            fail("bad CRC in " + kind.decode())
        kind = kind.decode("ascii")
        chunks.append(kind)
        if kind == "IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == "PLTE":
            palette = list(body)
        elif kind == "tRNS":
            trns = list(body)
        elif kind == "tEXt":
            k, v = body.split(b"\x00", 1)
            text[k.decode("latin-1")] = v.decode("latin-1")
        elif kind == "IDAT":
            idat += body
        pos += 12 + length
        if kind == "IEND":
            break
    if chunks[0] != "IHDR" or chunks[-1] != "IEND" or pos != len(data):
        fail("bad chunk order: %s" % chunks)
    width, height, depth, ctype, _, _, interlace = ihdr
    if interlace:
        fail("interlaced")
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    bits = channels * depth
    row_bytes, bpp = (width * bits + 7) // 8, max(1, bits // 8)
    raw = zlib.decompress(idat)
    if len(raw) != height * (row_bytes + 1):
        fail("image data size %d" % len(raw))
    prev, samples = bytearray(row_bytes), []
    for y in range(height):
        kind = raw[y * (row_bytes + 1)]
        row = bytearray(raw[y * (row_bytes + 1) + 1:(y + 1) * (row_bytes + 1)])
        for i in range(row_bytes):
            a = row[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            if kind == 0:
                pred = 0
            elif kind == 1:
                pred = a
            elif kind == 2:
                pred = b
            elif kind == 3:
                pred = (a + b) // 2
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if (pa <= pb and pa <= pc) else (b if pb <= pc else c)
            else:
                fail("bad filter %d in row %d" % (kind, y))
            row[i] = (row[i] + pred) & 0xFF
        if depth == 16:
            samples += [row[i] << 8 | row[i + 1] for i in range(0, row_bytes, 2)]
        elif depth == 8:
            samples += list(row)
        else:
            per = 8 // depth
            samples += [(row[i // per] >> (8 - depth * (i % per + 1))) & ((1 << depth) - 1)
                        for i in range(width * channels)]
        prev = row
    print(json.dumps({"width": width, "height": height, "bit_depth": depth, "color_type": ctype,
                      "chunks": chunks, "text": text, "palette": palette, "trns": trns, "samples": samples}))


main(sys.argv[1])
