"""Icons: one family (VS Code's codicons, as shipped inside the ``qtawesome`` package).

Why not ``qtawesome.icon()``: importing qtawesome imports qtpy, whose star imports make
PySide6 build every Qt type (+80 ms and +24 MiB), and its first icon loads all eleven
bundled fonts (+18 MiB), together more than the whole window costs at idle. So only the
package's codicon font and character map are used (80 KB, loaded in ~2 ms), found without
importing the package, and each icon is a glyph drawn by a small :class:`QIconEngine`.

The engine paints with the application palette of the moment (normal, disabled, checked),
so every icon follows a theme switch without being set again. Without the font (a frozen
build that left qtawesome out) icons are null and tool buttons show their text instead.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import QLabel, QWidget

__all__ = ["IconLabel", "glyph", "icon", "icon_family"]

_FONT: tuple[str, dict[str, int]] | None = None
_LOADED = False


def _font_dir() -> Path | None:
    """qtawesome's fonts folder, located without importing qtawesome (see the module doc).

    In the PyInstaller bundle the fonts are shipped as data (``qtawesome/fonts``) without
    the package's code, so the bundle's folder is looked at first.
    """
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen and (Path(frozen) / "qtawesome" / "fonts").is_dir():
        return Path(frozen) / "qtawesome" / "fonts"
    try:
        spec = importlib.util.find_spec("qtawesome")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location) / "fonts"
        if folder.is_dir():
            return folder
    return None


def _load() -> tuple[str, dict[str, int]] | None:
    """Register the codicon font once; (family, name -> code point) or None."""
    global _FONT, _LOADED
    if _LOADED:
        return _FONT
    _LOADED = True
    folder = _font_dir()
    if folder is None:
        return None
    # Plain name tests, not Path.glob: its pattern compiling took ~0.4 ms of the first paint.
    names = os.listdir(folder)
    fonts = sorted(
        folder / n
        for n in names
        if n.startswith("codicon-") and n[8:9].isdigit() and n.endswith(".ttf")
    )
    maps = sorted(
        folder / n for n in names if n.startswith("codicon-charmap-") and n.endswith(".json")
    )
    if not fonts or not maps:
        return None
    try:
        charmap = {k: int(v, 16) for k, v in json.loads(maps[-1].read_text("utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        return None
    font_id = QFontDatabase.addApplicationFont(str(fonts[-1]))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        return None
    _FONT = (families[0], charmap)
    return _FONT


def icon_family() -> str | None:
    """The icon font's family name (for rich text), or None when it is not available."""
    font = _load()
    return font[0] if font else None


def glyph(name: str) -> str:
    """The character of icon ``name`` in :func:`icon_family` ('' when unknown)."""
    font = _load()
    if font is None or name not in font[1]:
        return ""
    return chr(font[1][name])


class _GlyphEngine(QIconEngine):
    """Draws one glyph in the palette's colour for the icon's mode and state."""

    def __init__(self, family: str, char: str, on_accent: bool = False) -> None:
        super().__init__()
        self._family = family
        self._char = char
        self._on_accent = on_accent

    def paint(  # noqa: D102 (Qt override)
        self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State
    ) -> None:
        pal = QGuiApplication.palette()
        if self._on_accent and mode != QIcon.Mode.Disabled:
            colour = pal.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText)
        elif mode == QIcon.Mode.Disabled:
            colour = pal.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
        elif state == QIcon.State.On:
            colour = pal.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)
        else:
            colour = pal.color(QPalette.ColorGroup.Active, QPalette.ColorRole.ButtonText)
        font = QFont(self._family)
        font.setPixelSize(max(1, round(min(rect.width(), rect.height()) * 0.95)))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setFont(font)
        painter.setPen(QColor(colour))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), self._char)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:  # noqa: D102
        pm = QPixmap(size)
        pm.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pm)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return pm

    def clone(self) -> QIconEngine:  # noqa: D102
        return _GlyphEngine(self._family, self._char, self._on_accent)

    def key(self) -> str:  # noqa: D102
        return "chatdesk-glyph"


_cache: dict[str, QIcon] = {}


def icon(name: str, *, on_accent: bool = False) -> QIcon:
    """The codicon ``name`` (e.g. "copy", "settings-gear"); a null icon when unavailable.

    ``on_accent``: drawn in the text colour for the accent (the Send button's arrow).
    """
    key = f"{name}|a" if on_accent else name
    cached = _cache.get(key)
    if cached is not None:
        return cached
    font = _load()
    if font is None or name not in font[1]:
        result = QIcon()
    else:
        result = QIcon(_GlyphEngine(font[0], chr(font[1][name]), on_accent))
    _cache[key] = result
    return result


class IconLabel(QLabel):
    """A label showing icon ``name``, repainted in the palette's colour when it changes.

    A plain ``QLabel.setPixmap(icon(...).pixmap(...))`` freezes the colour of the moment:
    after a switch to dark the (dark) flame vanished on the dark toolbar until a restart.
    """

    def __init__(self, name: str, size: int = 16, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._size = size
        self._refresh()

    def _refresh(self) -> None:
        self.setPixmap(icon(self._name).pixmap(QSize(self._size, self._size)))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._refresh()
        super().changeEvent(event)
