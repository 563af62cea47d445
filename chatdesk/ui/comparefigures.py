"""One compare column's live figures as a single painted line.

The figures change four times a second while four columns stream. Six labels in a grid
re-laid the column out at each change and cut their values off without an ellipsis when
narrow; this strip paints one line of text instead: a change is one ``update()``, never a
layout pass, and its height never moves. What does not fit is elided with "…" (captions
go first), and the whole set is in the tooltip and the accessible description.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from chatdesk.ui.comparestyle import palette_of

# Every figure the controller sets, in the order the tooltip lists them.
FIGURES = ("ttft", "total", "tokens", "speed", "finish", "cost")
# Those on the line, in this order (the rest are in the tooltip).
SHOWN = ("ttft", "speed", "tokens", "cost")
EMPTY = "–"


class FigureStrip(QWidget):
    """The figures of one column: ``set_figure`` per key, painted on one line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figure-strip")
        self._values: dict[str, str] = dict.fromkeys(FIGURES, EMPTY)
        self._best: dict[str, bool] = dict.fromkeys(FIGURES, False)
        self._dark = False
        self._colours = palette_of(False)
        # Its width is the column's to decide: a longer value never widens anything.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(QFontMetrics(self.font()).height() + 6)
        # Filled with the page's colour, so its ten repaints a second paint nothing behind
        # it (with the app's style sheet, every widget up to the main window).
        self.setAutoFillBackground(True)
        self.captions = {
            "ttft": self.tr("First token"),
            "total": self.tr("Total"),
            "tokens": self.tr("Tokens in/out"),
            "speed": self.tr("Speed"),
            "finish": self.tr("Finish"),
            "cost": self.tr("Cost"),
        }
        # Short captions on the line itself (tok/s names itself).
        self._short = {
            "ttft": self.tr("first"),
            "speed": "",
            "tokens": self.tr("tokens"),
            "cost": self.tr("cost"),
        }

    # --- state ------------------------------------------------------------------------

    def set_figure(self, key: str, text: str, *, best: bool = False) -> None:
        """Only a real change repaints (and tells a screen reader)."""
        if self._values[key] == text and self._best[key] == best:
            return
        self._values[key] = text
        self._best[key] = best
        self.setAccessibleDescription(self.full_text())
        if key in SHOWN:
            self.update()

    def figure(self, key: str) -> str:
        return self._values[key]

    def is_best(self, key: str) -> bool:
        return self._best[key]

    def set_dark(self, dark: bool) -> None:
        if dark != self._dark:
            self._dark = dark
            self._colours = palette_of(dark)
            self.update()

    def full_text(self, sep: str = ", ") -> str:
        """Every figure with its name (the tooltip, what a screen reader says)."""
        return sep.join(f"{self.captions[k]}: {self._values[k]}" for k in FIGURES)

    def shown_text(self) -> str:
        """The line as painted at the current width (tests and the screenshots read it)."""
        return "".join(text for text, _kind in self._layout(self.width()))

    # --- painting -----------------------------------------------------------------------

    def _items(self, captions: bool) -> list[tuple[str, str]]:
        """(text, kind) pieces of the line; kind "muted", "value" or "best"."""
        out: list[tuple[str, str]] = []
        for key in SHOWN:
            value = self._values[key]
            if value == EMPTY:
                continue  # nothing yet (or no price): say nothing rather than "–"
            if out:
                out.append(("  ·  ", "muted"))
            short = self._short[key]
            if captions and short and key != "tokens":
                out.append((short + " ", "muted"))
            out.append((value, "best" if self._best[key] else "value"))
            if captions and key == "tokens":
                out.append((" " + short, "muted"))
        return out

    def _bold(self) -> QFont:
        font = QFont(self.font())
        font.setWeight(QFont.Weight.DemiBold)
        return font

    def _layout(self, width: int) -> list[tuple[str, str]]:
        """The pieces that fit ``width``: with captions if they fit, else values only,
        and the last piece elided with "…" when even those do not fit."""
        plain, bold = QFontMetrics(self.font()), QFontMetrics(self._bold())
        room = max(0, width - 12)

        def advance(text: str, kind: str) -> int:
            return (bold if kind == "best" else plain).horizontalAdvance(text)

        for captions in (True, False):
            items = self._items(captions)
            if sum(advance(t, k) for t, k in items) <= room:
                return items
        out: list[tuple[str, str]] = []
        used = 0
        for text, kind in items:
            w = advance(text, kind)
            if used + w <= room:
                out.append((text, kind))
                used += w
                continue
            metrics = bold if kind == "best" else plain
            cut = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room - used)
            if kind == "muted" or not cut:
                cut = "…"
            out.append((cut, kind))
            break
        return out

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        c = self._colours
        x = 6
        rect = self.rect()
        for text, kind in self._layout(self.width()):
            font = self._bold() if kind == "best" else self.font()
            painter.setFont(font)
            colour = {"muted": c["muted"], "best": c["accent_text"]}.get(kind, c["fg"])
            painter.setPen(QColor(colour))
            w = QFontMetrics(font).horizontalAdvance(text)
            painter.drawText(
                QRect(x, 0, w + 1, rect.height()),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                text,
            )
            x += w
        painter.end()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(120, self.height())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:  # built when asked, not four times a second
            QToolTip.showText(event.globalPos(), self.full_text("\n"), self)  # type: ignore[attr-defined]
            return True
        return super().event(event)
