#!/usr/bin/env python3
"""pngcheck.py FILE WIDTH [RRGGBB...]: decode a PNG with the standard library
(chunks, CRCs, zlib, the five row filters) and check its width and that every
colour given appears in it. Prints "WxH, N colours"; exit 1 on any failure."""
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG signature")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack("!I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack("!I", data[pos + 8 + n:pos + 12 + n])
        if zlib.crc32(kind + body) & 0xffffffff != crc:
            raise ValueError("bad CRC in %r" % kind)
        if kind == b"IHDR":
            ihdr = struct.unpack("!IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + n
    w, h, depth, ctype = ihdr[:4]
    if depth != 8 or ctype not in (2, 6):
        raise ValueError("expected 8-bit RGB or RGBA, got depth %d type %d" % (depth, ctype))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    if len(raw) != h * (1 + stride):
        raise ValueError("image data is %d bytes, not %d" % (len(raw), h * (1 + stride)))
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f, line = raw[y * (1 + stride)], bytearray(raw[y * (1 + stride) + 1:(y + 1) * (1 + stride)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 0xff
            elif f == 2:
                line[x] = (line[x] + b) & 0xff
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xff
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xff
            elif f != 0:
                raise ValueError("bad filter %d" % f)
        rows.append(line)
        prev = line
    colours = set()
    for line in rows:
        for x in range(0, stride, bpp):
            colours.add((line[x] << 16) | (line[x + 1] << 8) | line[x + 2])
    return w, h, colours


def main():
    path, want_w = sys.argv[1], int(sys.argv[2])
    try:
        w, h, colours = decode(path)
    except Exception as e:  # any failure to decode is the answer
        print("does not decode: %s" % e)
        return 1
    print("%dx%d, %d colours" % (w, h, len(colours)))
    missing = [c for c in sys.argv[3:] if int(c, 16) not in colours]
    if w != want_w or missing:
        print("width %d (want %d); missing colours: %s" % (w, want_w, " ".join(missing) or "none"))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
