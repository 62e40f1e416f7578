"""Tiny deterministic PNG writer (zlib + struct): creatives and evidence screenshots must be
real images that browsers decode and screenshot tools accept, without shipping binaries."""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache

RGB = tuple[int, int, int]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@lru_cache(maxsize=512)
def png(width: int, height: int, background: RGB, accent: RGB | None = None, header: RGB | None = None) -> bytes:
    """A ``width``x``height`` RGB PNG: plain background, an optional header band (top 15%)
    and an optional centred accent box (half the size), so creatives look brand-coloured and
    screenshots look like a page with an ad in it."""
    width, height = max(1, width), max(1, height)
    bg = bytes(background)
    plain = b"\x00" + bg * width
    rows: list[bytes] = []
    head_h = height * 15 // 100 if header else 0
    head_row = b"\x00" + bytes(header) * width if header else plain
    if accent:
        x0, x1 = width // 4, width - width // 4
        y0, y1 = height // 4, height - height // 4
        box_row = b"\x00" + bg * x0 + bytes(accent) * (x1 - x0) + bg * (width - x1)
    for y in range(height):
        if y < head_h:
            rows.append(head_row)
        elif accent and y0 <= y < y1:
            rows.append(box_row)
        else:
            rows.append(plain)
    raw = b"".join(rows)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(raw, 6))
            + _chunk(b"IEND", b""))


def hex_rgb(value: str) -> RGB:
    """``#1a2b3c`` -> (26, 43, 60)."""
    v = value.lstrip("#")
    return (int(v[0:2], 16), int(v[2:4], 16), int(v[4:6], 16))
