"""Render the app icon from its one source, resources/chatdesk.svg.

Usage: python packaging/make_icons.py [OUT_DIR]   (default: resources/icons)

Writes ``chatdesk-<size>.png`` for the freedesktop hicolor sizes, ``chatdesk.ico``
(Windows: 16-256 px, PNG-compressed entries) and ``chatdesk.icns`` (macOS: 16-1024 px).
Both container formats are written here directly, so no extra tool (ImageMagick,
iconutil) and no Qt image plugin is needed on any of the three systems.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "chatdesk.svg"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS entry types that hold PNG data, by pixel size.
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09",
              1024: b"ic10"}  # fmt: skip


def render_png(size: int, svg: Path = SVG) -> bytes:
    """The icon at ``size`` x ``size`` pixels as PNG bytes (QSvgRenderer, antialiased)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding one PNG entry per size (allowed since Windows Vista)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        blob = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs += blob
    return header + entries + blobs


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns: the 'icns' header, then one (type, length, PNG) entry per size."""
    body = b"".join(
        ICNS_TYPES[size] + struct.pack(">I", 8 + len(png)) + png
        for size, png in sorted(pngs.items())
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "resources" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    wanted = sorted(set(HICOLOR_SIZES) | set(ICO_SIZES) | set(ICNS_TYPES))
    pngs = {size: render_png(size) for size in wanted}
    for size in HICOLOR_SIZES:
        (out / f"chatdesk-{size}.png").write_bytes(pngs[size])
    (out / "chatdesk.ico").write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    (out / "chatdesk.icns").write_bytes(icns_bytes({s: pngs[s] for s in ICNS_TYPES}))
    print(f"make_icons: wrote {len(HICOLOR_SIZES)} PNGs, chatdesk.ico, chatdesk.icns to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
