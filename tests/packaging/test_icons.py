"""The Windows .ico and macOS .icns icons, parsed entry by entry and every image decoded.

Both files are written by packaging/make_icons.py (no other tool); Windows and macOS are not
at hand here to open them, so the container formats are checked field by field: the .ico's
ICONDIR and every ICONDIRENTRY, the .icns's every (type, length) entry, and each payload is
one whole PNG (every chunk's CRC, IEND at its end) that Qt decodes at the size the entry
states. Re-running make_icons.py must give the same sizes and entries as the committed files.
"""

from __future__ import annotations

import importlib.util
import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import pytest
from PySide6.QtGui import QImage

from chatdesk import desktop

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "resources" / "icons"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The .icns entry types that hold PNG data, and the pixel size each type means (Apple's
# IconFamily.h; ic11-ic14 are the @2x variants of 16, 32, 128 and 256 pt).
ICNS_PNG_SIZES = {
    b"icp4": 16, b"icp5": 32, b"icp6": 64, b"ic07": 128, b"ic08": 256, b"ic09": 512,
    b"ic10": 1024, b"ic11": 32, b"ic12": 64, b"ic13": 256, b"ic14": 512,
}  # fmt: skip


def _make_icons() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_icons", ROOT / "packaging" / "make_icons.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE_ICONS = _make_icons()


class Png(NamedTuple):
    width: int
    height: int
    bit_depth: int
    colour_type: int


def parse_png(data: bytes, what: str) -> Png:
    """The IHDR of ``data``, after checking that ``data`` is exactly one well-formed PNG."""
    assert data[:8] == PNG_SIGNATURE, f"{what}: not a PNG"
    pos, chunks = 8, []
    while pos < len(data):
        assert pos + 12 <= len(data), f"{what}: truncated chunk at byte {pos}"
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 8 + length
        assert end + 4 <= len(data), f"{what}: chunk {kind!r} runs past the end"
        (crc,) = struct.unpack(">I", data[end : end + 4])
        assert crc == zlib.crc32(data[pos + 4 : end]), f"{what}: bad CRC in chunk {kind!r}"
        chunks.append((kind, data[pos + 8 : end]))
        pos = end + 4
        if kind == b"IEND":
            break
    assert pos == len(data), f"{what}: {len(data) - pos} bytes after IEND"
    assert chunks[0][0] == b"IHDR" and len(chunks[0][1]) == 13, f"{what}: no IHDR first"
    assert chunks[-1][0] == b"IEND", f"{what}: no IEND"
    assert any(kind == b"IDAT" for kind, _ in chunks), f"{what}: no image data"
    width, height, depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
    return Png(width, height, depth, colour)


def decode(data: bytes, what: str) -> QImage:
    image = QImage.fromData(data, "PNG")
    assert not image.isNull(), f"{what}: Qt cannot decode it"
    return image


class IcoEntry(NamedTuple):
    width: int  # 0 in the file means 256
    height: int
    bits: int
    png: bytes


def parse_ico(data: bytes) -> list[IcoEntry]:
    """Every entry of a .ico, after checking ICONDIR, each ICONDIRENTRY and the layout."""
    assert len(data) >= 6
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1), "not an icon (ICONDIR reserved/type)"
    assert count >= 1
    directory_end = 6 + 16 * count
    assert directory_end <= len(data), "ICONDIR entries run past the end"
    entries, spans = [], []
    for i in range(count):
        fields = struct.unpack("<BBBBHHII", data[6 + 16 * i : 6 + 16 * (i + 1)])
        width_byte, height_byte, colours, reserved, planes, bits, size, offset = fields
        width, height = width_byte or 256, height_byte or 256
        what = f"ico entry {i} ({width}x{height})"
        assert colours == 0 and reserved == 0, f"{what}: palette/reserved bytes {fields}"
        assert planes in (0, 1) and bits == 32, f"{what}: planes {planes}, {bits} bpp"
        assert directory_end <= offset and offset + size <= len(data), f"{what}: outside the file"
        png = data[offset : offset + size]
        header = parse_png(png, what)
        assert (header.width, header.height) == (width, height), f"{what}: IHDR {header}"
        # 32 bpp: 8-bit RGBA, the only PNG kind Windows reads from an icon.
        assert (header.bit_depth, header.colour_type) == (8, 6), f"{what}: IHDR {header}"
        image = decode(png, what)
        assert (image.width(), image.height()) == (width, height)
        assert image.hasAlphaChannel(), f"{what}: no alpha channel"
        entries.append(IcoEntry(width, height, bits, png))
        spans.append((offset, offset + size))
    # The payloads follow the directory back to back: no overlap, no gap, nothing after.
    position = directory_end
    for start, end in sorted(spans):
        assert start == position, f"ico payload at {start}, expected {position}"
        position = end
    assert position == len(data), "bytes after the last ico payload"
    return entries


def parse_icns(data: bytes) -> list[tuple[bytes, bytes]]:
    """Every (type, payload) of a .icns, after checking the header and every length."""
    assert data[:4] == b"icns", "not an icns file"
    (total,) = struct.unpack(">I", data[4:8])
    assert total == len(data), f"icns header says {total} bytes, the file has {len(data)}"
    entries, pos = [], 8
    while pos < len(data):
        assert pos + 8 <= len(data), f"truncated icns entry header at byte {pos}"
        kind = data[pos : pos + 4]
        (length,) = struct.unpack(">I", data[pos + 4 : pos + 8])
        assert length > 8 and pos + length <= len(data), f"icns entry {kind!r}: length {length}"
        entries.append((kind, data[pos + 8 : pos + length]))
        pos += length
    # The lengths (each counting its 8-byte header) add up to the file after its header.
    assert 8 + sum(8 + len(payload) for _, payload in entries) == len(data)
    types = [kind for kind, _ in entries]
    assert len(types) == len(set(types)), f"an icns type appears twice: {types}"
    for kind, payload in entries:
        assert kind in ICNS_PNG_SIZES, f"icns entry {kind!r} is not a PNG icon type"
        size = ICNS_PNG_SIZES[kind]
        what = f"icns {kind.decode()} ({size} px)"
        header = parse_png(payload, what)
        assert (header.width, header.height) == (size, size), f"{what}: IHDR {header}"
        image = decode(payload, what)
        assert (image.width(), image.height()) == (size, size)
        assert image.hasAlphaChannel(), f"{what}: no alpha channel"
    return entries


def test_make_icons_writes_icns_types_that_mean_their_size() -> None:
    for size, kind in MAKE_ICONS.ICNS_TYPES.items():
        assert ICNS_PNG_SIZES[kind] == size, f"make_icons writes {kind!r} for {size} px"
    assert MAKE_ICONS.HICOLOR_SIZES == desktop.HICOLOR_SIZES


def test_ico_holds_every_size_windows_uses(qapp: object) -> None:
    entries = parse_ico((ICONS / "chatdesk.ico").read_bytes())
    sizes = [e.width for e in entries]
    assert all(e.width == e.height for e in entries)
    assert sizes == sorted(MAKE_ICONS.ICO_SIZES)
    # Explorer and the taskbar pick 16, 32 and 48; 256 for large icons and high DPI.
    assert {16, 24, 32, 48, 256} <= set(sizes)


def test_icns_holds_every_size_up_to_retina(qapp: object) -> None:
    entries = parse_icns((ICONS / "chatdesk.icns").read_bytes())
    assert [kind for kind, _ in entries] == [
        MAKE_ICONS.ICNS_TYPES[size] for size in sorted(MAKE_ICONS.ICNS_TYPES)
    ]
    # 16 to 512 px, and 1024 px (512 pt at 2x) for Retina screens and the Dock.
    assert {ICNS_PNG_SIZES[kind] for kind, _ in entries} >= {16, 32, 128, 256, 512, 1024}


def _png_files(folder: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for path in sorted(folder.glob("*.png")):
        header = parse_png(path.read_bytes(), path.name)
        found[path.name] = (header.width, header.height)
    return found


def test_make_icons_regenerates_the_committed_icons(qapp: object, tmp_path: Path) -> None:
    out = tmp_path / "icons"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "make_icons.py"), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    committed = {p.name for p in ICONS.iterdir() if p.is_file()}
    assert {p.name for p in out.iterdir()} == committed
    assert _png_files(out) == _png_files(ICONS)
    assert _png_files(ICONS) == {
        f"chatdesk-{size}.png": (size, size) for size in desktop.HICOLOR_SIZES
    }
    # Same entries, in the same order, at the same sizes (bytes may differ with the Qt build).
    new_ico = parse_ico((out / "chatdesk.ico").read_bytes())
    old_ico = parse_ico((ICONS / "chatdesk.ico").read_bytes())
    assert [e[:3] for e in new_ico] == [e[:3] for e in old_ico]
    new_icns = parse_icns((out / "chatdesk.icns").read_bytes())
    old_icns = parse_icns((ICONS / "chatdesk.icns").read_bytes())
    assert [kind for kind, _ in new_icns] == [kind for kind, _ in old_icns]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d[:-1], "outside the file"),  # truncated last payload
        (lambda d: d + b"\0", "after"),  # trailing garbage
        (lambda d: d[:6] + bytes([17]) + d[7:], "IHDR"),  # 16 px entry says 17
        (lambda d: d[:8] + bytes([8]) + d[9:], "palette"),  # a colour count
    ],
    ids=["truncated", "trailing", "wrong size", "palette"],
)
def test_the_ico_parser_rejects_damage(
    qapp: object, damage: Callable[[bytes], bytes], message: str
) -> None:
    data = (ICONS / "chatdesk.ico").read_bytes()
    with pytest.raises(AssertionError, match=message):
        parse_ico(damage(data))


def test_the_icns_parser_rejects_damage(qapp: object) -> None:
    data = (ICONS / "chatdesk.icns").read_bytes()
    with pytest.raises(AssertionError, match="header says"):
        parse_icns(data + b"\0")
    # The first entry (icp4, 16 px) relabelled as ic11 (32 px).
    with pytest.raises(AssertionError, match="IHDR"):
        parse_icns(data[:8] + b"ic11" + data[12:])
    with pytest.raises(AssertionError, match="not a PNG icon type"):
        parse_icns(data[:8] + b"is32" + data[12:])
